//! Many workers, one budget: ServiceTitan's limits (60 requests/s per app and tenant, 5 runs of
//! a report per minute) and its access token (15 minutes) shared by every process that uses the
//! same Redis — replicas of a web service, a sync's parallel jobs, a fleet of workers.
//!
//! [`RedisState`] implements the core's [`SharedState`] seam:
//!
//! * **the budget** ([`RedisLimiter`]): GCRA in a Lua script run with `EVALSHA` on Redis's own
//!   clock (`TIME`), one key per (environment, app key hash, tenant) for the request lane and
//!   one per (…, report) for the report lane; a process's waiters are served in arrival order.
//!   A 429 lowers the lane's rate for the whole fleet, which then recovers gradually;
//! * **the token** ([`RedisTokens`]): one per (environment, client id, tenant for Enterprise
//!   Hub), fetched by one worker under a lock while the others wait for it; a 401 invalidates it
//!   once for everyone.
//!
//! Use it through the configuration (`SERVICETITAN_REDIS_URL`, or
//! [`ClientBuilder::redis`](servicetitan_core::ClientBuilder::redis)) after [`install`], or
//! directly with [`RedisState::connect`] and
//! [`ClientBuilder::shared_state`](servicetitan_core::ClientBuilder::shared_state).
//!
//! **When Redis fails**: unreachable when the client is built → [`connect`] fails, naming the URL
//! with its password masked, before any API call. Lost mid-run → a WARN, then each process
//! uses a local limiter at [`RedisOptions::fallback_share`] of the budget and its own token until
//! Redis answers again (asked again every [`RedisOptions::retry_interval`]); with
//! [`RedisOptions::strict`], calls fail with an error naming Redis instead. Commands slower than
//! [`RedisOptions::slow_command`] are logged at WARN.

mod gcra;
mod limiter;
mod masked;
mod options;
mod store;
mod token;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use secrecy::{ExposeSecret, SecretString};
use servicetitan_core::auth::TokenProvider;
use servicetitan_core::shared_state::{Scope, SharedLimiter, SharedState};
use servicetitan_core::Error;
use sha2::{Digest, Sha256};

pub use limiter::RedisLimiter;
pub use masked::RedisUrl;
pub use options::RedisOptions;
pub use token::RedisTokens;

use gcra::Scripts;
use store::Store;

/// How long [`RedisState::connect`] waits for Redis to answer `PING`.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Makes `SERVICETITAN_REDIS_URL` (and `ClientBuilder::redis`) work in this process: every
/// client built afterwards with a Redis URL shares its budget and token through it.
pub fn install() {
    servicetitan_core::shared_state::install_connector(connect);
}

/// The connector [`install`] installs: [`RedisState::connect`] with default options.
pub fn connect(url: &SecretString) -> Result<Arc<dyn SharedState>, Error> {
    Ok(Arc::new(RedisState::connect(url, RedisOptions::default())?))
}

/// The fleet's shared state in one Redis.
pub struct RedisState {
    store: Arc<Store>,
    scripts: Arc<Scripts>,
    limiters: Mutex<HashMap<String, Arc<RedisLimiter>>>,
}

impl fmt::Debug for RedisState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisState")
            .field("redis", &self.store.url)
            .field("options", &self.store.options)
            .finish()
    }
}

/// A short, stable fingerprint (not the value) for key names.
fn fingerprint(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

impl RedisState {
    /// Connects to the Redis at `url` and checks it answers (`PING`, within
    /// [`CONNECT_TIMEOUT`]); the error names the URL with its password masked.
    pub fn connect(url: &SecretString, options: RedisOptions) -> Result<RedisState, Error> {
        let url = RedisUrl::new(url);
        let fail = |what: &str, err: redis::RedisError| {
            Error::Other(format!(
                "Redis at {url} (SERVICETITAN_REDIS_URL) {what}: {}",
                url.scrub(&err.to_string())
            ))
        };
        let client =
            redis::Client::open(url.expose()).map_err(|e| fail("is not a valid Redis URL", e))?;
        // A blocking check, so that `ClientBuilder::build` (not async) fails before any API call.
        let mut connection = client
            .get_connection_with_timeout(CONNECT_TIMEOUT)
            .map_err(|e| fail("is unreachable", e))?;
        connection
            .set_read_timeout(Some(CONNECT_TIMEOUT))
            .map_err(|e| fail("is unreachable", e))?;
        redis::cmd("PING")
            .query::<String>(&mut connection)
            .map_err(|e| fail("does not answer PING", e))?;
        Ok(RedisState {
            store: Arc::new(Store::new(url, client, options)),
            scripts: Arc::new(Scripts::new()),
            limiters: Mutex::new(HashMap::new()),
        })
    }

    fn namespace(&self) -> &str {
        &self.store.options.namespace
    }
}

impl SharedState for RedisState {
    fn limiter(&self, scope: &Scope) -> Arc<dyn SharedLimiter> {
        use secrecy::ExposeSecret;
        let prefix = format!(
            "{}:limit:{}:{}:{}",
            self.namespace(),
            scope.environment,
            fingerprint(scope.app_key.expose_secret()),
            scope.tenant_id
        );
        let mut limiters = self.limiters.lock().unwrap_or_else(|p| p.into_inner());
        limiters
            .entry(prefix.clone())
            .or_insert_with(|| {
                Arc::new(RedisLimiter::new(
                    self.store.clone(),
                    self.scripts.clone(),
                    prefix,
                    scope.requests_per_second,
                    scope.report_runs_per_minute,
                ))
            })
            .clone()
    }

    fn token_provider(
        &self,
        scope: &Scope,
        fetch: Arc<dyn TokenProvider>,
    ) -> Arc<dyn TokenProvider> {
        let mut key = format!(
            "{}:token:{}:{}",
            self.namespace(),
            scope.environment,
            fingerprint(&scope.client_id)
        );
        if scope.enterprise_hub {
            key.push_str(&format!(":{}", scope.tenant_id));
        }
        Arc::new(RedisTokens::new(
            self.store.clone(),
            fetch,
            key,
            scope.token_refresh_margin,
        ))
    }
}
