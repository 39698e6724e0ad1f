//! Bodies bound as ASP.NET binds them (lenient string booleans and numbers, `N.0` integers;
//! strict ranges, dates and times), 415 for a body that is not JSON, and actions acting on the
//! record of their path with the effect read back.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use servicetitan_mock::MockConfig;
use support::Harness;

async fn harness() -> Harness {
    Harness::start(MockConfig::default().records(20).rate_limit(None)).await
}

fn appointment(changes: Value) -> Value {
    let mut body = json!({
        "technicianId": 10000002,
        "start": "2024-05-01T08:00:00Z",
        "duration": "01:30:00",
        "name": "Training"
    });
    body.as_object_mut()
        .unwrap()
        .extend(changes.as_object().unwrap().clone());
    body
}

async fn post(h: &Harness, path: &str, body: &Value) -> (u16, Value) {
    h.send_json(Method::POST, &h.api("dispatch/v2", path), Some(body))
        .await
}

#[tokio::test]
async fn lenient_values_bind_and_are_stored_converted() {
    let h = harness().await;
    let body = appointment(json!({
        "technicianId": "10000003",
        "allDay": "false",
        "interval": 3.0,
        "countOccurrences": "4"
    }));
    let (status, created) = post(&h, "non-job-appointments", &body).await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_i64().unwrap();
    let back = h
        .get_json(&h.api("dispatch/v2", &format!("non-job-appointments/{id}")))
        .await;
    assert_eq!(back["technicianId"], 10000003);
    assert_eq!(back["allDay"], false);
    // (`interval` and `countOccurrences` are accepted; the response model does not carry them.)
}

#[tokio::test]
async fn overflow_and_impossible_dates_and_times_are_refused() {
    let h = harness().await;
    for (change, field) in [
        (json!({"interval": 2147483648i64}), "interval"),
        (json!({"interval": "-2147483649"}), "interval"),
        (
            json!({"technicianId": 9223372036854775808u64}),
            "technicianId",
        ),
        (json!({"technicianId": 1e20}), "technicianId"),
        (json!({"duration": "12:99"}), "duration"),
        (json!({"duration": "25:00:00"}), "duration"),
        (json!({"start": "2024-02-30T10:00:00Z"}), "start"),
        (json!({"allDay": "maybe"}), "allDay"),
        (json!({"interval": 2.5}), "interval"),
    ] {
        let (status, problem) =
            post(&h, "non-job-appointments", &appointment(change.clone())).await;
        assert_eq!(status, 400, "{change} accepted: {problem}");
        assert!(
            problem["errors"]
                .as_object()
                .unwrap()
                .keys()
                .any(|k| k.contains(field)),
            "{change}: {problem}"
        );
    }
    // At the edge of the range: accepted.
    let (status, _) = post(
        &h,
        "non-job-appointments",
        &appointment(json!({"interval": 2147483647})),
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415() {
    let h = harness().await;
    let url = h.api("dispatch/v2", "non-job-appointments");
    let form = h
        .request(Method::POST, &url)
        .form(&[("name", "Training"), ("technicianId", "10000002")])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    let text = h
        .request(Method::POST, &url)
        .header("content-type", "text/plain")
        .body(appointment(json!({})).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 415);
    let json_charset = h
        .request(Method::POST, &url)
        .header("content-type", "application/json; charset=utf-8")
        .body(appointment(json!({})).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(json_charset.status(), 200);
}

#[tokio::test]
async fn actions_act_on_the_record_of_their_path_and_are_read_back() {
    let h = harness().await;
    let url = h.api("crm/v2", "leads/10000001/follow-up");
    let when = "2025-03-04T05:06:07Z";
    let r = h
        .request(Method::POST, &url)
        .json(&json!({"followUpDate": when, "text": "Call back after lunch", "pinToTop": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["leadId"], 10000001);
    assert_eq!(answer["text"], "Call back after lunch");
    assert_eq!(answer["followUpDate"], when);
    let lead = h.get_json(&h.api("crm/v2", "leads/10000001")).await;
    assert_eq!(lead["followUpDate"], when, "the lead shows the follow-up");
    let other = h.get_json(&h.api("crm/v2", "leads/10000003")).await;
    assert_ne!(other["followUpDate"], when, "another lead is untouched");
    // A singleton written is read back.
    let hours = json!({
        "weekdays": [{"fromHour": 7, "toHour": 18}],
        "saturday": [{"fromHour": 9, "toHour": 13}],
        "sunday": []
    });
    let (status, _) = post(&h, "business-hours", &hours).await;
    assert_eq!(status, 200);
    let read = h.get_json(&h.api("dispatch/v2", "business-hours")).await;
    assert_eq!(read["weekdays"], hours["weekdays"]);
    assert_eq!(read["sunday"], json!([]));
}

#[tokio::test]
async fn a_400_declared_as_a_string_is_a_json_string() {
    let h = harness().await;
    let r = h
        .request(Method::PATCH, &h.api("dispatch/v2", "zones/10000001"))
        .json(&json!({"serviceDaysIds": 2.5}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(
        body.as_str().is_some_and(|t| t.contains("serviceDaysIds")),
        "{body}"
    );
}
