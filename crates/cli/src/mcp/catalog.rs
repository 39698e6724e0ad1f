//! The operations an agent can find and call: `search_operations` (ranked matches over ids,
//! summaries, paths, parameters and the module) and `describe_operation` (parameters, request
//! schema, an outline of the response), over the CLI's command table and the specs' schemas
//! embedded in the mock crate (the same request schemas the mock validates bodies with).

use crate::table::{Location, Module, Operation, ParamType, MODULES};
use serde_json::{json, Map, Value};
use servicetitan_core::OperationKind;
use std::collections::BTreeSet;

/// An operation with its module.
#[derive(Clone, Copy, Debug)]
pub struct Found {
    /// The module.
    pub module: &'static Module,
    /// The operation.
    pub op: &'static Operation,
}

impl Found {
    /// The id agents pass back: the spec's operation id, prefixed with the module
    /// (`jpm.Jobs_Get`) only when another module uses the same id.
    pub fn id(&self) -> String {
        let id = self.op.meta.operation_id;
        let shared = MODULES
            .iter()
            .flat_map(|m| m.operations.iter())
            .filter(|o| o.meta.operation_id == id)
            .count()
            > 1;
        if shared {
            format!("{}.{id}", self.module.name)
        } else {
            id.to_string()
        }
    }

    /// Whether calling it changes data (anything but `GET`).
    pub fn is_write(&self) -> bool {
        self.op.meta.http_method != "GET"
    }

    /// `list`, `export` or `none`.
    pub fn paging(&self) -> &'static str {
        match self.op.meta.kind {
            OperationKind::PagedList => "list",
            OperationKind::Export => "export",
            _ => "none",
        }
    }

    /// The search hit: what an agent needs to choose.
    pub fn summary_json(&self) -> Value {
        json!({
            "operation_id": self.id(),
            "module": self.module.name,
            "method": self.op.meta.http_method,
            "path": self.op.meta.path,
            "summary": self.op.meta.summary,
            "access": if self.is_write() { "write" } else { "read" },
            "scopes": self.op.meta.scopes,
        })
    }
}

/// Every operation of every module (or of the named modules).
pub fn all(modules: Option<&BTreeSet<String>>) -> impl Iterator<Item = Found> + '_ {
    MODULES
        .iter()
        .filter(move |m| modules.is_none_or(|set| set.contains(m.name)))
        .flat_map(|module| module.operations.iter().map(move |op| Found { module, op }))
}

/// The operation `id` names: `Jobs_GetList`, `jpm.Jobs_Get`, or the CLI's `jpm jobs-get-list`.
pub fn find(id: &str) -> Result<Found, String> {
    let id = id.trim();
    let (module, name) = match id.split_once(['.', ' ']) {
        Some((m, n)) if crate::table::module(m).is_some() => (Some(m), n.trim()),
        _ => (None, id),
    };
    let matches: Vec<Found> = all(None)
        .filter(|f| module.is_none_or(|m| f.module.name == m))
        .filter(|f| f.op.meta.operation_id.eq_ignore_ascii_case(name) || f.op.name == name)
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => {
            let wanted = name.to_lowercase();
            let mut near: Vec<(f64, Found)> = all(None)
                .map(|f| {
                    let id = f.op.meta.operation_id.to_lowercase();
                    (strsim::jaro_winkler(&id, &wanted), f)
                })
                .collect();
            near.sort_by(|a, b| b.0.total_cmp(&a.0));
            let near: Vec<String> = near.iter().take(3).map(|(_, f)| f.id()).collect();
            Err(format!(
                "unknown operation `{id}`; closest: {} (use search_operations to find one)",
                near.join(", ")
            ))
        }
        many => Err(format!(
            "`{id}` is in several modules: {}",
            many.iter().map(Found::id).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// Words of a text, lower case: `Jobs_GetList` → `jobs get list`, `/tenant/{tenant}/job-types`
/// → `tenant tenant job types`; plural `s` dropped so `job` finds `jobs`.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if !c.is_alphanumeric() {
            flush(&mut word, &mut out);
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            flush(&mut word, &mut out);
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    flush(&mut word, &mut out);
    out
}

fn flush(word: &mut String, out: &mut Vec<String>) {
    if word.is_empty() {
        return;
    }
    let mut w = std::mem::take(word);
    if w.len() > 3 && w.ends_with("ies") {
        w.truncate(w.len() - 3);
        w.push('y');
    } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        w.pop();
    }
    out.push(w);
}

/// How well `op` matches the query words: per query word, the best field it appears in (id 5,
/// summary 3, path 3, module 2, parameter 1; a prefix match counts half), then a bonus when every
/// word matched, so "jobs list" puts `Jobs_GetList` before every operation merely about jobs.
fn score(found: &Found, query: &[String]) -> f64 {
    let op = found.op;
    let fields: [(f64, Vec<String>); 5] = [
        (5.0, words(op.meta.operation_id)),
        (3.0, words(op.meta.summary)),
        (3.0, words(op.meta.path)),
        (2.0, words(found.module.name)),
        (
            1.0,
            op.params
                .iter()
                .flat_map(|p| words(p.name))
                .chain(words(op.description))
                .collect(),
        ),
    ];
    let mut total = 0.0;
    let mut matched = 0;
    for q in query {
        let best = fields
            .iter()
            .map(|(weight, ws)| {
                if ws.iter().any(|w| w == q) {
                    *weight
                } else if q.len() >= 3 && ws.iter().any(|w| w.starts_with(q.as_str())) {
                    weight / 2.0
                } else {
                    0.0
                }
            })
            .fold(0.0, f64::max);
        if best > 0.0 {
            matched += 1;
        }
        total += best;
    }
    if matched == 0 {
        return 0.0;
    }
    if matched == query.len() {
        total *= 2.0;
    }
    // Shorter ids are the general operation (`Jobs_Get` before `Jobs_GetJobHistory`).
    total - words(op.meta.operation_id).len() as f64 * 0.1
}

/// The `limit` best matches of `query`, best first (ties by operation id).
pub fn search(query: &str, modules: Option<&BTreeSet<String>>, limit: usize) -> Vec<Found> {
    let query = words(query);
    let mut scored: Vec<(f64, Found)> = all(modules)
        .map(|f| (score(&f, &query), f))
        .filter(|(s, _)| *s > 0.0)
        .collect();
    scored.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.op.meta.operation_id.cmp(b.1.op.meta.operation_id))
    });
    scored.into_iter().take(limit).map(|(_, f)| f).collect()
}

