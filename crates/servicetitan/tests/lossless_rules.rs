//! The lossless-reading rules on real generated types (jpm, forms), and through the typed streams
//! against a local (loopback) wiremock server: null lists, record-by-record pages and batches,
//! exact decimals, merged unions, wide integers, odd enum values and date shapes.
#![cfg(all(feature = "jpm", feature = "forms"))]

use chrono::{TimeZone, Utc};
use futures::StreamExt;
use serde_json::{json, Value};
use servicetitan::forms::types::FormSubmissionResponsePage;
use servicetitan::jpm::types::{ExportJobsResponse, JobResponsePage, JobStatus};
use servicetitan::prelude::*;
use servicetitan::types::Decimal;
use servicetitan_test_support::setup;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, ResponseTemplate};

#[test]
fn null_lists_at_every_depth_read_as_empty() {
    let page: JobResponsePage = serde_json::from_value(json!({
        "page": null, "hasMore": false, "data": [
            {"id": 1, "tagTypeIds": null, "customFields": null, "externalData": null,
             "equipmentIds": null}
        ]
    }))
    .unwrap();
    assert_eq!(page.data.len(), 1);
    assert!(page.data[0].tag_type_ids.is_empty());
    assert!(page.data[0].custom_fields.is_empty());
    let page: JobResponsePage =
        serde_json::from_value(json!({"hasMore": false, "data": null})).unwrap();
    assert_eq!(page.data.received(), 0);
    let page: JobResponsePage = serde_json::from_value(json!({"hasMore": false})).unwrap();
    assert_eq!(page.data.received(), 0);
}

