//! `sort=+Field` / `-Field` (no sign: ascending): the fields an operation documents ("Available
//! fields are: Id, ModifiedOn, CreatedOn"), compared as the response writes them.

use super::call::Call;
use crate::problem::field_error;
use crate::shape::ObjectShape;
use axum::response::Response;
use serde_json::Value;
use std::cmp::Ordering;

/// What a page is ordered by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Order {
    /// By id (the collection's own order), ascending or not.
    Id {
        /// Descending.
        desc: bool,
    },
    /// By a field of the record (index in its properties).
    Field {
        /// Index of the property.
        prop: usize,
        /// Descending.
        desc: bool,
    },
}

/// The fields a `sort` description lists, if it lists any.
pub fn documented(description: &str) -> Option<Vec<String>> {
    let (_, rest) = description.split_once("Available fields are:")?;
    let list = rest.lines().next().unwrap_or(rest);
    Some(
        list.split(',')
            .map(|f| f.trim().trim_end_matches('.').trim().to_string())
            .filter(|f| !f.is_empty())
            .collect(),
    )
}

/// Reads `sort`; an undocumented field is a 400 naming the ones that are.
pub fn order(call: &Call, items: &ObjectShape) -> Result<Order, Response> {
    let Some(raw) = call.query("sort").map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(Order::Id { desc: false });
    };
    let Some(param) = call.op.param("sort", "query") else {
        return Ok(Order::Id { desc: false });
    };
    let (desc, name) = match raw.as_bytes()[0] {
        b'-' => (true, raw[1..].trim()),
        // `+` arrives as a space when a client does not escape it.
        b'+' | b' ' => (false, raw[1..].trim()),
        _ => (false, raw),
    };
    let allowed = documented(&param.description);
    if let Some(list) = &allowed {
        if !list.iter().any(|f| f.eq_ignore_ascii_case(name)) {
            return Err(field_error(
                "sort",
                format!(
                    "The sort field '{name}' is not supported; available fields are: {}.",
                    list.join(", ")
                ),
            ));
        }
    }
    if name.eq_ignore_ascii_case("id") {
        return Ok(Order::Id { desc });
    }
    match items
        .props
        .iter()
        .position(|p| p.name.eq_ignore_ascii_case(name))
    {
        Some(prop) => Ok(Order::Field { prop, desc }),
        None => Err(field_error(
            "sort",
            format!("The sort field '{name}' is not a field of the records listed."),
        )),
    }
}

/// A field's value as written, made comparable: numbers as numbers, the rest as text (dates
/// are written in one format, so text order is time order); `null` first.
#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    /// `null` or missing.
    Null,
    /// A number.
    Number(f64),
    /// A date or date-time (100-ns ticks: fractions written or not compare right).
    Time(i64),
    /// Text (strings, booleans).
    Text(String),
}

impl Key {
    /// The key of a written JSON value.
    pub fn of(json: &str) -> Key {
        match serde_json::from_str::<Value>(json) {
            Ok(Value::Number(n)) => Key::Number(n.as_f64().unwrap_or(0.0)),
            Ok(Value::String(s)) => {
                match looks_like_date(&s).then(|| crate::dates::parse_ticks(&s)) {
                    Some(Some(t)) => Key::Time(t),
                    _ => Key::Text(s),
                }
            }
            Ok(Value::Bool(b)) => Key::Text(b.to_string()),
            Ok(Value::Null) | Err(_) => Key::Null,
            Ok(other) => Key::Text(other.to_string()),
        }
    }
}

fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

fn rank(k: &Key) -> u8 {
    match k {
        Key::Null => 0,
        Key::Number(_) => 1,
        Key::Time(_) => 2,
        Key::Text(_) => 3,
    }
}

/// Total order over keys (numbers never NaN here: JSON has none).
pub fn compare(a: &Key, b: &Key) -> Ordering {
    match (a, b) {
        (Key::Number(x), Key::Number(y)) => x.total_cmp(y),
        (Key::Time(x), Key::Time(y)) => x.cmp(y),
        (Key::Text(x), Key::Text(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}
