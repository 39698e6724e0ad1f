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
//! * **Every other list.** A success response that is a list of records outside those envelopes
//!   ([`unpaged_lists`]: a top-level array, or an object's `data` array — hold reasons, cost
//!   types, mark-as-exported results) is `Records<Item>` too, so no list fails whole on one
//!   record either.

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
        let Some(envelope) = doc.pointer_mut(&component_pointer(&name)) else {
            continue;
        };
        records_for_data(envelope);
    }
}

/// Where a success response's list of records is, outside the paged-list and export envelopes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListShape {
    /// The body is the array itself (`[{…}, {…}]`).
    TopLevel,
    /// The body is an object whose `data` is the array (`{"data": […], …}`).
    Data,
}

/// A list response that is not a paged list or an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnpagedList {
    /// The operation.
    pub operation_id: String,
    /// Where its records are.
    pub shape: ListShape,
    /// The JSON pointer of the array schema (inline in the operation, or a component).
    pub pointer: String,
}

/// Every operation whose success body is a list of records (named or plain items) and which is
/// neither a paged list nor an export, found from the document's shapes.
pub fn unpaged_lists(doc: &Value) -> Vec<UnpagedList> {
    let mut out = Vec::new();
    for op in inventory::operations(doc) {
        if matches!(op.kind, OperationKind::PagedList | OperationKind::Export) {
            continue;
        }
        let Some(pointer) = success_schema_pointer(doc, &op.path, &op.http_method) else {
            continue;
        };
        // Follow a `$ref` to the component (where the array or envelope is declared).
        let pointer = match doc
            .pointer(&pointer)
            .and_then(|s| s.get("$ref"))
            .and_then(Value::as_str)
        {
            Some(r) => match r.strip_prefix('#') {
                Some(target) => target.to_string(),
                None => continue,
            },
            None => pointer,
        };
        let Some(schema) = doc.pointer(&pointer) else {
            continue;
        };
        let (shape, pointer) = if list_of_records(schema) {
            (ListShape::TopLevel, pointer)
        } else if schema
            .pointer("/properties/data")
            .is_some_and(list_of_records)
        {
            (ListShape::Data, format!("{pointer}/properties/data"))
        } else {
            continue;
        };
        out.push(UnpagedList {
            operation_id: op.operation_id.clone(),
            shape,
            pointer,
        });
    }
    out
}

/// Makes every [`unpaged_lists`] list `Records<Item>` (a `data` list stays required, like the
/// envelopes').
pub fn records_for_lists(doc: &mut Value) {
    for list in unpaged_lists(doc) {
        match list.shape {
            ListShape::TopLevel => {
                if let Some(schema) = doc.pointer_mut(&list.pointer) {
                    records_type(schema);
                }
            }
            ListShape::Data => {
                let parent = list.pointer.trim_end_matches("/properties/data");
                if let Some(object) = doc.pointer_mut(parent) {
                    records_for_data(object);
                }
            }
        }
    }
}

/// `/paths/…/responses/<2xx>/content/<media>/schema` of an operation's success body (JSON
/// preferred), if it has one.
fn success_schema_pointer(doc: &Value, path: &str, method: &str) -> Option<String> {
    let escape = |s: &str| s.replace('~', "~0").replace('/', "~1");
    let op_ptr = format!("/paths/{}/{}", escape(path), method.to_lowercase());
    let responses = doc.pointer(&format!("{op_ptr}/responses"))?.as_object()?;
    let (code, response) = responses.iter().find(|(c, _)| c.starts_with('2'))?;
    let content = response.get("content")?.as_object()?;
    let media = content
        .keys()
        .find(|k| k.as_str() == "application/json")
        .or_else(|| content.keys().next())?;
    content[media].get("schema")?;
    Some(format!(
        "{op_ptr}/responses/{}/content/{}/schema",
        escape(code),
        escape(media)
    ))
}

/// An array whose items typify can name: a `$ref`, or a list/scalar (an inline object would have
/// no name to give it).
fn list_of_records(schema: &Value) -> bool {
    let is_array = match schema.get("type") {
        Some(Value::String(t)) => t == "array",
        Some(Value::Array(types)) => types.iter().any(|t| t == "array"),
        _ => false,
    };
    is_array
        && schema.get("items").is_some_and(|i| {
            i.get("$ref").is_some()
                || !(i.get("type").and_then(Value::as_str) == Some("object")
                    || i.get("properties").is_some())
        })
}

