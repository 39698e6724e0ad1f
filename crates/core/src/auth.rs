//! OAuth2 client-credentials tokens: fetched once, cached, shared.
//!
//! `POST {auth_url}/connect/token` with the form
//! `grant_type=client_credentials&client_id=…&client_secret=…` (plus `tenant=<id>` for Enterprise
//! Hub credentials, which are valid for a network of tenants) answers
//! `{access_token, expires_in, token_type}`. ServiceTitan's tokens live 900 s.
//!
//! * The token is reused until `expires_in − margin` (the configured refresh margin, but at most
//!   half the lifetime, so that a short-lived token is still used for a while).
//! * **Single flight**: when the token is missing or stale, one caller fetches it and every other
//!   caller waits for that fetch (a `tokio::sync::Mutex` around the refresh, the cache re-checked
//!   after taking it). A failed fetch is reported to the callers that waited for it too, instead
//!   of each of them asking again.
//! * A `401` from the API invalidates the token it was sent with (and only that one, identified by
//!   a generation number, so that many concurrent 401s cause a single refresh).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::time::Instant;
use tracing::Instrument;

use crate::error::{AuthFailure, Error};

/// How long a token lives when the server does not say.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(900);

/// A cached access token. `Debug` never shows the token.
#[derive(Clone)]
pub(crate) struct CachedToken {
    pub(crate) secret: SecretString,
    pub(crate) refresh_at: Instant,
    /// When the server said the token expires (`refresh_at` + margin).
    pub(crate) expires_at: Instant,
    pub(crate) generation: u64,
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("secret", &"[REDACTED]")
            .field("refresh_at", &self.refresh_at)
            .field("expires_at", &self.expires_at)
            .field("generation", &self.generation)
            .finish()
    }
}

/// What the token endpoint answers.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: SecretString,
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

/// A summary of a failed fetch, replayed to the callers that waited for it.
#[derive(Clone, Debug)]
struct Failure {
    fetch: u64,
    reason: AuthFailure,
    status: Option<StatusCode>,
    detail: Option<String>,
}

/// The credentials and cache of one tenant's token.
pub(crate) struct TokenSource {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: SecretString,
    /// `Some` for Enterprise Hub credentials: the tenant the token is asked for.
    hub_tenant: Option<i64>,
    margin: Duration,
    timeout: Option<Duration>,
    environment: String,
    cache: RwLock<Option<CachedToken>>,
    refresh: tokio::sync::Mutex<()>,
    /// Number of fetches completed (success or failure); also the token generation.
    fetches: AtomicU64,
    last_failure: Mutex<Option<Failure>>,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("hub_tenant", &self.hub_tenant)
            .field("margin", &self.margin)
            .field("environment", &self.environment)
            .field(
                "cached",
                &self.cache.read().map(|c| c.is_some()).unwrap_or(false),
            )
            .finish()
    }
}

/// Everything a [`TokenSource`] is made of.
pub(crate) struct TokenSettings {
    pub(crate) http: reqwest::Client,
    pub(crate) auth_url: url::Url,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
    pub(crate) hub_tenant: Option<i64>,
    pub(crate) margin: Duration,
    pub(crate) timeout: Option<Duration>,
    pub(crate) environment: String,
}

impl TokenSource {
    pub(crate) fn new(s: TokenSettings) -> Self {
        TokenSource {
            http: s.http,
            token_url: format!(
                "{}/connect/token",
                s.auth_url.as_str().trim_end_matches('/')
            ),
            client_id: s.client_id,
            client_secret: s.client_secret,
            hub_tenant: s.hub_tenant,
            margin: s.margin,
            timeout: s.timeout,
            environment: s.environment,
            cache: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
            last_failure: Mutex::new(None),
        }
    }

    fn cached(&self) -> Option<CachedToken> {
        let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
        cache
            .as_ref()
            .filter(|t| Instant::now() < t.refresh_at)
            .cloned()
    }

