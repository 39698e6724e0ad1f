//! The asynchronous report flow as the live API serves it: `POST …/reports/{id}/data/query`
//! answers 202 `{Status, Token}` (or 200 with the data when `polls` is 0), `GET
//! …/data-queries/{token}` answers 202 until the query is done, then 200 with the data, and
//! `DELETE` cancels (always 204). Answers use PascalCase keys and, unless told to honour it,
//! ignore `page`/`pageSize` (every row at once); `HasMore` can lie (see [`HasMore`]). A tenant
//! running `max_running` queries gets 429 for another one.

use super::call::Call;
use super::report::{fields, not_found, rows, REPORT_PAGE_SIZE};
use crate::problem::{json_response, too_many};
use crate::report_flow::{HasMore, Poll, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// `POST …/data/query`.
pub fn start(call: &Call, category: &str, id: &str) -> Response {
    let knobs = &call.state.config.reports;
    if knobs.no_query {
        return not_found("operation", "POST …/data/query");
    }
    let rows = match rows(call, category, id) {
        Ok(rows) => rows,
        Err(r) => return r,
    };
    let query = Query {
        tenant: call.tenant,
        polls_left: knobs.polls.saturating_sub(1),
        rows,
        page: call.query_u64("page").unwrap_or(1).max(1),
        page_size: call
            .query_u64("pageSize")
            .unwrap_or(REPORT_PAGE_SIZE)
            .max(1),
    };
    if knobs.polls == 0 {
        return answer(call, &query);
    }
    let seed = call.state.config.seed;
    match call.state.queries.start(query, knobs.max_running, seed) {
        Some(token) => pending(call, "NotStarted", &token),
        None => {
            call.state.recorder.count(|c| c.rate_limited += 1);
            too_many(5, "Too many report queries running for this tenant")
        }
    }
}

/// `GET …/data-queries/{token}`.
pub fn poll(call: &Call, token: &str) -> Response {
    if call.state.config.reports.no_query {
        return not_found("operation", "GET …/data-queries/{token}");
    }
    match call.state.queries.poll(token, call.tenant) {
        Poll::Running => pending(call, "InProgress", token),
        Poll::Done(query) => answer(call, &query),
        Poll::Unknown => not_found("data query", token),
    }
}

/// `DELETE …/data-queries/{token}`.
pub fn cancel(call: &Call, token: &str) -> Response {
    if call.state.config.reports.no_query {
        return not_found("operation", "DELETE …/data-queries/{token}");
    }
    call.state.queries.cancel(token, call.tenant);
    StatusCode::NO_CONTENT.into_response()
}

/// Keys in the live casing (`Page`) or, with `camel_case`, the spec's (`page`).
fn key(call: &Call, pascal: &'static str) -> String {
    if call.state.config.reports.camel_case {
        let mut chars = pascal.chars();
        chars
            .next()
            .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
            .unwrap_or_default()
    } else {
        pascal.to_owned()
    }
}

fn pending(call: &Call, status: &str, token: &str) -> Response {
    let mut body = Map::new();
    body.insert(key(call, "Status"), json!(status));
    body.insert(key(call, "Token"), json!(token));
    json_response(StatusCode::ACCEPTED, Value::Object(body).to_string())
}

/// The finished query's data: every row (paging ignored, as live) or the asked page.
fn answer(call: &Call, query: &Query) -> Response {
    let knobs = &call.state.config.reports;
    let total = query.rows.len() as u64;
    let (data, really_more) = if knobs.honour_paging {
        let start = (query.page - 1).saturating_mul(query.page_size).min(total);
        let end = start.saturating_add(query.page_size).min(total);
        (&query.rows[start as usize..end as usize], end < total)
    } else {
        (&query.rows[..], false)
    };
    let has_more = match knobs.has_more {
        HasMore::Honest => really_more,
        HasMore::First => really_more || query.page == 1,
        HasMore::Always => true,
    };
    let mut body = Map::new();
    body.insert(key(call, "Page"), json!(query.page));
    body.insert(key(call, "PageSize"), json!(query.page_size));
    body.insert(key(call, "HasMore"), json!(has_more));
    body.insert(key(call, "TotalCount"), json!(total));
    body.insert(key(call, "Fields"), Value::Array(fields(!knobs.camel_case)));
    body.insert(key(call, "Data"), Value::Array(data.to_vec()));
    body.insert(key(call, "TimeZone"), json!("Pacific Standard Time"));
    json_response(StatusCode::OK, Value::Object(body).to_string())
}
