//! Faults and limits: the per-tenant rate limit and the per-report limit answer 429 with
//! Retry-After; injected 5xx and 429 shares; latency; drift mode; counters and the admin paths.

mod support;

use serde_json::{json, Value};
use servicetitan_mock::{Faults, MockConfig};
use std::time::{Duration, Instant};
use support::Harness;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tenant_rate_limit_answers_429_with_retry_after() {
    let h = Harness::start(MockConfig::default().records(2).rate_limit(Some(10))).await;
    let url = h.api("jpm/v2", "jobs?pageSize=1");
    let mut statuses = Vec::new();
    let mut retry_after = None;
    let start = Instant::now();
    for _ in 0..15 {
        let r = h.request(reqwest::Method::GET, &url).send().await.unwrap();
        if r.status() == 429 {
            retry_after = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            let body: Value = r.json().await.unwrap();
            assert!(
                body["title"].as_str().unwrap().contains("seconds"),
                "{body}"
            );
            statuses.push(429);
        } else {
            statuses.push(r.status().as_u16());
        }
    }
    // A burst of 10 passes; on a slow machine the budget refills by 10 per second meanwhile.
    let refilled = (start.elapsed().as_secs_f64() * 10.0).ceil() as usize;
    let passed = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!((10..=10 + refilled).contains(&passed), "{statuses:?}");
    assert_eq!(passed + refused, 15, "{statuses:?}");
    assert!(refused >= 1);
    assert_eq!(retry_after.as_deref(), Some("1"));
    assert_eq!(h.mock.counters().rate_limited, refused as u64);
    // Another tenant has its own budget.
    let other = Harness::start(
        MockConfig::default()
            .records(2)
            .rate_limit(Some(1))
            .extra_tenants(vec![99]),
    )
    .await;
    let first = other
        .request(reqwest::Method::GET, &other.api("jpm/v2", "jobs"))
        .send()
        .await
        .unwrap();
    let url99 = format!("{}/jpm/v2/tenant/99/jobs", other.mock.url());
    let second = other
        .request(reqwest::Method::GET, &url99)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
}

#[tokio::test]
async fn the_report_limit_is_per_report_per_minute() {
    let h = Harness::start(
        MockConfig::default()
            .records(30)
            .rate_limit(None)
            .report_limit(Some(2)),
    )
    .await;
    let body = json!({"parameters": [{"name": "From", "value": "2024-01-01"}, {"name": "To", "value": "2024-01-31"}]});
    let run = |report: u64| {
        h.request(
            reqwest::Method::POST,
            &h.api(
                "reporting/v2",
                &format!("report-category/operations/reports/{report}/data?pageSize=10"),
            ),
        )
        .json(&body)
        .send()
    };
    assert_eq!(run(175).await.unwrap().status(), 200);
    assert_eq!(run(175).await.unwrap().status(), 200);
    let third = run(175).await.unwrap();
    assert_eq!(third.status(), 429);
    let wait: u64 = third.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(
        run(176).await.unwrap().status(),
        200,
        "another report has its own budget"
    );
}

