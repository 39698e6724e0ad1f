//! Entry points for build scripts. The domain crates call
//! `servicetitan_codegen::build::domain("tenant-jpm-v2")`; the mock's, the CLI's, the sync's and
//! the workspace's call [`script`] with what they write from the specs. Either way the specs are
//! read by [`Specs`], cargo is told what to watch, and a failure is a build error with its message
//! (`error: …` on stderr, exit code 1), never a panic.

use crate::generate::generate_module;
use crate::specs::Specs;
use std::path::{Path, PathBuf};

/// Runs a build script's work: `work` gets the specs (found from the crate's directory) and
/// `OUT_DIR`. Prints cargo's directives for what was read, or the error and exits with 1.
pub fn script(work: impl FnOnce(&mut Specs, &Path) -> Result<(), String>) {
    let result = env_dirs().and_then(|(manifest_dir, out_dir)| {
        let mut specs = Specs::open(&manifest_dir)?;
        work(&mut specs, &out_dir)?;
        Ok(specs.directives().to_vec())
    });
    finish(result)
}

/// Generates `$OUT_DIR/generated.rs` for the module with this portal api id, printing cargo's
/// directives; any failure is a build error with the message (never a panic backtrace).
pub fn domain(api_id: &str) {
    finish(env_dirs().and_then(|(manifest_dir, out)| run(api_id, &manifest_dir, &out)))
}

fn env_dirs() -> Result<(PathBuf, PathBuf), String> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .ok_or("CARGO_MANIFEST_DIR not set (run from a build script)")?;
    let out_dir = std::env::var_os("OUT_DIR").ok_or("OUT_DIR not set (run from a build script)")?;
    Ok((manifest_dir.into(), out_dir.into()))
}

fn finish(result: Result<Vec<String>, String>) {
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
    let mut specs = Specs::open(manifest_dir)?;
    let spec = specs.read_id(api_id)?;
    let generated = generate_module(&spec).map_err(|e| e.to_string())?;
    write_if_changed(&out_dir.join("generated.rs"), &generated.code)?;
    Ok(specs.directives().to_vec())
}

/// Writes only when the content differs, so rustc's own change detection stays quiet.
pub fn write_if_changed(path: &Path, content: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == content) {
        return Ok(());
    }
    std::fs::write(path, content).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
