//! Money read and written digit for digit.
//!
//! serde_json hands numbers to a `Deserialize` impl as `f64` (or `i64`/`u64`), so a decimal read
//! the ordinary way goes through a float: `33.333333333333333333333333333` would read as
//! `33.333333333333336`. serde_json's `arbitrary_precision` feature would fix that, but it is
//! workspace-wide (every crate's `serde_json::Value` changes) and breaks numbers inside
//! `#[serde(flatten)]` and untagged types. Instead these functions ask serde_json for the
//! number's **raw text** through its `RawValue` protocol (the `raw_value` feature, already on)
//! and parse the digits with [`rust_decimal`] — no float, no allocation for the text when the
//! input is borrowed. Other deserializers (a `serde_json::Value`, serde's buffered content for
//! flattened types, other formats) fall back to the number they offer.
//!
//! Up to rust_decimal's 28–29 significant digits are exact; more fractional digits are rounded
//! (half to even) to fit; an integer part beyond ±7.9·10²⁸ is an error (the record fails, see
//! [`crate::records`]). A number sent as a string (`"12.50"`) is read too.
//!
//! Writing goes the same way back: through serde_json the decimal is written as a JSON number
//! with exactly its digits (`100` stays `100`, `0.0000001` stays `0.0000001`, `12.50` keeps its
//! scale); through any other serializer it is written as a string.

use crate::types::Decimal;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::Serializer;
use std::fmt;

/// serde_json's (stable since 1.0.29, but private) name for its raw-value protocol.
const RAW_TOKEN: &str = "$serde_json::private::RawValue";

/// Parses a decimal from JSON number text (`12.5`, `-3`, `1e-7`, `1.5E+3`) or a quoted string.
pub fn parse_decimal(text: &str) -> Result<Decimal, String> {
    let t = text.trim();
    let t = t
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(t)
        .trim();
    let parsed = if t.contains(['e', 'E']) {
        Decimal::from_scientific(t).map_err(|e| e.to_string())
    } else {
        t.parse::<Decimal>().map_err(|e| e.to_string())
    };
    parsed.map_err(|e| format!("`{text}` is not a decimal that fits 96 bits ({e})"))
}

