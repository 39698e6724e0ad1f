//! Shapes as the API sends them: arrays are arrays outside drift mode, entry ids unique, a
//! JSON page where the spec forgot the body, `page=0` where the API pages from 0, counts that
//! match the data sent.

mod support;

use serde_json::Value;
use servicetitan_mock::MockConfig;
use support::Harness;

async fn harness(records: u64) -> Harness {
    Harness::start(MockConfig::default().records(records).rate_limit(None)).await
}

#[tokio::test]
async fn nullable_arrays_are_arrays_unless_drift_mode() {
    for drift in [false, true] {
        let h = Harness::start(
            MockConfig::default()
                .records(150)
                .rate_limit(None)
                .drift(drift),
        )
        .await;
        let invoices = h.walk("accounting/v2", "invoices", "").await;
        let nulls = invoices.iter().filter(|i| i["items"].is_null()).count();
        if drift {
            assert!(nulls > 0, "drift mode keeps the nulls");
        } else {
            assert_eq!(nulls, 0, "arrays are arrays");
        }
    }
}

#[tokio::test]
async fn history_entries_have_unique_ids() {
    // One record: ids drawn from the collection could only repeat.
    let h = harness(1).await;
    let mut longest = 0;
    for job in 10_000_000..10_000_008u64 {
        let history = h
            .get_json(&h.api("jpm/v2", &format!("jobs/{job}/history")))
            .await;
        let mut ids: Vec<i64> = history["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect();
        let n = ids.len();
        longest = longest.max(n);
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "job {job}");
    }
    assert!(longest >= 2, "some history has several entries");
}

#[tokio::test]
async fn attachments_of_a_job_are_a_json_page() {
    let h = harness(20).await;
    let url = h.api("forms/v2", "jobs/10000003/attachments?page=1&pageSize=50");
    let r = h.request(reqwest::Method::GET, &url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let before: Value = r.json().await.unwrap();
    assert!(before["data"].is_array() && before["hasMore"] == false);
    for a in before["data"].as_array().unwrap() {
        assert!(a.is_object());
    }
}

#[tokio::test]
async fn page_zero_is_the_first_page_where_the_api_pages_from_zero() {
    let h = harness(12).await;
    let first = h
        .get_json(&h.api(
            "settings/v2",
            "business-units/intacct?page=0&pageSize=5&includeTotal=false",
        ))
        .await;
    assert_eq!(first["page"], 0);
    assert_eq!(first["data"].as_array().unwrap().len(), 5);
    assert_eq!(first["data"][0]["id"], 10_000_000);
    let second = h
        .get_json(&h.api(
            "settings/v2",
            "business-units/intacct?page=1&pageSize=5&includeTotal=false",
        ))
        .await;
    assert_eq!(second["data"][0]["id"], 10_000_005);
    // Elsewhere pages start at 1.
    let r = h
        .request(reqwest::Method::GET, &h.api("jpm/v2", "jobs?page=0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn a_count_beside_data_counts_the_data() {
    let h = harness(20).await;
    for seed in 1..6 {
        let h2 = Harness::start(MockConfig::default().records(20).seed(seed)).await;
        let body = h2
            .get_json(&h2.api("marketingads/v2", "capacity-warnings"))
            .await;
        assert_eq!(
            body["totalCount"].as_u64().unwrap(),
            body["data"].as_array().unwrap().len() as u64
        );
    }
    drop(h);
}

#[tokio::test]
async fn ids_beyond_any_record_are_404s_not_crashes() {
    let h = harness(5).await;
    for path in [
        "jpm/v2|jobs/18446744073709551615",
        "jpm/v2|jobs/5036295928/notes",
        "payroll/v2|technicians/5036295928/payroll-settings",
    ] {
        let (base, rest) = path.split_once('|').unwrap();
        let r = h
            .request(reqwest::Method::GET, &h.api(base, rest))
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "{path}: {}", r.status());
    }
    let r = h
        .request(
            reqwest::Method::PUT,
            &h.api("payroll/v2", "technicians/5036295928/payroll-settings"),
        )
        .json(&serde_json::json!({"hourlyRate": 10.5}))
        .send()
        .await
        .unwrap();
    assert!(r.status().as_u16() < 500, "{}", r.status());
}
