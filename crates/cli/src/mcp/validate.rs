//! `call_operation`'s arguments checked against the operation's spec before anything is sent:
//! parameter names, required ones, types and enum values (the command table), and the body
//! against the request body's JSON Schema (the same compiled validator the mock uses). Every
//! problem is listed with its JSON path and, where the spec has them, the allowed values.

use super::catalog::{spec_entry, Found};
use crate::table::{Location, Param, ParamType};
use serde_json::{json, Map, Value};
use servicetitan_core::call::CallArgs;

/// One thing wrong with the arguments.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Problem {
    /// JSON path in the tool arguments (`$.params.pageSize`, `$.body.locations[0].name`).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// The values that would be accepted, when the spec lists them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed: Vec<String>,
}

fn problem(path: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        path: path.into(),
        message: message.into(),
        allowed: Vec::new(),
    }
}

/// The arguments turned into a call, or every problem found.
pub fn call_args(
    found: &Found,
    params: Option<&Map<String, Value>>,
    body: Option<&Value>,
) -> Result<CallArgs, Vec<Problem>> {
    let op = found.op;
    let mut problems = Vec::new();
    let mut args = CallArgs::default();
    let empty = Map::new();
    let params = params.unwrap_or(&empty);
    let declared: Vec<&Param> = op.params.iter().filter(|p| !p.is_tenant()).collect();
    for (name, value) in params {
        let path = format!("$.params.{name}");
        let Some(p) = declared.iter().find(|p| p.name == name) else {
            let names: Vec<String> = declared.iter().map(|p| p.name.to_string()).collect();
            let near = names
                .iter()
                .filter(|n| strsim::jaro_winkler(&n.to_lowercase(), &name.to_lowercase()) > 0.85)
                .max_by(|a, b| {
                    strsim::jaro_winkler(a, name).total_cmp(&strsim::jaro_winkler(b, name))
                });
            let message = match near {
                Some(n) => format!("unknown parameter `{name}` (did you mean `{n}`?)"),
                None => format!("unknown parameter `{name}`"),
            };
            problems.push(Problem {
                allowed: names,
                ..problem(path, message)
            });
            continue;
        };
        let values: Vec<&Value> = match value {
            Value::Array(items) if p.array => items.iter().collect(),
            Value::Array(_) => {
                problems.push(problem(path, "takes one value, not an array"));
                continue;
            }
            Value::Null => continue,
            one => vec![one],
        };
        for (i, v) in values.into_iter().enumerate() {
            let path = if p.array {
                format!("{path}[{i}]")
            } else {
                path.clone()
            };
            match scalar(p, v) {
                Ok(text) => match p.location {
                    Location::Path => args.path.push((p.name.to_string(), text)),
                    Location::Query | Location::Header => {
                        args.query.push((p.name.to_string(), text))
                    }
                },
                Err(p) => problems.push(Problem { path, ..p }),
            }
        }
    }
    for p in declared.iter().filter(|p| p.required) {
        if params.get(p.name).is_none_or(Value::is_null) {
            problems.push(problem(
                format!("$.params.{}", p.name),
                format!(
                    "required {} parameter is missing",
                    location_name(p.location)
                ),
            ));
        }
    }
    match (&op.body, body) {
        (None, Some(Value::Null)) | (None, None) => {}
        (None, Some(_)) => problems.push(problem("$.body", "this operation takes no body")),
        (Some(b), None | Some(Value::Null)) if b.required => {
            problems.push(problem("$.body", "a request body is required"))
        }
        (Some(_), None | Some(Value::Null)) => {}
        (Some(_), Some(value)) => {
            problems.extend(body_problems(found, value));
            args.body = Some(value.to_string().into_bytes());
        }
    }
    if problems.is_empty() {
        Ok(args)
    } else {
        Err(problems)
    }
}

fn location_name(l: Location) -> &'static str {
    match l {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
    }
}

/// One value of a parameter, checked and written as sent on the wire.
fn scalar(p: &Param, v: &Value) -> Result<String, Problem> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => {
            return Err(problem(
                "",
                format!("expected a {}, got {other}", kind(p.ty)),
            ))
        }
    };
    if !p.values.is_empty() {
        return match p.values.iter().find(|a| a.eq_ignore_ascii_case(&text)) {
            Some(a) => Ok(a.to_string()),
            None => Err(Problem {
                allowed: p.values.iter().map(|s| s.to_string()).collect(),
                ..problem("", format!("`{text}` is not one of the allowed values"))
            }),
        };
    }
    let ok = match p.ty {
        ParamType::Integer => text.trim().parse::<i64>().is_ok(),
        ParamType::Number => text.trim().parse::<f64>().is_ok_and(f64::is_finite),
        ParamType::Boolean => matches!(text.as_str(), "true" | "false"),
        ParamType::DateTime => {
            chrono::DateTime::parse_from_rfc3339(&text).is_ok()
                || chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
                || chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_ok()
        }
        ParamType::Date => chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_ok(),
        ParamType::String => true,
    };
    if ok {
        Ok(text.trim().to_string())
    } else {
        Err(problem("", format!("expected {}, got {v}", kind(p.ty))))
    }
}