    /// A valid token, fetching one if needed (single flight).
    pub(crate) async fn token(&self) -> Result<CachedToken, Error> {
        if let Some(token) = self.cached() {
            return Ok(token);
        }
        let seen = self.fetches.load(Ordering::Acquire);
        let _refreshing = self.refresh.lock().await;
        if let Some(token) = self.cached() {
            return Ok(token);
        }
        // A fetch finished while this caller waited and it failed: report that failure rather
        // than hammering the token endpoint once per waiting caller.
        if self.fetches.load(Ordering::Acquire) != seen {
            let failure = self
                .last_failure
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            if let Some(f) = failure.filter(|f| f.fetch > seen) {
                return Err(self.error(f.reason, f.status, f.detail, None));
            }
        }
        let result = self.fetch().await;
        let fetch = self.fetches.fetch_add(1, Ordering::AcqRel) + 1;
        match result {
            Ok((secret, lifetime, started)) => {
                // Refresh `margin` before expiry, but keep at least half of a short lifetime.
                let margin = self.margin.min(lifetime / 2);
                let token = CachedToken {
                    secret,
                    refresh_at: started + (lifetime - margin),
                    expires_at: started + lifetime,
                    generation: fetch,
                };
                *self.cache.write().unwrap_or_else(|p| p.into_inner()) = Some(token.clone());
                Ok(token)
            }
            Err((reason, status, detail, source)) => {
                // A refresh ahead of expiry failed for a transient reason: the current token is
                // still good until it expires, so keep using it (the next call tries again).
                if matches!(reason, AuthFailure::ServerError | AuthFailure::Unreachable) {
                    let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
                    if let Some(token) = cache.as_ref().filter(|t| Instant::now() < t.expires_at) {
                        tracing::debug!(
                            reason = ?reason,
                            "token refresh failed; using the current token until it expires"
                        );
                        return Ok(token.clone());
                    }
                }
                *self.last_failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(Failure {
                    fetch,
                    reason,
                    status,
                    detail: detail.clone(),
                });
                Err(self.error(reason, status, detail, source))
            }
        }
    }

    /// Drops the cached token if it is still the one of `generation` (the one a 401 came back for).
    pub(crate) fn invalidate(&self, generation: u64) {
        let mut cache = self.cache.write().unwrap_or_else(|p| p.into_inner());
        if cache.as_ref().is_some_and(|t| t.generation == generation) {
            *cache = None;
        }
    }

    fn error(
        &self,
        reason: AuthFailure,
        status: Option<StatusCode>,
        detail: Option<String>,
        source: Option<reqwest::Error>,
    ) -> Error {
        Error::Auth {
            reason,
            token_url: self.token_url.clone(),
            environment: self.environment.clone(),
            status,
            detail,
            source,
        }
    }

    #[allow(clippy::type_complexity)]
    async fn fetch(
        &self,
    ) -> Result<
        (SecretString, Duration, Instant),
        (
            AuthFailure,
            Option<StatusCode>,
            Option<String>,
            Option<reqwest::Error>,
        ),
    > {
        let span = tracing::debug_span!(
            "servicetitan.token",
            token_url = %self.token_url,
            hub_tenant = self.hub_tenant,
            status = tracing::field::Empty,
        );
        async {
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
            let response = request.send().await.map_err(|e| {
                (
                    AuthFailure::Unreachable,
                    None,
                    Some(without_url(&e)),
                    Some(e),
                )
            })?;
            let status = response.status();
            tracing::Span::current().record("status", status.as_u16());
            let body = response.bytes().await.map_err(|e| {
                (
                    AuthFailure::Unreachable,
                    Some(status),
                    Some(without_url(&e)),
                    Some(e),
                )
            })?;
            if !status.is_success() {
                let reason = if status.is_server_error() {
                    AuthFailure::ServerError
                } else {
                    AuthFailure::Rejected
                };
                return Err((reason, Some(status), token_error_detail(&body), None));
            }
            // Never quote this body in an error: it may hold a token.
            let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
                (
                    AuthFailure::InvalidResponse,
                    Some(status),
                    Some(format!("expected {{access_token, expires_in}}: {e}")),
                    None,
                )
            })?;
            if let Some(kind) = parsed.token_type.as_deref() {
                if !kind.eq_ignore_ascii_case("bearer") {
                    tracing::debug!(
                        token_type = kind,
                        "unexpected token type; sending it as Bearer"
                    );
                }
            }
            let lifetime = parsed
                .expires_in
                .as_ref()
                .and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
                .map(Duration::from_secs)
                .filter(|d| !d.is_zero())
                .unwrap_or(DEFAULT_LIFETIME);
            tracing::debug!(expires_in_s = lifetime.as_secs(), "access token obtained");
            Ok((parsed.access_token, lifetime, started))
        }
        .instrument(span)
        .await
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
