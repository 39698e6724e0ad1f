//! `specs list`, `specs check`, `specs accept` and the shared plumbing.

use crate::table::{Align, Table};
use crate::{Error, Result};
use servicetitan_codegen::diff::{diff, Summary, SummaryDiff};
use servicetitan_codegen::manifest::{sha256_hex, Manifest, Module, SpecsLocation};
use servicetitan_codegen::specs::Specs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where the specs live and what the manifest says.
pub struct Context {
    /// The specs directory (`<workspace>/specs` unless `--specs-dir`).
    pub specs_dir: PathBuf,
    /// `specs/manifest.json`.
    pub manifest: Manifest,
}

impl Context {
    /// Loads the manifest from `specs_dir`, or from `<workspace>/specs`.
    pub fn new(specs_dir: Option<PathBuf>) -> Result<Context> {
        let specs_dir = specs_dir.unwrap_or_else(|| workspace_root().join("specs"));
        let manifest = Manifest::load(&specs_dir).map_err(|e| Error(e.to_string()))?;
        for module in &manifest.modules {
            check_api_id(&module.api_id)?;
        }
        Ok(Context {
            specs_dir,
            manifest,
        })
    }

    /// The same manifest, with the spec documents read from and written to `dir` (created).
    pub fn with_documents_in(self, dir: PathBuf) -> Result<Context> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error(format!("--dest {}: {e}", dir.display())))?;
        Ok(Context {
            specs_dir: dir,
            manifest: self.manifest,
        })
    }

    /// `specs/<api_id>.json`.
    pub fn spec_path(&self, module: &Module) -> PathBuf {
        self.specs_dir.join(module.spec_file_name())
    }

    /// `specs/summary/`.
    pub fn summary_dir(&self) -> PathBuf {
        self.specs_dir.join("summary")
    }

    /// `specs/summary/<api_id>.json`.
    pub fn summary_path(&self, module: &Module) -> PathBuf {
        self.summary_dir().join(module.spec_file_name())
    }

    /// The spec reader the build scripts use, on this specs directory (manifest, patches and
    /// documents together).
    pub fn reader(&self) -> Result<Specs> {
        Specs::at(SpecsLocation {
            committed: self.specs_dir.clone(),
            documents: self.specs_dir.clone(),
        })
        .map_err(Error)
    }

    /// The modules named on the command line (api id or short name), in manifest order; all of
    /// them when none is named.
    pub fn select(&self, names: &[String]) -> Result<Vec<Module>> {
        if names.is_empty() {
            return Ok(self.manifest.modules.clone());
        }
        let unknown: Vec<&str> = names
            .iter()
            .filter(|n| {
                !self
                    .manifest
                    .modules
                    .iter()
                    .any(|m| &m.api_id == *n || &m.short == *n)
            })
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            return Err(Error(format!(
                "unknown module(s): {} (see `cargo xtask specs list`)",
                unknown.join(", ")
            )));
        }
        Ok(self
            .manifest
            .modules
            .iter()
            .filter(|m| names.iter().any(|n| *n == m.api_id || *n == m.short))
            .cloned()
            .collect())
    }

    /// A path for messages: relative to the workspace root when inside it.
    pub fn show(&self, path: &Path) -> String {
        let root = workspace_root();
        path.strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

/// The workspace root: the parent of xtask's manifest directory (`CARGO_MANIFEST_DIR` as
/// `cargo run` sets it, else as it was at compile time).
pub fn workspace_root() -> PathBuf {
    let xtask = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .filter(|dir| dir.join("Cargo.toml").is_file())
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    xtask.parent().map(Path::to_path_buf).unwrap_or(xtask)
}

/// An api id must be a plain file-name stem, so that `specs/<api_id>.json` stays in `specs/`.
pub fn check_api_id(api_id: &str) -> Result<()> {
    let ok = !api_id.is_empty()
        && !api_id.starts_with('.')
        && api_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(Error(format!(
            "manifest api_id {api_id:?} is not a plain file name (letters, digits, '-', '_', '.')"
        )))
    }
}

