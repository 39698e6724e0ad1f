//! Entry point for the domain crates' build scripts: `servicetitan_codegen::build::domain("tenant-jpm-v2")`.

use crate::generate::generate_module;
use crate::manifest::{locate_specs, sha256_hex, Manifest, SPECS_DIR_ENV};
use std::path::{Path, PathBuf};

/// Generates `$OUT_DIR/generated.rs` for the module with this portal api id, printing cargo's
/// directives; any failure is a build error with the message (never a panic backtrace).
pub fn domain(api_id: &str) {
    let manifest_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let out_dir = std::env::var("OUT_DIR").map(PathBuf::from);
    let result = out_dir
        .map_err(|_| "OUT_DIR not set (run from a build script)".to_string())
        .and_then(|out| run(api_id, &manifest_dir, &out));
    match result {
        Ok(directives) => directives.iter().for_each(|d| println!("{d}")),
        Err(message) => {
            eprintln!("\nerror: {message}\n");
            std::process::exit(1)
        }
    }
}

/// Does the work of [`domain`]: returns cargo's directives, or the error to report.
///
/// The generator reruns only when the spec, the manifest or the module's patches change
/// (`rerun-if-changed`), so a rebuild with nothing changed never reruns it.
pub fn run(api_id: &str, manifest_dir: &Path, out_dir: &Path) -> Result<Vec<String>, String> {
    let mut directives = vec![format!("cargo:rerun-if-env-changed={SPECS_DIR_ENV}")];
    let specs = locate_specs(manifest_dir).map_err(|e| e.to_string())?;
    let specs_dir = &specs.committed;
    let manifest = Manifest::load(specs_dir).map_err(|e| e.to_string())?;
    let module = manifest.module(api_id).ok_or_else(|| {
        format!(
            "{api_id} is not in {}",
            specs_dir.join("manifest.json").display()
        )
    })?;
    let spec_path = specs.documents.join(module.spec_file_name());
    let patches_dir = specs_dir.join("patches");
    directives.push(format!("cargo:rerun-if-changed={}", spec_path.display()));
    directives.push(format!(
        "cargo:rerun-if-changed={}",
        specs_dir.join("manifest.json").display()
    ));
    // The directory catches a patch file being added; the file itself only when it exists —
    // cargo treats a missing `rerun-if-changed` path as always changed, which would rerun the
    // generator on every build.
    directives.push(format!("cargo:rerun-if-changed={}", patches_dir.display()));
    let patch_file = patches_dir.join(format!("{api_id}.json"));
    if patch_file.exists() {
        directives.push(format!("cargo:rerun-if-changed={}", patch_file.display()));
    }

    let bytes = std::fs::read(&spec_path).map_err(|e| {
        format!(
            "missing spec {} ({e}).\n       The specs are ServiceTitan's documents and are not committed; fetch them with\n           cargo xtask specs fetch                      (from the developer portal)\n           cargo xtask specs fetch --from <dir>         (from a local copy, e.g. ../shared/specs)\n       or, for a project outside this workspace, point {SPECS_DIR_ENV} at a directory of them\n           (`cargo xtask specs fetch --dest <dir>` in a clone fills one).",
            spec_path.display()
        )
    })?;
    if sha256_hex(&bytes) != module.sha256 {
        directives.push(format!(
            "cargo:warning={} differs from the manifest's accepted version; review with `cargo xtask specs check`",
            spec_path.display()
        ));
    }
    let spec: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{} is not JSON: {e}", spec_path.display()))?;
    let generated = generate_module(module, spec, &patches_dir).map_err(|e| e.to_string())?;
    write_if_changed(&out_dir.join("generated.rs"), &generated.code)?;
    Ok(directives)
}

/// Writes only when the content differs, so rustc's own change detection stays quiet.
fn write_if_changed(path: &Path, content: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    std::fs::write(path, content).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
