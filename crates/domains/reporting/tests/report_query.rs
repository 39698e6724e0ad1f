//! The asynchronous query flow against a loopback wiremock server: data inline (200) or after
//! polls (202 → 200) in either key casing, the query cancelled (`DELETE`) when the stream is
//! dropped or the deadline passes, the fallback to `/data` when the flow answers 404, ignored
//! paging delivering every row once, and the per-report lane counting runs but not polls.

mod support;

use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};
use servicetitan_reporting::report::{wait_for_cancellations, ReportRun};
use servicetitan_reporting::Api;
use support::*;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const QUERY: &str = "/reporting/v2/tenant/1/report-category/operations/reports/175/data/query";
const POLL: &str = "/reporting/v2/tenant/1/data-queries/tok-1";

fn pascal(rows: Value, has_more: bool) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "Page": 1, "PageSize": 1000, "HasMore": has_more, "TotalCount": 3,
        "Fields": [{"Name": "BusinessUnitName", "Label": "Business Unit"},
                   {"Name": "TotalRevenue", "Label": "Total Revenue"},
                   {"Name": "JobDate", "Label": "Date"}],
        "Data": rows, "TimeZone": "Pacific Standard Time"
    }))
}

fn three_rows() -> Value {
    json!([
        ["HVAC", 100.5, "2024-01-02"],
        ["Plumbing", 200, "2024-01-03"],
        ["Solar", 50, "2024-01-06"]
    ])
}

fn pending(status: &str) -> ResponseTemplate {
    ResponseTemplate::new(202).set_body_json(json!({"Status": status, "Token": "tok-1"}))
}

async fn requests(server: &MockServer, verb: &str, p: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == verb && r.url.path() == p)
        .count()
}

async fn api(server: &MockServer) -> Api {
    mount_definition(server).await;
    Api::new(&builder(server).build().unwrap())
}

fn fast(run: ReportRun) -> ReportRun {
    run.poll_interval(Duration::from_millis(5), Duration::from_millis(20))
}

fn names(rows: &[servicetitan_reporting::report::Row]) -> Vec<&str> {
    rows.iter()
        .map(|r| r["BusinessUnitName"].as_str().unwrap())
        .collect()
}

/// Runs report 175 with `options` applied (fast polls), checks what the server was told to
/// expect, and returns the business unit names of the rows.
async fn run_names(
    server: &MockServer,
    options: impl FnOnce(ReportRun) -> ReportRun,
) -> Vec<String> {
    let api = api(server).await;
    let rows = options(fast(api.run_report("operations", 175, valid_params())))
        .collect_all()
        .await
        .unwrap();
    server.verify().await;
    names(&rows).into_iter().map(str::to_owned).collect()
}

#[tokio::test]
async fn data_inline_in_pascal_case_is_read_with_no_poll() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(QUERY))
        .respond_with(pascal(three_rows(), false))
        .expect(1)
        .mount(&server)
        .await;
    let api = api(&server).await;
    let rows = fast(api.run_report("operations", 175, valid_params()))
        .collect_all()
        .await
        .unwrap();
    assert_eq!(names(&rows), ["HVAC", "Plumbing", "Solar"]);
    assert_eq!(rows[0]["TotalRevenue"], json!(100.5));
    assert_eq!(requests(&server, "GET", POLL).await, 0);
    assert_eq!(requests(&server, "POST", DATA).await, 0);
    server.verify().await;
}