/// `total (25 modules)` / `total (1 module)`.
pub fn total_label(modules: usize) -> String {
    let s = if modules == 1 { "" } else { "s" };
    format!("total ({modules} module{s})")
}

/// First 12 hex digits of a sha256, for tables.
pub fn short_sha(sha: &str) -> String {
    sha.chars().take(12).collect()
}

/// Parses spec bytes and checks that they look like an OpenAPI document.
pub fn parse_spec(bytes: &[u8], what: &str) -> Result<serde_json::Value> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        let start: String = String::from_utf8_lossy(&bytes[..bytes.len().min(60)])
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        Error(format!(
            "{what} is not JSON ({e}); it starts with {start:?}"
        ))
    })?;
    let is_openapi = value.get("openapi").and_then(|v| v.as_str()).is_some()
        && value.get("paths").map(|p| p.is_object()).unwrap_or(false);
    if !is_openapi {
        return Err(Error(format!(
            "{what} is JSON but not an OpenAPI document (no \"openapi\" version or \"paths\" object)"
        )));
    }
    Ok(value)
}

/// A raw spec read from disk (unpatched: `check` and `accept` compare ServiceTitan's documents
/// themselves): its sha256 and summary.
pub struct SpecOnDisk {
    pub sha256: String,
    pub summary: Summary,
}

/// Reads and summarizes `specs/<api_id>.json`.
pub fn read_spec(ctx: &Context, module: &Module) -> Result<SpecOnDisk> {
    let path = ctx.spec_path(module);
    let bytes =
        std::fs::read(&path).map_err(|e| Error(format!("cannot read {}: {e}", ctx.show(&path))))?;
    let value = parse_spec(&bytes, &ctx.show(&path))?;
    let sha256 = sha256_hex(&bytes);
    let summary = Summary::from_spec(&module.api_id, &sha256, &value);
    Ok(SpecOnDisk { sha256, summary })
}

/// Reads the committed summary of a module, `None` if there is none.
fn read_summary(ctx: &Context, module: &Module) -> Result<Option<Summary>> {
    let path = ctx.summary_path(module);
    match std::fs::read_to_string(&path) {
        Ok(text) => Summary::from_json_str(&text)
            .map(Some)
            .map_err(|e| Error(format!("{}: {e}", ctx.show(&path)))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error(format!("cannot read {}: {e}", ctx.show(&path)))),
    }
}

/// Errors out, naming every missing file, unless all selected modules have a spec on disk.
pub fn require_specs(ctx: &Context, modules: &[Module]) -> Result<()> {
    let missing: Vec<String> = modules
        .iter()
        .filter(|m| !ctx.spec_path(m).is_file())
        .map(|m| m.spec_file_name())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error(format!(
        "{} of {} spec file(s) missing in {}: {}\n(run `cargo xtask specs fetch` or `cargo xtask specs fetch --from <dir>` first)",
        missing.len(),
        modules.len(),
        ctx.show(&ctx.specs_dir),
        missing.join(", ")
    )))
}

/// `specs list`.
pub fn list(ctx: &Context) -> Result<ExitCode> {
    let mut table = Table::new(&[
        ("api id", Align::Left),
        ("crate", Align::Left),
        ("feature", Align::Left),
        ("base path", Align::Left),
        ("ops", Align::Right),
    ]);
    for m in &ctx.manifest.modules {
        table.row(vec![
            m.api_id.clone(),
            m.crate_name.clone(),
            m.feature.clone(),
            m.base_path.clone(),
            m.operations.to_string(),
        ]);
    }
    let total: usize = ctx.manifest.modules.iter().map(|m| m.operations).sum();
    table.footer(vec![
        total_label(ctx.manifest.modules.len()),
        String::new(),
        String::new(),
        String::new(),
        total.to_string(),
    ]);
    print!("{}", table.render());
    Ok(ExitCode::SUCCESS)
}

/// How one module's spec on disk compares with the manifest and its summary.
enum Status {
    Ok,
    Missing,
    Invalid(String),
    /// Compared, and something differs.
    Differs(Box<Difference>),
}

