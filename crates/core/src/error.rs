//! The one error type users see, and the typed API error it wraps.
//!
//! Generated clients only know `progenitor_client::Error`, and their `exec` hook can only return a
//! `reqwest::Response`. So the [transport](crate::transport) reads the body of a failed call,
//! builds the typed [`Error`] here, and hands progenitor a re-built response that carries the
//! typed error in its extensions; `impl From<progenitor_client::Error<E>> for Error` takes it back
//! out, synchronously, when the user writes `?`.
//!
//! Messages are written to be acted on: they follow the troubleshooting checklist of the
//! ServiceTitan documentation (credentials, app connection, environment, tenant, scopes). No
//! message, `Debug` output or field ever contains the client secret, the app key or a token.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;

use crate::config::ConfigError;

/// How many bytes of an unreadable body are kept in errors.
const EXCERPT_LEN: usize = 512;
/// How many bytes of a non-JSON error body (an HTML page, plain text) are kept.
const RAW_BODY_LEN: usize = 4096;

/// Every error the SDK returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration could not be resolved (missing or malformed credentials, bad URL, …).
    #[error(transparent)]
    Config(#[from] ConfigError),

    /// No access token could be obtained from the OAuth2 token endpoint.
    #[error("{}", auth_message(*reason, token_url, environment, *status, detail.as_deref()))]
    Auth {
        /// Why the token request failed.
        reason: AuthFailure,
        /// The token endpoint that was called (`{auth_url}/connect/token`).
        token_url: String,
        /// The environment the credentials were used against (`production`, `integration`, …).
        environment: String,
        /// HTTP status of the token endpoint, when it answered.
        status: Option<StatusCode>,
        /// What the token endpoint said (`invalid_client`, a problem title, …), never a secret.
        detail: Option<String>,
        /// The transport error, when the endpoint could not be reached.
        #[source]
        source: Option<reqwest::Error>,
    },

    /// The API answered with a non-success status.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The request (or connecting) took longer than the configured timeout, after any retries.
    #[error(
        "request to {} timed out; ServiceTitan allows up to 100 s for large pages: raise \
         `ClientBuilder::request_timeout` (default 120 s) or lower `pageSize`",
        url_path(source)
    )]
    Timeout {
        /// The underlying reqwest timeout error.
        #[source]
        source: reqwest::Error,
    },

    /// A transport error (DNS, TLS, connection reset, …) after any retries.
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

/// Why an access token could not be obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthFailure {
    /// The token endpoint refused the credentials (4xx).
    Rejected,
    /// The token endpoint failed (5xx).
    ServerError,
    /// The token endpoint could not be reached or did not answer in time.
    Unreachable,
    /// The token endpoint answered 2xx with something that is not a token.
    InvalidResponse,
}

