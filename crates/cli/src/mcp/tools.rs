//! The tool surface: eight fixed tools (names are part of the contract) with their descriptions,
//! input and output JSON Schemas and annotations — or, with `--tools per-operation`, one tool per
//! operation of the chosen modules.

use super::catalog::{self, Found};
use crate::table::{ParamType, MODULES};
use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

fn object(v: Value) -> Arc<JsonObject> {
    match v {
        Value::Object(o) => Arc::new(o),
        _ => Arc::new(JsonObject::new()),
    }
}

fn tool(name: &'static str, description: String, input: Value, output: Value) -> Tool {
    Tool::new(name, description, object(input)).with_raw_output_schema(object(output))
}

fn read_only() -> ToolAnnotations {
    ToolAnnotations::new()
        .read_only(true)
        .destructive(false)
        .idempotent(true)
        .open_world(true)
}

/// Results carry `truncated` when cut: its handle goes to `read_result`.
fn truncated() -> Value {
    json!({"type": ["object", "null"], "description": "set when the answer was cut: pass handle and next_offset to read_result"})
}

/// The fixed tools. `writes` says whether `call_operation` may write (its annotations).
pub fn fixed(writes: bool, cap: usize) -> Vec<Tool> {
    let modules: Vec<&str> = MODULES.iter().map(|m| m.name).collect();
    let kb = cap / 1024;
    vec![
        tool(
            "search_operations",
            format!("Find ServiceTitan API operations ({} across {} modules) by words, best match first. Returns operation_id, module, method, path, summary, read/write access and OAuth scopes. Start here, then describe_operation.",
                MODULES.iter().map(|m| m.operations.len()).sum::<usize>(), modules.len()),
            json!({"type": "object", "properties": {
                "query": {"type": "string", "description": "words, e.g. \"list jobs\", \"customer contacts\""},
                "module": {"type": "string", "enum": modules, "description": "only this module"},
                "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}
            }, "required": ["query"], "additionalProperties": false}),
            json!({"type": "object", "properties": {"matches": {"type": "array", "items": {"type": "object"}}}, "required": ["matches"]}),
        ).annotate(read_only().open_world(false)),
        tool(
            "describe_operation",
            "Everything needed to call one operation: parameters (name, in, required, type, enum values, description), the request body's JSON Schema, an outline of the response, paging (list/export/none) and OAuth scopes.".into(),
            json!({"type": "object", "properties": {
                "operation_id": {"type": "string", "description": "as returned by search_operations, e.g. Jobs_GetList"}
            }, "required": ["operation_id"], "additionalProperties": false}),
            json!({"type": "object", "properties": {"operation_id": {"type": "string"}, "parameters": {"type": "array"}}, "required": ["operation_id", "parameters"]}),
        ).annotate(read_only().open_world(false)),
        tool(
            "call_operation",
            format!("Call an operation. Arguments are checked against its spec first; problems come back as an error listing each with its JSON path and allowed values, nothing sent. Lists: all_pages follows pages up to max_records. Answers over {kb} KB are cut at a record boundary (continue with read_result). Writes (non-GET) are refused unless the server runs with --allow-writes; then the first call returns a dry run (method, URL, body) and a confirmation_token, and only a second identical call with confirm=<token> sends it."),
            json!({"type": "object", "properties": {
                "operation_id": {"type": "string"},
                "params": {"type": "object", "description": "path and query parameters by API name, e.g. {\"id\": 42, \"pageSize\": 50}; arrays for repeated values"},
                "body": {"description": "JSON request body (see describe_operation)"},
                "all_pages": {"type": "boolean", "default": false, "description": "paged lists: read page after page"},
                "max_records": {"type": "integer", "minimum": 1, "default": 1000, "description": "with all_pages: stop after this many records"},
                "confirm": {"type": "string", "description": "writes: the confirmation_token of the dry run of this exact request"}
            }, "required": ["operation_id"], "additionalProperties": false}),
            json!({"type": "object", "properties": {
                "operation_id": {"type": "string"},
                "status": {"type": "string", "enum": ["ok", "dry_run", "sent"]},
                "result": {}, "records": {"type": "array"}, "next_page": {"type": ["integer", "null"]},
                "request": {"type": "object"}, "confirmation_token": {"type": "string"},
                "truncated": truncated()
            }, "required": ["operation_id", "status"]}),
        ).annotate(ToolAnnotations::new().read_only(!writes).destructive(writes).idempotent(!writes).open_world(true)),
        tool(
            "read_result",
            "The next part of an answer that was cut: records from offset, and next_offset (null at the end).".into(),
            json!({"type": "object", "properties": {
                "handle": {"type": "string"},
                "offset": {"type": "integer", "minimum": 0, "default": 0}
            }, "required": ["handle"], "additionalProperties": false}),
            json!({"type": "object", "properties": {"records": {"type": "array"}, "next_offset": {"type": ["integer", "null"]}, "total_records": {"type": "integer"}}, "required": ["records", "next_offset"]}),
        ).annotate(read_only().open_world(false)),
        tool(
            "export_records",
            "Read an export (every record incl. inactive and deleted, in change order) in steps: pass the returned cursor back to continue exactly after the last record; has_more=false means caught up (come back in 5-10 minutes). entity: e.g. jobs, crm/customers.".into(),
            json!({"type": "object", "properties": {
                "entity": {"type": "string", "description": "module/entity, e.g. jpm/jobs (module optional when unique)"},
                "since": {"type": "string", "description": "start date (ISO-8601) instead of the beginning; ignored with a cursor"},
                "cursor": {"type": "string", "description": "from the previous answer"},
                "max_records": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 500}
            }, "required": ["entity"], "additionalProperties": false}),
            json!({"type": "object", "properties": {"records": {"type": "array"}, "cursor": {"type": "string"}, "has_more": {"type": "boolean"}}, "required": ["records", "cursor", "has_more"]}),
        ).annotate(read_only()),
        tool(
            "list_reports",
            "Report categories, or the reports of one category (report_id, name, description).".into(),
            json!({"type": "object", "properties": {
                "category": {"type": "string", "description": "category id, e.g. operations; omit to list categories"}
            }, "additionalProperties": false}),
            json!({"type": "object", "properties": {"items": {"type": "array"}}, "required": ["items"]}),
        ).annotate(read_only()),
        tool(
            "describe_report",
            "A report's parameters (name, dataType, isRequired, isArray, accepted values) and fields.".into(),
            json!({"type": "object", "properties": {
                "category": {"type": "string"}, "report_id": {"type": "integer"}
            }, "required": ["category", "report_id"], "additionalProperties": false}),
            json!({"type": "object", "properties": {"parameters": {"type": "array"}, "fields": {"type": "array"}}, "required": ["parameters"]}),
        ).annotate(read_only()),
        tool(
            "run_report",
            "Run a report. params are checked against its definition first (missing, unknown with a did-you-mean, wrong type; dates YYYY-MM-DD). Rows keyed by field name. Reports are limited to 5 runs per minute each.".into(),
            json!({"type": "object", "properties": {
                "category": {"type": "string"}, "report_id": {"type": "integer"},
                "params": {"type": "object", "description": "by parameter name, e.g. {\"From\": \"2024-01-01\", \"BusinessUnitIds\": [1, 2]}"},
                "max_records": {"type": "integer", "minimum": 1, "default": 1000}
            }, "required": ["category", "report_id"], "additionalProperties": false}),
            json!({"type": "object", "properties": {"fields": {"type": "array"}, "rows": {"type": "array"}, "truncated": truncated()}, "required": ["rows"]}),
        ).annotate(read_only()),
    ]
}

