//! What operations a spec has, and of which kind.
//!
//! Works on a raw (3.1) or normalized document alike: it only follows `$ref`s inside the same
//! document. Kinds are detected from the spec, never listed by hand:
//! * **paged list** — `page` and `pageSize` query parameters and a response with `hasMore` and `data`;
//! * **export** — a `from` query parameter and a response with `continueFrom` and `data`;
//! * **download** — an octet-stream or redirect (`302`) response;
//! * **upload** — a request body with a `format: binary` property (really multipart).

use crate::normalize::walk::schema_ref_name;
use heck::ToSnakeCase;
use serde_json::Value;

pub use servicetitan_operation::{OperationKind, OperationPolicy, OwnedOperationMeta};

/// A parameter of an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parameter {
    /// Name in the API (`balanceFilter.Amount`).
    pub name: String,
    /// `path` or `query`.
    pub location: String,
    /// Whether the spec requires it.
    pub required: bool,
    /// Setter name progenitor gives it (`balance_filter_amount`).
    pub rust_name: String,
}

/// One operation: the shared model ([`OwnedOperationMeta`]: id, method, path, scopes, kind,
/// policy — what goes into the generated `OPERATIONS` table) plus what only the generator needs.
#[derive(Clone, Debug)]
pub struct Operation {
    /// The table entry, as it will be generated.
    pub meta: OwnedOperationMeta,
    /// Parameters in spec order.
    pub parameters: Vec<Parameter>,
    /// Whether there is a request body.
    pub has_body: bool,
    /// Component name of the success response, when it is a `$ref`.
    pub response_schema: Option<String>,
}

/// `op.operation_id`, `op.kind`, … read the table entry: the generator's view of an operation
/// extends the shared model rather than copying its fields.
impl std::ops::Deref for Operation {
    type Target = OwnedOperationMeta;
    fn deref(&self) -> &OwnedOperationMeta {
        &self.meta
    }
}

impl std::ops::DerefMut for Operation {
    fn deref_mut(&mut self) -> &mut OwnedOperationMeta {
        &mut self.meta
    }
}

/// The policy of an operation, detected from its shape like its kind: a report run
/// (`POST …/reports/{reportId}/data`) has a limit of its own per report and retries `409`.
fn policy(method: &str, path: &str) -> OperationPolicy<String> {
    let report = OperationPolicy::REPORT_DATA;
    let key = report.limit_key.unwrap_or_default();
    // A run is `POST …/reports/{reportId}/data` or its asynchronous form `…/data/query`; polls
    // (`…/data-queries/{token}`) carry no report id and are not runs (see the README's Reports).
    let run = |suffix: &str| path.ends_with(&format!("/reports/{{{key}}}/{suffix}"));
    if method.eq_ignore_ascii_case("post") && (run("data") || run("data/query")) {
        report.to_owned_policy()
    } else {
        OperationPolicy::default()
    }
}

/// A name with the characters progenitor treats as word breaks turned into `-`, ready for heck's
/// case conversions (`balanceFilter.Amount` → `balanceFilter-Amount`).
pub(crate) fn word_separated(name: &str) -> String {
    name.replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Rust identifier the way progenitor derives it (snake case; `_` appended to keywords).
pub fn rust_ident(name: &str) -> String {
    let cleaned = word_separated(name);
    let mut out = cleaned.to_snake_case();
    if out.is_empty() {
        out = "x".into();
    }
    if out
        .chars()
        .next()
        .is_some_and(|c| !(c.is_alphabetic() || c == '_'))
    {
        out = format!("_{out}");
    }
    if syn::parse_str::<syn::Ident>(&out).is_err() {
        out.push('_');
    }
    out
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let mut s = schema;
    for _ in 0..8 {
        if let Some(name) = s
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(schema_ref_name)
        {
            match doc.pointer(&format!(
                "/components/schemas/{}",
                name.replace('~', "~0").replace('/', "~1")
            )) {
                Some(t) => s = t,
                None => return s,
            }
        } else if let Some(Value::Array(all)) = s.get("allOf").or_else(|| s.get("oneOf")) {
            match all.first() {
                Some(first)
                    if all.len() == 1
                        || all
                            .iter()
                            .skip(1)
                            .all(|v| v.get("type") == Some(&Value::String("null".into()))) =>
                {
                    s = first
                }
                _ => return s,
            }
        } else {
            return s;
        }
    }
    s
}

fn success_response(op: &Value) -> Option<(&String, &Value)> {
    let responses = op.get("responses")?.as_object()?;
    responses
        .iter()
        .find(|(code, _)| code.starts_with('2'))
        .or_else(|| responses.iter().find(|(c, _)| c.starts_with('3')))
}

/// Lists the operations of a document, sorted by path then method.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if !["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            out.push(describe(doc, path, method, op, item.get("parameters")));
        }
    }
    out
}

