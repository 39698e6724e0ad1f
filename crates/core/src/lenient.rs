//! Deserializers that accept what the ServiceTitan API really sends, used by generated models.
//!
//! The API's date-times are ISO-8601 in UTC, but in practice they come with 0 to 7 fractional
//! digits (.NET's `DateTime`), with `Z`, with an offset, or with no offset at all. All of these
//! are accepted here; a value without offset is read as UTC.
//!
//! **Malformed values.** Response fields are optional in the generated models (the API sends
//! `null` where the spec promises a value), and an optional date field whose value cannot be read
//! at all (`"0001-13-45"`, `"n/a"`) becomes `None`, with a `WARN` event on the
//! `servicetitan::lenient` target naming the raw value. The rest of the record, and of the page,
//! is kept. A required date field (request models, identifiers) still fails to deserialize.

use crate::types::{Date, DateTime};
use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer};

/// Parses an API date-time leniently. Returns `None` when the text is not a date-time.
pub fn parse_datetime(text: &str) -> Option<DateTime> {
    let text = text.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&Utc));
    }
    // Offsets without a colon (`+0000`) and a space instead of `T`.
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
    ] {
        if let Ok(dt) = chrono::DateTime::parse_from_str(text, fmt) {
            return Some(dt.with_timezone(&Utc));
        }
    }
    // No offset: the API's documented zone is UTC.
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, fmt) {
            return Some(Utc.from_utc_datetime(&naive));
        }
    }
    // A bare date: midnight UTC.
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|naive| Utc.from_utc_datetime(&naive))
}

/// Parses an API date leniently: `2024-03-10`, or a date-time whose date part is taken.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .or_else(|| {
            text.get(..10)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        })
}

/// Deserializes a required date-time leniently (fails on malformed text).
pub fn datetime<'de, D: Deserializer<'de>>(de: D) -> Result<DateTime, D::Error> {
    let text = String::deserialize(de)?;
    parse_datetime(&text)
        .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not an ISO-8601 date-time")))
}

/// Deserializes an optional date-time leniently; malformed text becomes `None` (with a warning).
pub fn option_datetime<'de, D: Deserializer<'de>>(de: D) -> Result<Option<DateTime>, D::Error> {
    let text = Option::<String>::deserialize(de)?;
    Ok(text.and_then(|text| {
        let parsed = parse_datetime(&text);
        if parsed.is_none() && !text.trim().is_empty() {
            tracing::warn!(target: "servicetitan::lenient", raw = %text, "unreadable date-time in response; field read as None");
        }
        parsed
    }))
}

/// Deserializes a required date leniently (fails on malformed text).
pub fn date<'de, D: Deserializer<'de>>(de: D) -> Result<Date, D::Error> {
    let text = String::deserialize(de)?;
    parse_date(&text)
        .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not an ISO-8601 date")))
}

/// Deserializes an optional date leniently; malformed text becomes `None` (with a warning).
pub fn option_date<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Date>, D::Error> {
    let text = Option::<String>::deserialize(de)?;
    Ok(text.and_then(|text| {
        let parsed = parse_date(&text);
        if parsed.is_none() && !text.trim().is_empty() {
            tracing::warn!(target: "servicetitan::lenient", raw = %text, "unreadable date in response; field read as None");
        }
        parsed
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

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
            "2024-03-10 07:05:09",
            " 2024-03-10T07:05:09.000Z ",
        ] {
            assert_eq!(parse_datetime(text), Some(expect), "{text}");
        }
    }

    #[test]
    fn keeps_seven_fractional_digits() {
        let dt = parse_datetime("2024-03-10T07:05:09.1234567Z").unwrap();
        assert_eq!(dt.nanosecond(), 123_456_700);
        let dt = parse_datetime("2024-03-10T07:05:09.1234567").unwrap();
        assert_eq!(dt.nanosecond(), 123_456_700);
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse_datetime("n/a"), None);
        assert_eq!(parse_datetime("2024-13-45T00:00:00Z"), None);
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(
            parse_date("2024-03-10T00:00:00Z"),
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

    #[test]
    fn malformed_optional_values_do_not_fail_the_record() {
        let rec: Rec = serde_json::from_str(r#"{"at":"garbage","on":"nope","name":"x"}"#).unwrap();
        assert_eq!(rec.at, None);
        assert_eq!(rec.on, None);
        assert_eq!(rec.name, "x");
        let rec: Rec = serde_json::from_str(r#"{"at":null,"name":"y"}"#).unwrap();
        assert_eq!(rec.at, None);
        let rec: Rec = serde_json::from_str(r#"{"at":"2024-01-01T00:00:00","name":"z"}"#).unwrap();
        assert_eq!(
            rec.at,
            Some(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap())
        );
    }
}
