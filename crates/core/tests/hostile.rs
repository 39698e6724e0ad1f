//! Hostile answers from a well-formed server (issue 12): numbers that overflow, waits beyond the
//! budget, tokens that cannot be sent, token endpoint 429s, redirect loops, a custom
//! `http_client` and a custom token provider. Loopback wiremock; waits on paused time.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use secrecy::ExposeSecret;
use servicetitan_core::auth::{AccessToken, AuthError, AuthFailure, TokenProvider};
use servicetitan_core::futures::future::BoxFuture;
use servicetitan_core::retry::RetryPolicy;
use servicetitan_core::Error;
use servicetitan_test_support::*;
use tokio::time::Instant;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const JOB: &str = "/jpm/v2/tenant/42/jobs/1";

async fn api_answering(server: &MockServer, first: ResponseTemplate, n: u64) {
    if n > 0 {
        Mock::given(method("GET"))
            .and(path(JOB))
            .respond_with(first)
            .up_to_n_times(n)
            .mount(server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(JOB))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": 1})))
        .mount(server)
        .await;
}

#[tokio::test(start_paused = true)]
async fn no_retry_after_value_panics_and_huge_ones_fail_now() {
    for value in [
        "1e20",
        "18446744073709551616",
        "99999999999999999999999",
        "1e308",
    ] {
        let server = MockServer::start().await;
        mount_token(&server, TOKEN, 900).await;
        api_answering(
            &server,
            ResponseTemplate::new(429).insert_header("Retry-After", value),
            1,
        )
        .await;
        let client = client(&server);
        let started = Instant::now();
        let err = get_job(&client, 1).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1), "{value}");
        let text = err.to_string();
        assert!(text.contains("retry after"), "{value}: {text}");
        assert_eq!(hits(&server, JOB).await, 1, "{value}");
        // The tenant is not frozen for later calls: the next one goes out at once.
        let started = Instant::now();
        get_job(&client, 1).await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(1), "{value}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_huge_wait_in_a_429_title_fails_now() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    api_answering(
        &server,
        ResponseTemplate::new(429)
            .set_body_json(serde_json::json!({"title": "Try again in 1e30 seconds"})),
        1,
    )
    .await;
    let err = get_job(&client(&server), 1).await.unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::TOO_MANY_REQUESTS));
    assert!(err.api().unwrap().retry_after.is_some());
}

#[tokio::test(start_paused = true)]
async fn a_small_wait_then_a_huge_one_does_not_overflow() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .and(path(JOB))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    api_answering(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", "18446744073709551615"),
        1,
    )
    .await;
    let err = get_job(&client(&server), 1).await.unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(hits(&server, JOB).await, 2);
}

#[tokio::test(start_paused = true)]
async fn a_wait_within_the_budget_still_pauses_the_tenant() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    api_answering(
        &server,
        ResponseTemplate::new(429).insert_header("Retry-After", "20"),
        1,
    )
    .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    get_job(&client, 1).await.unwrap_err();
    let started = Instant::now();
    get_job(&client, 1).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(20) && waited < Duration::from_secs(21),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn huge_token_lifetimes_do_not_panic() {
    for expires_in in [
        serde_json::json!(18446744073709551615u64),
        serde_json::json!("18446744073709551615"),
        serde_json::json!(1e300),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/connect/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"access_token": TOKEN, "expires_in": expires_in}),
            ))
            .mount(&server)
            .await;
        api_answering(&server, ResponseTemplate::new(200), 0).await;
        let client = client(&server);
        get_job(&client, 1).await.unwrap();
        // Clamped to a day: refreshed after it, not never.
        tokio::time::advance(Duration::from_secs(25 * 3600)).await;
        get_job(&client, 1).await.unwrap();
        assert_eq!(hits(&server, "/connect/token").await, 2, "{expires_in}");
    }
}

#[tokio::test(start_paused = true)]
async fn empty_or_unsendable_tokens_are_auth_errors_saying_so() {
    for (token, says) in [
        ("", "empty"),
        ("   ", "empty"),
        ("abc\r\nX-Injected: 1", "not allowed in an HTTP header"),
    ] {
        let server = MockServer::start().await;
        mount_token(&server, token, 900).await;
        api_answering(&server, ResponseTemplate::new(200), 0).await;
        let err = get_job(&client(&server), 1).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::Auth(ref a) if a.reason == AuthFailure::InvalidResponse
            ),
            "{token:?}: {err:?}"
        );
        let text = err.to_string();
        assert!(text.contains(says), "{token:?}: {text}");
        assert!(
            !text.contains("client id and client secret are right"),
            "{text}"
        );
        assert_eq!(
            hits(&server, JOB).await,
            0,
            "nothing is sent with a placeholder"
        );
    }
}

