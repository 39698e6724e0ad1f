//! Shared by the mock's tests: a started mock, a token, and authorised requests.

#![allow(dead_code)]

use servicetitan_mock::{MockConfig, MockServer};

/// A mock with a fetched token.
pub struct Harness {
    pub mock: MockServer,
    pub http: reqwest::Client,
    pub token: String,
}

impl Harness {
    pub async fn start(config: MockConfig) -> Harness {
        let mock = MockServer::start(config).await.expect("mock starts");
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let token = token(&http, &mock).await;
        Harness { mock, http, token }
    }

    /// `{url}/{module base}/tenant/{tenant}/{rest}`.
    pub fn api(&self, base: &str, rest: &str) -> String {
        format!(
            "{}/{base}/tenant/{}/{rest}",
            self.mock.url(),
            self.mock.credentials().tenant_id
        )
    }

    pub fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .bearer_auth(&self.token)
            .header("ST-App-Key", &self.mock.credentials().app_key)
    }

    pub async fn get_json(&self, url: &str) -> serde_json::Value {
        let r = self
            .request(reqwest::Method::GET, url)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "GET {url}: {}", r.status());
        r.json().await.unwrap()
    }
}

pub async fn token(http: &reqwest::Client, mock: &MockServer) -> String {
    let c = mock.credentials();
    let r: serde_json::Value = http
        .post(format!("{}/connect/token", mock.auth_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", c.client_id.as_str()),
            ("client_secret", c.client_secret.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["access_token"].as_str().expect("a token").to_string()
}
