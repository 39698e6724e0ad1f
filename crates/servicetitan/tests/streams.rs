//! Paged lists and exports of the jpm module against a local (loopback) wiremock server:
//! laziness, filters on every page, the empty-page guard, resuming exports from a checkpoint,
//! dedupe of `includeRecentChanges` repeats, tolerant models, and the `export_jobs` example's flow.
#![cfg(feature = "jpm")]

#[path = "../examples/support/jsonl_export.rs"]
mod jsonl_export;

use futures::{StreamExt, TryStreamExt};
use serde_json::{json, Value};
use servicetitan::export::dedupe_by;
use servicetitan::jpm::types::{AppointmentStatus, JobStatus};
use servicetitan::lenient::parse_datetime;
use servicetitan::prelude::*;
use servicetitan_test_support::{mount_token, query, requests_to, setup, TOKEN};
use std::path::{Path, PathBuf};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const JOBS: &str = "/jpm/v2/tenant/42/jobs";
const APPOINTMENTS: &str = "/jpm/v2/tenant/42/appointments";
const EXPORT_JOBS: &str = "/jpm/v2/tenant/42/export/jobs";

fn jobs(ids: &[i64]) -> Vec<Value> {
    ids.iter().map(|id| json!({"id": id})).collect()
}

fn page(n: i32, ids: &[i64], has_more: bool) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "page": n, "pageSize": 2, "hasMore": has_more, "data": jobs(ids)
    }))
}

fn batch(records: Vec<Value>, continue_from: &str, has_more: bool) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "continueFrom": continue_from, "hasMore": has_more, "data": records
    }))
}

fn froms(requests: &[Request]) -> Vec<Option<String>> {
    requests.iter().map(|r| query(r, "from")).collect()
}

#[tokio::test]
async fn list_streams_every_page_with_filters_and_stops_on_has_more_false() {
    let (server, client) = setup().await;
    for (n, ids, more) in [
        (1, &[1, 2][..], true),
        (2, &[3, 4][..], true),
        (3, &[5][..], false),
    ] {
        Mock::given(method("GET"))
            .and(path(JOBS))
            .and(query_param("page", n.to_string()))
            .respond_with(page(n, ids, more))
            .expect(1)
            .mount(&server)
            .await;
    }
    let since = parse_datetime("2024-01-01T05:00:00Z").unwrap();
    let jpm = client.jpm();
    let got: Vec<i64> = jpm
        .jobs_get_list()
        .job_status(JobStatus::Completed)
        .modified_on_or_after(since)
        .page_size(2)
        .stream()
        .map_ok(|job| job.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got, vec![1, 2, 3, 4, 5]);

    let requests = requests_to(&server, JOBS).await;
    assert_eq!(requests.len(), 3, "no page after hasMore: false");
    for (i, request) in requests.iter().enumerate() {
        assert_eq!(query(request, "page"), Some((i + 1).to_string()));
        assert_eq!(query(request, "pageSize").as_deref(), Some("2"));
        assert_eq!(query(request, "jobStatus").as_deref(), Some("Completed"));
        let after = query(request, "modifiedOnOrAfter").expect("filter on every page");
        assert_eq!(parse_datetime(&after), Some(since), "{after}");
    }
}

/// `.stream()` reads ahead; `.stream_concurrent(1)` is the lazy stream (README "Getting data out").
#[tokio::test]
async fn list_with_concurrency_1_requests_the_next_page_only_when_polled() {
    let (server, client) = setup().await;
    for (n, ids) in [(1, &[1, 2][..]), (2, &[3, 4][..])] {
        Mock::given(method("GET"))
            .and(path(JOBS))
            .and(query_param("page", n.to_string()))
            .respond_with(page(n, ids, true))
            .mount(&server)
            .await;
    }
    let jpm = client.jpm();
    let stream = jpm.jobs_get_list().page_size(2).stream_concurrent(1);
    let mut stream = std::pin::pin!(stream);

    assert_eq!(stream.next().await.unwrap().unwrap().id, 1);
    assert_eq!(requests_to(&server, JOBS).await.len(), 1);
    assert_eq!(stream.next().await.unwrap().unwrap().id, 2);
    assert_eq!(
        requests_to(&server, JOBS).await.len(),
        1,
        "page 1 still had items"
    );
    assert_eq!(stream.next().await.unwrap().unwrap().id, 3);
    assert_eq!(requests_to(&server, JOBS).await.len(), 2);

    let first_only: Vec<_> = jpm
        .jobs_get_list()
        .stream_concurrent(1)
        .take(1)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first_only.len(), 1);
    assert_eq!(
        requests_to(&server, JOBS).await.len(),
        3,
        "take(1) fetched one page"
    );
}

