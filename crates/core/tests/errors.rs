//! The typed error: RFC 7807 bodies, non-JSON bodies, actionable messages for 401/403/404/429,
//! and the entry point returning the error itself.

use std::time::Duration;

use servicetitan_core::retry::RetryPolicy;
use servicetitan_core::Error;
use servicetitan_test_support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answering(status: u16, body: Option<serde_json::Value>) -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    let mut template = ResponseTemplate::new(status);
    if let Some(body) = body {
        template = template.set_body_json(body);
    }
    Mock::given(method("GET"))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn problem_details_are_parsed() {
    let body = serde_json::json!({
        "type": "https://httpstatuses.com/400",
        "title": "One or more validation errors occurred.",
        "status": 400,
        "traceId": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
        "errors": {"pageSize": ["The field pageSize must be between 1 and 5000."], "": ["A non-empty request body is required."]}
    });
    let server = answering(400, Some(body)).await;
    let err = get_job(&client(&server), 1).await.unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 400);
    let problem = api.problem.as_ref().unwrap();
    assert_eq!(
        problem.kind.as_deref(),
        Some("https://httpstatuses.com/400")
    );
    assert_eq!(problem.status, Some(400));
    assert_eq!(
        api.trace_id.as_deref(),
        Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
    );
    assert_eq!(
        problem.errors["pageSize"],
        vec!["The field pageSize must be between 1 and 5000.".to_owned()]
    );
    assert_eq!(api.operation_id, Some("Jobs_Get"));
    assert_eq!(api.scopes, &["tn.jpm.jobs:r"]);
    assert_eq!(api.path.as_deref(), Some("/jpm/v2/tenant/42/jobs/1"));
    assert_eq!(api.path_template, Some("/tenant/{tenant}/jobs/{id}"));
    assert!(api.raw_body.is_none());
    let text = err.to_string();
    assert!(
        text.contains("400 Bad Request on Jobs_Get (GET /jpm/v2/tenant/42/jobs/1)"),
        "{text}"
    );
    assert!(
        text.contains("One or more validation errors occurred."),
        "{text}"
    );
    assert!(
        text.contains("pageSize: The field pageSize must be between 1 and 5000."),
        "{text}"
    );
    assert!(text.contains("traceId 00-4bf92f"), "{text}");
}

#[tokio::test]
async fn an_html_error_page_is_kept_as_text() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(
            "<html><body><h1>Server Error</h1>\n<p>Something broke</p></body></html>",
            "text/html",
        ))
        .mount(&server)
        .await;
    let err = get_job(&client(&server), 1).await.unwrap_err();
    let api = err.api().unwrap();
    assert!(api.problem.is_none());
    assert!(api
        .raw_body
        .as_deref()
        .unwrap()
        .contains("<h1>Server Error</h1>"));
    let text = err.to_string();
    assert!(text.contains("500 Internal Server Error"), "{text}");
    assert!(
        text.contains("Response body: <html><body><h1>Server Error</h1> <p>Something broke"),
        "{text}"
    );
}

#[tokio::test]
async fn an_empty_error_body_still_names_the_call() {
    let server = answering(500, None).await;
    let err = get_job(&client(&server), 1).await.unwrap_err();
    let api = err.api().unwrap();
    assert!(api.problem.is_none() && api.raw_body.is_none());
    assert_eq!(
        err.to_string(),
        "500 Internal Server Error on Jobs_Get (GET /jpm/v2/tenant/42/jobs/1)"
    );
}

#[tokio::test]
async fn unauthorized_message_walks_the_checklist() {
    let server = answering(401, None).await;
    let text = get_job(&client(&server), 1).await.unwrap_err().to_string();
    for needle in [
        "401 Unauthorized on Jobs_Get",
        "client id and secret",
        "active and connected",
        "API Application Access",
        "production vs integration",
        "tenant id",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in: {text}");
    }
}

#[tokio::test]
async fn forbidden_message_names_the_scope() {
    let server = answering(403, None).await;
    let text = get_job(&client(&server), 1).await.unwrap_err().to_string();
    assert!(text.contains("`tn.jpm.jobs:r`"), "{text}");
    assert!(
        text.contains("tenant's admin must accept the new app version"),
        "{text}"
    );
}

