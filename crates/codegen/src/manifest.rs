//! `specs/manifest.json`: the committed list of ServiceTitan API modules.
//!
//! The spec documents themselves are ServiceTitan's and never committed; the manifest records,
//! for each module, where it is served and what the last accepted copy looked like (sha256 and
//! operation count), so that `cargo xtask specs check` can show what a refresh changes.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Environment variable that points the build at another spec directory.
pub const SPECS_DIR_ENV: &str = "SERVICETITAN_SPECS_DIR";

/// The whole manifest.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// Portal download URL template; `{api_id}` is replaced by each module's id.
    pub portal_url: String,
    /// One entry per module.
    pub modules: Vec<Module>,
}

/// One API module.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Module {
    /// Portal api id, e.g. `tenant-jpm-v2`; the spec file is `<api_id>.json`.
    pub api_id: String,
    /// Short name, e.g. `jpm`, `customer-interactions`.
    pub short: String,
    /// Crate name, e.g. `servicetitan-jpm`.
    #[serde(rename = "crate")]
    pub crate_name: String,
    /// Cargo feature of the facade crate.
    pub feature: String,
    /// Human title from the spec's `info.title`.
    pub title: String,
    /// Path under the API host where the module is served, e.g. `jpm/v2`, `sales/v2`, `telecom`.
    pub base_path: String,
    /// sha256 of the accepted spec file.
    pub sha256: String,
    /// Operation count of the accepted spec file.
    pub operations: usize,
    /// What the module's crate has besides the generated code (`cargo xtask scaffold` writes
    /// the crate's shell from it).
    #[serde(default, skip_serializing_if = "HandWritten::is_empty")]
    pub hand_written: HandWritten,
}

/// The hand-written part of a domain crate, as the crate shell must declare it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandWritten {
    /// A paragraph for the crate's documentation (Markdown, may link the modules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Public modules declared in `src/lib.rs` next to the generated code (`report`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modules: Vec<String>,
    /// Further workspace dependencies: `name`, or `name/feature` to enable a feature.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// Further workspace dev-dependencies, spelled like [`Self::dependencies`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dev_dependencies: Vec<String>,
}

impl HandWritten {
    /// Nothing besides the generated code.
    pub fn is_empty(&self) -> bool {
        *self == HandWritten::default()
    }
}

impl Module {
    /// File name of the module's spec inside the specs directory.
    pub fn spec_file_name(&self) -> String {
        format!("{}.json", self.api_id)
    }

    /// Rust identifier form of the short name (`customer-interactions` → `customer_interactions`).
    pub fn rust_name(&self) -> String {
        self.short.replace('-', "_")
    }
}

/// Errors reading the manifest.
#[derive(Debug)]
pub struct ManifestError(pub String);

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ManifestError {}

impl Manifest {
    /// Reads `manifest.json` from a specs directory.
    pub fn load(specs_dir: &Path) -> Result<Manifest, ManifestError> {
        let path = specs_dir.join("manifest.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| ManifestError(format!("cannot read {}: {e}", path.display())))?;
        serde_json::from_str(&text)
            .map_err(|e| ManifestError(format!("invalid {}: {e}", path.display())))
    }

    /// Writes the manifest back, pretty-printed with a trailing newline.
    pub fn save(&self, specs_dir: &Path) -> Result<(), ManifestError> {
        let path = specs_dir.join("manifest.json");
        let mut text = serde_json::to_string_pretty(self).expect("manifest serializes");
        text.push('\n');
        std::fs::write(&path, text)
            .map_err(|e| ManifestError(format!("cannot write {}: {e}", path.display())))
    }

    /// The module with this api id.
    pub fn module(&self, api_id: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.api_id == api_id)
    }

    /// The portal URL of a module's spec.
    pub fn portal_url_for(&self, module: &Module) -> String {
        self.portal_url.replace("{api_id}", &module.api_id)
    }
}

/// Where a build finds what it reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecsLocation {
    /// The committed `specs/`: `manifest.json` (module list, accepted sha256) and `patches/`.
    pub committed: PathBuf,
    /// ServiceTitan's documents (`<api_id>.json`, never committed).
    pub documents: PathBuf,
}

/// Finds the committed `specs/` (`manifest.json`) in `start` or above it — a clone, or cargo's
/// git checkout of one, has it — and the spec documents: the directory in
/// `SERVICETITAN_SPECS_DIR` when set (the shared copies, or `cargo xtask specs fetch --dest DIR`;
/// a `manifest.json` there is not needed), else that same `specs/`. Without a committed
/// manifest above `start` (a crate copied out of its checkout), one in the
/// `SERVICETITAN_SPECS_DIR` directory is used.
pub fn locate_specs(start: &Path) -> Result<SpecsLocation, ManifestError> {
    let env_dir = std::env::var_os(SPECS_DIR_ENV)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from);
    locate_specs_with(start, env_dir)
}

/// [`locate_specs`] with the `SERVICETITAN_SPECS_DIR` value given.
pub fn locate_specs_with(
    start: &Path,
    env_dir: Option<PathBuf>,
) -> Result<SpecsLocation, ManifestError> {
    let committed = start
        .ancestors()
        .map(|d| d.join("specs"))
        .find(|d| d.join("manifest.json").is_file());
    match (committed, env_dir) {
        (Some(committed), Some(documents)) => Ok(SpecsLocation {
            committed,
            documents,
        }),
        (Some(committed), None) => Ok(SpecsLocation {
            documents: committed.clone(),
            committed,
        }),
        (None, Some(dir)) if dir.join("manifest.json").is_file() => Ok(SpecsLocation {
            committed: dir.clone(),
            documents: dir,
        }),
        (None, _) => Err(ManifestError(format!(
            "no specs/manifest.json in {} or above it, nor in {SPECS_DIR_ENV}",
            start.display()
        ))),
    }
}

/// sha256 of a file's bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
