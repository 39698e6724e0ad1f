//! Date-times and dates as the API sends them.
//!
//! ISO-8601 with 0 to 9 fractional digits (.NET's `DateTime` writes 7), with `Z`, an offset
//! (`+05:00`, `+0500`, `+05`) or none at all (read as UTC, the API's documented zone); a space
//! instead of `T`; minutes without seconds (`2024-03-10T07:05Z`); a bare date (midnight UTC); and
//! .NET's JSON form `/Date(1710054300000)/` (milliseconds since the epoch, an optional `+hhmm`
//! that does not change the instant).
//!
//! The common shapes are read by a small byte parser straight from the borrowed text (no
//! `String` is allocated per value); anything else falls back to chrono's parsers.

use crate::types::{Date, DateTime};
use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// Parses an API date-time leniently. Returns `None` when the text is not a date-time.
pub fn parse_datetime(text: &str) -> Option<DateTime> {
    let text = text.trim();
    fast_datetime(text.as_bytes())
        .or_else(|| dotnet_date(text))
        .or_else(|| chrono_fallback(text))
}

/// Parses an API date leniently: `2024-03-10`, or a date-time whose date part is taken.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let b = text.as_bytes();
    if b.len() >= 10 && (b.len() == 10 || matches!(b[10], b'T' | b't' | b' ')) {
        if let Some(d) = ymd(b) {
            return Some(d);
        }
    }
    dotnet_date(text).map(|dt| dt.date_naive())
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn ymd(b: &[u8]) -> Option<NaiveDate> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])? as i32;
    NaiveDate::from_ymd_opt(year, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// `YYYY-MM-DD[T ]HH:MM[:SS[.f…]][Z|±HH[:]MM|±HH]`, or a bare date.
fn fast_datetime(b: &[u8]) -> Option<DateTime> {
    let date = ymd(b)?;
    if b.len() == 10 {
        return Some(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?));
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 || b[13] != b':' {
        return None;
    }
    let (hour, minute) = (digits(&b[11..13])?, digits(&b[14..16])?);
    let mut i = 16;
    let mut second = 0;
    let mut nano = 0;
    if b.get(i) == Some(&b':') {
        second = digits(b.get(i + 1..i + 3)?)?;
        i += 3;
        if matches!(b.get(i), Some(b'.') | Some(b',')) {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 9 {
                    nano = nano * 10 + u32::from(b[i] - b'0');
                }
                i += 1;
            }
            let n = i - start;
            if n == 0 {
                return None;
            }
            nano *= 10u32.pow(9u32.saturating_sub(n as u32));
        }
    }
    let offset_seconds = match &b[i..] {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest {
                [h1, h2] => (digits(&[*h1, *h2])?, 0),
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                    (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)
                }
                _ => return None,
            };
            let s = (h * 3600 + m * 60) as i64;
            if *sign == b'-' {
                -s
            } else {
                s
            }
        }
        _ => return None,
    };
    let naive = date.and_hms_nano_opt(hour, minute, second, nano)?;
    let utc = Utc.from_utc_datetime(&naive) - chrono::Duration::seconds(offset_seconds);
    Some(utc)
}

/// .NET's `/Date(1710054300000)/` or `/Date(1710054300000+0100)/`: the milliseconds are UTC.
fn dotnet_date(text: &str) -> Option<DateTime> {
    let inner = text
        .strip_prefix("/Date(")
        .or_else(|| text.strip_prefix("\\/Date("))?;
    let inner = inner
        .strip_suffix(")/")
        .or_else(|| inner.strip_suffix(")\\/"))?;
    let end = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map_or(inner.len(), |(i, _)| i);
    let ms: i64 = inner[..end].parse().ok()?;
    Utc.timestamp_millis_opt(ms).single()
}

fn chrono_fallback(text: &str) -> Option<DateTime> {
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(dt) = chrono::DateTime::parse_from_str(text, fmt) {
            return Some(dt.with_timezone(&Utc));
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, fmt) {
            return Some(Utc.from_utc_datetime(&naive));
        }
    }
    None
}

/// Reads a string (borrowed when the input allows) or `null`, without allocating.
struct Text<T, const REQUIRED: bool> {
    parse: fn(&str) -> Option<T>,
    what: &'static str,
}

