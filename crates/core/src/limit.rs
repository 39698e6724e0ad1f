//! Client-side rate limits and concurrency caps.
//!
//! Why limit on the client at all: ServiceTitan enforces 60 calls per second per application and
//! tenant (reporting: 5 runs of the same report per minute per tenant) and answers `429` beyond
//! that. A bulk sync that fires as fast as it can spends most of its time in 429 round trips and
//! `Retry-After` waits; pacing requests locally keeps every request useful and leaves the retry
//! budget for real failures.
//!
//! Why `governor`: it implements GCRA (a leaky bucket without a background task), is lock-free
//! for the direct limiter, widely used, and takes a custom clock. The clock here is
//! [`tokio::time::Instant`], so limits follow tokio's (pausable) time and the waits are
//! `tokio::time::sleep`s — testable with paused time, and no second timer implementation.
//!
//! Bursts are 1: requests are spaced evenly (one every 1/60 s, one run of a report every 12 s).
//! A larger burst would let a client send e.g. 60 requests at once and 60 more within the next
//! second, which a server counting per sliding second would refuse.
//!
//! Measured on paused time: 1,000 requests at 60/s take 16.98 s (the ideal is 16.65 s). Tokio
//! timers tick in whole milliseconds, so each 16.67 ms spacing becomes 17 ms, and with a burst of
//! 1 the lateness is not made up: the effective rate is about 58.8/s. A burst of 2 would absorb it
//! but allow 61 requests in some second; losing 2 % of throughput is cheaper than one 429.
//!
//! Concurrency caps (a [`tokio::sync::Semaphore`] per operation id) are for endpoints that
//! throttle on parallelism rather than rate, e.g. telecom call lists known to refuse more than 2
//! calls in flight.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::Quota;
use tokio::sync::Semaphore;

/// governor clock reading tokio's clock, so that paused test time drives the limiters.
#[derive(Clone, Debug)]
pub struct TokioClock {
    origin: tokio::time::Instant,
}

impl Default for TokioClock {
    fn default() -> Self {
        TokioClock {
            origin: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    // `Duration` since the clock was created implements governor's `Reference`.
    type Instant = Duration;

    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// The limits a [`Client`](crate::Client) applies. Defaults: 60 requests/s per (app key, tenant),
/// 5 runs per minute per report and tenant, no concurrency caps.
#[derive(Clone, Debug)]
pub struct Limits {
    pub(crate) requests_per_second: Option<NonZeroU32>,
    pub(crate) report_runs_per_minute: Option<NonZeroU32>,
    pub(crate) concurrency: BTreeMap<String, usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            requests_per_second: NonZeroU32::new(60),
            report_runs_per_minute: NonZeroU32::new(5),
            concurrency: BTreeMap::new(),
        }
    }
}

impl Limits {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// No client-side limits at all.
    pub fn none() -> Self {
        Limits {
            requests_per_second: None,
            report_runs_per_minute: None,
            concurrency: BTreeMap::new(),
        }
    }

    /// Requests per second per (app key, tenant); `None` (or 0) turns the limit off.
    pub fn requests_per_second(mut self, limit: Option<u32>) -> Self {
        self.requests_per_second = limit.and_then(NonZeroU32::new);
        self
    }

    /// Runs per minute of the same report per tenant; `None` (or 0) turns the limit off.
    pub fn report_runs_per_minute(mut self, limit: Option<u32>) -> Self {
        self.report_runs_per_minute = limit.and_then(NonZeroU32::new);
        self
    }

    /// At most `max_in_flight` concurrent calls of `operation_id` (spec id or Rust method name)
    /// per tenant.
    pub fn concurrency(mut self, operation_id: impl Into<String>, max_in_flight: usize) -> Self {
        self.concurrency
            .insert(operation_id.into(), max_in_flight.max(1));
        self
    }
}

/// A rate limiter waiting on tokio time: requests are admitted at a steady rate.
pub struct RateLimiter {
    inner: governor::RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Duration>>,
    clock: TokioClock,
    description: String,
}

impl RateLimiter {
    /// `n` requests per second, evenly spaced.
    pub fn per_second(n: NonZeroU32) -> Self {
        Self::with_period(Duration::from_secs(1) / n.get(), format!("{n} requests/s"))
    }

    /// `n` requests per minute, evenly spaced.
    pub fn per_minute(n: NonZeroU32) -> Self {
        Self::with_period(
            Duration::from_secs(60) / n.get(),
            format!("{n} requests/min"),
        )
    }

    fn with_period(period: Duration, description: String) -> Self {
        let quota =
            Quota::with_period(period.max(Duration::from_nanos(1))).expect("non-zero period");
        let clock = TokioClock::default();
        RateLimiter {
            inner: governor::RateLimiter::direct_with_clock(quota, clock.clone()),
            clock,
            description,
        }
    }

    /// Waits until a request may be sent. Returns how long it waited.
    pub async fn acquire(&self) -> Duration {
        let start = tokio::time::Instant::now();
        while let Err(not_until) = self.inner.check() {
            tokio::time::sleep(not_until.wait_time_from(self.clock.now())).await;
        }
        start.elapsed()
    }