fn component_pointer(name: &str) -> String {
    format!(
        "/components/schemas/{}",
        name.replace('~', "~0").replace('/', "~1")
    )
}

/// Types an object's `data` array as `Records<Item>` and keeps `data` required.
fn records_for_data(object: &mut Value) {
    let Some(data) = object.pointer_mut("/properties/data") else {
        return;
    };
    if !list_of_records(data) {
        return;
    }
    records_type(data);
    if let Some(obj) = object.as_object_mut() {
        let required = obj.entry("required").or_insert_with(|| json!([]));
        if let Some(list) = required.as_array_mut() {
            if !list.iter().any(|v| v == "data") {
                list.push(json!("data"));
            }
        }
    }
}

/// Points an array schema at `Records<Item>` (typify's `x-rust-type` with a type parameter).
fn records_type(array: &mut Value) {
    let Some(items) = array.get("items").cloned() else {
        return;
    };
    if let Some(a) = array.as_object_mut() {
        a.insert(
            "x-rust-type".into(),
            json!({"crate": CORE_CRATE, "version": "*", "path": RECORDS_PATH, "parameters": [items]}),
        );
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

    #[test]
    fn unpaged_lists_are_found_and_become_records() {
        let ok =
            |schema: Value| json!({"200": {"content": {"application/json": {"schema": schema}}}});
        let mut doc = json!({
            "paths": {
                "/reasons": {"get": {"operationId": "Jobs_GetHoldReasons",
                    "responses": ok(json!({"$ref": "#/components/schemas/ReasonPage"}))}},
                "/changes": {"get": {"operationId": "Changes_Get",
                    "responses": ok(json!({"type": "array", "items": {"$ref": "#/components/schemas/Change"}}))}},
                "/named": {"get": {"operationId": "Named_Get",
                    "responses": ok(json!({"$ref": "#/components/schemas/Changes"}))}},
                "/inline": {"get": {"operationId": "Inline_Get",
                    "responses": ok(json!({"type": "array", "items": {"type": "object", "properties": {}}}))}},
                "/one": {"get": {"operationId": "One_Get",
                    "responses": ok(json!({"$ref": "#/components/schemas/Change"}))}},
                "/jobs": {"get": {"operationId": "Jobs_GetList",
                    "parameters": [{"name": "page", "in": "query"}, {"name": "pageSize", "in": "query"}],
                    "responses": ok(json!({"$ref": "#/components/schemas/ReasonPage"}))}}
            },
            "components": {"schemas": {
                "ReasonPage": {"properties": {"hasMore": {"type": "boolean"},
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Change"}}}},
                "Changes": {"type": "array", "items": {"$ref": "#/components/schemas/Change"}},
                "Change": {"properties": {"id": {"type": "integer"}}}
            }}
        });
        let mut found: Vec<(String, ListShape)> = unpaged_lists(&doc)
            .into_iter()
            .map(|l| (l.operation_id, l.shape))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            found,
            [
                ("Changes_Get".to_string(), ListShape::TopLevel),
                ("Jobs_GetHoldReasons".to_string(), ListShape::Data),
                ("Named_Get".to_string(), ListShape::TopLevel),
            ],
            "the paged list, the single record and the unnamed inline items are not"
        );
        records_for_lists(&mut doc);
        let records = |v: &Value| v["x-rust-type"]["path"] == RECORDS_PATH;
        assert!(records(
            &doc["paths"]["/changes"]["get"]["responses"]["200"]["content"]["application/json"]
                ["schema"]
        ));
        assert!(records(&doc["components"]["schemas"]["Changes"]));
        let page = &doc["components"]["schemas"]["ReasonPage"];
        assert!(records(&page["properties"]["data"]));
        assert_eq!(page["required"], json!(["data"]));
        assert!(!records(
            &doc["paths"]["/inline"]["get"]["responses"]["200"]["content"]["application/json"]
                ["schema"]
        ));
    }
}
