//! The surface a Rust engineer expects from the jpm module: owned request builders whose streams
//! and futures are `Send + 'static` (streams also `Unpin`), helpers that return streams from a
//! `&Client`, body models built from their named required fields (`X::new(XRequired { .. })`) and plain
//! setters, same-typed required path values named (`…Params`),, and PATCH bodies that
//! send an explicit `null` / `[]` for a cleared field while unset fields stay out.
#![cfg(feature = "jpm")]

use futures::Stream;
use serde_json::{json, Value};
use servicetitan::jpm::types::{
    AppointmentInformation, AppointmentInformationRequired, JobCreateRequest,
    JobCreateRequestRequired, JobResponse, JobStatus, UpdateJobRequest,
};
use servicetitan::jpm::JobEquipmentDetachParams;
use servicetitan::prelude::*;
use servicetitan_test_support::{requests_to, setup};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const JOBS: &str = "/jpm/v2/tenant/42/jobs";

fn assert_stream<T: Stream + Send + Unpin + 'static>(_: &T) {}
fn assert_future<T: std::future::Future + Send + 'static>(_: &T) {}

/// The helper the README promises: a stream returned from a borrowed client.
fn completed(client: &Client) -> impl Stream<Item = Result<JobResponse, Error>> {
    client
        .jpm()
        .jobs_get_list()
        .job_status(JobStatus::Completed)
        .page_size(2)
        .stream()
}

#[tokio::test]
async fn streams_and_futures_are_send_static_and_streams_unpin() {
    let (_server, client) = setup().await;
    // One chain from `client.jpm()`, held beyond the statement that built it.
    let list = client.jpm().jobs_get_list().page_size(5);
    assert_stream(&list.clone().stream());
    assert_stream(&list.clone().pages());
    assert_stream(&list.clone().pages_concurrent(2));
    assert_stream(&client.jpm().export_jobs().batches());
    assert_stream(&client.jpm().export_jobs().stream());
    assert_future(&list.send());
    assert_future(&client.jpm().jobs_get(1).send());
    assert_future(&client.jpm().jobs_get_list().collect_all());
}

#[tokio::test]
async fn a_helper_returns_a_stream_that_try_next_reads_without_pin_and_spawn_accepts() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(JOBS))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "page": 1, "pageSize": 2, "hasMore": false, "data": [{"id": 1}, {"id": 2}]
        })))
        .mount(&server)
        .await;
    let mut jobs = completed(&client);
    let first = jobs.try_next().await.unwrap().expect("a first job");
    assert_eq!(first.id, 1);
    // The rest in a spawned task: the stream owns everything it needs.
    let rest = tokio::spawn(async move { jobs.try_collect::<Vec<_>>().await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rest.iter().map(|j| j.id).collect::<Vec<_>>(), [2]);
    let sent = requests_to(&server, JOBS).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        servicetitan_test_support::query(&sent[0], "jobStatus").as_deref(),
        Some("Completed")
    );
}

#[tokio::test]
async fn patch_sends_null_and_empty_list_for_cleared_fields_and_omits_unset_ones() {
    let (server, client) = setup().await;
    let route = format!("{JOBS}/7");
    Mock::given(method("PATCH"))
        .and(path(route.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 7})))
        .mount(&server)
        .await;
    let body = UpdateJobRequest::new()
        .summary("Replace the filter")
        .customer_po("PO-1")
        .clear_customer_po() // set, then cleared: sent as null
        .clear_tag_type_ids() // a list: sent as []
        .clear_summary_of_work()
        .priority("High");
    client.jpm().jobs_update(7, body).send().await.unwrap();

    let sent = requests_to(&server, &route).await;
    let json: Value = serde_json::from_slice(&sent[0].body).unwrap();
    assert_eq!(
        json,
        json!({
            "summary": "Replace the filter",
            "customerPo": null,
            "tagTypeIds": [],
            "summaryOfWork": null,
            "priority": "High",
        }),
        "cleared fields explicit, unset ones (businessUnitId, customFields, …) absent"
    );
}

#[test]
fn setting_a_cleared_field_again_sends_the_value() {
    let body = UpdateJobRequest::new().clear_summary().summary("back");
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"summary": "back"})
    );
    let untouched = serde_json::to_value(UpdateJobRequest::new()).unwrap();
    assert_eq!(untouched, json!({}), "nothing set, nothing sent");
}

/// Each required field lands under its own name: the ids are told apart by name, not position.
#[test]
fn required_body_fields_are_sent_under_their_names() {
    let at = servicetitan::chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let visit = AppointmentInformation::new(AppointmentInformationRequired {
        start: at,
        end: at + servicetitan::chrono::TimeDelta::hours(2),
    });
    let body = JobCreateRequest::from(JobCreateRequestRequired {
        appointments: vec![visit],
        location_id: 5,
        customer_id: 3,
        business_unit_id: 1,
        campaign_id: 2,
        job_type_id: 4,
        priority: "Normal".into(),
    })
    .summary("x");
    let json = serde_json::to_value(&body).unwrap();
    assert_eq!(
        (
            &json["customerId"],
            &json["locationId"],
            &json["businessUnitId"]
        ),
        (&json!(3), &json!(5), &json!(1))
    );
    assert_eq!(
        json["appointments"][0]["start"],
        json!("2023-11-14T22:13:20Z")
    );
    assert_eq!(
        json["appointments"][0]["end"],
        json!("2023-11-15T00:13:20Z")
    );
    assert_eq!(json["summary"], json!("x"));
    assert!(json.get("customerPo").is_none(), "optional fields stay out");
}

/// Two required `i64` path values named in a struct literal reach their own path segments.
#[tokio::test]
async fn same_typed_path_values_are_named_and_reach_their_segments() {
    let (server, client) = setup().await;
    let route = format!("{JOBS}/7/equipment/9");
    Mock::given(method("DELETE"))
        .and(path(route.as_str()))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let params = JobEquipmentDetachParams {
        equipment_id: 9,
        id: 7,
    };
    client
        .jpm()
        .job_equipment_detach(params)
        .send()
        .await
        .unwrap();
    assert_eq!(requests_to(&server, &route).await.len(), 1);
}

/// `send()` returns the SDK's own error type, the failure as the pipeline typed it (no
/// conversion on `?`, nothing carried inside a response).
#[tokio::test]
async fn send_returns_the_sdk_error_as_typed_by_the_pipeline() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(format!("{JOBS}/404").as_str()))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"title": "Job not found", "status": 404})),
        )
        .mount(&server)
        .await;
    let result: Result<_, servicetitan::Error> = client.jpm().jobs_get(404).send().await;
    let err = result.unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 404);
    assert_eq!(api.title(), Some("Job not found"));
    assert_eq!(api.operation_id, Some("Jobs_Get"));
}