#[tokio::test]
async fn list_stream_asks_for_the_total_and_reads_ahead_while_a_page_is_consumed() {
    let (server, client) = setup().await;
    for n in 1..=3 {
        let ids = [2 * n - 1, 2 * n];
        let body = json!({"page": n, "pageSize": 2, "hasMore": n < 3, "totalCount": 6,
            "data": ids.iter().map(|id| json!({"id": id})).collect::<Vec<_>>()});
        Mock::given(method("GET"))
            .and(path(JOBS))
            .and(query_param("page", n.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    let jpm = client.jpm();
    let mut stream = std::pin::pin!(jpm.jobs_get_list().page_size(2).stream());
    assert_eq!(stream.next().await.unwrap().unwrap().id, 1);
    // Page 1 is still being consumed, and the next page (of the announced 6 records) is out.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let requests = requests_to(&server, JOBS).await;
    assert!(
        requests.len() >= 2,
        "page 2 requested while page 1 is consumed"
    );
    assert_eq!(query(&requests[0], "includeTotal").as_deref(), Some("true"));
    assert_eq!(stream.next().await.unwrap().unwrap().id, 2);
    let rest: Vec<i64> = stream.map_ok(|j| j.id).try_collect().await.unwrap();
    assert_eq!(rest, [3, 4, 5, 6], "in order");
    assert_eq!(
        requests_to(&server, JOBS).await.len(),
        3,
        "nothing past the end"
    );
}

#[tokio::test]
async fn list_gives_up_with_an_error_after_three_empty_pages_with_has_more() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(JOBS))
        .respond_with(page(1, &[], true))
        .mount(&server)
        .await;
    let jpm = client.jpm();
    let results: Vec<_> = jpm.jobs_get_list().stream().collect().await;
    assert_eq!(
        results.len(),
        1,
        "no items, one error, then the end: {results:?}"
    );
    match &results[0] {
        Err(err @ Error::PagingAnomaly { page: 3, .. }) => {
            let message = err.to_string();
            assert!(
                message.starts_with("Jobs_GetList: paging stopped at page 3"),
                "{message}"
            );
            assert!(message.contains("hasMore"), "{message}");
        }
        other => panic!("expected PagingAnomaly, got {other:?}"),
    }
    assert_eq!(requests_to(&server, JOBS).await.len(), 3);
}

#[tokio::test]
async fn list_follows_fewer_than_three_empty_pages() {
    let (server, client) = setup().await;
    for (n, ids, more) in [(1, &[][..], true), (2, &[][..], true), (3, &[7][..], false)] {
        Mock::given(method("GET"))
            .and(path(JOBS))
            .and(query_param("page", n.to_string()))
            .respond_with(page(n, ids, more))
            .mount(&server)
            .await;
    }
    let jpm = client.jpm();
    let got: Vec<_> = jpm
        .jobs_get_list()
        .stream()
        .map_ok(|j| j.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got, vec![7]);
}

/// Export batches: (none) → 1,2 `t1`; `t1` → 3,4 `t2`; `t2` → 5 `t3`, caught up.
async fn mount_three_batches(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(EXPORT_JOBS))
        .and(query_param_is_missing("from"))
        .respond_with(batch(jobs(&[1, 2]), "t1", true))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(EXPORT_JOBS))
        .and(query_param("from", "t1"))
        .respond_with(batch(jobs(&[3, 4]), "t2", true))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(EXPORT_JOBS))
        .and(query_param("from", "t2"))
        .respond_with(batch(jobs(&[5]), "t3", false))
        .mount(server)
        .await;
}