#[tokio::test]
async fn not_found_message_names_the_path_and_id() {
    let server = answering(404, None).await;
    let text = get_job(&client(&server), 12345)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("Nothing at /jpm/v2/tenant/42/jobs/12345"),
        "{text}"
    );
    assert!(text.contains("check id = 12345"), "{text}");
}

#[tokio::test]
async fn too_many_requests_message_names_the_limit_and_the_wait() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "30")
                .set_body_json(serde_json::json!({"title": "Too many requests, please retry in 30 seconds", "status": 429})),
        )
        .mount(&server)
        .await;
    let client = builder(&server)
        .rate_limit(Some(60))
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    let err = get_job(&client, 1).await.unwrap_err();
    assert_eq!(
        err.api().unwrap().retry_after,
        Some(Duration::from_secs(30))
    );
    let text = err.to_string();
    assert!(text.contains("ServiceTitan allows 60 requests/s per app and tenant; this client paces at 60 requests/s"), "{text}");
    assert!(text.contains("retry after 30 s"), "{text}");
}

#[tokio::test]
async fn a_failed_call_is_its_typed_error_naming_what_the_server_said() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/jobs/7"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("x-custom", "kept")
                .set_body_json(serde_json::json!({"title": "Job not found", "status": 404})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let parts = client.domain("jpm/v2");
    let request = reqwest::Request::new(
        reqwest::Method::GET,
        format!("{}/tenant/42/jobs/7", parts.base_url)
            .parse()
            .unwrap(),
    );
    let err = parts.transport.send(request, &JOBS_GET).await.unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 404);
    assert_eq!(api.title(), Some("Job not found"));
    assert_eq!(api.path.as_deref(), Some("/jpm/v2/tenant/42/jobs/7"));
    assert_eq!(api.operation_id, Some(JOBS_GET.operation_id));
}

/// A body that is not the JSON the call expects is a decode error with an excerpt of it.
#[tokio::test]
async fn an_unreadable_body_is_a_decode_error_with_its_start() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/odd"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("{\"data\": oops}", "application/json"),
        )
        .mount(&server)
        .await;
    let err = client(&server)
        .get_json::<Vec<u32>>("jpm/v2", "/tenant/{tenant}/odd", &[])
        .await
        .unwrap_err();
    match &err {
        Error::Decode {
            message, excerpt, ..
        } => {
            assert!(message.contains("line 1"), "{message}");
            assert_eq!(excerpt, "{\"data\": oops}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err
        .to_string()
        .contains("the body starts with: {\"data\": oops}"));

    // progenitor's builder checks in the generated `send()` (text only) name the argument.
    let err = Error::builder_value("tenant was not initialized".into());
    assert!(
        matches!(err, Error::InvalidArgument { ref name, ref reason } if name == "tenant" && reason.contains("no value was given")),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "invalid argument `tenant`: required, but no value was given"
    );
    let err = Error::builder_value("conversion to `i64` for page failed".into());
    assert!(
        matches!(err, Error::InvalidArgument { ref name, ref reason } if name == "page" && reason.contains("`i64`")),
        "{err:?}"
    );
}

#[tokio::test]
async fn long_bodies_are_cut_in_decode_errors() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/long"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("x".repeat(10_000), "application/json"),
        )
        .mount(&server)
        .await;
    let err = client(&server)
        .get_json::<u8>("jpm/v2", "/tenant/{tenant}/long", &[])
        .await
        .unwrap_err();
    let Error::Decode { excerpt, .. } = err else {
        panic!("{err:?}")
    };
    assert!(excerpt.len() < 600 && excerpt.ends_with('…'));
}

#[tokio::test]
async fn json_that_is_not_a_problem_is_kept_as_text() {
    let server = answering(400, Some(serde_json::json!({"message": "Job is locked"}))).await;
    let err = get_job(&client(&server), 1).await.unwrap_err();
    let api = err.api().unwrap();
    assert!(api.problem.is_none());
    assert!(
        err.to_string().contains(r#"{"message":"Job is locked"}"#),
        "{err}"
    );
}

#[test]
fn errors_and_clients_cross_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<Error>();
    send_sync::<servicetitan_core::ApiError>();
    send_sync::<servicetitan_core::Client>();
    send_sync::<servicetitan_core::Transport>();
    // Usable with `?` into `Box<dyn std::error::Error + Send + Sync>` (and anyhow).
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(Error::Other("x".into()));
    assert_eq!(boxed.to_string(), "x");
}
