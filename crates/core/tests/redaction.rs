//! Servers that echo secrets back (issue 12 point 3): the client secret in the token endpoint's
//! `error_description`, text or HTML; the bearer token (current and previous) and the app key in
//! a problem title, field errors and a raw body; a password in the auth URL. None of them may
//! appear in an error's `Display`/`Debug`, a `Client`/`Transport` `Debug`, or a TRACE log.

use serde_json::json;
use servicetitan_core::retry::RetryPolicy;
use servicetitan_core::Error;
use servicetitan_test_support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const PREVIOUS: &str = "eyJ.previous-token-7777";
const PASSWORD: &str = "proxy-pass-4242";

/// Answers with a response built from the request's `Authorization` and `ST-App-Key`.
struct Echo(fn(&str, &str) -> ResponseTemplate);

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let get = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        (self.0)(&get("authorization"), &get("st-app-key"))
    }
}

fn assert_clean(what: &str, text: &str) {
    for secret in [SECRET, APP_KEY, TOKEN, PREVIOUS, PASSWORD] {
        assert!(!text.contains(secret), "{what} shows {secret}:\n{text}");
    }
}

fn check(what: &str, err: &Error) {
    assert_clean(&format!("{what} Display"), &err.to_string());
    assert_clean(&format!("{what} Debug"), &format!("{err:?}"));
}

async fn token_echoing(body: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(body)
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    get_job(&client, 1).await.unwrap_err()
}

async fn api_echoing(echo: Echo) -> Error {
    let server = MockServer::start().await;
    token_mock(PREVIOUS, 900)
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_token(&server, TOKEN, 900).await;
    // The first call gets a 401: the previous token is replaced by the current one.
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/jobs/1"))
        .respond_with(ResponseTemplate::new(401))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/jobs/1"))
        .respond_with(echo)
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::new().max_attempts(2))
        .build()
        .unwrap();
    let err = get_job(&client, 1).await.unwrap_err();
    // The server echoes the previous token too, on a call made with the current one.
    assert!(err.to_string().contains("[REDACTED]"), "{err}");
    err
}

#[tokio::test(start_paused = true)]
async fn echoed_secrets_never_reach_errors_or_logs() {
    let log = CapturedLog::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let said = format!("client_secret={SECRET} is wrong");
    for (what, body) in [
        (
            "token JSON",
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": "invalid_client", "error_description": said})),
        ),
        (
            "token text",
            ResponseTemplate::new(400).set_body_string(said.clone()),
        ),
        (
            "token HTML",
            ResponseTemplate::new(503)
                .set_body_string(format!("<html><body><p>{said}</p></body></html>")),
        ),
    ] {
        let err = token_echoing(body).await;
        assert!(matches!(err, Error::Auth(_)), "{what}: {err:?}");
        check(what, &err);
    }

    let title = Echo(|auth, key| {
        ResponseTemplate::new(400).set_body_json(json!({
            "title": format!("bad headers {auth} {key} Bearer {PREVIOUS}"),
            "detail": format!("key {key}"),
            "traceId": format!("t-{key}"),
        }))
    });
    check("problem title", &api_echoing(title).await);
    let fields = Echo(|auth, key| {
        ResponseTemplate::new(400).set_body_json(json!({
            "title": "Validation failed",
            "errors": {"Authorization": [auth, PREVIOUS], "ST-App-Key": key},
        }))
    });
    check("field errors", &api_echoing(fields).await);
    // 503 on a GET is retried: the DEBUG retry line sees the echo too.
    let raw = Echo(|auth, key| {
        ResponseTemplate::new(503).set_body_string(format!("<html>{auth} {key} {PREVIOUS}</html>"))
    });
    check("raw body", &api_echoing(raw).await);

    // A password in the auth URL: token errors, the token span, Client and Transport Debug.
    let server = MockServer::start().await;
    let with_password = server
        .uri()
        .replace("http://", &format!("http://user:{PASSWORD}@"));
    let client = builder(&server)
        .auth_url(&with_password)
        .api_url(&with_password)
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    let err = get_job(&client, 1).await.unwrap_err();
    check("auth URL password", &err);
    assert_clean("Client Debug", &format!("{client:?}"));
    assert_clean("Transport Debug", &format!("{:?}", client.transport()));

    drop(_guard);
    let log = log.text();
    assert!(
        log.contains("servicetitan.token") && log.contains("retrying"),
        "{log}"
    );
    assert_clean("TRACE log", &log);
}
