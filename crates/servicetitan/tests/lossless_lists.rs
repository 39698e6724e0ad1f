//! Lists outside the paged envelopes (`cargo xtask specs lists`) read record by record like pages:
//! one unreadable record is kept aside with its raw JSON and its neighbours are delivered, through
//! the generated client against a local (loopback) wiremock server. One test per shape: a
//! top-level array (memberships' discounts of a membership type) and the `data` list of an object
//! that is not a paged envelope (jpm's hold reasons).
#![cfg(all(feature = "jpm", feature = "memberships"))]

use serde_json::{json, Value};
use servicetitan::prelude::*;
use servicetitan_test_support::setup;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn a_top_level_array_keeps_a_bad_record_aside_and_delivers_its_neighbours() {
    let (server, client) = setup().await;
    let bad = json!({"id": "seven", "discount": 5});
    Mock::given(method("GET"))
        .and(path(
            "/memberships/v2/tenant/42/membership-types/9/discounts",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": 1, "discount": "10.50"}, bad, {"id": 3, "discount": 0.125}
        ])))
        .mount(&server)
        .await;
    let list = client
        .memberships()
        .membership_types_get_discounts_list(9)
        .send()
        .await
        .expect("one bad record does not fail the list")
        .into_inner();
    assert_eq!(list.iter().map(|d| d.id).collect::<Vec<_>>(), [1, 3]);
    assert_eq!(list.received(), 3);
    let failure = &list.failures()[0];
    assert_eq!(failure.index, 1);
    assert_eq!(failure.path, "id");
    assert_eq!(
        serde_json::from_str::<Value>(failure.raw_json()).unwrap(),
        bad
    );
    // Written back, the bad record is exactly as received, in its place.
    let back = serde_json::to_value(&list).unwrap();
    assert_eq!(back.as_array().map(Vec::len), Some(3));
    assert_eq!(back[1], bad);
}

#[tokio::test]
async fn a_data_list_outside_the_paged_envelopes_keeps_a_bad_record_aside() {
    let (server, client) = setup().await;
    let bad = json!({"jobId": 2, "appointmentHoldReasons": {"not": "a list"}});
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/jobs/hold-reasons"))
        .and(query_param("ids", "1,2,3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "page": 1, "pageSize": 50, "hasMore": false, "totalCount": 3,
            "data": [{"jobId": 1, "name": "Parts"}, bad, {"jobId": 3, "name": "Weather"}]
        })))
        .mount(&server)
        .await;
    let page = client
        .jpm()
        .jobs_get_hold_reasons("1,2,3")
        .send()
        .await
        .expect("one bad record does not fail the answer")
        .into_inner();
    let read: Vec<(Option<i64>, Option<&str>)> = page
        .data
        .iter()
        .map(|r| (r.job_id, r.name.as_deref()))
        .collect();
    assert_eq!(read, [(Some(1), Some("Parts")), (Some(3), Some("Weather"))]);
    let failure = &page.data.failures()[0];
    assert_eq!(failure.index, 1);
    assert_eq!(failure.path, "appointmentHoldReasons");
    assert_eq!(
        serde_json::from_str::<Value>(failure.raw_json()).unwrap(),
        bad
    );
    assert_eq!(page.total_count, Some(3));
}
