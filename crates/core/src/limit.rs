//! Client-side rate limits and concurrency caps.
//!
//! Why limit on the client at all: ServiceTitan enforces 60 calls per second per application and
//! tenant (reporting: 5 runs of the same report per minute per tenant) and answers `429` beyond
//! that. A bulk sync that fires as fast as it can spends most of its time in 429 round trips and
//! `Retry-After` waits; pacing requests locally keeps every request useful and leaves the retry
//! budget for real failures.
//!
//! **How**: a schedule of evenly spaced slots (one every 1/60 s; one run of a report every
//! 12 s), handed out in arrival order. A caller reserves the next free slot — the later of "now"
//! and one period after the previous slot — and sleeps until it. This is GCRA's virtual
//! scheduling with the reservation made at arrival (Go's `rate.Limiter::Reserve`), and it gives:
//!
//! * **the full rate**: the next slot follows the previous *slot*, not the moment its holder
//!   woke up, so a wake-up rounded up to tokio's 1 ms timer tick (or a busy executor) does not
//!   push every later request back. 1,000 requests at 60/s take 16.65 s of paused time
//!   (16.98 s with governor). In real time (`examples/limiter_rate.rs`, 8 tasks, 30 s, a
//!   2-core machine at load 19): 60.03/s with p50/p99/max waits of 130/137/156 ms, where
//!   governor's check loop gave 53.7/s and 69 ms / 2.9 s / 10.5 s;
//! * **first come, first served**: each waiter sleeps until its own slot, so waiters are served
//!   in the order they arrived; nobody re-checks a shared budget after a wake-up, so nobody can
//!   lose the race over and over;
//! * **no burst**: an idle limiter gives the first caller its slot at once but banks nothing, so
//!   slots are never closer than one period and no window of one second holds more than 60.
//!   (A burst of 2 would absorb timer lateness but admit 61 requests in some second.)
//!
//! Why not `governor` any more: its GCRA has no reservation (callers `check` and sleep and
//! check again, so woken waiters race and order is lost), and its tolerance comes in whole
//! bursts, so burst 1 forfeits every late wake-up's lateness while burst 2 admits two at once.
//! The schedule is a mutex around one instant per limiter (or per report).
//!
//! The clock is [`tokio::time::Instant`], so limits follow tokio's (pausable) time and the waits
//! are `tokio::time::sleep`s — testable with paused time, and no second timer implementation.
//!
//! Concurrency caps (a [`tokio::sync::Semaphore`] per operation id) are for endpoints that
//! throttle on parallelism rather than rate, e.g. telecom call lists known to refuse more than 2
//! calls in flight.

pub mod adaptive;

pub use adaptive::{Adaptation, AdaptiveRate};

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Locks a mutex whose data stays consistent even if a holder panicked (one instant or map).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// Evenly spaced slots, handed out in the order they are asked for.
#[derive(Debug)]
struct Schedule {
    period: Duration,
}

impl Schedule {
    fn new(period: Duration) -> Self {
        Schedule {
            period: period.max(Duration::from_nanos(1)),
        }
    }

    /// The slot of a caller arriving at `now`, given the slot after the last one handed out
    /// (`next`, updated): never earlier than `now`, never closer than one period to the
    /// previous slot.
    fn reserve(&self, next: &mut Option<Instant>, now: Instant) -> Instant {
        reserve(next, now, self.period)
    }

    /// Gives back `slot` if it is still the last one handed out (its caller stopped waiting):
    /// the next caller may then have it, instead of the rate losing a period.
    fn release(&self, next: &mut Option<Instant>, slot: Instant) {
        release(next, slot, self.period)
    }
}

/// [`Schedule::reserve`] with the period of the moment (an adaptive rate's).
fn reserve(next: &mut Option<Instant>, now: Instant, period: Duration) -> Instant {
    let slot = match *next {
        Some(next) if next > now => next,
        _ => now,
    };
    *next = Some(slot + period);
    slot
}

/// [`Schedule::release`] with the period the slot was reserved with.
fn release(next: &mut Option<Instant>, slot: Instant, period: Duration) {
    if *next == Some(slot + period) {
        *next = Some(slot);
    }
}

/// Sleeps until `slot`; if the wait is abandoned (the future dropped), `give_back` runs.
async fn wait_for(slot: Instant, give_back: impl FnOnce()) {
    struct Guard<F: FnOnce()>(Option<F>);
    impl<F: FnOnce()> Drop for Guard<F> {
        fn drop(&mut self) {
            if let Some(give_back) = self.0.take() {
                give_back();
            }
        }
    }
    let mut guard = Guard(Some(give_back));
    tokio::time::sleep_until(slot).await;
    guard.0 = None;
}

/// Requests per second a client paces each (app key, tenant) at by default: ServiceTitan's 60
/// less a margin of 2, so that clock jitter between client and server never puts a 61st request
/// into a second the server counts (see [`adaptive`]).
pub const DEFAULT_REQUESTS_PER_SECOND: u32 = 58;