fn type_name(ty: ParamType) -> &'static str {
    match ty {
        ParamType::Integer => "integer",
        ParamType::Number => "number",
        ParamType::Boolean => "boolean",
        ParamType::String => "string",
        ParamType::DateTime => "date-time",
        ParamType::Date => "date",
    }
}

/// The operation's entry in the specs' schema table (request and response schemas).
pub fn spec_entry(
    found: &Found,
) -> Option<(
    &'static servicetitan_mock::spec::Module,
    &'static servicetitan_mock::spec::Operation,
)> {
    let table = servicetitan_mock::spec::table();
    let module = table
        .modules
        .iter()
        .find(|m| m.short == found.module.name)?;
    let op = module
        .operations
        .iter()
        .find(|o| o.id == found.op.meta.operation_id)?;
    Some((module, op))
}

/// `describe_operation`: everything needed to call it.
pub fn describe(found: &Found) -> Value {
    let op = found.op;
    let params: Vec<Value> = op
        .params
        .iter()
        .filter(|p| !p.is_tenant())
        .map(|p| {
            let mut v = json!({
                "name": p.name,
                "in": match p.location { Location::Path => "path", Location::Query => "query", Location::Header => "header" },
                "required": p.required,
                "type": if p.array { format!("array of {}", type_name(p.ty)) } else { type_name(p.ty).to_string() },
            });
            if !p.values.is_empty() {
                v["enum"] = json!(p.values);
            }
            if !p.description.is_empty() {
                v["description"] = json!(p.description);
            }
            v
        })
        .collect();
    let entry = spec_entry(found);
    let body = match (entry, &op.body) {
        (Some((module, spec_op)), Some(body)) => spec_op.body.as_ref().map(|b| {
            json!({
                "required": body.required,
                "description": body.description,
                "schema": b.schema,
                "definitions": referenced(&module.schemas, &b.schema),
            })
        }),
        _ => None,
    };
    let response = entry.and_then(|(module, spec_op)| {
        let schema = spec_op.response.as_ref()?.schema.as_ref()?;
        Some(outline(&module.schemas, schema, 0))
    });
    let mut out = found.summary_json();
    let extra = json!({
        "description": op.description,
        "parameters": params,
        "body": body,
        "response_outline": response,
        "paging": found.paging(),
        "kind": op.meta.kind.name(),
    });
    if let (Value::Object(out), Value::Object(extra)) = (&mut out, extra) {
        out.extend(extra);
    }
    out
}

