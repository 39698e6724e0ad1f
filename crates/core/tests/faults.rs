//! Broken servers at the socket level (issue 12): bodies that fail mid-way are retried and named,
//! endless bodies are not read whole, silence ends within the retry budget. Real (short) time: a
//! loopback TCP server from `servicetitan_test_support::raw`, the token from a loopback wiremock.

use std::time::{Duration, Instant};

use servicetitan_core::error::{BodyFailure, TransportFailure};
use servicetitan_core::retry::RetryPolicy;
use servicetitan_core::Error;
use servicetitan_test_support::raw::{short_body, Fault, FaultServer};
use servicetitan_test_support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const OK: &str = r#"{"id": 1}"#;

async fn token_server() -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    server
}

/// A client whose token comes from `tokens` and whose API is `api`.
fn against(tokens: &MockServer, api: &FaultServer) -> servicetitan_core::ClientBuilder {
    builder(tokens)
        .api_url(&api.url)
        .request_timeout(Duration::from_millis(500))
        .retry_policy(
            RetryPolicy::new()
                .max_attempts(3)
                .backoff(Duration::from_millis(5), Duration::from_millis(10)),
        )
}

fn body_failure(err: &Error) -> Option<BodyFailure> {
    match err {
        Error::Transport {
            failure: TransportFailure::Body(kind),
            ..
        } => Some(*kind),
        _ => None,
    }
}

