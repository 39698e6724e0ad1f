//! `st mcp`'s server against servers that misbehave (wiremock on loopback): a token or app key a
//! server echoes never reaches a tool result or error, SDK errors become actionable tool errors,
//! and a write whose outcome is unknown says so and is sent once, never retried.
//! (The Python MCP client drives the whole server over stdio and HTTP in .ci/suites/mcp.sh.)

use serde_json::{json, Map, Value};
use servicetitan_cli::mcp::confirm::Confirmations;
use servicetitan_cli::mcp::results::ResultStore;
use servicetitan_cli::mcp::server::{Inner, Server, Writes};
use servicetitan_core::config::Config;
use servicetitan_core::Client;
use std::time::Duration;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "tok-3c1f9a7e-echoed-back-by-the-server";
const APP_KEY: &str = "ak1.app-key-that-must-stay-secret";
const SECRET: &str = "cs1.client-secret-that-must-stay-secret";

/// Answers with every request header, as a careless gateway might.
struct Echo(u16);

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let headers: Map<String, Value> = request
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or_default())))
            .collect();
        let title = format!(
            "echo {}",
            request
                .headers
                .get("authorization")
                .map(|v| v.to_str().unwrap_or_default())
                .unwrap_or_default()
        );
        ResponseTemplate::new(self.0)
            .set_body_json(json!({"id": 5, "title": title, "headers": headers}))
    }
}

async fn server(writes: Writes, timeout: Duration) -> (MockServer, Server) {
    let api = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": TOKEN, "expires_in": 900, "token_type": "Bearer"}),
        ))
        .mount(&api)
        .await;
    let config = Config::builder()
        .auth_url(api.uri())
        .api_url(api.uri())
        .client_id("cid-test")
        .client_secret(SECRET)
        .app_key(APP_KEY)
        .tenant_id(1);
    let client = Client::builder()
        .no_dotenv()
        .config_builder(config)
        .request_timeout(timeout)
        .build()
        .unwrap();
    let inner = Inner {
        client,
        writes,
        confirmations: Confirmations::new(Duration::from_secs(60)),
        results: ResultStore::new(65536),
        modules: None,
    };
    (api, Server::new(inner))
}

fn args(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn assert_no_secret(text: &str) {
    for secret in [TOKEN, APP_KEY, SECRET] {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
}

/// `call_operation` of `jpm.Jobs_Get` against a server answering `status` with the request's
/// secrets echoed in its body.
async fn call_job_echoing_secrets(status: u16) -> (bool, String) {
    let (api, server) = server(Writes::None, Duration::from_secs(10)).await;
    Mock::given(method("GET"))
        .and(path_regex("^/jpm/v2/tenant/1/jobs/5$"))
        .respond_with(Echo(status))
        .mount(&api)
        .await;
    server
        .run(
            "call_operation",
            args(json!({"operation_id": "jpm.Jobs_Get", "params": {"id": 5}})),
        )
        .await
}

#[tokio::test]
async fn a_token_echoed_by_the_server_never_reaches_a_result() {
    let (ok, text) = call_job_echoing_secrets(200).await;
    assert!(ok, "{text}");
    assert!(text.contains("[REDACTED]"), "{text}");
    assert_no_secret(&text);
}

#[tokio::test]
async fn an_echoed_token_in_an_error_is_redacted_and_the_scope_named() {
    let (ok, text) = call_job_echoing_secrets(403).await;
    assert!(!ok);
    assert_no_secret(&text);
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["error"], "forbidden", "{text}");
    assert_eq!(error["status"], 403);
    assert!(
        error["scopes"].to_string().contains("tn.jpm.jobs:r"),
        "{text}"
    );
}

#[tokio::test]
async fn a_write_whose_outcome_is_unknown_says_so_and_is_sent_once() {
    let (api, server) = server(Writes::All, Duration::from_millis(300)).await;
    Mock::given(method("POST"))
        .and(path("/jpm/v2/tenant/1/job-types"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&api)
        .await;
    let call = json!({"operation_id": "JobTypes_Create", "body": {"name": "x"}});
    let (ok, dry) = server.run("call_operation", args(call.clone())).await;
    assert!(ok, "{dry}");
    let dry: Value = serde_json::from_str(&dry).unwrap();
    assert_eq!(dry["status"], "dry_run");
    let posts = || async {
        api.received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.method.as_str() == "POST" && r.url.path().ends_with("/job-types"))
            .count()
    };
    assert_eq!(posts().await, 0, "a dry run sends nothing");
    let mut confirmed = call.clone();
    confirmed["confirm"] = dry["confirmation_token"].clone();
    let (ok, text) = server.run("call_operation", args(confirmed)).await;
    assert!(!ok, "{text}");
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["error"], "outcome_unknown", "{text}");
    assert!(
        error["message"].as_str().unwrap().contains("not retried"),
        "{text}"
    );
    assert_eq!(
        posts().await,
        1,
        "a POST with an unknown outcome is not retried"
    );
}

#[tokio::test]
async fn tool_arguments_that_do_not_fit_the_schema_are_tool_errors() {
    let (_api, server) = server(Writes::None, Duration::from_secs(10)).await;
    let (ok, text) = server
        .run("search_operations", args(json!({"query": 5})))
        .await;
    assert!(!ok);
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["error"], "invalid_arguments");
    assert_eq!(error["problems"][0]["path"], "$.query", "{text}");
    let (ok, text) = server
        .run("read_result", args(json!({"handle": "r-none"})))
        .await;
    assert!(!ok && text.contains("unknown or expired"), "{text}");
}

#[tokio::test]
async fn a_429_names_the_wait_an_agent_should_respect() {
    let (api, server) = server(Writes::None, Duration::from_secs(10)).await;
    // A wait past the SDK's retry budget is not waited for: the call fails now, with the wait.
    Mock::given(method("GET"))
        .and(path_regex("^/jpm/v2/tenant/1/jobs/5$"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1000"))
        .mount(&api)
        .await;
    let (ok, text) = server
        .run(
            "call_operation",
            args(json!({"operation_id": "jpm.Jobs_Get", "params": {"id": 5}})),
        )
        .await;
    assert!(!ok, "{text}");
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["error"], "rate_limited", "{text}");
    assert_eq!(error["status"], 429);
    assert_eq!(error["retry_after_seconds"], 1000.0, "{text}");
}

#[tokio::test]
async fn report_parameter_problems_come_back_one_per_parameter_and_nothing_is_run() {
    let (api, server) = server(Writes::None, Duration::from_secs(10)).await;
    let definition = "/reporting/v2/tenant/1/report-category/operations/reports/175";
    Mock::given(method("GET"))
        .and(path(definition))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": 175, "name": "Revenue",
            "parameters": [
                {"name": "From", "label": "From", "dataType": "Date", "isArray": false, "isRequired": true},
                {"name": "To", "label": "To", "dataType": "Date", "isArray": false, "isRequired": true}
            ]
        })))
        .mount(&api)
        .await;
    let (ok, text) = server
        .run(
            "run_report",
            args(json!({"category": "operations", "report_id": 175, "params": {"To": true}})),
        )
        .await;
    assert!(!ok, "{text}");
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["error"], "invalid_parameters", "{text}");
    assert_eq!(error["report_id"], 175);
    let problems = error["problems"].as_array().unwrap();
    let names: Vec<_> = problems
        .iter()
        .map(|p| p["parameter"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["To", "From"], "{text}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("nothing was run"),
        "{text}"
    );
    let requests = api.received_requests().await.unwrap();
    assert!(
        requests.iter().all(|r| !r.url.path().ends_with("/data")),
        "no data request was sent"
    );
}
