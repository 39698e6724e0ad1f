//! Exports: a full export over 10,000 records yields each exactly once; a change made mid-way
//! comes once, in its new version; `from` takes a token or a date; includeRecentChanges may
//! repeat; bad tokens are 400s.

mod support;

use serde_json::{json, Value};
use servicetitan_mock::MockConfig;
use std::collections::HashMap;
use support::Harness;

async fn export_all(
    h: &Harness,
    first_from: Option<&str>,
    mut mid: impl AsyncFnMut(usize),
) -> (Vec<Value>, String) {
    let mut from = first_from.map(String::from);
    let mut records = Vec::new();
    for batch in 0.. {
        let mut url = h.api("jpm/v2", "export/jobs");
        if let Some(f) = &from {
            url.push_str(&format!("?from={f}"));
        }
        let body = h.get_json(&url).await;
        records.extend(body["data"].as_array().unwrap().iter().cloned());
        from = Some(body["continueFrom"].as_str().unwrap().to_string());
        if !body["hasMore"].as_bool().unwrap() {
            break;
        }
        mid(batch).await;
    }
    (records, from.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_export_of_10000_records_yields_each_exactly_once() {
    let h = Harness::start(MockConfig::default().records(10_000).rate_limit(None)).await;
    let (records, token) = export_all(&h, None, async |_| {}).await;
    assert_eq!(records.len(), 10_000);
    let mut ids: Vec<i64> = records.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 10_000, "no record twice");
    assert!(
        records.iter().any(|r| r["active"] == false),
        "exports include inactive records"
    );
    // Caught up: resuming from the last token yields nothing new.
    let again = h
        .get_json(&h.api("jpm/v2", &format!("export/jobs?from={token}")))
        .await;
    assert_eq!(again["data"].as_array().unwrap().len(), 0);
    assert_eq!(again["hasMore"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_during_an_export_arrive_once_in_their_latest_version() {
    let h = Harness::start(MockConfig::default().records(3_000).rate_limit(None)).await;
    let put = |id: i64, summary: &'static str| {
        let url = h.api("jpm/v2", &format!("jobs/{id}"));
        let req = h
            .request(reqwest::Method::PATCH, &url)
            .json(&json!({"summary": summary}));
        async move { assert!(req.send().await.unwrap().status().is_success()) }
    };
    // 10000010 is in the first batch (already exported), 10002500 in a later one.
    let (records, token) = export_all(&h, None, async |batch| {
        if batch == 0 {
            put(10000010, "changed after export").await;
            put(10002500, "changed before export").await;
        }
    })
    .await;
    let mut by_id: HashMap<i64, Vec<&Value>> = HashMap::new();
    for r in &records {
        by_id.entry(r["id"].as_i64().unwrap()).or_default().push(r);
    }
    assert_eq!(by_id.len(), 3_000);
    assert_eq!(by_id[&10002500].len(), 1, "changed before reached: once");
    assert_eq!(by_id[&10002500][0]["summary"], "changed before export");
    assert_eq!(
        by_id[&10000010].len(),
        2,
        "exported, then changed: comes again"
    );
    assert_eq!(by_id[&10000010][1]["summary"], "changed after export");
    // A later change shows up when resuming from the saved token.
    put(10000020, "changed later").await;
    let later = h
        .get_json(&h.api("jpm/v2", &format!("export/jobs?from={token}")))
        .await;
    let later = later["data"].as_array().unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(later[0]["id"], 10000020);
}

#[tokio::test]
async fn from_takes_a_date_and_include_recent_changes_may_repeat() {
    let h = Harness::start(MockConfig::default().records(500).rate_limit(None)).await;
    let (since, _) = export_all(&h, Some("2025-01-01"), async |_| {}).await;
    assert!(
        !since.is_empty() && since.len() < 500,
        "{} records since 2025",
        since.len()
    );
    assert!(since
        .iter()
        .all(|r| r["modifiedOn"].as_str().unwrap() >= "2025-01-01"));

    let patch = h
        .request(reqwest::Method::PATCH, &h.api("jpm/v2", "jobs/10000001"))
        .json(&json!({"summary": "x"}));
    assert!(patch.send().await.unwrap().status().is_success());
    let plain = h.get_json(&h.api("jpm/v2", "export/jobs")).await;
    let recent = h
        .get_json(&h.api("jpm/v2", "export/jobs?includeRecentChanges=true"))
        .await;
    let count = |b: &Value, id: i64| {
        b["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["id"] == id)
            .count()
    };
    assert_eq!(
        count(&plain, 10000001),
        1,
        "once: moved to the end of the change log"
    );
    assert_eq!(
        count(&recent, 10000001),
        2,
        "also at its old place with includeRecentChanges"
    );

    let bad = h
        .request(
            reqwest::Method::GET,
            &h.api("jpm/v2", "export/jobs?from=not-a-token"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert!(body["errors"]["from"][0]
        .as_str()
        .unwrap()
        .contains("not-a-token"));
}
