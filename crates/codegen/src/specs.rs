//! The one spec reader: every build script (the domain crates', the mock's, the CLI's, the
//! sync's, the workspace's), `cargo xtask` and the all-operations tests read ServiceTitan's
//! documents through [`Specs`], so they all see the same thing:
//!
//! * found the same way ([`locate_specs`]: the committed `specs/` for the manifest and patches,
//!   `SERVICETITAN_SPECS_DIR` or that same `specs/` for the documents);
//! * with one message when a document is missing ([`missing_spec`]);
//! * patched once with the reviewed `specs/patches/` ([`crate::patches`]);
//! * described once by the operation inventory ([`crate::inventory`]): one list of operations
//!   and methods for the SDK, the mock and the CLI;
//! * normalized at most once, on first use ([`ModuleSpec::normalized`]: only the generator needs
//!   the 3.0 form);
//! * watched the same way: the `cargo:rerun-if-…` lines of what was read ([`Specs::directives`]),
//!   only for paths that exist, so a rebuild with nothing changed reruns no build script.
//!
//! No cache file is kept between processes: reading, patching and describing all 25 documents
//! takes well under a second in a build script (measured in the PR that introduced this
//! reader), and a build script only reruns when one of them changed.

use crate::inventory::{self, Operation};
use crate::manifest::{locate_specs, sha256_hex, Manifest, Module, SpecsLocation, SPECS_DIR_ENV};
use crate::normalize::{self, Normalized};
use crate::patches;
use serde_json::Value;
use std::cell::OnceCell;
use std::path::{Path, PathBuf};

/// The message for a spec document that cannot be read: where it was looked for and how to get
/// it. The one wording every build script and tool prints.
pub fn missing_spec(path: &Path, error: &std::io::Error) -> String {
    format!(
        "missing spec {} ({error}).\n       \
         ServiceTitan's documents are not committed; fetch them with\n           \
         cargo xtask specs fetch --from ../shared/specs   (from a local copy)\n           \
         cargo xtask specs fetch                          (from the developer portal)\n       \
         or, for a project outside this workspace, point {SPECS_DIR_ENV} at a directory of them\n           \
         (`cargo xtask specs fetch --dest <dir>` in a clone fills one).",
        path.display()
    )
}

/// The specs of one workspace: the manifest, where the documents are, and what was read.
#[derive(Debug)]
pub struct Specs {
    location: SpecsLocation,
    manifest: Manifest,
    directives: Vec<String>,
}

/// One module's document as everything reads it: patched, with its operations described.
#[derive(Debug)]
pub struct ModuleSpec {
    /// The manifest's entry.
    pub module: Module,
    /// The document with the module's patches applied (still OpenAPI 3.1, prose kept).
    pub document: Value,
    /// Every operation, sorted by operation id (from the patched document).
    pub operations: Vec<Operation>,
    /// Whether the file's sha256 is the manifest's accepted one.
    pub accepted: bool,
    normalized: OnceCell<Result<Normalized, String>>,
}

impl Specs {
    /// Finds the specs from `start` (a crate's directory) and reads the manifest.
    pub fn open(start: &Path) -> Result<Specs, String> {
        let location = locate_specs(start).map_err(|e| e.to_string())?;
        Specs::at(location)
    }

