//! Reads the 25 specs (`specs/` or `$SERVICETITAN_SPECS_DIR`) at build time and writes one
//! compact route + schema table to `$OUT_DIR/spec_table.json`, which the crate embeds: the mock
//! then runs in a user's own tests with no specs directory at run time.
//!
//! The table keeps ServiceTitan's own (3.1) schemas — patched with `specs/patches/`, stripped of
//! prose — because the mock's responses are checked against exactly what the spec promises.
//! Operation kinds (paged list, export, download, upload) come from the codegen inventory, so the
//! mock and the SDK agree on them.

use serde_json::{json, Map, Value};
use servicetitan_codegen::build::{script, write_if_changed};
use servicetitan_codegen::inventory::Operation;
use servicetitan_codegen::specs::ModuleSpec;

fn main() {
    script(|specs, out| {
        let modules = specs
            .read_all()?
            .iter()
            .map(module_table)
            .collect::<Result<Vec<_>, _>>()?;
        let text =
            serde_json::to_string(&json!({ "modules": modules })).map_err(|e| e.to_string())?;
        write_if_changed(&out.join("spec_table.json"), &text)
    })
}

/// One module's routes (the inventory's operations, so the mock serves exactly what the SDK
/// calls) and its component schemas, compacted.
fn module_table(spec: &ModuleSpec) -> Result<Value, String> {
    // In the document's order, as the table always was: route matching breaks ties by it.
    let mut ordered: Vec<&Operation> = spec.operations.iter().collect();
    ordered.sort_by_key(|op| document_position(&spec.document, op));
    let mut ops = Vec::new();
    for op in ordered {
        let raw = spec.raw_operation(op).ok_or_else(|| {
            format!(
                "{}: {} {} not in the document",
                spec.module.api_id, op.http_method, op.path
            )
        })?;
        ops.push(operation(op, raw.0, &spec.parameters(op)));
    }
    let mut schemas = spec
        .document
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if let Some(map) = schemas.as_object_mut() {
        for s in map.values_mut() {
            compact_schema(s);
        }
    }
    let m = &spec.module;
    Ok(json!({ "short": m.short, "base_path": m.base_path, "operations": ops, "schemas": schemas }))
}

/// Where an operation is declared: its path's index, then its method's within the path item.
fn document_position(doc: &Value, op: &Operation) -> (usize, usize) {
    let paths = doc.get("paths").and_then(Value::as_object);
    let path = paths.and_then(|p| p.keys().position(|k| *k == op.path));
    let item = paths
        .and_then(|p| p.get(&op.path))
        .and_then(Value::as_object);
    let method = item.and_then(|i| {
        i.keys()
            .position(|k| k.eq_ignore_ascii_case(&op.http_method))
    });
    (path.unwrap_or(usize::MAX), method.unwrap_or(usize::MAX))
}

fn operation(meta: &Operation, op: &Value, declared: &[&Value]) -> Value {
    let mut params: Vec<Value> = Vec::new();
    for p in declared {
        let location = p.get("in").and_then(Value::as_str).unwrap_or_default();
        let mut schema = p.get("schema").cloned().unwrap_or_else(|| json!({}));
        compact_schema(&mut schema);
        params.push(json!({
            "name": p.get("name").cloned().unwrap_or_default(),
            "in": location,
            "required": p.get("required").and_then(Value::as_bool).unwrap_or(location == "path"),
            "schema": schema,
            // Filters are derived from names and descriptions ("partial match", sort fields).
            "description": p.get("description").and_then(Value::as_str).unwrap_or_default(),
        }));
    }
    let body = op.pointer("/requestBody/content").and_then(Value::as_object).and_then(|content| {
        let (media, m) = content
            .iter()
            .find(|(k, _)| k.as_str() == "application/json")
            .or_else(|| content.iter().next())?;
        let mut schema = m.get("schema").cloned().unwrap_or_else(|| json!({}));
        compact_schema(&mut schema);
        Some(json!({ "media": media, "schema": schema,
            "required": op.pointer("/requestBody/required").and_then(Value::as_bool).unwrap_or(false) }))
    });
    let responses = op
        .get("responses")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let success = responses
        .iter()
        .find(|(c, _)| c.starts_with('2'))
        .or_else(|| responses.iter().find(|(c, _)| c.starts_with('3')));
    let response = success.map(|(status, r)| {
        let content = r.get("content").and_then(Value::as_object);
        let media = content.and_then(|c| {
            c.iter()
                .find(|(k, _)| k.as_str() == "application/json")
                .or_else(|| c.iter().next())
        });
        let mut schema = media.and_then(|(_, m)| m.get("schema")).cloned();
        if let Some(s) = schema.as_mut() {
            compact_schema(s);
        }
        json!({ "status": status, "media": media.map(|(k, _)| k.clone()), "schema": schema })
    });
    // A few operations declare their 400 as a JSON string rather than a problem object.
    let error_text = responses.iter().any(|(code, r)| {
        code == "400"
            && r.pointer("/content/application~1json/schema/type")
                .and_then(Value::as_str)
                == Some("string")
    });
    json!({
        "error_text": error_text,
        "id": meta.operation_id,
        "method": meta.http_method,
        "path": meta.path,
        "kind": meta.kind.name(),
        "params": params,
        "body": body,
        "response": response,
    })
}

/// Drops prose (`description`, `examples`, `x-enumNames`, …) from a schema and its sub-schemas;
/// keeps property *names* that happen to be `description`. A property whose schema is only
/// `type: null` is how the spec spells "any value" (reporting's parameter `value`): it becomes `{}`.
fn compact_schema(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    for key in [
        "description",
        "summary",
        "example",
        "examples",
        "title",
        "x-enumNames",
        "deprecated",
    ] {
        obj.remove(key);
    }
    obj.retain(|k, _| !k.starts_with("x-"));
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        for p in props.values_mut() {
            compact_schema(p);
            if p.as_object().is_some_and(is_lone_null) {
                *p = Value::Object(Map::new());
            }
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(sub) = obj.get_mut(key) {
            compact_schema(sub);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(list) = obj.get_mut(key).and_then(Value::as_array_mut) {
            list.iter_mut().for_each(compact_schema);
        }
    }
}

fn is_lone_null(obj: &Map<String, Value>) -> bool {
    obj.len() == 1 && obj.get("type") == Some(&Value::String("null".into()))
}
