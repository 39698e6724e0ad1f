//! The pipeline of every API request: route (from the specs) → latency → auth → tenant →
//! rate limit → injected faults → validation → the handler for the operation's kind.

use super::call::Call;
use super::{export, files, items, list, report};
use crate::catalog;
use crate::problem::{field_error, problem, too_many};
use crate::spec::{self, Kind};
use crate::state::State;
use crate::validate;
use axum::body::{to_bytes, Body};
use axum::extract::{Query, State as Shared};
use axum::http::{Request, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};
use std::sync::Arc;

/// Largest request body read (uploads included).
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// The fallback handler: every path that is not the token endpoint or `/_mock`.
pub async fn handle(Shared(state): Shared<Arc<State>>, request: Request<Body>) -> Response {
    let method = request.method().as_str().to_string();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path().to_string(), |p| p.to_string());
    let (response, operation, tenant) = answer(&state, request).await;
    let status = response.status().as_u16();
    state
        .recorder
        .log(&method, &path_and_query, operation, tenant, status);
    response
}

async fn answer(
    state: &Arc<State>,
    request: Request<Body>,
) -> (Response, Option<&'static str>, Option<i64>) {
    let faults = state.faults();
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let routed = spec::table().route(request.method().as_str(), request.uri().path());
    let matched = match routed {
        Ok(m) => m,
        Err(true) => {
            let r = problem(
                StatusCode::METHOD_NOT_ALLOWED,
                "Method Not Allowed",
                Map::new(),
            );
            return (r, None, None);
        }
        Err(false) => {
            let r = problem(
                StatusCode::NOT_FOUND,
                "Not Found: no such API path",
                Map::new(),
            );
            return (r, None, None);
        }
    };
    let op_id = matched.op.id.as_str();
    let tenant = matched
        .path_params
        .get("tenant")
        .and_then(|t| t.parse::<i64>().ok());
    state.recorder.count(|c| {
        c.api_requests += 1;
        *c.per_operation.entry(op_id.to_string()).or_default() += 1;
        if let Some(t) = tenant {
            *c.per_tenant.entry(t).or_default() += 1;
        }
    });
    let response = match admit(state, &request, tenant) {
        Err(r) => r,
        Ok(tenant) => {
            let (cm, response) = catalog::find(matched.module, matched.op);
            let query = Query::<Vec<(String, String)>>::try_from_uri(request.uri())
                .map(|q| q.0)
                .unwrap_or_default();
            match validate::params(
                cm,
                matched.op,
                &matched.path_params,
                &query,
                state.config.max_page_size,
            ) {
                Err(errors) => problem(
                    StatusCode::BAD_REQUEST,
                    "One or more validation errors occurred.",
                    errors,
                ),
                Ok(()) => {
                    let call = Call {
                        state: state.clone(),
                        cm,
                        op: matched.op,
                        response,
                        tenant,
                        path: matched.path_params,
                        query,
                        body: Value::Null,
                        drift: faults.drift,
                    };
                    dispatch(call, request).await
                }
            }
        }
    };
    let response = if matched.op.error_text && response.status() == StatusCode::BAD_REQUEST {
        problem_as_text(response).await
    } else {
        response
    };
    (response, Some(op_id), tenant)
}

/// The problem of a 400, as the JSON string an operation declaring `400: {type: string}` answers.
async fn problem_as_text(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, BODY_LIMIT).await.unwrap_or_default();
    let problem: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let mut text = problem["title"]
        .as_str()
        .unwrap_or("Bad Request")
        .to_string();
    for (field, messages) in problem["errors"].as_object().into_iter().flatten() {
        for m in messages.as_array().into_iter().flatten() {
            text.push_str(&format!(" {field}: {}", m.as_str().unwrap_or_default()));
        }
    }
    crate::problem::json_response(parts.status, Value::String(text).to_string())
}

/// Auth, tenant, rate limit and injected faults; the tenant when the call may proceed.
fn admit(state: &State, request: &Request<Body>, tenant: Option<i64>) -> Result<i64, Response> {
    crate::auth::check(state, request.headers(), tenant)?;
    let Some(tenant) = tenant.filter(|t| state.knows_tenant(*t)) else {
        return Err(problem(
            StatusCode::NOT_FOUND,
            "Tenant not found, or the application is not connected to it",
            Map::new(),
        ));
    };
    if let Err(wait) = state.check_tenant_rate(tenant) {
        state.recorder.count(|c| c.rate_limited += 1);
        return Err(too_many(
            wait.as_secs_f64().ceil() as u64,
            "Too many requests for this tenant",
        ));
    }
    let faults = state.faults();
    if faults.throttle_rate > 0.0 && state.roll() < faults.throttle_rate {
        state.recorder.count(|c| c.rate_limited += 1);
        return Err(too_many(1, "Too many requests (injected)"));
    }
    if faults.error_rate > 0.0 && state.roll() < faults.error_rate {
        state.recorder.count(|c| c.server_errors += 1);
        let status = if state.roll() < 0.5 {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::BAD_GATEWAY
        };
        return Err(problem(
            status,
            "Service temporarily unavailable (injected fault)",
            Map::new(),
        ));
    }
    Ok(tenant)
}

async fn dispatch(mut call: Call, request: Request<Body>) -> Response {
    if call.op.kind == Kind::Upload {
        return files::upload(call, request).await;
    }
    let content_type = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    let bytes = match to_bytes(request.into_body(), BODY_LIMIT).await {
        Ok(b) => b,
        Err(e) => return field_error("$", format!("The request body could not be read: {e}")),
    };
    if let Some(r) = unsupported_media(&call, content_type.as_deref(), &bytes) {
        return r;
    }
    match validate::body(call.cm.module, call.op, &bytes) {
        Ok(body) => call.body = body,
        Err(errors) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "One or more validation errors occurred.",
                errors,
            )
        }
    }
    if call.cm.module.short == "reporting" {
        if let Some(r) = report::handle(&call) {
            return r;
        }
    }
    let undeclared_page =
        call.op.method == "GET" && call.response.is_none() && call.op.has_query("page");
    if undeclared_page {
        call.response = Some(list::undeclared_envelope(call.cm, call.op));
        return list::handle(call).await;
    }
    match call.op.kind {
        Kind::PagedList => list::handle(call).await,
        Kind::Export => export::handle(call).await,
        Kind::Download => files::download(&call),
        Kind::Upload | Kind::Plain => items::handle(&call),
    }
}

/// A body that is not JSON on an operation that reads JSON is refused before binding, with
/// ASP.NET's 415 (a form-encoded body, `text/plain`, or no `Content-Type` at all).
fn unsupported_media(call: &Call, content_type: Option<&str>, bytes: &[u8]) -> Option<Response> {
    let declared = call.op.body.as_ref()?;
    if !declared.media.contains("json") || bytes.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let media = content_type
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim();
    if media == "application/json" || media.ends_with("+json") || media == "text/json" {
        return None;
    }
    Some(problem(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        &format!(
            "Unsupported Media Type: the body must be application/json, not '{}'",
            if media.is_empty() { "(none)" } else { media }
        ),
        Map::new(),
    ))
}