    /// What the limit is, e.g. `60 requests/s`.
    pub fn description(&self) -> &str {
        &self.description
    }
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimiter")
            .field("limit", &self.description)
            .finish()
    }
}

/// A rate limiter with one budget per key (e.g. per report id).
pub struct KeyedRateLimiter<K: Hash + Eq + Clone> {
    inner: governor::RateLimiter<K, HashMapStateStore<K>, TokioClock, NoOpMiddleware<Duration>>,
    clock: TokioClock,
    description: String,
}

impl<K: Hash + Eq + Clone> KeyedRateLimiter<K> {
    /// `n` requests per minute per key, evenly spaced.
    pub fn per_minute(n: NonZeroU32) -> Self {
        let quota = Quota::with_period(Duration::from_secs(60) / n.get()).expect("non-zero period");
        let clock = TokioClock::default();
        KeyedRateLimiter {
            inner: governor::RateLimiter::hashmap_with_clock(quota, clock.clone()),
            clock,
            description: format!("{n} runs/min of the same report"),
        }
    }

    /// Waits until a request for `key` may be sent. Returns how long it waited.
    pub async fn acquire(&self, key: &K) -> Duration {
        let start = tokio::time::Instant::now();
        while let Err(not_until) = self.inner.check_key(key) {
            tokio::time::sleep(not_until.wait_time_from(self.clock.now())).await;
        }
        start.elapsed()
    }

    /// What the limit is.
    pub fn description(&self) -> &str {
        &self.description
    }
}

impl<K: Hash + Eq + Clone> fmt::Debug for KeyedRateLimiter<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyedRateLimiter")
            .field("limit", &self.description)
            .finish()
    }
}

/// The limiters of one (app key, tenant): shared by every domain client of that tenant.
#[derive(Debug)]
pub(crate) struct TenantLimits {
    pub(crate) requests: Option<RateLimiter>,
    pub(crate) reports: Option<KeyedRateLimiter<String>>,
    pub(crate) concurrency: HashMap<String, Arc<Semaphore>>,
    /// Set when ServiceTitan answered 429 with a wait: every call of the tenant holds off until
    /// then, instead of each finding out with a 429 of its own.
    paused_until: Mutex<Option<tokio::time::Instant>>,
}

impl TenantLimits {
    pub(crate) fn new(limits: &Limits) -> Self {
        TenantLimits {
            requests: limits.requests_per_second.map(RateLimiter::per_second),
            reports: limits
                .report_runs_per_minute
                .map(KeyedRateLimiter::per_minute),
            concurrency: limits
                .concurrency
                .iter()
                .map(|(op, n)| (op.clone(), Arc::new(Semaphore::new(*n))))
                .collect(),
            paused_until: Mutex::new(None),
        }
    }

    /// Holds off every call of the tenant for `wait` (a server-requested wait).
    pub(crate) fn pause(&self, wait: Duration) {
        let until = tokio::time::Instant::now() + wait;
        let mut paused = self.paused_until.lock().unwrap_or_else(|p| p.into_inner());
        if paused.is_none_or(|current| current < until) {
            *paused = Some(until);
        }
    }

    /// How long calls must still hold off, if at all.
    pub(crate) fn paused_for(&self) -> Option<Duration> {
        let paused = *self.paused_until.lock().unwrap_or_else(|p| p.into_inner());
        let remaining = paused?.checked_duration_since(tokio::time::Instant::now())?;
        (!remaining.is_zero()).then_some(remaining)
    }

    /// What the limits are, for 429 messages.
    pub(crate) fn describe(&self, report: bool) -> Option<String> {
        let (server, client) = if report {
            (
                "ServiceTitan allows 5 runs of the same report per minute per tenant",
                self.reports.as_ref().map(|r| r.description().to_owned()),
            )
        } else {
            (
                "ServiceTitan allows 60 requests/s per app and tenant",
                self.requests.as_ref().map(|r| r.description().to_owned()),
            )
        };
        Some(match client {
            Some(client) => format!("{server}; this client paces at {client}"),
            None => {
                format!("{server}; client-side pacing is off (see `ClientBuilder::rate_limit`)")
            }
        })
    }
}

/// Hands out the [`TenantLimits`] of each (app key, tenant), so that every handle derived from
/// one client (clones, [`Client::tenant`](crate::Client::tenant),
/// [`Client::tenant_with`](crate::Client::tenant_with)) shares the same budgets.
#[derive(Debug, Default)]
pub(crate) struct LimiterRegistry {
    // Keyed by a fingerprint of the app key, not the key itself, so no secret sits in the map.
    by_tenant: Mutex<HashMap<(u64, i64), Arc<TenantLimits>>>,
}

impl LimiterRegistry {
    pub(crate) fn get(
        &self,
        app_key_fingerprint: u64,
        tenant: i64,
        limits: &Limits,
    ) -> Arc<TenantLimits> {
        let mut map = self.by_tenant.lock().unwrap_or_else(|p| p.into_inner());
        map.entry((app_key_fingerprint, tenant))
            .or_insert_with(|| Arc::new(TenantLimits::new(limits)))
            .clone()
    }
}
