//! `anyOf`/`oneOf` of object schemas without a discriminator → one object with every field.
//!
//! typify turns such a union into a struct of `#[serde(flatten)] Option<Alternative>` members:
//! each alternative is tried on the same object, a failing one silently becomes `None` (one
//! `null` list is enough), and writing it back repeats keys. The forms module's submission units
//! (`FormSubmission_GetFormSubmissions`: sections, text, number, stoplight… fields) are such a
//! union, and their alternatives cannot be told apart: several share the same required fields
//! and the free-text `type` has no listed values. So the union becomes **one object schema with
//! the union of the alternatives' properties**: a property the alternatives agree on keeps its
//! schema (typed), one they disagree on (`value`: text, number, date-time or stoplight colour)
//! becomes any JSON value (`serde_json::Value`), so nothing any alternative carries is lost.
//! A union with a `discriminator` is left to typify (a tagged enum).

use super::walk::{schema_ref_name, visit_schemas};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// Merges every object union of the document.
pub fn merge_object_unions(doc: &mut Value) {
    let components = doc
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_else(|| json!({}));
    visit_schemas(doc, &mut |s| merge(s, &components));
}

fn resolve<'a>(components: &'a Value, schema: &'a Value) -> Option<&'a Map<String, Value>> {
    let mut s = schema;
    for _ in 0..8 {
        match s
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(schema_ref_name)
        {
            Some(name) => s = components.get(name)?,
            None => break,
        }
    }
    let obj = s.as_object()?;
    (obj.get("properties").is_some_and(Value::is_object)).then_some(obj)
}

fn without_docs(schema: &Value) -> Value {
    let mut s = schema.clone();
    if let Some(o) = s.as_object_mut() {
        o.remove("description");
        o.remove("title");
    }
    s
}

fn merge(s: &mut Map<String, Value>, components: &Value) {
    if s.contains_key("discriminator") {
        return;
    }
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(alternatives)) = s.get(key).cloned() else {
            continue;
        };
        let is_null = |a: &Value| a.get("type").and_then(Value::as_str) == Some("null");
        let nullable = alternatives.iter().any(is_null);
        let objects: Option<Vec<(String, &Map<String, Value>)>> = alternatives
            .iter()
            .filter(|a| !is_null(a))
            .map(|a| {
                let name = a
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(schema_ref_name)
                    .unwrap_or("inline")
                    .to_string();
                resolve(components, a).map(|o| (name, o))
            })
            .collect();
        let Some(objects) = objects.filter(|o| o.len() > 1) else {
            continue;
        };
        let mut properties = Map::new();
        let mut conflicts = BTreeSet::new();
        for (_, alt) in &objects {
            for (prop, schema) in alt["properties"].as_object().into_iter().flatten() {
                match properties.get(prop) {
                    None => {
                        properties.insert(prop.clone(), schema.clone());
                    }
                    Some(seen) if without_docs(seen) == without_docs(schema) => {}
                    Some(_) => {
                        conflicts.insert(prop.clone());
                    }
                }
            }
        }
        for prop in &conflicts {
            let kinds: Vec<&str> = objects
                .iter()
                .filter(|(_, o)| o["properties"].get(prop).is_some())
                .map(|(n, _)| n.rsplit('.').next().unwrap_or(n))
                .collect();
            properties.insert(
                prop.clone(),
                json!({"description": format!("Any JSON value: its type depends on the kind ({}).", kinds.join(", "))}),
            );
        }
        let required: Vec<Value> = objects[0]
            .1
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|r| {
                objects.iter().all(|(_, o)| {
                    o.get("required")
                        .and_then(Value::as_array)
                        .is_some_and(|req| req.contains(r))
                })
            })
            .cloned()
            .collect();
        let names: Vec<&str> = objects
            .iter()
            .map(|(n, _)| n.rsplit('.').next().unwrap_or(n))
            .collect();
        s.remove(key);
        s.insert("type".into(), json!("object"));
        s.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            s.insert("required".into(), Value::Array(required));
        }
        if nullable {
            s.insert("nullable".into(), json!(true));
        }
        s.entry("description").or_insert_with(|| {
            json!(format!(
                "One of: {} (`{key}` without a discriminator). Every field of every kind is kept; fields the kinds type differently are any JSON value.",
                names.join(", ")
            ))
        });
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternatives_merge_into_one_object_keeping_every_field() {
        let mut doc = json!({"components": {"schemas": {
            "Sub": {"type": "object", "properties": {
                "units": {"type": "array", "items": {"anyOf": [
                    {"$ref": "#/components/schemas/Text"},
                    {"$ref": "#/components/schemas/Number"}
                ]}}
            }},
            "Text": {"type": "object", "required": ["id", "value"], "properties": {
                "id": {"type": "string"}, "value": {"type": "string"}, "comment": {"type": "string", "description": "c"}}},
            "Number": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"}, "value": {"type": "number"}, "comment": {"type": "string"}}},
            "Tagged": {"oneOf": [{"$ref": "#/components/schemas/Text"}, {"$ref": "#/components/schemas/Number"}],
                       "discriminator": {"propertyName": "kind"}}
        }}});
        merge_object_unions(&mut doc);
        let units = &doc["components"]["schemas"]["Sub"]["properties"]["units"]["items"];
        assert!(units.get("anyOf").is_none());
        assert_eq!(units["type"], "object");
        assert_eq!(units["required"], json!(["id"]));
        assert_eq!(units["properties"]["id"], json!({"type": "string"}));
        assert_eq!(
            units["properties"]["comment"]["type"], "string",
            "agreeing fields stay typed"
        );
        assert!(
            units["properties"]["value"].get("type").is_none(),
            "disagreeing fields are any JSON"
        );
        assert!(units["properties"]["value"]["description"]
            .as_str()
            .unwrap()
            .contains("Text, Number"));
        assert!(
            doc["components"]["schemas"]["Tagged"]
                .get("oneOf")
                .is_some(),
            "discriminated unions untouched"
        );
    }
}
