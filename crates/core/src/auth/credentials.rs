//! The OAuth2 client-credentials [`TokenProvider`]: fetched once, cached, shared.
//!
//! * The token is reused until `expires_in − margin` (the configured refresh margin, but at most
//!   half the lifetime, so that a short-lived token is still used for a while).
//! * **Single flight**: when the token is missing or stale, one caller fetches it and every other
//!   caller waits for that fetch (a `tokio::sync::Mutex` around the refresh, the cache re-checked
//!   after taking it). A failed fetch is reported to the callers that waited for it too, instead
//!   of each of them asking again.
//! * A `401` from the API invalidates the token it was sent with (and only that one, identified by
//!   a generation number, so that many concurrent 401s cause a single refresh).
//! * A refresh ahead of expiry that fails for a transient reason keeps the current token until
//!   it really expires.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use futures::future::BoxFuture;
use secrecy::SecretString;
use tokio::time::Instant;

use super::fetch::{Fetched, Fetcher};
use super::{AccessToken, AuthError, TokenProvider};

/// A cached token and when to refresh it.
#[derive(Clone)]
struct Cached {
    token: AccessToken,
    refresh_at: Instant,
    /// When the server said the token expires (`refresh_at` + margin).
    expires_at: Instant,
}

/// A failed fetch, replayed to the callers that waited for it.
#[derive(Debug)]
struct Failure {
    fetch: u64,
    error: AuthError,
}

/// Everything a [`ClientCredentials`] provider is made of.
pub(crate) struct TokenSettings {
    pub(crate) http: reqwest::Client,
    pub(crate) auth_url: url::Url,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
    pub(crate) hub_tenant: Option<i64>,
    pub(crate) margin: Duration,
    pub(crate) timeout: Option<Duration>,
    pub(crate) environment: String,
    /// Redacts what the token endpoint says (it may echo the client secret).
    pub(crate) secrets: std::sync::Arc<crate::redact::Secrets>,
}

/// The client-credentials token of one tenant, with its single-flight cache. Built by the
/// [`Client`](crate::Client); `Debug` never shows the secret or the token.
pub struct ClientCredentials {
    fetcher: Fetcher,
    margin: Duration,
    cache: RwLock<Option<Cached>>,
    refresh: tokio::sync::Mutex<()>,
    /// Number of fetches completed (success or failure); also the token generation.
    fetches: AtomicU64,
    last_failure: Mutex<Option<Failure>>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("fetcher", &self.fetcher)
            .field("margin", &self.margin)
            .field(
                "cached",
                &self.cache.read().map(|c| c.is_some()).unwrap_or(false),
            )
            .finish()
    }
}

impl ClientCredentials {
    pub(crate) fn new(s: TokenSettings) -> Self {
        let margin = s.margin;
        ClientCredentials {
            fetcher: Fetcher::new(s),
            margin,
            cache: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
            last_failure: Mutex::new(None),
        }
    }

    fn cached(&self) -> Option<AccessToken> {
        let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
        cache
            .as_ref()
            .filter(|c| Instant::now() < c.refresh_at)
            .map(|c| c.token.clone())
    }

    /// A valid token, fetching one if needed (single flight).
    async fn get(&self) -> Result<AccessToken, AuthError> {
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
                .as_ref()
                .filter(|f| f.fetch > seen)
                .map(|f| f.error.replay());
            if let Some(err) = failure {
                return Err(err);
            }
        }
        let result = self.fetcher.fetch().await;
        let fetch = self.fetches.fetch_add(1, Ordering::AcqRel) + 1;
        match result {
            Ok(fetched) => Ok(self.store(fetched, fetch)),
            Err(err) => self.failed(err, fetch),
        }
    }

    fn store(&self, fetched: Fetched, generation: u64) -> AccessToken {
        let Fetched {
            secret,
            lifetime,
            started,
        } = fetched;
        // Refresh `margin` before expiry, but keep at least half of a short lifetime. The
        // lifetime is clamped to `MAX_LIFETIME`, so these additions cannot overflow.
        let margin = self.margin.min(lifetime / 2);
        let token = AccessToken::build(secret, generation, Some(started + lifetime));
        let cached = Cached {
            token: token.clone(),
            refresh_at: started + (lifetime - margin),
            expires_at: started + lifetime,
        };
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = Some(cached);
        token
    }

    /// A failed fetch: the current token if a transient failure leaves it valid, else the
    /// error (remembered for the callers that waited for this fetch).
    fn failed(&self, err: AuthError, fetch: u64) -> Result<AccessToken, AuthError> {
        // A refresh ahead of expiry failed for a transient reason: the current token is still
        // good until it expires, so keep using it (the next call tries again).
        if err.reason.is_transient() {
            let cache = self.cache.read().unwrap_or_else(|p| p.into_inner());
            if let Some(c) = cache.as_ref().filter(|c| Instant::now() < c.expires_at) {
                tracing::debug!(
                    reason = ?err.reason,
                    "token refresh failed; using the current token until it expires"
                );
                return Ok(c.token.clone());
            }
        }
        *self.last_failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(Failure {
            fetch,
            error: err.replay(),
        });
        Err(err)
    }
}

impl TokenProvider for ClientCredentials {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        Box::pin(self.get())
    }

    /// Drops the cached token if it is still the one the 401 came back for.
    fn invalidate(&self, token: &AccessToken) {
        let mut cache = self.cache.write().unwrap_or_else(|p| p.into_inner());
        if cache
            .as_ref()
            .is_some_and(|c| c.token.generation == token.generation)
        {
            *cache = None;
        }
    }
}
