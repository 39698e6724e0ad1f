//! OAuth2 client-credentials: single flight, caching and expiry, 401 refresh, Enterprise Hub,
//! actionable token errors. Loopback wiremock only.

use std::time::Duration;

use secrecy::ExposeSecret;
use servicetitan_core::error::AuthFailure;
use servicetitan_core::Error;
use servicetitan_test_support::*;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn mount_job(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(format!("/jpm/v2/tenant/{TENANT}/jobs/1")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": 1})))
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_concurrent_first_calls_make_one_token_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": TOKEN, "expires_in": 900, "token_type": "Bearer"}))
                .set_delay(Duration::from_millis(200)),
        )
        .expect(1)
        .mount(&server)
        .await;
    mount_job(&server).await;
    let client = client(&server);

    let calls = (0..100).map(|_| {
        // Every call through its own clone: clones share the token cache.
        let client = client.clone();
        tokio::spawn(async move { get_job(&client, 1).await.map(|r| r.status()) })
    });
    for result in futures::future::join_all(calls).await {
        assert_eq!(result.unwrap().unwrap(), 200);
    }
    assert_eq!(
        hits(&server, &format!("/jpm/v2/tenant/{TENANT}/jobs/1")).await,
        100
    );
    server.verify().await;
}

#[tokio::test]
async fn token_request_is_client_credentials_form() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    let client = client(&server);
    let token = client.access_token().await.unwrap();
    assert_eq!(token.expose_secret(), TOKEN);

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let body = String::from_utf8(requests[0].body.clone()).unwrap();
    assert_eq!(
        requests[0].headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert!(body.contains("grant_type=client_credentials"), "{body}");
    assert!(body.contains(&format!("client_id={CLIENT_ID}")), "{body}");
    assert!(
        body.contains("client_secret=cs2.super-secret-value-1234"),
        "{body}"
    );
    // Not Enterprise Hub: no tenant in the token request.
    assert!(!body.contains("tenant="), "{body}");
}

#[tokio::test(start_paused = true)]
async fn token_is_cached_until_expiry_minus_margin() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    mount_job(&server).await;
    let client = builder(&server)
        .token_refresh_margin(Duration::from_secs(60))
        .build()
        .unwrap();

    get_job(&client, 1).await.unwrap();
    assert_eq!(hits(&server, "/connect/token").await, 1);

    // 900 s lifetime − 60 s margin: reused until 840 s.
    tokio::time::advance(Duration::from_secs(839)).await;
    get_job(&client, 1).await.unwrap();
    assert_eq!(hits(&server, "/connect/token").await, 1);

    tokio::time::advance(Duration::from_secs(2)).await;
    get_job(&client, 1).await.unwrap();
    assert_eq!(hits(&server, "/connect/token").await, 2);
}

#[tokio::test(start_paused = true)]
async fn short_lifetime_uses_at_most_half_as_margin() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 60).await;
    // A 120 s margin on a 60 s token would mean fetching a token for every call.
    let client = builder(&server)
        .token_refresh_margin(Duration::from_secs(120))
        .build()
        .unwrap();

    client.access_token().await.unwrap();
    tokio::time::advance(Duration::from_secs(29)).await;
    client.access_token().await.unwrap();
    assert_eq!(hits(&server, "/connect/token").await, 1);
    tokio::time::advance(Duration::from_secs(2)).await;
    client.access_token().await.unwrap();
    assert_eq!(hits(&server, "/connect/token").await, 2);
}

#[tokio::test]
async fn unauthorized_refreshes_the_token_and_retries_once() {
    let server = MockServer::start().await;
    // First token "old", then "new".
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": "old", "expires_in": 900})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_token(&server, "new", 900).await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer old"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer new"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": 1})))
        .mount(&server)
        .await;
    let client = client(&server);

    let response = get_job(&client, 1).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(hits(&server, "/connect/token").await, 2);
    assert_eq!(
        hits(&server, &format!("/jpm/v2/tenant/{TENANT}/jobs/1")).await,
        2
    );
    // The new token stays cached.
    get_job(&client, 1).await.unwrap();
    assert_eq!(hits(&server, "/connect/token").await, 2);
}

#[tokio::test]
async fn persistent_unauthorized_is_retried_only_once() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let client = client(&server);

    let err = get_job(&client, 1).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(
        hits(&server, &format!("/jpm/v2/tenant/{TENANT}/jobs/1")).await,
        2
    );
    assert_eq!(hits(&server, "/connect/token").await, 2);
    let text = err.to_string();
    assert!(text.contains("client id and secret"), "{text}");
}

