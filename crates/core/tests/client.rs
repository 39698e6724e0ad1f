//! Building clients: builder, config, file; tenant handles; domain parts; what clones share.

use secrecy::ExposeSecret;
use servicetitan_core::config::EnvSource;
use servicetitan_core::{Client, Config, Error};
use servicetitan_test_support::*;
use wiremock::MockServer;

#[tokio::test]
async fn builder_resolves_credentials_and_domain_urls() {
    let server = MockServer::start().await;
    let client = client(&server);
    assert_eq!(client.tenant_id(), TENANT);
    assert_eq!(client.config().client_id(), CLIENT_ID);
    let parts = client.domain("/jpm/v2/");
    assert_eq!(parts.base_url, format!("{}/jpm/v2", server.uri()));
    assert_eq!(parts.tenant_id, TENANT);
    assert_eq!(
        client.domain("telecom").base_url,
        format!("{}/telecom", server.uri())
    );
}

#[test]
fn missing_credentials_are_a_config_error() {
    let err = Client::builder()
        .env_source(EnvSource::empty())
        .no_dotenv()
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("SERVICETITAN_CLIENT_ID"), "{err}");
}

#[tokio::test]
async fn from_config_and_from_file() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    let config = Config::builder()
        .client_id(CLIENT_ID)
        .client_secret(SECRET)
        .app_key(APP_KEY)
        .tenant_id(7)
        .auth_url(server.uri())
        .api_url(server.uri())
        .env_source(EnvSource::empty())
        .no_dotenv()
        .resolve()
        .unwrap();
    let client = Client::from_config(config).unwrap();
    assert_eq!(client.tenant_id(), 7);
    assert_eq!(client.access_token().await.unwrap().expose_secret(), TOKEN);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("servicetitan.json");
    std::fs::write(
        &file,
        serde_json::json!({
            "SERVICETITAN_CLIENT_ID": CLIENT_ID,
            "SERVICETITAN_CLIENT_SECRET": SECRET,
            "SERVICETITAN_APP_KEY": APP_KEY,
            "SERVICETITAN_TENANT_ID": "1234567890",
            "SERVICETITAN_API_ENVIRONMENT": "integration",
        })
        .to_string(),
    )
    .unwrap();
    // `Client::from_file` also reads the process environment; the builder form keeps the
    // test hermetic.
    let client = Client::builder()
        .config_file(&file)
        .env_source(EnvSource::empty())
        .no_dotenv()
        .build()
        .unwrap();
    assert_eq!(client.tenant_id(), 1_234_567_890);
    assert_eq!(
        client.domain("jpm/v2").base_url,
        "https://api-integration.servicetitan.io/jpm/v2"
    );
}

#[tokio::test]
async fn clones_share_the_token_cache_and_limiter() {
    let server = MockServer::start().await;
    token_mock(TOKEN, 900).expect(1).mount(&server).await;
    let client = client(&server);
    let clone = client.clone();
    client.access_token().await.unwrap();
    clone.access_token().await.unwrap();
    client.domain("crm/v2");
    assert!(clone.transport().shares_limits_with(client.transport()));
    server.verify().await;
}

#[tokio::test]
async fn tenant_handles_have_their_own_token_and_limiter() {
    let server = MockServer::start().await;
    token_mock(TOKEN, 900).expect(2).mount(&server).await;
    let client = client(&server);
    let other = client.tenant(77);
    assert_eq!(other.tenant_id(), 77);
    assert_eq!(other.domain("jpm/v2").tenant_id, 77);
    assert_eq!(other.config().client_id(), CLIENT_ID);
    client.access_token().await.unwrap();
    other.access_token().await.unwrap();
    other.access_token().await.unwrap();
    assert!(!other.transport().shares_limits_with(client.transport()));
    server.verify().await;
}

#[tokio::test]
async fn tenant_with_other_app_key_has_its_own_limiter() {
    let server = MockServer::start().await;
    let client = client(&server);
    let same_key = Config::builder()
        .client_id("cid.b")
        .client_secret("cs2.b")
        .app_key(APP_KEY)
        .tenant_id(TENANT)
        .env_source(EnvSource::empty())
        .no_dotenv()
        .resolve()
        .unwrap();
    let other_key = Config::builder()
        .client_id("cid.c")
        .client_secret("cs2.c")
        .app_key("ak1.another-app")
        .tenant_id(TENANT)
        .env_source(EnvSource::empty())
        .no_dotenv()
        .resolve()
        .unwrap();
    // Same app key and tenant: ServiceTitan counts them together, so does the client.
    assert!(client
        .tenant_with(same_key)
        .transport()
        .shares_limits_with(client.transport()));
    assert!(!client
        .tenant_with(other_key)
        .transport()
        .shares_limits_with(client.transport()));
}

#[test]
fn a_user_agent_suffix_a_header_cannot_carry_is_an_invalid_setting() {
    let local = "http://127.0.0.1:9";
    let err = builder_for(local, local)
        .user_agent_suffix("acme\r\nX-Injected: 1")
        .build()
        .unwrap_err();
    let Error::InvalidSetting { name, reason } = &err else {
        panic!("expected InvalidSetting, got {err:?}")
    };
    assert!(name.contains("user agent suffix"), "{name}");
    assert!(reason.contains("not allowed in an HTTP header"), "{reason}");
}
