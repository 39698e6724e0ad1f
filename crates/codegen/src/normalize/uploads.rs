//! File uploads the specs declare as JSON bodies (`{file: string/binary}`) are really
//! `multipart/form-data`, which progenitor cannot generate. They are taken out of the document
//! given to progenitor and emitted by the SDK's own upload template instead.

use super::walk::for_each_operation;
use serde_json::Value;

/// An operation removed from the progenitor input because its body is a file upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    /// `operationId`.
    pub operation_id: String,
    /// Lower-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Name of the multipart field carrying the file.
    pub file_field: String,
    /// Whole operation, as in the spec (for docs and parameters).
    pub operation: Value,
}

/// The binary property of a JSON request body, if the body is an upload in disguise.
fn upload_field(op: &Value) -> Option<String> {
    let content = op.pointer("/requestBody/content")?.as_object()?;
    let schema = content.values().find_map(|m| m.get("schema"))?;
    let props = schema.get("properties")?.as_object()?;
    props.iter().find_map(|(name, p)| {
        (p.get("format").and_then(Value::as_str) == Some("binary")).then(|| name.clone())
    })
}

/// Removes upload operations from the document and returns them.
pub fn extract_uploads(doc: &mut Value) -> Vec<Upload> {
    let mut found = Vec::new();
    for_each_operation(doc, &mut |path, method, op| {
        if let Some(file_field) = upload_field(op) {
            found.push(Upload {
                operation_id: op["operationId"].as_str().unwrap_or_default().to_string(),
                method: method.to_string(),
                path: path.to_string(),
                file_field,
                operation: op.clone(),
            });
        }
    });
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for u in &found {
            if let Some(item) = paths.get_mut(&u.path).and_then(Value::as_object_mut) {
                item.remove(&u.method);
            }
        }
        paths.retain(|_, item| {
            item.as_object()
                .is_some_and(|o| o.keys().any(|k| k != "parameters" && !k.starts_with("x-")))
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn binary_json_bodies_are_extracted() {
        let mut doc = json!({"paths": {
            "/tenant/{tenant}/images": {
                "post": {"operationId": "Images_Post", "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}}},
                "get": {"operationId": "Images_Get"}
            },
            "/tenant/{tenant}/assets": {
                "post": {"operationId": "Assets_Post", "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}}}
            },
            "/tenant/{tenant}/notes": {
                "post": {"operationId": "Notes_Post", "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"text": {"type": "string"}}}}}}}
            }
        }});
        let ups = extract_uploads(&mut doc);
        let ids: Vec<_> = ups.iter().map(|u| u.operation_id.as_str()).collect();
        assert_eq!(ids, ["Assets_Post", "Images_Post"]);
        assert_eq!(ups[1].file_field, "file");
        assert!(doc["paths"]["/tenant/{tenant}/images"]
            .get("post")
            .is_none());
        assert!(doc["paths"]["/tenant/{tenant}/images"].get("get").is_some());
        assert!(doc["paths"].get("/tenant/{tenant}/assets").is_none());
        assert!(doc["paths"]["/tenant/{tenant}/notes"].get("post").is_some());
    }
}
