//! [`ParamValue`]: a typed report parameter value, and its conversions from Rust values.

use chrono::{NaiveDate, NaiveTime};
use serde_json::{Number, Value};
use std::fmt;

use super::{DATE_FORMAT, TIME_FORMAT};

/// A typed parameter value: text, a number, a boolean, a date, a time, or an array of those.
///
/// Built with `From`/`Into` from `&str`/`String`, the integer and float types, `bool`,
/// [`NaiveDate`], [`NaiveTime`], and `Vec`s, slices or arrays of any of them.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamValue(pub(super) Repr);

/// What a value is; read by the validation (`super::validate`).
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Repr {
    String(String),
    Number(Number),
    /// NaN or an infinity: no JSON number; refused by validation.
    NonFinite(f64),
    Boolean(bool),
    Date(NaiveDate),
    Time(NaiveTime),
    Array(Vec<ParamValue>),
}

impl ParamValue {
    /// An array value from any iterator of values.
    pub fn array<T: Into<ParamValue>>(items: impl IntoIterator<Item = T>) -> Self {
        ParamValue(Repr::Array(items.into_iter().map(Into::into).collect()))
    }

    /// `true` for an array value.
    pub fn is_array(&self) -> bool {
        matches!(self.0, Repr::Array(_))
    }

    /// What kind of value this is, as the API names data types (`String`, `Number`, `Boolean`,
    /// `Date`, `Time`), or `array`.
    pub fn kind(&self) -> &'static str {
        match self.0 {
            Repr::String(_) => "String",
            Repr::Number(_) | Repr::NonFinite(_) => "Number",
            Repr::Boolean(_) => "Boolean",
            Repr::Date(_) => "Date",
            Repr::Time(_) => "Time",
            Repr::Array(_) => "array",
        }
    }

    /// The value as JSON, without checking it against a parameter (dates as `YYYY-MM-DD`, times
    /// as `HH:MM:SS`; a non-finite number becomes `null`).
    pub fn to_json(&self) -> Value {
        match &self.0 {
            Repr::String(s) => Value::String(s.clone()),
            Repr::Number(n) => Value::Number(n.clone()),
            Repr::NonFinite(_) => Value::Null,
            Repr::Boolean(b) => Value::Bool(*b),
            Repr::Date(d) => Value::String(d.format(DATE_FORMAT).to_string()),
            Repr::Time(t) => Value::String(t.format(TIME_FORMAT).to_string()),
            Repr::Array(items) => Value::Array(items.iter().map(ParamValue::to_json).collect()),
        }
    }

    /// A short rendering for error messages.
    pub(super) fn shown(&self) -> String {
        match &self.0 {
            Repr::NonFinite(f) => f.to_string(),
            _ => self.to_json().to_string(),
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown())
    }
}

impl From<&str> for ParamValue {
    fn from(v: &str) -> Self {
        ParamValue(Repr::String(v.to_owned()))
    }
}
impl From<String> for ParamValue {
    fn from(v: String) -> Self {
        ParamValue(Repr::String(v))
    }
}
impl From<&String> for ParamValue {
    fn from(v: &String) -> Self {
        ParamValue(Repr::String(v.clone()))
    }
}
impl From<bool> for ParamValue {
    fn from(v: bool) -> Self {
        ParamValue(Repr::Boolean(v))
    }
}
impl From<NaiveDate> for ParamValue {
    fn from(v: NaiveDate) -> Self {
        ParamValue(Repr::Date(v))
    }
}
impl From<NaiveTime> for ParamValue {
    fn from(v: NaiveTime) -> Self {
        ParamValue(Repr::Time(v))
    }
}
impl From<Number> for ParamValue {
    fn from(v: Number) -> Self {
        ParamValue(Repr::Number(v))
    }
}
macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for ParamValue {
            fn from(v: $t) -> Self {
                ParamValue(Repr::Number(Number::from(v)))
            }
        }
    )*};
}
from_integer!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);
impl From<f64> for ParamValue {
    fn from(v: f64) -> Self {
        ParamValue(Number::from_f64(v).map_or(Repr::NonFinite(v), Repr::Number))
    }
}
impl From<f32> for ParamValue {
    fn from(v: f32) -> Self {
        f64::from(v).into()
    }
}
impl<T: Into<ParamValue>> From<Vec<T>> for ParamValue {
    fn from(v: Vec<T>) -> Self {
        ParamValue::array(v)
    }
}
impl<T: Into<ParamValue> + Clone> From<&[T]> for ParamValue {
    fn from(v: &[T]) -> Self {
        ParamValue::array(v.iter().cloned())
    }
}
impl<T: Into<ParamValue>, const N: usize> From<[T; N]> for ParamValue {
    fn from(v: [T; N]) -> Self {
        ParamValue::array(v)
    }
}
