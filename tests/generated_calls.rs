//! The core pipeline on real generated calls: headers, operation metadata in errors, typed
//! error recovery through `?`.

use servicetitan::prelude::*;
use servicetitan_test_support::{builder_for, mount_token};
use wiremock::matchers::{header, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn client(server: &MockServer) -> Client {
    mount_token(server, "generated-call-token", 900).await;
    builder_for(&server.uri(), &server.uri())
        .client_id("cid")
        .client_secret("secret-value")
        .app_key("app-key-value")
        .tenant_id(77)
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn generated_calls_carry_token_app_key_and_user_agent() {
    let server = MockServer::start().await;
    let client = client(&server).await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/77/jobs/5"))
        .and(header("authorization", "Bearer generated-call-token"))
        .and(header("st-app-key", "app-key-value"))
        .and(header_exists("user-agent"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"id": 5, "jobNumber": "5"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let job = client.jpm().jobs_get(5).send().await.expect("job");
    assert_eq!(job.id, 5);
    let requests = server.received_requests().await.unwrap();
    let ua = requests
        .last()
        .unwrap()
        .headers
        .get("user-agent")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(ua.starts_with("servicetitan-rs/"), "{ua}");
}

#[tokio::test]
async fn errors_name_the_operation_scope_and_path() {
    let server = MockServer::start().await;
    let client = client(&server).await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/77/jobs/404"))
        .respond_with(ResponseTemplate::new(404).set_body_json(serde_json::json!({
            "type": "https://httpstatuses.com/404", "title": "Job not found", "status": 404, "traceId": "trace-404"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/77/jobs"))
        .and(query_param("pageSize", "1"))
        .respond_with(ResponseTemplate::new(403).set_body_string("<html>Forbidden</html>"))
        .mount(&server)
        .await;

    let err: Error = client
        .jpm()
        .jobs_get(404)
        .send()
        .await
        .map(|_| ())
        .unwrap_err();
    let api = err.api().expect("typed API error");
    assert_eq!(api.operation_id, Some("Jobs_Get"));
    assert_eq!(api.path_template, Some("/tenant/{tenant}/jobs/{id}"));
    assert_eq!(api.trace_id.as_deref(), Some("trace-404"));
    let text = err.to_string();
    assert!(
        text.contains("Job not found") && text.contains("404"),
        "{text}"
    );

    let err: Error = client
        .jpm()
        .jobs_get_list()
        .page_size(1)
        .send()
        .await
        .map(|_| ())
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("`tn.jpm.jobs:r`"),
        "403 names the scope: {text}"
    );
    assert_eq!(
        err.api().unwrap().raw_body.as_deref(),
        Some("<html>Forbidden</html>")
    );
    assert!(!format!("{err:?}{text}").contains("secret-value"));
}
