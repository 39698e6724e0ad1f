//! The sync into a real SQLite file (rusqlite's bundled library) from the project's mock.

mod support;

use rusqlite::Connection;
use servicetitan_sync::{entities, Destination, Sync, SyncMode};

#[tokio::test]
async fn every_entity_of_every_module_syncs_and_a_rerun_writes_nothing() {
    let server = support::mock(12).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("st.db");
    let report = Sync::new(support::client(&server), Destination::sqlite(&db).unwrap())
        .run()
        .await
        .unwrap();
    assert!(report.is_success(), "{:#?}", report.errors());
    assert_eq!(report.entities().count(), entities().len());
    let conn = Connection::open(&db).unwrap();
    for e in entities() {
        let rows: i64 = conn
            .query_row(&format!("SELECT count(*) FROM \"{}\"", e.table), [], |r| {
                r.get(0)
            })
            .unwrap();
        assert!(rows > 0, "{} has no rows", e.name);
    }
    let again = Sync::new(support::client(&server), Destination::sqlite(&db).unwrap())
        .run()
        .await
        .unwrap();
    assert!(again.is_success(), "{:#?}", again.errors());
    assert_eq!(again.written(), 0, "{again}");
}
