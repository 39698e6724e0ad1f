//! Adaptive pacing: the rate a tenant may use now, from the server's 429 answers.
//!
//! Why: how strictly ServiceTitan counts its 60 requests/s is not public. Against a server
//! counting 60 per *rolling* second, pacing at exactly 60/s puts 61 in some second (client and
//! server clocks jitter), and every such 429 costs a `Retry-After` pause of the whole tenant. So
//! the client paces below the limit by default ([`DEFAULT_REQUESTS_PER_SECOND`](super::DEFAULT_REQUESTS_PER_SECOND), a margin of
//! 2/s), and when a 429 still comes it lowers the tenant's rate by [`Adaptation::backoff`]
//! (at most once per [`Adaptation::cooldown`], so a volley of 429s from requests already in
//! flight counts once), never below [`Adaptation::floor`] of the configured rate; after the
//! cooldown the rate climbs back by [`Adaptation::recovery_per_second`] requests/s per second
//! without 429, up to the configured rate. The server's `Retry-After` pause is honoured
//! separately (the tenant holds off until it ends).
//!
//! This piece only computes the rate (no clock of its own, no waiting), so any limiter can use
//! it: the in-process schedule ([`super::RateLimiter`]) and a shared one (e.g. GCRA in Redis,
//! whose emission interval is `1 / rate`).

use std::time::Duration;
use tokio::time::Instant;

/// How the rate reacts to 429s. See the module.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Adaptation {
    /// The rate is multiplied by this on a 429 (default 0.9).
    pub backoff: f64,
    /// Lowest rate, as a fraction of the configured one (default 0.25).
    pub floor: f64,
    /// Rate regained per second without a 429, in requests/s (default 1.0).
    pub recovery_per_second: f64,
    /// After a 429: further 429s within this time do not lower the rate again, and the rate
    /// does not climb yet (default 2 s).
    pub cooldown: Duration,
}

impl Default for Adaptation {
    fn default() -> Self {
        Adaptation {
            backoff: 0.9,
            floor: 0.25,
            recovery_per_second: 1.0,
            cooldown: Duration::from_secs(2),
        }
    }
}

impl Adaptation {
    /// No adaptation: the configured rate always.
    pub fn off() -> Self {
        Adaptation {
            backoff: 1.0,
            floor: 1.0,
            recovery_per_second: 0.0,
            cooldown: Duration::ZERO,
        }
    }
}

/// The current allowed rate of one tenant.
#[derive(Clone, Debug)]
pub struct AdaptiveRate {
    ceiling: f64,
    current: f64,
    adaptation: Adaptation,
    /// When the last 429 lowered the rate.
    throttled_at: Option<Instant>,
    /// When `current` was last brought up to date.
    updated: Instant,
}

impl AdaptiveRate {
    /// Starts at `per_second` (the ceiling) with `adaptation`.
    pub fn new(per_second: f64, adaptation: Adaptation, now: Instant) -> Self {
        let ceiling = per_second.max(f64::MIN_POSITIVE);
        AdaptiveRate {
            ceiling,
            current: ceiling,
            adaptation: sanitized(adaptation),
            throttled_at: None,
            updated: now,
        }
    }

    /// The rate allowed at `now` (requests/s), recovering since the last 429.
    pub fn rate(&mut self, now: Instant) -> f64 {
        if self.current < self.ceiling {
            let since = now.saturating_duration_since(self.updated);
            let cooling = self
                .throttled_at
                .map(|at| (at + self.adaptation.cooldown).saturating_duration_since(self.updated))
                .unwrap_or_default()
                .min(since);
            let climbing = (since - cooling).as_secs_f64();
            self.current =
                (self.current + climbing * self.adaptation.recovery_per_second).min(self.ceiling);
        }
        self.updated = now.max(self.updated);
        self.current
    }

    /// A 429 came back at `now`: lowers the rate (once per cooldown). Returns the new rate.
    pub fn throttled(&mut self, now: Instant) -> f64 {
        let current = self.rate(now);
        let cooling = self
            .throttled_at
            .is_some_and(|at| now.saturating_duration_since(at) < self.adaptation.cooldown);
        if !cooling {
            let floor = self.ceiling * self.adaptation.floor;
            self.current = (current * self.adaptation.backoff)
                .max(floor)
                .min(self.ceiling);
            self.throttled_at = Some(now);
            self.updated = now;
        }
        self.current
    }

    /// The time between two requests at the rate allowed at `now`.
    pub fn period(&mut self, now: Instant) -> Duration {
        Duration::from_secs_f64(1.0 / self.rate(now))
    }

    /// The configured rate.
    pub fn ceiling(&self) -> f64 {
        self.ceiling
    }
}

/// Factors within their meaningful ranges (a backoff above 1 would speed up on a 429).
fn sanitized(a: Adaptation) -> Adaptation {
    let unit = |x: f64, default: f64| {
        if x.is_finite() {
            x.clamp(0.01, 1.0)
        } else {
            default
        }
    };
    Adaptation {
        backoff: unit(a.backoff, 0.9),
        floor: unit(a.floor, 0.25),
        recovery_per_second: if a.recovery_per_second.is_finite() {
            a.recovery_per_second.max(0.0)
        } else {
            1.0
        },
        cooldown: a.cooldown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_once_per_cooldown_then_recovers_gradually_to_the_ceiling() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut r = AdaptiveRate::new(58.0, Adaptation::default(), t0);
        assert_eq!(r.rate(t0), 58.0);
        let after = r.throttled(t0);
        assert!((after - 52.2).abs() < 1e-9, "{after}");
        // A volley of 429s from requests already in flight counts once.
        assert!((r.throttled(t0 + Duration::from_millis(500)) - 52.2).abs() < 1e-9);
        // No climb during the cooldown, then +1/s.
        assert!((r.rate(t0 + s(2)) - 52.2).abs() < 1e-9);
        assert!((r.rate(t0 + s(4)) - 54.2).abs() < 1e-9);
        assert_eq!(r.rate(t0 + s(60)), 58.0);
        // Never below the floor.
        let mut r = AdaptiveRate::new(60.0, Adaptation::default(), t0);
        for i in 0..100 {
            r.throttled(t0 + s(3 * i));
        }
        assert!(r.rate(t0 + s(300)) >= 15.0);
        let mut off = AdaptiveRate::new(58.0, Adaptation::off(), t0);
        assert_eq!(off.throttled(t0), 58.0);
    }
}
