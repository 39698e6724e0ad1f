//! Build script of `st`: turns the specs into the **command table** the CLI builds its clap
//! commands from at run time (`$OUT_DIR/commands.rs`).
//!
//! The operation list and kinds come from `servicetitan-codegen`'s inventory (the same one the
//! coverage checks use), run on each module's patched spec; this script adds what a command line
//! needs and the inventory does not carry: each parameter's type, enum values and description,
//! the request body, the upload field, and for exports the CSV columns derived from the record
//! schema. Nothing is listed by hand, so a spec refresh is a rebuild.

mod emit;
mod schema;

use servicetitan_codegen::manifest::{locate_specs, Manifest, SPECS_DIR_ENV};
use servicetitan_codegen::{inventory, patches};
use std::path::PathBuf;

fn main() {
    if let Err(message) = run() {
        eprintln!("\nerror: {message}\n");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").map_err(|_| "CARGO_MANIFEST_DIR not set")?,
    );
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").map_err(|_| "OUT_DIR not set")?);
    println!("cargo:rerun-if-env-changed={SPECS_DIR_ENV}");
    println!("cargo:rerun-if-changed=build");
    // The committed specs/ (manifest, patches) and ServiceTitan's documents may be apart.
    let location = locate_specs(&manifest_dir).map_err(|e| e.to_string())?;
    let specs_dir = location.committed;
    let documents = location.documents;
    let manifest = Manifest::load(&specs_dir).map_err(|e| e.to_string())?;
    println!(
        "cargo:rerun-if-changed={}",
        specs_dir.join("manifest.json").display()
    );
    let patches_dir = specs_dir.join("patches");
    println!("cargo:rerun-if-changed={}", patches_dir.display());

    let mut table = emit::Table::default();
    for module in &manifest.modules {
        let path = documents.join(module.spec_file_name());
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "missing spec {} ({e}); run `cargo xtask specs fetch --from ../shared/specs`",
                path.display()
            )
        })?;
        let mut spec: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        let patch_list = patches::load(&patches_dir, &module.api_id)?;
        patches::apply(&mut spec, &patch_list)?;
        let mut operations = inventory::operations(&spec);
        operations.sort_by(|a, b| a.operation_id.cmp(&b.operation_id));
        table.module(module, &spec, &operations)?;
    }
    let code = table.finish();
    let target = out_dir.join("commands.rs");
    if std::fs::read_to_string(&target).ok().as_deref() != Some(code.as_str()) {
        std::fs::write(&target, code).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    Ok(())
}
