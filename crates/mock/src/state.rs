//! The state one server shares between its handlers.

use crate::config::{Faults, MockConfig};
use crate::counters::Recorder;
use crate::store::Store;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// A token the mock issued.
#[derive(Clone, Copy, Debug)]
pub struct Token {
    /// When it stops being accepted.
    pub expires: Instant,
    /// The tenant an Enterprise Hub request named, if any.
    pub tenant: Option<i64>,
}

/// Per-key limiters for the current fault settings.
pub struct Limiters {
    tenant: Option<DefaultKeyedRateLimiter<i64>>,
    report: Option<DefaultKeyedRateLimiter<(i64, String)>>,
}

impl Limiters {
    fn new(faults: &Faults) -> Limiters {
        Limiters {
            tenant: faults
                .rate_limit
                .and_then(NonZeroU32::new)
                .map(|n| RateLimiter::keyed(Quota::per_second(n))),
            report: faults
                .report_limit
                .and_then(NonZeroU32::new)
                .map(|n| RateLimiter::keyed(Quota::per_minute(n))),
        }
    }
}

/// Shared server state.
pub struct State {
    /// The configuration the server started with.
    pub config: MockConfig,
    /// Current faults (changeable while running).
    pub faults: RwLock<Faults>,
    /// Client writes.
    pub store: Store,
    /// Counters and log.
    pub recorder: Recorder,
    /// Issued tokens.
    pub tokens: Mutex<HashMap<String, Token>>,
    /// Report data queries (the asynchronous flow), by token.
    pub queries: crate::report_flow::Queries,
    limiters: RwLock<Arc<Limiters>>,
    dice: AtomicU64,
}

impl State {
    /// State for a configuration.
    pub fn new(config: MockConfig) -> State {
        State {
            faults: RwLock::new(config.faults.clone()),
            limiters: RwLock::new(Arc::new(Limiters::new(&config.faults))),
            recorder: Recorder::new(config.request_log),
            store: Store::default(),
            tokens: Mutex::new(HashMap::new()),
            queries: Default::default(),
            dice: AtomicU64::new(0),
            config,
        }
    }

    /// A copy of the current faults.
    pub fn faults(&self) -> Faults {
        self.faults
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the faults (limiters start afresh).
    pub fn set_faults(&self, faults: Faults) {
        *self.limiters.write().unwrap_or_else(|e| e.into_inner()) =
            Arc::new(Limiters::new(&faults));
        *self.faults.write().unwrap_or_else(|e| e.into_inner()) = faults;
    }

    fn limiters(&self) -> Arc<Limiters> {
        self.limiters
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// `Err(wait)` when the tenant is over its per-second limit.
    pub fn check_tenant_rate(&self, tenant: i64) -> Result<(), Duration> {
        match &self.limiters().tenant {
            Some(l) => l
                .check_key(&tenant)
                .map_err(|until| until.wait_time_from(DefaultClock::default().now())),
            None => Ok(()),
        }
    }

    /// `Err(wait)` when the report is over its per-minute limit for the tenant.
    pub fn check_report_rate(&self, tenant: i64, report: &str) -> Result<(), Duration> {
        match &self.limiters().report {
            Some(l) => l
                .check_key(&(tenant, report.to_string()))
                .map_err(|until| until.wait_time_from(DefaultClock::default().now())),
            None => Ok(()),
        }
    }

    /// A deterministic draw in `[0, 1)` (fault injection is reproducible for a seed).
    pub fn roll(&self) -> f64 {
        let n = self.dice.fetch_add(1, Ordering::Relaxed);
        (crate::fake::mix(self.config.seed ^ 0xFA17, n) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Whether the credentials may call this tenant.
    pub fn knows_tenant(&self, tenant: i64) -> bool {
        self.config.tenants().any(|t| t == tenant)
    }
}
