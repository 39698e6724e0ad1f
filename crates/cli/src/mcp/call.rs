//! `call_operation` and `read_result`: an operation validated, then (reads) sent and its answer
//! cut to the byte cap, or (writes) refused, dry-run with a confirmation token, or sent once with
//! a token that matches.

use super::catalog::{self, Found};
use super::server::{Inner, ToolError, ToolResult};
use super::validate;
use crate::mcp::results::Records;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use servicetitan_core::call::CallArgs;
use servicetitan_core::error::TransportFailure;
use servicetitan_core::{Error, OperationKind};

/// Records read when `all_pages` is set and `max_records` is not.
pub const DEFAULT_MAX_RECORDS: usize = 1000;
/// The most `max_records` may ask for in one call.
pub const MAX_RECORDS_LIMIT: usize = 100_000;

/// `call_operation`'s arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallInput {
    operation_id: String,
    #[serde(default)]
    params: Option<Map<String, Value>>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    all_pages: bool,
    #[serde(default)]
    max_records: Option<usize>,
    #[serde(default)]
    confirm: Option<String>,
}

/// `read_result`'s arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadInput {
    handle: String,
    #[serde(default)]
    offset: Option<usize>,
}

/// A page of a list with its records kept exactly as sent.
#[derive(Deserialize)]
struct RawPage {
    #[serde(rename = "hasMore", default)]
    has_more: Option<bool>,
    #[serde(default)]
    data: Option<Records>,
}

impl Inner {
    /// `call_operation`.
    pub async fn call_operation(&self, input: CallInput) -> ToolResult {
        let found = catalog::find(&input.operation_id)
            .map_err(|m| ToolError::new("unknown_operation", m))?;
        if let Some(modules) = &self.modules {
            if !modules.contains(found.module.name) {
                return Err(ToolError::new(
                    "module_not_served",
                    format!(
                        "module `{}` is not served by this server (--modules)",
                        found.module.name
                    ),
                ));
            }
        }
        if matches!(
            found.op.meta.kind,
            OperationKind::Download | OperationKind::Upload
        ) {
            return Err(ToolError::new(
                "unsupported",
                format!(
                    "{} is a binary {}; use the command line: st {} {} --help",
                    found.id(),
                    if found.op.meta.kind == OperationKind::Download {
                        "download"
                    } else {
                        "upload"
                    },
                    found.module.name,
                    found.op.name
                ),
            ));
        }
        if found.is_write() && !self.writes.allows(found.module.name) {
            return Err(writes_disabled(&found));
        }
        let args = validate::call_args(&found, input.params.as_ref(), input.body.as_ref())
            .map_err(|problems| {
                ToolError::with("invalid_arguments", validate::report(&problems))
            })?;
        if found.is_write() {
            return self.write(&found, &args, input.confirm.as_deref()).await;
        }
        if input.confirm.is_some() {
            return Err(ToolError::new(
                "invalid_arguments",
                "`confirm` is only for writes; this operation only reads",
            ));
        }
        let max = input
            .max_records
            .unwrap_or(DEFAULT_MAX_RECORDS)
            .clamp(1, MAX_RECORDS_LIMIT);
        if input.all_pages && found.op.meta.kind == OperationKind::PagedList {
            return self.all_pages(&found, args, max).await;
        }
        let answer: Box<RawValue> = self
            .client
            .call_json(&found.op.meta, found.module.base_path, &args)
            .await
            .map_err(|e| sdk_error(&found, &e))?;
        Ok(self.shaped(&found, &answer))
    }

