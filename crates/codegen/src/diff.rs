//! What a spec refresh changes: a small, committed **summary** of each module's spec and the
//! difference between two summaries.
//!
//! The spec documents are ServiceTitan's and never committed, so `cargo xtask specs check` needs a
//! baseline to compare a freshly fetched document against. That baseline is
//! `specs/summary/<api_id>.json`: the list of operations (method, path, operationId) and, for
//! every schema under `components.schemas`, the names of its properties — nothing else of the
//! spec text. `cargo xtask specs accept` writes it; `check` diffs the spec on disk against it.
//!
//! ```
//! use servicetitan_codegen::diff::{diff, Summary};
//! let old = Summary::from_spec("tenant-x-v2", "", &serde_json::json!({
//!     "paths": { "/a": { "get": { "operationId": "A_Get" } } },
//!     "components": { "schemas": { "A": { "properties": { "id": {} } } } }
//! }));
//! let new = Summary::from_spec("tenant-x-v2", "", &serde_json::json!({
//!     "paths": { "/a": { "get": { "operationId": "A_Get" }, "post": { "operationId": "A_Create" } } },
//!     "components": { "schemas": { "A": { "properties": { "id": {}, "name": {} } } } }
//! }));
//! let d = diff(&old, &new);
//! assert_eq!(d.operations_added.len(), 1);
//! assert_eq!(d.fields_added, vec![("A".to_string(), "name".to_string())]);
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// HTTP methods that are operations in an OpenAPI path item, in display order.
pub const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "patch", "delete", "head", "options", "trace",
];

/// One operation: upper-case method, path template and operationId (empty if the spec has none).
///
/// Serialized as a compact `["GET", "/path", "OperationId"]` triple.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "(String, String, String)", into = "(String, String, String)")]
pub struct OperationRef {
    /// `GET`, `POST`, …
    pub method: String,
    /// Path template as in the spec, e.g. `/tenant/{tenant}/jobs/{id}`.
    pub path: String,
    /// `operationId`, or empty.
    pub operation_id: String,
}

impl From<(String, String, String)> for OperationRef {
    fn from((method, path, operation_id): (String, String, String)) -> Self {
        OperationRef {
            method,
            path,
            operation_id,
        }
    }
}

impl From<OperationRef> for (String, String, String) {
    fn from(op: OperationRef) -> Self {
        (op.method, op.path, op.operation_id)
    }
}

impl fmt::Display for OperationRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = if self.operation_id.is_empty() {
            "(no operationId)"
        } else {
            &self.operation_id
        };
        write!(f, "{:<6} {}  {}", self.method, self.path, id)
    }
}

/// The committed, derived summary of one module's spec.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Portal api id, e.g. `tenant-jpm-v2`.
    pub api_id: String,
    /// sha256 of the spec file the summary was taken from.
    pub sha256: String,
    /// Every operation, sorted by path, then method.
    pub operations: Vec<OperationRef>,
    /// `components.schemas` name → sorted property names (empty for enums and other
    /// property-less schemas).
    pub schemas: BTreeMap<String, Vec<String>>,
}

/// Errors reading a summary file.
#[derive(Debug)]
pub struct SummaryError(pub String);

impl fmt::Display for SummaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SummaryError {}

impl Summary {
    /// Extracts the summary of a raw (3.1 or 3.0) spec document. Never fails: parts of the
    /// document that are missing or of an unexpected shape contribute nothing.
    pub fn from_spec(api_id: &str, sha256: &str, spec: &Value) -> Summary {
        Summary {
            api_id: api_id.to_string(),
            sha256: sha256.to_string(),
            operations: operations(spec),
            schemas: schemas(spec),
        }
    }

    /// Number of operations.
    pub fn operation_count(&self) -> usize {
        self.operations.len()
    }

    /// Number of schema fields, over all schemas.
    pub fn field_count(&self) -> usize {
        self.schemas.values().map(Vec::len).sum()
    }

    /// Parses a summary file's text.
    pub fn from_json_str(text: &str) -> Result<Summary, SummaryError> {
        serde_json::from_str(text).map_err(|e| SummaryError(format!("invalid summary: {e}")))
    }

