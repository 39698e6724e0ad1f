//! Local dates → the UTC bounds the API's filters expect.
//!
//! ServiceTitan filters take UTC instants (`createdOnOrAfter`, `completedBefore`, …), while
//! people ask for local days ("jobs completed on March 10 in New York"). A local date range
//! `first..=last` covers the half-open UTC interval
//! `[start of first (local) → UTC, start of the day after last (local) → UTC)`, which is what
//! [`days`] returns: pass [`UtcRange::on_or_after`] to the `…OnOrAfter` filter and
//! [`UtcRange::before`] to the `…Before` filter.
//!
//! Days are not always 24 hours long: on a spring-forward day a day has 23 hours, on a fall-back
//! day 25, and the bounds follow the zone's rules for each end separately. Where a zone's local
//! midnight does not exist (the clocks jump over it, e.g. `America/Sao_Paulo` on 2018-11-04) the
//! day starts at the first instant that exists (the transition); where it exists twice (the
//! clocks fall back over it, e.g. `America/Havana` on 2024-11-03) the day starts at the earlier
//! of the two.
//!
//! ```
//! use chrono::NaiveDate;
//! use servicetitan_core::time;
//!
//! let ny = chrono_tz::America::New_York;
//! let march_10 = NaiveDate::from_ymd_opt(2024, 3, 10).unwrap();
//! let range = time::day(march_10, &ny).unwrap();
//! assert_eq!(range.on_or_after.to_rfc3339(), "2024-03-10T05:00:00+00:00");
//! assert_eq!(range.before.to_rfc3339(), "2024-03-11T04:00:00+00:00");
//! ```

use crate::types::{Date, DateTime};
use crate::Error;
use chrono::{Duration, LocalResult, NaiveTime, TimeZone, Utc};

/// A half-open UTC interval `[on_or_after, before)`, as the API's date filters take it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UtcRange {
    /// The inclusive start, for `…OnOrAfter` filters.
    pub on_or_after: DateTime,
    /// The exclusive end, for `…Before` filters.
    pub before: DateTime,
}

impl UtcRange {
    /// The interval's length (23 h for a spring-forward day, 25 h for a fall-back day, …).
    pub fn duration(&self) -> Duration {
        self.before - self.on_or_after
    }

    /// Whether `instant` lies in the interval.
    pub fn contains(&self, instant: DateTime) -> bool {
        self.on_or_after <= instant && instant < self.before
    }
}

/// The first instant of `date` in `tz`, in UTC.
///
/// Local midnight normally; the earlier instant if midnight happens twice; the first instant
/// that exists on that date if midnight is skipped. `None` only outside chrono's range.
pub fn start_of_day<Z: TimeZone>(date: Date, tz: &Z) -> Option<DateTime> {
    let midnight = date.and_time(NaiveTime::MIN);
    match tz.from_local_datetime(&midnight) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        // Skipped midnight: the day begins where the gap ends. Transitions fall on whole
        // minutes, so the first local minute that exists is the transition instant.
        LocalResult::None => (1..=24 * 60).find_map(|minute| {
            let local = midnight + Duration::minutes(minute);
            match tz.from_local_datetime(&local) {
                LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
                LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
                LocalResult::None => None,
            }
        }),
    }
}

/// The UTC bounds of one local day.
pub fn day<Z: TimeZone>(date: Date, tz: &Z) -> Result<UtcRange, Error> {
    days(date, date, tz)
}

