//! How the Redis store behaves: namespace, strict mode, fallback share, timeouts.

use std::time::Duration;

/// Settings of a [`RedisState`](crate::RedisState). Defaults suit a fleet on one network.
#[derive(Clone, Debug)]
pub struct RedisOptions {
    /// Prefix of every key (default `servicetitan`): several applications can share a Redis.
    pub namespace: String,
    /// When Redis is lost mid-run: `false` (default) falls back to a local limiter at
    /// [`fallback_share`](Self::fallback_share) of the budget and a local token until Redis is
    /// back; `true` fails each call with an error naming Redis instead.
    pub strict: bool,
    /// The share (0–1) of each budget one process uses on its own while Redis is unreachable
    /// (default 0.25: four workers together stay within the budget). At least one request per
    /// second (or report run per minute) is always allowed.
    pub fallback_share: f64,
    /// Longest wait for one Redis command before it counts as a failure (default 1 s).
    pub command_timeout: Duration,
    /// Commands slower than this are logged at WARN (default 5 ms), so a slow Redis shows up in
    /// tracing; every command's latency is logged at TRACE.
    pub slow_command: Duration,
    /// After a failure, how long calls use the fallback before Redis is asked again (default
    /// 1 s): a dead Redis costs one timeout per interval, not one per call.
    pub retry_interval: Duration,
    /// How long a token fetch may hold the fleet's lock (default 30 s); a worker that died
    /// holding it delays the others by at most this.
    pub token_lock: Duration,
    /// How often a worker waiting for another's token fetch looks for it (default 50 ms).
    pub token_poll: Duration,
}

impl Default for RedisOptions {
    fn default() -> Self {
        RedisOptions {
            namespace: "servicetitan".to_owned(),
            strict: false,
            fallback_share: 0.25,
            command_timeout: Duration::from_secs(1),
            slow_command: Duration::from_millis(5),
            retry_interval: Duration::from_secs(1),
            token_lock: Duration::from_secs(30),
            token_poll: Duration::from_millis(50),
        }
    }
}
