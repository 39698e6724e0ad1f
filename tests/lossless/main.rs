//! The all-operations decoding check (issue: reading never loses data).
//!
//! Walks all 25 specs, normalized exactly as the build normalizes them; for every operation with
//! a typed JSON response (found in the specs, decoded through the table each generated crate
//! carries — `__decoders::DECODERS`, built from the type each builder's `send()` returns) it
//! builds realistic responses with the API's known drift ([`sample`]), decodes them with the
//! generated type, writes them back and checks that nothing failed and no known value was lost
//! or changed ([`compare`]). Prints per-module pass counts. Exceptions: [`EXCEPTIONS`] (and the
//! README's typing rules), each with its reason.

mod compare;
mod json;
mod sample;

use serde_json::Value;
use servicetitan_codegen::inventory;
use servicetitan_codegen::specs::Specs;
use std::collections::BTreeMap;

type Decoder = fn(&[u8]) -> Result<String, String>;

/// Operations the check does not hold to, with the reason (also listed in the README).
const EXCEPTIONS: &[(&str, &str)] = &[];

/// Each crate's decoding table, by the module's Rust name; the test checks it against the
/// manifest, so a module missing here fails.
macro_rules! tables {
    ($($m:ident),* $(,)?) => {
        vec![$((stringify!($m), &servicetitan::$m::__decoders::DECODERS[..])),*]
    };
}

fn tables() -> BTreeMap<&'static str, &'static [(&'static str, Decoder)]> {
    tables!(
        accounting,
        crm,
        customer_interactions,
        dispatch,
        equipment_systems,
        findings,
        fleet_pro,
        forms,
        inventory,
        jbce,
        jpm,
        marketing,
        marketing_ads,
        marketing_reputation,
        memberships,
        payroll,
        pricebook,
        reporting,
        salestech,
        scheduling_pro,
        service_agreements,
        settings,
        task_management,
        telecom,
        timesheets,
    )
    .into_iter()
    .collect()
}

/// The success response's JSON schema of an operation of the normalized document.
fn json_schema<'a>(doc: &'a Value, op: &inventory::Operation) -> Option<&'a Value> {
    let item = doc.get("paths")?.get(&op.path)?;
    let operation = item.get(op.http_method.to_lowercase())?;
    let responses = operation.get("responses")?.as_object()?;
    let (_, ok) = responses.iter().find(|(code, _)| code.starts_with('2'))?;
    ok.pointer("/content/application~1json/schema")
}

#[test]
fn every_operation_decodes_realistic_drift_without_loss() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // The documents as the build reads them: patched and normalized by the same reader.
    let mut specs = Specs::open(root).unwrap();
    let tables = tables();
    let names: Vec<String> = specs
        .manifest()
        .modules
        .iter()
        .map(|m| m.rust_name())
        .collect();
    assert_eq!(
        tables.keys().map(|k| k.to_string()).collect::<Vec<_>>(),
        {
            let mut n = names.clone();
            n.sort();
            n
        },
        "one decoding table per module of the manifest"
    );
    let mut failures = Vec::new();
    let (mut total, mut passed) = (0, 0);
    for spec in specs.read_all().unwrap() {
        let module = &spec.module;
        let doc = &spec.normalized().unwrap().document;
        let table = tables[module.rust_name().as_str()];
        let (mut m_total, mut m_passed) = (0, 0);
        for op in inventory::operations(doc) {
            let Some(schema) = json_schema(doc, &op) else {
                continue;
            };
            if EXCEPTIONS.iter().any(|(id, _)| *id == op.operation_id) {
                continue;
            }
            m_total += 1;
            let Some((_, decode)) = table.iter().find(|(id, _)| *id == op.operation_id) else {
                failures.push(format!("{}::{}: no decoder", module.short, op.operation_id));
                continue;
            };
            let mut problems = Vec::new();
            for nulls in [false, true] {
                let input = sample::Sampler::new(doc, nulls).sample(schema, "", 0);
                let text = input.text();
                match decode(text.as_bytes()) {
                    Err(e) => problems.push(format!(
                        "{} sample failed: {e}",
                        if nulls { "nulls" } else { "full" }
                    )),
                    Ok(back) => match json::J::parse(&back) {
                        Err(e) => problems.push(format!("output is not JSON: {e}")),
                        Ok(back) => compare::differences("$", &input, Some(&back), &mut problems),
                    },
                }
            }
            if problems.is_empty() {
                m_passed += 1;
            } else {
                problems.truncate(4);
                failures.push(format!(
                    "{}::{}: {}",
                    module.short,
                    op.operation_id,
                    problems.join("; ")
                ));
            }
        }
        println!(
            "{:<24} {m_passed:>3}/{m_total:<3} operations decode losslessly",
            module.short
        );
        total += m_total;
        passed += m_passed;
    }
    println!("all modules: {passed}/{total}");
    assert!(
        total > 400,
        "only {total} operations with a JSON body found"
    );
    assert!(
        failures.is_empty(),
        "{} operations lose data:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
