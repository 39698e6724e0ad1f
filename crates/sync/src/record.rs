//! One record as received → a row: its key, one cell per typed column, the raw JSON untouched.
//!
//! Only the record's top level is parsed, into borrowed raw values: numbers keep the API's digits
//! (money is never an `f64`), nested objects and arrays are stored as the exact text received. A
//! value a typed column cannot hold (a string where the spec says integer, an odd date) leaves
//! the cell NULL — the `_raw` column still has it. A record without a usable key cannot be
//! stored as a row and becomes a failure.

use crate::catalog::{ColumnType, Entity};
use chrono::SecondsFormat;
use serde_json::value::RawValue;
use servicetitan_core::lenient::dates::{parse_date, parse_datetime};
use std::collections::HashMap;

/// A typed cell's value (decimals, dates, timestamps and JSON as normalized text).
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// No value (JSON null, absent, or not representable in the column's type).
    Null,
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// Text: a string, a decimal's digits, an RFC 3339 UTC timestamp, a date, or JSON.
    Text(String),
}

impl Cell {
    /// The cell as text (for PostgreSQL's text COPY); `None` for null.
    pub fn to_text(&self) -> Option<String> {
        match self {
            Cell::Null => None,
            Cell::Int(i) => Some(i.to_string()),
            Cell::Bool(b) => Some(b.to_string()),
            Cell::Text(t) => Some(t.clone()),
        }
    }
}

/// A record ready to be written.
#[derive(Clone, Debug)]
pub struct Row {
    /// The key (`id`, or the key properties joined with `:`).
    pub key: Cell,
    /// One cell per column of [`Entity::columns`], in order.
    pub cells: Vec<Cell>,
    /// `modifiedOn`, normalized, when the entity has it.
    pub modified_on: Option<String>,
    /// The record exactly as received.
    pub raw: String,
}

/// A record that could not be made a row, with why.
#[derive(Clone, Debug)]
pub struct Failed {
    /// The record exactly as received.
    pub raw: String,
    /// Why it could not be stored as a row.
    pub reason: String,
}

/// Timestamps are stored as fixed-width UTC text (nanoseconds, `Z`) so that text order is time
/// order in SQLite.
pub fn timestamp_text(text: &str) -> Option<String> {
    parse_datetime(text).map(|t| t.to_rfc3339_opts(SecondsFormat::Nanos, true))
}

/// Reads one record of `entity`.
pub fn read(entity: &Entity, raw: &RawValue) -> Result<Row, Failed> {
    let text = raw.get();
    let fail = |reason: String| Failed {
        raw: text.to_owned(),
        reason,
    };
    let fields: HashMap<String, &RawValue> = serde_json::from_str(text).map_err(|e| {
        fail(format!(
            "{}: the record is not a JSON object ({e})",
            entity.name
        ))
    })?;
    let cells: Vec<Cell> = entity
        .columns
        .iter()
        .map(|c| fields.get(c.api_name).map_or(Cell::Null, |v| cell(c.ty, v)))
        .collect();
    let key = key(entity, &fields).map_err(fail)?;
    let modified_on = entity
        .modified_on()
        .and_then(|c| fields.get(c.api_name))
        .and_then(|v| serde_json::from_str::<&str>(v.get()).ok())
        .and_then(timestamp_text);
    Ok(Row {
        key,
        cells,
        modified_on,
        raw: text.to_owned(),
    })
}

fn key(entity: &Entity, fields: &HashMap<String, &RawValue>) -> Result<Cell, String> {
    let mut parts = Vec::with_capacity(entity.key.len());
    for name in entity.key {
        let value = fields.get(*name).map(|v| v.get().trim());
        let part = match value {
            Some(v) if v.parse::<i64>().is_ok() => v.to_owned(),
            Some(v) if v.starts_with('"') => serde_json::from_str::<String>(v)
                .ok()
                .filter(|s| !s.is_empty() && !s.contains('\0'))
                .ok_or_else(|| format!("{}: its key {name} is {v}", entity.name))?,
            Some(v) => return Err(format!("{}: its key {name} is {v}, not an id", entity.name)),
            None => return Err(format!("{}: the record has no {name}", entity.name)),
        };
        parts.push(part);
    }
    if let [only] = parts.as_slice() {
        if entity.key == ["id"] {
            if let Ok(i) = only.parse::<i64>() {
                let integer = entity
                    .columns
                    .iter()
                    .any(|c| c.api_name == "id" && c.ty == ColumnType::Integer);
                if integer {
                    return Ok(Cell::Int(i));
                }
            }
            return Ok(Cell::Text(only.clone()));
        }
    }
    Ok(Cell::Text(parts.join(":")))
}

fn cell(ty: ColumnType, value: &RawValue) -> Cell {
    let text = value.get().trim();
    if text == "null" {
        return Cell::Null;
    }
    let string = || serde_json::from_str::<String>(text).ok();
    let clean = |s: String| (!s.contains('\0')).then_some(Cell::Text(s));
    let cell = match ty {
        ColumnType::Integer => text.parse::<i64>().ok().map(Cell::Int),
        ColumnType::Boolean => match text {
            "true" => Some(Cell::Bool(true)),
            "false" => Some(Cell::Bool(false)),
            _ => None,
        },
        // The API's digits, exactly: a JSON number is copied, never parsed into a float.
        // Money sent as a string ("803.77") is taken as sent when it is a number.
        ColumnType::Decimal => match string() {
            Some(s) => is_json_number(&s).then_some(Cell::Text(s)),
            None => is_json_number(text).then(|| Cell::Text(text.to_owned())),
        },
        ColumnType::Timestamp => string().and_then(|s| timestamp_text(&s)).map(Cell::Text),
        ColumnType::Date => string()
            .and_then(|s| parse_date(&s))
            .map(|d| Cell::Text(d.to_string())),
        // Enums that arrive as integers (seen in the field) keep their text.
        ColumnType::Text => match string() {
            Some(s) => clean(s),
            None if !text.starts_with(['{', '[']) => Some(Cell::Text(text.to_owned())),
            None => None,
        },
        ColumnType::Json => clean(text.to_owned()),
    };
    cell.unwrap_or(Cell::Null)
}

fn is_json_number(text: &str) -> bool {
    let body = text.strip_prefix('-').unwrap_or(text);
    body.starts_with(|c: char| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
}

/// Keeps one row per key: the one with the newest `modifiedOn` (the later one on a tie), so a
/// batch never touches a key twice (PostgreSQL refuses that in one upsert).
pub fn dedupe(rows: Vec<Row>) -> Vec<Row> {
    let mut at: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    let mut out: Vec<Row> = Vec::with_capacity(rows.len());
    for row in rows {
        let k = row.key.to_text().unwrap_or_default();
        match at.get(&k) {
            Some(&i) if out[i].modified_on > row.modified_on => {}
            Some(&i) => out[i] = row,
            None => {
                at.insert(k, out.len());
                out.push(row);
            }
        }
    }
    out
}