fn describe(
    doc: &Value,
    path: &str,
    method: &str,
    op: &Value,
    shared: Option<&Value>,
) -> Operation {
    let operation_id = op
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut parameters = Vec::new();
    for p in shared
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .chain(
            op.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        )
    {
        let name = p
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let location = p
            .get("in")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let required = p
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(location == "path");
        parameters.push(Parameter {
            rust_name: rust_ident(&name),
            name,
            location,
            required,
        });
    }
    let scopes = op
        .get("security")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|req| {
            req.get("oauth")
                .or_else(|| req.as_object().and_then(|o| o.values().next()))
        })
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(Value::as_str)
        .map(String::from)
        .collect();
    let has_query = |n: &str| {
        parameters
            .iter()
            .any(|p| p.location == "query" && p.name == n)
    };

    let success = success_response(op);
    let body_schema = success.and_then(|(_, r)| {
        let content = r.get("content")?.as_object()?;
        content
            .get("application/json")
            .or_else(|| content.values().next())
            .and_then(|m| m.get("schema"))
    });
    let response_schema = body_schema
        .and_then(|s| s.get("$ref").and_then(Value::as_str))
        .and_then(schema_ref_name)
        .map(String::from);
    let envelope = body_schema.map(|s| resolve(doc, s));
    let props = envelope
        .and_then(|e| e.get("properties"))
        .and_then(Value::as_object);
    let has_prop = |n: &str| props.is_some_and(|p| p.contains_key(n));
    let redirects = op
        .get("responses")
        .and_then(Value::as_object)
        .is_some_and(|r| r.keys().any(|c| c.starts_with('3')));
    let is_download = redirects
        || success.is_some_and(|(_, r)| {
            r.get("content")
                .and_then(Value::as_object)
                .is_some_and(|c| c.contains_key("application/octet-stream"))
        });
    let is_upload = op
        .pointer("/requestBody/content")
        .and_then(Value::as_object)
        .and_then(|c| c.values().find_map(|m| m.get("schema")))
        .map(|s| resolve(doc, s))
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .is_some_and(|p| {
            p.values()
                .any(|v| v.get("format").and_then(Value::as_str) == Some("binary"))
        });

    let kind = if is_upload {
        OperationKind::Upload
    } else if is_download {
        OperationKind::Download
    } else if has_query("page")
        && has_query("pageSize")
        && has_prop("hasMore")
        && has_prop("data")
        // A reporting query (`x-async-query`, from the spec patch) may answer 202 with a token
        // instead of a page: the report runner polls it; a page stream would end on the 202.
        && op.get("x-async-query").is_none()
    {
        OperationKind::PagedList
    } else if has_query("from") && has_prop("continueFrom") && has_prop("data") {
        OperationKind::Export
    } else {
        OperationKind::Plain
    };

    Operation {
        meta: OwnedOperationMeta {
            method_name: rust_ident(&operation_id),
            operation_id,
            http_method: method.to_uppercase(),
            path: path.to_string(),
            summary: op
                .get("summary")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim()
                .to_string(),
            scopes,
            kind,
            policy: policy(method, path),
            hand_written: kind == OperationKind::Upload,
        },
        parameters,
        has_body: op.get("requestBody").is_some(),
        response_schema,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn idents_match_progenitor() {
        assert_eq!(rust_ident("Jobs_GetList"), "jobs_get_list");
        assert_eq!(rust_ident("balanceFilter.Amount"), "balance_filter_amount");
        assert_eq!(
            rust_ident("InstalledEquipment_Get2"),
            "installed_equipment_get2"
        );
        assert_eq!(rust_ident("type"), "type_");
        assert_eq!(rust_ident("reviews"), "reviews");
    }

    #[test]
    fn kinds_are_detected() {
        let doc = json!({
            "paths": {
                "/t/{tenant}/jobs": {"get": {"operationId": "Jobs_GetList",
                    "parameters": [{"name": "page", "in": "query"}, {"name": "pageSize", "in": "query"}],
                    "security": [{"oauth": ["tn.jpm.jobs:r"]}],
                    "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}}}},
                "/t/{tenant}/export/jobs": {"get": {"operationId": "Export_Jobs",
                    "parameters": [{"name": "from", "in": "query"}],
                    "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Batch"}}}}}}},
                "/t/{tenant}/file": {"get": {"operationId": "File_Get", "responses": {"302": {}}}},
                "/t/{tenant}/images": {"post": {"operationId": "Images_Post",
                    "requestBody": {"content": {"application/json": {"schema": {"properties": {"file": {"type": "string", "format": "binary"}}}}}},
                    "responses": {"200": {}}}}
            },
            "components": {"schemas": {
                "Page": {"properties": {"hasMore": {}, "data": {"items": {"$ref": "#/components/schemas/Job"}}}},
                "Batch": {"properties": {"continueFrom": {}, "hasMore": {}, "data": {"items": {"$ref": "#/components/schemas/Job"}}}},
                "Job": {}
            }}
        });
        let ops = operations(&doc);
        let kind = |id: &str| ops.iter().find(|o| o.operation_id == id).unwrap().kind;
        assert_eq!(kind("Jobs_GetList"), OperationKind::PagedList);
        assert_eq!(kind("Export_Jobs"), OperationKind::Export);
        assert_eq!(kind("File_Get"), OperationKind::Download);
        assert_eq!(kind("Images_Post"), OperationKind::Upload);
        let list = ops
            .iter()
            .find(|o| o.operation_id == "Jobs_GetList")
            .unwrap();
        assert_eq!(list.scopes, ["tn.jpm.jobs:r"]);
        assert!(!list.hand_written);
        assert_eq!(list.policy, OperationPolicy::default());
        let upload = ops
            .iter()
            .find(|o| o.operation_id == "Images_Post")
            .unwrap();
        assert!(upload.hand_written);
        assert_eq!(list.response_schema.as_deref(), Some("Page"));
    }

    #[test]
    fn report_runs_get_the_report_policy() {
        let doc = json!({"paths": {
            "/tenant/{tenant}/report-category/{report_category}/reports/{reportId}/data":
                {"post": {"operationId": "ReportCategoryReports_GetData", "responses": {"200": {}}}},
            "/tenant/{tenant}/report-category/{report_category}/reports/{reportId}":
                {"get": {"operationId": "ReportCategoryReports_Get", "responses": {"200": {}}}},
            "/tenant/{tenant}/report-category/{report_category}/reports/{reportId}/data/query":
                {"post": {"operationId": "ReportCategoryReports_QueryData", "x-async-query": true,
                  "parameters": [{"name": "page", "in": "query"}, {"name": "pageSize", "in": "query"}],
                  "responses": {"200": {"content": {"application/json": {"schema": {"type": "object",
                    "properties": {"data": {}, "hasMore": {}, "token": {}}}}}}}}},
            "/tenant/{tenant}/data-queries/{token}":
                {"get": {"operationId": "DataQueries_Get", "responses": {"200": {}}}}
        }});
        let ops = operations(&doc);
        let policy = |id: &str| {
            ops.iter()
                .find(|o| o.operation_id == id)
                .unwrap()
                .policy
                .clone()
        };
        assert_eq!(
            policy("ReportCategoryReports_GetData"),
            OperationPolicy::REPORT_DATA.to_owned_policy()
        );
        assert_eq!(
            policy("ReportCategoryReports_QueryData"),
            OperationPolicy::REPORT_DATA.to_owned_policy()
        );
        for id in ["ReportCategoryReports_Get", "DataQueries_Get"] {
            assert_eq!(policy(id), OperationPolicy::default(), "{id}");
        }
        let query = ops
            .iter()
            .find(|o| o.operation_id == "ReportCategoryReports_QueryData")
            .unwrap();
        assert_eq!(query.kind, OperationKind::Plain, "a query may answer 202");
    }
}
