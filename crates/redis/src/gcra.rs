//! The fleet's rate budget: GCRA (virtual scheduling with the reservation made at arrival) in a
//! Lua script, on Redis's own clock.
//!
//! One key per lane holds the lane's theoretical arrival time (TAT, microseconds of Redis's
//! `TIME`). A caller reserves the slot `max(TAT, now)` and moves TAT one interval on; it then
//! sleeps until its slot. So slots are never closer than one interval across every process,
//! whatever their clocks say, and callers are served in the order they reached Redis. No burst
//! is banked (as the in-process limiter: at most `rate` requests in any second).
//!
//! **Adapting to 429**: a 429 (ServiceTitan's own verdict, e.g. another app of the tenant's or a
//! budget smaller than configured) lowers the lane's rate for the whole fleet — the scale in the
//! lane's penalty hash drops by 15 % (to 50 % at least), at most once per second however many
//! workers saw the 429 — and moves TAT past the `Retry-After`. The scale recovers by 1 % of the
//! rate per second, so the budget comes back within about a minute of the last 429.

use std::time::Duration;

use redis::Script;

/// `KEYS[1]` TAT, `KEYS[2]` penalty; `ARGV[1]` interval (µs), `ARGV[2]` recovery per second.
/// Returns the wait until the reserved slot, in µs.
const RESERVE: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local p = redis.call('HMGET', KEYS[2], 'scale', 'at')
if p[1] then
  local scale = tonumber(p[1]) + (now - tonumber(p[2])) / 1000000 * tonumber(ARGV[2])
  if scale < 1 then interval = interval / scale end
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local after = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', math.floor((after - now) / 1000) + 1000)
return math.floor(tat - now)
"#;

/// `KEYS[1]` TAT, `KEYS[2]` penalty; `ARGV[1]` retry-after (µs, 0: none), `ARGV[2]` recovery per
/// second, `ARGV[3]` factor, `ARGV[4]` floor. Returns the new scale × 1000.
const THROTTLED: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local p = redis.call('HMGET', KEYS[2], 'scale', 'at')
local scale = 1
local at = 0
if p[1] then
  at = tonumber(p[2])
  scale = math.min(1, tonumber(p[1]) + (now - at) / 1000000 * tonumber(ARGV[2]))
end
if now - at >= 1000000 then
  scale = math.max(tonumber(ARGV[4]), scale * tonumber(ARGV[3]))
  redis.call('HSET', KEYS[2], 'scale', tostring(scale), 'at', string.format('%.0f', now))
  redis.call('PEXPIRE', KEYS[2], 600000)
end
local wait = tonumber(ARGV[1])
if wait > 0 then
  local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
  if tat < now + wait then
    redis.call('SET', KEYS[1], string.format('%.0f', now + wait), 'PX', math.floor(wait / 1000) + 1000)
  end
end
return math.floor(scale * 1000)
"#;

/// Recovery of the rate after a 429: 1 % of the configured rate per second.
const RECOVERY_PER_SECOND: f64 = 0.01;
/// A 429 lowers the rate by this factor…
const FACTOR: f64 = 0.85;
/// … to no less than this share of the configured rate.
const FLOOR: f64 = 0.5;

/// The scripts, loaded once per process (`EVALSHA`, reloaded by the `redis` crate on
/// `NOSCRIPT`, e.g. after Redis restarted).
pub(crate) struct Scripts {
    reserve: Script,
    throttled: Script,
}

impl Scripts {
    pub(crate) fn new() -> Self {
        Scripts {
            reserve: Script::new(RESERVE),
            throttled: Script::new(THROTTLED),
        }
    }
}

/// One lane's keys and rate.
#[derive(Clone, Debug)]
pub(crate) struct Lane {
    pub(crate) tat: String,
    pub(crate) penalty: String,
    pub(crate) interval: Duration,
}

impl Lane {
    /// Reserves the lane's next slot; the wait until it.
    pub(crate) async fn reserve(
        &self,
        scripts: &Scripts,
        mut connection: redis::aio::ConnectionManager,
    ) -> redis::RedisResult<Duration> {
        let wait: i64 = scripts
            .reserve
            .key(&self.tat)
            .key(&self.penalty)
            .arg(self.interval.as_micros() as u64)
            .arg(RECOVERY_PER_SECOND)
            .invoke_async(&mut connection)
            .await?;
        Ok(Duration::from_micros(wait.max(0) as u64))
    }

    /// Slows the lane down after a 429; the new scale of its rate.
    pub(crate) async fn throttled(
        &self,
        scripts: &Scripts,
        retry_after: Option<Duration>,
        mut connection: redis::aio::ConnectionManager,
    ) -> redis::RedisResult<f64> {
        let scale: i64 = scripts
            .throttled
            .key(&self.tat)
            .key(&self.penalty)
            .arg(retry_after.map_or(0, |w| w.as_micros() as u64))
            .arg(RECOVERY_PER_SECOND)
            .arg(FACTOR)
            .arg(FLOOR)
            .invoke_async(&mut connection)
            .await?;
        Ok(scale as f64 / 1000.0)
    }
}
