//! Parameter rewrites.

use serde_json::{json, Value};

/// `{tenant}` is an int64 everywhere but in marketing-reputation, where the spec says string;
/// the SDK binds each domain client to one numeric tenant, so it is int64 everywhere.
pub fn tenant_is_int64(op: &mut Value) {
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
        for p in params {
            if p.get("name") == Some(&json!("tenant")) && p.get("in") == Some(&json!("path")) {
                p["schema"] = json!({"type": "integer", "format": "int64"});
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_tenant_becomes_int64() {
        let mut op = json!({"parameters": [
            {"name": "tenant", "in": "path", "required": true, "schema": {"type": "string"}},
            {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}
        ]});
        tenant_is_int64(&mut op);
        assert_eq!(
            op["parameters"][0]["schema"],
            json!({"type": "integer", "format": "int64"})
        );
        assert_eq!(op["parameters"][1]["schema"], json!({"type": "string"}));
    }
}
