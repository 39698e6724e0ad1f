//! Shared fixtures of the reporting tests: a report definition, a loopback wiremock server
//! standing for the token endpoint and the API, a client pointed at it, and canned data pages.
#![allow(dead_code)]

use chrono::NaiveDate;
use serde_json::{json, Value};
use servicetitan_core::config::EnvSource;
use servicetitan_core::{Client, ClientBuilder};
use servicetitan_reporting::report::{ReportDefinition, ReportParams};
use servicetitan_reporting::types::ReportResponse;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const BASE: &str = "/reporting/v2/tenant/1";
pub const DEFINITION: &str = "/reporting/v2/tenant/1/report-category/operations/reports/175";
pub const DATA: &str = "/reporting/v2/tenant/1/report-category/operations/reports/175/data";

pub fn definition_json() -> Value {
    json!({
        "id": 175,
        "name": "Revenue",
        "description": "Revenue by business unit",
        "modifiedOn": "2024-03-01T10:00:00Z",
        "parameters": [
            {"name": "From", "label": "From", "dataType": "Date", "isArray": false, "isRequired": true},
            {"name": "To", "label": "To", "dataType": "Date", "isArray": false, "isRequired": true},
            {"name": "BusinessUnitIds", "label": "Business units", "dataType": "Number",
             "isArray": true, "isRequired": false,
             "acceptValues": {"fields": [{"name": "Value", "label": "Value"}, {"name": "Name", "label": "Name"}],
                              "dynamicSetId": "business-units"}},
            {"name": "IncludeInactive", "label": "Inactive", "dataType": "Boolean", "isArray": false, "isRequired": false},
            {"name": "StartTime", "label": "Start", "dataType": "Time", "isArray": false, "isRequired": false},
            {"name": "Status", "label": "Status", "dataType": "String", "isArray": false, "isRequired": false,
             "acceptValues": {"fields": [{"name": "Value", "label": "Value"}, {"name": "Name", "label": "Name"}],
                              "values": [["Open", "Open jobs"], ["Closed", "Closed jobs"]]}},
            {"name": "Zone", "label": "Zone", "dataType": "Polygon", "isArray": false, "isRequired": false}
        ],
        "fields": [
            {"name": "BusinessUnitName", "label": "Business Unit", "dataType": "String"},
            {"name": "TotalRevenue", "label": "Total Revenue", "dataType": "Number"},
            {"name": "JobDate", "label": "Date", "dataType": "Date"}
        ]
    })
}

pub fn definition() -> ReportDefinition {
    let response: ReportResponse = serde_json::from_value(definition_json()).unwrap();
    ReportDefinition::from_response("operations", response)
}

pub fn valid_params() -> ReportParams {
    ReportParams::new()
        .set("From", NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())
        .set("To", "2024-01-31")
}

pub fn http() -> reqwest::ClientBuilder {
    // No idle-pool timers: with paused tokio time they would make the runtime jump ahead.
    servicetitan_core::install_crypto_provider();
    reqwest::Client::builder().pool_idle_timeout(None)
}

pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .client_id("id")
        .client_secret("s")
        .app_key("k")
        .tenant_id(1)
        .auth_url(server.uri())
        .api_url(server.uri())
        .env_source(EnvSource::empty())
        .no_dotenv()
        .http_client(http())
        .request_timeout(None)
        .rate_limit(None)
        .report_rate_limit(None)
}

pub async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "t", "expires_in": 900, "token_type": "Bearer"
        })))
        .mount(&server)
        .await;
    server
}

pub async fn mount_definition(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(DEFINITION))
        .respond_with(ResponseTemplate::new(200).set_body_json(definition_json()))
        .mount(server)
        .await;
}

pub fn page(n: i32, has_more: bool, fields: bool, rows: Value) -> ResponseTemplate {
    let mut body = json!({"page": n, "pageSize": 2, "hasMore": has_more, "data": rows});
    if fields {
        body["fields"] = json!([
            {"name": "BusinessUnitName", "label": "Business Unit"},
            {"name": "TotalRevenue", "label": "Total Revenue"},
            {"name": "JobDate", "label": "Date"}
        ]);
    }
    ResponseTemplate::new(200).set_body_json(body)
}

/// Three pages (page 2 without a `fields` list), and a fourth that must never be requested.
pub async fn mount_three_pages(server: &MockServer) {
    let rows = [
        json!([
            ["HVAC", 100.5, "2024-01-02"],
            ["Plumbing", 200, "2024-01-03"]
        ]),
        json!([
            ["Electrical", 300.25, "2024-01-04"],
            ["Roofing", 0, "2024-01-05"]
        ]),
        json!([["Solar", 50, "2024-01-06"]]),
    ];
    for (i, rows) in rows.into_iter().enumerate() {
        let n = i as i32 + 1;
        Mock::given(method("POST"))
            .and(path(DATA))
            .and(query_param("page", n.to_string()))
            .respond_with(page(n, n < 3, n != 2, rows))
            .expect(1)
            .mount(server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(DATA))
        .and(query_param("page", "4"))
        .respond_with(page(4, false, true, json!([])))
        .expect(0)
        .mount(server)
        .await;
}

pub async fn data_requests(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == DATA)
        .collect()
}
