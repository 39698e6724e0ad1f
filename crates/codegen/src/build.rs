//! Entry point for the domain crates' build scripts: `servicetitan_codegen::build::domain("tenant-jpm-v2")`.

use crate::generate::generate_module;
use crate::manifest::{find_specs_dir, sha256_hex, Manifest, SPECS_DIR_ENV};
use std::path::{Path, PathBuf};

fn fail(message: String) -> ! {
    eprintln!("\nerror: {message}\n");
    std::process::exit(1)
}

/// Generates `$OUT_DIR/generated.rs` for the module with this portal api id.
///
/// Reruns only when the spec, the manifest or the patches change (cargo's `rerun-if-changed`),
/// so a rebuild with nothing changed never reruns the generator.
pub fn domain(api_id: &str) {
    let manifest_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    println!("cargo:rerun-if-env-changed={SPECS_DIR_ENV}");
    let specs_dir = find_specs_dir(&manifest_dir).unwrap_or_else(|e| fail(e.to_string()));
    let manifest = Manifest::load(&specs_dir).unwrap_or_else(|e| fail(e.to_string()));
    let module = manifest.module(api_id).unwrap_or_else(|| {
        fail(format!(
            "{api_id} is not in {}",
            specs_dir.join("manifest.json").display()
        ))
    });
    let spec_path = specs_dir.join(module.spec_file_name());
    let patches_dir = specs_dir.join("patches");
    println!("cargo:rerun-if-changed={}", spec_path.display());
    println!(
        "cargo:rerun-if-changed={}",
        specs_dir.join("manifest.json").display()
    );
    // The directory catches a patch file being added; the file itself only when it exists —
    // cargo treats a missing `rerun-if-changed` path as always changed, which would rerun the
    // generator on every build.
    println!("cargo:rerun-if-changed={}", patches_dir.display());
    let patch_file = patches_dir.join(format!("{api_id}.json"));
    if patch_file.exists() {
        println!("cargo:rerun-if-changed={}", patch_file.display());
    }

    let bytes = std::fs::read(&spec_path).unwrap_or_else(|e| {
        fail(format!(
            "missing spec {} ({e}).\n       The specs are ServiceTitan's documents and are not committed; fetch them with\n           cargo xtask specs fetch                      (from the developer portal)\n           cargo xtask specs fetch --from <dir>         (from a local copy, e.g. ../shared/specs)",
            spec_path.display()
        ))
    });
    if sha256_hex(&bytes) != module.sha256 {
        println!(
            "cargo:warning={} differs from the manifest's accepted version; review with `cargo xtask specs check`",
            spec_path.display()
        );
    }
    let spec: serde_json::Value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| fail(format!("{} is not JSON: {e}", spec_path.display())));
    let generated =
        generate_module(module, spec, &patches_dir).unwrap_or_else(|e| fail(e.to_string()));
    let out =
        PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| fail("OUT_DIR not set".into())));
    write_if_changed(&out.join("generated.rs"), &generated.code);
}

/// Writes only when the content differs, so rustc's own change detection stays quiet.
fn write_if_changed(path: &Path, content: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return;
    }
    std::fs::write(path, content)
        .unwrap_or_else(|e| fail(format!("cannot write {}: {e}", path.display())));
}