#[tokio::test]
async fn a_202_is_polled_until_the_data_comes_in_camel_case() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(QUERY))
        .respond_with(pending("NotStarted"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(POLL))
        .respond_with(pending("InProgress"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(POLL))
        .respond_with(page(1, false, true, three_rows()))
        .expect(1)
        .mount(&server)
        .await;
    let api = api(&server).await;
    let pages: Vec<_> = fast(api.run_report("operations", 175, valid_params()))
        .pages()
        .collect()
        .await;
    let page = pages.into_iter().next().unwrap().unwrap();
    assert_eq!(page.rows.len(), 3);
    assert_eq!(page.fields, ["BusinessUnitName", "TotalRevenue", "JobDate"]);
    assert_eq!(
        requests(&server, "DELETE", POLL).await,
        0,
        "a finished query is not cancelled"
    );
    server.verify().await;
}

#[test]
fn both_casings_and_the_time_zone_are_read_into_the_generated_type() {
    use servicetitan_reporting::types::ReportDataQueryResponse;
    let live: ReportDataQueryResponse = serde_json::from_value(json!({
        "Page": 2, "PageSize": 10, "HasMore": true, "TotalCount": 7,
        "Fields": [{"Name": "A", "Label": "a"}], "Data": [[1]], "TimeZone": "Eastern Standard Time"
    }))
    .unwrap();
    let spec: ReportDataQueryResponse = serde_json::from_value(json!({
        "page": 2, "pageSize": 10, "hasMore": true, "totalCount": 7,
        "fields": [{"name": "A", "label": "a"}], "data": [[1]], "timeZone": "Eastern Standard Time"
    }))
    .unwrap();
    assert_eq!(live, spec);
    assert_eq!(live.time_zone.as_deref(), Some("Eastern Standard Time"));
    assert_eq!(live.fields.unwrap()[0].name.as_deref(), Some("A"));
    let waiting: ReportDataQueryResponse =
        serde_json::from_value(json!({"Status": "InProgress", "Token": "abc"})).unwrap();
    assert_eq!(waiting.token.as_deref(), Some("abc"));
    assert_eq!(waiting.status.as_deref(), Some("InProgress"));
}

async fn always_pending(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(QUERY))
        .respond_with(pending("NotStarted"))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(POLL))
        .respond_with(pending("InProgress"))
        .mount(server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(POLL))
        .respond_with(ResponseTemplate::new(204))
        .mount(server)
        .await;
}

#[tokio::test]
async fn dropping_the_stream_cancels_the_query() {
    let server = server().await;
    always_pending(&server).await;
    let api = api(&server).await;
    let mut rows = fast(api.run_report("operations", 175, valid_params())).stream();
    let waited = tokio::time::timeout(Duration::from_millis(200), rows.next()).await;
    assert!(waited.is_err(), "still polling");
    assert!(requests(&server, "GET", POLL).await >= 1);
    drop(rows);
    assert!(wait_for_cancellations(Duration::from_secs(5)).await);
    assert_eq!(requests(&server, "DELETE", POLL).await, 1);
}

#[tokio::test]
async fn the_deadline_cancels_the_query_and_fails_the_run() {
    let server = server().await;
    always_pending(&server).await;
    let api = api(&server).await;
    let err = fast(api.run_report("operations", 175, valid_params()))
        .deadline(Duration::from_millis(150))
        .collect_all()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("did not finish within 0.15 s") && err.contains("cancelled"),
        "{err}"
    );
    assert_eq!(requests(&server, "DELETE", POLL).await, 1);
}

#[tokio::test]
async fn the_fallback_is_tried_once_per_api() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(DATA))
        .respond_with(page(1, false, true, three_rows()))
        .expect(2)
        .mount(&server)
        .await;
    let api = api(&server).await;
    for _ in 0..2 {
        let rows = fast(api.run_report("operations", 175, valid_params()))
            .collect_all()
            .await
            .unwrap();
        assert_eq!(names(&rows), ["HVAC", "Plumbing", "Solar"]);
    }
    assert_eq!(
        requests(&server, "POST", QUERY).await,
        1,
        "404 once, then /data directly"
    );
    server.verify().await;
}

