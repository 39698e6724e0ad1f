//! Test clients: the test credentials for tenant [`TENANT`](crate::TENANT), URLs of a mock,
//! nothing read from the process environment or a `.env` file.

use servicetitan_core::config::EnvSource;
use servicetitan_core::{Client, ClientBuilder};
use wiremock::MockServer;

/// A builder for tenant 42 with the test credentials, tokens from `auth` and API calls to
/// `api`, no environment variables, no `.env` file and no rate limit (a test may set one).
pub fn builder_for(auth: &str, api: &str) -> ClientBuilder {
    Client::builder()
        .client_id(crate::CLIENT_ID)
        .client_secret(crate::SECRET)
        .app_key(crate::APP_KEY)
        .tenant_id(crate::TENANT)
        .auth_url(auth)
        .api_url(api)
        .env_source(EnvSource::empty())
        .no_dotenv()
        .rate_limit(None)
}

/// [`builder_for`] the server (tokens and API both), with the paused-time HTTP client
/// ([`http`]) and no request timeout, so that the same builder serves tests on paused time.
pub fn builder(server: &MockServer) -> ClientBuilder {
    builder_for(&server.uri(), &server.uri())
        .http_client(http())
        .request_timeout(None)
}

/// [`builder`], built.
pub fn client(server: &MockServer) -> Client {
    builder(server)
        .build()
        .expect("the test configuration is complete")
}

/// A [`token_server`](crate::token_server) and a [`client`] for it.
pub async fn setup() -> (MockServer, Client) {
    let server = crate::token_server().await;
    let client = client(&server);
    (server, client)
}

/// The HTTP client for paused tokio time: a connection pool without idle timers, since with
/// paused time a pending timer makes the runtime jump ahead while a request waits for the
/// (real) loopback server. Redirects and `Referer` are off, as in the SDK's own client.
///
/// Generic over what [`ClientBuilder::http_client`] takes (a built `reqwest::Client`, or a
/// `reqwest::ClientBuilder` the SDK finishes), so `.http_client(http())` reads the same either
/// way.
pub fn http<T: PausedHttp>() -> T {
    T::paused(
        reqwest::Client::builder()
            .pool_idle_timeout(None)
            .redirect(reqwest::redirect::Policy::none())
            .referer(false),
    )
}

/// The forms of HTTP client [`http`] can hand out.
pub trait PausedHttp {
    /// This form of `builder`.
    fn paused(builder: reqwest::ClientBuilder) -> Self;
}

impl PausedHttp for reqwest::ClientBuilder {
    fn paused(builder: reqwest::ClientBuilder) -> Self {
        builder
    }
}

impl PausedHttp for reqwest::Client {
    fn paused(builder: reqwest::ClientBuilder) -> Self {
        builder.build().expect("a default TLS backend is available")
    }
}