impl<'de, T, const REQUIRED: bool> Visitor<'de> for Text<T, REQUIRED> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an ISO-8601 {}", self.what)
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<Option<T>, E> {
        match (self.parse)(text) {
            Some(v) => Ok(Some(v)),
            None if REQUIRED => Err(E::custom(format!(
                "`{text}` is not an ISO-8601 {}",
                self.what
            ))),
            None => {
                if !text.trim().is_empty() {
                    tracing::warn!(target: "servicetitan::lenient", raw = %text, "unreadable {} in response; field read as None", self.what);
                }
                Ok(None)
            }
        }
    }
    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
    // Only optional fields get here (required ones read a string outright): whatever the value
    // is, a string is parsed and anything else (a number, a boolean, a list, an object) reads as
    // `None` with a WARN, as the README's rule says — the record is not lost for it.
    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Option<T>, D::Error> {
        de.deserialize_any(self)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<T>, E> {
        self.not_text(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<T>, E> {
        self.not_text(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<T>, E> {
        self.not_text(&v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<T>, E> {
        self.not_text(&v.to_string())
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Option<T>, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        self.not_text("a list")
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        self.not_text("an object")
    }
}

impl<T, const REQUIRED: bool> Text<T, REQUIRED> {
    /// A value that is not text where a date was expected.
    fn not_text<E: de::Error>(&self, found: &str) -> Result<Option<T>, E> {
        if REQUIRED {
            return Err(E::custom(format!(
                "expected an ISO-8601 {}, found {found}",
                self.what
            )));
        }
        tracing::warn!(target: "servicetitan::lenient", raw = %found, "unreadable {} in response (not text); field read as None", self.what);
        Ok(None)
    }
}

fn required<T>(value: Option<T>, what: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("expected an ISO-8601 {what}, found null"))
}

/// Deserializes a required date-time leniently (fails on malformed text).
pub fn datetime<'de, D: Deserializer<'de>>(de: D) -> Result<DateTime, D::Error> {
    let v = de.deserialize_str(Text::<_, true> {
        parse: parse_datetime,
        what: "date-time",
    })?;
    required(v, "date-time").map_err(de::Error::custom)
}

/// Deserializes an optional date-time leniently; malformed text becomes `None` (with a warning).
pub fn option_datetime<'de, D: Deserializer<'de>>(de: D) -> Result<Option<DateTime>, D::Error> {
    de.deserialize_option(Text::<_, false> {
        parse: parse_datetime,
        what: "date-time",
    })
}

/// Deserializes a required date leniently (fails on malformed text).
pub fn date<'de, D: Deserializer<'de>>(de: D) -> Result<Date, D::Error> {
    let v = de.deserialize_str(Text::<_, true> {
        parse: parse_date,
        what: "date",
    })?;
    required(v, "date").map_err(de::Error::custom)
}

/// Deserializes an optional date leniently; malformed text becomes `None` (with a warning).
pub fn option_date<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Date>, D::Error> {
    de.deserialize_option(Text::<_, false> {
        parse: parse_date,
        what: "date",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;
    use serde::Deserialize;

    #[test]
    fn accepts_the_shapes_the_api_sends() {
        let expect = Utc.with_ymd_and_hms(2024, 3, 10, 7, 5, 9).unwrap();
        for text in [
            "2024-03-10T07:05:09Z",
            "2024-03-10T07:05:09",
            "2024-03-10T07:05:09.0000000Z",
            "2024-03-10T07:05:09.0000000",
            "2024-03-10T02:05:09-05:00",
            "2024-03-10T02:05:09-0500",
            "2024-03-10T02:05:09-05",
            "2024-03-10 07:05:09",
            "2024-03-10 07:05:09+00:00",
            " 2024-03-10T07:05:09.000Z ",
            "/Date(1710054309000)/",
            "/Date(1710054309000+0100)/",
        ] {
            assert_eq!(parse_datetime(text), Some(expect), "{text}");
        }
        let minutes = Utc.with_ymd_and_hms(2024, 3, 10, 7, 5, 0).unwrap();
        for text in [
            "2024-03-10T07:05Z",
            "2024-03-10T07:05",
            "2024-03-10T02:05-05:00",
        ] {
            assert_eq!(parse_datetime(text), Some(minutes), "{text}");
        }
        assert_eq!(
            parse_datetime("2024-03-10"),
            Some(Utc.with_ymd_and_hms(2024, 3, 10, 0, 0, 0).unwrap())
        );
        assert_eq!(
            parse_datetime("/Date(-1000)/"),
            Some(Utc.with_ymd_and_hms(1969, 12, 31, 23, 59, 59).unwrap())
        );
    }

    #[test]
    fn keeps_up_to_nine_fractional_digits() {
        let dt = parse_datetime("2024-03-10T07:05:09.1234567Z").unwrap();
        assert_eq!(dt.nanosecond(), 123_456_700);
        let dt = parse_datetime("2024-03-10T07:05:09.1234567").unwrap();
        assert_eq!(dt.nanosecond(), 123_456_700);
        let dt = parse_datetime("2024-03-10T07:05:09.123456789123+01:00").unwrap();
        assert_eq!(dt.nanosecond(), 123_456_789);
        assert_eq!(dt.hour(), 6);
    }

    #[test]
    fn rejects_garbage() {
        for text in [
            "n/a",
            "2024-13-45T00:00:00Z",
            "2024-03-10T07:05:09.Z",
            "2024-03-10T07:05:09+5",
            "/Date(abc)/",
            "",
        ] {
            assert_eq!(parse_datetime(text), None, "{text}");
        }
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(
            parse_date("2024-03-10T00:00:00Z"),
            NaiveDate::from_ymd_opt(2024, 3, 10)
        );
        assert_eq!(
            parse_date("/Date(1710054309000)/"),
            NaiveDate::from_ymd_opt(2024, 3, 10)
        );
    }

    #[derive(Deserialize)]
    struct Rec {
        #[serde(default, deserialize_with = "option_datetime")]
        at: Option<DateTime>,
        #[serde(default, deserialize_with = "option_date")]
        on: Option<Date>,
        name: String,
    }

    #[derive(Deserialize)]
    struct Required {
        #[serde(deserialize_with = "datetime")]
        at: DateTime,
        #[serde(deserialize_with = "date")]
        on: Date,
    }

    #[test]
    fn malformed_optional_values_do_not_fail_the_record() {
        let rec: Rec = serde_json::from_str(r#"{"at":"garbage","on":"nope","name":"x"}"#).unwrap();
        assert_eq!(rec.at, None);
        assert_eq!(rec.on, None);
        assert_eq!(rec.name, "x");
        let rec: Rec = serde_json::from_str(r#"{"at":null,"name":"y"}"#).unwrap();
        assert_eq!(rec.at, None);
        // Not text at all: a number, a boolean, a list, an object (the typing rules).
        let rec: Rec =
            serde_json::from_str(r#"{"at":1710054300000,"on":true,"name":"n"}"#).unwrap();
        assert_eq!((rec.at, rec.on, rec.name.as_str()), (None, None, "n"));
        let rec: Rec =
            serde_json::from_str(r#"{"at":[1,{"a":2}],"on":{"d":[3]},"name":"m"}"#).unwrap();
        assert_eq!((rec.at, rec.on, rec.name.as_str()), (None, None, "m"));
        let rec: Rec = serde_json::from_str(r#"{"at":"2024-01-01T00:00:00","name":"z"}"#).unwrap();
        assert_eq!(
            rec.at,
            Some(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap())
        );
        // From a `serde_json::Value` too (owned strings).
        let rec: Rec = serde_json::from_value(
            serde_json::json!({"at": "2024-01-01T00:00Z", "on": "2024-01-02", "name": "v"}),
        )
        .unwrap();
        assert!(rec.at.is_some() && rec.on.is_some());
    }

    #[test]
    fn required_values_fail_with_the_text() {
        let ok: Required =
            serde_json::from_str(r#"{"at":"2024-01-01T00:00:00Z","on":"2024-01-01"}"#).unwrap();
        assert_eq!(ok.on, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
        assert_eq!(ok.at, Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap());
        let err = serde_json::from_str::<Required>(r#"{"at":"soon","on":"2024-01-01"}"#)
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .contains("`soon` is not an ISO-8601 date-time"),
            "{err}"
        );
        assert!(serde_json::from_str::<Required>(r#"{"at":null,"on":"2024-01-01"}"#).is_err());
    }
}
