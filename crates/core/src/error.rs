//! The one error type users see, and the typed API error it wraps: types and their messages
//! only. Reading responses into these types (problem bodies, `Retry-After`, trace ids) is the
//! [transport](crate::transport)'s job, and so is `impl From<progenitor_client::Error<E>> for
//! Error`; a failed token request's text lives in [`auth`](crate::auth).
//!
//! Messages are written to be acted on: they follow the troubleshooting checklist of the
//! ServiceTitan documentation (credentials, app connection, environment, tenant, scopes). No
//! message, `Debug` output or field ever contains the client secret, the app key or a token.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;

pub use crate::auth::AuthFailure;
pub use crate::body::BodyFailure;
use crate::config::ConfigError;

/// How many bytes of an unreadable body are kept in errors.
const EXCERPT_LEN: usize = 512;
/// How many bytes of a non-JSON error body (an HTML page, plain text) are kept.
pub(crate) const RAW_BODY_LEN: usize = 4096;

/// Every error the SDK returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration could not be resolved (missing or malformed credentials, bad URL, …).
    #[error(transparent)]
    Config(#[from] ConfigError),

    /// No access token could be obtained from the OAuth2 token endpoint.
    #[error("{}", crate::auth::message(*reason, token_url, environment, *status, detail.as_deref()))]
    Auth {
        /// Why the token request failed.
        reason: AuthFailure,
        /// The token endpoint that was called (`{auth_url}/connect/token`), its password (if
        /// any) redacted.
        token_url: String,
        /// The environment the credentials were used against (`production`, `integration`, …).
        environment: String,
        /// HTTP status of the token endpoint, when it answered.
        status: Option<StatusCode>,
        /// What the token endpoint said (`invalid_client`, a problem title, …), secrets redacted.
        detail: Option<String>,
        /// The wait the token endpoint asked for (`Retry-After` of a 429 or 5xx).
        retry_after: Option<Duration>,
        /// The transport error, when the endpoint could not be reached.
        #[source]
        source: Option<reqwest::Error>,
    },

    /// The API answered with a non-success status.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The call took longer than allowed, after any retries: one attempt ran past the request
    /// timeout, or all attempts together past the retry budget ([`RetryPolicy::max_elapsed`]).
    ///
    /// [`RetryPolicy::max_elapsed`]: crate::RetryPolicy::max_elapsed
    #[error("{}", timeout_message(operation.as_deref(), *budget, *attempts, source.as_ref()))]
    Timeout {
        /// The operation (`Jobs_Get (GET /jpm/v2/tenant/1/jobs/2)`), when known.
        operation: Option<String>,
        /// `Some(budget)` when the retry budget ran out; `None` for the request timeout.
        budget: Option<Duration>,
        /// Attempts made.
        attempts: u32,
        /// The underlying reqwest timeout error, when reqwest's timeout fired.
        #[source]
        source: Option<reqwest::Error>,
    },

    /// The connection failed, or the response body failed mid-way, after any retries.
    #[error("{}", transport_message(operation.as_deref(), failure, *attempts))]
    Transport {
        /// The operation, when known.
        operation: Option<String>,
        /// What happened.
        failure: TransportFailure,
        /// Attempts made.
        attempts: u32,
        /// The underlying reqwest error (its URL removed).
        #[source]
        source: Option<reqwest::Error>,
    },

    /// A response body was larger than the cap
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)).
    #[error(
        "{operation}: the response body is larger than the {limit}-byte cap; raise \
         `ClientBuilder::max_response_bytes` if such pages are expected, or lower `pageSize`"
    )]
    TooLarge {
        /// The operation.
        operation: String,
        /// The cap in bytes.
        limit: u64,
    },

    /// An export stopped advancing: the server repeated its continuation token with
    /// `hasMore: true`, or sent a run of empty batches.
    #[error(
        "the export did not advance after {requests} requests: {reason}; stopped so that no \
         record is read twice. Resume later from the last checkpoint{}",
        checkpoint.as_deref().map(|c| format!(" ({c})")).unwrap_or_default()
    )]
    ExportStalled {
        /// What the server did.
        reason: String,
        /// Requests made by the stream.
        requests: u32,
        /// The last continuation token handed out.
        checkpoint: Option<String>,
    },

    /// A setting cannot be used (e.g. an app key with characters a header cannot carry).
    #[error("invalid {name}: {reason}")]
    InvalidSetting {
        /// The setting, e.g. `app key (SERVICETITAN_APP_KEY)`.
        name: &'static str,
        /// Why it cannot be used.
        reason: String,
    },

    /// A transport error (DNS, TLS, connection reset, …) that did not come through the
    /// transport's pipeline.
    #[error("HTTP transport error: {0}")]
    Http(#[source] reqwest::Error),

    /// A success response whose body did not deserialize into the expected type.
    #[error(
        "could not read the response body{}: {message}; the body starts with: {excerpt}",
        status.map(|s| format!(" ({s})")).unwrap_or_default()
    )]
    Decode {
        /// serde's message (line, column and what was expected).
        message: String,
        /// The first bytes of the body.
        excerpt: String,
        /// Status of the response, when known.
        status: Option<StatusCode>,
    },

    /// One record of a page or export batch could not be decoded into the generated type; the
    /// typed streams yield this in the record's place and go on with its neighbours. It carries
    /// the operation id, the JSON path of the failure and the record's raw JSON.
    #[error(transparent)]
    Record(Box<crate::records::RecordError>),

    /// The request could not be built (a required parameter is missing, a value is invalid).
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// Any other failure (e.g. a custom hook error).
    #[error("{0}")]
    Other(String),
}