fn kind(ty: ParamType) -> &'static str {
    match ty {
        ParamType::Integer => "an integer",
        ParamType::Number => "a number",
        ParamType::Boolean => "true or false",
        ParamType::DateTime => "an ISO-8601 date-time (2024-01-31T00:00:00Z)",
        ParamType::Date => "a date (YYYY-MM-DD)",
        ParamType::String => "text",
    }
}

/// The body checked against the request schema.
fn body_problems(found: &Found, body: &Value) -> Vec<Problem> {
    let Some((module, op)) = spec_entry(found) else {
        return Vec::new();
    };
    let Some(spec) = &op.body else {
        return Vec::new();
    };
    let key = format!("{}:request", op.id);
    let validator = match servicetitan_mock::validate::validator(module, &key, &spec.schema, false)
    {
        Ok(v) => v,
        Err(message) => return vec![problem("$.body", message)],
    };
    validator
        .iter_errors(body)
        .take(50)
        .map(|e| {
            let mut path = json_path(&e.instance_path.to_string());
            let mut allowed = Vec::new();
            match &e.kind {
                jsonschema::error::ValidationErrorKind::Required { property } => {
                    let name = property
                        .as_str()
                        .map_or_else(|| property.to_string(), String::from);
                    path = format!("{path}.{name}");
                }
                jsonschema::error::ValidationErrorKind::Enum { options } => {
                    allowed = options
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|o| o.as_str().map_or_else(|| o.to_string(), String::from))
                        .collect();
                }
                _ => {}
            }
            Problem {
                path,
                message: e.to_string(),
                allowed,
            }
        })
        .collect()
}

/// `/locations/0/name` → `$.body.locations[0].name`.
fn json_path(pointer: &str) -> String {
    let mut out = String::from("$.body");
    for part in pointer.split('/').filter(|p| !p.is_empty()) {
        if part.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{part}]"));
        } else {
            out.push('.');
            out.push_str(&part.replace("~1", "/").replace("~0", "~"));
        }
    }
    out
}

/// The problems as a tool error's structured content.
pub fn report(problems: &[Problem]) -> Value {
    json!({
        "error": "invalid_arguments",
        "message": format!("{} problem(s) with the arguments; nothing was sent", problems.len()),
        "problems": problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::catalog::find;

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn good_arguments_become_path_and_query_values() {
        let op = find("Jobs_GetList").unwrap();
        let args = call_args(
            &op,
            Some(&params(json!({"pageSize": 5, "ids": "1,2"}))),
            None,
        )
        .unwrap_or_else(|p| panic!("{p:?}"));
        assert!(args.query.contains(&("pageSize".into(), "5".into())));
        let op = find("Customers_Get").unwrap();
        let args = call_args(&op, Some(&params(json!({"id": 7}))), None).unwrap();
        assert_eq!(args.path, [("id".to_string(), "7".to_string())]);
    }

    #[test]
    fn every_problem_is_listed_with_its_path() {
        let op = find("Jobs_GetList").unwrap();
        let problems = call_args(
            &op,
            Some(&params(
                json!({"pageSze": 5, "page": "x", "jobStatus": "Nope"}),
            )),
            Some(&json!({"a": 1})),
        )
        .unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert!(paths.contains(&"$.params.pageSze"), "{problems:?}");
        let unknown = problems
            .iter()
            .find(|p| p.path == "$.params.pageSze")
            .unwrap();
        assert!(
            unknown.message.contains("did you mean `pageSize`"),
            "{problems:?}"
        );
        assert!(paths.contains(&"$.params.page"));
        assert!(paths.contains(&"$.body"));
        let status = problems
            .iter()
            .find(|p| p.path == "$.params.jobStatus")
            .unwrap();
        assert!(!status.allowed.is_empty(), "{status:?}");
    }

    #[test]
    fn missing_required_values_and_bad_bodies_are_problems() {
        let op = find("Customers_Get").unwrap();
        let problems = call_args(&op, None, None).unwrap_err();
        assert_eq!(problems[0].path, "$.params.id");
        let create = find("Customers_Create").unwrap();
        let problems = call_args(&create, None, Some(&json!({"name": 5}))).unwrap_err();
        assert!(
            problems.iter().all(|p| p.path.starts_with("$.body")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.path == "$.body.name"),
            "{problems:?}"
        );
    }

    #[test]
    fn json_pointers_become_json_paths() {
        assert_eq!(json_path("/locations/0/name"), "$.body.locations[0].name");
        assert_eq!(json_path(""), "$.body");
    }
}