struct DecimalVisitor;

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Option<Decimal>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal number")
    }
    /// serde_json's raw value: one entry, the number's text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Decimal>, A::Error> {
        match map.next_key::<RawKey>()? {
            Some(RawKey(true)) => map.next_value_seed(RawText),
            _ => Err(de::Error::custom("expected a decimal, found an object")),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<Decimal>, E> {
        if v.trim().is_empty() {
            return Ok(None);
        }
        parse_decimal(v).map(Some).map_err(E::custom)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<Decimal>, E> {
        Ok(Some(Decimal::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<Decimal>, E> {
        Ok(Some(Decimal::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<Decimal>, E> {
        // Only reached when the text is gone (a `Value`, buffered content): the shortest text
        // that reads back as this float is the best there is.
        let text = serde_json::Number::from_f64(v)
            .ok_or_else(|| E::custom(format!("{v} is not a decimal")))?
            .to_string();
        parse_decimal(&text).map(Some).map_err(E::custom)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<Decimal>, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Option<Decimal>, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Option<Decimal>, D::Error> {
        de.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        de: D,
    ) -> Result<Option<Decimal>, D::Error> {
        de.deserialize_any(self)
    }
}

/// Whether a map key is serde_json's raw-value marker.
struct RawKey(bool);

impl<'de> de::Deserialize<'de> for RawKey {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<RawKey, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawKey;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawKey, E> {
                Ok(RawKey(v == RAW_TOKEN))
            }
        }
        de.deserialize_identifier(V)
    }
}

/// The text of a raw value, borrowed or owned.
struct RawText;

impl<'de> de::DeserializeSeed<'de> for RawText {
    type Value = Option<Decimal>;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Option<Decimal>, D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for RawText {
    type Value = Option<Decimal>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON number's text")
    }
    fn visit_str<E: de::Error>(self, raw: &str) -> Result<Option<Decimal>, E> {
        match raw.trim() {
            "null" => Ok(None),
            t if t.starts_with('"') => {
                let s: String = serde_json::from_str(t).map_err(E::custom)?;
                DecimalVisitor.visit_str(&s)
            }
            t => parse_decimal(t).map(Some).map_err(E::custom),
        }
    }
}

/// Deserializes an optional decimal from the number's own digits (`null` is `None`).
pub fn option_decimal<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Decimal>, D::Error> {
    de.deserialize_newtype_struct(RAW_TOKEN, DecimalVisitor)
}

/// Deserializes a required decimal from the number's own digits.
pub fn decimal<'de, D: Deserializer<'de>>(de: D) -> Result<Decimal, D::Error> {
    option_decimal(de)?.ok_or_else(|| de::Error::custom("expected a decimal, found null"))
}

/// Whether `S` is one of serde_json's serializers (which understand raw values).
fn is_serde_json<S>() -> bool {
    std::any::type_name::<S>().contains("serde_json::")
}

/// Serializes a decimal as a JSON number with exactly its digits (a string for other formats).
pub fn serialize_decimal<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    if is_serde_json::<S>() {
        let raw = serde_json::value::RawValue::from_string(value.to_string())
            .map_err(serde::ser::Error::custom)?;
        serde::Serialize::serialize(&raw, serializer)
    } else {
        serializer.collect_str(value)
    }
}

/// [`serialize_decimal`] for an optional field (`None` is `null`).
pub fn serialize_option_decimal<S: Serializer>(
    value: &Option<Decimal>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => serialize_decimal(v, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Deserialize, Serialize, Debug, PartialEq)]
    struct Money {
        #[serde(
            default,
            deserialize_with = "option_decimal",
            serialize_with = "serialize_option_decimal",
            skip_serializing_if = "Option::is_none"
        )]
        total: Option<Decimal>,
        #[serde(deserialize_with = "decimal", serialize_with = "serialize_decimal")]
        price: Decimal,
    }

    fn round_trip(total: &str) -> (Option<Decimal>, String) {
        let text = format!(r#"{{"total":{total},"price":1}}"#);
        let m: Money = serde_json::from_str(&text).unwrap();
        (m.total, serde_json::to_string(&m).unwrap())
    }

    #[test]
    fn digits_survive_reading_and_writing() {
        for digits in [
            "33.333333333333333333333333333",
            "1234567890123.4567",
            "100",
            "100.00",
            "0.0000001",
            "-0.5",
            "79228162514264337593543950335",
            "5000000000",
        ] {
            let (total, written) = round_trip(digits);
            assert_eq!(total.unwrap().to_string(), digits);
            assert_eq!(written, format!(r#"{{"total":{digits},"price":1}}"#));
        }
    }

    #[test]
    fn other_spellings_and_sources() {
        assert_eq!(round_trip("1e-7").0.unwrap().to_string(), "0.0000001");
        assert_eq!(round_trip("1.5E+3").0.unwrap(), Decimal::from(1500));
        assert_eq!(round_trip(r#""12.50""#).0.unwrap().to_string(), "12.50");
        assert_eq!(round_trip("null").0, None);
        // A reader stream (owned raw text) and a `serde_json::Value` (float) work too.
        let m: Money =
            serde_json::from_reader(&br#"{"total": 0.1234567890123456789, "price": 2}"#[..])
                .unwrap();
        assert_eq!(m.total.unwrap().to_string(), "0.1234567890123456789");
        let m: Money =
            serde_json::from_value(serde_json::json!({"total": 0.1, "price": 3})).unwrap();
        assert_eq!(m.total.unwrap().to_string(), "0.1");
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v, serde_json::json!({"total": 0.1, "price": 3}));
    }

    #[test]
    fn too_big_or_not_a_number_is_an_error() {
        let err = serde_json::from_str::<Money>(r#"{"price": 1e40}"#).unwrap_err();
        assert!(err.to_string().contains("`1e40` is not a decimal"), "{err}");
        assert!(serde_json::from_str::<Money>(r#"{"price": null}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"price": true}"#).is_err());
    }

    #[test]
    fn more_fractional_digits_than_fit_are_rounded() {
        let (total, _) = round_trip("0.12345678901234567890123456789012");
        assert_eq!(total.unwrap().to_string(), "0.1234567890123456789012345679");
    }
}
