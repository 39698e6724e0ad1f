//! Records the SDK cannot store as rows go to `_st_sync_failures` with their raw JSON and the
//! reason — never dropped, never fatal to the batch — and a rerun from the same checkpoint does
//! not record them twice. The API here is wiremock, answering an export with bad records.

use rusqlite::Connection;
use servicetitan_sync::{Destination, Sync};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn unreadable_records_are_kept_with_their_reason_and_the_batch_commits() {
    let (server, _) = servicetitan_test_support::setup().await;
    let client = servicetitan_test_support::builder(&server).build().unwrap();
    let export = format!(
        "/jpm/v2/tenant/{}/export/jobs",
        servicetitan_test_support::TENANT
    );
    let body = r#"{"hasMore":false,"continueFrom":"t1","data":[
        {"id":1,"total":12.50,"modifiedOn":"2024-01-01T00:00:00Z","brandNew":{"x":1}},
        {"id":null,"total":1},
        [1,2],
        {"id":2,"total":"not money","modifiedOn":"yesterday"}]}"#;
    Mock::given(method("GET"))
        .and(path(export.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    // The rerun resumes from the saved checkpoint: nothing new.
    Mock::given(method("GET"))
        .and(path(export.as_str()))
        .and(query_param("from", "t1"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"hasMore":false,"continueFrom":"t1","data":[]}"#,
            "application/json",
        ))
        .with_priority(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("st.db");
    for run in 0..2 {
        let report = Sync::new(client.clone(), Destination::sqlite(&db).unwrap())
            .only(&["jpm.jobs"])
            .unwrap()
            .run()
            .await
            .unwrap();
        assert!(report.is_success(), "{:?}", report.errors());
        let expected_failures = if run == 0 { 2 } else { 0 };
        assert_eq!(
            report.entities().next().unwrap().failures,
            expected_failures
        );
    }
    let conn = Connection::open(&db).unwrap();
    let failures: Vec<(String, String)> = conn
        .prepare("SELECT raw, reason FROM _st_sync_failures ORDER BY raw")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert_eq!(failures[0].0, "[1,2]");
    assert!(failures[0].1.contains("not a JSON object"), "{failures:?}");
    assert_eq!(failures[1].0, r#"{"id":null,"total":1}"#);
    assert!(failures[1].1.contains("id"), "{failures:?}");
    // Row 2 is stored; what its typed columns cannot hold is NULL there and whole in _raw.
    let (total, modified, raw): (Option<String>, Option<String>, String) = conn
        .query_row(
            "SELECT total, modified_on, _raw FROM jpm_jobs WHERE id = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((total, modified), (None, None));
    assert!(raw.contains("not money") && raw.contains("yesterday"));
    let (total, raw): (String, String) = conn
        .query_row("SELECT total, _raw FROM jpm_jobs WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(total, "12.50", "money keeps the API's digits");
    assert!(raw.contains(r#""brandNew":{"x":1}"#));
    let token: String = conn
        .query_row(
            "SELECT token FROM _st_sync_state WHERE entity = 'jpm.jobs'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(token, "t1");
}
