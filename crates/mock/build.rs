//! Reads the 25 specs (`specs/` or `$SERVICETITAN_SPECS_DIR`) at build time and writes one
//! compact route + schema table to `$OUT_DIR/spec_table.json`, which the crate embeds: the mock
//! then runs in a user's own tests with no specs directory at run time.
//!
//! The table keeps ServiceTitan's own (3.1) schemas — patched with `specs/patches/`, stripped of
//! prose — because the mock's responses are checked against exactly what the spec promises.
//! Operation kinds (paged list, export, download, upload) come from the codegen inventory, so the
//! mock and the SDK agree on them.

use serde_json::{json, Map, Value};
use servicetitan_codegen::inventory::{operations, OperationKind};
use servicetitan_codegen::manifest::{locate_specs, Manifest, SPECS_DIR_ENV};
use servicetitan_codegen::patches;
use std::path::{Path, PathBuf};

fn main() {
    if let Err(message) = run() {
        eprintln!("\nerror: {message}\n");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    println!("cargo:rerun-if-env-changed={SPECS_DIR_ENV}");
    let manifest_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    // The committed specs/ (manifest, patches) and ServiceTitan's documents may be apart.
    let location = locate_specs(&manifest_dir).map_err(|e| e.to_string())?;
    let specs = location.committed;
    let documents = location.documents;
    let manifest = Manifest::load(&specs).map_err(|e| e.to_string())?;
    println!(
        "cargo:rerun-if-changed={}",
        specs.join("manifest.json").display()
    );
    println!("cargo:rerun-if-changed={}", specs.join("patches").display());
    let mut modules = Vec::new();
    for module in &manifest.modules {
        let path = documents.join(module.spec_file_name());
        println!("cargo:rerun-if-changed={}", path.display());
        let patch_file = specs
            .join("patches")
            .join(format!("{}.json", module.api_id));
        if patch_file.exists() {
            println!("cargo:rerun-if-changed={}", patch_file.display());
        }
        modules.push(module_table(
            &specs,
            &path,
            &module.api_id,
            &module.short,
            &module.base_path,
        )?);
    }
    let table = json!({ "modules": modules });
    let text = serde_json::to_string(&table).map_err(|e| e.to_string())?;
    let target = out.join("spec_table.json");
    if std::fs::read_to_string(&target).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(&target, text).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    Ok(())
}

fn module_table(
    specs: &Path,
    path: &Path,
    api_id: &str,
    short: &str,
    base_path: &str,
) -> Result<Value, String> {
    let bytes = std::fs::read(path).map_err(|e| {
        format!(
            "missing spec {} ({e}).\n       The mock is built from ServiceTitan's documents, which are not committed; fetch them with\n           cargo xtask specs fetch --from <dir>   (e.g. ../shared/specs)",
            path.display()
        )
    })?;
    let mut doc: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let patches = patches::load(&specs.join("patches"), api_id)?;
    patches::apply(&mut doc, &patches)?;
    let kinds: Vec<(String, OperationKind)> = operations(&doc)
        .into_iter()
        .map(|op| (op.operation_id.clone(), op.kind))
        .collect();
    let mut ops = Vec::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (template, item) in &paths {
        let shared = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (method, op) in item.as_object().into_iter().flatten() {
            if !["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let kind = kinds
                .iter()
                .find(|(k, _)| k == id)
                .map_or(OperationKind::Plain, |(_, k)| *k);
            ops.push(operation(template, method, op, &shared, kind));
        }
    }
    let mut schemas = doc
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if let Some(map) = schemas.as_object_mut() {
        for s in map.values_mut() {
            compact_schema(s);
        }
    }
    Ok(json!({ "short": short, "base_path": base_path, "operations": ops, "schemas": schemas }))
}

fn operation(
    template: &str,
    method: &str,
    op: &Value,
    shared: &[Value],
    kind: OperationKind,
) -> Value {
    let mut params: Vec<Value> = Vec::new();
    for p in shared.iter().chain(
        op.get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten(),
    ) {
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
        "id": op.get("operationId").cloned().unwrap_or_default(),
        "method": method.to_uppercase(),
        "path": template,
        "kind": kind.name(),
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