/// The tool name of an operation in per-operation mode: `jpm_Jobs_GetList`.
pub fn operation_tool_name(found: &Found) -> String {
    format!("{}_{}", found.module.name, found.op.meta.operation_id)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn param_schema(ty: ParamType, values: &[&str]) -> Value {
    if !values.is_empty() {
        return json!({"type": "string", "enum": values});
    }
    match ty {
        ParamType::Integer => json!({"type": "integer"}),
        ParamType::Number => json!({"type": "number"}),
        ParamType::Boolean => json!({"type": "boolean"}),
        ParamType::DateTime => json!({"type": "string", "format": "date-time"}),
        ParamType::Date => json!({"type": "string", "format": "date"}),
        ParamType::String => json!({"type": "string"}),
    }
}

/// One tool per operation of `modules`: its parameters as the `params` schema.
pub fn per_operation(modules: &BTreeSet<String>, writes: &dyn Fn(&str) -> bool) -> Vec<Tool> {
    catalog::all(Some(modules))
        .filter(|f| {
            !matches!(
                f.op.meta.kind,
                servicetitan_core::OperationKind::Download
                    | servicetitan_core::OperationKind::Upload
            )
        })
        .map(|found| {
            let op = found.op;
            let mut props = serde_json::Map::new();
            let mut required = Vec::new();
            for p in op.params.iter().filter(|p| !p.is_tenant()) {
                let mut schema = param_schema(p.ty, p.values);
                if p.array {
                    schema = json!({"type": "array", "items": schema});
                }
                if !p.description.is_empty() {
                    schema["description"] =
                        json!(p.description.chars().take(160).collect::<String>());
                }
                props.insert(p.name.to_string(), schema);
                if p.required {
                    required.push(p.name);
                }
            }
            let mut input = json!({"type": "object", "properties": {
                "params": {"type": "object", "properties": props, "required": required},
                "all_pages": {"type": "boolean"}, "max_records": {"type": "integer", "minimum": 1},
            }, "additionalProperties": false});
            if op.body.is_some() {
                input["properties"]["body"] =
                    json!({"description": "JSON body; describe_operation has its schema"});
            }
            let write = found.is_write();
            if write {
                input["properties"]["confirm"] = json!({"type": "string"});
            }
            let allowed = write && writes(found.module.name);
            let description = format!(
                "{} ({} {}){}",
                op.meta.summary,
                op.meta.http_method,
                op.meta.path,
                if write {
                    "; write: dry run first, then confirm"
                } else {
                    ""
                }
            );
            Tool::new(operation_tool_name(&found), description, object(input)).annotate(
                ToolAnnotations::new()
                    .read_only(!write)
                    .destructive(allowed && op.meta.http_method == "DELETE")
                    .idempotent(!matches!(op.meta.http_method, "POST" | "PATCH"))
                    .open_world(true),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_tool_list_is_small_and_complete() {
        let tools = fixed(false, 65536);
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        assert_eq!(
            names,
            [
                "search_operations",
                "describe_operation",
                "call_operation",
                "read_result",
                "export_records",
                "list_reports",
                "describe_report",
                "run_report"
            ]
        );
        let size = serde_json::to_string(&json!({"tools": tools}))
            .unwrap()
            .len();
        assert!(size < 20 * 1024, "tools/list is {size} bytes");
        let call = &tools[2];
        assert_eq!(
            call.annotations.as_ref().unwrap().read_only_hint,
            Some(true)
        );
        assert!(tools
            .iter()
            .all(|t| t.output_schema.is_some() && t.annotations.is_some()));
    }

    #[test]
    fn per_operation_tools_cover_the_chosen_modules() {
        let modules: BTreeSet<String> = ["jpm".to_string()].into();
        let tools = per_operation(&modules, &|_| false);
        assert!(tools.iter().any(|t| t.name == "jpm_Jobs_GetList"));
        assert!(tools.iter().all(|t| t.name.starts_with("jpm_")));
        let list = tools.iter().find(|t| t.name == "jpm_Jobs_GetList").unwrap();
        assert!(list.input_schema["properties"]["params"]["properties"]["pageSize"].is_object());
    }
}
