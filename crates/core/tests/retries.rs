//! Retry rules: 429 waits (Retry-After seconds, HTTP date, title), 5xx for idempotent calls,
//! POST only when opted in, 409 on report data, bounds, streaming bodies, timeouts.
//! Waits run on paused tokio time; the server is a loopback wiremock.

use std::time::{Duration, SystemTime};

use reqwest::Method;
use servicetitan_core::retry::RetryPolicy;
use servicetitan_core::Error;
use servicetitan_test_support::*;
use tokio::time::Instant;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const JOB: &str = "/jpm/v2/tenant/42/jobs/1";

/// Mounts `first` for the first `n` calls to `p`, then 200.
async fn fail_then_ok(server: &MockServer, verb: &str, p: &str, first: ResponseTemplate, n: u64) {
    Mock::given(method(verb))
        .and(path(p))
        .respond_with(first)
        .up_to_n_times(n)
        .mount(server)
        .await;
    Mock::given(method(verb))
        .and(path(p))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .mount(server)
        .await;
}

async fn setup() -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    server
}

#[tokio::test(start_paused = true)]
async fn too_many_requests_waits_retry_after_seconds() {
    let server = setup().await;
    fail_then_ok(
        &server,
        "GET",
        JOB,
        ResponseTemplate::new(429).insert_header("Retry-After", "7"),
        1,
    )
    .await;
    let client = client(&server);

    let start = Instant::now();
    get_job(&client, 1).await.unwrap();
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(7) && waited < Duration::from_secs(8),
        "{waited:?}"
    );
    assert_eq!(hits(&server, JOB).await, 2);
}

#[tokio::test(start_paused = true)]
async fn too_many_requests_waits_until_retry_after_date() {
    let server = setup().await;
    let at = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(20));
    fail_then_ok(
        &server,
        "GET",
        JOB,
        ResponseTemplate::new(429).insert_header("Retry-After", at.as_str()),
        1,
    )
    .await;
    let client = client(&server);

    let start = Instant::now();
    get_job(&client, 1).await.unwrap();
    let waited = start.elapsed();
    // HTTP dates have one-second resolution.
    assert!(
        waited >= Duration::from_secs(18) && waited <= Duration::from_secs(21),
        "{waited:?}"
    );
    assert_eq!(hits(&server, JOB).await, 2);
}

#[tokio::test(start_paused = true)]
async fn too_many_requests_waits_the_seconds_in_the_title() {
    let server = setup().await;
    let body = serde_json::json!({
        "type": "https://tools.ietf.org/html/rfc6585#section-4",
        "title": "Rate limit is exceeded. Try again in 12 seconds.",
        "status": 429,
    });
    fail_then_ok(
        &server,
        "GET",
        JOB,
        ResponseTemplate::new(429).set_body_json(body),
        1,
    )
    .await;
    let client = client(&server);

    let start = Instant::now();
    get_job(&client, 1).await.unwrap();
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(12) && waited < Duration::from_secs(13),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn too_many_requests_without_hint_backs_off() {
    let server = setup().await;
    fail_then_ok(&server, "GET", JOB, ResponseTemplate::new(429), 1).await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::new().backoff(Duration::from_secs(2), Duration::from_secs(10)))
        .build()
        .unwrap();
    let start = Instant::now();
    get_job(&client, 1).await.unwrap();
    let waited = start.elapsed();
    // Equal jitter: between half and all of the first backoff.
    assert!(
        waited >= Duration::from_secs(1) && waited <= Duration::from_millis(2100),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn too_many_requests_is_retried_for_post_too() {
    let server = setup().await;
    fail_then_ok(
        &server,
        "POST",
        "/jpm/v2/tenant/42/jobs",
        ResponseTemplate::new(429).insert_header("Retry-After", "1"),
        1,
    )
    .await;
    let client = client(&server);
    call(&client, &JOBS_CREATE, Method::POST, "/tenant/42/jobs")
        .await
        .unwrap();
    assert_eq!(hits(&server, "/jpm/v2/tenant/42/jobs").await, 2);
}

#[tokio::test(start_paused = true)]
async fn service_unavailable_then_ok() {
    let server = setup().await;
    fail_then_ok(&server, "GET", JOB, ResponseTemplate::new(503), 1).await;
    let client = client(&server);
    let response = get_job(&client, 1).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(hits(&server, JOB).await, 2);
}

#[tokio::test(start_paused = true)]
async fn gateway_errors_are_retried_until_attempts_run_out() {
    let server = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::new().max_attempts(3))
        .build()
        .unwrap();
    let err = get_job(&client, 1).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(hits(&server, JOB).await, 3);
}

#[tokio::test(start_paused = true)]
async fn a_wait_beyond_the_time_budget_is_not_waited_for() {
    let server = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "600"))
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::new().max_elapsed(Duration::from_secs(300)))
        .build()
        .unwrap();
    let start = Instant::now();
    let err = get_job(&client, 1).await.unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(hits(&server, JOB).await, 1);
    assert_eq!(
        err.api().unwrap().retry_after,
        Some(Duration::from_secs(600))
    );
}