/// The component schemas a schema refers to, directly or through others (bounded).
fn referenced(schemas: &Map<String, Value>, schema: &Value) -> Map<String, Value> {
    let mut found = Map::new();
    let mut todo = vec![schema];
    while let Some(s) = todo.pop() {
        if found.len() >= 40 {
            break;
        }
        match s {
            Value::Object(o) => {
                if let Some(name) = o
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    if let (false, Some(target)) = (found.contains_key(name), schemas.get(name)) {
                        found.insert(name.to_string(), target.clone());
                        todo.push(target);
                    }
                }
                todo.extend(o.values());
            }
            Value::Array(items) => todo.extend(items),
            _ => {}
        }
    }
    found
}

fn resolve<'a>(schemas: &'a Map<String, Value>, mut schema: &'a Value) -> &'a Value {
    for _ in 0..8 {
        let next = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .and_then(|name| schemas.get(name))
            .or_else(|| {
                ["allOf", "oneOf", "anyOf"].iter().find_map(|k| {
                    let members = schema.get(*k)?.as_array()?;
                    members
                        .iter()
                        .find(|m| m.get("type") != Some(&json!("null")))
                })
            });
        match next {
            Some(n) => schema = n,
            None => break,
        }
    }
    schema
}

/// A compact outline of a response: `{"data": [{"id": "integer", …}], "hasMore": "boolean"}`,
/// three levels deep, types as words.
pub fn outline(schemas: &Map<String, Value>, schema: &Value, depth: usize) -> Value {
    let schema = resolve(schemas, schema);
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("any"),
        _ if schema.get("properties").is_some() => "object",
        _ => "any",
    };
    match ty {
        "object" if depth < 3 => {
            let props = schema.get("properties").and_then(Value::as_object);
            match props {
                Some(props) if !props.is_empty() => Value::Object(
                    props
                        .iter()
                        .map(|(k, v)| (k.clone(), outline(schemas, v, depth + 1)))
                        .collect(),
                ),
                _ => json!("object"),
            }
        }
        "array" if depth < 3 => match schema.get("items") {
            Some(items) => json!([outline(schemas, items, depth + 1)]),
            None => json!("array"),
        },
        "string" => match schema.get("format").and_then(Value::as_str) {
            Some(f) => json!(format!("string ({f})")),
            None => match schema.get("enum").and_then(Value::as_array) {
                Some(values) if values.len() <= 8 => json!(format!(
                    "enum: {}",
                    values
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("|")
                )),
                _ => json!("string"),
            },
        },
        other => json!(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(query: &str, module: Option<&str>) -> Vec<String> {
        let set: Option<BTreeSet<String>> = module.map(|m| [m.to_string()].into());
        search(query, set.as_ref(), 5)
            .iter()
            .map(|f| f.op.meta.operation_id.to_string())
            .collect()
    }

    #[test]
    fn words_split_ids_paths_and_plurals() {
        assert_eq!(words("Jobs_GetList"), ["job", "get", "list"]);
        assert_eq!(
            words("/tenant/{id}/job-types"),
            ["tenant", "id", "job", "type"]
        );
        assert_eq!(words("Categories"), ["category"]);
    }

    #[test]
    fn the_list_of_jobs_ranks_first_for_jobs_list() {
        assert_eq!(top("jobs list", Some("jpm"))[0], "Jobs_GetList");
        assert_eq!(top("list jobs", None)[0], "Jobs_GetList");
    }

    #[test]
    fn a_customer_by_id_finds_customers_get() {
        let hits = top("get customer", Some("crm"));
        assert_eq!(hits[0], "Customers_Get", "{hits:?}");
    }

    #[test]
    fn nothing_matches_nonsense() {
        assert!(top("zzqxv", None).is_empty());
    }

    #[test]
    fn ids_are_qualified_only_when_shared() {
        assert_eq!(find("Jobs_GetList").unwrap().id(), "Jobs_GetList");
        let shared = find("jpm.Jobs_Get").unwrap();
        assert_eq!(shared.id(), "jpm.Jobs_Get");
        assert!(find("Jobs_Get").unwrap_err().contains("several modules"));
        let err = find("Jobs_GetLst").unwrap_err();
        assert!(err.contains("closest: Jobs_GetList"), "{err}");
    }

    #[test]
    fn describe_lists_parameters_body_and_outline() {
        let d = describe(&find("Jobs_GetList").unwrap());
        assert_eq!(d["paging"], "list");
        let names: Vec<&str> = d["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"pageSize") && !names.contains(&"tenant"));
        assert!(d["response_outline"]["data"].is_array(), "{d}");
        let create = describe(&find("Customers_Create").unwrap());
        assert_eq!(create["access"], "write");
        assert!(create["body"]["schema"].is_object(), "{create}");
    }
}