/// A module whose spec on disk differs from the manifest or from its summary.
struct Difference {
    disk: SpecOnDisk,
    /// `None` when no summary is committed.
    baseline: Option<Summary>,
    /// `baseline → disk`, when there is a baseline.
    diff: Option<SummaryDiff>,
}

/// `specs check`.
pub fn check(ctx: &Context, names: &[String]) -> Result<ExitCode> {
    let modules = ctx.select(names)?;
    let mut table = Table::new(&[
        ("api id", Align::Left),
        ("ops (manifest)", Align::Right),
        ("ops (disk)", Align::Right),
        ("sha256 (manifest)", Align::Left),
        ("sha256 (disk)", Align::Left),
        ("status", Align::Left),
        ("changes", Align::Left),
    ]);
    let mut details: Vec<(Module, Status)> = Vec::new();
    let mut differing = 0;
    for module in &modules {
        let (status, row) = check_one(ctx, module)?;
        table.row(row);
        if !matches!(status, Status::Ok) {
            differing += 1;
            details.push((module.clone(), status));
        }
    }
    print!("{}", table.render());
    for (module, status) in &details {
        println!();
        match status {
            Status::Ok => {}
            Status::Missing => println!(
                "{}: {} is missing (run `cargo xtask specs fetch`)",
                module.api_id,
                ctx.show(&ctx.spec_path(module))
            ),
            Status::Invalid(e) => println!("{}: {e}", module.api_id),
            Status::Differs(d) => {
                let Difference {
                    disk,
                    baseline,
                    diff,
                } = d.as_ref();
                if disk.sha256 == module.sha256 {
                    println!(
                        "{} ({}): spec matches the manifest (sha256 {})",
                        module.api_id,
                        module.short,
                        short_sha(&module.sha256)
                    );
                } else {
                    println!(
                        "{} ({}): sha256 {} -> {}, operations {} -> {}",
                        module.api_id,
                        module.short,
                        short_sha(&module.sha256),
                        short_sha(&disk.sha256),
                        module.operations,
                        disk.summary.operation_count()
                    );
                }
                if baseline.is_some()
                    && disk.sha256 == module.sha256
                    && baseline.as_ref() != Some(&disk.summary)
                {
                    println!(
                        "  {} does not match the spec (edited by hand, or written by another version): `cargo xtask specs accept` rewrites it",
                        ctx.show(&ctx.summary_path(module))
                    );
                }
                match (baseline, diff) {
                    (None, _) => println!(
                        "  no committed summary ({}): cannot list what changed; `cargo xtask specs accept` writes it",
                        ctx.show(&ctx.summary_path(module))
                    ),
                    (Some(_), Some(d)) => {
                        print!("{d}");
                        if d.is_empty() && disk.sha256 != module.sha256 {
                            println!("  (the text changed: descriptions, types, parameters or examples)");
                        }
                    }
                    (Some(_), None) => {}
                }
            }
        }
    }
    println!();
    if differing == 0 {
        println!(
            "all {} spec(s) match the manifest and their summaries",
            modules.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "{differing} of {} module(s) differ from the manifest; review the changes above, then run `cargo xtask specs accept` to take them",
            modules.len()
        );
        Ok(ExitCode::from(1))
    }
}