#[tokio::test(start_paused = true)]
async fn post_is_not_retried_on_5xx_by_default() {
    let server = setup().await;
    fail_then_ok(
        &server,
        "POST",
        "/jpm/v2/tenant/42/jobs",
        ResponseTemplate::new(503),
        1,
    )
    .await;
    let client = client(&server);
    let err = call(&client, &JOBS_CREATE, Method::POST, "/tenant/42/jobs")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(hits(&server, "/jpm/v2/tenant/42/jobs").await, 1);
}

#[tokio::test(start_paused = true)]
async fn post_is_retried_when_the_client_opts_in() {
    let server = setup().await;
    fail_then_ok(
        &server,
        "POST",
        "/jpm/v2/tenant/42/jobs",
        ResponseTemplate::new(503),
        1,
    )
    .await;
    let client = builder(&server).retry_non_idempotent(true).build().unwrap();
    call(&client, &JOBS_CREATE, Method::POST, "/tenant/42/jobs")
        .await
        .unwrap();
    assert_eq!(hits(&server, "/jpm/v2/tenant/42/jobs").await, 2);
}

#[tokio::test(start_paused = true)]
async fn post_is_retried_for_an_allow_listed_operation() {
    let server = setup().await;
    fail_then_ok(
        &server,
        "POST",
        "/jpm/v2/tenant/42/jobs",
        ResponseTemplate::new(504),
        1,
    )
    .await;
    let client = builder(&server)
        .retry_operation("Jobs_Create")
        .build()
        .unwrap();
    call(&client, &JOBS_CREATE, Method::POST, "/tenant/42/jobs")
        .await
        .unwrap();
    assert_eq!(hits(&server, "/jpm/v2/tenant/42/jobs").await, 2);

    let other = builder(&server)
        .retry_operation("Something_Else")
        .build()
        .unwrap();
    fail_then_ok(
        &server,
        "POST",
        "/jpm/v2/tenant/42/other",
        ResponseTemplate::new(504),
        1,
    )
    .await;
    call(&other, &JOBS_CREATE, Method::POST, "/tenant/42/other")
        .await
        .unwrap_err();
    assert_eq!(hits(&server, "/jpm/v2/tenant/42/other").await, 1);
}

