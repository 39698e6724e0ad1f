//! Reading parameter and record schemas of a patched (3.1) document, for the tables the CLI's
//! and the sync's build scripts write: `$ref`s inside the document, single-member
//! `allOf`/`oneOf`/`anyOf` wrappers, `type: [T, "null"]` arrays, and a record's CSV columns.
//!
//! (The inventory resolves envelopes its own, narrower way — first member of a `oneOf` with
//! nulls — which decides operation kinds; it is kept apart so kinds do not move.)

use serde_json::Value;

/// Follows `$ref`s and single-member wrappers to the schema that says what the value is.
pub fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..16 {
        if let Some(reference) = s.get("$ref").and_then(Value::as_str) {
            let Some(pointer) = reference.strip_prefix('#') else {
                return s;
            };
            match doc.pointer(pointer) {
                Some(target) => s = target,
                None => return s,
            }
            continue;
        }
        let wrapped = ["allOf", "oneOf", "anyOf"].iter().find_map(|k| {
            let members: Vec<&Value> = s
                .get(*k)?
                .as_array()?
                .iter()
                .filter(|m| type_name(m) != Some("null"))
                .collect();
            (members.len() == 1).then(|| members[0])
        });
        match wrapped {
            Some(inner) => s = inner,
            None => return s,
        }
    }
    s
}

/// The schema's `type`, ignoring a `"null"` member of a type array.
pub fn type_name(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(t) => Some(t),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ => None,
    }
}

/// The enum values of a (resolved) schema, as the strings sent on the wire.
pub fn enum_values(schema: &Value) -> Vec<String> {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

/// The columns of a record schema for CSV: each scalar property by name, nested objects as
/// `parent.child` (a few levels deep), arrays and deeper objects as one JSON-valued column.
pub fn columns(doc: &Value, schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_columns(doc, schema, "", 0, &mut out);
    out
}

const MAX_DEPTH: usize = 2;

fn collect_columns(doc: &Value, schema: &Value, prefix: &str, depth: usize, out: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, prop) in props {
        let column = format!("{prefix}{name}");
        let resolved = resolve(doc, prop);
        let is_object = type_name(resolved) == Some("object")
            || (type_name(resolved).is_none() && resolved.get("properties").is_some());
        let has_props = resolved
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty());
        if is_object && has_props && depth < MAX_DEPTH {
            collect_columns(doc, resolved, &format!("{column}."), depth + 1, out);
        } else {
            out.push(column);
        }
    }
}
