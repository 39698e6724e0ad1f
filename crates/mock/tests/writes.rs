//! POST/PUT/PATCH/DELETE change what later reads see; bodies are validated against the spec.

mod support;

use serde_json::{json, Value};
use servicetitan_mock::MockConfig;
use support::Harness;

#[tokio::test]
async fn create_update_delete_are_seen_by_later_reads() {
    let h = Harness::start(MockConfig::default().records(20).rate_limit(None)).await;
    // jpm job types: POST /job-types creates, GET /job-types lists, GET/PATCH /job-types/{id}.
    let created = h
        .request(reqwest::Method::POST, &h.api("jpm/v2", "job-types"))
        .json(&json!({"name": "Furnace Rescue", "businessUnitIds": [], "skills": [], "tagTypeIds": [], "priority": "Normal", "duration": 3600, "soldThreshold": 0, "class": "Service", "summary": "made by a test", "noCharge": false, "enforceRecurringServiceEventSelection": false, "invoiceSignaturesRequired": false}))
        .send()
        .await
        .unwrap();
    let status = created.status();
    let body: Value = created.json().await.unwrap();
    assert!(status.is_success(), "{status} {body}");
    let id = body["id"].as_i64().unwrap();
    assert_eq!(id, 10_000_020, "the next id after the 20 records");
    assert_eq!(body["name"], "Furnace Rescue");
    let read = h
        .get_json(&h.api("jpm/v2", &format!("job-types/{id}")))
        .await;
    assert_eq!(read["name"], "Furnace Rescue");
    let listed = h
        .get_json(&h.api("jpm/v2", "job-types?pageSize=100&active=Any"))
        .await;
    assert!(listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == id));

    let patched = h
        .request(
            reqwest::Method::PATCH,
            &h.api("jpm/v2", &format!("job-types/{id}")),
        )
        .json(&json!({"name": "Furnace Rescue Plus"}))
        .send()
        .await
        .unwrap();
    assert!(patched.status().is_success());
    let read = h
        .get_json(&h.api("jpm/v2", &format!("job-types/{id}")))
        .await;
    assert_eq!(read["name"], "Furnace Rescue Plus");
    assert_eq!(
        read["summary"], "made by a test",
        "PATCH keeps other written fields"
    );

    // dispatch teams: GET and DELETE /teams/{id}.
    let team = h.api("dispatch/v2", "teams/10000003");
    assert_eq!(h.get_json(&team).await["id"], 10000003);
    let deleted = h
        .request(reqwest::Method::DELETE, &team)
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    let gone = h.request(reqwest::Method::GET, &team).send().await.unwrap();
    assert_eq!(gone.status(), 404, "a deleted record answers 404");
    let again = h
        .request(reqwest::Method::DELETE, &team)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
}

#[tokio::test]
async fn an_invalid_body_is_a_400_naming_the_field() {
    let h = Harness::start(MockConfig::default().records(5)).await;
    let r = h
        .request(reqwest::Method::POST, &h.api("jpm/v2", "job-types"))
        .json(&json!({"name": 42}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    for key in ["type", "title", "status", "traceId", "errors"] {
        assert!(body.get(key).is_some(), "problem body has {key}: {body}");
    }
    assert!(body["errors"]["name"].is_array(), "{body}");
    let not_json = h
        .request(reqwest::Method::POST, &h.api("jpm/v2", "job-types"))
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
}

#[tokio::test]
async fn a_missing_required_query_parameter_is_a_400() {
    let h = Harness::start(MockConfig::default().records(5)).await;
    let (module, op) = servicetitan_mock::spec::table()
        .operations()
        .find(|(_, op)| {
            // (Not one whose spec declares its 400 as a string: that answers a string.)
            op.method == "GET"
                && !op.error_text
                && op
                    .params
                    .iter()
                    .any(|p| p.location == "query" && p.required)
        })
        .expect("some operation has a required query parameter");
    let required = op
        .params
        .iter()
        .find(|p| p.location == "query" && p.required)
        .unwrap();
    let path = op
        .path
        .replace("{tenant}", &h.mock.credentials().tenant_id.to_string());
    let path = path
        .split('/')
        .map(|s| if s.starts_with('{') { "10000001" } else { s })
        .collect::<Vec<_>>()
        .join("/");
    let url = format!("{}/{}{}", h.mock.url(), module.base_path, path);
    let r = h.request(reqwest::Method::GET, &url).send().await.unwrap();
    assert_eq!(r.status(), 400, "{url}");
    let body: Value = r.json().await.unwrap();
    assert!(body["errors"][&required.name].is_array(), "{body}");
}

#[tokio::test]
async fn uploads_take_multipart_and_downloads_return_bytes() {
    let h = Harness::start(MockConfig::default().records(5).rate_limit(None)).await;
    let uploads: Vec<_> = servicetitan_mock::spec::table()
        .operations()
        .filter(|(_, op)| op.kind == servicetitan_mock::spec::Kind::Upload)
        .collect();
    assert_eq!(uploads.len(), 4, "the four multipart uploads");
    let (module, op) = uploads[0];
    let path = op
        .path
        .replace("{tenant}", &h.mock.credentials().tenant_id.to_string());
    let url = format!("{}/{}{}", h.mock.url(), module.base_path, path);
    let json_body = h
        .request(reqwest::Method::POST, &url)
        .json(&json!({"file": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body.status(), 400, "JSON is not multipart");
    let part = reqwest::multipart::Part::bytes(vec![1, 2, 3]).file_name("photo.jpg");
    let ok = h
        .request(reqwest::Method::POST, &url)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert!(ok.status().is_success(), "{}", ok.status());

    let download = servicetitan_mock::spec::table()
        .operations()
        .find(|(_, op)| {
            op.kind == servicetitan_mock::spec::Kind::Download
                && op
                    .response
                    .as_ref()
                    .is_some_and(|r| r.status.starts_with('2'))
        })
        .unwrap();
    let path = download
        .1
        .path
        .replace("{tenant}", &h.mock.credentials().tenant_id.to_string());
    let path = path
        .split('/')
        .map(|s| if s.starts_with('{') { "10000001" } else { s })
        .collect::<Vec<_>>()
        .join("/");
    let r = h
        .request(
            reqwest::Method::GET,
            &format!("{}/{}{}", h.mock.url(), download.0.base_path, path),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().len() >= 4096);
}