#[tokio::test]
async fn export_resumes_from_a_saved_checkpoint_without_losing_records() {
    let (server, client) = setup().await;
    mount_three_batches(&server).await;
    let jpm = client.jpm();

    // First run: stores one batch, saves its checkpoint, stops.
    let first = jpm.export_jobs().batches();
    let mut first = std::pin::pin!(first);
    let b1 = first.next().await.unwrap().unwrap();
    let saved = b1.checkpoint.clone().expect("a continuation token");
    assert_eq!(saved, "t1");
    assert!(b1.has_more);
    let mut stored: Vec<i64> = b1.items.iter().map(|j| j.id).collect();
    assert_eq!(requests_to(&server, EXPORT_JOBS).await.len(), 1);

    // Second run, from the saved token: gets the rest and ends when caught up.
    let rest: Vec<_> = jpm
        .export_jobs()
        .from(saved)
        .batches()
        .try_collect()
        .await
        .unwrap();
    let tokens: Vec<_> = rest.iter().map(|b| b.checkpoint.as_deref()).collect();
    assert_eq!(tokens, [Some("t2"), Some("t3")]);
    assert!(!rest.last().unwrap().has_more);
    stored.extend(rest.iter().flat_map(|b| b.items.iter().map(|j| j.id)));
    assert_eq!(
        stored,
        vec![1, 2, 3, 4, 5],
        "nothing lost, nothing repeated"
    );

    let requests = requests_to(&server, EXPORT_JOBS).await;
    assert_eq!(
        froms(&requests),
        [None, Some("t1".into()), Some("t2".into())]
    );
}

#[tokio::test]
async fn export_with_recent_changes_is_deduped_by_id_and_modified_on() {
    let (server, client) = setup().await;
    let at = |id: i64, t: &str| json!({"id": id, "modifiedOn": t});
    Mock::given(method("GET"))
        .and(path(EXPORT_JOBS))
        .and(query_param_is_missing("from"))
        .respond_with(batch(
            vec![at(1, "2024-05-01T10:00:00Z"), at(2, "2024-05-01T10:00:00Z")],
            "t1",
            true,
        ))
        .mount(&server)
        .await;
    // The recent-changes feed hands out job 1 again, unchanged, and job 2 changed.
    Mock::given(method("GET"))
        .and(path(EXPORT_JOBS))
        .and(query_param("from", "t1"))
        .respond_with(batch(
            vec![
                at(1, "2024-05-01T10:00:00.000Z"),
                at(2, "2024-05-01T11:00:00Z"),
            ],
            "t2",
            false,
        ))
        .mount(&server)
        .await;
    let jpm = client.jpm();
    let raw: Vec<_> = jpm
        .export_jobs()
        .include_recent_changes(true)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(raw.len(), 4, "the API did send a repeat");

    let records = jpm.export_jobs().include_recent_changes(true).stream();
    let deduped: Vec<_> = dedupe_by(records, |j| (j.id, j.modified_on))
        .map_ok(|j| (j.id, j.modified_on.unwrap().to_rfc3339()))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        deduped,
        [
            (1, "2024-05-01T10:00:00+00:00".to_string()),
            (2, "2024-05-01T10:00:00+00:00".to_string()),
            (2, "2024-05-01T11:00:00+00:00".to_string()),
        ]
    );
    for request in requests_to(&server, EXPORT_JOBS).await {
        assert_eq!(
            query(&request, "includeRecentChanges").as_deref(),
            Some("true")
        );
    }
}

#[tokio::test]
async fn models_tolerate_unknown_fields_unknown_enum_values_and_malformed_dates() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(APPOINTMENTS))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "page": 1, "pageSize": 50, "hasMore": false,
            "data": [{
                "id": 9,
                "jobId": 77,
                "status": "Rescheduled",
                "modifiedOn": "0001-13-45",
                "start": "2024-03-10T07:05:09.1234567",
                "brandNewField": {"nested": [1, 2, 3]},
            }, {"id": 10, "status": "Done"}]
        })))
        .mount(&server)
        .await;
    let jpm = client.jpm();
    let got = jpm.appointments_get_list().collect_all().await.unwrap();
    assert_eq!(got.len(), 2);
    let a = &got[0];
    assert_eq!(a.id, 9);
    assert_eq!(a.job_id, Some(77));
    match &a.status {
        Some(AppointmentStatus::Unknown(v)) => assert_eq!(v.as_str(), "Rescheduled"),
        other => panic!("expected an unknown status, got {other:?}"),
    }
    assert_eq!(a.modified_on, None, "malformed date read as None");
    let start = a.start.expect("a date-time without offset is read as UTC");
    assert_eq!(start.to_rfc3339(), "2024-03-10T07:05:09.123456700+00:00");
    assert_eq!(got[1].status, Some(AppointmentStatus::Done));
}

