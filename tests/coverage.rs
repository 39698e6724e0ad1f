//! Coverage: every operation of every spec has a method on its module's `Api`, and each crate's
//! operation table holds exactly the operations the manifest accepted.
//!
//! Two independent oracles:
//! * the spec documents (read by the root build script into `SPEC_OPERATIONS`, with the same
//!   inventory code the generator uses): `reference_every_method` (generated) names each method,
//!   so a missing one fails to compile, and each table entry must equal the spec's;
//! * the per-module operation counts committed in `specs/manifest.json` when the specs were last
//!   accepted (`cargo xtask specs accept`), which no build step writes, plus the operations the
//!   reviewed patches add (counted here from `specs/patches/`): a generator that dropped or
//!   duplicated operations — in the tables and the inventory alike — fails here.

use servicetitan_workspace::{OperationKind, OperationPolicy, SPEC_OPERATIONS};
use std::collections::BTreeMap;

include!(concat!(env!("OUT_DIR"), "/method_refs.rs"));

fn tables() -> BTreeMap<&'static str, &'static [servicetitan::OperationMeta]> {
    crate_tables().into_iter().collect()
}

#[test]
fn every_spec_operation_has_its_table_entry() {
    let tables = tables();
    let mut missing = Vec::new();
    for spec in SPEC_OPERATIONS {
        let table = tables
            .get(spec.module)
            .unwrap_or_else(|| panic!("no crate for module {}", spec.module));
        match table
            .iter()
            .find(|m| m.operation_id == spec.meta.operation_id)
        {
            None => missing.push(format!("{}::{}", spec.module, spec.meta.operation_id)),
            Some(meta) => assert_eq!(*meta, spec.meta, "{}", spec.module),
        }
    }
    assert!(
        missing.is_empty(),
        "operations without a method: {missing:?}"
    );
    let generated: usize = tables.values().map(|t| t.len()).sum();
    assert_eq!(
        generated,
        SPEC_OPERATIONS.len(),
        "crates list operations the specs do not have"
    );
}

/// `(short name, accepted operation count)` of every module in the committed manifest.
fn manifest_counts() -> BTreeMap<String, usize> {
    let manifest: serde_json::Value =
        serde_json::from_str(include_str!("../specs/manifest.json")).expect("manifest is JSON");
    manifest["modules"]
        .as_array()
        .expect("manifest lists modules")
        .iter()
        .map(|m| {
            let short = m["short"].as_str().expect("module short name");
            let count = m["operations"].as_u64().expect("module operation count");
            let api_id = m["api_id"].as_str().expect("module api id");
            (short.to_string(), count as usize + patched_in(api_id))
        })
        .collect()
}

/// Operations a module's patch file adds: the methods of every path item it sets.
fn patched_in(api_id: &str) -> usize {
    let path = format!("{}/specs/patches/{api_id}.json", env!("CARGO_MANIFEST_DIR"));
    let Ok(text) = std::fs::read_to_string(&path) else {
        return 0;
    };
    let file: serde_json::Value = serde_json::from_str(&text).expect("patch file is JSON");
    file["patches"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| {
            p["op"] == "set"
                && p["pointer"]
                    .as_str()
                    .is_some_and(|ptr| ptr.starts_with("/paths/") && ptr.matches('/').count() == 2)
        })
        .filter_map(|p| p["value"].as_object())
        .map(|item| {
            ["get", "put", "post", "delete", "patch"]
                .iter()
                .filter(|m| item.contains_key(**m))
                .count()
        })
        .sum()
}

#[test]
fn every_crate_has_the_operations_the_manifest_accepted() {
    let expected = manifest_counts();
    let tables = tables();
    let crates: Vec<&str> = tables.keys().copied().collect();
    let modules: Vec<&str> = expected.keys().map(String::as_str).collect();
    assert_eq!(crates, modules, "one crate per manifest module");
    let mut total = 0;
    for (module, count) in &expected {
        let table = tables[module.as_str()];
        assert_eq!(table.len(), *count, "{module}: table vs. manifest");
        let mut ids: Vec<&str> = table.iter().map(|m| m.operation_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), *count, "{module}: duplicate operation ids");
        let in_specs = SPEC_OPERATIONS
            .iter()
            .filter(|o| o.module == module)
            .count();
        assert_eq!(in_specs, *count, "{module}: spec on disk vs. manifest");
        total += count;
    }
    println!("coverage: {total} operations in {} crates", expected.len());
}

#[test]
fn only_uploads_are_hand_written() {
    for (module, table) in crate_tables() {
        for meta in table {
            assert_eq!(
                meta.hand_written,
                meta.kind == OperationKind::Upload,
                "{module}::{}",
                meta.operation_id
            );
        }
    }
}

#[test]
fn every_operation_names_its_oauth_scope() {
    for (module, table) in crate_tables() {
        for meta in table {
            assert!(
                !meta.scopes.is_empty(),
                "{module}::{} has no scope",
                meta.operation_id
            );
        }
    }
    let jobs = servicetitan::jpm::operation_meta("Jobs_GetList");
    assert_eq!(jobs.scopes, ["tn.jpm.jobs:r"]);
    assert_eq!(jobs.path, "/tenant/{tenant}/jobs");
}

#[test]
fn kinds_are_found_in_every_module() {
    let count = |kind| {
        SPEC_OPERATIONS
            .iter()
            .filter(|o| o.meta.kind == kind)
            .count()
    };
    // The portal's documents have well over a hundred paged lists and dozens of exports.
    assert!(count(OperationKind::PagedList) > 100);
    assert!(count(OperationKind::Export) > 40);
    assert_eq!(count(OperationKind::Upload), 4);
}

#[test]
fn only_report_runs_carry_the_report_policy() {
    let special: Vec<String> = crate_tables()
        .into_iter()
        .flat_map(|(module, table)| {
            table
                .iter()
                .filter(|m| m.policy != OperationPolicy::STANDARD)
                .map(move |m| format!("{module}::{}", m.operation_id))
        })
        .collect();
    assert_eq!(
        special,
        [
            "reporting::ReportCategoryReports_GetData",
            "reporting::ReportCategoryReports_QueryData"
        ]
    );
    let run = servicetitan::reporting::operation_meta("ReportCategoryReports_GetData");
    assert_eq!(run.policy, OperationPolicy::REPORT_DATA);
}