/// The limits a [`Client`](crate::Client) applies. Defaults: [`DEFAULT_REQUESTS_PER_SECOND`]
/// (58) requests/s per (app key, tenant), lowered on a 429 and recovering gradually
/// ([`Adaptation`]), 5 runs per minute per report and tenant, no concurrency caps.
#[derive(Clone, Debug)]
pub struct Limits {
    pub(crate) requests_per_second: Option<NonZeroU32>,
    pub(crate) adaptation: Adaptation,
    pub(crate) report_runs_per_minute: Option<NonZeroU32>,
    pub(crate) concurrency: BTreeMap<String, usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            requests_per_second: NonZeroU32::new(DEFAULT_REQUESTS_PER_SECOND),
            adaptation: Adaptation::default(),
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
            adaptation: Adaptation::default(),
            report_runs_per_minute: None,
            concurrency: BTreeMap::new(),
        }
    }

    /// Requests per second per (app key, tenant); `None` (or 0) turns the limit off.
    pub fn requests_per_second(mut self, limit: Option<u32>) -> Self {
        self.requests_per_second = limit.and_then(NonZeroU32::new);
        self
    }

    /// How the request rate reacts to the server's 429s ([`Adaptation::off`]: not at all).
    pub fn adaptation(mut self, adaptation: Adaptation) -> Self {
        self.adaptation = adaptation;
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

/// A rate limiter waiting on tokio time: requests are admitted at a steady rate, in arrival
/// order; the rate adapts to the server's 429s ([`adaptive`]).
pub struct RateLimiter {
    state: Mutex<RateState>,
    description: String,
}

struct RateState {
    next: Option<Instant>,
    rate: AdaptiveRate,
}

impl RateLimiter {
    /// `n` requests per second, evenly spaced, adapting to 429s as [`Adaptation::default`].
    pub fn per_second(n: NonZeroU32) -> Self {
        Self::adaptive(n, Adaptation::default())
    }

    /// `n` requests per second at most, adapting to 429s as `adaptation` says.
    pub fn adaptive(n: NonZeroU32, adaptation: Adaptation) -> Self {
        RateLimiter {
            state: Mutex::new(RateState {
                next: None,
                rate: AdaptiveRate::new(f64::from(n.get()), adaptation, Instant::now()),
            }),
            description: format!("{n} requests/s"),
        }
    }

    /// Waits until a request may be sent. Returns how long it waited.
    pub async fn acquire(&self) -> Duration {
        let start = Instant::now();
        let (slot, period) = {
            let mut state = lock(&self.state);
            let period = state.rate.period(start).max(Duration::from_nanos(1));
            (reserve(&mut state.next, start, period), period)
        };
        if slot > start {
            wait_for(slot, || release(&mut lock(&self.state).next, slot, period)).await;
        }
        start.elapsed()
    }

    /// The server answered 429: lowers the rate (see [`adaptive`]). Returns the new rate.
    pub fn throttled(&self) -> f64 {
        let now = Instant::now();
        // Slots already handed out stand; the next ones follow the new period.
        lock(&self.state).rate.throttled(now)
    }

    /// The rate allowed now (requests/s).
    pub fn current_rate(&self) -> f64 {
        lock(&self.state).rate.rate(Instant::now())
    }

    /// What the limit is, e.g. `58 requests/s`.
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

/// A rate limiter with one schedule per key (e.g. per report id).
pub struct KeyedRateLimiter<K: Hash + Eq + Clone> {
    schedule: Schedule,
    next: Mutex<HashMap<K, Option<Instant>>>,
    description: String,
}

/// Past this many keys, keys whose schedule is idle are dropped (an idle key and an absent one
/// behave the same), so a long-running client's map does not grow with every report it runs.
const KEYS_BEFORE_PRUNING: usize = 1024;

impl<K: Hash + Eq + Clone> KeyedRateLimiter<K> {
    /// `n` requests per minute per key, evenly spaced.
    pub fn per_minute(n: NonZeroU32) -> Self {
        KeyedRateLimiter {
            schedule: Schedule::new(Duration::from_secs(60) / n.get()),
            next: Mutex::new(HashMap::new()),
            description: format!("{n} runs/min of the same report"),
        }
    }

    /// Waits until a request for `key` may be sent. Returns how long it waited.
    pub async fn acquire(&self, key: &K) -> Duration {
        let start = Instant::now();
        let slot = {
            let mut map = lock(&self.next);
            if map.len() >= KEYS_BEFORE_PRUNING {
                map.retain(|_, next| next.is_some_and(|next| next > start));
            }
            self.schedule
                .reserve(map.entry(key.clone()).or_default(), start)
        };
        if slot > start {
            wait_for(slot, || {
                if let Some(next) = lock(&self.next).get_mut(key) {
                    self.schedule.release(next, slot);
                }
            })
            .await;
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
    paused_until: Mutex<Option<Instant>>,
}

impl TenantLimits {
    pub(crate) fn new(limits: &Limits) -> Self {
        TenantLimits {
            requests: limits
                .requests_per_second
                .map(|n| RateLimiter::adaptive(n, limits.adaptation)),
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
        let until = Instant::now() + wait;
        let mut paused = lock(&self.paused_until);
        if paused.is_none_or(|current| current < until) {
            *paused = Some(until);
        }
    }

    /// The server answered 429 for a tenant-wide call: the tenant's rate backs off.
    pub(crate) fn throttled(&self) {
        if let Some(limiter) = &self.requests {
            let rate = limiter.throttled();
            tracing::debug!(rate, "429: this tenant's request rate lowered");
        }
    }

    /// How long calls must still hold off, if at all.
    pub(crate) fn paused_for(&self) -> Option<Duration> {
        let paused = *lock(&self.paused_until);
        let remaining = paused?.checked_duration_since(Instant::now())?;
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
            Some(client) => match &self.requests {
                Some(limiter) if !report => {
                    format!(
                        "{server}; this client paces at {client} (now {:.1}/s, adapting to 429s)",
                        limiter.current_rate()
                    )
                }
                _ => format!("{server}; this client paces at {client}"),
            },
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
        let mut map = lock(&self.by_tenant);
        map.entry((app_key_fingerprint, tenant))
            .or_insert_with(|| Arc::new(TenantLimits::new(limits)))
            .clone()
    }
}
