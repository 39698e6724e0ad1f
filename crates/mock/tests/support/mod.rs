//! Shared by the mock's tests: a started mock, a token, and authorised requests.

#![allow(dead_code)]

use servicetitan_mock::{MockConfig, MockServer};

/// A plain HTTP client for the tests' own requests (with the TLS provider the SDK installs:
/// reqwest is built without one).
pub fn http_builder() -> reqwest::ClientBuilder {
    servicetitan_core::install_crypto_provider();
    reqwest::Client::builder()
}

/// A plain HTTP client, see [`http_builder`].
pub fn http() -> reqwest::Client {
    http_builder().build().expect("a plain HTTP client builds")
}

/// A mock with a fetched token.
pub struct Harness {
    pub mock: MockServer,
    pub http: reqwest::Client,
    pub token: String,
}

impl Harness {
    pub async fn start(config: MockConfig) -> Harness {
        let mock = MockServer::start(config).await.expect("mock starts");
        let http = http_builder()
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

    /// Every record of a list across its pages of 7 (`query` without page/pageSize).
    pub async fn walk(&self, base: &str, path: &str, query: &str) -> Vec<serde_json::Value> {
        let mut all = Vec::new();
        for page in 1.. {
            let url = self.api(base, &format!("{path}?page={page}&pageSize=7&{query}"));
            let body = self.get_json(&url).await;
            all.extend(body["data"].as_array().unwrap().iter().cloned());
            if !body["hasMore"].as_bool().unwrap() {
                break;
            }
        }
        all
    }

    /// Sends `method url` with an optional JSON body: the status and the JSON answer (`null`
    /// when the answer is not JSON).
    pub async fn send_json(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut request = self.request(method, url);
        if let Some(body) = body {
            request = request.json(body);
        }
        let r = request.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
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

/// Values for requests made from the spec (every operation of every module).
use serde_json::Value;
use servicetitan_mock::catalog;
use servicetitan_mock::gen::ID_BASE;
use servicetitan_mock::shape::Shape;
use servicetitan_mock::spec::{Module, Operation};

/// A path value; `parent` picks the parent record for every parameter but the last (children
/// are scoped to their parent, and a parent may have none).
pub fn path_value(module: &Module, name: &str, op: &Operation, tenant: i64, parent: u64) -> String {
    let schema = &op.param(name, "path").expect("path param").schema;
    let last = op.trailing_param() == Some(name);
    let n = if op.method == "DELETE" { 2 } else { 1 };
    let n = if last { n } else { parent };
    match (module.short.as_str(), name) {
        (_, "tenant") => tenant.to_string(),
        ("reporting", "report_category") => "operations".into(),
        ("reporting", "reportId") => "175".into(),
        _ if schema.get("format").and_then(Value::as_str) == Some("guid") => {
            let mut s = String::new();
            servicetitan_mock::fake::guid(&mut s, 7, ID_BASE + n);
            s
        }
        _ => (ID_BASE + n).to_string(),
    }
}

pub fn query_value(cm: &catalog::CompiledModule, schema: &Value) -> String {
    let shape = cm.schemas.compile_inline(&cm.module.schemas, schema);
    let shape = match cm.schemas.resolve(&shape) {
        Shape::Array { items, .. } => cm.schemas.resolve(items).clone(),
        other => other.clone(),
    };
    match shape {
        Shape::Int { values, .. } => values.first().copied().unwrap_or(1).to_string(),
        Shape::Num { .. } => "1.5".into(),
        Shape::Bool => "true".into(),
        Shape::Str(s) if !s.values.is_empty() => s.values[0].clone(),
        Shape::Str(s)
            if matches!(
                s.format,
                servicetitan_mock::shape::StrFormat::DateTime
                    | servicetitan_mock::shape::StrFormat::Date
            ) =>
        {
            "2024-01-01".into()
        }
        _ => "mock".into(),
    }
}
