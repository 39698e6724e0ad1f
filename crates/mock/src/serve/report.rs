//! Reporting: categories → reports → a report's definition (parameters, fields) → its data
//! (rows as arrays plus `fields`), with parameters checked against the definition and the
//! per-report limit (5 per minute per tenant by default) answered with 429 + `Retry-After`,
//! and rows narrowed to the `From`/`To` days. The query flow is [`super::report_query`].
//! The catalogue is fixed here because the spec describes the envelope, not any report.

use super::call::Call;
use crate::fake::{self, mix};
use crate::problem::{field_error, json_response, problem, too_many};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Map, Value};

const CATEGORIES: [(&str, &str); 4] = [
    ("operations", "Operations"),
    ("accounting", "Accounting"),
    ("marketing", "Marketing"),
    ("technician", "Technician"),
];
const REPORTS: [&str; 3] = [
    "Revenue by Business Unit",
    "Completed Jobs",
    "Technician Performance",
];
/// (name, label, dataType) of every report's columns.
const FIELDS: [(&str, &str, &str); 5] = [
    ("Name", "Name", "String"),
    ("BusinessUnitId", "Business Unit", "Number"),
    ("Revenue", "Revenue", "Number"),
    ("Completed", "Completed", "Boolean"),
    ("Date", "Date", "Date"),
];
/// (name, dataType, isArray, isRequired) of every report's parameters.
const PARAMS: [(&str, &str, bool, bool); 4] = [
    ("From", "Date", false, true),
    ("To", "Date", false, true),
    ("BusinessUnitIds", "Number", true, false),
    ("IncludeInactive", "Boolean", false, false),
];

fn report_ids(category: usize) -> impl Iterator<Item = (u64, &'static str)> {
    REPORTS
        .iter()
        .enumerate()
        .map(move |(k, name)| ((category as u64 + 1) * 100 + 75 + k as u64, *name))
}

fn find_report(category: &str, id: &str) -> Option<(u64, &'static str)> {
    let c = CATEGORIES.iter().position(|(k, _)| *k == category)?;
    let id: u64 = id.parse().ok()?;
    report_ids(c).find(|(r, _)| *r == id)
}

/// The reporting handler for an operation, or `None` for the generic one.
pub fn handle(call: &Call) -> Option<Response> {
    let param = |n: &str| call.path.get(n).map(String::as_str).unwrap_or_default();
    Some(match call.op.id.as_str() {
        "ReportCategories_GetCategories" => paged(
            call,
            CATEGORIES
                .iter()
                .map(|(id, name)| json!({"id": id, "name": name}))
                .collect(),
            None,
        ),
        "ReportCategoryReports_GetReports" => match CATEGORIES
            .iter()
            .position(|(k, _)| *k == param("report_category"))
        {
            Some(c) => paged(
                call,
                report_ids(c)
                    .map(|(id, name)| json!({"id": id, "name": name}))
                    .collect(),
                None,
            ),
            None => not_found("report category", param("report_category")),
        },
        "ReportCategoryReports_Get" => {
            match find_report(param("report_category"), param("reportId")) {
                Some((id, name)) => json_response(StatusCode::OK, definition(id, name).to_string()),
                None => not_found("report", param("reportId")),
            }
        }
        "ReportCategoryReports_GetData" => data(call, param("report_category"), param("reportId")),
        "ReportCategoryReports_QueryData" => {
            super::report_query::start(call, param("report_category"), param("reportId"))
        }
        "DataQueries_Get" => super::report_query::poll(call, param("token")),
        "DataQueries_Delete" => super::report_query::cancel(call, param("token")),
        "DynamicValueSets_GetDynamicSet" => {
            let rows = (0..call.state.config.records.min(200))
                .map(|i| json!([crate::gen::ID_BASE + i, format!("Business Unit {}", i + 1)]))
                .collect();
            let fields =
                json!([{"name": "Value", "label": "Value"}, {"name": "Name", "label": "Name"}]);
            paged(call, rows, Some(fields))
        }
        _ => return None,
    })
}

pub(super) fn not_found(what: &str, id: &str) -> Response {
    problem(
        StatusCode::NOT_FOUND,
        &format!("Not Found: no {what} {id}"),
        Map::new(),
    )
}

fn definition(id: u64, name: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "description": format!("{name} for a date range (mock report)"),
        "modifiedOn": "2025-06-01T12:00:00Z",
        "parameters": PARAMS.iter().map(|(n, t, array, required)| json!({
            "name": n, "label": n, "dataType": t, "isArray": array, "isRequired": required,
            "acceptValues": if *n == "BusinessUnitIds" {
                json!({"fields": [{"name": "Value", "label": "Value"}, {"name": "Name", "label": "Name"}], "dynamicSetId": "business-units", "values": null})
            } else { Value::Null },
        })).collect::<Vec<_>>(),
        "fields": FIELDS.iter().map(|(n, l, t)| json!({"name": n, "label": l, "dataType": t})).collect::<Vec<_>>(),
    })
}

fn paged(call: &Call, rows: Vec<Value>, fields: Option<Value>) -> Response {
    let total = rows.len() as u64;
    paged_with(call, total, |i| rows[i as usize].clone(), fields, 50)
}