    /// The summary file's text: JSON with one operation and one schema per line, so that the
    /// committed file's git diff reads like the change itself. Ends with a newline.
    pub fn to_json_string(&self) -> String {
        let s = |v: &str| Value::String(v.to_string()).to_string();
        let mut out = String::new();
        out.push_str("{\n");
        out.push_str(&format!("  \"api_id\": {},\n", s(&self.api_id)));
        out.push_str(&format!("  \"sha256\": {},\n", s(&self.sha256)));
        if self.operations.is_empty() {
            out.push_str("  \"operations\": [],\n");
        } else {
            out.push_str("  \"operations\": [\n");
            for (i, op) in self.operations.iter().enumerate() {
                let sep = if i + 1 < self.operations.len() {
                    ","
                } else {
                    ""
                };
                out.push_str(&format!(
                    "    [{}, {}, {}]{sep}\n",
                    s(&op.method),
                    s(&op.path),
                    s(&op.operation_id)
                ));
            }
            out.push_str("  ],\n");
        }
        if self.schemas.is_empty() {
            out.push_str("  \"schemas\": {}\n");
        } else {
            out.push_str("  \"schemas\": {\n");
            for (i, (name, fields)) in self.schemas.iter().enumerate() {
                let sep = if i + 1 < self.schemas.len() { "," } else { "" };
                let fields: Vec<String> = fields.iter().map(|f| s(f)).collect();
                out.push_str(&format!("    {}: [{}]{sep}\n", s(name), fields.join(", ")));
            }
            out.push_str("  }\n");
        }
        out.push_str("}\n");
        out
    }
}

/// All operations of a spec, sorted by path, then method.
pub fn operations(spec: &Value) -> Vec<OperationRef> {
    let mut ops = Vec::new();
    if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for method in HTTP_METHODS {
                if let Some(op) = item.get(method) {
                    ops.push(OperationRef {
                        method: method.to_ascii_uppercase(),
                        path: path.clone(),
                        operation_id: op
                            .get("operationId")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    });
                }
            }
        }
    }
    ops.sort_by(|a, b| {
        (&a.path, method_rank(&a.method), &a.operation_id).cmp(&(
            &b.path,
            method_rank(&b.method),
            &b.operation_id,
        ))
    });
    ops
}

fn method_rank(method: &str) -> usize {
    HTTP_METHODS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(method))
        .unwrap_or(HTTP_METHODS.len())
}

/// `components.schemas` name → sorted property names. Properties of inline `allOf` members are
/// counted as the schema's own (a `$ref` member's properties belong to the referenced schema).
pub fn schemas(spec: &Value) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    if let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            let mut fields = BTreeSet::new();
            collect_properties(schema, &mut fields);
            out.insert(name.clone(), fields.into_iter().collect());
        }
    }
    out
}

fn collect_properties(schema: &Value, fields: &mut BTreeSet<String>) {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        fields.extend(props.keys().cloned());
    }
    if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
        for member in members {
            if member.get("$ref").is_none() {
                collect_properties(member, fields);
            }
        }
    }
}

/// What changed between two summaries of the same module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SummaryDiff {
    /// Operations in the new summary only.
    pub operations_added: Vec<OperationRef>,
    /// Operations in the old summary only.
    pub operations_removed: Vec<OperationRef>,
    /// Whole schemas in the new summary only, with their fields.
    pub schemas_added: Vec<(String, Vec<String>)>,
    /// Whole schemas in the old summary only, with their fields.
    pub schemas_removed: Vec<(String, Vec<String>)>,
    /// `(schema, field)` of fields added to schemas present in both.
    pub fields_added: Vec<(String, String)>,
    /// `(schema, field)` of fields removed from schemas present in both.
    pub fields_removed: Vec<(String, String)>,
}

impl SummaryDiff {
    /// True when nothing was added or removed.
    pub fn is_empty(&self) -> bool {
        self.operations_added.is_empty()
            && self.operations_removed.is_empty()
            && self.schemas_added.is_empty()
            && self.schemas_removed.is_empty()
            && self.fields_added.is_empty()
            && self.fields_removed.is_empty()
    }

    /// One-line count, e.g. `+2/-0 ops, +1/-0 schemas, +5/-1 fields`.
    pub fn counts(&self) -> String {
        format!(
            "+{}/-{} ops, +{}/-{} schemas, +{}/-{} fields",
            self.operations_added.len(),
            self.operations_removed.len(),
            self.schemas_added.len(),
            self.schemas_removed.len(),
            self.fields_added.len(),
            self.fields_removed.len()
        )
    }
}