/// What failed in the connection or the response body.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportFailure {
    /// No connection could be made (refused, DNS, TLS).
    Connect,
    /// The request could not be sent, or no answer came (the connection dropped).
    Send,
    /// The response body failed mid-way.
    Body(BodyFailure),
    /// Redirects went on for more than this many hops.
    TooManyRedirects(usize),
}

impl fmt::Display for TransportFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportFailure::Connect => f.write_str("could not connect"),
            TransportFailure::Send => f.write_str("the request failed before an answer came"),
            TransportFailure::Body(b) => write!(f, "{b}"),
            TransportFailure::TooManyRedirects(n) => write!(f, "too many redirects ({n})"),
        }
    }
}

fn transport_message(operation: Option<&str>, failure: &TransportFailure, attempts: u32) -> String {
    let op = operation.unwrap_or("the request");
    let tries = if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    };
    format!("{op}: {failure}{tries}")
}

fn timeout_message(
    operation: Option<&str>,
    budget: Option<Duration>,
    attempts: u32,
    source: Option<&reqwest::Error>,
) -> String {
    let op = operation
        .map(str::to_owned)
        .or_else(|| source.map(url_path))
        .unwrap_or_else(|| "the request".to_owned());
    match budget {
        Some(budget) => format!(
            "{op} timed out: no answer within the retry budget of {} s over {attempts} \
             attempt(s), token request included; raise `RetryPolicy::max_elapsed` or check the \
             server",
            budget.as_secs_f64()
        ),
        None => format!(
            "{op} timed out; ServiceTitan allows up to 100 s for large pages: raise \
             `ClientBuilder::request_timeout` (default 120 s) or lower `pageSize`"
        ),
    }
}

fn url_path(err: &reqwest::Error) -> String {
    err.url()
        .map(|u| format!("{}{}", u.host_str().unwrap_or_default(), u.path()))
        .unwrap_or_else(|| "ServiceTitan".to_owned())
}

impl Error {
    /// The HTTP status of the failure, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Auth { status, .. } | Error::Decode { status, .. } => *status,
            Error::Http(e) => e.status(),
            _ => None,
        }
    }

    /// The API error, when the API answered with a non-success status.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The record that could not be decoded, for an [`Error::Record`] stream item.
    pub fn record(&self) -> Option<&crate::records::RecordError> {
        match self {
            Error::Record(record) => Some(record),
            _ => None,
        }
    }

    /// `true` for a timeout (of the request or of connecting).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// A body that did not decode; the excerpt is redacted against every live client's secrets
    /// (a server may echo a token in a body that then fails to decode).
    pub(crate) fn decode(message: String, body: &[u8], status: Option<StatusCode>) -> Self {
        Error::Decode {
            message: crate::redact::everywhere(&message),
            excerpt: crate::redact::everywhere(&excerpt(body, EXCERPT_LEN)),
            status,
        }
    }

    pub(crate) fn from_reqwest(mut err: reqwest::Error) -> Self {
        // A URL's password never reaches a message.
        if let Some(url) = err.url_mut() {
            if url.password().is_some() {
                let _ = url.set_password(None);
            }
        }
        if err.is_timeout() {
            Error::Timeout {
                operation: None,
                budget: None,
                attempts: 1,
                source: Some(err.without_url()),
            }
        } else {
            Error::Http(err)
        }
    }
}

