//! One token request: `POST {auth_url}/connect/token` with the form
//! `grant_type=client_credentials&client_id=…&client_secret=…` (plus `tenant=<id>` for Enterprise
//! Hub credentials, valid for a network of tenants), answered by
//! `{access_token, expires_in, token_type}`.
//!
//! The answer is untrusted: its body is read only up to [`ERROR_BODY_BYTES`], `expires_in` is
//! clamped to [`MAX_LIFETIME`], an empty token or one a header cannot carry is refused, and every
//! text quoted from it is redacted (a server may echo the client secret).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::time::Instant;
use tracing::Instrument;

use super::credentials::TokenSettings;
use super::{AccessToken, AuthError, AuthFailure, DEFAULT_LIFETIME, MAX_LIFETIME};
use crate::body::{self, ERROR_BODY_BYTES};
use crate::redact::Secrets;

/// What the token endpoint answers.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    token_type: Option<String>,
}

/// The OAuth2 error shape (`{error, error_description}`) or a problem document.
#[derive(Deserialize, Default)]
struct TokenErrorBody {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    title: Option<String>,
}

/// A token as fetched: the secret, its lifetime and when the request started.
pub(super) struct Fetched {
    pub(super) secret: SecretString,
    pub(super) lifetime: Duration,
    pub(super) started: Instant,
}

/// Sends token requests for one set of credentials.
pub(super) struct Fetcher {
    http: reqwest::Client,
    token_url: String,
    /// `token_url` with any password redacted: what errors, logs and spans show.
    shown_url: String,
    client_id: String,
    client_secret: SecretString,
    hub_tenant: Option<i64>,
    timeout: Option<Duration>,
    environment: String,
    secrets: Arc<Secrets>,
}

impl fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fetcher")
            .field("token_url", &self.shown_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("hub_tenant", &self.hub_tenant)
            .field("environment", &self.environment)
            .finish()
    }
}

impl Fetcher {
    pub(super) fn new(s: TokenSettings) -> Self {
        let token_url = format!(
            "{}/connect/token",
            s.auth_url.as_str().trim_end_matches('/')
        );
        Fetcher {
            http: s.http,
            shown_url: crate::redact::everywhere(&token_url),
            token_url,
            client_id: s.client_id,
            client_secret: s.client_secret,
            hub_tenant: s.hub_tenant,
            timeout: s.timeout,
            environment: s.environment,
            secrets: s.secrets,
        }
    }

    pub(super) fn error(
        &self,
        reason: AuthFailure,
        status: Option<StatusCode>,
        detail: Option<String>,
        source: Option<reqwest::Error>,
    ) -> AuthError {
        AuthError {
            reason,
            token_url: self.shown_url.clone(),
            environment: self.environment.clone(),
            status,
            detail: detail.map(|d| self.secrets.redact(&d)),
            retry_after: None,
            source: source.map(reqwest::Error::without_url),
        }
    }

    fn transport_error(&self, status: Option<StatusCode>, err: reqwest::Error) -> AuthError {
        let reason = if err.is_timeout() {
            AuthFailure::TimedOut
        } else {
            AuthFailure::Unreachable
        };
        let detail = if status.is_some() {
            body::failure_kind(&err).to_string()
        } else {
            without_url(&err)
        };
        self.error(reason, status, Some(detail), Some(err))
    }

    pub(super) async fn fetch(&self) -> Result<Fetched, AuthError> {
        let span = tracing::debug_span!(
            "servicetitan.token",
            token_url = %self.shown_url,
            hub_tenant = self.hub_tenant,
            status = tracing::field::Empty,
        );
        self.request().instrument(span).await
    }

