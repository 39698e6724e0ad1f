//! Paged lists: page/pageSize/hasMore/includeTotal, pageSize bounds, filters, inactive records
//! hidden by default, GET by id returning what the list returned, determinism per seed.

mod support;

use serde_json::Value;
use servicetitan_mock::MockConfig;
use support::Harness;

async fn harness(records: u64) -> Harness {
    Harness::start(MockConfig::default().records(records).rate_limit(None)).await
}

fn ids(page: &Value) -> Vec<i64> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn pages_cover_the_active_records_once_and_report_totals() {
    let h = harness(120).await;
    let mut seen = Vec::new();
    for page in 1.. {
        let url = h.api(
            "jpm/v2",
            &format!("jobs?page={page}&pageSize=25&includeTotal=true&active=Any"),
        );
        let body = h.get_json(&url).await;
        assert_eq!(body["page"], page);
        assert_eq!(body["pageSize"], 25);
        assert_eq!(body["totalCount"], 120);
        seen.extend(ids(&body));
        if !body["hasMore"].as_bool().unwrap() {
            break;
        }
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(seen.len(), 120);
    assert_eq!(unique.len(), 120);
    let without_total = h.get_json(&h.api("jpm/v2", "jobs?pageSize=5")).await;
    assert!(
        without_total["totalCount"].is_null(),
        "totalCount only with includeTotal"
    );
}

#[tokio::test]
async fn inactive_records_are_hidden_unless_asked_for() {
    let h = harness(200).await;
    // crm customers has the `active` filter (jpm jobs has none, and lists everything).
    let all = h
        .get_json(&h.api("crm/v2", "customers?pageSize=500&active=Any"))
        .await;
    let active = h.get_json(&h.api("crm/v2", "customers?pageSize=500")).await;
    let inactive = h
        .get_json(&h.api("crm/v2", "customers?pageSize=500&active=False"))
        .await;
    let (a, i, n) = (ids(&active).len(), ids(&inactive).len(), ids(&all).len());
    assert!(
        i > 0 && a > 0,
        "the dataset has both (active {a}, inactive {i})"
    );
    assert_eq!(a + i, n);
    assert!(active["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|j| j["active"] != false));
    let bad = h
        .request(
            reqwest::Method::GET,
            &h.api("crm/v2", "customers?active=Maybe"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn page_size_above_5000_is_a_400_problem() {
    let h = harness(10).await;
    let r = h
        .request(reqwest::Method::GET, &h.api("jpm/v2", "jobs?pageSize=5001"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], 400);
    assert!(body["traceId"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(
        body["errors"]["pageSize"][0]
            .as_str()
            .unwrap()
            .contains("5000"),
        "{body}"
    );
    let ok = h
        .request(reqwest::Method::GET, &h.api("jpm/v2", "jobs?pageSize=5000"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn ids_and_date_filters_select_records() {
    let h = harness(300).await;
    let page = h
        .get_json(&h.api("jpm/v2", "jobs?ids=10000005,10000007,10000009&active=Any"))
        .await;
    assert_eq!(ids(&page), vec![10000005, 10000007, 10000009]);
    let all = h
        .get_json(&h.api("jpm/v2", "jobs?pageSize=500&active=Any"))
        .await;
    let created: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["createdOn"].as_str().unwrap())
        .collect();
    let pivot = created[150];
    let after = h
        .get_json(&h.api(
            "jpm/v2",
            &format!("jobs?pageSize=500&active=Any&createdOnOrAfter={pivot}"),
        ))
        .await;
    let before = h
        .get_json(&h.api(
            "jpm/v2",
            &format!("jobs?pageSize=500&active=Any&createdBefore={pivot}"),
        ))
        .await;
    assert_eq!(ids(&after).len() + ids(&before).len(), 300);
    assert!(after["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|j| j["createdOn"].as_str().unwrap() >= pivot));
    let modified = h
        .get_json(&h.api(
            "jpm/v2",
            "jobs?pageSize=500&active=Any&modifiedOnOrAfter=2024-06-01&modifiedBefore=2024-07-01",
        ))
        .await;
    for j in modified["data"].as_array().unwrap() {
        let m = j["modifiedOn"].as_str().unwrap();
        assert!(("2024-06-01".."2024-07-01").contains(&m), "{m}");
    }
    assert!(!ids(&modified).is_empty());
}

#[tokio::test]
async fn get_by_id_returns_the_record_the_list_returned() {
    let h = harness(50).await;
    let list = h
        .get_json(&h.api("jpm/v2", "jobs?pageSize=50&active=Any"))
        .await;
    for job in list["data"].as_array().unwrap().iter().take(10) {
        let id = job["id"].as_i64().unwrap();
        let one = h.get_json(&h.api("jpm/v2", &format!("jobs/{id}"))).await;
        assert_eq!(&one, job, "job {id}");
    }
    let missing = h
        .request(reqwest::Method::GET, &h.api("jpm/v2", "jobs/10000050"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn data_is_deterministic_per_seed_and_looks_real() {
    let a = harness(5).await;
    let b = harness(5).await;
    let other = Harness::start(MockConfig::default().records(5).seed(2)).await;
    let url = |h: &Harness| h.api("crm/v2", "customers?pageSize=5&active=Any");
    let (pa, pb, po) = (
        a.get_json(&url(&a)).await,
        b.get_json(&url(&b)).await,
        other.get_json(&url(&other)).await,
    );
    assert_eq!(pa, pb);
    assert_ne!(pa["data"], po["data"]);
    let customer = &pa["data"][0];
    assert!(customer["name"]
        .as_str()
        .unwrap()
        .chars()
        .next()
        .unwrap()
        .is_uppercase());
    let zip = customer["address"]["zip"].as_str().unwrap();
    assert_eq!(zip.len(), 5, "{zip}");
    let job = &a.get_json(&a.api("jpm/v2", "jobs?pageSize=1")).await["data"][0];
    let total = job["total"].to_string();
    assert!(
        total.split('.').nth(1).is_none_or(|d| d.len() <= 2),
        "money has two decimals: {total}"
    );
    assert!(job["createdOn"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn telecom_v2_v3_and_salestech_paths_are_served() {
    let h = harness(3).await;
    let url = |p: &str| format!("{}/{p}", h.mock.url());
    let t = h.mock.credentials().tenant_id;
    for path in [
        format!("telecom/v3/tenant/{t}/calls"),
        format!("telecom/v2/tenant/{t}/calls/10000001"),
        format!("sales/v2/tenant/{t}/estimates"),
    ] {
        let r = h
            .request(reqwest::Method::GET, &url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    let r = h
        .request(
            reqwest::Method::GET,
            &url(&format!("salestech/v2/tenant/{t}/estimates")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "salestech is served under sales/v2 only");
}
