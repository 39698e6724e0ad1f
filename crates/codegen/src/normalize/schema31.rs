//! Schema-level rewrites from OpenAPI 3.1 (JSON Schema 2020-12) to the 3.0 dialect progenitor
//! reads, plus the SDK's forward-compatibility rules.

use serde_json::{json, Map, Value};

/// `type: [T, "null"]` → `type: T, nullable: true`. A lone `type: "null"` becomes an untyped
/// nullable schema; several non-null types drop `type` (any value).
pub fn nullable_type_arrays(schema: &mut Map<String, Value>) {
    match schema.get("type") {
        Some(Value::Array(types)) => {
            let non_null: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
            let had_null = non_null.len() != types.len();
            match non_null.len() {
                1 => {
                    schema.insert("type".into(), non_null[0].clone());
                }
                _ => {
                    schema.remove("type");
                }
            }
            if had_null {
                schema.insert("nullable".into(), Value::Bool(true));
            }
        }
        Some(Value::String(t)) if t == "null" => {
            schema.remove("type");
            schema.insert("nullable".into(), Value::Bool(true));
        }
        _ => {}
    }
}

/// `oneOf: [{$ref}]` (a wrapper that only carries a description) and
/// `oneOf: [{$ref}, {type: "null"}]` (a nullable reference) become `allOf: [{$ref}]`, which
/// typify reads as the referenced type while keeping the description for the doc comment.
/// A `type` beside such a `oneOf` (query parameters: `type: string, oneOf: [{$ref: enum}]`) is
/// dropped: the reference is the truth.
pub fn ref_wrappers(schema: &mut Map<String, Value>) {
    let Some(Value::Array(one_of)) = schema.get("oneOf") else {
        return;
    };
    let is_null = |v: &Value| {
        v.get("type") == Some(&json!("null"))
            || (v.get("nullable") == Some(&json!(true))
                && v.as_object().is_some_and(|o| o.len() == 1))
    };
    let refs: Vec<Value> = one_of.iter().filter(|v| !is_null(v)).cloned().collect();
    let had_null = refs.len() != one_of.len();
    let only_refs = refs.iter().all(|v| v.get("$ref").is_some());
    if !only_refs || refs.is_empty() {
        if had_null {
            schema.insert("oneOf".into(), Value::Array(refs));
            schema.insert("nullable".into(), Value::Bool(true));
        }
        return;
    }
    schema.remove("oneOf");
    schema.remove("type");
    schema.remove("format");
    if refs.len() == 1 {
        schema.insert("allOf".into(), Value::Array(refs));
    } else {
        schema.insert("oneOf".into(), Value::Array(refs));
    }
    if had_null {
        schema.insert("nullable".into(), Value::Bool(true));
    }
}

/// 3.1 schemas carry `examples: [..]`; 3.0 has only `example`. Examples are documentation, and
/// some contradict the schema, so they are dropped rather than converted.
pub fn drop_examples(schema: &mut Map<String, Value>) {
    if matches!(schema.get("examples"), Some(Value::Array(_))) {
        schema.remove("examples");
    }
    schema.remove("example");
    schema.remove("$schema");
    schema.remove("$id");
}

/// `additionalProperties: false` would become `#[serde(deny_unknown_fields)]`; the API adds
/// fields all the time, so an unknown field must be ignored, never fail the page.
pub fn allow_unknown_fields(schema: &mut Map<String, Value>) {
    if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
        schema.remove("additionalProperties");
    }
}

/// Integer enums (`enum: [0, 1, 2]`) become plain integers: typify would reject any value not
/// listed, and these (.NET flags and codes) grow without notice.
pub fn open_integer_enums(schema: &mut Map<String, Value>) {
    if schema.get("type") == Some(&json!("integer")) && schema.contains_key("enum") {
        schema.remove("enum");
    }
}

/// String constraints (`pattern`, `minLength`, `maxLength`) become validating newtypes in
/// typify, so a value the server sends outside them (a longer name, a colour not in `#RRGGBB`)
/// would fail the page. The server validates what it receives; the SDK does not second-guess it.
pub fn drop_string_constraints(schema: &mut Map<String, Value>) {
    for key in ["pattern", "minLength", "maxLength"] {
        schema.remove(key);
    }
}