#[test]
fn money_keeps_its_digits_both_ways() {
    let text = r#"{"id":1,"total":33.333333333333333333333333333}"#;
    let rec: ExportJobsResponse = serde_json::from_str(text).unwrap();
    assert_eq!(
        rec.total.unwrap().to_string(),
        "33.333333333333333333333333333"
    );
    for digits in ["100", "0.0000001", "1234567890123.4567", "12.50"] {
        let rec: ExportJobsResponse =
            serde_json::from_str(&format!(r#"{{"id":1,"total":{digits}}}"#)).unwrap();
        let written = serde_json::to_string(&rec).unwrap();
        assert!(
            written.contains(&format!(r#""total":{digits}"#)),
            "{written}"
        );
    }
    let d: Decimal = "0.0000001".parse().unwrap();
    assert_eq!(d.to_string(), "0.0000001");
}

#[test]
fn wide_integers_odd_enum_values_and_date_shapes_are_kept() {
    let page: JobResponsePage = serde_json::from_value(json!({
        "totalCount": 5_000_000_000_i64, "hasMore": false,
        "data": [{"id": 9_000_000_000_i64, "jobStatus": "3", "createdOn": "2024-03-10T07:05Z",
                  "completedOn": "/Date(1710054300000)/"}]
    }))
    .unwrap();
    assert_eq!(page.total_count, Some(5_000_000_000));
    let job = &page.data[0];
    assert_eq!(job.id, 9_000_000_000);
    assert_eq!(job.job_status.as_deref(), Some("3"));
    let status: JobStatus = serde_json::from_value(json!(3)).unwrap();
    assert!(status.is_unknown());
    assert_eq!(status.as_str(), "3");
    let statuses: Vec<JobStatus> =
        serde_json::from_value(json!(["Scheduled", "Teleported", true])).unwrap();
    assert_eq!(statuses[0], JobStatus::Scheduled);
    assert_eq!(
        (statuses[1].as_str(), statuses[2].as_str()),
        ("Teleported", "true")
    );
    let at = Utc.with_ymd_and_hms(2024, 3, 10, 7, 5, 0).unwrap();
    assert_eq!(job.created_on, Some(at));
    assert_eq!(job.completed_on, Some(at));
}

#[test]
fn form_units_keep_every_kind_of_field() {
    let page: FormSubmissionResponsePage = serde_json::from_value(json!({
        "hasMore": false,
        "data": [{"id": 1, "units": [
            {"id": "s1", "type": "Section", "name": "Roof", "description": "d", "units": [
                {"id": "t1", "type": "Text", "name": "Notes", "value": "leaks", "comment": "c",
                 "attachments": [{"fileName": "a.jpg"}]},
                {"id": "n1", "type": "Number", "value": 12.5, "comment": null, "attachments": null},
                {"id": "l1", "type": "Stoplight", "value": "Red"}
            ]},
            {"id": "k1", "type": "Checkbox", "values": ["a", "b"], "options": "a,b"},
            {"id": "g1", "type": "Signature", "value": "data:…", "isRefused": false}
        ]}]
    }))
    .unwrap();
    let units = page.data[0].units.as_ref().unwrap();
    let inner = &units[0].units;
    assert_eq!(units[0].description.as_deref(), Some("d"));
    assert_eq!(inner[0].value, Some(json!("leaks")));
    assert_eq!(inner[0].comment.as_deref(), Some("c"));
    assert_eq!(inner[0].attachments.len(), 1);
    assert_eq!(inner[1].value, Some(json!(12.5)));
    assert_eq!(inner[2].value, Some(json!("Red")));
    assert_eq!(units[1].values, ["a", "b"]);
    assert_eq!(units[2].is_refused, Some(false));
    // Written back: one key each, every field kept.
    let back = serde_json::to_value(&page).unwrap();
    assert_eq!(
        back["data"][0]["units"][0]["units"][0]["attachments"][0]["fileName"],
        "a.jpg"
    );
    assert_eq!(back["data"][0]["units"][2]["value"], "data:…");
}

fn bad_page() -> Value {
    json!({"page": 1, "pageSize": 3, "hasMore": false, "data": [
        {"id": 1}, {"id": 2, "customFields": {"not": "a list"}}, {"id": 3}
    ]})
}

#[tokio::test]
async fn a_bad_record_is_an_error_item_and_its_neighbours_arrive() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/jobs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(bad_page()))
        .mount(&server)
        .await;
    let items: Vec<_> = client.jpm().jobs_get_list().stream().collect().await;
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].as_ref().unwrap().id, 1);
    assert_eq!(items[2].as_ref().unwrap().id, 3);
    let err = items[1].as_ref().unwrap_err();
    let record = err.record().expect("a record error");
    assert_eq!(record.operation_id, Some("Jobs_GetList"));
    assert_eq!(record.index, 1);
    assert_eq!(record.path, "customFields");
    let raw: Value = serde_json::from_str(record.raw_json()).unwrap();
    assert_eq!(raw, json!({"id": 2, "customFields": {"not": "a list"}}));
    assert!(err.to_string().contains("Jobs_GetList: record 1"), "{err}");

    let pages: Vec<_> = client.jpm().jobs_get_list().pages().collect().await;
    let page = pages[0].as_ref().unwrap();
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.data.failures()[0].operation_id, Some("Jobs_GetList"));
}

#[tokio::test]
async fn export_batches_deliver_failures_with_the_checkpoint_and_resume_after_them() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/export/jobs"))
        .and(query_param_is_missing("from"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "hasMore": true, "continueFrom": "t1",
            "data": [{"id": 1}, {"id": 2, "total": "lots"}]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/export/jobs"))
        .and(query_param("from", "t1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "hasMore": false, "continueFrom": "t2", "data": [{"id": 3}]
        })))
        .mount(&server)
        .await;
    let batches: Vec<_> = client.jpm().export_jobs().batches().collect().await;
    let first = batches[0].as_ref().unwrap();
    assert_eq!(first.items.iter().map(|r| r.id).collect::<Vec<_>>(), [1]);
    assert_eq!(first.failures.len(), 1);
    assert_eq!(first.failures[0].operation_id, Some("Export_Jobs"));
    assert_eq!(first.failures[0].path, "total");
    assert!(first.failures[0].raw_json().contains("lots"));
    assert_eq!(first.checkpoint.as_deref(), Some("t1"));
    let second = batches[1].as_ref().unwrap();
    assert_eq!(second.items[0].id, 3);

    let records: Vec<_> = client.jpm().export_jobs().stream().collect().await;
    let shape: Vec<Result<i64, usize>> = records
        .iter()
        .map(|r| match r {
            Ok(job) => Ok(job.id),
            Err(e) => Err(e.record().unwrap().index),
        })
        .collect();
    assert_eq!(shape, [Ok(1), Err(1), Ok(3)]);
}
