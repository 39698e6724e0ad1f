//! Docs where users look: each `Api` method starts with its HTTP method and path and lists its
//! parameters with the spec's descriptions (required first); each builder setter carries its
//! parameter's description.

use crate::inventory::{Operation, OperationKind};
use crate::postprocess::builders::SetterDocs;
use serde_json::Value;
use std::collections::BTreeMap;

/// `(operation id, parameter name)` → the spec's description; `(operation id, "")` → the
/// request body's.
#[derive(Default)]
pub struct Descriptions(BTreeMap<(String, String), String>);

impl Descriptions {
    /// Reads every parameter's and request body's description from a (normalized) document.
    pub fn from_document(doc: &Value) -> Self {
        let mut out = BTreeMap::new();
        let paths = doc.get("paths").and_then(Value::as_object);
        for item in paths.into_iter().flat_map(|p| p.values()) {
            let shared = item.get("parameters");
            for op in item.as_object().into_iter().flat_map(|o| o.values()) {
                let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                let params = shared.into_iter().chain(op.get("parameters"));
                for p in params.filter_map(Value::as_array).flatten() {
                    let p = resolve(doc, p);
                    let (Some(name), Some(text)) =
                        (p.get("name").and_then(Value::as_str), description(p))
                    else {
                        continue;
                    };
                    out.insert((id.to_string(), name.to_string()), text);
                }
                if let Some(text) = op
                    .get("requestBody")
                    .map(|b| resolve(doc, b))
                    .and_then(description)
                {
                    out.insert((id.to_string(), String::new()), text);
                }
            }
        }
        Self(out)
    }

    fn get(&self, op: &str, name: &str) -> Option<&str> {
        self.0
            .get(&(op.to_string(), name.to_string()))
            .map(String::as_str)
    }
}

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(pointer) => doc.pointer(pointer).unwrap_or(v),
        None => v,
    }
}

/// A one-paragraph description (markdown-safe: line breaks folded).
fn description(v: &Value) -> Option<String> {
    let text = v
        .get("description")
        .or_else(|| v.pointer("/schema/description"))
        .and_then(Value::as_str)?;
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// The doc of an `Api` method: `GET /path` — summary, parameters (required first), scopes, id.
pub fn method_doc(op: &Operation, descriptions: &Descriptions) -> String {
    let mut doc = format!("`{} {}`", op.http_method, op.path);
    if !op.summary.is_empty() {
        doc.push_str(" — ");
        doc.push_str(op.summary.trim_end_matches('.'));
        doc.push('.');
    }
    let mut lines = Vec::new();
    let mut params: Vec<_> = op
        .parameters
        .iter()
        .filter(|p| p.name != "tenant")
        .collect();
    params.sort_by_key(|p| !p.required);
    for p in params {
        let text = descriptions.get(&op.operation_id, &p.name).unwrap_or("");
        let how = if p.required {
            format!("`{}` (required {}, `{}`)", p.rust_name, p.location, p.name)
        } else {
            format!("`.{}(…)` ({}, `{}`)", p.rust_name, p.location, p.name)
        };
        lines.push(if text.is_empty() {
            format!("* {how}")
        } else {
            format!("* {how} — {text}")
        });
    }
    if op.has_body {
        let text = descriptions
            .get(&op.operation_id, "")
            .unwrap_or("the request body");
        lines.insert(
            op.parameters
                .iter()
                .filter(|p| p.required && p.name != "tenant")
                .count(),
            format!("* `body` (required) — {text}"),
        );
    }
    if !lines.is_empty() {
        doc.push_str("\n\n# Parameters\n\n");
        doc.push_str(&lines.join("\n"));
    }
    if !op.scopes.is_empty() {
        let scopes: Vec<String> = op.scopes.iter().map(|s| format!("`{s}`")).collect();
        doc.push_str(&format!("\n\nOAuth scope: {}.", scopes.join(", ")));
    }
    doc.push_str(&format!("\n\nOperation id: `{}`.", op.operation_id));
    match op.kind {
        OperationKind::PagedList => doc.push_str(
            "\n\nPaged list: `.stream()` yields every item, `.pages()` every page, both reading a few pages ahead (`.stream_concurrent(1)` reads lazily).",
        ),
        OperationKind::Export => doc.push_str(
            "\n\nExport: `.batches()` yields each batch with its continuation token; `.stream()` every record.",
        ),
        _ => {}
    }
    doc
}

/// `(builder, setter)` → the setter's doc, for every parameter of every operation.
pub fn setter_docs(operations: &[Operation], descriptions: &Descriptions) -> SetterDocs {
    let mut out = SetterDocs::new();
    for op in operations {
        let builder = super::builder_name(&op.operation_id);
        for p in &op.parameters {
            let text = descriptions.get(&op.operation_id, &p.name).unwrap_or("");
            let mut doc = format!(
                "`{}` ({} parameter{})",
                p.name,
                p.location,
                if p.required { ", required" } else { "" }
            );
            if !text.is_empty() {
                doc.push_str(": ");
                doc.push_str(text);
            }
            out.insert((builder.clone(), p.rust_name.clone()), doc);
        }
        if op.has_body {
            let text = descriptions
                .get(&op.operation_id, "")
                .unwrap_or("The request body");
            out.insert(
                (builder.clone(), "body".into()),
                format!("{text} (build the model with its `new(…)`)."),
            );
        }
    }
    out
}