    /// One answer: a list's `data` (or a top-level array) cut to the cap, the rest as is.
    fn shaped(&self, found: &Found, answer: &RawValue) -> String {
        let head = format!(r#"{{"operation_id":{},"status":"ok""#, json!(found.id()));
        if answer.get().starts_with('[') {
            if let Ok(records) = serde_json::from_str::<Records>(answer.get()) {
                let part = self.results.cut(records);
                return format!(
                    r#"{head},"result":{},"truncated":{}}}"#,
                    part.array(),
                    part.continuation()
                );
            }
        }
        // An envelope with `data`: the records cut, the other fields kept.
        if let Ok(mut envelope) = serde_json::from_str::<Map<String, Value>>(answer.get()) {
            let data = serde_json::from_str::<EnvelopeData>(answer.get())
                .ok()
                .and_then(|e| e.data);
            if let Some(records) = data {
                envelope.remove("data");
                let part = self.results.cut(records);
                let others = Value::Object(envelope).to_string();
                let others = others.trim_start_matches('{').trim_end_matches('}');
                let sep = if others.is_empty() { "" } else { "," };
                return format!(
                    r#"{head},"result":{{{others}{sep}"data":{}}},"truncated":{}}}"#,
                    part.array(),
                    part.continuation()
                );
            }
        }
        format!(r#"{head},"result":{},"truncated":null}}"#, answer.get())
    }

    async fn all_pages(&self, found: &Found, args: CallArgs, max: usize) -> ToolResult {
        let first = args
            .query
            .iter()
            .find(|(k, _)| k == "page")
            .and_then(|(_, v)| v.parse::<i64>().ok())
            .unwrap_or(1);
        let mut records: Records = Vec::new();
        let mut page = first;
        let mut pages = 0;
        let more = loop {
            let mut args = args.clone();
            args.query.retain(|(k, _)| k != "page");
            args.query.push(("page".into(), page.to_string()));
            let answer: RawPage = self
                .client
                .call_json(&found.op.meta, found.module.base_path, &args)
                .await
                .map_err(|e| sdk_error(found, &e))?;
            pages += 1;
            let data = answer.data.unwrap_or_default();
            let empty = data.is_empty();
            records.extend(data);
            page += 1;
            let has_more = answer.has_more.unwrap_or(false) && !empty;
            if !has_more || records.len() >= max {
                break has_more;
            }
        };
        // Whole pages are read; what is past `max_records` is left for the next call.
        let next_page = more.then_some(page);
        records.truncate(max);
        let part = self.results.cut(records);
        Ok(format!(
            r#"{{"operation_id":{},"status":"ok","pages_read":{pages},"next_page":{},"records":{},"truncated":{}}}"#,
            json!(found.id()),
            json!(next_page),
            part.array(),
            part.continuation()
        ))
    }

    async fn write(&self, found: &Found, args: &CallArgs, confirm: Option<&str>) -> ToolResult {
        let method = found.op.meta.http_method;
        let url = self.url(found, args);
        let body = args.body.clone().unwrap_or_default();
        let Some(token) = confirm else {
            let token = self.confirmations.issue(method, &url, &body);
            let body_json = match serde_json::from_slice::<Box<RawValue>>(&body) {
                Ok(raw) => raw.get().to_string(),
                Err(_) => "null".into(),
            };
            return Ok(format!(
                r#"{{"operation_id":{},"status":"dry_run","request":{{"method":{},"url":{},"body":{body_json}}},"confirmation_token":{},"expires_in_seconds":{},"next":"nothing was sent; to send exactly this request, call call_operation again with the same operation_id, params and body and confirm set to the token"}}"#,
                json!(found.id()),
                json!(method),
                json!(url),
                json!(token),
                self.confirmations.ttl().as_secs(),
            ));
        };
        self.confirmations
            .redeem(token, method, &url, &body)
            .map_err(|r| {
                ToolError::new("confirmation_refused", format!("{r}; nothing was sent"))
            })?;
        let answer: Box<RawValue> = self
            .client
            .call_json(&found.op.meta, found.module.base_path, args)
            .await
            .map_err(|e| sdk_error(found, &e))?;
        Ok(format!(
            r#"{{"operation_id":{},"status":"sent","result":{}}}"#,
            json!(found.id()),
            answer.get()
        ))
    }

    /// The URL the request goes to, as shown in a dry run and bound into its token.
    fn url(&self, found: &Found, args: &CallArgs) -> String {
        let parts = self.client.domain(found.module.base_path);
        let path: Vec<(&str, String)> = args
            .path
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        let mut url = servicetitan_core::upload::expand_path(
            &parts.base_url,
            found.op.meta.path,
            parts.tenant_id,
            &path,
        );
        if !args.query.is_empty() {
            url.push('?');
            url.push_str(&serde_urlencoded::to_string(&args.query).unwrap_or_default());
        }
        url
    }

    /// `read_result`.
    pub fn read_result(&self, input: ReadInput) -> ToolResult {
        let part = self
            .results
            .read(&input.handle, input.offset.unwrap_or(0))
            .map_err(|m| ToolError::new("unknown_handle", m))?;
        Ok(format!(
            r#"{{"status":"ok","records":{},"next_offset":{},"total_records":{}}}"#,
            part.array(),
            json!(part.next_offset),
            part.total
        ))
    }
}

/// The refusal of a write by a read-only server (or one allowing other modules' writes).
fn writes_disabled(found: &Found) -> ToolError {
    ToolError::new(
        "writes_disabled",
        format!(
            "{} ({} {}) changes data, and this server does not send writes of module {}: nothing \
             was sent. To enable writes, restart it with `st mcp --allow-writes` (or \
             `--allow-writes={}` for this module only); each write is then shown as a dry run and \
             sent only when confirmed.",
            found.id(),
            found.op.meta.http_method,
            found.op.meta.path,
            found.module.name,
            found.module.name
        ),
    )
}

#[derive(Deserialize)]
struct EnvelopeData {
    #[serde(default)]
    data: Option<Records>,
}

/// An SDK error as a tool error an agent can act on: the SDK's message (the scope to grant on a
/// 403, the wait on a 429), the status, and for a write whose outcome is unknown, that it was not
/// retried.
pub fn sdk_error(found: &Found, e: &Error) -> ToolError {
    let status = e.status().map(|s| s.as_u16());
    let unknown = found.is_write()
        && matches!(found.op.meta.http_method, "POST" | "PATCH")
        && (matches!(e, Error::Timeout { .. })
            || matches!(
                e,
                Error::Transport {
                    failure: TransportFailure::Send | TransportFailure::Body(_),
                    ..
                }
            )
            || matches!(status, Some(502..=504)));
    let code = match status {
        _ if unknown => "outcome_unknown",
        Some(401) => "unauthorized",
        Some(403) => "forbidden",
        Some(404) => "not_found",
        Some(429) => "rate_limited",
        Some(400..=499) => "rejected",
        Some(_) => "server_error",
        None => "failed",
    };
    let mut message = e.to_string();
    if unknown {
        message = format!(
            "{message}. The outcome is UNKNOWN: the request may have been processed. It was not \
             retried (a {} is not idempotent); read the data to check before sending it again.",
            found.op.meta.http_method
        );
    }
    let mut value = json!({ "error": code, "message": message, "operation_id": found.id() });
    if let Some(s) = status {
        value["status"] = json!(s);
    }
    if let Some(scopes) = (status == Some(403)).then_some(found.op.meta.scopes) {
        value["scopes"] = json!(scopes);
    }
    if let Some(api) = e.api() {
        if let Some(wait) = api.retry_after {
            value["retry_after_seconds"] = json!(wait.as_secs_f64());
        }
    }
    ToolError::with(code, value)
}
