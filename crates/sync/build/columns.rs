//! A record schema's top-level properties as typed columns.

use heck::ToSnakeCase;
use serde_json::Value;
use servicetitan_codegen::schema::{resolve, type_name};

/// Column names the sync keeps for itself; a property spelled like one gets `_field` appended.
const RESERVED: &[&str] = &["tenant_id", "_raw", "_synced_at", "_deleted"];

pub struct Col {
    pub name: String,
    pub api_name: String,
    pub ty: &'static str,
}

/// One column per top-level property, in the spec's order; a name taken twice (`fooBar` and
/// `foo_bar`) keeps the first and suffixes the next.
pub fn columns(spec: &Value, record: &Value) -> Vec<Col> {
    let mut out: Vec<Col> = Vec::new();
    let Some(props) = record.get("properties").and_then(Value::as_object) else {
        return out;
    };
    for (api_name, prop) in props {
        let mut name = api_name.to_snake_case();
        if name.is_empty() || RESERVED.contains(&name.as_str()) {
            name.push_str("_field");
        }
        while out.iter().any(|c| c.name == name) {
            name.push_str("_2");
        }
        out.push(Col {
            name,
            api_name: api_name.clone(),
            ty: column_type(resolve(spec, prop)),
        });
    }
    out
}

fn column_type(schema: &Value) -> &'static str {
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    match (type_name(schema), format) {
        (Some("integer"), _) => "Integer",
        (Some("number"), _) => "Decimal",
        (Some("boolean"), _) => "Boolean",
        (Some("string"), "date-time") => "Timestamp",
        (Some("string"), "date") => "Date",
        (Some("string"), _) => "Text",
        // An enum without a type is text on the wire too.
        (None, _) if schema.get("enum").is_some() => "Text",
        _ => "Json",
    }
}

/// The properties that identify a record: `id` (integer or string) when there is one; for an
/// export without (`job-history`, technician ratings) its non-null integer `…Id` properties.
pub fn key(spec: &Value, record: &Value, cols: &[Col], export: bool) -> Vec<String> {
    let keyable = |c: &&Col| c.ty == "Integer" || c.ty == "Text";
    if cols.iter().filter(keyable).any(|c| c.api_name == "id") {
        return vec!["id".into()];
    }
    if !export {
        return Vec::new();
    }
    let props = record.get("properties").and_then(Value::as_object);
    cols.iter()
        .filter(|c| c.ty == "Integer" && c.api_name.ends_with("Id"))
        .filter(|c| {
            props
                .and_then(|p| p.get(&c.api_name))
                .is_some_and(|s| !nullable(resolve(spec, s)))
        })
        .map(|c| c.api_name.clone())
        .collect()
}

fn nullable(schema: &Value) -> bool {
    schema.get("nullable").and_then(Value::as_bool) == Some(true)
        || schema
            .get("type")
            .and_then(Value::as_array)
            .is_some_and(|t| t.iter().any(|v| v == "null"))
}
