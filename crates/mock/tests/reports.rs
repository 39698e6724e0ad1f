//! Report data as the live API serves it: the query flow (202 → polls → 200, or 200 inline),
//! PascalCase keys, paging ignored unless told, `HasMore` on the first page when told, `DELETE`
//! counted, too many running queries → 429, the synchronous `/data` or the flow switched off
//! (404), and the spec's `pageSize` (default 1000, up to 25,000) with `From`/`To` narrowing rows.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use servicetitan_mock::{HasMore, MockConfig, ReportFlow};
use support::Harness;

const REPORT: &str = "report-category/operations/reports/175";

fn params(from: &str, to: &str) -> Value {
    json!({"parameters": [{"name": "From", "value": from}, {"name": "To", "value": to}]})
}

async fn mock(records: u64, reports: ReportFlow) -> Harness {
    Harness::start(
        MockConfig::default()
            .records(records)
            .report_limit(None)
            .reports(reports),
    )
    .await
}

async fn post(h: &Harness, rest: &str, body: &Value) -> (u16, Value) {
    h.send_json(Method::POST, &h.api("reporting/v2", rest), Some(body))
        .await
}

async fn call(h: &Harness, method: Method, token: &str) -> (u16, Value) {
    let url = h.api("reporting/v2", &format!("data-queries/{token}"));
    h.send_json(method, &url, None).await
}

#[tokio::test]
async fn a_query_answers_202_then_the_polls_then_every_row_in_pascal_case() {
    let h = mock(
        30,
        ReportFlow {
            polls: 2,
            ..ReportFlow::default()
        },
    )
    .await;
    let (status, body) = post(
        &h,
        &format!("{REPORT}/data/query?page=1&pageSize=10"),
        &params("2020-01-01", "2030-01-01"),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["Status"], "NotStarted");
    let token = body["Token"].as_str().unwrap().to_owned();
    let (status, body) = call(&h, Method::GET, &token).await;
    assert_eq!((status, body["Status"].as_str()), (202, Some("InProgress")));
    let (status, body) = call(&h, Method::GET, &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["Data"].as_array().unwrap().len(),
        30,
        "pageSize ignored"
    );
    assert_eq!(body["HasMore"], false);
    assert_eq!(body["Fields"][0], json!({"Name": "Name", "Label": "Name"}));
    assert!(body["TimeZone"].is_string());
    assert_eq!(
        call(&h, Method::GET, &token).await.0,
        404,
        "delivered and gone"
    );
}

#[tokio::test]
async fn knobs_answer_inline_honour_paging_lie_about_has_more_and_use_camel_case() {
    let knobs = ReportFlow {
        polls: 0,
        honour_paging: true,
        camel_case: true,
        ..ReportFlow::default()
    };
    let h = mock(30, knobs).await;
    let body = params("2020-01-01", "2030-01-01");
    let (status, page) = post(
        &h,
        &format!("{REPORT}/data/query?page=3&pageSize=10"),
        &body,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(page["data"].as_array().unwrap().len(), 10);
    assert_eq!(page["hasMore"], false);
    let (_, page) = post(
        &h,
        &format!("{REPORT}/data/query?page=1&pageSize=10"),
        &body,
    )
    .await;
    assert_eq!(page["hasMore"], true);

    let h = mock(
        5,
        ReportFlow {
            polls: 0,
            has_more: HasMore::First,
            ..ReportFlow::default()
        },
    )
    .await;
    let (_, first) = post(&h, &format!("{REPORT}/data/query?page=1"), &body).await;
    let (_, second) = post(&h, &format!("{REPORT}/data/query?page=2"), &body).await;
    assert_eq!(
        (first["HasMore"].as_bool(), second["HasMore"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(
        first["Data"], second["Data"],
        "the same rows again, as live"
    );
}

#[tokio::test]
async fn cancelling_is_counted_and_frees_the_tenants_query_slots() {
    let h = mock(
        5,
        ReportFlow {
            polls: 100,
            max_running: 2,
            ..ReportFlow::default()
        },
    )
    .await;
    let body = params("2020-01-01", "2030-01-01");
    let mut tokens = Vec::new();
    for _ in 0..2 {
        let (status, answer) = post(&h, &format!("{REPORT}/data/query"), &body).await;
        assert_eq!(status, 202);
        tokens.push(answer["Token"].as_str().unwrap().to_owned());
    }
    let (status, _) = post(&h, &format!("{REPORT}/data/query"), &body).await;
    assert_eq!(status, 429, "a third running query");
    assert_eq!(call(&h, Method::DELETE, &tokens[0]).await.0, 204);
    assert_eq!(
        call(&h, Method::DELETE, "unknown").await.0,
        204,
        "always 204"
    );
    assert_eq!(
        post(&h, &format!("{REPORT}/data/query"), &body).await.0,
        202
    );
    let counters = h.mock.counters();
    assert_eq!(counters.per_operation.get("DataQueries_Delete"), Some(&2));
}

#[tokio::test]
async fn the_flow_or_the_synchronous_data_can_be_switched_off() {
    let body = params("2020-01-01", "2030-01-01");
    let h = mock(
        5,
        ReportFlow {
            no_sync: true,
            ..ReportFlow::default()
        },
    )
    .await;
    assert_eq!(post(&h, &format!("{REPORT}/data"), &body).await.0, 404);
    assert_eq!(
        post(&h, &format!("{REPORT}/data/query"), &body).await.0,
        202
    );
    let h = mock(
        5,
        ReportFlow {
            no_query: true,
            ..ReportFlow::default()
        },
    )
    .await;
    assert_eq!(
        post(&h, &format!("{REPORT}/data/query"), &body).await.0,
        404
    );
    assert_eq!(call(&h, Method::GET, "x").await.0, 404);
    assert_eq!(post(&h, &format!("{REPORT}/data"), &body).await.0, 200);
}

#[tokio::test]
async fn report_data_pages_by_the_spec_and_from_to_narrow_the_rows() {
    let h = mock(3000, ReportFlow::default()).await;
    let all = params("2020-01-01", "2030-01-01");
    let (status, page) = post(&h, &format!("{REPORT}/data"), &all).await;
    assert_eq!(status, 200);
    assert_eq!(page["pageSize"], 1000, "the spec's default");
    assert_eq!(page["data"].as_array().unwrap().len(), 1000);
    let (status, page) = post(&h, &format!("{REPORT}/data?pageSize=25000"), &all).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["data"].as_array().unwrap().len(), 3000);
    assert_eq!(
        post(&h, &format!("{REPORT}/data?pageSize=25001"), &all)
            .await
            .0,
        400
    );

    let (_, narrow) = post(
        &h,
        &format!("{REPORT}/data?pageSize=25000"),
        &params("2024-01-01", "2024-01-31"),
    )
    .await;
    let rows = narrow["data"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.len() < 3000, "{}", rows.len());
    for row in rows {
        let date = row[4].as_str().unwrap();
        assert!(("2024-01-01"..="2024-01-31").contains(&date), "{date}");
    }
}
