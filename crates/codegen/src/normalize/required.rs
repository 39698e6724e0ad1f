//! Response models tolerate nulls.
//!
//! The specs mark fields `required` that the API then sends as `null` (the Singer tap ended up
//! treating every field but primary keys as nullable). A `null` in a required field would fail
//! the whole page, so in every schema reachable from a response, only `id` stays required; every
//! other field becomes `Option<T>`. Request-only schemas keep their `required` lists, so building
//! a request still demands what the API demands.

use super::walk::{reachable_schemas, refs_in};
use serde_json::Value;
use std::collections::BTreeSet;

/// Fields that stay required in response models.
pub const ALWAYS_REQUIRED: &[&str] = &["id"];

/// Names of component schemas reachable from any response body.
pub fn response_schemas(doc: &Value) -> BTreeSet<String> {
    let mut roots = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for item in paths.values() {
            for op in item.as_object().into_iter().flat_map(|o| o.values()) {
                if let Some(responses) = op.get("responses") {
                    refs_in(responses, &mut roots);
                }
            }
        }
    }
    reachable_schemas(doc, &roots)
}

/// Relaxes `required` in response schemas (recursively, inline objects included).
pub fn relax_response_required(doc: &mut Value) {
    let names = response_schemas(doc);
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (name, schema) in schemas.iter_mut() {
        if names.contains(name) {
            super::walk::visit_schema(schema, &mut |s| {
                if let Some(Value::Array(req)) = s.get_mut("required") {
                    req.retain(|f| f.as_str().is_some_and(|f| ALWAYS_REQUIRED.contains(&f)));
                    if req.is_empty() {
                        s.remove("required");
                    }
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_response_schemas_are_relaxed() {
        let mut doc = json!({
            "paths": {"/jobs": {
                "get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}}},
                "post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Create"}}}}, "responses": {"200": {}}}
            }},
            "components": {"schemas": {
                "Page": {"required": ["data", "hasMore"], "properties": {"data": {"items": {"$ref": "#/components/schemas/Job"}}}},
                "Job": {"required": ["id", "jobNumber"], "properties": {"id": {}, "jobNumber": {}}},
                "Create": {"required": ["customerId"], "properties": {"customerId": {}}}
            }}
        });
        relax_response_required(&mut doc);
        let s = &doc["components"]["schemas"];
        assert!(s["Page"].get("required").is_none());
        assert_eq!(s["Job"]["required"], json!(["id"]));
        assert_eq!(s["Create"]["required"], json!(["customerId"]));
    }
}