fn temp_out(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("st-streams-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("jobs.jsonl")
}

fn ids_in(out: &Path) -> Vec<i64> {
    std::fs::read_to_string(out)
        .unwrap()
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect()
}

/// What the `export_jobs` example does with the client.
async fn run_export(
    client: &Client,
    out: &Path,
) -> Result<jsonl_export::Summary, jsonl_export::BoxError> {
    jsonl_export::export_jobs(client, out).await
}

#[tokio::test]
async fn export_example_writes_records_exactly_as_received() {
    let (server, client) = setup().await;
    // Unknown fields, a key order serde_json would sort, a decimal spelled with a trailing zero.
    let raw = r#"{"zeta":1,"id":9,"newField":{"a":[1,2.50]},"total":10.10}"#;
    let body = format!(r#"{{"hasMore":false,"continueFrom":"t9","data":[{raw}]}}"#);
    Mock::given(method("GET"))
        .and(path(EXPORT_JOBS))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let out = temp_out("raw");
    let summary = run_export(&client, &out).await.unwrap();
    assert_eq!(summary.records, 1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), format!("{raw}\n"));
}

#[tokio::test]
async fn export_example_stopped_midway_then_rerun_writes_each_record_once() {
    let (server, client) = setup().await;
    let out = temp_out("midway");
    // First run: the third request fails (400, not retried).
    Mock::given(method("GET"))
        .and(path(EXPORT_JOBS))
        .and(query_param_is_missing("from"))
        .respond_with(batch(jobs(&[1, 2]), "t1", true))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(EXPORT_JOBS))
        .and(query_param("from", "t1"))
        .respond_with(batch(jobs(&[3, 4]), "t2", true))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(EXPORT_JOBS))
        .and(query_param("from", "t2"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"title": "boom", "status": 400})),
        )
        .mount(&server)
        .await;
    assert!(run_export(&client, &out).await.is_err());
    assert_eq!(ids_in(&out), [1, 2, 3, 4]);
    let saved = jsonl_export::read_checkpoint(&out).unwrap().unwrap();
    assert_eq!(saved.continue_from, "t2");
    assert_eq!(saved.bytes, std::fs::metadata(&out).unwrap().len());

    // Second run: the server has recovered.
    server.reset().await;
    mount_token(&server, TOKEN, 900).await;
    mount_three_batches(&server).await;
    let summary = run_export(&client, &out).await.unwrap();
    assert_eq!(summary.resumed_from.as_deref(), Some("t2"));
    assert_eq!(summary.records, 1);
    assert_eq!(summary.checkpoint.as_deref(), Some("t3"));
    assert_eq!(ids_in(&out), [1, 2, 3, 4, 5]);
    let requests = requests_to(&server, EXPORT_JOBS).await;
    assert_eq!(froms(&requests), [Some("t2".to_string())]);

    // Caught up: a third run asks from t3, finds nothing new, writes nothing.
    Mock::given(method("GET"))
        .and(path(EXPORT_JOBS))
        .and(query_param("from", "t3"))
        .respond_with(batch(vec![], "t3", false))
        .mount(&server)
        .await;
    let summary = run_export(&client, &out).await.unwrap();
    assert_eq!(summary.records, 0);
    assert_eq!(ids_in(&out), [1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn export_example_drops_lines_written_after_the_last_checkpoint() {
    let (server, client) = setup().await;
    mount_three_batches(&server).await;
    let out = temp_out("crash");
    // A previous run stored batch 1 and its checkpoint, then died after writing batch 2's
    // lines but before saving batch 2's checkpoint.
    let line = |id: i64| format!("{{\"id\":{id}}}\n");
    std::fs::write(&out, format!("{}{}", line(1), line(2))).unwrap();
    let bytes = std::fs::metadata(&out).unwrap().len();
    let checkpoint = json!({"continueFrom": "t1", "bytes": bytes}).to_string();
    std::fs::write(jsonl_export::checkpoint_path(&out), checkpoint).unwrap();
    std::fs::write(
        &out,
        format!("{}{}{}{}", line(1), line(2), line(3), line(4)),
    )
    .unwrap();

    let summary = run_export(&client, &out).await.unwrap();
    assert_eq!(summary.records, 3);
    assert_eq!(ids_in(&out), [1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn export_example_from_scratch_writes_every_record_and_the_checkpoint() {
    let (server, client) = setup().await;
    mount_three_batches(&server).await;
    let out = temp_out("scratch");
    let summary = run_export(&client, &out).await.unwrap();
    assert_eq!((summary.batches, summary.records), (3, 5));
    assert_eq!(summary.resumed_from, None);
    assert_eq!(ids_in(&out), [1, 2, 3, 4, 5]);
    let saved = jsonl_export::read_checkpoint(&out).unwrap().unwrap();
    assert_eq!(saved.continue_from, "t3");
    // One record per line, as received.
    let first = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .next()
        .map(str::to_string);
    assert_eq!(first.as_deref(), Some(r#"{"id":1}"#));
}
