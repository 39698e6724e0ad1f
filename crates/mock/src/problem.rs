//! ServiceTitan-shaped answers: JSON bodies, and RFC 7807-like problems
//! (`{type, title, status, traceId, errors: {field: [message]}}`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicU64, Ordering};

static TRACE: AtomicU64 = AtomicU64::new(1);

fn trace_id() -> String {
    let n = TRACE.fetch_add(1, Ordering::Relaxed);
    format!("00-{:032x}-{:016x}-01", crate::fake::mix(n, 0xACE), n)
}

/// A problem answer.
pub fn problem(status: StatusCode, title: &str, errors: Map<String, Value>) -> Response {
    let kind = match status.as_u16() {
        400 => "https://tools.ietf.org/html/rfc7231#section-6.5.1",
        401 => "https://tools.ietf.org/html/rfc7235#section-3.1",
        403 => "https://tools.ietf.org/html/rfc7231#section-6.5.3",
        404 => "https://tools.ietf.org/html/rfc7231#section-6.5.4",
        405 => "https://tools.ietf.org/html/rfc7231#section-6.5.5",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        _ => "https://tools.ietf.org/html/rfc7231#section-6.6.1",
    };
    let body = json!({
        "type": kind,
        "title": title,
        "status": status.as_u16(),
        "traceId": trace_id(),
        "errors": errors,
        "data": {},
    });
    json_response(status, body.to_string())
}

/// A problem with one field error.
pub fn field_error(field: &str, message: String) -> Response {
    let mut errors = Map::new();
    errors.insert(field.to_string(), json!([message]));
    problem(
        StatusCode::BAD_REQUEST,
        "One or more validation errors occurred.",
        errors,
    )
}

/// A 429 with `Retry-After` (whole seconds, at least 1) and the API's title wording.
pub fn too_many(retry_after_secs: u64, what: &str) -> Response {
    let secs = retry_after_secs.max(1);
    let mut response = problem(
        StatusCode::TOO_MANY_REQUESTS,
        &format!("{what}. Try again in {secs} seconds."),
        Map::new(),
    );
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_str(&secs.to_string()).expect("digits are a valid header"),
    );
    response
}

/// A JSON body.
pub fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}
