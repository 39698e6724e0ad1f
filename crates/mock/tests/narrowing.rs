//! Children scoped to their parent, filters derived from the specs narrowing as their names
//! say (full precision), `sort` ordering pages, shapes as the API sends them.

mod support;

use serde_json::Value;
use servicetitan_mock::MockConfig;
use support::Harness;

async fn harness(records: u64) -> Harness {
    Harness::start(MockConfig::default().records(records).rate_limit(None)).await
}

#[tokio::test]
async fn children_belong_to_their_parent_and_some_parents_have_none() {
    let h = harness(40).await;
    let mut counts = Vec::new();
    for parent in 10_000_000..10_000_030u64 {
        let logs = h
            .walk("jpm/v2", &format!("jobs/{parent}/canceled-log"), "")
            .await;
        for log in &logs {
            assert_eq!(log["jobId"], parent, "a canceled log under job {parent}");
        }
        let again = h
            .walk("jpm/v2", &format!("jobs/{parent}/canceled-log"), "")
            .await;
        assert_eq!(logs, again, "deterministic");
        counts.push(logs.len());
        let booked = h
            .get_json(&h.api("jpm/v2", &format!("jobs/{parent}/booked-log")))
            .await;
        assert_eq!(booked["jobId"], parent, "the booked log names its job");
    }
    assert!(counts.iter().all(|&c| c <= 5), "{counts:?}");
    assert!(counts.contains(&0), "some jobs have none: {counts:?}");
    assert!(counts.iter().any(|&c| c >= 3), "{counts:?}");
    // Not 40 per job: a client walking 30 jobs gets their own notes only.
    let notes: usize = {
        let mut n = 0;
        for parent in 10_000_000..10_000_030u64 {
            n += h
                .walk("jpm/v2", &format!("jobs/{parent}/notes"), "")
                .await
                .len();
        }
        n
    };
    assert!(notes <= 30 * 5, "{notes} notes under 30 jobs");
    // A job that does not exist has no children.
    let none = h.walk("jpm/v2", "jobs/10009999/canceled-log", "").await;
    assert!(none.is_empty());
}

#[tokio::test]
async fn status_filters_partition_the_records() {
    let h = harness(150).await;
    let all = h.walk("jpm/v2", "jobs", "").await;
    let mut sum = 0;
    for status in [
        "Scheduled",
        "Dispatched",
        "InProgress",
        "Hold",
        "Completed",
        "Canceled",
    ] {
        let some = h
            .walk("jpm/v2", "jobs", &format!("jobStatus={status}"))
            .await;
        assert!(some.iter().all(|j| j["jobStatus"] == status), "{status}");
        sum += some.len();
    }
    assert_eq!(sum, all.len(), "every job has exactly one status");
    assert!(sum < 150 * 2);
    // Lists of values and ids: any of.
    let two = h
        .walk("crm/v2", "customers", "ids=10000003,10000005&active=Any")
        .await;
    assert_eq!(two.len(), 2);
    let appts = h
        .walk("jpm/v2", "appointments", "status=Done&active=Any")
        .await;
    let every = h.walk("jpm/v2", "appointments", "active=Any").await;
    assert!(!appts.is_empty() && appts.len() < every.len());
    assert!(appts.iter().all(|a| a["status"] == "Done"));
    // Foreign ids narrow.
    let first = &all[0];
    let same = h
        .walk(
            "jpm/v2",
            "jobs",
            &format!("customerId={}", first["customerId"]),
        )
        .await;
    assert!(same.iter().any(|j| j["id"] == first["id"]));
    assert!(same.iter().all(|j| j["customerId"] == first["customerId"]));
    assert!(same.len() < all.len());
}

fn ticks(s: &str) -> i64 {
    servicetitan_mock::dates::parse_ticks(s).unwrap()
}

