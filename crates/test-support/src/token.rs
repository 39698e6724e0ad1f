//! The OAuth client-credentials endpoint (`POST /connect/token`) on a wiremock server.

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Where the SDK asks for tokens, relative to the auth URL.
pub const TOKEN_PATH: &str = "/connect/token";

/// The token endpoint answering `token` valid for `expires_in` seconds, not yet mounted (add
/// `.expect(n)` or `.up_to_n_times(n)` as a test needs).
pub fn token_mock(token: &str, expires_in: u64) -> Mock {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": token,
            "expires_in": expires_in,
            "token_type": "Bearer",
        })))
}

/// Mounts a token endpoint answering `token` valid for `expires_in` seconds.
pub async fn mount_token(server: &MockServer, token: &str, expires_in: u64) {
    token_mock(token, expires_in).mount(server).await;
}

/// A started server answering token requests with [`TOKEN`](crate::TOKEN), valid for 900 s.
pub async fn token_server() -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server, crate::TOKEN, 900).await;
    server
}
