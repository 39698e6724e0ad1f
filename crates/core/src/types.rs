//! Rust types the generated models use for the spec's formats.
//!
//! The code generator points typify at these paths (through the `x-rust-type` extension) so every
//! domain crate shares one definition:
//!
//! | spec                                  | Rust                         |
//! |---------------------------------------|------------------------------|
//! | `type: string, format: date-time`     | [`DateTime`] (`chrono::DateTime<Utc>`) |
//! | `type: string, format: date`          | [`Date`] (`chrono::NaiveDate`) |
//! | `type: number, format: decimal`       | [`Decimal`] (`rust_decimal::Decimal`) — money is never `f64` |
//! | a string `enum` value the SDK does not know | [`UnknownValue`] inside the enum's `Unknown` variant |

use std::fmt;

/// An instant, always in UTC. Values the API sends without an offset are read as UTC
/// (see [`crate::lenient`]).
pub type DateTime = chrono::DateTime<chrono::Utc>;

/// A calendar date without time zone.
pub type Date = chrono::NaiveDate;

/// Exact decimal number (money, quantities, rates).
pub use rust_decimal::Decimal;

/// A value of an enum that this version of the SDK does not know.
///
/// ServiceTitan adds enum values without notice; generated enums carry an `Unknown(UnknownValue)`
/// variant so that reading a response never fails over a new value. The value can be read
/// ([`UnknownValue::as_str`]) but not constructed by users: requests can only send the values the
/// spec documents, or send back verbatim a value the server itself returned.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// Wraps a value received from the server. Used by generated deserializers only.
    #[doc(hidden)]
    pub fn from_server(value: String) -> Self {
        UnknownValue(value)
    }

    /// The value exactly as the server sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Error returned when a string is not one of an enum's documented values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {type_name}; expected one of: {expected}")]
pub struct InvalidEnumValue {
    /// The enum's Rust name.
    pub type_name: &'static str,
    /// The rejected input.
    pub value: String,
    /// The documented values, comma separated.
    pub expected: &'static str,
}
