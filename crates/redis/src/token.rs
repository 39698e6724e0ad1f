//! [`RedisTokens`]: one access token per (environment, client id, tenant for Enterprise Hub) for
//! the whole fleet.
//!
//! * The token sits under the namespace, expiring `margin` before the token itself does.
//! * A worker that finds none takes the lock (`SET NX PX` with a random owner), fetches with the
//!   client-credentials flow, stores the token and releases the lock only if it still owns it
//!   (compare-and-delete); the others poll for the stored token instead of fetching.
//! * A 401 deletes the stored token only if it is still the one refused (compare-and-delete), so
//!   a fleet-wide 401 storm causes one refresh, not one per worker.
//! * Each process keeps the token it read until the stored one would expire, so a call costs no
//!   Redis round trip.
//! * Redis lost: the client-credentials flow of this process (its own cache) until Redis is
//!   back; strict mode: an error naming Redis.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use rand::Rng;
use redis::Script;
use secrecy::{ExposeSecret, SecretString};
use servicetitan_core::auth::{
    AccessToken, AuthError, AuthFailure, TokenProvider, DEFAULT_LIFETIME,
};
use tokio::time::Instant;

use crate::store::{Store, Unavailable};

/// `KEYS[1]`: deleted if its value is `ARGV[1]`.
const COMPARE_AND_DELETE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

/// The fleet's token of one scope.
pub struct RedisTokens {
    store: Arc<Store>,
    fetch: Arc<dyn TokenProvider>,
    key: String,
    lock: String,
    margin: Duration,
    delete: Script,
    /// The token this process read, until the stored one expires.
    local: Mutex<Option<AccessToken>>,
    /// A token a 401 refused, to delete from Redis (if still stored) before the next read.
    refused: Mutex<Option<SecretString>>,
    /// The last token this process's flow fetched: forgotten there before fetching again.
    fetched: Mutex<Option<AccessToken>>,
}

impl fmt::Debug for RedisTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokens")
            .field("redis", &self.store.url)
            .field("key", &self.key)
            .field("fetch", &self.fetch)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn unavailable(err: Unavailable) -> AuthError {
    AuthError::custom(AuthFailure::Unreachable, err.0)
}

impl RedisTokens {
    pub(crate) fn new(
        store: Arc<Store>,
        fetch: Arc<dyn TokenProvider>,
        key: String,
        margin: Duration,
    ) -> Self {
        RedisTokens {
            lock: format!("{key}:lock"),
            store,
            fetch,
            key,
            margin,
            delete: Script::new(COMPARE_AND_DELETE),
            local: Mutex::new(None),
            refused: Mutex::new(None),
            fetched: Mutex::new(None),
        }
    }

    fn cached(&self) -> Option<AccessToken> {
        lock(&self.local)
            .as_ref()
            .filter(|t| t.valid_for().is_some_and(|left| !left.is_zero()))
            .cloned()
    }

    async fn get(&self) -> Result<AccessToken, AuthError> {
        let refused = lock(&self.refused).take();
        if let Some(refused) = refused {
            let value = refused.expose_secret().to_owned();
            let deleted = self
                .store
                .run("token compare-and-delete", |mut c| async move {
                    self.delete
                        .key(&self.key)
                        .arg(value)
                        .invoke_async::<i64>(&mut c)
                        .await
                })
                .await;
            if let Err(err) = deleted {
                return self.fallback(err).await;
            }
        }
        if let Some(token) = self.cached() {
            return Ok(token);
        }
        if self.store.skipping() {
            return self.fallback(self.store.unavailable()).await;
        }
        match self.shared().await {
            Ok(result) => result,
            Err(err) => self.fallback(err).await,
        }
    }