/// 3.1-only numeric keywords: `exclusiveMinimum: 5` (a number) is 3.0's
/// `minimum: 5, exclusiveMinimum: true`; `const: v` is `enum: [v]`.
pub fn numeric_keywords(schema: &mut Map<String, Value>) {
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n) = schema.get(exclusive).filter(|v| v.is_number()).cloned() {
            schema.insert(bound.into(), n);
            schema.insert(exclusive.into(), Value::Bool(true));
        }
    }
    if let Some(c) = schema.remove("const") {
        schema.insert("enum".into(), Value::Array(vec![c]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(f: fn(&mut Map<String, Value>), v: Value) -> Value {
        let mut v = v;
        f(v.as_object_mut().unwrap());
        v
    }

    #[test]
    fn type_arrays_become_nullable() {
        assert_eq!(
            apply(
                nullable_type_arrays,
                json!({"type": ["string", "null"], "format": "date-time"})
            ),
            json!({"type": "string", "format": "date-time", "nullable": true})
        );
        assert_eq!(
            apply(
                nullable_type_arrays,
                json!({"type": ["array", "null"], "items": {"type": "integer"}})
            ),
            json!({"type": "array", "items": {"type": "integer"}, "nullable": true})
        );
        assert_eq!(
            apply(nullable_type_arrays, json!({"type": "null"})),
            json!({"nullable": true})
        );
        assert_eq!(
            apply(nullable_type_arrays, json!({"type": ["string", "integer"]})),
            json!({})
        );
        assert_eq!(
            apply(nullable_type_arrays, json!({"type": "string"})),
            json!({"type": "string"})
        );
    }

    #[test]
    fn description_only_one_of_becomes_all_of() {
        assert_eq!(
            apply(
                ref_wrappers,
                json!({"oneOf": [{"$ref": "#/components/schemas/A"}], "description": "d"})
            ),
            json!({"allOf": [{"$ref": "#/components/schemas/A"}], "description": "d"})
        );
    }

    #[test]
    fn nullable_reference_becomes_nullable_all_of() {
        assert_eq!(
            apply(
                ref_wrappers,
                json!({"oneOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]})
            ),
            json!({"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true})
        );
    }

    #[test]
    fn parameter_type_beside_enum_reference_is_dropped() {
        assert_eq!(
            apply(
                ref_wrappers,
                json!({"type": "string", "oneOf": [{"$ref": "#/components/schemas/E"}]})
            ),
            json!({"allOf": [{"$ref": "#/components/schemas/E"}]})
        );
    }

    #[test]
    fn real_unions_are_kept() {
        let v = json!({"oneOf": [{"$ref": "#/a"}, {"type": "string"}]});
        assert_eq!(apply(ref_wrappers, v.clone()), v);
    }

    #[test]
    fn examples_and_closed_objects_and_integer_enums() {
        assert_eq!(
            apply(drop_examples, json!({"type": "string", "examples": ["x"]})),
            json!({"type": "string"})
        );
        assert_eq!(
            apply(
                allow_unknown_fields,
                json!({"type": "object", "additionalProperties": false})
            ),
            json!({"type": "object"})
        );
        let map = json!({"type": "object", "additionalProperties": {"type": "string"}});
        assert_eq!(apply(allow_unknown_fields, map.clone()), map);
        assert_eq!(
            apply(
                open_integer_enums,
                json!({"type": "integer", "enum": [0, 1]})
            ),
            json!({"type": "integer"})
        );
        let strings = json!({"type": "string", "enum": ["A"]});
        assert_eq!(apply(open_integer_enums, strings.clone()), strings);
    }

    #[test]
    fn string_constraints_are_dropped() {
        assert_eq!(
            apply(
                drop_string_constraints,
                json!({"type": "string", "pattern": "^#([0-9A-F]{6})$", "maxLength": 7, "minLength": 1})
            ),
            json!({"type": "string"})
        );
    }

    #[test]
    fn numeric_31_keywords() {
        assert_eq!(
            apply(
                numeric_keywords,
                json!({"type": "integer", "exclusiveMinimum": 0})
            ),
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true})
        );
        assert_eq!(
            apply(numeric_keywords, json!({"const": "x"})),
            json!({"enum": ["x"]})
        );
    }
}
