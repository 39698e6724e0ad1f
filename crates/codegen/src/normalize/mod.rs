//! OpenAPI 3.1 → the OpenAPI 3.0 subset progenitor reads, plus the SDK's typing rules.
//!
//! Every transform is a small function over `serde_json::Value` with its own unit tests; this
//! module only orders them. Order matters in two places: type arrays are folded before formats
//! are mapped (a `["string","null"]` date-time is still a date-time), and `required` is relaxed
//! after error responses are gone (so error models are not counted as response models).

pub mod formats;
pub mod lossless;
pub mod names;
pub mod params;
pub mod required;
pub mod responses;
pub mod schema31;
pub mod unions;
pub mod uploads;
pub mod walk;

use serde_json::Value;
use std::collections::BTreeSet;

pub use uploads::Upload;

/// A normalized document.
#[derive(Debug)]
pub struct Normalized {
    /// The 3.0 document progenitor generates from.
    pub openapi: openapiv3::OpenAPI,
    /// Same document as JSON (for inspection and tests).
    pub document: Value,
    /// Upload operations taken out of the document (see [`uploads`]).
    pub uploads: Vec<Upload>,
}

/// Normalizes a raw spec (3.1 or 3.0) that has already been patched.
pub fn normalize(mut doc: Value) -> Result<Normalized, String> {
    let version = doc
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if !(version.starts_with("3.0") || version.starts_with("3.1")) {
        return Err(format!(
            "unsupported OpenAPI version `{version}` (3.0 and 3.1 are read)"
        ));
    }
    check_operation_ids(&doc)?;
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("openapi".into(), Value::String("3.0.3".into()));
        obj.remove("jsonSchemaDialect");
        obj.remove("webhooks");
    }
    if let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) {
        info.remove("summary");
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            license.remove("identifier");
        }
    }

    let uploads = uploads::extract_uploads(&mut doc);
    walk::for_each_operation(&mut doc, &mut |_, _, op| {
        responses::collapse_responses(op);
        if let Some(body) = op.get_mut("requestBody") {
            responses::prefer_json(body);
        }
        params::tenant_is_int64(op);
    });
    walk::visit_schemas(&mut doc, &mut |s| {
        schema31::nullable_type_arrays(s);
        schema31::ref_wrappers(s);
        schema31::drop_examples(s);
        schema31::allow_unknown_fields(s);
        schema31::open_integer_enums(s);
        schema31::numeric_keywords(s);
        schema31::drop_string_constraints(s);
        formats::map_formats(s);
    });
    unions::merge_object_unions(&mut doc);
    prune_unused_schemas(&mut doc);
    let response_schemas = required::response_schemas(&doc);
    lossless::widen_response_integers(&mut doc, &response_schemas);
    required::relax_response_required(&mut doc);
    lossless::records_for_envelopes(&mut doc);
    lossless::records_for_lists(&mut doc);
    names::rename_schemas(&mut doc);

    let openapi: openapiv3::OpenAPI = serde_path_to_error(&doc)?;
    Ok(Normalized {
        openapi,
        document: doc,
        uploads,
    })
}

fn serde_path_to_error(doc: &Value) -> Result<openapiv3::OpenAPI, String> {
    serde_json::from_value(doc.clone())
        .map_err(|e| format!("normalized document is not OpenAPI 3.0: {e}"))
}

/// progenitor requires a unique `operationId` on every operation.
fn check_operation_ids(doc: &Value) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    let mut doc = doc.clone();
    let mut problems = Vec::new();
    walk::for_each_operation(&mut doc, &mut |path, method, op| match op
        .get("operationId")
        .and_then(Value::as_str)
    {
        None => problems.push(format!(
            "{} {path} has no operationId",
            method.to_uppercase()
        )),
        Some(id) if !seen.insert(id.to_string()) => {
            problems.push(format!("duplicate operationId `{id}`"))
        }
        Some(_) => {}
    });
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} (fix with a patch in specs/patches/)",
            problems.join("; ")
        ))
    }
}

/// Drops component schemas no operation uses (error envelopes once error responses are gone):
/// less generated code, faster builds.
fn prune_unused_schemas(doc: &mut Value) {
    let mut roots = Vec::new();
    if let Some(paths) = doc.get("paths") {
        walk::refs_in(paths, &mut roots);
    }
    let keep = walk::reachable_schemas(doc, &roots);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.retain(|name, _| keep.contains(name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mini() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "2"},
            "paths": {"/tenant/{tenant}/jobs": {"get": {
                "operationId": "Jobs_GetList",
                "parameters": [{"name": "tenant", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PaginatedResponse_Of_Jpm.V2.Job"}}}},
                    "400": {"description": "bad", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiErrorResponse"}}}}
                }
            }}},
            "components": {"schemas": {
                "PaginatedResponse_Of_Jpm.V2.Job": {"type": "object", "additionalProperties": false, "required": ["data"], "properties": {
                    "data": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/Jpm.V2.Job"}}}},
                "Jpm.V2.Job": {"type": "object", "required": ["id", "total"], "properties": {
                    "id": {"type": "integer", "format": "int64"},
                    "total": {"type": "number", "format": "decimal"},
                    "status": {"oneOf": [{"$ref": "#/components/schemas/Jpm.V2.Status"}], "description": "s"}}},
                "Jpm.V2.Status": {"type": "string", "enum": ["A", "B"]},
                "ApiErrorResponse": {"type": "object"}
            }}
        })
    }

    #[test]
    fn a_31_fragment_becomes_valid_30() {
        let n = normalize(mini()).unwrap();
        let d = &n.document;
        assert_eq!(d["openapi"], "3.0.3");
        let s = &d["components"]["schemas"];
        assert!(
            s.get("ApiErrorResponse").is_none(),
            "unused error model pruned"
        );
        assert!(s["JobPage"].get("additionalProperties").is_none());
        assert_eq!(s["JobPage"]["properties"]["data"]["nullable"], true);
        assert_eq!(s["Job"]["required"], json!(["id"]));
        assert_eq!(
            s["Job"]["properties"]["status"]["allOf"][0]["$ref"],
            "#/components/schemas/Status"
        );
        assert_eq!(
            s["Job"]["properties"]["total"]["x-rust-type"]["path"],
            "servicetitan_core::types::Decimal"
        );
        let op = &d["paths"]["/tenant/{tenant}/jobs"]["get"];
        assert!(op["responses"].get("400").is_none());
        assert_eq!(op["parameters"][0]["schema"]["type"], "integer");
        assert_eq!(n.openapi.paths.paths.len(), 1);
    }

    #[test]
    fn missing_or_duplicate_operation_ids_are_reported() {
        let mut doc = mini();
        doc["paths"]["/tenant/{tenant}/jobs"]["get"]
            .as_object_mut()
            .unwrap()
            .remove("operationId");
        assert!(normalize(doc)
            .unwrap_err()
            .contains("GET /tenant/{tenant}/jobs has no operationId"));
        let mut doc = mini();
        doc["paths"]["/other"] = json!({"get": {"operationId": "Jobs_GetList", "responses": {}}});
        assert!(normalize(doc)
            .unwrap_err()
            .contains("duplicate operationId `Jobs_GetList`"));
    }

    #[test]
    fn other_versions_are_refused() {
        let mut doc = mini();
        doc["openapi"] = json!("2.0");
        assert!(normalize(doc)
            .unwrap_err()
            .contains("unsupported OpenAPI version"));
    }
}