fn auth_message(
    reason: AuthFailure,
    token_url: &str,
    environment: &str,
    status: Option<StatusCode>,
    detail: Option<&str>,
) -> String {
    let said = match (status, detail) {
        (Some(s), Some(d)) => format!(" ({s}: {d})"),
        (Some(s), None) => format!(" ({s})"),
        (None, Some(d)) => format!(" ({d})"),
        (None, None) => String::new(),
    };
    match reason {
        AuthFailure::Rejected => format!(
            "ServiceTitan refused the access token request at {token_url}{said}. Check that: \
             (1) the client id and client secret are right — exact, case-sensitive names \
             SERVICETITAN_CLIENT_ID / SERVICETITAN_CLIENT_SECRET, no trailing spaces, the .env \
             file is where it is loaded from; (2) the tenant's admin has connected the app and it \
             is active (Settings → Integrations → API Application Access → Connect New App); \
             (3) the credentials belong to the {environment} environment: client id and secret \
             are issued per environment (production vs integration), the app key is not; \
             (4) for Enterprise Hub credentials, the tenant id is part of the network"
        ),
        AuthFailure::ServerError => format!(
            "the ServiceTitan token endpoint {token_url} failed{said}; this is on ServiceTitan's \
             side, try again later"
        ),
        AuthFailure::Unreachable => format!(
            "could not reach the ServiceTitan token endpoint {token_url}{said}; check the network \
             and that the auth URL matches the {environment} environment"
        ),
        AuthFailure::InvalidResponse => format!(
            "the token endpoint {token_url} answered without a usable access token{said}; check \
             that the auth URL points at ServiceTitan's {environment} auth server"
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
            Error::Http(e) | Error::Timeout { source: e } => e.status(),
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

    pub(crate) fn decode(message: String, body: &[u8], status: Option<StatusCode>) -> Self {
        Error::Decode {
            message,
            excerpt: excerpt(body, EXCERPT_LEN),
            status,
        }
    }

    fn from_reqwest(err: reqwest::Error) -> Self {
        if err.is_timeout() {
            Error::Timeout { source: err }
        } else {
            Error::Http(err)
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

impl<E> From<progenitor_client::Error<E>> for Error {
    fn from(err: progenitor_client::Error<E>) -> Self {
        use progenitor_client::Error as P;
        match err {
            P::UnexpectedResponse(mut response) => {
                if let Some(err) = Captured::take_from(response.extensions_mut()) {
                    return err;
                }
                // Not produced by our transport (or a success status the spec did not list):
                // the body cannot be read synchronously, so keep what the head says.
                ApiError::from_head(
                    response.status(),
                    response.headers(),
                    Some(response.url()),
                    None,
                )
                .into()
            }
            P::ErrorResponse(value) => {
                ApiError::from_head(value.status(), value.headers(), None, None).into()
            }
            P::CommunicationError(e) | P::ResponseBodyError(e) | P::InvalidUpgrade(e) => {
                Error::from_reqwest(e)
            }
            P::InvalidResponsePayload(body, e) => Error::decode(e.to_string(), &body, None),
            P::InvalidRequest(message) => Error::InvalidRequest(message),
            P::Custom(message) => Error::Other(message),
        }
    }
}

/// A typed error travelling from the transport to `From<progenitor_client::Error>` inside a
/// response's extensions (which require `Clone`, hence the shared slot).
#[derive(Clone)]
pub(crate) struct Captured(Arc<Mutex<Option<Error>>>);

impl Captured {
    pub(crate) fn new(err: Error) -> Self {
        Captured(Arc::new(Mutex::new(Some(err))))
    }

    fn take_from(extensions: &mut http::Extensions) -> Option<Error> {
        let captured = extensions.remove::<Captured>()?;
        let mut slot = captured
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        slot.take()
    }
}

/// Reads the typed error the transport attached to a response, if any. Useful when calling
/// [`Transport::execute`](crate::Transport::execute) directly.
pub fn take_captured(response: &mut reqwest::Response) -> Option<Error> {
    Captured::take_from(response.extensions_mut())
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
    /// Builds an error from the head of a response (status, headers, URL) and optionally its body.
    pub fn from_head(
        status: StatusCode,
        headers: &reqwest::header::HeaderMap,
        url: Option<&url::Url>,
        body: Option<&[u8]>,
    ) -> Self {
        let (problem, raw_body) = match body {
            Some(bytes) if !bytes.iter().all(u8::is_ascii_whitespace) => {
                match serde_json::from_slice::<Problem>(bytes) {
                    // JSON that is not a problem document (`{"message": …}`, `[]`) is kept as text.
                    Ok(problem) if problem != Problem::default() => (Some(problem), None),
                    _ => (None, Some(excerpt(bytes, RAW_BODY_LEN))),
                }
            }
            _ => (None, None),
        };
        let now = std::time::SystemTime::now();
        let retry_after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| crate::retry::parse_retry_after(v, now))
            .or_else(|| {
                (status == StatusCode::TOO_MANY_REQUESTS)
                    .then(|| {
                        problem
                            .as_ref()?
                            .title
                            .as_deref()
                            .and_then(crate::retry::seconds_in_title)
                    })
                    .flatten()
            });
        let trace_id = problem
            .as_ref()
            .and_then(|p| p.trace_id.clone())
            .or_else(|| crate::transport::trace_id_from_headers(headers));
        ApiError {
            status,
            problem,
            raw_body,
            retry_after,
            operation_id: None,
            scopes: &[],
            path_template: None,
            path: url.map(|u| u.path().to_owned()),
            method: None,
            trace_id,
            rate_limit: None,
        }
    }

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

/// The first `max` bytes of a body as text, cut at a character boundary.
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(max)]).into_owned();
    if body.len() > max {
        format!("{text}…")
    } else {
        text
    }
}
