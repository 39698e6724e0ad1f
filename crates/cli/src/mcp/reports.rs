//! `list_reports`, `describe_report`, `run_report`: the reporting crate's public API (its
//! definitions, its parameter validation with suggestions, its per-report limit), the rows cut to
//! the byte cap like any other result.

use super::server::{Inner, ToolError, ToolResult};
use futures::TryStreamExt;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use servicetitan_core::Error;
use servicetitan_reporting::report::{ParamValue, ReportParams};
use servicetitan_reporting::Api;

/// `list_reports`' arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListInput {
    #[serde(default)]
    category: Option<String>,
}

/// `describe_report`'s arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DescribeInput {
    category: String,
    report_id: i64,
}

/// `run_report`'s arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunInput {
    category: String,
    report_id: i64,
    #[serde(default)]
    params: Map<String, Value>,
    #[serde(default)]
    max_records: Option<usize>,
}

fn failed(e: Error) -> ToolError {
    match e {
        // Each problem with its parameter, so that an agent can fix them one by one.
        Error::ReportParameters(params) => {
            let problems: Vec<Value> = params
                .problems
                .iter()
                .map(|p| json!({"parameter": p.name(), "problem": p.to_string()}))
                .collect();
            ToolError::with(
                "invalid_parameters",
                json!({
                    "message": format!("{params}; nothing was run (describe_report lists the parameters)"),
                    "report_id": params.report_id,
                    "problems": problems,
                }),
            )
        }
        other => {
            let mut value = json!({"error": "failed", "message": other.to_string()});
            if let Some(s) = other.status() {
                value["status"] = json!(s.as_u16());
            }
            if let Some(wait) = other.api().and_then(|a| a.retry_after) {
                value["retry_after_seconds"] = json!(wait.as_secs_f64());
            }
            ToolError::with("failed", value)
        }
    }
}

/// A JSON value as a report parameter value; objects cannot be one.
pub fn param_value(name: &str, v: &Value) -> Result<Option<ParamValue>, String> {
    Ok(Some(match v {
        Value::Null => return Ok(None),
        Value::String(s) => s.as_str().into(),
        Value::Number(n) => n.clone().into(),
        Value::Bool(b) => (*b).into(),
        Value::Array(items) => {
            let mut values = Vec::with_capacity(items.len());
            for item in items {
                match param_value(name, item)? {
                    Some(v) if !v.is_array() => values.push(v),
                    _ => {
                        return Err(format!(
                            "parameter `{name}`: array items must be text, numbers or booleans"
                        ))
                    }
                }
            }
            ParamValue::array(values)
        }
        Value::Object(_) => {
            return Err(format!(
                "parameter `{name}`: an object is not a report parameter value"
            ))
        }
    }))
}

impl Inner {
    /// `list_reports`.
    pub async fn list_reports(&self, input: ListInput) -> ToolResult {
        let api = Api::new(&self.client);
        let items: Vec<Value> = match &input.category {
            None => api
                .report_categories()
                .map_ok(|c| json!({"category": c.id, "name": c.name}))
                .try_collect()
                .await
                .map_err(failed)?,
            Some(category) => api
                .reports_in(category.clone())
                .map_ok(
                    |r| json!({"report_id": r.id, "name": r.name, "description": r.description}),
                )
                .try_collect()
                .await
                .map_err(failed)?,
        };
        let records = items
            .iter()
            .filter_map(|v| RawValue::from_string(v.to_string()).ok())
            .collect();
        let part = self.results.cut(records);
        Ok(format!(
            r#"{{"status":"ok","category":{},"items":{},"truncated":{}}}"#,
            json!(input.category),
            part.array(),
            part.continuation()
        ))
    }

    /// `describe_report`.
    pub async fn describe_report(&self, input: DescribeInput) -> ToolResult {
        let api = Api::new(&self.client);
        let d = api
            .report_definition(input.category, input.report_id)
            .await
            .map_err(failed)?;
        let value = json!({
            "status": "ok",
            "category": d.category,
            "report_id": d.id,
            "name": d.name,
            "description": d.description,
            "parameters": d.parameters,
            "fields": d.fields,
        });
        Ok(value.to_string())
    }

    /// `run_report`.
    pub async fn run_report(&self, input: RunInput) -> ToolResult {
        let mut params = ReportParams::new();
        let mut problems = Vec::new();
        for (name, value) in &input.params {
            match param_value(name, value) {
                Ok(Some(v)) => params = params.set(name.clone(), v),
                Ok(None) => {}
                Err(m) => problems.push(m),
            }
        }
        if !problems.is_empty() {
            return Err(ToolError::new("invalid_parameters", problems.join("; ")));
        }
        let max = input.max_records.unwrap_or(1000).clamp(1, 100_000);
        let api = Api::new(&self.client);
        let pages = api
            .run_report(input.category.clone(), input.report_id, params)
            .pages();
        let mut pages = std::pin::pin!(pages);
        let mut rows = Vec::new();
        let mut fields = Vec::new();
        let mut more = false;
        while let Some(page) = pages.try_next().await.map_err(failed)? {
            fields = page.fields;
            more = page.has_more;
            rows.extend(
                page.rows
                    .into_iter()
                    .filter_map(|r| RawValue::from_string(Value::Object(r).to_string()).ok()),
            );
            if rows.len() >= max {
                break;
            }
        }
        // Pages are whole; rows past `max_records` are not returned (a report run is limited
        // per minute, so no further page is requested for them).
        let cut_short = rows.len() > max || (rows.len() >= max && more);
        rows.truncate(max);
        let part = self.results.cut(rows);
        Ok(format!(
            r#"{{"status":"ok","category":{},"report_id":{},"fields":{},"rows":{},"more_rows_not_read":{cut_short},"truncated":{}}}"#,
            json!(input.category),
            input.report_id,
            json!(fields),
            part.array(),
            part.continuation()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_values_become_report_values() {
        assert_eq!(
            param_value("From", &json!("2024-01-01")).unwrap(),
            Some(ParamValue::from("2024-01-01"))
        );
        assert_eq!(
            param_value("Ids", &json!([1, 2])).unwrap(),
            Some(ParamValue::from(vec![1, 2]))
        );
        assert_eq!(param_value("X", &Value::Null).unwrap(), None);
        assert!(param_value("X", &json!({"a": 1})).is_err());
        assert!(param_value("X", &json!([[1]])).is_err());
    }
}