/// The difference `old → new`. Operations are compared as whole (method, path, operationId)
/// triples, so a renamed operationId shows as one removal and one addition.
pub fn diff(old: &Summary, new: &Summary) -> SummaryDiff {
    let old_ops: BTreeSet<&OperationRef> = old.operations.iter().collect();
    let new_ops: BTreeSet<&OperationRef> = new.operations.iter().collect();
    let keep_order = |ops: &[OperationRef], other: &BTreeSet<&OperationRef>| {
        ops.iter()
            .filter(|op| !other.contains(op))
            .cloned()
            .collect::<Vec<_>>()
    };
    let mut d = SummaryDiff {
        operations_added: keep_order(&new.operations, &old_ops),
        operations_removed: keep_order(&old.operations, &new_ops),
        ..SummaryDiff::default()
    };
    for (name, fields) in &new.schemas {
        match old.schemas.get(name) {
            None => d.schemas_added.push((name.clone(), fields.clone())),
            Some(old_fields) => {
                let old_set: BTreeSet<&String> = old_fields.iter().collect();
                let new_set: BTreeSet<&String> = fields.iter().collect();
                d.fields_added.extend(
                    new_set
                        .difference(&old_set)
                        .map(|f| (name.clone(), (*f).clone())),
                );
                d.fields_removed.extend(
                    old_set
                        .difference(&new_set)
                        .map(|f| (name.clone(), (*f).clone())),
                );
            }
        }
    }
    for (name, fields) in &old.schemas {
        if !new.schemas.contains_key(name) {
            d.schemas_removed.push((name.clone(), fields.clone()));
        }
    }
    d
}