/// The UTC bounds of the local days `first..=last` (both inclusive): from the start of `first`
/// to the start of the day after `last`. Fails if `last` is before `first` or the dates are at
/// the edge of chrono's range.
pub fn days<Z: TimeZone>(first: Date, last: Date, tz: &Z) -> Result<UtcRange, Error> {
    if last < first {
        return Err(Error::InvalidArgument {
            name: "last".into(),
            reason: format!("the date range ends ({last}) before it starts ({first})"),
        });
    }
    let out_of_range = || Error::InvalidArgument {
        name: "first..=last".into(),
        reason: format!("the date range {first}..={last} is beyond the dates chrono can hold"),
    };
    let on_or_after = start_of_day(first, tz).ok_or_else(out_of_range)?;
    let after_last = last.succ_opt().ok_or_else(out_of_range)?;
    let before = start_of_day(after_last, tz).ok_or_else(out_of_range)?;
    Ok(UtcRange {
        on_or_after,
        before,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::{Havana, New_York, Sao_Paulo};
    use chrono_tz::Tz;

    fn date(y: i32, m: u32, d: u32) -> Date {
        Date::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(text: &str) -> DateTime {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn spring_forward_day_in_new_york_is_23_hours() {
        let range = day(date(2024, 3, 10), &New_York).unwrap();
        assert_eq!(
            range.on_or_after,
            utc("2024-03-10T05:00:00Z"),
            "midnight EST"
        );
        assert_eq!(
            range.before,
            utc("2024-03-11T04:00:00Z"),
            "next midnight EDT"
        );
        assert_eq!(range.duration(), Duration::hours(23));
    }

    #[test]
    fn fall_back_day_in_new_york_is_25_hours() {
        let range = day(date(2024, 11, 3), &New_York).unwrap();
        assert_eq!(
            range.on_or_after,
            utc("2024-11-03T04:00:00Z"),
            "midnight EDT"
        );
        assert_eq!(
            range.before,
            utc("2024-11-04T05:00:00Z"),
            "next midnight EST"
        );
        assert_eq!(range.duration(), Duration::hours(25));
        // 01:30 happens twice that day; both are inside.
        assert!(range.contains(utc("2024-11-03T05:30:00Z")));
        assert!(range.contains(utc("2024-11-03T06:30:00Z")));
    }

    #[test]
    fn a_range_runs_from_the_first_start_to_the_start_after_the_last_day() {
        let range = days(date(2024, 3, 9), date(2024, 3, 10), &New_York).unwrap();
        assert_eq!(range.on_or_after, utc("2024-03-09T05:00:00Z"));
        assert_eq!(range.before, utc("2024-03-11T04:00:00Z"));
        assert_eq!(range.duration(), Duration::hours(47));

        let whole_dst_span = days(date(2024, 3, 10), date(2024, 11, 3), &New_York).unwrap();
        assert_eq!(whole_dst_span.on_or_after, utc("2024-03-10T05:00:00Z"));
        assert_eq!(whole_dst_span.before, utc("2024-11-04T05:00:00Z"));
    }

    #[test]
    fn ordinary_days_and_utc() {
        let range = day(date(2024, 7, 4), &New_York).unwrap();
        assert_eq!(range.on_or_after, utc("2024-07-04T04:00:00Z"));
        assert_eq!(range.duration(), Duration::hours(24));
        let range = day(date(2024, 7, 4), &Tz::UTC).unwrap();
        assert_eq!(range.on_or_after, utc("2024-07-04T00:00:00Z"));
        assert_eq!(range.before, utc("2024-07-05T00:00:00Z"));
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_at_the_transition() {
        // Brazil's 2018 DST began at local midnight: 00:00 -03 became 01:00 -02.
        let start = start_of_day(date(2018, 11, 4), &Sao_Paulo).unwrap();
        assert_eq!(start, utc("2018-11-04T03:00:00Z"));
        let range = day(date(2018, 11, 4), &Sao_Paulo).unwrap();
        assert_eq!(range.duration(), Duration::hours(23));
    }

    #[test]
    fn a_repeated_midnight_starts_the_day_at_the_earlier_instant() {
        // Cuba falls back at 01:00 CDT to 00:00 CST: midnight happens at 04:00Z and 05:00Z.
        let start = start_of_day(date(2024, 11, 3), &Havana).unwrap();
        assert_eq!(start, utc("2024-11-03T04:00:00Z"));
        assert_eq!(day(date(2024, 11, 2), &Havana).unwrap().before, start);
    }

    #[test]
    fn a_reversed_range_is_an_error() {
        let err = days(date(2024, 3, 10), date(2024, 3, 9), &New_York).unwrap_err();
        assert!(
            matches!(err, Error::InvalidArgument { ref name, ref reason } if name == "last" && reason.contains("before it starts")),
            "{err}"
        );
        assert!(days(Date::MAX, Date::MAX, &New_York).is_err());
    }
}