    /// The specs at a known location.
    pub fn at(location: SpecsLocation) -> Result<Specs, String> {
        let manifest = Manifest::load(&location.committed).map_err(|e| e.to_string())?;
        let mut directives = vec![format!("cargo:rerun-if-env-changed={SPECS_DIR_ENV}")];
        let manifest_file = location.committed.join("manifest.json");
        directives.push(format!(
            "cargo:rerun-if-changed={}",
            manifest_file.display()
        ));
        // The directory catches a patch file being added; each file is watched when read.
        let patches_dir = location.committed.join("patches");
        if patches_dir.is_dir() {
            directives.push(format!("cargo:rerun-if-changed={}", patches_dir.display()));
        }
        Ok(Specs {
            location,
            manifest,
            directives,
        })
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Where the manifest, patches and documents are.
    pub fn location(&self) -> &SpecsLocation {
        &self.location
    }

    /// `specs/patches/`.
    pub fn patches_dir(&self) -> PathBuf {
        self.location.committed.join("patches")
    }

    /// The path of a module's document.
    pub fn document_path(&self, module: &Module) -> PathBuf {
        self.location.documents.join(module.spec_file_name())
    }

    /// cargo's directives for everything read so far: rerun when the specs directory variable,
    /// the manifest, a patch or a read document changes; a warning for a document that differs
    /// from the manifest's accepted version. A missing path is never watched (cargo would rerun
    /// the script on every build).
    pub fn directives(&self) -> &[String] {
        &self.directives
    }

    /// Reads the module with this portal api id.
    pub fn read_id(&mut self, api_id: &str) -> Result<ModuleSpec, String> {
        let module = self.manifest.module(api_id).cloned().ok_or_else(|| {
            format!(
                "{api_id} is not in {}",
                self.location.committed.join("manifest.json").display()
            )
        })?;
        self.read(&module)
    }

    /// Reads every module of the manifest, in its order.
    pub fn read_all(&mut self) -> Result<Vec<ModuleSpec>, String> {
        let modules = self.manifest.modules.clone();
        modules.iter().map(|m| self.read(m)).collect()
    }

    /// Reads, patches and describes one module's document.
    pub fn read(&mut self, module: &Module) -> Result<ModuleSpec, String> {
        let path = self.document_path(module);
        let bytes = std::fs::read(&path).map_err(|e| missing_spec(&path, &e))?;
        self.directives
            .push(format!("cargo:rerun-if-changed={}", path.display()));
        let patch_file = self.patches_dir().join(format!("{}.json", module.api_id));
        if patch_file.is_file() {
            self.directives
                .push(format!("cargo:rerun-if-changed={}", patch_file.display()));
        }
        let accepted = sha256_hex(&bytes) == module.sha256;
        if !accepted {
            self.directives.push(format!(
                "cargo:warning={} differs from the manifest's accepted version; review with `cargo xtask specs check`",
                path.display()
            ));
        }
        let document: Value = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        ModuleSpec::patched(module.clone(), document, &self.patches_dir()).map(|mut spec| {
            spec.accepted = accepted;
            spec
        })
    }
}

impl ModuleSpec {
    /// A module's raw document with its patches (from `patches_dir`) applied.
    pub fn patched(
        module: Module,
        mut document: Value,
        patches_dir: &Path,
    ) -> Result<Self, String> {
        let in_module =
            |e: String| format!("{} ({}): patches: {e}", module.api_id, module.crate_name);
        let list = patches::load(patches_dir, &module.api_id).map_err(in_module)?;
        patches::apply(&mut document, &list).map_err(in_module)?;
        let mut operations = inventory::operations(&document);
        operations.sort_by(|a, b| a.operation_id.cmp(&b.operation_id));
        Ok(ModuleSpec {
            module,
            document,
            operations,
            accepted: true,
            normalized: OnceCell::new(),
        })
    }

    /// The document normalized for progenitor (3.1 → 3.0 and the SDK's typing rules), computed
    /// on first use and kept.
    pub fn normalized(&self) -> Result<&Normalized, String> {
        self.normalized
            .get_or_init(|| normalize::normalize(self.document.clone()))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The operation object of `op` in the patched document, and the parameters its path item
    /// shares with every method.
    pub fn raw_operation(&self, op: &Operation) -> Option<(&Value, &[Value])> {
        let item = self.document.get("paths")?.get(&op.path)?;
        let raw = item.get(op.http_method.to_lowercase())?;
        let shared = item
            .get("parameters")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        Some((raw, shared))
    }

    /// Every parameter `op` declares, the path item's shared ones first, `$ref`s followed.
    pub fn parameters(&self, op: &Operation) -> Vec<&Value> {
        let Some((raw, shared)) = self.raw_operation(op) else {
            return Vec::new();
        };
        let own = raw
            .get("parameters")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        shared
            .iter()
            .chain(own)
            .map(|p| crate::schema::resolve(&self.document, p))
            .collect()
    }

    /// The record schema of a paged list or an export: the items of its envelope's `data`.
    pub fn record_schema(&self, op: &Operation) -> Option<&Value> {
        let envelope = op.response_schema.as_ref()?;
        let pointer = format!(
            "/components/schemas/{}",
            envelope.replace('~', "~0").replace('/', "~1")
        );
        let doc = &self.document;
        let envelope = crate::schema::resolve(doc, doc.pointer(&pointer)?);
        Some(crate::schema::resolve(
            doc,
            envelope.pointer("/properties/data/items")?,
        ))
    }
}
