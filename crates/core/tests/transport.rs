//! The pipeline seen from the server: headers on every request, request timeouts; and seen from
//! logs: the request span's fields, DEBUG events for retries and waits, and no secret anywhere in
//! `Debug`, `Display` or TRACE output.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use secrecy::ExposeSecret;
use servicetitan_core::retry::RetryPolicy;
use servicetitan_test_support::*;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn every_request_carries_bearer_app_key_and_user_agent() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/jobs/1"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("st-app-key", APP_KEY))
        .and(header(
            "user-agent",
            concat!("servicetitan-rs/", env!("CARGO_PKG_VERSION")),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    get_job(&client, 1).await.unwrap();
    // A header set by the caller is replaced, not duplicated.
    let parts = client.domain("jpm/v2");
    let mut request = reqwest::Request::new(
        Method::GET,
        format!("{}/tenant/42/jobs/1", parts.base_url)
            .parse()
            .unwrap(),
    );
    request
        .headers_mut()
        .insert("authorization", "Bearer stale".parse().unwrap());
    parts.transport.send(request, &JOBS_GET).await.unwrap();
    server.verify().await;
}

#[tokio::test]
async fn user_agent_suffix_is_appended() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .and(header(
            "user-agent",
            concat!(
                "servicetitan-rs/",
                env!("CARGO_PKG_VERSION"),
                " acme-sync/2.1"
            ),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server)
        .user_agent_suffix("acme-sync/2.1")
        .build()
        .unwrap();
    get_job(&client, 1).await.unwrap();
    server.verify().await;
}

#[tokio::test]
async fn default_request_timeout_applies_and_can_be_changed() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(600)))
        .mount(&server)
        .await;
    // Generous timeout: the slow answer arrives.
    let patient = builder(&server)
        .request_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    assert!(get_job(&patient, 1).await.is_ok());
    // A per-request timeout set by the caller wins over the client's.
    let parts = patient.domain("jpm/v2");
    let mut request = reqwest::Request::new(
        Method::GET,
        format!("{}/tenant/42/jobs/1", parts.base_url)
            .parse()
            .unwrap(),
    );
    *request.timeout_mut() = Some(Duration::from_millis(100));
    let quick = builder(&server)
        .request_timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    // A failure is the typed error itself, straight from the entry point.
    let err = quick
        .domain("jpm/v2")
        .transport
        .send(request, &JOBS_GET)
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

/// Paused time for the call: reqwest's timeout is a tokio timer, so the runtime jumps straight to it while
/// the (real) server is still delaying its answer. Without a default timeout the call would
/// simply succeed after the server's delay.
#[tokio::test]
async fn default_request_timeout_is_120_seconds() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let client = servicetitan_core::Client::builder()
        .client_id(CLIENT_ID)
        .client_secret(SECRET)
        .app_key(APP_KEY)
        .tenant_id(TENANT)
        .auth_url(server.uri())
        .api_url(server.uri())
        .env_source(servicetitan_core::config::EnvSource::empty())
        .no_dotenv()
        .http_client(http())
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    // The token first, on real time (its request has the same timeout).
    client.access_token().await.unwrap();
    tokio::time::pause();
    let start = tokio::time::Instant::now();
    let err = get_job(&client, 1).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(start.elapsed().as_secs(), 120);
    assert_eq!(
        servicetitan_core::client::DEFAULT_REQUEST_TIMEOUT,
        Duration::from_secs(120)
    );
    assert_eq!(
        servicetitan_core::client::DEFAULT_CONNECT_TIMEOUT,
        Duration::from_secs(10)
    );
}

/// A `MakeWriter` collecting everything the fmt subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in [SECRET, APP_KEY, TOKEN, "second-token-3456"] {
        assert!(
            !text.contains(secret),
            "{what} shows a secret ({secret}):\n{text}"
        );
    }
}

/// Runs a session touching every code path that handles secrets, with a TRACE subscriber on
/// this (current-thread) runtime, then checks the log and every `Debug`/`Display` rendering.
#[tokio::test(start_paused = true)]
async fn secrets_never_appear_in_logs_debug_or_errors() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    token_mock(TOKEN, 900).up_to_n_times(1).mount(&server).await;
    mount_token(&server, "second-token-3456", 900).await;
    // 401 (token refresh), then 429 with Retry-After, then 200.
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/jobs/1"))
        .respond_with(ResponseTemplate::new(401))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/jobs/1"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "2"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/jobs/1"))
        .respond_with(ResponseTemplate::new(200).insert_header("x-trace-id", "trace-abc"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/jobs/2"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(serde_json::json!({"title": "Forbidden", "traceId": "t-403"})),
        )
        .mount(&server)
        .await;

    let client = builder(&server).rate_limit(Some(1)).build().unwrap();
    get_job(&client, 1).await.unwrap();
    let forbidden = get_job(&client, 2).await.unwrap_err();
    let token = client.access_token().await.unwrap();
    assert_eq!(token.expose_secret(), "second-token-3456");

    // A refused token request, for the auth error's rendering.
    let refused_server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(serde_json::json!({"error": "invalid_client"})),
        )
        .mount(&refused_server)
        .await;
    let refused = builder(&refused_server).build().unwrap();
    let auth_error = get_job(&refused, 1).await.unwrap_err();

    let builder_debug = format!("{:?}", builder(&server));
    for (what, text) in [
        ("Client Debug", format!("{client:?}")),
        ("Client Debug (alternate)", format!("{client:#?}")),
        ("ClientBuilder Debug", builder_debug),
        ("Config Debug", format!("{:?}", client.config())),
        ("Config Display", client.config().to_string()),
        (
            "DomainParts Debug",
            format!("{:?}", client.domain("jpm/v2")),
        ),
        ("token Debug", format!("{token:?}")),
        ("403 Display", forbidden.to_string()),
        ("403 Debug", format!("{forbidden:?}")),
        ("auth error Display", auth_error.to_string()),
        ("auth error Debug", format!("{auth_error:?}")),
    ] {
        assert_no_secret(what, &text);
    }

    drop(_guard);
    let log = logs.text();
    assert_no_secret("TRACE log", &log);
    // What the log must show: the span's fields, the path template, retries and waits.
    for needle in [
        "servicetitan.request",
        "operation_id=\"Jobs_Get\"",
        "path=\"/tenant/{tenant}/jobs/{id}\"",
        "attempt=3",
        "status=200",
        "trace_id=\"trace-abc\"",
        "trace_id=\"t-403\"",
        "latency_ms=",
        "401: fetching a new access token",
        "retrying",
        "rate limit wait",
        "requesting an access token",
    ] {
        assert!(log.contains(needle), "missing {needle:?} in log:\n{log}");
    }
    // Ids and query values stay out of the span (the template is recorded, not the path).
    assert!(!log.contains("path=\"/jpm/v2/tenant/42/jobs/1\""), "{log}");
}
