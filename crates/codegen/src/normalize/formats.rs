//! Formats mapped to the SDK's own Rust types through typify's `x-rust-type` extension, so every
//! domain crate shares `servicetitan_core::types::{DateTime, Date, Decimal}`.

use serde_json::{json, Map, Value};

/// The crate the `x-rust-type` paths point into.
pub const CORE_CRATE: &str = "servicetitan-core";

fn rust_type(path: &str) -> Value {
    json!({"crate": CORE_CRATE, "version": "*", "path": path})
}

/// `number/decimal` → `Decimal` (money is never f64), `string/date-time` → `DateTime`,
/// `string/date` → `Date`.
pub fn map_formats(schema: &mut Map<String, Value>) {
    let ty = schema.get("type").and_then(Value::as_str);
    let format = schema.get("format").and_then(Value::as_str);
    let path = match (ty, format) {
        (Some("number"), Some("decimal")) => "servicetitan_core::types::Decimal",
        (Some("string"), Some("date-time")) => "servicetitan_core::types::DateTime",
        (Some("string"), Some("date")) => "servicetitan_core::types::Date",
        _ => return,
    };
    schema.insert("x-rust-type".into(), rust_type(path));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_and_dates_point_at_core_types() {
        let mut s = json!({"type": "number", "format": "decimal", "description": "Total"});
        map_formats(s.as_object_mut().unwrap());
        assert_eq!(
            s["x-rust-type"]["path"],
            "servicetitan_core::types::Decimal"
        );
        assert_eq!(s["description"], "Total");
        let mut s = json!({"type": "string", "format": "date-time"});
        map_formats(s.as_object_mut().unwrap());
        assert_eq!(
            s["x-rust-type"]["path"],
            "servicetitan_core::types::DateTime"
        );
        let mut s = json!({"type": "string", "format": "date"});
        map_formats(s.as_object_mut().unwrap());
        assert_eq!(s["x-rust-type"]["path"], "servicetitan_core::types::Date");
        let mut s = json!({"type": "number", "format": "double"});
        map_formats(s.as_object_mut().unwrap());
        assert!(s.get("x-rust-type").is_none());
    }
}
