//! The `validate` example, run unchanged against a local server configured only through the
//! `SERVICETITAN_*` variables (with the two URL overrides) — once on a healthy API, once on one
//! that first answers 429 with `Retry-After: 1` and then 503.
//!
//! One test per binary: it sets process environment variables.
#![cfg(feature = "jpm")]

#[path = "../examples/validate.rs"]
#[allow(dead_code)]
mod validate;

use std::time::{Duration, Instant};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn validate_succeeds_against_a_local_server_through_429_and_503() {
    let server = MockServer::start().await;
    servicetitan_test_support::mount_token(&server, "tok-1", 900).await;
    let jobs = || path("/jpm/v2/tenant/4321/jobs");
    Mock::given(method("GET"))
        .and(jobs())
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(serde_json::json!({"title": "Too many requests, retry in 1 seconds", "status": 429})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(jobs())
        .respond_with(
            ResponseTemplate::new(503).set_body_string("<html>Service Unavailable</html>"),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(jobs())
        .and(query_param("pageSize", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "page": 1, "pageSize": 1, "hasMore": true, "data": [{"id": 1, "jobNumber": "1"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    // The paged-stream step: pages of 50 until hasMore is false.
    Mock::given(method("GET"))
        .and(jobs())
        .and(query_param("pageSize", "50"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "page": 1, "pageSize": 50, "hasMore": false, "data": [{"id": 1, "jobNumber": "1"}, {"id": 2, "jobNumber": "2"}]
        })))
        .expect(1)
        .mount(&server)
        .await;

    for (k, v) in [
        ("SERVICETITAN_CLIENT_ID", "cid.local"),
        ("SERVICETITAN_CLIENT_SECRET", "cs-local-secret"),
        ("SERVICETITAN_APP_KEY", "ak-local"),
        ("SERVICETITAN_TENANT_ID", "4321"),
        ("SERVICETITAN_AUTH_URL", &server.uri()),
        ("SERVICETITAN_API_URL", &server.uri()),
    ] {
        std::env::set_var(k, v);
    }
    let started = Instant::now();
    let result = validate::run().await;
    assert!(
        result.is_ok(),
        "{:?}",
        result.err().map(|(step, e)| format!("{step}: {e}"))
    );
    // It waited for Retry-After before trying again.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}