#[tokio::test]
async fn a_truncated_body_is_retried_and_then_succeeds() {
    let tokens = token_server().await;
    let api = FaultServer::start(vec![
        Fault::Raw(short_body(100, r#"{"id": "#)),
        Fault::Ok(OK),
    ])
    .await;
    let response = get_job(&against(&tokens, &api).build().unwrap(), 1)
        .await
        .unwrap();
    assert_eq!(response.bytes().await.unwrap(), OK);
    assert_eq!(api.connections(), 2);
}

#[tokio::test]
async fn a_body_that_is_always_cut_short_says_so() {
    let tokens = token_server().await;
    let api = FaultServer::start(vec![Fault::Raw(short_body(100, r#"{"id": "#))]).await;
    let err = get_job(&against(&tokens, &api).build().unwrap(), 1)
        .await
        .unwrap_err();
    assert_eq!(body_failure(&err), Some(BodyFailure::Truncated), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("cut short") && text.contains("Jobs_Get"),
        "{text}"
    );
    assert!(text.contains("after 3 attempts"), "{text}");
    assert_eq!(api.connections(), 3);
}

#[tokio::test]
async fn a_reset_mid_body_is_retried_and_named() {
    let tokens = token_server().await;
    let api = FaultServer::start(vec![
        Fault::ResetAfter(short_body(100, r#"{"id": "#)),
        Fault::Ok(OK),
    ])
    .await;
    let client = against(&tokens, &api).build().unwrap();
    get_job(&client, 1).await.unwrap();
    assert_eq!(api.connections(), 2);

    let always = FaultServer::start(vec![Fault::ResetAfter(short_body(100, "{"))]).await;
    let err = get_job(&against(&tokens, &always).build().unwrap(), 1)
        .await
        .unwrap_err();
    // Some platforms report the RST as an early end of the body; either is named.
    let kind = body_failure(&err);
    assert!(
        matches!(kind, Some(BodyFailure::Reset | BodyFailure::Truncated)),
        "{err:?}"
    );
    assert!(
        !err.to_string().contains("error decoding response body"),
        "{err}"
    );
}

#[tokio::test]
async fn a_stalled_body_is_retried_then_reported_as_stalled() {
    let tokens = token_server().await;
    let api =
        FaultServer::start(vec![Fault::StallAfter(short_body(100, "{")), Fault::Ok(OK)]).await;
    get_job(&against(&tokens, &api).build().unwrap(), 1)
        .await
        .unwrap();
    assert_eq!(api.connections(), 2);

    let stalled = FaultServer::start(vec![Fault::StallAfter(short_body(100, "{"))]).await;
    let client = against(&tokens, &stalled)
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    let err = get_job(&client, 1).await.unwrap_err();
    assert_eq!(body_failure(&err), Some(BodyFailure::Stalled), "{err:?}");
    assert!(err.to_string().contains("stalled"), "{err}");
}

#[tokio::test]
async fn a_post_whose_body_fails_is_not_repeated() {
    let tokens = token_server().await;
    let api = FaultServer::start(vec![Fault::Raw(short_body(100, "{")), Fault::Ok(OK)]).await;
    let client = against(&tokens, &api).build().unwrap();
    let err = call(
        &client,
        &JOBS_CREATE,
        reqwest::Method::POST,
        "/tenant/42/jobs",
    )
    .await
    .unwrap_err();
    assert_eq!(body_failure(&err), Some(BodyFailure::Truncated), "{err:?}");
    assert_eq!(api.connections(), 1);
}

#[tokio::test]
async fn an_endless_error_body_is_not_read_whole() {
    let tokens = token_server().await;
    let api = FaultServer::start(vec![Fault::Endless(502)]).await;
    let client = against(&tokens, &api)
        .request_timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = get_job(&client, 1).await.unwrap_err();
    // Read whole, the body never ends: the call would last until the request timeout.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let api_err = err.api().expect("the 502 is reported");
    assert_eq!(api_err.status, 502);
    assert!(api_err.raw_body.as_ref().unwrap().len() <= 4100);
}

#[tokio::test]
async fn an_endless_success_body_hits_the_cap() {
    let tokens = token_server().await;
    let api = FaultServer::start(vec![Fault::Endless(200)]).await;
    let client = against(&tokens, &api)
        .request_timeout(Duration::from_secs(20))
        .max_response_bytes(1024 * 1024)
        .build()
        .unwrap();
    let err = get_job(&client, 1).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                limit: 1_048_576,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("Jobs_Get") && text.contains("1048576"),
        "{text}"
    );
    assert_eq!(api.connections(), 1, "a too-large body is not retried");
}

#[tokio::test]
async fn a_server_that_never_answers_ends_within_the_budget() {
    let tokens = token_server().await;
    let api = FaultServer::start(vec![Fault::Silent]).await;
    let client = against(&tokens, &api)
        .request_timeout(Duration::from_millis(600))
        .retry_policy(
            RetryPolicy::new()
                .max_elapsed(Duration::from_millis(1500))
                .backoff(Duration::from_millis(5), Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let err = get_job(&client, 1).await.unwrap_err();
    let took = started.elapsed();
    // Unbounded, 4 attempts of 600 ms would take 2.4 s.
    assert!(took < Duration::from_millis(1900), "{took:?}");
    assert!(err.is_timeout(), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("Jobs_Get") && text.contains("retry budget"),
        "{text}"
    );
}

#[tokio::test]
async fn a_hung_token_endpoint_ends_within_the_budget_as_a_timeout() {
    let hung = FaultServer::start(vec![Fault::Silent]).await;
    let api = MockServer::start().await;
    let client = builder(&api)
        .auth_url(&hung.url)
        .request_timeout(Duration::from_millis(400))
        .retry_policy(
            RetryPolicy::new()
                .max_elapsed(Duration::from_millis(1000))
                .backoff(Duration::from_millis(5), Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let err = get_job(&client, 1).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(1400),
        "{:?}",
        started.elapsed()
    );
    let text = err.to_string();
    assert!(text.contains("timed out"), "{text}");
    assert!(!text.contains("could not reach"), "{text}");
}

#[tokio::test]
async fn a_token_answer_cut_short_is_a_named_failure() {
    let api = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/jobs/1"))
        .respond_with(ResponseTemplate::new(200).set_body_string(OK))
        .mount(&api)
        .await;
    let tokens = FaultServer::start(vec![
        Fault::Raw(short_body(200, r#"{"access_token": "#)),
        Fault::Ok(r#"{"access_token": "tok-after-retry", "expires_in": 900}"#),
    ])
    .await;
    let client = builder(&api)
        .auth_url(&tokens.url)
        .request_timeout(Duration::from_millis(500))
        .retry_policy(
            RetryPolicy::new().backoff(Duration::from_millis(5), Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    get_job(&client, 1).await.unwrap();
    assert_eq!(tokens.connections(), 2);
}
