//! Coverage: every operation of every spec has a method on its module's `Api`.
//!
//! The list comes from the spec documents (read by the root build script), never from a
//! hard-coded count. `reference_every_method` (generated) names each method, so a missing one
//! fails to compile; the test below also checks each crate's own operation table against the
//! specs, kind by kind.

use servicetitan_workspace::SPEC_OPERATIONS;
use std::collections::BTreeMap;

include!(concat!(env!("OUT_DIR"), "/method_refs.rs"));

#[test]
fn every_spec_operation_has_a_method() {
    let tables: BTreeMap<&str, &[servicetitan::OperationMeta]> =
        crate_tables().into_iter().collect();
    let mut missing = Vec::new();
    for op in SPEC_OPERATIONS {
        let table = tables
            .get(op.module)
            .unwrap_or_else(|| panic!("no crate for module {}", op.module));
        match table.iter().find(|m| m.operation_id == op.operation_id) {
            None => missing.push(format!("{}::{}", op.module, op.operation_id)),
            Some(meta) => {
                assert_eq!(meta.method_name, op.method_name, "{}", op.operation_id);
                assert_eq!(meta.http_method, op.method, "{}", op.operation_id);
                assert_eq!(meta.path, op.path, "{}", op.operation_id);
                assert_eq!(format!("{:?}", meta.kind), op.kind, "{}", op.operation_id);
            }
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
    println!(
        "coverage: {generated} of {} operations",
        SPEC_OPERATIONS.len()
    );
}

#[test]
fn only_uploads_are_hand_written() {
    for (module, table) in crate_tables() {
        for meta in table {
            assert_eq!(
                meta.hand_written,
                meta.kind == servicetitan::OperationKind::Upload,
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
    let count = |kind: &str| SPEC_OPERATIONS.iter().filter(|o| o.kind == kind).count();
    // The portal's documents have well over a hundred paged lists and dozens of exports.
    assert!(count("PagedList") > 100, "{}", count("PagedList"));
    assert!(count("Export") > 40, "{}", count("Export"));
    assert_eq!(count("Upload"), 4);
}
