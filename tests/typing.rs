//! The typing rules of the generated models, checked on real generated types.

use chrono::{TimeZone, Timelike, Utc};
use serde_json::json;
use servicetitan::jpm::types::{ExportJobsResponse, JobResponse, JobResponsePage, JobStatus};

#[test]
fn unknown_fields_are_ignored() {
    // The spec says `additionalProperties: false`; the API adds fields anyway.
    let job: JobResponse =
        serde_json::from_value(json!({"id": 7, "jobNumber": "7", "brandNewField": {"x": 1}}))
            .unwrap();
    assert_eq!(job.id, 7);
}

#[test]
fn nulls_where_the_spec_promised_values_do_not_fail() {
    let job: JobResponse = serde_json::from_value(
        json!({"id": 1, "jobNumber": null, "customerId": null, "createdOn": null}),
    )
    .unwrap();
    assert_eq!(job.job_number, None);
    assert_eq!(job.customer_id, None);
}

#[test]
fn enums_are_open_on_read_and_closed_on_write() {
    let known: JobStatus = serde_json::from_value(json!("Scheduled")).unwrap();
    assert_eq!(known, JobStatus::Scheduled);
    let unknown: JobStatus = serde_json::from_value(json!("Teleported")).unwrap();
    assert!(unknown.is_unknown());
    assert_eq!(unknown.as_str(), "Teleported");
    // A value received is sent back verbatim…
    assert_eq!(serde_json::to_value(&unknown).unwrap(), json!("Teleported"));
    // …but a request can only be built from documented values.
    let err = "Teleported".parse::<JobStatus>().unwrap_err();
    assert!(err.to_string().contains("Scheduled"), "{err}");
    assert_eq!(
        "Canceled".parse::<JobStatus>().unwrap(),
        JobStatus::Canceled
    );
}

#[test]
fn date_times_accept_what_the_api_sends() {
    let expect = Utc.with_ymd_and_hms(2024, 3, 10, 7, 5, 9).unwrap();
    for text in [
        "2024-03-10T07:05:09Z",
        "2024-03-10T07:05:09",
        "2024-03-10T07:05:09.0000000Z",
        "2024-03-10T02:05:09-05:00",
    ] {
        let job: JobResponse = serde_json::from_value(json!({"id": 1, "createdOn": text})).unwrap();
        assert_eq!(job.created_on, Some(expect), "{text}");
    }
    let job: JobResponse =
        serde_json::from_value(json!({"id": 1, "createdOn": "2024-03-10T07:05:09.1234567Z"}))
            .unwrap();
    assert_eq!(job.created_on.unwrap().nanosecond(), 123_456_700);
}

#[test]
fn a_malformed_date_loses_the_field_not_the_page() {
    let page: JobResponsePage = serde_json::from_value(json!({
        "page": 1, "pageSize": 2, "hasMore": false,
        "data": [
            {"id": 1, "createdOn": "not a date", "jobNumber": "A"},
            {"id": 2, "createdOn": "2024-01-01T00:00:00Z", "jobNumber": "B"}
        ]
    }))
    .unwrap();
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.data[0].created_on, None);
    assert_eq!(page.data[0].job_number.as_deref(), Some("A"));
    assert!(page.data[1].created_on.is_some());
}

#[test]
fn money_is_decimal_not_float() {
    let rec: ExportJobsResponse = serde_json::from_value(json!({"id": 1, "total": 0.1})).unwrap();
    let total: rust_decimal::Decimal = rec.total.unwrap();
    assert_eq!(total.to_string(), "0.1");
    assert_eq!(
        total + total + total,
        "0.3".parse::<rust_decimal::Decimal>().unwrap()
    );
}

#[test]
fn names_a_person_would_write() {
    // `Jpm.V2.JobResponse` → `JobResponse`, `PaginatedResponse_Of_Jpm.V2.JobResponse` →
    // `JobResponsePage`, `ExportResponse_Of_Jpm.V2.ExportJobsResponse` → `ExportJobsResponseBatch`.
    fn named<T>() -> &'static str {
        std::any::type_name::<T>().rsplit("::").next().unwrap()
    }
    assert_eq!(named::<JobResponse>(), "JobResponse");
    assert_eq!(named::<JobResponsePage>(), "JobResponsePage");
    assert_eq!(
        named::<servicetitan::jpm::types::ExportJobsResponseBatch>(),
        "ExportJobsResponseBatch"
    );
    assert_eq!(
        servicetitan::jpm::operation_meta("Jobs_GetList").method_name,
        "jobs_get_list"
    );
}

/// Checked by the compiler, not at run time (so not a `#[test]`): this only compiles because
/// `id` and `body` are positional — forgetting them is a compile error, not a runtime one — and
/// no call takes a tenant. The calls reaching the bound tenant's path are tested in
/// `generated_calls.rs`.
#[allow(dead_code)]
fn required_parameters_are_positional_and_the_tenant_is_bound(
    jpm: &servicetitan::jpm::Api,
    body: servicetitan::jpm::types::JobCreateRequest,
) {
    let _ = jpm.jobs_get(42);
    let _ = jpm.jobs_create(body);
    let _ = jpm.jobs_get_list().page_size(50);
}
