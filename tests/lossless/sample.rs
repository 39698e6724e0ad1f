//! Realistic responses for a schema, shaped the way the API is known to drift.
//!
//! Two samples per operation: **full** — every field present, plus an unknown field in every
//! object, unlisted enum values (alternating with listed ones, inside arrays too), date-times in
//! every shape the API sends, decimals with many digits, integers beyond 2^31 — and **nulls** —
//! `null` in every field but `id`, lists included.

use super::json::J;
use serde_json::Value;

const DATE_TIMES: [&str; 7] = [
    "2024-03-10T07:05:09.1234567Z",
    "2024-03-10T07:05Z",
    "/Date(1710054300000)/",
    "2024-03-10T02:05:09-05:00",
    "2024-03-10 07:05:09",
    "2024-03-10T07:05:09",
    "2024-03-10T07:05:09.123+0100",
];
const DECIMALS: [&str; 6] = [
    "33.333333333333333333333333333",
    "1234567890123.4567",
    "100",
    "0.0000001",
    "-12.50",
    "79228162514264337593543950335",
];
/// Beyond this depth (recursive models) lists are sent empty and objects with their `id` only.
const MAX_DEPTH: usize = 6;
/// Prefix of the fields no spec knows.
pub const UNKNOWN_PREFIX: &str = "zzUnknown";
/// An enum value no spec lists.
pub const UNLISTED: &str = "ZzUnlistedValue";

/// Generates samples from a normalized document's schemas.
pub struct Sampler<'a> {
    doc: &'a Value,
    /// `null` in every field but `id`.
    pub nulls: bool,
    counter: u64,
}

impl<'a> Sampler<'a> {
    pub fn new(doc: &'a Value, nulls: bool) -> Self {
        Sampler {
            doc,
            nulls,
            counter: 0,
        }
    }

    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    fn resolve(&self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..16 {
            if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
                let name = r.trim_start_matches("#/components/schemas/");
                match self
                    .doc
                    .pointer("/components/schemas")
                    .and_then(|s| s.get(name))
                {
                    Some(s) => schema = s,
                    None => return schema,
                }
            } else if let Some(Value::Array(all)) = schema.get("allOf") {
                match all.first() {
                    Some(first) if all.len() == 1 => schema = first,
                    _ => return schema,
                }
            } else {
                return schema;
            }
        }
        schema
    }

    /// A sample for `schema`, the value of property `prop` (`""` at the top).
    pub fn sample(&mut self, schema: &'a Value, prop: &str, depth: usize) -> J {
        let s = self.resolve(schema);
        if let Some(path) = s.pointer("/x-rust-type/path").and_then(Value::as_str) {
            let n = self.next() as usize;
            return match path.rsplit("::").next().unwrap_or_default() {
                "Decimal" => J::Num(DECIMALS[n % DECIMALS.len()].into()),
                "DateTime" => J::Str(DATE_TIMES[n % DATE_TIMES.len()].into()),
                "Date" => J::Str("2024-03-10".into()),
                "Records" => match s.pointer("/x-rust-type/parameters/0") {
                    Some(item) => self.list(item, depth),
                    None => J::Arr(vec![]),
                },
                other => panic!("no sample for x-rust-type {other}"),
            };
        }
        if let Some(Value::Array(values)) = s.get("enum") {
            let n = self.next();
            return match values.first() {
                Some(Value::String(known)) if n.is_multiple_of(2) => J::Str(known.clone()),
                Some(Value::String(_)) => J::Str(UNLISTED.into()),
                Some(Value::Number(_)) => J::Num((5_000_000_000 + n).to_string()),
                _ => J::Null,
            };
        }
        match s.get("type").and_then(Value::as_str) {
            Some("object") => self.object(s, depth),
            None if s.get("properties").is_some() => self.object(s, depth),
            Some("array") => match s.get("items") {
                Some(items) => self.list(items, depth),
                None => J::Arr(vec![]),
            },
            Some("string") => J::Str(if prop == "id" {
                format!("id-{}", self.next())
            } else {
                format!("text of {prop} ✓ \"quoted\"")
            }),
            Some("integer") => {
                let n = self.next();
                let base: u64 = if prop == "id" {
                    9_000_000_000
                } else {
                    5_000_000_000
                };
                J::Num((base + n).to_string())
            }
            Some("number") => J::Num("12.5".into()),
            Some("boolean") => J::Bool(true),
            _ => J::Obj(vec![(
                "any".into(),
                J::Arr(vec![J::Num("1".into()), J::Str("two".into())]),
            )]),
        }
    }

    fn list(&mut self, items: &'a Value, depth: usize) -> J {
        if depth > MAX_DEPTH {
            return J::Arr(vec![]);
        }
        J::Arr(vec![
            self.sample(items, "", depth + 1),
            self.sample(items, "", depth + 1),
        ])
    }

    fn object(&mut self, s: &'a Value, depth: usize) -> J {
        let mut fields = Vec::new();
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            for (name, schema) in props {
                let value = if name != "id" && (self.nulls || depth > MAX_DEPTH) {
                    J::Null
                } else {
                    self.sample(schema, name, depth + 1)
                };
                fields.push((name.clone(), value));
            }
        } else if let Some(values) = s.get("additionalProperties").filter(|v| v.is_object()) {
            let value = self.sample(values, "", depth + 1);
            fields.push(("someKey".into(), value));
        }
        fields.push((
            format!("{UNKNOWN_PREFIX}Field"),
            J::Obj(vec![(
                "nested".into(),
                J::Arr(vec![J::Num("1".into()), J::Str("x".into()), J::Null]),
            )]),
        ));
        J::Obj(fields)
    }
}