#[tokio::test]
async fn reports_have_categories_definitions_and_validated_data() {
    let h = Harness::start(
        MockConfig::default()
            .records(30)
            .rate_limit(None)
            .report_limit(None),
    )
    .await;
    let cats = h
        .get_json(&h.api("reporting/v2", "report-categories"))
        .await;
    assert!(cats["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "operations"));
    let reports = h
        .get_json(&h.api("reporting/v2", "report-category/operations/reports"))
        .await;
    assert!(reports["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == 175));
    let def = h
        .get_json(&h.api("reporting/v2", "report-category/operations/reports/175"))
        .await;
    let from = def["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "From")
        .unwrap();
    assert_eq!(
        (from["dataType"].as_str(), from["isRequired"].as_bool()),
        (Some("Date"), Some(true))
    );
    let url = h.api(
        "reporting/v2",
        "report-category/operations/reports/175/data?pageSize=20",
    );
    let post = |b: Value| h.request(reqwest::Method::POST, &url).json(&b).send();
    // The whole span of the seeded rows (From/To narrow them: see tests/reports.rs).
    let page: Value = post(json!({"parameters": [{"name": "From", "value": "2023-01-01"}, {"name": "To", "value": "2025-12-31"}]})).await.unwrap().json().await.unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 20);
    assert_eq!(page["hasMore"], true);
    assert_eq!(
        page["fields"].as_array().unwrap().len(),
        page["data"][0].as_array().unwrap().len()
    );
    let missing = post(json!({"parameters": [{"name": "From", "value": "2024-01-01"}, {"name": "Form", "value": 1}]})).await.unwrap();
    assert_eq!(missing.status(), 400);
    let problem: Value = missing.json().await.unwrap();
    assert!(
        problem["errors"]["To"].is_array() && problem["errors"]["Form"].is_array(),
        "{problem}"
    );
    let bad_type = post(json!({"parameters": [{"name": "From", "value": "soon"}, {"name": "To", "value": "2024-02-01"}]})).await.unwrap();
    assert_eq!(bad_type.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_errors_throttles_and_latency_follow_the_knobs() {
    let h = Harness::start(MockConfig::default().records(2).rate_limit(None)).await;
    h.mock.set_faults(Faults {
        error_rate: 0.3,
        throttle_rate: 0.2,
        rate_limit: None,
        ..Faults::default()
    });
    let url = h.api("jpm/v2", "jobs");
    let mut counts = std::collections::BTreeMap::new();
    for _ in 0..400 {
        let s = h
            .request(reqwest::Method::GET, &url)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        *counts.entry(s).or_insert(0) += 1;
    }
    let errors = counts
        .iter()
        .filter(|(s, _)| **s >= 500)
        .map(|(_, n)| n)
        .sum::<i32>();
    let throttled = counts.get(&429).copied().unwrap_or(0);
    assert!(
        (60..=180).contains(&errors),
        "about 30 % of the 80 % not throttled: {counts:?}"
    );
    assert!((50..=120).contains(&throttled), "about 20 %: {counts:?}");
    let c = h.mock.counters();
    assert_eq!(c.server_errors as i32, errors);
    assert_eq!(c.rate_limited as i32, throttled);

    h.mock.set_faults(Faults {
        latency: Duration::from_millis(150),
        rate_limit: None,
        ..Faults::default()
    });
    let start = Instant::now();
    assert_eq!(
        h.request(reqwest::Method::GET, &url)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert!(start.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn drift_mode_writes_the_api_known_drift() {
    let h = Harness::start(
        MockConfig::default()
            .records(200)
            .rate_limit(None)
            .drift(true),
    )
    .await;
    let page = h.get_json(&h.api("jpm/v2", "jobs?pageSize=200")).await;
    let text = page.to_string();
    assert!(text.contains("\"mockUnknownField\""), "unknown fields");
    let jobs = page["data"].as_array().unwrap();
    let dates: Vec<&str> = jobs
        .iter()
        .filter_map(|j| j["createdOn"].as_str())
        .collect();
    assert!(
        dates.iter().any(|d| !d.ends_with('Z')),
        "dates without offset"
    );
    assert!(
        dates
            .iter()
            .any(|d| d.len() == "2024-01-01T00:00:00.1234567Z".len()),
        "7 fraction digits"
    );
    let required_null = jobs
        .iter()
        .any(|j| j["jobNumber"].is_null() || j["customerId"].is_null() || j["createdOn"].is_null());
    assert!(required_null, "null in required fields");
    let appts = h
        .get_json(&h.api("jpm/v2", "appointments?pageSize=200"))
        .await;
    assert!(
        appts.to_string().contains("MockUnlistedValue"),
        "unlisted enum values"
    );
    let quiet = Harness::start(MockConfig::default().records(20)).await;
    assert!(
        !quiet
            .get_json(&quiet.api("jpm/v2", "jobs?pageSize=20"))
            .await
            .to_string()
            .contains("mock"),
        "drift is opt-in"
    );
}

#[tokio::test]
async fn counters_and_the_request_log_are_served_at_the_admin_path() {
    let h = Harness::start(MockConfig::default().records(2).rate_limit(None)).await;
    h.get_json(&h.api("jpm/v2", "jobs")).await;
    h.get_json(&h.api("crm/v2", "customers")).await;
    let c: Value = support::http()
        .get(format!("{}/_mock/counters", h.mock.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(c["token_requests"], 1);
    assert_eq!(c["api_requests"], 2);
    assert_eq!(c["per_operation"]["Jobs_GetList"], 1);
    assert_eq!(
        c["per_tenant"][h.mock.credentials().tenant_id.to_string()],
        2
    );
    let log: Value = support::http()
        .get(format!("{}/_mock/requests", h.mock.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 3, "token + 2 calls");
    assert_eq!(log[1]["operation"], "Jobs_GetList");
    assert_eq!(log[1]["status"], 200);
    let reset = support::http()
        .post(format!("{}/_mock/reset", h.mock.url()))
        .send()
        .await
        .unwrap();
    assert!(reset.status().is_success());
    assert_eq!(h.mock.counters().api_requests, 0);
}