impl From<crate::auth::AuthError> for Error {
    fn from(e: crate::auth::AuthError) -> Self {
        Error::Auth {
            reason: e.reason,
            token_url: e.token_url,
            environment: e.environment,
            status: e.status,
            detail: e.detail,
            retry_after: e.retry_after,
            source: e.source,
        }
    }
}

impl From<ApiError> for Error {
    fn from(err: ApiError) -> Self {
        Error::Api(Box::new(err))
    }
}

impl From<reqwest::Error> for Error {
    fn from(err: reqwest::Error) -> Self {
        Error::from_reqwest(err)
    }
}

/// An RFC 7807 problem document, as ServiceTitan sends for most errors:
/// `{type, title, status, traceId, errors: {field: [message]}}`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Problem {
    /// A URI identifying the kind of problem.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Short human-readable summary.
    #[serde(default)]
    pub title: Option<String>,
    /// The status the server meant.
    #[serde(default)]
    pub status: Option<u16>,
    /// Longer explanation, when given.
    #[serde(default)]
    pub detail: Option<String>,
    /// ServiceTitan's trace id: quote it to ServiceTitan support.
    #[serde(default)]
    pub trace_id: Option<String>,
    /// Validation messages per request field.
    #[serde(default, deserialize_with = "lenient_field_errors")]
    pub errors: BTreeMap<String, Vec<String>>,
}

/// `errors` is usually `{field: [msg]}`, but a single string per field or `null` occur.
fn lenient_field_errors<'de, D: serde::Deserializer<'de>>(
    de: D,
) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(de)?;
    let mut out = BTreeMap::new();
    if let Some(serde_json::Value::Object(map)) = value {
        for (field, messages) in map {
            let messages = match messages {
                serde_json::Value::Array(items) => items
                    .into_iter()
                    .map(|m| {
                        m.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| m.to_string())
                    })
                    .collect(),
                serde_json::Value::String(s) => vec![s],
                serde_json::Value::Null => vec![],
                other => vec![other.to_string()],
            };
            out.insert(field, messages);
        }
    }
    Ok(out)
}

/// A non-success answer of the ServiceTitan API, with everything needed to act on it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The parsed RFC 7807 body, when the body was one.
    pub problem: Option<Problem>,
    /// The body as text when it was not an RFC 7807 problem (an HTML page, plain text, other
    /// JSON), truncated to 4 KiB.
    pub raw_body: Option<String>,
    /// The wait the server asked for (`Retry-After`, or the seconds named in a 429's title).
    pub retry_after: Option<Duration>,
    /// The operation id (`Jobs_Get`), when the call came through a generated client.
    pub operation_id: Option<&'static str>,
    /// The OAuth scopes the operation requires.
    pub scopes: &'static [&'static str],
    /// The operation's path template (`/tenant/{tenant}/jobs/{id}`).
    pub path_template: Option<&'static str>,
    /// The path that was requested, without query string.
    pub path: Option<String>,
    /// HTTP method.
    pub method: Option<String>,
    /// ServiceTitan's trace id, from the body or a response header.
    pub trace_id: Option<String>,
    /// The client-side request limit in force, for 429 messages (e.g. `60 requests/s`).
    pub rate_limit: Option<String>,
}

impl ApiError {
    /// The problem's title, when the body had one.
    pub fn title(&self) -> Option<&str> {
        self.problem.as_ref()?.title.as_deref()
    }

    /// Validation messages per field (empty when none).
    pub fn field_errors(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.problem
            .iter()
            .flat_map(|p| p.errors.iter().map(|(k, v)| (k.as_str(), v.as_slice())))
    }

    /// The values of the path parameters, found by lining the template up with the requested
    /// path from the end (the template is relative to the module's base path).
    pub fn path_params(&self) -> Vec<(String, String)> {
        let (Some(template), Some(path)) = (self.path_template, self.path.as_deref()) else {
            return Vec::new();
        };
        let mut out: Vec<(String, String)> = template
            .trim_matches('/')
            .split('/')
            .rev()
            .zip(path.trim_matches('/').split('/').rev())
            .filter_map(|(t, v)| {
                let name = t.strip_prefix('{')?.strip_suffix('}')?;
                Some((name.to_owned(), v.to_owned()))
            })
            .collect();
        out.reverse();
        out
    }