#[tokio::test]
async fn an_app_key_a_header_cannot_carry_fails_the_build() {
    let server = MockServer::start().await;
    // (Surrounding whitespace is the configuration's business; these are inside the key.)
    for key in ["ak1\r\nkey", "ak1\nkey", "ak1\u{0}key", "ak1\u{7f}key"] {
        let err = builder(&server).app_key(key).build().unwrap_err();
        assert!(
            err.to_string().contains("SERVICETITAN_APP_KEY"),
            "{key:?}: {err}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_429_from_the_token_endpoint_is_retried_after_its_wait() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_token(&server, TOKEN, 900).await;
    api_answering(&server, ResponseTemplate::new(200), 0).await;
    let started = Instant::now();
    get_job(&client(&server), 1).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(3) && waited < Duration::from_secs(4),
        "{waited:?}"
    );
    assert_eq!(hits(&server, "/connect/token").await, 2);
}

#[tokio::test(start_paused = true)]
async fn a_token_endpoint_that_keeps_refusing_with_429_says_rate_limited() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .mount(&server)
        .await;
    let err = get_job(&client(&server), 1).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Auth(ref a) if a.reason == AuthFailure::RateLimited
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains("refused"), "{err}");
    assert_eq!(hits(&server, "/connect/token").await, 4);
}

#[tokio::test(start_paused = true)]
async fn a_redirect_loop_ends_with_too_many_redirects() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", JOB))
        .mount(&server)
        .await;
    let err = get_job(&client(&server), 1).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("too many redirects (10)"), "{text}");
    assert!(text.contains("Jobs_Get"), "{text}");
}

#[tokio::test]
async fn a_custom_http_client_keeps_the_redirect_protection() {
    let files = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("file"))
        .mount(&files)
        .await;
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .and(path(JOB))
        .respond_with(
            ResponseTemplate::new(302).insert_header("Location", format!("{}/a.png", files.uri())),
        )
        .mount(&server)
        .await;
    // The user's builder asks reqwest to follow redirects itself; the SDK overrides that.
    let custom = reqwest::Client::builder()
        .pool_idle_timeout(None)
        .redirect(reqwest::redirect::Policy::limited(5));
    let client = builder(&server).http_client(custom).build().unwrap();
    let response = get_job(&client, 1).await.unwrap();
    assert_eq!(response.bytes().await.unwrap(), "file");
    let hop = &files.received_requests().await.unwrap()[0];
    assert!(!hop.headers.contains_key("st-app-key"), "{:?}", hop.headers);
    assert!(!hop.headers.contains_key("authorization"));
}

/// A provider standing for a token shared across processes: hands out `shared-token-N`,
/// counting how often it was asked and told a token was refused.
#[derive(Debug, Default)]
struct SharedToken {
    asked: AtomicUsize,
    refused: AtomicUsize,
}

impl TokenProvider for SharedToken {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        Box::pin(async move {
            let n = self.refused.load(Ordering::SeqCst);
            self.asked.fetch_add(1, Ordering::SeqCst);
            if n >= 2 {
                return Err(AuthError::custom(
                    AuthFailure::Rejected,
                    "the shared cache is empty",
                ));
            }
            Ok(AccessToken::new(format!("shared-token-{n}")))
        })
    }

    fn invalidate(&self, token: &AccessToken) {
        assert!(token.secret().expose_secret().starts_with("shared-token-"));
        self.refused.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test(start_paused = true)]
async fn a_custom_token_provider_is_used_and_told_about_401s() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(JOB))
        .and(header("authorization", "Bearer shared-token-0"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(JOB))
        .and(header("authorization", "Bearer shared-token-1"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let provider = Arc::new(SharedToken::default());
    let client = builder(&server)
        .token_provider(provider.clone())
        .build()
        .unwrap();
    get_job(&client, 1).await.unwrap();
    assert_eq!(provider.asked.load(Ordering::SeqCst), 2);
    assert_eq!(provider.refused.load(Ordering::SeqCst), 1);
    assert_eq!(
        hits(&server, "/connect/token").await,
        0,
        "no client-credentials request"
    );
    assert_eq!(
        client.access_token().await.unwrap().expose_secret(),
        "shared-token-1"
    );
    // Its failures reach the caller as auth errors, not retried when not transient.
    provider.refused.store(2, Ordering::SeqCst);
    let err = get_job(&client, 1).await.unwrap_err();
    assert!(
        err.to_string().contains("the shared cache is empty"),
        "{err}"
    );
}
