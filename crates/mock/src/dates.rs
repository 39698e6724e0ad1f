//! Dates in requests: filters and export `from` values, read as leniently as the API reads them.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Parses an RFC 3339 date-time, one without offset (UTC), or a plain date; unix seconds.
pub fn parse(s: &str) -> Option<i64> {
    parse_ticks(s).map(|t| t.div_euclid(TICKS_PER_SEC))
}

/// Parses like [`parse`], keeping the fraction: 100-ns ticks since the epoch (the precision of
/// .NET's `DateTime`), so `modifiedOnOrAfter=…:05.123` does not match a record of `…:05.000`.
pub fn parse_ticks(s: &str) -> Option<i64> {
    let s = s.trim();
    let ticks = |dt: DateTime<chrono::Utc>| {
        dt.timestamp()
            .checked_mul(TICKS_PER_SEC)?
            .checked_add(i64::from(dt.timestamp_subsec_nanos() / 100))
    };
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return ticks(dt.to_utc());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return ticks(dt.and_utc());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|dt| ticks(dt.and_utc()))
}

/// 100-ns ticks in a second.
pub const TICKS_PER_SEC: i64 = 10_000_000;

/// Ticks of a record time in milliseconds (how [`crate::gen::Meta`] keeps it).
pub fn ms_to_ticks(ms: i64) -> i64 {
    ms.saturating_mul(10_000)
}

/// The `hh:mm[:ss]` parts of a .NET `TimeSpan` (`[-][d.]hh:mm[:ss[.fffffff]]`), if it is one.
fn timespan_parts(s: &str) -> Option<Vec<&str>> {
    let s = s.strip_prefix('-').unwrap_or(s);
    let time = match s.split_once('.') {
        Some((days, rest)) if days.chars().all(|c| c.is_ascii_digit()) && rest.contains(':') => {
            rest
        }
        _ => s,
    };
    let time = time.split('.').next().unwrap_or(time);
    let parts: Vec<&str> = time.split(':').collect();
    ((2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 2 && p.chars().all(|c| c.is_ascii_digit())))
    .then_some(parts)
}

/// Whether `s` is a .NET `TimeSpan` (`[d.]hh:mm[:ss[.fffffff]]`) or an ISO 8601 duration.
pub fn is_timespan(s: &str) -> bool {
    if s.starts_with('P') {
        return s.len() > 1;
    }
    timespan_parts(s).is_some()
}

/// Whether `s` is a time span .NET parses: [`is_timespan`] with each part in range (hours
/// 0–23 and minutes, seconds 0–59: `12:99` is refused) or an ISO 8601 duration.
pub fn is_valid_timespan(s: &str) -> bool {
    if s.starts_with('P') {
        return s.len() > 1;
    }
    let Some(parts) = timespan_parts(s) else {
        return false;
    };
    let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    match n.as_slice() {
        [h, m] => *h < 24 && *m < 60,
        [h, m, sec] => *h < 24 && *m < 60 && *sec < 60,
        _ => false,
    }
}
