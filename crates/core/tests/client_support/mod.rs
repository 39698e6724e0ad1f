//! Shared helpers of the client/transport tests: a loopback wiremock server standing for both the
//! token endpoint and the API, a client pointed at it, and static operation descriptions.
#![allow(dead_code)]

pub mod raw;

use std::time::Duration;

use reqwest::Method;
use servicetitan_core::config::EnvSource;
use servicetitan_core::{Client, ClientBuilder, Error, OperationKind, OperationMeta};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CLIENT_ID: &str = "cid.test-client";
pub const SECRET: &str = "cs2.super-secret-value-1234";
pub const APP_KEY: &str = "ak1.app-key-value-5678";
pub const TOKEN: &str = "eyJ.test-access-token-9012";
pub const TENANT: i64 = 42;

pub static JOBS_GET: OperationMeta = OperationMeta {
    operation_id: "Jobs_Get",
    method_name: "jobs_get",
    http_method: "GET",
    path: "/tenant/{tenant}/jobs/{id}",
    scopes: &["tn.jpm.jobs:r"],
    summary: "Gets a job",
    kind: OperationKind::Plain,
    hand_written: false,
};

pub static JOBS_CREATE: OperationMeta = OperationMeta {
    operation_id: "Jobs_Create",
    method_name: "jobs_create",
    http_method: "POST",
    path: "/tenant/{tenant}/jobs",
    scopes: &["tn.jpm.jobs:w"],
    summary: "Creates a job",
    kind: OperationKind::Plain,
    hand_written: false,
};

pub static REPORT_DATA: OperationMeta = OperationMeta {
    operation_id: "ReportCategoryReports_GetData",
    method_name: "report_category_reports_get_data",
    http_method: "POST",
    path: "/tenant/{tenant}/report-category/{report_category}/reports/{reportId}/data",
    scopes: &["tn.rpt.reports:r"],
    summary: "Gets report data",
    kind: OperationKind::Plain,
    hand_written: false,
};

/// A connection pool without idle timers: with paused tokio time, a pending timer would make
/// the runtime jump ahead while a request waits for the (real) loopback server.
pub fn http() -> reqwest::ClientBuilder {
    reqwest::Client::builder().pool_idle_timeout(None)
}

/// A client for tenant 42 whose auth and API URLs are the mock server; no request timeout (see
/// [`http`]), no rate limit unless a test sets one.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .client_id(CLIENT_ID)
        .client_secret(SECRET)
        .app_key(APP_KEY)
        .tenant_id(TENANT)
        .auth_url(server.uri())
        .api_url(server.uri())
        .env_source(EnvSource::empty())
        .no_dotenv()
        .http_client(http())
        .request_timeout(None)
        .rate_limit(None)
}

pub fn client(server: &MockServer) -> Client {
    builder(server).build().unwrap()
}

/// The token endpoint answering `token` valid for `expires_in` seconds, not yet mounted (add
/// `.expect(n)` or `.up_to_n_times(n)` as a test needs).
pub fn token_mock(token: &str, expires_in: u64) -> Mock {
    Mock::given(method("POST"))
        .and(path("/connect/token"))
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

/// Sends `method path` (relative to `{api}/jpm/v2`) through the client's transport, as a
/// generated client would, and converts a failure the way `?` on a generated call does.
pub async fn call(
    client: &Client,
    meta: &'static OperationMeta,
    verb: Method,
    rel: &str,
) -> Result<reqwest::Response, Error> {
    let parts = client.domain("jpm/v2");
    let url = format!("{}{}", parts.base_url, rel);
    let mut request = reqwest::Request::new(verb.clone(), url.parse().unwrap());
    if verb == Method::POST || verb == Method::PUT || verb == Method::PATCH {
        *request.body_mut() = Some(reqwest::Body::from("{}"));
        request
            .headers_mut()
            .insert("content-type", "application/json".parse().unwrap());
    }
    let response = parts.transport.execute(request, meta).await?;
    if response.status().is_success() {
        Ok(response)
    } else {
        Err(Error::from(
            progenitor_client::Error::<()>::UnexpectedResponse(response),
        ))
    }
}

pub async fn get_job(client: &Client, id: u64) -> Result<reqwest::Response, Error> {
    call(
        client,
        &JOBS_GET,
        Method::GET,
        &format!("/tenant/{TENANT}/jobs/{id}"),
    )
    .await
}

/// Requests the mock server received on `p`.
pub async fn hits(server: &MockServer, p: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == p)
        .count()
}

pub fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}
