//! Shared setup of the facade crate's integration tests: a local (loopback) wiremock server that
//! answers the token request, a client for tenant 42 pointed at it, and helpers to read back the
//! requests the server received. Each test file compiles this module on its own (`mod support;`),
//! so helpers that only some of them use carry `#[allow(dead_code)]`.

use servicetitan::config::EnvSource;
use servicetitan::{Client, ClientBuilder};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Answers `POST /connect/token` on `server` with the bearer token `tok`, valid for 900 s.
pub async fn mount_token(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"access_token": "tok", "expires_in": 900, "token_type": "Bearer"}),
        ))
        .mount(server)
        .await;
}

/// A started server with the token mock mounted.
pub async fn token_server() -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server).await;
    server
}

/// A builder for tenant 42 with the test credentials, tokens from `auth` and API calls to `api`,
/// no environment variables, no `.env` file and no rate limit (a test may set one).
pub fn builder_for(auth: &str, api: &str) -> ClientBuilder {
    Client::builder()
        .client_id("cid.test")
        .client_secret("cs.secret")
        .app_key("ak.key")
        .tenant_id(42)
        .auth_url(auth)
        .api_url(api)
        .env_source(EnvSource::empty())
        .no_dotenv()
        .rate_limit(None)
}

/// [`builder_for`] with both the token request and the API calls going to `server`.
pub fn client_builder(server: &MockServer) -> ClientBuilder {
    builder_for(&server.uri(), &server.uri())
}

/// A [`token_server`] and a client built by [`client_builder`] for it.
#[allow(dead_code)]
pub async fn setup() -> (MockServer, Client) {
    let server = token_server().await;
    let client = client_builder(&server).build().unwrap();
    (server, client)
}

/// The requests the server received on `route`, in order.
#[allow(dead_code)]
pub async fn requests_to(server: &MockServer, route: &str) -> Vec<Request> {
    let all = server
        .received_requests()
        .await
        .expect("request recording is on");
    all.into_iter().filter(|r| r.url.path() == route).collect()
}

/// The value of query parameter `name` on `request`, if it has one.
#[allow(dead_code)]
pub fn query(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