#[tokio::test]
async fn enterprise_hub_names_the_tenant_and_each_tenant_has_its_own_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .and(body_string_contains(format!("tenant={TENANT}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": "tok-42", "expires_in": 900})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .and(body_string_contains("tenant=77"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": "tok-77", "expires_in": 900})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).enterprise_hub(true).build().unwrap();
    let other = client.tenant(77);
    assert_eq!(other.tenant_id(), 77);
    assert_eq!(client.tenant_id(), TENANT);

    assert_eq!(
        client.access_token().await.unwrap().expose_secret(),
        "tok-42"
    );
    assert_eq!(
        other.access_token().await.unwrap().expose_secret(),
        "tok-77"
    );
    // Both cached independently.
    assert_eq!(
        client.access_token().await.unwrap().expose_secret(),
        "tok-42"
    );
    assert_eq!(
        other.access_token().await.unwrap().expose_secret(),
        "tok-77"
    );
    server.verify().await;
}

#[tokio::test]
async fn tenant_with_uses_its_own_credentials() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    let client = client(&server);
    let config = servicetitan_core::Config::builder()
        .client_id("cid.other")
        .client_secret("cs2.other-secret")
        .app_key(APP_KEY)
        .tenant_id(500)
        .auth_url(server.uri())
        .api_url(server.uri())
        .env_source(servicetitan_core::config::EnvSource::empty())
        .no_dotenv()
        .resolve()
        .unwrap();
    let other = client.tenant_with(config);
    client.access_token().await.unwrap();
    other.access_token().await.unwrap();
    let bodies: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| String::from_utf8(r.body.clone()).unwrap())
        .collect();
    assert_eq!(bodies.len(), 2);
    assert!(bodies[1].contains("client_id=cid.other"), "{bodies:?}");
    assert_eq!(other.tenant_id(), 500);
}

#[tokio::test]
async fn refused_credentials_give_an_actionable_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(serde_json::json!({"error": "invalid_client"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);

    // Through a call: the API is never reached, the typed error comes back through `?`.
    let err = get_job(&client, 1).await.unwrap_err();
    match &err {
        Error::Auth(auth) => {
            assert_eq!(auth.reason, AuthFailure::Rejected);
            assert_eq!(auth.status.map(|s| s.as_u16()), Some(400));
            assert_eq!(auth.detail.as_deref(), Some("invalid_client"));
        }
        other => panic!("expected an auth error, got {other:?}"),
    }
    let text = err.to_string();
    for needle in [
        "invalid_client",
        "client id and client secret",
        "SERVICETITAN_CLIENT_ID",
        "Settings → Integrations → API Application Access",
        "production environment",
        "per environment",
        "the app key is not",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in: {text}");
    }
    assert!(!text.contains(SECRET));
    assert_eq!(
        hits(&server, &format!("/jpm/v2/tenant/{TENANT}/jobs/1")).await,
        0
    );
}

#[tokio::test]
async fn waiting_callers_share_a_failed_token_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(ResponseTemplate::new(401).set_delay(Duration::from_millis(100)))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let results = futures::future::join_all((0..20).map(|_| client.access_token())).await;
    for result in results {
        assert!(matches!(
            result,
            Err(Error::Auth(a)) if a.reason == AuthFailure::Rejected
        ));
    }
    server.verify().await;
}

#[tokio::test]
async fn unreachable_token_endpoint_is_an_auth_error() {
    // Nothing listens on loopback port 1: the connection is refused.
    let api = MockServer::start().await;
    let client = builder(&api)
        .auth_url("http://127.0.0.1:1")
        .build()
        .unwrap();
    let err = client.access_token().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Auth(ref a) if a.reason == AuthFailure::Unreachable
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("could not reach"), "{err}");
}

#[tokio::test]
async fn token_response_without_token_is_invalid() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>login</html>"))
        .mount(&server)
        .await;
    let err = client(&server).access_token().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Auth(ref a) if a.reason == AuthFailure::InvalidResponse
        ),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_early_refresh_keeps_the_current_token_until_it_expires() {
    let server = MockServer::start().await;
    token_mock(TOKEN, 900).up_to_n_times(1).mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = builder(&server)
        .token_refresh_margin(Duration::from_secs(60))
        .build()
        .unwrap();
    client.access_token().await.unwrap();
    // In the refresh window: the refresh fails, the current token is still valid.
    tokio::time::advance(Duration::from_secs(850)).await;
    assert_eq!(client.access_token().await.unwrap().expose_secret(), TOKEN);
    // Past expiry: the failure is reported.
    tokio::time::advance(Duration::from_secs(60)).await;
    let err = client.access_token().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Auth(ref a) if a.reason == AuthFailure::ServerError
        ),
        "{err:?}"
    );
}