#[tokio::test]
async fn ignored_paging_with_a_lying_has_more_delivers_each_row_once() {
    let server = server().await;
    // Every page is the whole result and says there is more.
    Mock::given(method("POST"))
        .and(path(QUERY))
        .respond_with(pascal(three_rows(), true))
        .expect(2)
        .mount(&server)
        .await;
    assert_eq!(
        run_names(&server, |r| r).await,
        ["HVAC", "Plumbing", "Solar"]
    );
}

#[tokio::test]
async fn more_rows_than_asked_is_the_whole_result() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(QUERY))
        .and(query_param("pageSize", "2"))
        .respond_with(pascal(three_rows(), true))
        .expect(1)
        .mount(&server)
        .await;
    let names = run_names(&server, |r| r.page_size(2)).await;
    assert_eq!(names, ["HVAC", "Plumbing", "Solar"]);
}

#[tokio::test]
async fn honoured_paging_without_has_more_lies_reads_every_page() {
    let server = server().await;
    for (n, rows, more) in [
        (
            1,
            json!([["HVAC", 1, "2024-01-02"], ["Plumbing", 2, "2024-01-03"]]),
            true,
        ),
        (2, json!([["Solar", 3, "2024-01-06"]]), false),
    ] {
        Mock::given(method("POST"))
            .and(path(QUERY))
            .and(query_param("page", n.to_string()))
            .respond_with(pascal(rows, more))
            .expect(1)
            .mount(&server)
            .await;
    }
    let names = run_names(&server, |r| r.page_size(2)).await;
    assert_eq!(names, ["HVAC", "Plumbing", "Solar"]);
}

#[tokio::test]
async fn page_size_is_capped_at_the_spec_maximum() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path(QUERY))
        .and(query_param("pageSize", "25000"))
        .respond_with(pascal(three_rows(), false))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(run_names(&server, |r| r.page_size(100_000)).await.len(), 3);
}

#[tokio::test]
async fn a_parameter_error_is_caught_before_any_query() {
    let server = server().await;
    let api = api(&server).await;
    let err = api
        .run_report(
            "operations",
            175,
            servicetitan_reporting::report::ReportParams::new(),
        )
        .collect_all()
        .await
        .unwrap_err();
    assert!(
        matches!(err, servicetitan_core::Error::ReportParameters(_)),
        "{err}"
    );
    assert_eq!(requests(&server, "POST", QUERY).await, 0);
    assert_eq!(requests(&server, "POST", DATA).await, 0);
}

#[tokio::test(start_paused = true)]
async fn runs_take_the_report_lane_and_polls_do_not() {
    let server = server().await;
    mount_definition(&server).await;
    Mock::given(method("POST"))
        .and(path(QUERY))
        .respond_with(pending("NotStarted"))
        .mount(&server)
        .await;
    // Each of the two queries is polled 4 times before its data comes (wiremock answers with
    // the first mounted mock that still has uses left).
    for (answer, uses) in [0, 1]
        .map(|_| [(pending("InProgress"), 4), (pascal(three_rows(), false), 1)])
        .into_iter()
        .flatten()
    {
        Mock::given(method("GET"))
            .and(path(POLL))
            .respond_with(answer)
            .up_to_n_times(uses)
            .mount(&server)
            .await;
    }
    let client = builder(&server).report_rate_limit(Some(5)).build().unwrap();
    client.access_token().await.unwrap();
    let api = Api::new(&client);
    let start = tokio::time::Instant::now();
    for _ in 0..2 {
        let rows = api
            .run_report("operations", 175, valid_params())
            .poll_interval(Duration::from_secs(1), Duration::from_secs(1))
            .collect_all()
            .await
            .unwrap();
        assert_eq!(rows.len(), 3);
    }
    // Run 1: POST at 0 s, 5 polls 1 s apart (the lane would hold each for 12 s). Run 2: its
    // POST waits for the lane until 12 s, then 5 polls: done at 17 s.
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_secs(17) && elapsed < Duration::from_secs(18),
        "{elapsed:?}"
    );
    assert_eq!(requests(&server, "GET", POLL).await, 10);
}
