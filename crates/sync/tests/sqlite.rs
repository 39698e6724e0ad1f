//! The sync into a real SQLite file (rusqlite's bundled library) from the project's mock.

mod support;

use rusqlite::Connection;
use servicetitan_sync::{Destination, Error, Sync};
use std::path::{Path, PathBuf};
use support::scenarios;

fn db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("st.db");
    (dir, path)
}

fn open(path: &Path) -> impl Fn() -> std::future::Ready<Destination> + '_ {
    move || std::future::ready(Destination::sqlite(path).unwrap())
}

#[tokio::test]
async fn every_entity_of_every_module_syncs_and_a_rerun_writes_nothing() {
    let (_dir, path) = db();
    scenarios::every_entity_then_nothing_new(open(&path)).await;
}

#[tokio::test]
async fn three_tenants_at_once_and_a_refused_one_does_not_stop_the_others() {
    let (_dir, path) = db();
    scenarios::three_tenants_and_one_refused(open(&path)).await;
}

#[tokio::test]
async fn unknown_fields_land_in_raw_and_money_keeps_its_digits() {
    let server = scenarios::drift_server().await;
    let (_dir, path) = db();
    scenarios::jobs_and_invoices(&server, Destination::sqlite(&path).unwrap()).await;
    let conn = Connection::open(&path).unwrap();
    let unknown: i64 = conn
        .query_row(
            "SELECT count(*) FROM jpm_jobs WHERE json_extract(_raw, '$.mockUnknownField') IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        unknown > 0,
        "no drifted record kept its unknown field in _raw"
    );
    // Every typed money value is the raw record's number, digit for digit.
    let mut stmt = conn
        .prepare("SELECT total, _raw FROM accounting_invoices WHERE total IS NOT NULL")
        .unwrap();
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!rows.is_empty());
    for (total, raw) in rows {
        scenarios::assert_money_as_received(&total, &raw);
    }
}

#[tokio::test]
async fn a_column_added_by_a_newer_spec_is_added_and_a_type_change_is_a_clear_error() {
    let server = support::mock(10).await;
    let (_dir, path) = db();
    let run = || async {
        Sync::new(
            support::client(&server),
            Destination::sqlite(&path).unwrap(),
        )
        .only(&["jpm.jobs"])
        .unwrap()
        .run()
        .await
    };
    run().await.unwrap();
    // As if the table had been created by an older spec without `summary`.
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("ALTER TABLE jpm_jobs DROP COLUMN summary")
        .unwrap();
    run().await.unwrap();
    let has: i64 = conn
        .query_row(
            "SELECT count(*) FROM pragma_table_info('jpm_jobs') WHERE name = 'summary'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(has, 1, "the column was not added back");
    // A type change: `total` stored as an integer column.
    conn.execute_batch(
        "ALTER TABLE jpm_jobs DROP COLUMN total; ALTER TABLE jpm_jobs ADD COLUMN total INTEGER",
    )
    .unwrap();
    let err = run().await.unwrap_err();
    assert!(matches!(err, Error::Schema(_)), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("jpm_jobs") && text.contains("total") && text.contains("DECIMAL_TEXT"),
        "{text}"
    );
}

#[tokio::test]
async fn a_locked_database_is_a_clear_error_and_the_checkpoint_stays() {
    let server = support::mock(10).await;
    let (_dir, path) = db();
    let dest = Destination::sqlite_with_busy_timeout(&path, std::time::Duration::from_millis(300))
        .unwrap();
    let jobs = servicetitan_sync::catalog::entity("jpm.jobs").unwrap();
    dest.prepare(&[jobs]).await.unwrap();
    // Another process holds the write lock for longer than the busy timeout.
    let holder = Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let report = Sync::new(support::client(&server), dest)
        .only(&["jpm.jobs"])
        .unwrap()
        .run()
        .await
        .unwrap();
    let errors = report.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("lock"), "{errors:?}");
    holder.execute_batch("ROLLBACK").unwrap();
    let rows: i64 = holder
        .query_row("SELECT count(*) FROM jpm_jobs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);
}

#[tokio::test]
async fn a_wrong_destination_is_named_before_any_call() {
    let err = Destination::open("mysql://u:secret@host/db")
        .await
        .err()
        .unwrap();
    let text = err.to_string();
    assert!(
        text.contains("mysql://u:***@host/db") && !text.contains("secret"),
        "{text}"
    );
    let err = Destination::open("postgres://u:secret@127.0.0.1:1/db")
        .await
        .err()
        .unwrap();
    let text = err.to_string();
    assert!(
        text.contains("127.0.0.1:1") && !text.contains("secret"),
        "{text}"
    );
}

#[tokio::test]
async fn server_errors_and_429s_are_retried_and_nothing_is_lost_or_doubled() {
    let config = support::mock_config(40)
        .export_batch(5)
        .error_rate(0.2)
        .throttle_rate(0.1);
    let server = servicetitan_mock::MockServer::start(config).await.unwrap();
    let (_dir, path) = db();
    let report = Sync::new(
        support::client(&server),
        Destination::sqlite(&path).unwrap(),
    )
    .only(&["jpm.jobs", "settings.user_roles", "task_management.tasks"])
    .unwrap()
    .page_size(5)
    .run()
    .await
    .unwrap();
    assert!(report.is_success(), "{:#?}", report.errors());
    let conn = Connection::open(&path).unwrap();
    for table in ["jpm_jobs", "settings_user_roles", "task_management_tasks"] {
        let rows: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 40, "{table}");
    }
    let counters = server.counters();
    assert!(
        counters.server_errors + counters.rate_limited > 0,
        "no fault was injected"
    );
}
