//! Deserializers that accept what the ServiceTitan API really sends, used by generated models.
//!
//! The post-processor of the code generator attaches these to the fields of generated models
//! (`#[serde(deserialize_with = …)]`), by field type:
//!
//! | field type | reads |
//! |---|---|
//! | `DateTime`, `Option<DateTime>` | ISO-8601 with 0–9 fractional digits, `Z`, an offset or none (UTC), minutes without seconds, a bare date, .NET's `/Date(ms)/` ([`dates`]) |
//! | `Date`, `Option<Date>` | `2024-03-10`, or the date part of a date-time |
//! | `Decimal`, `Option<Decimal>` | the JSON number's own digits, never through `f64` ([`mod@decimal`]) |
//! | `Vec<T>` | `null` as an empty list ([`null_as_default`]) |
//! | open enums | a string, or any other JSON value kept as its text ([`enum_text`]) |
//!
//! **Malformed values.** Response fields are optional in the generated models (the API sends
//! `null` where the spec promises a value), and an optional date field whose value cannot be read
//! at all (`"0001-13-45"`, `"n/a"`) becomes `None`, with a `WARN` event on the
//! `servicetitan::lenient` target naming the raw value. The rest of the record, and of the page,
//! is kept. A required date field (request models, identifiers) still fails to deserialize.

pub mod dates;
pub mod decimal;

pub use dates::{date, datetime, option_date, option_datetime, parse_date, parse_datetime};
pub use decimal::{
    decimal, option_decimal, parse_decimal, serialize_decimal, serialize_option_decimal,
};

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

/// Reads `null` (or a missing field, with `#[serde(default)]`) as `T::default()`: a list the API
/// sends as `null` reads as an empty list instead of failing the record.
pub fn null_as_default<'de, D, T>(de: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(de)?.unwrap_or_default())
}

/// Reads the value of an open enum as text: a string as it is; a number, a boolean or any other
/// JSON value (seen from the API where a spec promised an enum string) as its JSON text, so it
/// becomes the enum's `Unknown` value instead of failing the record.
pub fn enum_text<'de, D: Deserializer<'de>>(de: D) -> Result<String, D::Error> {
    de.deserialize_any(EnumText)
}

struct EnumText;

impl<'de> Visitor<'de> for EnumText {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an enum value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok("null".into())
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<String, A::Error> {
        let value = serde_json::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        Ok(value.to_string())
    }
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<String, A::Error> {
        let value = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    struct Rec {
        #[serde(default, deserialize_with = "null_as_default")]
        tags: Vec<i64>,
        #[serde(deserialize_with = "enum_text")]
        kind: String,
    }

    #[test]
    fn null_lists_read_as_empty_and_odd_enum_values_as_text() {
        let rec: Rec = serde_json::from_str(r#"{"tags": null, "kind": 3}"#).unwrap();
        assert!(rec.tags.is_empty());
        assert_eq!(rec.kind, "3");
        let rec: Rec = serde_json::from_str(r#"{"kind": {"a": [1, true]}}"#).unwrap();
        assert!(rec.tags.is_empty(), "missing list");
        assert_eq!(rec.kind, r#"{"a":[1,true]}"#);
        let rec: Rec = serde_json::from_str(r#"{"tags": [5000000000], "kind": "Done"}"#).unwrap();
        assert_eq!(rec.tags, [5_000_000_000]);
        assert_eq!(rec.kind, "Done");
        let rec: Rec = serde_json::from_str(r#"{"kind": 1.5}"#).unwrap();
        assert_eq!(rec.kind, "1.5");
    }
}
