//! Every operation of every spec answers, with a body valid against the operation's response
//! schema (jsonschema, formats checked). Requests are made from the spec too: required
//! parameters filled, bodies generated from the request schema.

mod support;

use serde_json::Value;
use servicetitan_mock::catalog;
use servicetitan_mock::gen::Writer;
use servicetitan_mock::shape::Hint;
use servicetitan_mock::spec::{self, Kind, Module, Operation};
use servicetitan_mock::{validate, MockConfig};
use support::{path_value, query_value, Harness};

fn request_body_for_reports() -> String {
    r#"{"parameters":[{"name":"From","value":"2024-01-01"},{"name":"To","value":"2024-01-31"}]}"#
        .into()
}

fn request_body(cm: &'static catalog::CompiledModule, op: &Operation) -> Option<String> {
    if op.id == "ReportCategoryReports_GetData" || op.id == "ReportCategoryReports_QueryData" {
        return Some(request_body_for_reports());
    }
    let body = op.body.as_ref()?;
    let shape = cm.schemas.compile_inline(&cm.module.schemas, &body.schema);
    let w = Writer {
        schemas: &cm.schemas,
        records: 20,
        drift: false,
    };
    let mut out = String::new();
    w.value(&shape, Hint::None, 99, 0, &mut out);
    Some(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_with_a_schema_valid_body() {
    let h = Harness::start(
        MockConfig::default()
            .records(20)
            .rate_limit(None)
            .report_limit(None)
            // One 202 per query: the poll below then gets the data.
            .reports(servicetitan_mock::ReportFlow {
                polls: 1,
                ..Default::default()
            }),
    )
    .await;
    let tenant = h.mock.credentials().tenant_id;
    // A running report data query, for the operations that take its token.
    let started: Value = h
        .request(
            reqwest::Method::POST,
            &h.api(
                "reporting/v2",
                "report-category/operations/reports/175/data/query",
            ),
        )
        .header("content-type", "application/json")
        .body(request_body_for_reports())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let query_token = started["Token"]
        .as_str()
        .expect("a 202 with a token")
        .to_owned();
    let mut ops: Vec<(&Module, &Operation)> = spec::table().operations().collect();
    // Deletes last, so no other operation meets a record they removed.
    ops.sort_by_key(|(_, op)| op.method == "DELETE");
    assert_eq!(
        ops.len(),
        565,
        "the 25 specs have 565 operations (562 + the 3 of the reporting query flow, by patch)"
    );
    let mut failures = Vec::new();
    let mut validated = 0;
    for (module, op) in ops {
        let (cm, response) = catalog::find(module, op);
        let scoped = op
            .params
            .iter()
            .filter(|p| p.location == "path" && p.name != "tenant")
            .count()
            > 1;
        // Under a parent, the first parent (from 1) that has the child the request names.
        let mut answer = None;
        for parent in 1..20 {
            let mut path = op.path.clone();
            for p in op.params.iter().filter(|p| p.location == "path") {
                let value = if p.name == "token" {
                    query_token.clone()
                } else {
                    path_value(module, &p.name, op, tenant, parent)
                };
                path = path.replace(&format!("{{{}}}", p.name), &value);
            }
            let query: Vec<(String, String)> = op
                .params
                .iter()
                .filter(|p| p.location == "query" && p.required)
                .map(|p| (p.name.clone(), query_value(cm, &p.schema)))
                .collect();
            let url = format!("{}/{}{}", h.mock.url(), module.base_path, path);
            let method: reqwest::Method = op.method.parse().unwrap();
            let mut req = h.request(method, &url).query(&query);
            if op.kind == Kind::Upload {
                let part = reqwest::multipart::Part::bytes(b"hello".to_vec()).file_name("a.txt");
                req = req.multipart(reqwest::multipart::Form::new().part("file", part));
            } else if let Some(body) = request_body(cm, op) {
                req = req.header("content-type", "application/json").body(body);
            }
            let r = req.send().await.unwrap();
            let status = r.status();
            let bytes = r.bytes().await.unwrap();
            answer = Some((status, bytes));
            if !(scoped && status == reqwest::StatusCode::NOT_FOUND) {
                break;
            }
        }
        let (status, bytes) = answer.unwrap();
        let label = format!("{} {} {} ({})", module.short, op.method, op.path, op.id);
        if !(status.is_success() || status.is_redirection()) {
            failures.push(format!(
                "{label}: {status} {}",
                String::from_utf8_lossy(&bytes)
            ));
            continue;
        }
        let Some(schema) = op.response.as_ref().and_then(|r| r.schema.as_ref()) else {
            continue;
        };
        if op.response.as_ref().and_then(|r| r.media.as_deref()) != Some("application/json")
            || response.is_none()
        {
            continue;
        }
        let body: Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{label}: not JSON: {e}"));
                continue;
            }
        };
        let validator =
            validate::validator(module, &format!("{}:response", op.id), schema, true).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .take(3)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        if !errors.is_empty() {
            failures.push(format!("{label}: {}", errors.join("; ")));
        }
        // The validator can fail: an empty object misses the required fields of every
        // object-shaped response.
        if body.is_object() && schema_requires_fields(module, schema) {
            assert!(
                !validator.is_valid(&serde_json::json!({})),
                "{label}: validator accepts {{}}"
            );
        }
        validated += 1;
    }
    assert!(
        validated > 450,
        "only {validated} JSON responses were validated"
    );
    assert!(
        failures.is_empty(),
        "{} operation(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn schema_requires_fields(module: &Module, schema: &Value) -> bool {
    let target = match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        Some(name) => module.schemas.get(name).unwrap_or(schema),
        None => schema,
    };
    target
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| !r.is_empty())
}
