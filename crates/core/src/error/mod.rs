//! The one error type users see, and the typed API error it wraps: types and their messages
//! only. Reading responses into these types (problem bodies, `Retry-After`, trace ids) is the
//! [transport](crate::transport)'s job; a failed token request's text lives in
//! [`auth`](crate::auth).
//!
//! Messages are written to be acted on: they follow the troubleshooting checklist of the
//! ServiceTitan documentation (credentials, app connection, environment, tenant, scopes). No
//! message, `Debug` output or field ever contains the client secret, the app key or a token.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

mod api;
mod report;

pub use crate::auth::{AuthError, AuthFailure};
pub use crate::body::BodyFailure;
use crate::config::ConfigError;
pub use api::{ApiError, Problem};
pub use report::{ParamProblem, ParamsError};

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

    /// No access token could be obtained from the OAuth2 token endpoint (or the custom token
    /// provider): why, the endpoint, its status and what it said ([`AuthError`]).
    #[error(transparent)]
    Auth(Box<AuthError>),

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

    /// A paged list's answers cannot be followed any further (the server keeps answering
    /// empty pages with `hasMore: true`, or says `hasMore` at the last page number there is); the
    /// stream ends with this after the pages it could read.
    #[error("{operation}: paging stopped at page {page}: {anomaly}")]
    PagingAnomaly {
        /// The operation being paged (`Jobs_GetList`).
        operation: &'static str,
        /// The page whose answer revealed it.
        page: i32,
        /// What the server did.
        anomaly: PagingAnomaly,
    },

    /// A page request running on a task of its own was cancelled before it answered: the tokio
    /// runtime it ran on shut down while the stream was still read.
    #[error(
        "{operation}: the request for page {page} was cancelled before it answered (the tokio \
         runtime it ran on was shut down); read the stream inside the runtime that started it"
    )]
    Cancelled {
        /// The operation being paged.
        operation: &'static str,
        /// The page requested.
        page: i32,
    },

    /// An argument given to the SDK cannot be used: a required value is missing, a date range
    /// ends before it starts, a value cannot be written into the request.
    #[error("invalid argument `{name}`: {reason}")]
    InvalidArgument {
        /// The argument (`tenant`, `last`, `file`, …), with its operation when there is one.
        name: String,
        /// What is wrong with it and how to fix it.
        reason: String,
    },

    /// The parameters of a report run do not fit the report's definition; nothing was sent.
    /// Every problem is kept ([`ParamsError::problems`]), one per parameter.
    #[error(transparent)]
    ReportParameters(Box<ParamsError>),

    /// Any other failure (e.g. a custom hook error).
    #[error("{0}")]
    Other(String),
}

/// What a server did that ends a paging stream ([`Error::PagingAnomaly`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PagingAnomaly {
    /// This many empty pages in a row, each still saying `hasMore: true`.
    EmptyPages(u32),
    /// `hasMore: true` on page `i32::MAX`: the API's `page` has no number after it.
    NoPageNumberAfter,
}

impl fmt::Display for PagingAnomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PagingAnomaly::EmptyPages(n) => write!(
                f,
                "{n} empty pages in a row while the server still answers hasMore=true; stopped \
                 rather than loop"
            ),
            PagingAnomaly::NoPageNumberAfter => f.write_str(
                "the server says hasMore=true, but there is no page number after it (the API's \
                 `page` is a 32-bit integer)",
            ),
        }
    }
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
    /// progenitor's builder checks in the generated `send()` (text only: `tenant was not
    /// initialized`, ``conversion to `i64` for page failed``) read back into the argument they
    /// name.
    #[doc(hidden)]
    pub fn builder_value(message: String) -> Error {
        let (name, reason) = if let Some(name) = message.strip_suffix(" was not initialized") {
            (name, "required, but no value was given".to_owned())
        } else if let Some((target, name)) = message
            .strip_prefix("conversion to `")
            .and_then(|rest| rest.split_once("` for "))
        {
            let name = name.split(" failed").next().unwrap_or(name);
            (
                name,
                format!("the value could not be converted to `{target}`"),
            )
        } else {
            ("request", message.clone())
        };
        Error::InvalidArgument {
            name: name.to_owned(),
            reason,
        }
    }

    /// The HTTP status of the failure, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Auth(auth) => auth.status,
            Error::Decode { status, .. } => *status,
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

    /// The failed token request, when no access token could be obtained.
    pub fn auth(&self) -> Option<&AuthError> {
        match self {
            Error::Auth(auth) => Some(auth),
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

impl From<AuthError> for Error {
    fn from(e: AuthError) -> Self {
        Error::Auth(Box::new(e))
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

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn excerpts_cut_at_a_character_boundary() {
        let body = "é".repeat(10); // 2 bytes each
        assert_eq!(excerpt(body.as_bytes(), 5), "éé…");
        assert_eq!(excerpt(body.as_bytes(), 4), "éé…");
        assert_eq!(excerpt("ab".as_bytes(), 5), "ab");
        assert_eq!(excerpt("€€".as_bytes(), 4), "€…");
    }
}