    /// The stored token, or this worker fetching it under the lock, or waiting for another's.
    /// The outer error is Redis's; the inner, the token flow's.
    async fn shared(&self) -> Result<Result<AccessToken, AuthError>, Unavailable> {
        let owner = format!("{:032x}", rand::rng().random::<u128>());
        let give_up = Instant::now() + self.store.options.token_lock * 2;
        loop {
            if let Some(token) = self.read().await? {
                return Ok(Ok(token));
            }
            let lock_ms = self.store.options.token_lock.as_millis() as u64;
            let taken: Option<String> = self
                .store
                .run("token lock", |mut c| {
                    let owner = owner.clone();
                    async move {
                        redis::cmd("SET")
                            .arg(&self.lock)
                            .arg(owner)
                            .arg("NX")
                            .arg("PX")
                            .arg(lock_ms)
                            .query_async(&mut c)
                            .await
                    }
                })
                .await?;
            if taken.is_some() {
                // Looked for again under the lock: another worker may have stored a token and
                // released the lock between this worker's read and its lock.
                let result = match self.read().await {
                    Ok(Some(token)) => Ok(Ok(token)),
                    Ok(None) => self.fetch_and_store().await,
                    Err(err) => Err(err),
                };
                let release = owner.clone();
                self.store
                    .run("token unlock", |mut c| async move {
                        self.delete
                            .key(&self.lock)
                            .arg(release)
                            .invoke_async::<i64>(&mut c)
                            .await
                    })
                    .await?;
                return result;
            }
            if Instant::now() >= give_up {
                return Ok(Err(AuthError::custom(
                    AuthFailure::TimedOut,
                    format!(
                        "waited {} s for another worker's token fetch (Redis at {})",
                        (self.store.options.token_lock * 2).as_secs(),
                        self.store.url
                    ),
                )));
            }
            tokio::time::sleep(self.store.options.token_poll).await;
        }
    }

    /// The stored token and its remaining time, kept locally until then.
    async fn read(&self) -> Result<Option<AccessToken>, Unavailable> {
        let (value, ttl): (Option<String>, i64) = self
            .store
            .run("token read", |mut c| async move {
                redis::pipe()
                    .get(&self.key)
                    .pttl(&self.key)
                    .query_async(&mut c)
                    .await
            })
            .await?;
        Ok(match value {
            Some(value) if ttl > 0 => {
                let token = AccessToken::with_lifetime(value, Duration::from_millis(ttl as u64));
                *lock(&self.local) = Some(token.clone());
                Some(token)
            }
            _ => None,
        })
    }

    /// Under the lock: a fresh token from the flow, stored for the fleet until `margin` before
    /// it expires.
    async fn fetch_and_store(&self) -> Result<Result<AccessToken, AuthError>, Unavailable> {
        // The flow's own cache may still hold the token the fleet just dropped.
        let previous = lock(&self.fetched).take();
        if let Some(previous) = previous {
            self.fetch.invalidate(&previous);
        }
        let token = match self.fetch.token().await {
            Ok(token) => token,
            Err(err) => return Ok(Err(err)),
        };
        *lock(&self.fetched) = Some(token.clone());
        let lifetime = token.valid_for().unwrap_or(DEFAULT_LIFETIME);
        let keep = lifetime.saturating_sub(self.margin.min(lifetime / 2));
        let keep_ms = (keep.as_millis() as u64).max(1);
        let value = token.secret().expose_secret().to_owned();
        self.store
            .run("token store", |mut c| async move {
                redis::cmd("SET")
                    .arg(&self.key)
                    .arg(value)
                    .arg("PX")
                    .arg(keep_ms)
                    .query_async::<()>(&mut c)
                    .await
            })
            .await?;
        let shared = AccessToken::with_lifetime(token.secret().expose_secret(), keep);
        *lock(&self.local) = Some(shared.clone());
        Ok(Ok(shared))
    }

    /// Redis is lost: this process's own flow (strict mode: the error).
    async fn fallback(&self, err: Unavailable) -> Result<AccessToken, AuthError> {
        if self.store.options.strict {
            return Err(unavailable(err));
        }
        let token = self.fetch.token().await?;
        *lock(&self.fetched) = Some(token.clone());
        Ok(token)
    }
}

impl TokenProvider for RedisTokens {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        Box::pin(self.get())
    }

    fn invalidate(&self, token: &AccessToken) {
        let value = token.secret().expose_secret();
        let mut local = lock(&self.local);
        if local
            .as_ref()
            .is_some_and(|t| t.secret().expose_secret() == value)
        {
            *local = None;
        }
        drop(local);
        *lock(&self.refused) = Some(token.secret().clone());
        // A token of the local fallback (the flow's own) is forgotten there too.
        self.fetch.invalidate(token);
    }
}
