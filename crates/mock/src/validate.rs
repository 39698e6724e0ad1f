//! Requests checked against the spec: required parameters, parameter types and enum values,
//! `page`/`pageSize` bounds, and JSON bodies against the operation's request schema (jsonschema).
//! A violation is a 400 problem naming each field.

use crate::catalog::{self, CompiledModule};
use crate::shape::{Shape, StrFormat};
use crate::spec::{Module, Operation};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Field → messages, the `errors` of a problem body.
pub type FieldErrors = Map<String, Value>;

fn push(errors: &mut FieldErrors, field: &str, message: String) {
    let entry = errors.entry(field.to_string()).or_insert_with(|| json!([]));
    if let Value::Array(list) = entry {
        list.push(Value::String(message));
    }
}

/// Checks path and query parameters; `query` holds every `(name, value)` pair as sent.
pub fn params(
    cm: &CompiledModule,
    op: &Operation,
    path: &HashMap<String, String>,
    query: &[(String, String)],
    max_page_size: u64,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    for p in &op.params {
        let values: Vec<&str> = match p.location.as_str() {
            "path" => path.get(&p.name).map(String::as_str).into_iter().collect(),
            "query" => query
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(&p.name))
                .map(|(_, v)| v.as_str())
                .collect(),
            _ => continue,
        };
        if values.is_empty() {
            if p.required {
                push(
                    &mut errors,
                    &p.name,
                    format!("The {} field is required.", p.name),
                );
            }
            continue;
        }
        let shape = cm.schemas.compile_inline(&cm.module.schemas, &p.schema);
        let shape = match cm.schemas.resolve(&shape) {
            Shape::Array { items, .. } => cm.schemas.resolve(items),
            other => other,
        };
        for v in values {
            if let Err(message) = check_value(shape, v).and_then(|()| in_range(&p.schema, v)) {
                push(
                    &mut errors,
                    &p.name,
                    format!("The value '{v}' is not valid for {}: {message}.", p.name),
                );
            }
        }
    }
    let number = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.parse::<i64>().ok())
    };
    if let Some(param) = op.params.iter().find(|p| p.name == "pageSize") {
        // The parameter's own `maximum` when the spec gives one (report data: 25,000), else
        // the API's general cap.
        let max_page_size = match cm.schemas.compile_inline(&cm.module.schemas, &param.schema) {
            Shape::Int { max: Some(max), .. } if max > 0 => max as u64,
            _ => max_page_size,
        };
        if let Some(size) = number("pageSize") {
            if size < 1 || size as u64 > max_page_size {
                push(
                    &mut errors,
                    "pageSize",
                    format!("The field pageSize must be between 1 and {max_page_size}."),
                );
            }
        }
    }
    let first = op.first_page() as i64;
    if op.has_query("page") && number("page").is_some_and(|p| p < first) {
        push(
            &mut errors,
            "page",
            format!("The field page must be {first} or greater."),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// An integer parameter within its format (`int32`, `int64`) and `minimum`/`maximum`, as
/// ASP.NET binds it (a page number beyond int32 is a 400, not page 28862810045140272).
fn in_range(schema: &Value, v: &str) -> Result<(), String> {
    let Ok(n) = v.trim().parse::<i128>() else {
        return Ok(()); // not an integer: check_value named it, or it is not an integer field
    };
    let (lo, hi) = match schema.get("format").and_then(Value::as_str) {
        Some("int32") => (i128::from(i32::MIN), i128::from(i32::MAX)),
        Some("int64") => (i128::from(i64::MIN), i128::from(i64::MAX)),
        _ => (i128::MIN, i128::MAX),
    };
    let lo = schema
        .get("minimum")
        .and_then(Value::as_i64)
        .map_or(lo, |m| lo.max(i128::from(m)));
    let hi = schema
        .get("maximum")
        .and_then(Value::as_i64)
        .map_or(hi, |m| hi.min(i128::from(m)));
    if n < lo || n > hi {
        Err(format!("out of range ({lo} to {hi})"))
    } else {
        Ok(())
    }
}

fn check_value(shape: &Shape, v: &str) -> Result<(), String> {
    match shape {
        Shape::Int { values, .. } => match v.trim().parse::<i64>() {
            Ok(i) if values.is_empty() || values.contains(&i) => Ok(()),
            Ok(_) => Err("not one of the allowed values".into()),
            Err(_) => Err("expected an integer".into()),
        },
        Shape::Num { .. } => v
            .trim()
            .parse::<f64>()
            .map(|_| ())
            .map_err(|_| "expected a number".into()),
        Shape::Bool => match v.to_ascii_lowercase().as_str() {
            "true" | "false" => Ok(()),
            _ => Err("expected true or false".into()),
        },
        Shape::Str(s) if !s.values.is_empty() => {
            if s.values.iter().any(|x| x.eq_ignore_ascii_case(v)) {
                Ok(())
            } else {
                Err(format!("expected one of {}", s.values.join(", ")))
            }
        }
        Shape::Str(s) if s.format == StrFormat::DateTime || s.format == StrFormat::Date => {
            crate::dates::parse(v)
                .map(|_| ())
                .ok_or_else(|| "expected a date or date-time".into())
        }
        _ => Ok(()),
    }
}

fn validators() -> &'static Mutex<HashMap<String, Arc<jsonschema::Validator>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// A validator for a schema of a module, compiled once and cached under `key`.
pub fn validator(
    module: &Module,
    key: &str,
    schema: &Value,
    formats: bool,
) -> Result<Arc<jsonschema::Validator>, String> {
    let cache_key = format!("{}:{key}:{formats}", module.short);
    if let Some(v) = validators()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&cache_key)
    {
        return Ok(v.clone());
    }
    let root = catalog::standalone_schema(module, schema);
    let v = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(formats)
        // .NET TimeSpan (`01:30:00`), which is what the API sends for `format: duration`.
        .with_format("duration", |s: &str| crate::dates::is_timespan(s))
        .build(&root)
        .map_err(|e| format!("schema of {key} does not compile: {e}"))?;
    let v = Arc::new(v);
    validators()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(cache_key, v.clone());
    Ok(v)
}

/// Checks a request body: present when required, JSON, and valid against the request schema.
/// Returns the parsed body (`Value::Null` when there is none).
pub fn body(module: &Module, op: &Operation, bytes: &[u8]) -> Result<Value, FieldErrors> {
    let mut errors = FieldErrors::new();
    let Some(spec) = &op.body else {
        return Ok(Value::Null);
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        if spec.required {
            push(
                &mut errors,
                "",
                "A non-empty request body is required.".into(),
            );
            return Err(errors);
        }
        return Ok(Value::Null);
    }
    let mut value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            push(
                &mut errors,
                "$",
                format!("The request body is not valid JSON: {e}"),
            );
            return Err(errors);
        }
    };
    crate::binding::bind(module, &spec.schema, &mut value, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let validator = match validator(module, &format!("{}:request", op.id), &spec.schema, false) {
        Ok(v) => v,
        Err(message) => {
            push(&mut errors, "$", message);
            return Err(errors);
        }
    };
    for e in validator.iter_errors(&value) {
        let mut field = dotted(&e.instance_path.to_string());
        if let jsonschema::error::ValidationErrorKind::Required { property } = &e.kind {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), String::from);
            field = if field.is_empty() {
                name
            } else {
                format!("{field}.{name}")
            };
        }
        push(&mut errors, &field, e.to_string());
    }
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(errors)
    }
}

/// `/locations/0/name` → `locations[0].name` (how ServiceTitan names fields in `errors`).
fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for part in pointer.split('/').filter(|p| !p.is_empty()) {
        if part.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&part.replace("~1", "/").replace("~0", "~"));
        }
    }
    out
}
