//! Counts a sync can trust: every paged list and every export of every module, walked to the
//! end with a small collection, serves as many records as the collection holds for the filters
//! given (`totalCount`, the collection size) and each id once.

mod support;

use serde_json::Value;
use servicetitan_mock::spec::{self, Kind, Module, Operation};
use servicetitan_mock::{catalog, MockConfig};
use std::collections::HashSet;
use support::{path_value, query_value, Harness};

const RECORDS: u64 = 23;

fn url(
    h: &Harness,
    module: &Module,
    op: &Operation,
    tenant: i64,
    query: &[(String, String)],
) -> String {
    let mut path = op.path.clone();
    for p in op.params.iter().filter(|p| p.location == "path") {
        path = path.replace(
            &format!("{{{}}}", p.name),
            &path_value(module, &p.name, op, tenant, 1),
        );
    }
    let mut url =
        reqwest::Url::parse(&format!("{}/{}{}", h.mock.url(), module.base_path, path)).unwrap();
    url.query_pairs_mut().extend_pairs(query);
    url.to_string()
}

/// The query a full walk sends: required parameters filled from the spec, `active=Any`.
fn base_query(module: &Module, op: &Operation) -> Vec<(String, String)> {
    let (cm, _) = catalog::find(module, op);
    let mut q: Vec<(String, String)> = op
        .params
        .iter()
        .filter(|p| p.location == "query" && p.required)
        .filter(|p| !["page", "pageSize", "includeTotal", "from"].contains(&p.name.as_str()))
        .map(|p| (p.name.clone(), query_value(cm, &p.schema)))
        .collect();
    if op.has_query("active") {
        q.push(("active".into(), "Any".into()));
    }
    q
}

/// Whether the walk names no filter and no parent: then the whole collection must come.
fn unfiltered(op: &Operation, query: &[(String, String)]) -> bool {
    query.iter().all(|(k, _)| k == "active")
        && op
            .params
            .iter()
            .filter(|p| p.location == "path")
            .all(|p| p.name == "tenant")
}

/// Counts a page's records, noting any id already seen.
fn tally(body: &Value, seen: &mut HashSet<String>, label: &str, failures: &mut Vec<String>) -> u64 {
    let data = body["data"].as_array().cloned().unwrap_or_default();
    for id in data
        .iter()
        .filter_map(|r| r.get("id").filter(|v| !v.is_null()).map(Value::to_string))
    {
        if !seen.insert(id.clone()) {
            failures.push(format!("{label}: id {id} twice"));
        }
    }
    data.len() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_and_export_serves_each_record_once() {
    let h = Harness::start(
        MockConfig::default()
            .records(RECORDS)
            .export_batch(5)
            .rate_limit(None)
            .report_limit(None),
    )
    .await;
    let tenant = h.mock.credentials().tenant_id;
    let mut failures = Vec::new();
    let (mut lists, mut exports, mut whole) = (0, 0, 0);
    for (module, op) in spec::table().operations() {
        if op.method != "GET" || module.short == "reporting" {
            continue;
        }
        let label = format!("{} {} ({})", module.short, op.path, op.id);
        let base = base_query(module, op);
        let mut seen = HashSet::new();
        let mut served = 0u64;
        let mut expected = None;
        match op.kind {
            Kind::PagedList => {
                lists += 1;
                let first = op.first_page();
                for page in first.. {
                    let mut q = base.clone();
                    q.push(("page".into(), page.to_string()));
                    q.push(("pageSize".into(), "4".into()));
                    q.push(("includeTotal".into(), "true".into()));
                    let body = h.get_json(&url(&h, module, op, tenant, &q)).await;
                    served += tally(&body, &mut seen, &label, &mut failures);
                    let total = body["totalCount"].as_u64();
                    if expected.is_some() && expected != total {
                        failures.push(format!("{label}: totalCount changed between pages"));
                    }
                    expected = total;
                    if !body["hasMore"].as_bool().unwrap_or(false) || page > 40 {
                        break;
                    }
                }
            }
            Kind::Export => {
                exports += 1;
                let mut from = String::new();
                for _ in 0..40 {
                    let mut q = base.clone();
                    q.push(("from".into(), from.clone()));
                    let body = h.get_json(&url(&h, module, op, tenant, &q)).await;
                    served += tally(&body, &mut seen, &label, &mut failures);
                    from = body["continueFrom"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    if !body["hasMore"].as_bool().unwrap_or(false) {
                        break;
                    }
                }
            }
            _ => continue,
        }
        if unfiltered(op, &base) {
            whole += 1;
            if expected.is_some_and(|t| t != RECORDS) || served != RECORDS {
                failures.push(format!(
                    "{label}: served {served}, totalCount {expected:?}, the collection holds {RECORDS}"
                ));
            }
        } else if let Some(t) = expected {
            if t != served {
                failures.push(format!("{label}: served {served}, totalCount {t}"));
            }
        }
    }
    eprintln!("{lists} lists, {exports} exports, {whole} walked whole");
    assert!(
        lists > 150 && exports > 40 && whole > 100,
        "{lists} lists, {exports} exports, {whole} walked whole"
    );
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
