//! The sync into a real PostgreSQL server: `SERVICETITAN_TEST_POSTGRES_URL` (started by
//! `.ci/suites/sync.sh`). Each test creates its own database, so they run in parallel.
//! Ignored in the plain test step; they fail (not skip) without the variable.

mod support;

use servicetitan_sync::{Destination, Sync};
use support::{database, scenarios};

#[tokio::test]
#[ignore = "needs PostgreSQL: SERVICETITAN_TEST_POSTGRES_URL"]
async fn postgres_every_entity_of_every_module_syncs_and_a_rerun_writes_nothing() {
    let url = database("all").await;
    scenarios::every_entity_then_nothing_new(|| async {
        Destination::postgres(&url).await.unwrap()
    })
    .await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: SERVICETITAN_TEST_POSTGRES_URL"]
async fn postgres_three_tenants_at_once_and_a_refused_one_does_not_stop_the_others() {
    let url = database("tenants").await;
    scenarios::three_tenants_and_one_refused(|| async {
        Destination::postgres(&url).await.unwrap()
    })
    .await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: SERVICETITAN_TEST_POSTGRES_URL"]
async fn postgres_keeps_raw_exactly_and_money_as_numeric() {
    let server = scenarios::drift_server().await;
    let url = database("drift").await;
    scenarios::jobs_and_invoices(&server, Destination::postgres(&url).await.unwrap()).await;
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let unknown: i64 = client
        .query_one(
            "SELECT count(*) FROM jpm_jobs WHERE _raw::jsonb ? 'mockUnknownField'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(unknown > 0);
    let rows = client
        .query(
            "SELECT total::text, _raw::text FROM accounting_invoices WHERE total IS NOT NULL",
            &[],
        )
        .await
        .unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        let (total, raw): (String, String) = (r.get(0), r.get(1));
        scenarios::assert_money_as_received(&total, &raw);
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL: SERVICETITAN_TEST_POSTGRES_URL"]
async fn postgres_a_constraint_error_rolls_the_batch_back_and_the_checkpoint_stays() {
    let server = servicetitan_mock::MockServer::start(support::mock_config(50).export_batch(10))
        .await
        .unwrap();
    let url = database("constraint").await;
    let jobs = servicetitan_sync::catalog::entity("jpm.jobs").unwrap();
    Destination::postgres(&url)
        .await
        .unwrap()
        .prepare(&[jobs])
        .await
        .unwrap();
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    // The third batch (ids from 10000020) breaks a rule of the database.
    client
        .batch_execute("ALTER TABLE jpm_jobs ADD CONSTRAINT small_ids CHECK (id < 10000020)")
        .await
        .unwrap();
    let run = || async {
        Sync::new(
            support::client(&server),
            Destination::postgres(&url).await.unwrap(),
        )
        .only(&["jpm.jobs"])
        .unwrap()
        .run()
        .await
        .unwrap()
    };
    let report = run().await;
    let errors = report.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("small_ids") && errors[0].contains("rolled back"),
        "{errors:?}"
    );
    let count = |sql: &'static str| {
        let client = &client;
        async move { client.query_one(sql, &[]).await.unwrap().get::<_, i64>(0) }
    };
    assert_eq!(count("SELECT count(*) FROM jpm_jobs").await, 20);
    assert_eq!(count("SELECT batches FROM _st_sync_state").await, 2);
    client
        .batch_execute("ALTER TABLE jpm_jobs DROP CONSTRAINT small_ids")
        .await
        .unwrap();
    let report = run().await;
    assert!(report.is_success(), "{:?}", report.errors());
    assert_eq!(
        report.records(),
        30,
        "the rerun resumed after the last committed batch"
    );
    assert_eq!(count("SELECT count(*) FROM jpm_jobs").await, 50);
}
