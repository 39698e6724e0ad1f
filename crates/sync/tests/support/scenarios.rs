//! Scenarios run on both databases: `open` gives a fresh destination each call (same database).

use super::{client, mock, mock_config};
use servicetitan_mock::MockServer;
use servicetitan_sync::{entities, Destination, Sync};
use std::future::Future;

/// Every entity syncs; a rerun writes nothing; the table's row count matches the records.
pub async fn every_entity_then_nothing_new<F, Fut>(open: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Destination>,
{
    let server = mock(12).await;
    let report = Sync::new(client(&server), open().await)
        .run()
        .await
        .unwrap();
    assert!(report.is_success(), "{:#?}", report.errors());
    assert_eq!(report.entities().count(), entities().len());
    let dest = open().await;
    for e in entities() {
        let counts = dest.counts(e).await.unwrap();
        assert!(
            counts.iter().any(|(_, n, _)| *n > 0),
            "{} has no rows",
            e.name
        );
    }
    let again = Sync::new(client(&server), open().await)
        .run()
        .await
        .unwrap();
    assert!(again.is_success(), "{:#?}", again.errors());
    assert_eq!(
        again.written(),
        0,
        "a rerun with nothing new wrote rows:\n{again}"
    );
}

/// Three tenants at once, and a fourth refused: the other two finish, the refusal is reported.
pub async fn three_tenants_and_one_refused<F, Fut>(open: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Destination>,
{
    let server = MockServer::start(mock_config(30).extra_tenants(vec![1, 2, 3]))
        .await
        .unwrap();
    let base = client(&server);
    let bad = super::client_with(&server, "cs1.wrong").tenant(7);
    let report = Sync::new(base.tenant(1), open().await)
        .tenant(base.tenant(2))
        .tenant(base.tenant(3))
        .tenant(bad)
        .only(&["jpm.jobs", "settings.business_units"])
        .unwrap()
        .run()
        .await
        .unwrap();
    let errors = report.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].starts_with("tenant 7"), "{errors:?}");
    let dest = open().await;
    let jobs = servicetitan_sync::catalog::entity("jpm.jobs").unwrap();
    let mut counts = dest.counts(jobs).await.unwrap();
    counts.sort();
    assert_eq!(counts, vec![(1, 30, 0), (2, 30, 0), (3, 30, 0)]);
}

/// Drift: fields the spec does not know land in `_raw` (checked by the caller with `raw_of`).
pub async fn drift_server() -> MockServer {
    MockServer::start(mock_config(20).drift(true))
        .await
        .unwrap()
}

/// Syncs jobs and invoices (the drift test's entities) into `dest`; every unit succeeds.
pub async fn jobs_and_invoices(server: &MockServer, dest: Destination) {
    let report = Sync::new(client(server), dest)
        .only(&["jpm.jobs", "accounting.invoices"])
        .unwrap()
        .run()
        .await
        .unwrap();
    assert!(report.is_success(), "{:#?}", report.errors());
}

/// The typed money column holds the raw record's value, digit for digit (number or string).
pub fn assert_money_as_received(total: &str, raw: &str) {
    assert!(
        raw.contains(&format!("\"total\":{total}"))
            || raw.contains(&format!("\"total\":\"{total}\"")),
        "{total} vs {raw}"
    );
}
