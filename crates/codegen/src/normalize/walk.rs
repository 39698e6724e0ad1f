//! Visiting every schema of an OpenAPI document, wherever it sits.
//!
//! The transforms work on `serde_json::Value` because the input is OpenAPI 3.1, which the
//! `openapiv3` crate (3.0 only) cannot represent; only the normalized result is parsed.

use serde_json::{Map, Value};

const METHODS: [&str; 8] = [
    "get", "put", "post", "patch", "delete", "head", "options", "trace",
];

/// Calls `f` on every schema object of the document (component schemas, parameter schemas,
/// request and response body schemas) and, recursively, on every sub-schema. `f` sees a node
/// before its children, so it may restructure the node and the walk follows the new shape.
pub fn visit_schemas(doc: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for schema in schemas.values_mut() {
            visit_schema(schema, f);
        }
    }
    for section in ["parameters", "requestBodies", "responses"] {
        if let Some(items) = doc
            .pointer_mut(&format!("/components/{section}"))
            .and_then(Value::as_object_mut)
        {
            for item in items.values_mut() {
                visit_carrier(item, f);
            }
        }
    }
    for_each_operation(doc, &mut |_, _, op| visit_operation(op, f));
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            if let Some(params) = item.get_mut("parameters").and_then(Value::as_array_mut) {
                for p in params {
                    visit_carrier(p, f);
                }
            }
        }
    }
}

/// Calls `f(path, method, operation)` for every operation of the document.
pub fn for_each_operation(doc: &mut Value, f: &mut dyn FnMut(&str, &str, &mut Value)) {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            if let Some(item) = item.as_object_mut() {
                for (method, op) in item.iter_mut() {
                    if METHODS.contains(&method.as_str()) {
                        f(path, method, op);
                    }
                }
            }
        }
    }
}

fn visit_operation(op: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
        for p in params {
            visit_carrier(p, f);
        }
    }
    if let Some(body) = op.get_mut("requestBody") {
        visit_carrier(body, f);
    }
    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
        for r in responses.values_mut() {
            visit_carrier(r, f);
        }
    }
}

/// A parameter, request body or response: its `schema`, or the schemas of its `content`.
fn visit_carrier(item: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    if let Some(schema) = item.get_mut("schema") {
        visit_schema(schema, f);
    }
    if let Some(content) = item.get_mut("content").and_then(Value::as_object_mut) {
        for media in content.values_mut() {
            if let Some(schema) = media.get_mut("schema") {
                visit_schema(schema, f);
            }
        }
    }
}

/// Visits one schema and its sub-schemas.
pub fn visit_schema(schema: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    f(obj);
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        for p in props.values_mut() {
            visit_schema(p, f);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(sub) = obj.get_mut(key) {
            visit_schema(sub, f);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(list) = obj.get_mut(key).and_then(Value::as_array_mut) {
            for sub in list {
                visit_schema(sub, f);
            }
        }
    }
}

/// Every `$ref` string in a value, recursively.
pub fn refs_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    if let Some(s) = v.as_str() {
                        out.push(s.to_string());
                    }
                } else {
                    refs_in(v, out);
                }
            }
        }
        Value::Array(list) => list.iter().for_each(|v| refs_in(v, out)),
        _ => {}
    }
}

/// Names of the component schemas reachable from the `$ref`s in `roots`, following references
/// inside the schemas themselves.
pub fn reachable_schemas(doc: &Value, roots: &[String]) -> std::collections::BTreeSet<String> {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let mut seen = std::collections::BTreeSet::new();
    let mut stack: Vec<String> = roots
        .iter()
        .filter_map(|r| schema_ref_name(r))
        .map(String::from)
        .collect();
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schemas.and_then(|s| s.get(&name)) {
            let mut refs = Vec::new();
            refs_in(schema, &mut refs);
            stack.extend(
                refs.iter()
                    .filter_map(|r| schema_ref_name(r))
                    .map(String::from),
            );
        }
    }
    seen
}

/// The component name a `#/components/schemas/<name>` reference points at.
pub fn schema_ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}
