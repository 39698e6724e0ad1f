//! When a failed request is tried again, and how long to wait first.
//!
//! Hand-written rather than built on `backon`: the wait often comes from the server
//! (`Retry-After`, or the seconds named in a 429's title) rather than from a backoff schedule, and
//! the decision depends on the method, the operation and the status together. What is left of a
//! backoff crate — doubling a number and adding jitter — is a few lines.
//!
//! Rules:
//! * `429 Too Many Requests` is retried for every method (the request was not processed); the wait
//!   is `Retry-After` (seconds or HTTP date), else the seconds in the body's title, else backoff;
//! * `502`, `503`, `504`, timeouts and dropped connections are retried for `GET`, `PUT`,
//!   `DELETE` (idempotent); for `POST`/`PATCH` only when opted in, for the whole client
//!   ([`RetryPolicy::retry_non_idempotent`]) or per operation id ([`RetryPolicy::retry_operation`]),
//!   or per request ([`RequestOptions::retry_non_idempotent`](crate::transport::RequestOptions));
//! * a connection that could not be established is retried for every method (nothing was sent);
//! * `409 Conflict` is retried on report data requests (the same report is already running);
//! * no other `4xx` is retried;
//! * a request whose body cannot be cloned (a stream) is sent once;
//! * attempts are bounded by [`RetryPolicy::max_attempts`] and by [`RetryPolicy::max_elapsed`],
//!   a wall-clock bound over every attempt of a call, token fetch included: a server-requested
//!   wait that would end past the budget is not waited for (the call fails now, the wait in the
//!   error), and an attempt still running when the budget ends is cut off as a timeout.
//!
//! Every number read from a server is clamped to [`MAX_SERVER_WAIT`] and added with checked
//! arithmetic: no `Retry-After` (`1e20`, `18446744073709551616`, …) can panic.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::{Method, StatusCode};

/// How failed requests are retried.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) max_elapsed: Duration,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) retry_non_idempotent: bool,
    pub(crate) retry_operations: BTreeSet<String>,
}

impl Default for RetryPolicy {
    /// 4 attempts within 5 minutes; backoff 0.5 s doubling up to 30 s, with jitter.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            max_elapsed: Duration::from_secs(300),
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            retry_non_idempotent: false,
            retry_operations: BTreeSet::new(),
        }
    }
}

impl RetryPolicy {
    /// The default policy (see [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Never retry (401 still triggers one token refresh and a repeat of the call).
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Total attempts, first one included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Wall-clock budget of one call: every attempt, token request and wait together (default
    /// 300 s). A wait that would end past it is not waited for; an attempt still running when it
    /// ends is cut off with [`Error::Timeout`](crate::Error::Timeout) (when a request timeout is
    /// set — without one, attempts have no time bound at all).
    pub fn max_elapsed(mut self, budget: Duration) -> Self {
        self.max_elapsed = budget;
        self
    }

    /// First backoff and the cap it doubles up to.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Also retry `POST` and `PATCH` on 5xx gateway errors and timeouts. Only safe when the
    /// operations are idempotent on the server or duplicates are acceptable.
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    /// Retry this operation (by operation id, e.g. `ReportCategoryReports_GetData`, or by Rust
    /// method name, e.g. `report_category_reports_get_data`) like an idempotent one even though
    /// its method is `POST`/`PATCH`.
    pub fn retry_operation(mut self, operation_id: impl Into<String>) -> Self {
        self.retry_operations.insert(operation_id.into());
        self
    }

    /// Whether 5xx gateway errors and timeouts may be retried for this call.
    /// `names` are the operation's spec id and Rust method name (either may be allow-listed).
    pub(crate) fn may_repeat(&self, method: &Method, names: &[&str]) -> bool {
        let idempotent = matches!(
            *method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
        );
        idempotent
            || self.retry_non_idempotent
            || names
                .iter()
                .any(|name| self.retry_operations.contains(*name))
    }

    /// The backoff before attempt `attempt + 1` (after `attempt` failures), with "equal jitter":
    /// half the exponential delay is kept so retries keep spacing out, the other half is random
    /// so that many clients failing together do not retry in lockstep.
    pub(crate) fn backoff_for(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(20);
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        let half = base / 2;
        let max_jitter = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        let jitter = rand::rng().random_range(0..=max_jitter);
        half.saturating_add(Duration::from_millis(jitter))
    }
}

/// What to do with a response status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Try again; `Some` when the server named the wait.
    Retry(Option<Duration>),
    /// Give up: return this answer.
    Stop,
}

/// Classifies a non-success status. `may_repeat` says whether the method (or an opt-in) allows
/// repeating a request that the server may have processed.
pub(crate) fn classify_status(
    status: StatusCode,
    may_repeat: bool,
    report_data: bool,
    server_wait: Option<Duration>,
) -> Verdict {
    match status {
        StatusCode::TOO_MANY_REQUESTS => Verdict::Retry(server_wait),
        StatusCode::CONFLICT if report_data => Verdict::Retry(server_wait),
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
            if may_repeat =>
        {
            Verdict::Retry(server_wait)
        }
        _ => Verdict::Stop,
    }
}

/// Whether a transport error may be retried.
pub(crate) fn classify_transport_error(err: &reqwest::Error, may_repeat: bool) -> bool {
    if err.is_builder() || err.is_redirect() || err.is_decode() {
        return false;
    }
    // Connect errors: the request never left, any method is safe to send again. A connect
    // timeout is both `is_connect` and `is_timeout`.
    if err.is_connect() {
        return true;
    }
    may_repeat && (err.is_timeout() || err.is_request() || err.is_body())
}