#[tokio::test(start_paused = true)]
async fn post_is_retried_with_a_per_request_option_in_a_spawned_task() {
    let server = setup().await;
    fail_then_ok(
        &server,
        "POST",
        "/jpm/v2/tenant/42/jobs",
        ResponseTemplate::new(503),
        1,
    )
    .await;
    // The opt-in travels with the handle, so it holds in a spawned task too.
    let client = client(&server)
        .with_options(servicetitan_core::RequestOptions::new().retry_non_idempotent());
    tokio::spawn(async move { call(&client, &JOBS_CREATE, Method::POST, "/tenant/42/jobs").await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hits(&server, "/jpm/v2/tenant/42/jobs").await, 2);
}

#[tokio::test(start_paused = true)]
async fn conflict_is_retried_on_report_data_only() {
    let server = setup().await;
    let report = "/jpm/v2/tenant/42/report-category/operations/reports/175/data";
    fail_then_ok(&server, "POST", report, ResponseTemplate::new(409), 1).await;
    let client = builder(&server).report_rate_limit(None).build().unwrap();
    call(
        &client,
        &REPORT_DATA,
        Method::POST,
        "/tenant/42/report-category/operations/reports/175/data",
    )
    .await
    .unwrap();
    assert_eq!(hits(&server, report).await, 2);

    fail_then_ok(
        &server,
        "PUT",
        "/jpm/v2/tenant/42/jobs/9",
        ResponseTemplate::new(409),
        1,
    )
    .await;
    let err = call(&client, &JOBS_GET, Method::PUT, "/tenant/42/jobs/9")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(hits(&server, "/jpm/v2/tenant/42/jobs/9").await, 1);
}

#[tokio::test(start_paused = true)]
async fn other_client_errors_are_never_retried() {
    let server = setup().await;
    for status in [400u16, 403, 404, 422] {
        let p = format!("/jpm/v2/tenant/42/jobs/{status}");
        Mock::given(method("GET"))
            .and(path(p.as_str()))
            .respond_with(ResponseTemplate::new(status))
            .mount(&server)
            .await;
        let client = client(&server);
        let err = get_job(&client, status as u64).await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(hits(&server, &p).await, 1, "{status}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_streaming_body_is_sent_once() {
    let server = setup().await;
    fail_then_ok(
        &server,
        "PUT",
        "/jpm/v2/tenant/42/jobs/1",
        ResponseTemplate::new(503),
        1,
    )
    .await;
    let client = client(&server);
    let parts = client.domain("jpm/v2");
    let mut request = reqwest::Request::new(
        Method::PUT,
        format!("{}/tenant/42/jobs/1", parts.base_url)
            .parse()
            .unwrap(),
    );
    let chunks: Vec<Result<&'static str, std::io::Error>> = vec![Ok("{"), Ok("}")];
    *request.body_mut() = Some(reqwest::Body::wrap_stream(futures::stream::iter(chunks)));
    let err = parts.transport.send(request, &JOBS_GET).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err:?}");
    assert_eq!(hits(&server, "/jpm/v2/tenant/42/jobs/1").await, 1);
}

/// Real (short) time: reqwest's timeout is a tokio timer that paused time would fire at once.
#[tokio::test]
async fn a_timeout_is_a_timeout_error() {
    let server = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let client = builder(&server)
        .request_timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    let err = get_job(&client, 1).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(matches!(err, Error::Timeout { .. }));
    assert!(err.to_string().contains("request_timeout"), "{err}");
}

#[tokio::test]
async fn a_timed_out_get_is_retried() {
    let server = setup().await;
    fail_then_ok(
        &server,
        "GET",
        JOB,
        ResponseTemplate::new(200).set_delay(Duration::from_secs(3)),
        1,
    )
    .await;
    let client = builder(&server)
        .request_timeout(Duration::from_millis(300))
        .retry_policy(
            RetryPolicy::new().backoff(Duration::from_millis(10), Duration::from_millis(20)),
        )
        .build()
        .unwrap();
    get_job(&client, 1).await.unwrap();
    assert_eq!(hits(&server, JOB).await, 2);
}

#[tokio::test]
async fn a_timed_out_post_is_not_retried() {
    let server = setup().await;
    fail_then_ok(
        &server,
        "POST",
        "/jpm/v2/tenant/42/jobs",
        ResponseTemplate::new(200).set_delay(Duration::from_secs(3)),
        1,
    )
    .await;
    let client = builder(&server)
        .request_timeout(Duration::from_millis(300))
        .retry_policy(
            RetryPolicy::new().backoff(Duration::from_millis(10), Duration::from_millis(20)),
        )
        .build()
        .unwrap();
    let err = call(&client, &JOBS_CREATE, Method::POST, "/tenant/42/jobs")
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(hits(&server, "/jpm/v2/tenant/42/jobs").await, 1);
}

#[tokio::test]
async fn refused_connections_are_retried_then_reported() {
    let server = setup().await;
    // Token from the mock server, API on a port where nothing listens.
    let client = builder(&server)
        .api_url("http://127.0.0.1:1")
        .retry_policy(
            RetryPolicy::new()
                .max_attempts(3)
                .backoff(Duration::from_millis(5), Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    let err = get_job(&client, 1).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                failure: servicetitan_core::error::TransportFailure::Connect,
                attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("Jobs_Get"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_failing_token_endpoint_is_retried_before_the_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("POST"))
        .and(path("/jpm/v2/tenant/42/jobs"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    // Even a POST: the API had not been called when the token request failed.
    let client = client(&server);
    call(&client, &JOBS_CREATE, Method::POST, "/tenant/42/jobs")
        .await
        .unwrap();
    assert_eq!(hits(&server, "/connect/token").await, 2);
    assert_eq!(hits(&server, "/jpm/v2/tenant/42/jobs").await, 1);
}

#[tokio::test(start_paused = true)]
async fn a_refused_token_request_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(ResponseTemplate::new(400))
        .mount(&server)
        .await;
    let err = get_job(&client(&server), 1).await.unwrap_err();
    assert!(matches!(err, Error::Auth(_)));
    assert_eq!(hits(&server, "/connect/token").await, 1);
}

#[tokio::test(start_paused = true)]
async fn the_allow_list_takes_rust_method_names_too() {
    let server = setup().await;
    fail_then_ok(
        &server,
        "POST",
        "/jpm/v2/tenant/42/jobs",
        ResponseTemplate::new(503),
        1,
    )
    .await;
    let client = builder(&server)
        .retry_operation("jobs_create")
        .build()
        .unwrap();
    call(&client, &JOBS_CREATE, Method::POST, "/tenant/42/jobs")
        .await
        .unwrap();
    assert_eq!(hits(&server, "/jpm/v2/tenant/42/jobs").await, 2);
}
