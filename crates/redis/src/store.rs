//! The connection to Redis and its health: every command runs through [`Store::run`], bounded
//! by the command timeout, timed (slow commands logged), and counted toward the outage state
//! that switches the fleet's pieces to their fallback.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use redis::aio::ConnectionManager;
use tokio::sync::OnceCell;
use tokio::time::Instant;

use crate::masked::RedisUrl;
use crate::options::RedisOptions;

/// Why a Redis command gave no answer; its text names the URL masked.
#[derive(Clone, Debug)]
pub(crate) struct Unavailable(pub(crate) String);

/// A connection manager (reconnecting on its own) and what is known about Redis's health.
pub(crate) struct Store {
    pub(crate) url: RedisUrl,
    pub(crate) options: RedisOptions,
    client: redis::Client,
    manager: OnceCell<ConnectionManager>,
    /// Set while Redis is considered lost: until when calls skip it.
    skip_until: Mutex<Option<Instant>>,
    down: AtomicBool,
    /// Milliseconds (since `started`) of the last slow-command warning, to bound the log.
    last_slow_warning: AtomicU64,
    started: Instant,
}

impl Store {
    pub(crate) fn new(url: RedisUrl, client: redis::Client, options: RedisOptions) -> Self {
        Store {
            url,
            options,
            client,
            manager: OnceCell::new(),
            skip_until: Mutex::new(None),
            down: AtomicBool::new(false),
            last_slow_warning: AtomicU64::new(0),
            started: Instant::now(),
        }
    }

    async fn connection(&self) -> Result<ConnectionManager, redis::RedisError> {
        let options = &self.options;
        self.manager
            .get_or_try_init(|| async {
                let config = redis::aio::ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(options.command_timeout))
                    .set_response_timeout(Some(options.command_timeout))
                    .set_number_of_retries(1)
                    .set_max_delay(Duration::from_millis(200));
                ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            })
            .await
            .cloned()
    }

    /// Whether calls should skip Redis for now (it failed within the retry interval).
    pub(crate) fn skipping(&self) -> bool {
        let skip = self.skip_until.lock().unwrap_or_else(|p| p.into_inner());
        skip.is_some_and(|until| Instant::now() < until)
    }

    /// Runs one command (`what` names it for logs) within the command timeout. A failure marks
    /// Redis as lost for the retry interval (one WARN per outage); the first success after an
    /// outage logs that it is back.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        what: &'static str,
        command: F,
    ) -> Result<T, Unavailable>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let started = Instant::now();
        let result = tokio::time::timeout(self.options.command_timeout, async {
            let connection = self.connection().await?;
            command(connection).await
        })
        .await;
        let elapsed = started.elapsed();
        let failure = match result {
            Ok(Ok(value)) => {
                self.slow(what, elapsed);
                self.recovered();
                return Ok(value);
            }
            Ok(Err(err)) => self.url.scrub(&err.to_string()),
            Err(_) => format!(
                "no answer within {} ms",
                self.options.command_timeout.as_millis()
            ),
        };
        Err(self.lost(what, failure))
    }

    fn slow(&self, what: &'static str, elapsed: Duration) {
        let ms = elapsed.as_secs_f64() * 1e3;
        tracing::trace!(command = what, elapsed_ms = ms, "redis command");
        if elapsed < self.options.slow_command {
            return;
        }
        // At most one warning per second: a Redis that is slow for every command is one finding.
        let now = self.started.elapsed().as_millis() as u64;
        let last = self.last_slow_warning.load(Ordering::Relaxed);
        if (last == 0 || now.saturating_sub(last) >= 1000)
            && self
                .last_slow_warning
                .compare_exchange(last, now.max(1), Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                command = what,
                elapsed_ms = ms,
                threshold_ms = self.options.slow_command.as_secs_f64() * 1e3,
                redis = %self.url,
                "slow Redis: a command took longer than the threshold"
            );
        }
    }

    fn recovered(&self) {
        if self.down.swap(false, Ordering::AcqRel) {
            *self.skip_until.lock().unwrap_or_else(|p| p.into_inner()) = None;
            tracing::warn!(redis = %self.url, "Redis is reachable again: the fleet's shared budget and token are back in use");
        }
    }

    fn lost(&self, what: &'static str, failure: String) -> Unavailable {
        *self.skip_until.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(Instant::now() + self.options.retry_interval);
        let message = format!("Redis at {} failed ({what}): {failure}", self.url);
        if !self.down.swap(true, Ordering::AcqRel) {
            if self.options.strict {
                tracing::warn!(redis = %self.url, error = %failure, "Redis lost: calls fail until it is back (strict mode)");
            } else {
                tracing::warn!(
                    redis = %self.url,
                    error = %failure,
                    share = self.options.fallback_share,
                    "Redis lost: falling back to a local limiter at a share of the budget and a local token until it is back"
                );
            }
        } else {
            tracing::debug!(error = %failure, command = what, "Redis still unavailable");
        }
        Unavailable(message)
    }

    /// The error a call gets in strict mode while Redis is lost or skipped.
    pub(crate) fn unavailable(&self) -> Unavailable {
        Unavailable(format!(
            "Redis at {} is unavailable (strict mode: calls wait for nothing and fail instead of using a local budget)",
            self.url
        ))
    }
}