/// The longest wait read from a server (a year): larger values, up to `1e300` or `2^64` and
/// beyond, are clamped to it instead of overflowing. It is far beyond any retry budget, so such a
/// wait always means "give up now".
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(365 * 24 * 3600);

/// Seconds as a `Duration`, clamped to `[0, MAX_SERVER_WAIT]`; `None` for NaN or negative values.
fn clamped_seconds(secs: f64) -> Option<Duration> {
    if secs.is_nan() || secs < 0.0 {
        return None;
    }
    Some(
        Duration::try_from_secs_f64(secs)
            .unwrap_or(MAX_SERVER_WAIT)
            .min(MAX_SERVER_WAIT),
    )
}

/// Parses a `Retry-After` value: delta-seconds or an HTTP date (relative to `now`). Never panics;
/// any value is clamped to [`MAX_SERVER_WAIT`].
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Digits only: a number too big for u64 is still "very long".
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(MAX_SERVER_WAIT));
    }
    if let Ok(secs) = value.parse::<f64>() {
        return clamped_seconds(secs);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(MAX_SERVER_WAIT),
    )
}

/// Finds the wait in a 429 title such as `"Rate limit is exceeded. Try again in 12 seconds."` or
/// `"… retry in 3 seconds"`: the number right before the word `second(s)`, clamped to
/// [`MAX_SERVER_WAIT`].
pub fn seconds_in_title(title: &str) -> Option<Duration> {
    let words: Vec<&str> = title.split_whitespace().collect();
    words.windows(2).find_map(|pair| {
        let unit = pair[1]
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_ascii_lowercase();
        if unit != "second" && unit != "seconds" && unit != "sec" && unit != "secs" && unit != "s" {
            return None;
        }
        let n = pair[0].trim_matches(|c: char| !c.is_ascii_digit() && c != '.');
        n.parse::<f64>().ok().and_then(clamped_seconds)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(42));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(42))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(42));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn huge_and_odd_values_are_clamped_not_panics() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        for value in [
            "1e20",
            "18446744073709551615",
            "18446744073709551616",
            "1e308",
            "inf",
        ] {
            assert_eq!(
                parse_retry_after(value, now),
                Some(MAX_SERVER_WAIT),
                "{value}"
            );
        }
        for value in ["-1", "NaN", "-inf", ""] {
            assert_eq!(parse_retry_after(value, now), None, "{value}");
        }
        assert_eq!(
            parse_retry_after("0.25", now),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            seconds_in_title("Try again in 1e30 seconds"),
            Some(MAX_SERVER_WAIT)
        );
        // Far-future HTTP dates are clamped too.
        assert_eq!(
            parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now),
            Some(MAX_SERVER_WAIT)
        );
        let p = RetryPolicy::new().backoff(Duration::MAX, Duration::MAX);
        let _ = p.backoff_for(u32::MAX);
    }

    #[test]
    fn title_forms() {
        let d = |s| Some(Duration::from_secs(s));
        assert_eq!(
            seconds_in_title("Rate limit is exceeded. Try again in 12 seconds."),
            d(12)
        );
        assert_eq!(
            seconds_in_title("Too many requests, please retry in 3 seconds"),
            d(3)
        );
        assert_eq!(seconds_in_title("Quota exceeded: 1 second"), d(1));
        assert_eq!(seconds_in_title("Too many requests"), None);
    }

    #[test]
    fn classification() {
        use StatusCode as S;
        assert_eq!(
            classify_status(S::TOO_MANY_REQUESTS, false, false, None),
            Verdict::Retry(None)
        );
        assert_eq!(
            classify_status(S::SERVICE_UNAVAILABLE, true, false, None),
            Verdict::Retry(None)
        );
        assert_eq!(
            classify_status(S::SERVICE_UNAVAILABLE, false, false, None),
            Verdict::Stop
        );
        assert_eq!(
            classify_status(S::CONFLICT, false, true, None),
            Verdict::Retry(None)
        );
        assert_eq!(
            classify_status(S::CONFLICT, true, false, None),
            Verdict::Stop
        );
        for s in [
            S::BAD_REQUEST,
            S::UNAUTHORIZED,
            S::FORBIDDEN,
            S::NOT_FOUND,
            S::INTERNAL_SERVER_ERROR,
        ] {
            assert_eq!(classify_status(s, true, true, None), Verdict::Stop, "{s}");
        }
    }

    #[test]
    fn backoff_grows_with_jitter_and_cap() {
        let p = RetryPolicy::new().backoff(Duration::from_millis(100), Duration::from_secs(1));
        for _ in 0..50 {
            let first = p.backoff_for(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = p.backoff_for(3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let capped = p.backoff_for(30);
            assert!(capped >= Duration::from_millis(500) && capped <= Duration::from_secs(1));
        }
    }

    #[test]
    fn opt_ins() {
        let p = RetryPolicy::new();
        let names = ["Jobs_Create", "jobs_create"];
        assert!(p.may_repeat(&Method::GET, &names));
        assert!(!p.may_repeat(&Method::POST, &names));
        assert!(p
            .clone()
            .retry_operation("Jobs_Create")
            .may_repeat(&Method::POST, &names));
        assert!(p
            .clone()
            .retry_operation("jobs_create")
            .may_repeat(&Method::POST, &names));
        assert!(p
            .clone()
            .retry_non_idempotent(true)
            .may_repeat(&Method::PATCH, &names));
    }
}
