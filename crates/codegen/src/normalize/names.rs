//! Component names a person would write.
//!
//! The specs name schemas after .NET types: `Jpm.V2.JobResponse`,
//! `PaginatedResponse_Of_Jpm.V2.JobResponse`, `ServiceTitan.Marketing.ReviewEngine.…Reviews.JobStatus`.
//! Each becomes its last segment (`JobResponse`); generic envelopes get a suffix
//! (`JobResponsePage` for paged lists, `ExportJobsResponseBatch` for export batches); when two
//! schemas would share a name, each keeps as many namespace segments as it takes to tell them
//! apart (`ReviewsJobStatus`).

use super::walk::schema_ref_name;
use heck::ToUpperCamelCase;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Segments of a dotted .NET name, without generic envelopes.
fn segments(name: &str) -> Vec<String> {
    name.split('.').map(|s| s.to_string()).collect()
}

/// Clean name using the last `depth` segments of each dotted part.
fn clean(name: &str, depth: usize) -> String {
    if let Some((outer, inner)) = name.split_once("_Of_") {
        let inner = clean(inner, depth);
        let outer_last = outer.rsplit('.').next().unwrap_or(outer);
        return match outer_last {
            "PaginatedResponse" => format!("{inner}Page"),
            "ExportResponse" => format!("{inner}Batch"),
            other => format!("{inner}{}", other.to_upper_camel_case()),
        };
    }
    let segs = segments(name);
    let start = segs.len().saturating_sub(depth);
    segs[start..]
        .iter()
        .map(|s| {
            let s: String = s
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            // Keep existing capitalisation inside a segment (`ApiErrorResponse`), only fix `_`.
            s.split('_')
                .filter(|p| !p.is_empty())
                .map(upper_first)
                .collect::<String>()
        })
        .collect()
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Chooses a clean, unique name for every component schema.
pub fn plan_renames(names: &[String]) -> BTreeMap<String, String> {
    let max_depth = names
        .iter()
        .map(|n| n.split('.').count())
        .max()
        .unwrap_or(1);
    let mut depth: BTreeMap<&String, usize> = names.iter().map(|n| (n, 1)).collect();
    loop {
        let mut by_clean: BTreeMap<String, Vec<&String>> = BTreeMap::new();
        for n in names {
            by_clean.entry(clean(n, depth[n])).or_default().push(n);
        }
        let clashes: Vec<&String> = by_clean
            .values()
            .filter(|v| v.len() > 1)
            .flatten()
            .copied()
            .filter(|n| depth[*n] < max_depth)
            .collect();
        if clashes.is_empty() {
            let mut out = BTreeMap::new();
            let mut taken = BTreeSet::new();
            for n in names {
                let mut c = clean(n, depth[n]);
                // Identical full names cannot happen in a map, but different full names can
                // still clean to the same text (`A_B` vs `A.B`): number them.
                let base = c.clone();
                let mut i = 2;
                while !taken.insert(c.clone()) {
                    c = format!("{base}{i}");
                    i += 1;
                }
                out.insert(n.clone(), c);
            }
            return out;
        }
        for n in clashes {
            *depth.get_mut(n).expect("known name") += 1;
        }
    }
}

/// Renames `components.schemas` and rewrites every `$ref` to them.
pub fn rename_schemas(doc: &mut Value) -> BTreeMap<String, String> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return BTreeMap::new();
    };
    let names: Vec<String> = schemas.keys().cloned().collect();
    let plan = plan_renames(&names);
    let old = doc["components"]["schemas"].take();
    let mut renamed = Map::new();
    if let Value::Object(old) = old {
        for (k, v) in old {
            renamed.insert(plan[&k].clone(), v);
        }
    }
    doc["components"]["schemas"] = Value::Object(renamed);
    rewrite_refs(doc, &plan);
    plan
}

fn rewrite_refs(value: &mut Value, plan: &BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k == "$ref" {
                    if let Some(new) = v
                        .as_str()
                        .and_then(schema_ref_name)
                        .and_then(|n| plan.get(n))
                    {
                        *v = Value::String(format!("#/components/schemas/{new}"));
                    }
                } else {
                    rewrite_refs(v, plan);
                }
            }
        }
        Value::Array(list) => list.iter_mut().for_each(|v| rewrite_refs(v, plan)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(list: &[&str]) -> BTreeMap<String, String> {
        plan_renames(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn dotted_names_keep_their_last_segment() {
        let plan = names(&[
            "Jpm.V2.JobResponse",
            "ApiErrorResponse",
            "Dispatch.Contracts.NonJobAppointment.RepeatFrequency_Int32",
        ]);
        assert_eq!(plan["Jpm.V2.JobResponse"], "JobResponse");
        assert_eq!(plan["ApiErrorResponse"], "ApiErrorResponse");
        assert_eq!(
            plan["Dispatch.Contracts.NonJobAppointment.RepeatFrequency_Int32"],
            "RepeatFrequencyInt32"
        );
    }

    #[test]
    fn envelopes_get_suffixes() {
        let plan = names(&[
            "PaginatedResponse_Of_Jpm.V2.JobResponse",
            "ExportResponse_Of_Jpm.V2.ExportJobsResponse",
        ]);
        assert_eq!(
            plan["PaginatedResponse_Of_Jpm.V2.JobResponse"],
            "JobResponsePage"
        );
        assert_eq!(
            plan["ExportResponse_Of_Jpm.V2.ExportJobsResponse"],
            "ExportJobsResponseBatch"
        );
    }

    #[test]
    fn clashes_keep_more_segments() {
        let plan = names(&["A.Reviews.JobStatus", "Jpm.V2.JobStatus", "Other"]);
        assert_eq!(plan["A.Reviews.JobStatus"], "ReviewsJobStatus");
        assert_eq!(plan["Jpm.V2.JobStatus"], "V2JobStatus");
        assert_eq!(plan["Other"], "Other");
    }

    #[test]
    fn references_follow_the_rename() {
        let mut doc = json!({
            "components": {"schemas": {
                "Jpm.V2.JobResponse": {"type": "object"},
                "PaginatedResponse_Of_Jpm.V2.JobResponse": {"properties": {"data": {"items": {"$ref": "#/components/schemas/Jpm.V2.JobResponse"}}}}
            }},
            "paths": {"/x": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/PaginatedResponse_Of_Jpm.V2.JobResponse"}}}}}}}}
        });
        rename_schemas(&mut doc);
        assert!(doc["components"]["schemas"].get("JobResponse").is_some());
        assert_eq!(
            doc["components"]["schemas"]["JobResponsePage"]["properties"]["data"]["items"]["$ref"],
            "#/components/schemas/JobResponse"
        );
        assert_eq!(
            doc["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
                ["$ref"],
            "#/components/schemas/JobResponsePage"
        );
    }
}
