//! Workspace-level build script: turns the specs into the **operation inventory** the
//! cross-crate tests in `tests/` check the generated crates against.
//!
//! It writes two files into `OUT_DIR`:
//! * `inventory.rs` — every operation of every spec as the shared `OperationMeta` model (id,
//!   method, path, scopes, kind, policy), read from the spec documents themselves (with the
//!   reviewed `specs/patches/`, as the generator reads them), not from the generated code;
//! * `method_refs.rs` — one reference per operation to the method the SDK promises
//!   (`servicetitan::jpm::Api::jobs_get_list`), so a missing method fails the test build, plus
//!   the list of each crate's own `OPERATIONS` table.
//!
//! Code generation itself lives in each domain crate's build script, so that enabling one cargo
//! feature of the facade generates and compiles only that module.

use servicetitan_codegen::inventory::operations;
use servicetitan_codegen::manifest::{locate_specs, Manifest, SPECS_DIR_ENV};
use servicetitan_codegen::patches;
use std::fmt::Write;
use std::path::PathBuf;

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-env-changed={SPECS_DIR_ENV}");
    let specs = locate_specs(&root).unwrap_or_else(|e| panic!("{e}"));
    let manifest = Manifest::load(&specs.committed).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "cargo:rerun-if-changed={}",
        specs.committed.join("manifest.json").display()
    );
    let specs_dir = &specs.documents;
    let patches_dir = specs.committed.join("patches");
    println!("cargo:rerun-if-changed={}", patches_dir.display());

    let mut inventory = String::from(
        "/// Every operation of every spec.\npub static SPEC_OPERATIONS: &[SpecOperation] = &[\n",
    );
    let mut refs = String::from("/// References every method the specs promise; fails to compile if one is missing.\n#[allow(dead_code)]\nfn reference_every_method() {\n");
    let mut tables = String::from("/// Each crate's operation table.\nfn crate_tables() -> Vec<(&'static str, &'static [servicetitan::OperationMeta])> {\n    vec![\n");
    for module in &manifest.modules {
        let path = specs_dir.join(module.spec_file_name());
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("missing spec {} ({e}); run `cargo xtask specs fetch` (or `--from ../shared/specs`)", path.display())
        });
        let mut spec: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        patches::load(&patches_dir, &module.api_id)
            .and_then(|p| patches::apply(&mut spec, &p))
            .unwrap_or_else(|e| panic!("{}: {e}", module.api_id));
        let rust = module.rust_name();
        for op in operations(&spec) {
            writeln!(
                inventory,
                "    SpecOperation {{ module: {:?}, meta: {} }},",
                module.short,
                op.meta.to_rust("::servicetitan_operation")
            )
            .unwrap();
            writeln!(
                refs,
                "    let _ = servicetitan::{rust}::Api::{};",
                op.method_name
            )
            .unwrap();
        }
        writeln!(
            tables,
            "        ({:?}, &servicetitan::{rust}::OPERATIONS[..]),",
            module.short
        )
        .unwrap();
    }
    inventory.push_str("];\n");
    refs.push_str("}\n");
    tables.push_str("    ]\n}\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("inventory.rs"), inventory).expect("write inventory.rs");
    std::fs::write(out.join("method_refs.rs"), refs + &tables).expect("write method_refs.rs");
}