    fn what(&self) -> String {
        let mut s = String::new();
        if let Some(op) = self.operation_id {
            s.push_str(op);
            s.push(' ');
        }
        match (&self.method, &self.path) {
            (Some(m), Some(p)) => s.push_str(&format!("({m} {p})")),
            (None, Some(p)) => s.push_str(&format!("({p})")),
            _ => {}
        }
        s.trim_end().to_owned()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = self.what();
        let on = if what.is_empty() {
            String::new()
        } else {
            format!(" on {what}")
        };
        write!(f, "{}{on}", self.status)?;
        if let Some(title) = self.title() {
            write!(f, ": {}", title.trim_end_matches('.'))?;
        }
        match self.status {
            StatusCode::UNAUTHORIZED => f.write_str(
                ". The access token was refused even after fetching a new one: check that the \
                 client id and secret are right, that the app is active and connected for this \
                 tenant (Settings → Integrations → API Application Access), that the environment \
                 (production vs integration) matches the credentials, and that the tenant id is \
                 the tenant the credentials were issued for",
            )?,
            StatusCode::FORBIDDEN => {
                if self.scopes.is_empty() {
                    f.write_str(". The app lacks the OAuth scope this operation needs")?;
                } else {
                    write!(
                        f,
                        ". The app needs the OAuth scope {} for this operation",
                        self.scopes
                            .iter()
                            .map(|s| format!("`{s}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )?;
                }
                f.write_str(
                    ": add it to the app in the developer portal (My Apps → Edit); if it was just \
                     added, the tenant's admin must accept the new app version \
                     (Settings → Integrations → API Application Access)",
                )?;
            }
            StatusCode::NOT_FOUND => {
                let params: Vec<String> = self
                    .path_params()
                    .into_iter()
                    .filter(|(name, _)| name != "tenant")
                    .map(|(name, value)| format!("{name} = {value}"))
                    .collect();
                match (&self.path, params.is_empty()) {
                    (Some(path), false) => write!(
                        f,
                        ". Nothing at {path}: check {} (it may belong to another tenant or have been deleted) and the tenant id",
                        params.join(", ")
                    )?,
                    (Some(path), true) => write!(
                        f,
                        ". Nothing at {path}: check the path (module names and versions differ between modules) and the tenant id"
                    )?,
                    (None, _) => f.write_str(". Check the id and the tenant id")?,
                }
            }
            StatusCode::TOO_MANY_REQUESTS => {
                let limit = self.rate_limit.as_deref().unwrap_or(
                    "60 requests per second per app and tenant; reports: 5 runs of the same report per minute",
                );
                write!(f, ". Rate limited: {limit}")?;
                match self.retry_after {
                    Some(wait) => write!(f, "; retry after {} s", wait.as_secs_f64().ceil())?,
                    None => f.write_str("; slow down and retry later")?,
                }
            }
            _ => {}
        }
        let fields: Vec<String> = self
            .field_errors()
            .map(|(field, messages)| format!("{field}: {}", messages.join("; ")))
            .collect();
        if !fields.is_empty() {
            write!(f, ". Field errors: {}", fields.join(" | "))?;
        }
        if let Some(detail) = self.problem.as_ref().and_then(|p| p.detail.as_deref()) {
            write!(f, ". {detail}")?;
        }
        if let Some(raw) = &self.raw_body {
            let one_line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
            let shown: String = one_line.chars().take(200).collect();
            write!(f, ". Response body: {shown}")?;
        }
        if let Some(trace) = &self.trace_id {
            write!(f, " (traceId {trace})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// The first `max` bytes of a body as text; a character cut in half at the end is dropped
/// rather than shown as a replacement character.
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    let mut end = body.len().min(max);
    if end < body.len() {
        // The last character starting in the kept part: drop it if its bytes run past the cut.
        if let Some(i) = (end.saturating_sub(3)..end)
            .rev()
            .find(|&i| body[i] & 0xC0 != 0x80)
        {
            let width = match body[i] {
                0xF0.. => 4,
                0xE0.. => 3,
                0xC0.. => 2,
                _ => 1,
            };
            if i + width > end {
                end = i;
            }
        }
    }
    let text = String::from_utf8_lossy(&body[..end]).into_owned();
    if body.len() > max {
        format!("{text}…")
    } else {
        text
    }
}