impl fmt::Display for SummaryDiff {
    /// A readable list, `+` for added and `-` for removed, one item a line, grouped as
    /// operations, schemas, fields. Prints `no operation or schema field added or removed` when
    /// empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return writeln!(f, "  no operation or schema field added or removed");
        }
        let section =
            |f: &mut fmt::Formatter<'_>, title: &str, n: usize| writeln!(f, "  {title} ({n}):");
        if !self.operations_added.is_empty() {
            section(f, "operations added", self.operations_added.len())?;
            for op in &self.operations_added {
                writeln!(f, "    + {op}")?;
            }
        }
        if !self.operations_removed.is_empty() {
            section(f, "operations removed", self.operations_removed.len())?;
            for op in &self.operations_removed {
                writeln!(f, "    - {op}")?;
            }
        }
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        if !self.schemas_added.is_empty() {
            section(f, "schemas added", self.schemas_added.len())?;
            for (name, fields) in &self.schemas_added {
                let n = fields.len();
                writeln!(
                    f,
                    "    + components.schemas.{name} ({n} field{})",
                    plural(n)
                )?;
            }
        }
        if !self.schemas_removed.is_empty() {
            section(f, "schemas removed", self.schemas_removed.len())?;
            for (name, fields) in &self.schemas_removed {
                let n = fields.len();
                writeln!(
                    f,
                    "    - components.schemas.{name} ({n} field{})",
                    plural(n)
                )?;
            }
        }
        if !self.fields_added.is_empty() {
            section(f, "fields added", self.fields_added.len())?;
            for (schema, field) in &self.fields_added {
                writeln!(f, "    + components.schemas.{schema}.properties.{field}")?;
            }
        }
        if !self.fields_removed.is_empty() {
            section(f, "fields removed", self.fields_removed.len())?;
            for (schema, field) in &self.fields_removed {
                writeln!(f, "    - components.schemas.{schema}.properties.{field}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec_v1() -> Value {
        json!({
            "openapi": "3.1.0",
            "paths": {
                "/tenant/{tenant}/jobs": {
                    "parameters": [],
                    "post": { "operationId": "Jobs_Create" },
                    "get": { "operationId": "Jobs_GetList" }
                },
                "/tenant/{tenant}/jobs/{id}": {
                    "get": { "operationId": "Jobs_Get" },
                    "delete": {}
                }
            },
            "components": { "schemas": {
                "Job": { "type": "object", "properties": { "id": {}, "number": {}, "status": {} } },
                "Status": { "enum": ["A", "B"], "type": "string" },
                "Old": { "properties": { "x": {} } }
            } }
        })
    }

    fn spec_v2() -> Value {
        json!({
            "openapi": "3.1.0",
            "paths": {
                "/tenant/{tenant}/jobs": {
                    "get": { "operationId": "Jobs_GetList" },
                    "post": { "operationId": "Jobs_Create" }
                },
                "/tenant/{tenant}/jobs/{id}": {
                    "get": { "operationId": "Jobs_Get" },
                    "patch": { "operationId": "Jobs_Update" }
                }
            },
            "components": { "schemas": {
                "Job": { "type": "object", "properties": { "id": {}, "status": {}, "summary": {} } },
                "Status": { "enum": ["A", "B", "C"], "type": "string" },
                "New": { "allOf": [ { "$ref": "#/components/schemas/Job" }, { "properties": { "extra": {} } } ] }
            } }
        })
    }

    #[test]
    fn extracts_operations_sorted_and_schemas() {
        let s = Summary::from_spec("tenant-jpm-v2", "abc", &spec_v1());
        let ops: Vec<String> = s.operations.iter().map(|o| o.to_string()).collect();
        assert_eq!(
            ops,
            vec![
                "GET    /tenant/{tenant}/jobs  Jobs_GetList",
                "POST   /tenant/{tenant}/jobs  Jobs_Create",
                "GET    /tenant/{tenant}/jobs/{id}  Jobs_Get",
                "DELETE /tenant/{tenant}/jobs/{id}  (no operationId)",
            ]
        );
        assert_eq!(s.operation_count(), 4);
        assert_eq!(s.schemas["Job"], vec!["id", "number", "status"]);
        assert!(s.schemas["Status"].is_empty());
        assert_eq!(s.field_count(), 4);
    }

    #[test]
    fn diff_lists_added_and_removed() {
        let a = Summary::from_spec("m", "1", &spec_v1());
        let b = Summary::from_spec("m", "2", &spec_v2());
        let d = diff(&a, &b);
        assert_eq!(d.operations_added.len(), 1);
        assert_eq!(d.operations_added[0].operation_id, "Jobs_Update");
        assert_eq!(d.operations_removed.len(), 1);
        assert_eq!(d.operations_removed[0].method, "DELETE");
        assert_eq!(d.schemas_added, vec![("New".into(), vec!["extra".into()])]);
        assert_eq!(d.schemas_removed, vec![("Old".into(), vec!["x".into()])]);
        assert_eq!(d.fields_added, vec![("Job".into(), "summary".into())]);
        assert_eq!(d.fields_removed, vec![("Job".into(), "number".into())]);
        assert_eq!(
            d.counts(),
            "+1/-1 ops, +1/-1 schemas, +1/-1 fields".to_string()
        );
        let text = d.to_string();
        assert!(text.contains("+ PATCH  /tenant/{tenant}/jobs/{id}  Jobs_Update"));
        assert!(text.contains("- components.schemas.Old (1 field)"));
        assert!(text.contains("+ components.schemas.Job.properties.summary"));
        assert!(text.contains("- components.schemas.Job.properties.number"));
    }

    #[test]
    fn same_spec_has_empty_diff() {
        let a = Summary::from_spec("m", "1", &spec_v1());
        let d = diff(&a, &a.clone());
        assert!(d.is_empty());
        assert!(d.to_string().contains("no operation or schema field"));
    }

    #[test]
    fn summary_text_round_trips() {
        let s = Summary::from_spec("tenant-jpm-v2", "abc", &spec_v2());
        let text = s.to_json_string();
        assert!(text.contains("    [\"GET\", \"/tenant/{tenant}/jobs\", \"Jobs_GetList\"],\n"));
        assert!(text.ends_with("}\n"));
        assert_eq!(Summary::from_json_str(&text).unwrap(), s);
        let empty = Summary::from_spec("x", "", &json!({}));
        assert_eq!(
            Summary::from_json_str(&empty.to_json_string()).unwrap(),
            empty
        );
    }

    #[test]
    fn odd_shapes_contribute_nothing() {
        let s = Summary::from_spec(
            "x",
            "",
            &json!({ "paths": { "/a": 3, "/b": { "get": true } }, "components": { "schemas": [] } }),
        );
        assert_eq!(s.operations.len(), 1);
        assert!(s.schemas.is_empty());
        assert!(Summary::from_json_str("{").is_err());
    }
}
