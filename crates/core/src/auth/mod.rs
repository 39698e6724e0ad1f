//! Access tokens: the [`TokenProvider`] seam, the OAuth2 client-credentials provider behind it,
//! and what a failed token request means.
//!
//! Every call asks a [`TokenProvider`] for a token ("give me a token"). The default,
//! [`ClientCredentials`], asks ServiceTitan's token endpoint and keeps the answer in a
//! single-flight cache (module `credentials`). A user can plug in their own provider — e.g. a
//! token shared by many processes through a cache server — with
//! [`ClientBuilder::token_provider`](crate::ClientBuilder::token_provider):
//!
//! ```no_run
//! use servicetitan_core::auth::{AccessToken, AuthError, TokenProvider};
//! use servicetitan_core::futures::future::BoxFuture;
//!
//! #[derive(Debug)]
//! struct Shared; // e.g. reads the token another process stored
//!
//! impl TokenProvider for Shared {
//!     fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
//!         Box::pin(async { Ok(AccessToken::new("token-from-the-shared-cache")) })
//!     }
//! }
//! # fn demo() -> Result<(), servicetitan_core::Error> {
//! let client = servicetitan_core::Client::builder()
//!     .token_provider(std::sync::Arc::new(Shared))
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```

mod credentials;
pub(crate) mod fetch;
mod messages;

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures::future::BoxFuture;
use reqwest::header::HeaderValue;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};

pub use credentials::ClientCredentials;
pub(crate) use credentials::TokenSettings;
pub(crate) use messages::message;

/// How long a token lives when the server does not say (ServiceTitan's tokens live 15 minutes).
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(900);

/// The longest lifetime believed from a token answer (a day): `expires_in` values beyond it
/// (up to `18446744073709551615`) are clamped instead of overflowing a clock.
pub const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// An access token. `Debug` never shows it.
///
/// Cheap to clone: the text and its `Authorization` header value are shared, and the header is
/// built and checked once per token rather than once per request (a token is sent by every call
/// for 15 minutes).
#[derive(Clone)]
pub struct AccessToken {
    shared: Arc<Shared>,
    /// Identifies the fetch that produced the token, so that a 401 invalidates only that one.
    pub(crate) generation: u64,
}

struct Shared {
    secret: SecretString,
    /// `Bearer <token>`, marked sensitive; or why the token cannot be sent.
    header: OnceLock<Result<HeaderValue, &'static str>>,
    /// When the token expires, when known (a shared store keeps it no longer).
    expires_at: Option<tokio::time::Instant>,
}

impl AccessToken {
    /// A token to send as `Authorization: Bearer <token>`.
    pub fn new(token: impl Into<String>) -> Self {
        Self::with_generation(SecretString::from(token.into()), 0)
    }

    /// A token that expires `lifetime` from now.
    pub fn with_lifetime(token: impl Into<String>, lifetime: Duration) -> Self {
        let expires_at = tokio::time::Instant::now().checked_add(lifetime.min(MAX_LIFETIME));
        Self::build(SecretString::from(token.into()), 0, expires_at)
    }

    pub(crate) fn with_generation(secret: SecretString, generation: u64) -> Self {
        Self::build(secret, generation, None)
    }

    pub(crate) fn build(
        secret: SecretString,
        generation: u64,
        expires_at: Option<tokio::time::Instant>,
    ) -> Self {
        AccessToken {
            shared: Arc::new(Shared {
                secret,
                header: OnceLock::new(),
                expires_at,
            }),
            generation,
        }
    }

    /// How long the token is still valid, when its lifetime is known.
    pub fn valid_for(&self) -> Option<Duration> {
        let expires_at = self.shared.expires_at?;
        Some(expires_at.saturating_duration_since(tokio::time::Instant::now()))
    }

    /// The token itself. Keep it secret.
    pub fn secret(&self) -> &SecretString {
        &self.shared.secret
    }

    /// The `Authorization` value (`Bearer <token>`, sensitive), or why the token cannot be
    /// sent in a header (empty, CR/LF, control or non-ASCII characters).
    pub(crate) fn header(&self) -> Result<&HeaderValue, &'static str> {
        self.shared
            .header
            .get_or_init(|| {
                let token = self.shared.secret.expose_secret();
                if token.trim().is_empty() {
                    return Err("the access token is empty");
                }
                if token.bytes().any(|b| b.is_ascii_control() || b >= 0x80) {
                    return Err("the access token contains characters not allowed in an HTTP header (CR, LF, control or non-ASCII characters)");
                }
                let mut value = HeaderValue::try_from(format!("Bearer {token}"))
                    .map_err(|_| "the access token contains characters not allowed in an HTTP header")?;
                value.set_sensitive(true);
                Ok(value)
            })
            .as_ref()
            .map_err(|why| *why)
    }

    /// Why this token cannot be sent in a header, if it cannot.
    pub(crate) fn unusable(&self) -> Option<&'static str> {
        self.header().err()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"[REDACTED]")
            .field("generation", &self.generation)
            .finish()
    }
}

/// "Give me a token": what every call asks before it is sent.
///
/// Implementations are shared by all calls of a client (`Send + Sync`) and should cache: `token`
/// is called once per attempt. A failure should say why with an [`AuthFailure`]: transient
/// reasons ([`AuthFailure::ServerError`], [`AuthFailure::Unreachable`],
/// [`AuthFailure::RateLimited`], [`AuthFailure::TimedOut`]) are retried within the call's retry
/// budget, the others end the call.
pub trait TokenProvider: Send + Sync + fmt::Debug + 'static {
    /// A valid token.
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>>;

    /// The API refused `token` (401): forget it, so that the next [`token`](Self::token) call
    /// returns another one. The call is then repeated once.
    fn invalidate(&self, token: &AccessToken) {
        let _ = token;
    }
}

/// Why an access token could not be obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthFailure {
    /// The token endpoint refused the credentials (4xx).
    Rejected,
    /// The token endpoint failed (5xx).
    ServerError,
    /// The token endpoint could not be reached.
    Unreachable,
    /// The token endpoint answered 2xx with something that is not a usable token (not JSON, an
    /// empty token, a token with characters a header cannot carry).
    InvalidResponse,
    /// The token endpoint answered `429 Too Many Requests`.
    RateLimited,
    /// The token endpoint did not answer in time.
    TimedOut,
}

impl AuthFailure {
    /// Whether asking again later may succeed.
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            AuthFailure::ServerError
                | AuthFailure::Unreachable
                | AuthFailure::RateLimited
                | AuthFailure::TimedOut
        )
    }
}

/// A failed token request: what [`TokenProvider::token`] returns, carried to the user as
/// [`Error::Auth`](crate::Error::Auth) (its fields are defined here only).
#[derive(Debug)]
pub struct AuthError {
    /// Why the token request failed.
    pub reason: AuthFailure,
    /// The token endpoint (its password, if the URL had one, redacted), or what provided the token.
    pub token_url: String,
    /// The environment the credentials were used against.
    pub environment: String,
    /// HTTP status of the token endpoint, when it answered.
    pub status: Option<StatusCode>,
    /// What the token endpoint said, secrets redacted.
    pub detail: Option<String>,
    /// The wait the token endpoint asked for (`Retry-After` of a 429 or 503).
    pub retry_after: Option<Duration>,
    /// The transport error, when the endpoint could not be reached.
    pub source: Option<reqwest::Error>,
}

impl AuthError {
    /// A failure of a custom [`TokenProvider`], described by `detail`.
    pub fn custom(reason: AuthFailure, detail: impl Into<String>) -> Self {
        AuthError {
            reason,
            token_url: "the custom token provider".to_owned(),
            environment: String::new(),
            status: None,
            detail: Some(detail.into()),
            retry_after: None,
            source: None,
        }
    }
}

impl AuthError {
    /// The same failure for another caller (the transport error, which cannot be cloned, left
    /// out): what a waiting caller gets when the fetch it waited for failed.
    pub(crate) fn replay(&self) -> Self {
        AuthError {
            reason: self.reason,
            token_url: self.token_url.clone(),
            environment: self.environment.clone(),
            status: self.status,
            detail: self.detail.clone(),
            retry_after: self.retry_after,
            source: None,
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&message(
            self.reason,
            &self.token_url,
            &self.environment,
            self.status,
            self.detail.as_deref(),
        ))
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
