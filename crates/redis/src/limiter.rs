//! [`RedisLimiter`]: the core's [`SharedLimiter`] on the GCRA lanes of [`crate::gcra`], with a
//! local limiter at a share of the budget while Redis is lost.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use servicetitan_core::limit::{KeyedRateLimiter, RateLimiter};
use servicetitan_core::shared_state::SharedLimiter;
use servicetitan_core::Error;

use crate::gcra::{Lane, Scripts};
use crate::store::Store;

/// The budget of one (environment, app key, tenant), shared through Redis.
pub struct RedisLimiter {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<Store>,
    scripts: Arc<Scripts>,
    /// The 60/s lane, unless the request limit is off.
    requests: Option<Lane>,
    /// Prefix of the per-report lanes and their interval, unless the report limit is off.
    reports: Option<(String, Duration)>,
    /// Reservations of this process are made one at a time, in arrival order (tokio's mutex is
    /// fair), so this process's waiters are served first come, first served.
    fifo: tokio::sync::Mutex<()>,
    fallback_requests: Option<RateLimiter>,
    fallback_reports: Option<KeyedRateLimiter<String>>,
}

impl fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimiter")
            .field("redis", &self.inner.store.url)
            .field(
                "requests",
                &self.inner.requests.as_ref().map(|l| l.interval),
            )
            .field("reports", &self.inner.reports.as_ref().map(|r| r.1))
            .finish()
    }
}

/// `share` of `n`, at least 1.
fn share(n: u32, share: f64) -> NonZeroU32 {
    NonZeroU32::new(((n as f64) * share.clamp(0.0, 1.0)).floor() as u32).unwrap_or(NonZeroU32::MIN)
}

impl RedisLimiter {
    pub(crate) fn new(
        store: Arc<Store>,
        scripts: Arc<Scripts>,
        prefix: String,
        per_second: Option<u32>,
        per_minute: Option<u32>,
    ) -> Self {
        let fraction = store.options.fallback_share;
        let per_second = per_second.and_then(NonZeroU32::new);
        let per_minute = per_minute.and_then(NonZeroU32::new);
        let requests = per_second.map(|n| Lane {
            tat: prefix.clone(),
            penalty: format!("{prefix}:penalty"),
            interval: Duration::from_secs(1) / n.get(),
        });
        let reports = per_minute.map(|n| {
            (
                format!("{prefix}:report"),
                Duration::from_secs(60) / n.get(),
            )
        });
        RedisLimiter {
            inner: Arc::new(Inner {
                fallback_requests: per_second
                    .map(|n| RateLimiter::per_second(share(n.get(), fraction))),
                fallback_reports: per_minute
                    .map(|n| KeyedRateLimiter::per_minute(share(n.get(), fraction))),
                store,
                scripts,
                requests,
                reports,
                fifo: tokio::sync::Mutex::new(()),
            }),
        }
    }
}

impl Inner {
    fn report_lane(&self, report: &str) -> Option<Lane> {
        let (prefix, interval) = self.reports.as_ref()?;
        Some(Lane {
            tat: format!("{prefix}:{report}"),
            penalty: format!("{prefix}:{report}:penalty"),
            interval: *interval,
        })
    }

    /// One permit of `lane`: from Redis, or from the local fallback while Redis is lost.
    async fn take(&self, lane: &Lane, report: Option<&str>) -> Result<Duration, Error> {
        let store = &self.store;
        let reserved = if store.skipping() {
            None
        } else {
            let _turn = self.fifo.lock().await;
            // Re-checked in turn: a failure while this caller queued skips Redis for everyone.
            if store.skipping() {
                None
            } else {
                Some(
                    store
                        .run("rate limit reserve", |c| lane.reserve(&self.scripts, c))
                        .await,
                )
            }
        };
        match reserved {
            Some(Ok(wait)) => {
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                Ok(wait)
            }
            Some(Err(_)) | None if store.options.strict => Err(Error::Other(store.unavailable().0)),
            _ => Ok(
                match (report, &self.fallback_requests, &self.fallback_reports) {
                    (Some(report), _, Some(local)) => local.acquire(&report.to_owned()).await,
                    (None, Some(local), _) => local.acquire().await,
                    _ => Duration::ZERO,
                },
            ),
        }
    }
}

impl SharedLimiter for RedisLimiter {
    fn acquire<'a>(&'a self, report: Option<&'a str>) -> BoxFuture<'a, Result<Duration, Error>> {
        Box::pin(async move {
            let inner = &*self.inner;
            let mut waited = Duration::ZERO;
            // The report's lane first: its wait (up to a minute) should not hold a slot of the
            // tenant's 60/s lane unused.
            if let Some(lane) = report.and_then(|r| inner.report_lane(r)) {
                waited += inner.take(&lane, report).await?;
            }
            if let Some(lane) = &inner.requests {
                waited += inner.take(lane, None).await?;
            }
            Ok(waited)
        })
    }

    fn throttled(&self, report: Option<&str>, retry_after: Option<Duration>) {
        let inner = self.inner.clone();
        let lane = match report {
            Some(report) => inner.report_lane(report),
            None => inner.requests.clone(),
        };
        let (Some(lane), Ok(runtime)) = (lane, tokio::runtime::Handle::try_current()) else {
            return;
        };
        if inner.store.skipping() {
            return;
        }
        runtime.spawn(async move {
            let scale = inner
                .store
                .run("rate limit throttled", |c| lane.throttled(&inner.scripts, retry_after, c))
                .await;
            if let Ok(scale) = scale {
                tracing::warn!(
                    lane = %lane.tat,
                    scale,
                    retry_after_ms = retry_after.map(|w| w.as_millis() as u64),
                    "ServiceTitan answered 429: the fleet's rate for this lane is lowered, recovering gradually"
                );
            }
        });
    }
}