fn check_one(ctx: &Context, module: &Module) -> Result<(Status, Vec<String>)> {
    let mut row = vec![
        module.api_id.clone(),
        module.operations.to_string(),
        String::new(),
        short_sha(&module.sha256),
        String::new(),
        String::new(),
        String::new(),
    ];
    let path = ctx.spec_path(module);
    if !path.is_file() {
        row[5] = "MISSING".into();
        return Ok((Status::Missing, row));
    }
    let disk = match read_spec(ctx, module) {
        Ok(d) => d,
        Err(e) => {
            row[5] = "INVALID".into();
            return Ok((Status::Invalid(e.0), row));
        }
    };
    let baseline = read_summary(ctx, module)?;
    row[2] = disk.summary.operation_count().to_string();
    row[4] = short_sha(&disk.sha256);
    let manifest_matches =
        disk.sha256 == module.sha256 && disk.summary.operation_count() == module.operations;
    let diff = baseline.as_ref().map(|b| diff(b, &disk.summary));
    let summary_matches = baseline.as_ref() == Some(&disk.summary);
    let status = match (&baseline, manifest_matches, summary_matches) {
        (_, true, true) => {
            row[5] = "ok".into();
            return Ok((Status::Ok, row));
        }
        (None, _, _) => "NO SUMMARY",
        (Some(_), true, false) => "SUMMARY STALE",
        (Some(_), false, _) => "CHANGED",
    };
    row[5] = status.into();
    if let Some(d) = &diff {
        row[6] = if d.is_empty() {
            "text only".into()
        } else {
            d.counts()
        };
    }
    Ok((
        Status::Differs(Box::new(Difference {
            disk,
            baseline,
            diff,
        })),
        row,
    ))
}

/// `specs accept`.
pub fn accept(ctx: &Context, names: &[String]) -> Result<ExitCode> {
    let modules = ctx.select(names)?;
    require_specs(ctx, &modules)?;
    // Read everything first, so that a bad file leaves the manifest and summaries untouched.
    let mut read = Vec::new();
    for module in &modules {
        let disk = read_spec(ctx, module)?;
        let baseline = read_summary(ctx, module)?;
        read.push((module, disk, baseline));
    }
    let summary_dir = ctx.summary_dir();
    std::fs::create_dir_all(&summary_dir)
        .map_err(|e| Error(format!("cannot create {}: {e}", ctx.show(&summary_dir))))?;
    let mut manifest = ctx.manifest.clone();
    let mut changed = 0;
    let mut manifest_dirty = false;
    for (module, disk, baseline) in &read {
        let text = disk.summary.to_json_string();
        let summary_path = ctx.summary_path(module);
        let summary_changed = baseline.as_ref() != Some(&disk.summary);
        if summary_changed {
            std::fs::write(&summary_path, &text)
                .map_err(|e| Error(format!("cannot write {}: {e}", ctx.show(&summary_path))))?;
        }
        let entry = manifest
            .modules
            .iter_mut()
            .find(|m| m.api_id == module.api_id)
            .expect("selected modules come from the manifest");
        let manifest_changed =
            entry.sha256 != disk.sha256 || entry.operations != disk.summary.operation_count();
        entry.sha256 = disk.sha256.clone();
        entry.operations = disk.summary.operation_count();
        manifest_dirty |= manifest_changed;
        let what = match (baseline, manifest_changed || summary_changed) {
            (_, false) => "unchanged".to_string(),
            (None, true) => format!(
                "summary written ({} ops, {} schemas, {} fields)",
                disk.summary.operation_count(),
                disk.summary.schemas.len(),
                disk.summary.field_count()
            ),
            (Some(b), true) => {
                let d = diff(b, &disk.summary);
                if d.is_empty() {
                    "accepted (text only)".to_string()
                } else {
                    format!("accepted ({})", d.counts())
                }
            }
        };
        if manifest_changed || summary_changed {
            changed += 1;
        }
        println!(
            "{:<38} {:>4} ops  {}  {what}",
            module.api_id,
            disk.summary.operation_count(),
            short_sha(&disk.sha256)
        );
    }
    if manifest_dirty {
        manifest
            .save(&ctx.specs_dir)
            .map_err(|e| Error(e.to_string()))?;
    }
    if changed == 0 {
        println!(
            "accepted {} module(s): nothing changed, manifest and {} already up to date",
            modules.len(),
            ctx.show(&summary_dir)
        );
    } else {
        println!(
            "accepted {} module(s): {changed} updated in {} and {}; commit them with the code changes they need",
            modules.len(),
            ctx.show(&ctx.specs_dir.join("manifest.json")),
            ctx.show(&summary_dir)
        );
    }
    Ok(ExitCode::SUCCESS)
}
