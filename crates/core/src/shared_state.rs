//! State shared by many processes: the seam for a store (Redis, in the `servicetitan-redis`
//! crate) that holds each tenant's rate budget and access token for a whole fleet of workers.
//!
//! Why a seam and not a dependency: the core must not depend on a database client. A store
//! implements [`SharedState`]; the client asks it, per tenant, for a [`SharedLimiter`] (used
//! where the transport waits for a permit, instead of the in-process limiter, which stays the
//! default) and for a [`TokenProvider`] wrapped around the client-credentials flow.
//!
//! A store is given to a client either directly ([`ClientBuilder::shared_state`]) or through the
//! `SERVICETITAN_REDIS_URL` setting ([`ClientBuilder::redis`], the configuration chain): the
//! client then connects with the [`Connector`] a store crate installed ([`install_connector`];
//! the facade's `redis` feature and `st` do this), and fails before any API call if none is
//! installed or the store cannot be reached.
//!
//! [`ClientBuilder::shared_state`]: crate::ClientBuilder::shared_state
//! [`ClientBuilder::redis`]: crate::ClientBuilder::redis

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures::future::BoxFuture;
use secrecy::SecretString;

use crate::auth::TokenProvider;
use crate::error::Error;

/// Who shares a budget and a token: what a store keys its state by.
#[derive(Clone)]
#[non_exhaustive]
pub struct Scope {
    /// `production` or `integration` (tokens and client ids are per environment).
    pub environment: String,
    /// The OAuth client id.
    pub client_id: String,
    /// The application key (ServiceTitan's budgets are per app and tenant). Stores should key
    /// by a hash of it, never the key itself. `Debug` hides it.
    pub app_key: SecretString,
    /// The tenant.
    pub tenant_id: i64,
    /// Enterprise Hub credentials: one token per tenant instead of one per client id.
    pub enterprise_hub: bool,
    /// The request budget per second (`None`: off).
    pub requests_per_second: Option<u32>,
    /// The runs of one report per minute (`None`: off).
    pub report_runs_per_minute: Option<u32>,
    /// How long before its expiry a token is refreshed.
    pub token_refresh_margin: Duration,
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope")
            .field("environment", &self.environment)
            .field("client_id", &self.client_id)
            .field("app_key", &"[REDACTED]")
            .field("tenant_id", &self.tenant_id)
            .field("enterprise_hub", &self.enterprise_hub)
            .field("requests_per_second", &self.requests_per_second)
            .field("report_runs_per_minute", &self.report_runs_per_minute)
            .finish()
    }
}

/// A rate limiter whose budget is shared with other processes (one per [`Scope`]).
pub trait SharedLimiter: Send + Sync + fmt::Debug + 'static {
    /// Waits until one request may be sent: one permit of the tenant's budget, and of the
    /// report's when `report` is a report run. Returns how long it waited, or an error that
    /// ends the call (e.g. the store is unreachable and the user asked for strict mode).
    fn acquire<'a>(&'a self, report: Option<&'a str>) -> BoxFuture<'a, Result<Duration, Error>>;

    /// ServiceTitan answered 429 (for `report`'s lane when set): the fleet should slow down.
    fn throttled(&self, report: Option<&str>, retry_after: Option<Duration>) {
        let _ = (report, retry_after);
    }
}

/// A store of state shared by many processes.
pub trait SharedState: Send + Sync + fmt::Debug + 'static {
    /// The limiter of `scope` (a store hands the same one to every client of the scope, so
    /// that waiters of one process are served in order).
    fn limiter(&self, scope: &Scope) -> Arc<dyn SharedLimiter>;

    /// The token provider of `scope`: `fetch` is the client-credentials flow, to be asked by
    /// one process of the fleet at a time.
    fn token_provider(
        &self,
        scope: &Scope,
        fetch: Arc<dyn TokenProvider>,
    ) -> Arc<dyn TokenProvider>;
}

/// Connects to the store a URL names (e.g. `SERVICETITAN_REDIS_URL`); errors must not show the
/// URL's password.
pub type Connector = fn(&SecretString) -> Result<Arc<dyn SharedState>, Error>;

static CONNECTOR: OnceLock<Connector> = OnceLock::new();

/// Installs the connector used for `SERVICETITAN_REDIS_URL` (the first one installed stays).
pub fn install_connector(connector: Connector) {
    let _ = CONNECTOR.set(connector);
}

/// Connects to the store at `url` with the installed connector.
pub(crate) fn connect(url: &SecretString) -> Result<Arc<dyn SharedState>, Error> {
    match CONNECTOR.get() {
        Some(connector) => connector(url),
        None => Err(Error::InvalidSetting {
            name: "Redis URL (SERVICETITAN_REDIS_URL)",
            reason: "it is set, but this program has no Redis support: enable the `redis` \
                     feature of servicetitan and call `servicetitan::redis::install()` (or pass \
                     `ClientBuilder::shared_state`)"
                .to_owned(),
        }),
    }
}
