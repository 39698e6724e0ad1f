//! [`ApiError`]: a non-success answer of the API, and the [`Problem`] document it carries.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;

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
        self.advice(f)?;
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

impl ApiError {
    /// What to do about this status: the troubleshooting checklist of each.
    fn advice(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            StatusCode::UNAUTHORIZED => f.write_str(
                ". The access token was refused even after fetching a new one: check that the \
                 client id and secret are right, that the app is active and connected for this \
                 tenant (Settings → Integrations → API Application Access), that the environment \
                 (production vs integration) matches the credentials, and that the tenant id is \
                 the tenant the credentials were issued for",
            ),
            StatusCode::FORBIDDEN => {
                if self.scopes.is_empty() {
                    f.write_str(". The app lacks the OAuth scope this operation needs")?;
                } else {
                    let scopes: Vec<String> =
                        self.scopes.iter().map(|s| format!("`{s}`")).collect();
                    write!(
                        f,
                        ". The app needs the OAuth scope {} for this operation",
                        scopes.join(", ")
                    )?;
                }
                f.write_str(
                    ": add it to the app in the developer portal (My Apps → Edit); if it was just \
                     added, the tenant's admin must accept the new app version \
                     (Settings → Integrations → API Application Access)",
                )
            }
            StatusCode::NOT_FOUND => self.not_found(f),
            StatusCode::TOO_MANY_REQUESTS => {
                let limit = self.rate_limit.as_deref().unwrap_or(
                    "60 requests per second per app and tenant; reports: 5 runs of the same report per minute",
                );
                write!(f, ". Rate limited: {limit}")?;
                match self.retry_after {
                    Some(wait) => write!(f, "; retry after {} s", wait.as_secs_f64().ceil()),
                    None => f.write_str("; slow down and retry later"),
                }
            }
            _ => Ok(()),
        }
    }

    fn not_found(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
            ),
            (Some(path), true) => write!(
                f,
                ". Nothing at {path}: check the path (module names and versions differ between modules) and the tenant id"
            ),
            (None, _) => f.write_str(". Check the id and the tenant id"),
        }
    }
}

impl std::error::Error for ApiError {}