#[tokio::test]
async fn date_windows_narrow_on_their_field() {
    let h = harness(200).await;
    let all = h.walk("jpm/v2", "jobs", "").await;
    let (from, before) = ("2024-01-01T00:00:00Z", "2024-07-01T00:00:00.5Z");
    let window = h
        .walk(
            "jpm/v2",
            "jobs",
            &format!("completedOnOrAfter={from}&completedBefore={before}"),
        )
        .await;
    let expected: Vec<&Value> = all
        .iter()
        .filter(|j| {
            j["completedOn"]
                .as_str()
                .is_some_and(|c| ticks(c) >= ticks(from) && ticks(c) < ticks(before))
        })
        .collect();
    assert!(!expected.is_empty() && expected.len() < all.len());
    assert_eq!(window.iter().collect::<Vec<_>>(), expected);
    // `soldAfter` on estimates: strictly after.
    let estimates = h.walk("sales/v2", "estimates", "active=Any").await;
    let sold = estimates
        .iter()
        .find_map(|e| e["soldOn"].as_str())
        .unwrap()
        .to_string();
    let after = h
        .walk(
            "sales/v2",
            "estimates",
            &format!("soldAfter={sold}&active=Any"),
        )
        .await;
    assert!(after
        .iter()
        .all(|e| ticks(e["soldOn"].as_str().unwrap()) > ticks(&sold)));
    assert!(!after.iter().any(|e| e["soldOn"] == sold.as_str()));
}

#[tokio::test]
async fn modified_bounds_keep_the_fraction() {
    let h = harness(30).await;
    // A written record carries milliseconds.
    let url = h.api("crm/v2", "customers/10000004");
    let r = h
        .request(reqwest::Method::PATCH, &url)
        .json(&serde_json::json!({"name": "Precise"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let written: Value = r.json().await.unwrap();
    let modified = written["modifiedOn"].as_str().unwrap().to_string();
    let t = ticks(&modified);
    let at = |ticks: i64| {
        let dt =
            chrono::DateTime::from_timestamp(ticks / 10_000_000, (ticks % 10_000_000) as u32 * 100)
                .unwrap();
        dt.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    };
    let ids = |list: Vec<Value>| list.iter().map(|c| c["id"].clone()).collect::<Vec<_>>();
    let q = |s: String| format!("modifiedOnOrAfter={}&active=Any", s.replace('+', "%2B"));
    let same = ids(h.walk("crm/v2", "customers", &q(at(t))).await);
    assert!(
        same.contains(&Value::from(10_000_004)),
        "on the instant: included"
    );
    let later = ids(h.walk("crm/v2", "customers", &q(at(t + 10_000))).await);
    assert!(
        !later.contains(&Value::from(10_000_004)),
        "1 ms later: excluded"
    );
    // Exports too: `from` a date at full precision.
    let export = h
        .get_json(&h.api(
            "crm/v2",
            &format!("export/customers?from={}", at(t + 10_000)),
        ))
        .await;
    assert!(!export["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == 10_000_004));
}

#[tokio::test]
async fn sort_orders_the_pages_and_rejects_undocumented_fields() {
    let h = harness(60).await;
    let desc = h.walk("jpm/v2", "jobs", "sort=-ModifiedOn").await;
    let times: Vec<i64> = desc
        .iter()
        .map(|j| ticks(j["modifiedOn"].as_str().unwrap()))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "descending");
    assert_eq!(desc.len(), 60);
    let ids: Vec<i64> = h
        .walk("jpm/v2", "jobs", "sort=-Id")
        .await
        .iter()
        .map(|j| j["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.first(), Some(&10_000_059));
    assert!(ids.windows(2).all(|w| w[0] > w[1]));
    let by_priority = h.walk("jpm/v2", "jobs", "sort=%2BPriority").await;
    let p: Vec<&str> = by_priority
        .iter()
        .map(|j| j["priority"].as_str().unwrap())
        .collect();
    assert!(p.windows(2).all(|w| w[0] <= w[1]), "{p:?}");
    let r = h
        .request(reqwest::Method::GET, &h.api("jpm/v2", "jobs?sort=-Total"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "Total is not a documented sort field");
}

#[test]
fn the_readme_lists_every_filter_the_mock_cannot_honour() {
    let readme = include_str!("../README.md");
    let listed: Vec<String> = readme
        .lines()
        .skip_while(|l| !l.starts_with("<!-- unhonoured:start -->"))
        .skip(1)
        .take_while(|l| !l.starts_with("<!-- unhonoured:end -->"))
        .filter_map(|l| l.strip_prefix("| "))
        .map(|l| {
            l.split('|')
                .map(|c| c.trim().trim_matches('`'))
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|l| !l.starts_with("module") && !l.starts_with('-'))
        .collect();
    let actual: Vec<String> = servicetitan_mock::serve::filters::unhonoured()
        .into_iter()
        .map(|(m, op, p)| format!("{m} {op} {p}"))
        .collect();
    assert_eq!(
        listed, actual,
        "crates/mock/README.md's table of unhonoured filters is out of date"
    );
}
