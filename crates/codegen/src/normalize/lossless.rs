//! Response models that lose nothing: wide integers and record-by-record page data.
//!
//! * **Integers.** The API fills `int32` fields with larger ids (`versionId` in accounting,
//!   `agentId` in settings, `serviceDaysIds` in dispatch). In every schema reachable from a
//!   response, an `integer` of any format becomes `int64` and loses `minimum`/`maximum` (which
//!   would make typify pick a narrower or unsigned type).
//! * **Page and batch data.** The `data` of every paged-list and export envelope becomes
//!   `servicetitan_core::records::Records<Item>` (typify's `x-rust-type` with a type parameter):
//!   decoded record by record, so one bad record keeps its neighbours. `data` stays required so
//!   the field is not wrapped in an `Option` (the post-processor adds `#[serde(default)]`: a
//!   missing or `null` `data` reads as no records). `type`/`items` stay for the inventory.

use super::formats::CORE_CRATE;
use super::walk::visit_schema;
use crate::inventory::{self, OperationKind};
use serde_json::{json, Value};

/// Path of the records type the envelopes' `data` points at.
pub const RECORDS_PATH: &str = "servicetitan_core::records::Records";

/// Widens every integer of the response schemas `names` (component names) to `int64`.
pub fn widen_response_integers(doc: &mut Value, names: &std::collections::BTreeSet<String>) {
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            if names.contains(name) {
                visit_schema(schema, &mut widen_integer);
            }
        }
    }
    // Inline response bodies.
    super::walk::for_each_operation(doc, &mut |_, _, op| {
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for response in responses.values_mut() {
                if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
                    for media in content.values_mut() {
                        if let Some(schema) = media.get_mut("schema") {
                            visit_schema(schema, &mut widen_integer);
                        }
                    }
                }
            }
        }
    });
}

fn widen_integer(s: &mut serde_json::Map<String, Value>) {
    if s.get("type").and_then(Value::as_str) == Some("integer") {
        s.insert("format".into(), json!("int64"));
        s.remove("minimum");
        s.remove("maximum");
    }
}

/// Points the `data` of every paged-list and export envelope at `Records<Item>`.
pub fn records_for_envelopes(doc: &mut Value) {
    let envelopes: Vec<String> = inventory::operations(doc)
        .into_iter()
        .filter(|op| matches!(op.kind, OperationKind::PagedList | OperationKind::Export))
        .filter_map(|op| op.response_schema)
        .collect();
    for name in envelopes {
        let pointer = format!(
            "/components/schemas/{}",
            name.replace('~', "~0").replace('/', "~1")
        );
        let Some(envelope) = doc.pointer_mut(&pointer) else {
            continue;
        };
        let Some(data) = envelope.pointer_mut("/properties/data") else {
            continue;
        };
        // A named record type, or a list/scalar (report rows): an inline object would have no
        // name for typify to give it.
        let named_or_plain = |i: &&Value| {
            i.get("$ref").is_some()
                || !(i.get("type").and_then(Value::as_str) == Some("object")
                    || i.get("properties").is_some())
        };
        let Some(items) = data.get("items").filter(named_or_plain).cloned() else {
            continue;
        };
        if let Some(d) = data.as_object_mut() {
            d.insert(
                "x-rust-type".into(),
                json!({"crate": CORE_CRATE, "version": "*", "path": RECORDS_PATH, "parameters": [items]}),
            );
        }
        if let Some(obj) = envelope.as_object_mut() {
            let required = obj.entry("required").or_insert_with(|| json!([]));
            if let Some(list) = required.as_array_mut() {
                if !list.iter().any(|v| v == "data") {
                    list.push(json!("data"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_widened_in_response_schemas_only() {
        let mut doc = json!({"components": {"schemas": {
            "Job": {"properties": {"versionId": {"type": "integer", "format": "int32", "minimum": 0},
                                   "ids": {"type": "array", "items": {"type": "integer", "format": "int32"}}}},
            "Create": {"properties": {"n": {"type": "integer", "format": "int32"}}}
        }}});
        widen_response_integers(&mut doc, &["Job".to_string()].into());
        let s = &doc["components"]["schemas"];
        assert_eq!(
            s["Job"]["properties"]["versionId"],
            json!({"type": "integer", "format": "int64"})
        );
        assert_eq!(s["Job"]["properties"]["ids"]["items"]["format"], "int64");
        assert_eq!(s["Create"]["properties"]["n"]["format"], "int32");
    }

    #[test]
    fn envelope_data_becomes_records() {
        let mut doc = json!({
            "paths": {"/jobs": {"get": {
                "operationId": "Jobs_GetList",
                "parameters": [{"name": "page", "in": "query"}, {"name": "pageSize", "in": "query"}],
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobPage"}}}}}
            }}},
            "components": {"schemas": {
                "JobPage": {"properties": {"hasMore": {"type": "boolean"},
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}}}},
                "Job": {"properties": {"id": {"type": "integer"}}}
            }}
        });
        records_for_envelopes(&mut doc);
        let page = &doc["components"]["schemas"]["JobPage"];
        assert_eq!(
            page["properties"]["data"]["x-rust-type"]["path"],
            RECORDS_PATH
        );
        assert_eq!(
            page["properties"]["data"]["x-rust-type"]["parameters"][0]["$ref"],
            "#/components/schemas/Job"
        );
        assert_eq!(page["required"], json!(["data"]));
        assert_eq!(
            inventory::operations(&doc)[0].kind,
            OperationKind::PagedList
        );
    }
}