/// A page of `total` rows made by `row(index)`, so only the page's rows are ever built.
fn paged_with(
    call: &Call,
    total: u64,
    row: impl Fn(u64) -> Value,
    fields: Option<Value>,
    default_size: u64,
) -> Response {
    let page = call.query_u64("page").unwrap_or(1).max(1);
    let size = call.query_u64("pageSize").unwrap_or(default_size).max(1);
    let start = (page - 1).saturating_mul(size).min(total);
    let end = start.saturating_add(size).min(total);
    let mut body = json!({
        "page": page, "pageSize": size, "hasMore": end < total,
        "totalCount": if call.query_bool("includeTotal") { json!(total) } else { Value::Null },
        "data": (start..end).map(row).collect::<Vec<_>>(),
    });
    if let Some(f) = fields {
        body["fields"] = f;
    }
    json_response(StatusCode::OK, body.to_string())
}

fn check_params(body: &Value) -> Result<(), Response> {
    let given: Vec<(&str, &Value)> = body["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p.get("name")?.as_str()?,
                p.get("value").unwrap_or(&Value::Null),
            ))
        })
        .collect();
    let mut errors = Map::new();
    for (name, _) in &given {
        if !PARAMS.iter().any(|(n, ..)| n.eq_ignore_ascii_case(name)) {
            errors.insert(
                (*name).into(),
                json!([format!("The report has no parameter '{name}'.")]),
            );
        }
    }
    for (name, kind, array, required) in PARAMS {
        match given.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            None | Some((_, Value::Null)) if required => {
                errors.insert(
                    name.into(),
                    json!([format!("The parameter '{name}' is required.")]),
                );
            }
            Some((_, v)) if !v.is_null() && !value_fits(v, kind, array) => {
                errors.insert(
                    name.into(),
                    json!([format!(
                        "The value {v} is not a valid {kind}{}.",
                        if array { " list" } else { "" }
                    )]),
                );
            }
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(problem(
            StatusCode::BAD_REQUEST,
            "One or more validation errors occurred.",
            errors,
        ))
    }
}

fn value_fits(v: &Value, kind: &str, array: bool) -> bool {
    let one = |v: &Value| match kind {
        "Number" => v.is_number() || v.as_str().is_some_and(|s| s.parse::<f64>().is_ok()),
        "Boolean" => {
            v.is_boolean()
                || v.as_str().is_some_and(|s| {
                    s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
                })
        }
        "Date" => v.as_str().and_then(crate::dates::parse).is_some(),
        _ => v.is_string(),
    };
    match (array, v) {
        (true, Value::Array(items)) => items.iter().all(one),
        (true, Value::String(s)) => s.split(',').all(|p| one(&Value::String(p.trim().into()))),
        _ => one(v),
    }
}

/// The spec's `pageSize` default for report data ("1000 by default"); other lists use 50.
pub const REPORT_PAGE_SIZE: u64 = 1000;

fn data(call: &Call, category: &str, id: &str) -> Response {
    if call.state.config.reports.no_sync {
        return not_found("operation", "POST …/data (removed; use …/data/query)");
    }
    match rows(call, category, id) {
        Ok(rows) => {
            let total = rows.len() as u64;
            paged_with(
                call,
                total,
                |i| rows[i as usize].clone(),
                Some(Value::Array(fields(false))),
                REPORT_PAGE_SIZE,
            )
        }
        Err(r) => r,
    }
}

/// The header fields of every report's data, in the spec's casing or the live PascalCase.
pub fn fields(pascal: bool) -> Vec<Value> {
    let (name, label) = if pascal {
        ("Name", "Label")
    } else {
        ("name", "label")
    };
    FIELDS
        .iter()
        .map(|(n, l, _)| json!({name: n, label: l}))
        .collect()
}

/// Checks a data request (report, per-report limit, parameters) and builds every row of its
/// result, narrowed to the `From`/`To` parameters' days.
pub fn rows(call: &Call, category: &str, id: &str) -> Result<Vec<Value>, Response> {
    let Some((report, _)) = find_report(category, id) else {
        return Err(not_found("report", id));
    };
    if let Err(wait) = call
        .state
        .check_report_rate(call.tenant, &report.to_string())
    {
        call.state.recorder.count(|c| c.rate_limited += 1);
        return Err(too_many(
            wait.as_secs_f64().ceil() as u64,
            "Too many requests for this report",
        ));
    }
    if call.body.is_null() {
        return Err(field_error(
            "parameters",
            "The request body with report parameters is required.".into(),
        ));
    }
    check_params(&call.body)?;
    let bound = |name: &str| {
        call.body["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| {
                p["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .and_then(|p| p["value"].as_str())
            .and_then(crate::dates::parse)
    };
    let (from, to) = (bound("From"), bound("To"));
    let h = mix(mix(call.state.config.seed, call.tenant as u64), report);
    let row = |r: u64, day: i64| {
        let mut name = String::new();
        fake::name(&mut name, r);
        let mut date = String::new();
        fake::date(&mut date, day);
        let mut revenue = String::new();
        fake::money(&mut revenue, r % 2_500_000);
        json!([
            name,
            crate::gen::ID_BASE + r % 20,
            revenue.parse::<f64>().unwrap_or(0.0),
            !r.is_multiple_of(3),
            date
        ])
    };
    Ok((0..call.state.config.records)
        .filter_map(|i| {
            let r = mix(h, i);
            let secs = fake::START + (r % fake::SPAN as u64) as i64;
            let day = secs - secs.rem_euclid(86_400);
            let inside = from.is_none_or(|f| day >= f) && to.is_none_or(|t| day <= t);
            inside.then(|| row(r, day))
        })
        .collect())
}
