//! Workspace-level build script: turns the specs into the **operation inventory** the
//! cross-crate tests in `tests/` check the generated crates against.
//!
//! It writes two files into `OUT_DIR`:
//! * `inventory.rs` — every operation of every spec as the shared `OperationMeta` model (id,
//!   method, path, scopes, kind, policy), read from the spec documents themselves (patched, by
//!   the spec reader the generator uses), not from the generated code;
//! * `method_refs.rs` — one reference per operation to the method the SDK promises
//!   (`servicetitan::jpm::Api::jobs_get_list`), so a missing method fails the test build, plus
//!   the list of each crate's own `OPERATIONS` table.
//!
//! Code generation itself lives in each domain crate's build script, so that enabling one cargo
//! feature of the facade generates and compiles only that module.

use servicetitan_codegen::build::{script, write_if_changed};
use std::fmt::Write;

fn main() {
    script(|specs, out| {
        let mut inventory = String::from(
            "/// Every operation of every spec.\npub static SPEC_OPERATIONS: &[SpecOperation] = &[\n",
        );
        let mut refs = String::from("/// References every method the specs promise; fails to compile if one is missing.\n#[allow(dead_code)]\nfn reference_every_method() {\n");
        let mut tables = String::from("/// Each crate's operation table.\nfn crate_tables() -> Vec<(&'static str, &'static [servicetitan::OperationMeta])> {\n    vec![\n");
        for spec in specs.read_all()? {
            let (short, rust) = (&spec.module.short, spec.module.rust_name());
            for op in &spec.operations {
                let meta = op.meta.to_rust("::servicetitan_operation");
                let _ = writeln!(
                    inventory,
                    "    SpecOperation {{ module: {short:?}, meta: {meta} }},"
                );
                let _ = writeln!(
                    refs,
                    "    let _ = servicetitan::{rust}::Api::{};",
                    op.method_name
                );
            }
            let _ = writeln!(
                tables,
                "        ({short:?}, &servicetitan::{rust}::OPERATIONS[..]),"
            );
        }
        inventory.push_str("];\n");
        refs.push_str("}\n");
        tables.push_str("    ]\n}\n");
        write_if_changed(&out.join("inventory.rs"), &inventory)?;
        write_if_changed(&out.join("method_refs.rs"), &(refs + &tables))
    })
}