    async fn request(&self) -> Result<Fetched, AuthError> {
        let started = Instant::now();
        let tenant = self.hub_tenant.map(|t| t.to_string());
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "client_credentials"),
            ("client_id", &self.client_id),
            ("client_secret", self.client_secret.expose_secret()),
        ];
        if let Some(tenant) = &tenant {
            form.push(("tenant", tenant));
        }
        let mut request = self.http.post(&self.token_url).form(&form);
        if let Some(timeout) = self.timeout {
            request = request.timeout(timeout);
        }
        tracing::debug!("requesting an access token");
        let mut response = request
            .send()
            .await
            .map_err(|e| self.transport_error(None, e))?;
        let status = response.status();
        tracing::Span::current().record("status", status.as_u16());
        if !status.is_success() {
            return Err(self.refused(response).await);
        }
        let body = match body::read_capped(&mut response, ERROR_BODY_BYTES as u64).await {
            Ok(body) => body,
            Err(body::BodyError::Failed(e)) => return Err(self.transport_error(Some(status), e)),
            Err(body::BodyError::TooLarge) => {
                let detail = format!("the answer is larger than {ERROR_BODY_BYTES} bytes");
                return Err(self.error(
                    AuthFailure::InvalidResponse,
                    Some(status),
                    Some(detail),
                    None,
                ));
            }
        };
        let (secret, lifetime) = self.parse(&body).map_err(|detail| {
            self.error(
                AuthFailure::InvalidResponse,
                Some(status),
                Some(detail),
                None,
            )
        })?;
        tracing::debug!(expires_in_s = lifetime.as_secs(), "access token obtained");
        Ok(Fetched {
            secret,
            lifetime,
            started,
        })
    }

    /// A non-success answer: what it means, what it said, and the wait it asked for.
    async fn refused(&self, response: reqwest::Response) -> AuthError {
        let status = response.status();
        let reason = if status == StatusCode::TOO_MANY_REQUESTS {
            AuthFailure::RateLimited
        } else if status.is_server_error() {
            AuthFailure::ServerError
        } else {
            AuthFailure::Rejected
        };
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| crate::retry::parse_retry_after(v, SystemTime::now()));
        let body = body::read_prefix(response, ERROR_BODY_BYTES).await;
        let mut err = self.error(reason, Some(status), token_error_detail(&body), None);
        err.retry_after = retry_after;
        err
    }

    /// The token and its lifetime from a 2xx body.
    fn parse(&self, body: &[u8]) -> Result<(SecretString, Duration), String> {
        let (secret, lifetime, kind) = parse_answer(body)?;
        if let Some(kind) = kind.filter(|k| !k.eq_ignore_ascii_case("bearer")) {
            tracing::debug!(
                token_type = %self.secrets.redact(&kind),
                "unexpected token type; sending it as Bearer"
            );
        }
        Ok((secret, lifetime))
    }
}

/// The token, its lifetime and its `token_type` from a 2xx token answer; an error text (that
/// never quotes the body: it may hold a token) when it is not a usable token.
pub fn parse_answer(body: &[u8]) -> Result<(SecretString, Duration, Option<String>), String> {
    let parsed: TokenResponse = serde_json::from_slice(body)
        .map_err(|e| format!("expected {{access_token, expires_in}}: {e}"))?;
    let token = AccessToken::new(parsed.access_token);
    if let Some(why) = token.unusable() {
        return Err(why.to_owned());
    }
    Ok((
        token.secret().clone(),
        lifetime(parsed.expires_in.as_ref()),
        parsed.token_type,
    ))
}

/// `expires_in` as a number or a numeric string, clamped to [`MAX_LIFETIME`]; missing, zero,
/// negative or unreadable values mean [`DEFAULT_LIFETIME`].
pub fn lifetime(expires_in: Option<&serde_json::Value>) -> Duration {
    let secs = match expires_in {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match secs {
        Some(s) if s.is_finite() && s >= 1.0 => {
            Duration::try_from_secs_f64(s.min(MAX_LIFETIME.as_secs_f64())).unwrap_or(MAX_LIFETIME)
        }
        _ => DEFAULT_LIFETIME,
    }
}

/// The reqwest error's message without its URL (which is already in the error).
fn without_url(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    if let Some(url) = err.url() {
        text = text.replace(&format!(" for url ({url})"), "");
    }
    text
}

/// What a token endpoint error body says, in one short line.
fn token_error_detail(body: &[u8]) -> Option<String> {
    if let Ok(parsed) = serde_json::from_slice::<TokenErrorBody>(body) {
        let parts: Vec<String> = [parsed.error, parsed.error_description, parsed.title]
            .into_iter()
            .flatten()
            .collect();
        if !parts.is_empty() {
            return Some(parts.join(": "));
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then(|| text.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lifetimes_are_clamped() {
        let max = json!(18446744073709551615u64);
        assert_eq!(lifetime(Some(&max)), MAX_LIFETIME);
        assert_eq!(lifetime(Some(&json!("18446744073709551615"))), MAX_LIFETIME);
        assert_eq!(lifetime(Some(&json!("1e300"))), MAX_LIFETIME);
        assert_eq!(lifetime(Some(&json!(900))), Duration::from_secs(900));
        assert_eq!(lifetime(Some(&json!(" 60 "))), Duration::from_secs(60));
        for odd in [json!(0), json!(-5), json!("soon"), json!(null), json!([1])] {
            assert_eq!(lifetime(Some(&odd)), DEFAULT_LIFETIME, "{odd}");
        }
        assert_eq!(lifetime(None), DEFAULT_LIFETIME);
    }
}
