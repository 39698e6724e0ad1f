//! Per-request options on a generated domain client: `jpm.with_options(…)` opts one handle into
//! retrying a non-idempotent call, visibly at the call site and inside a spawned task; the
//! client's other handles keep the default (no retry of a POST after a 503).
#![cfg(feature = "jpm")]

use servicetitan::prelude::*;
use servicetitan::transport::RequestOptions;
use servicetitan_test_support::{requests_to, setup};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const DETACH: &str = "/jpm/v2/tenant/42/projects/detach-job/7";

async fn fail_once(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(DETACH))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(DETACH))
        .respond_with(ResponseTemplate::new(200))
        .mount(server)
        .await;
}

#[tokio::test]
async fn with_options_retries_a_post_in_a_spawned_task() {
    let (server, client) = setup().await;
    fail_once(&server).await;
    let jpm = client
        .jpm()
        .with_options(RequestOptions::new().retry_non_idempotent());
    tokio::spawn(async move { jpm.projects_detach_job(7).send().await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(requests_to(&server, DETACH).await.len(), 2);
}

#[tokio::test]
async fn without_options_a_post_is_sent_once() {
    let (server, client) = setup().await;
    fail_once(&server).await;
    let err = client
        .jpm()
        .projects_detach_job(7)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(requests_to(&server, DETACH).await.len(), 1);
}
