//! Request bodies read the way ASP.NET's model binding reads them, before the schema check:
//! lenient where it is (`"false"` for a boolean, `"12"` or `2762.0` for an integer, `"1.5"` for a
//! number — the value is stored converted), strict where it is (an integer beyond int32/int64,
//! a date, date-time or time of day that does not exist: `2024-02-30`, `12:99`). A value
//! that cannot be bound is a 400 naming the field, as the API answers.

use crate::spec::Module;
use crate::validate::FieldErrors;
use serde_json::{json, Number, Value};

/// Converts what binding converts in `value` (read against `schema`), noting what it refuses.
pub fn bind(module: &Module, schema: &Value, value: &mut Value, errors: &mut FieldErrors) {
    walk(module, schema, value, "", errors, 0);
}

fn note(errors: &mut FieldErrors, field: &str, message: String) {
    let entry = errors
        .entry(if field.is_empty() { "$" } else { field }.to_string())
        .or_insert_with(|| json!([]));
    if let Value::Array(list) = entry {
        list.push(Value::String(message));
    }
}

/// The schema behind `$ref`s and single-entry `allOf`/`oneOf`/`anyOf` wrappers.
fn resolve<'a>(module: &'a Module, mut schema: &'a Value) -> &'a Value {
    for _ in 0..16 {
        if let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            match module.schemas.get(name) {
                Some(s) => schema = s,
                None => return schema,
            }
            continue;
        }
        let single = ["allOf", "oneOf", "anyOf"].iter().find_map(|k| {
            let list = schema.get(*k)?.as_array()?;
            let non_null: Vec<&Value> = list
                .iter()
                .filter(|s| s.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            (non_null.len() == 1).then(|| non_null[0])
        });
        match single {
            Some(s) if schema.get("properties").is_none() => schema = s,
            _ => return schema,
        }
    }
    schema
}

/// The schema's type other than `null`.
fn kind(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(t) => Some(t),
        Value::Array(list) => list.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

fn child(field: &str, key: &str) -> String {
    if field.is_empty() {
        key.to_string()
    } else {
        format!("{field}.{key}")
    }
}

fn walk(
    module: &Module,
    schema: &Value,
    value: &mut Value,
    field: &str,
    errors: &mut FieldErrors,
    depth: u32,
) {
    if depth > 32 || value.is_null() {
        return;
    }
    let schema = resolve(module, schema);
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    match (kind(schema), &mut *value) {
        (Some("object"), Value::Object(map)) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let extra = schema.get("additionalProperties").filter(|a| a.is_object());
            for (key, v) in map.iter_mut() {
                let sub = props
                    .and_then(|p| {
                        p.iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(key))
                            .map(|(_, s)| s)
                    })
                    .or(extra);
                if let Some(sub) = sub {
                    walk(module, sub, v, &child(field, key), errors, depth + 1);
                }
            }
        }
        (Some("array"), Value::Array(list)) => {
            if let Some(items) = schema.get("items") {
                for (i, v) in list.iter_mut().enumerate() {
                    walk(
                        module,
                        items,
                        v,
                        &format!("{field}[{i}]"),
                        errors,
                        depth + 1,
                    );
                }
            }
        }
        (Some("integer"), v) => integer(v, format, field, errors),
        (Some("number"), Value::String(s)) => {
            if let Some(n) = s.parse::<f64>().ok().and_then(Number::from_f64) {
                *value = Value::Number(n);
            }
        }
        (Some("boolean"), Value::String(s)) => match s.to_ascii_lowercase().as_str() {
            "true" => *value = Value::Bool(true),
            "false" => *value = Value::Bool(false),
            _ => {}
        },
        (Some("string"), Value::String(s)) => {
            let bad = match format {
                "date-time" => crate::dates::parse_ticks(s).is_none(),
                "date" => crate::dates::parse_ticks(s).is_none(),
                "duration" | "time" | "time-span" => !crate::dates::is_valid_timespan(s),
                _ => false,
            };
            if bad {
                note(
                    errors,
                    field,
                    format!("The JSON value '{s}' could not be converted to a {format}."),
                );
            }
        }
        _ => {}
    }
}

/// An integer field: strings and whole floats convert; out of range for its format is refused.
fn integer(value: &mut Value, format: &str, field: &str, errors: &mut FieldErrors) {
    let (lo, hi, net) = if format == "int32" {
        (i32::MIN as i128, i32::MAX as i128, "System.Int32")
    } else {
        (i64::MIN as i128, i64::MAX as i128, "System.Int64")
    };
    let n: Option<i128> = match &*value {
        Value::String(s) => match s.parse::<i128>() {
            Ok(n) => Some(n),
            Err(_) => return, // not a number: the schema check names it
        },
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Some(i128::from(i)),
            (None, Some(u), _) => Some(i128::from(u)),
            // An integer literal beyond i64/u64 arrives as a float of magnitude ≥ 2^63:
            // overflow, even where rounding made it look like i64::MIN.
            (None, None, Some(f)) if f.fract() == 0.0 && f.abs() < 9_223_372_036_854_775_808.0 => {
                Some(f as i128)
            }
            (None, None, Some(f)) if f.fract() == 0.0 => Some(i128::MAX),
            _ => return, // a fraction: the schema check names it
        },
        _ => return,
    };
    let Some(n) = n else { return };
    if n < lo || n > hi {
        note(
            errors,
            field,
            format!("The JSON value could not be converted to {net}: {n} is out of range."),
        );
        return;
    }
    *value = Value::Number(Number::from(n as i64));
}
