//! `cargo xtask` — maintainer tasks for servicetitan-rs.
//!
//! ```text
//! cargo xtask specs list                       # the manifest as a table
//! cargo xtask specs fetch [--from DIR] [--dest DIR]  # fill specs/ (or DIR) from the portal or a directory
//! cargo xtask specs check                      # what the specs on disk change vs. the manifest
//! cargo xtask specs accept                     # take them: update manifest + specs/summary/
//! cargo xtask specs coverage                   # generated / hand-written / paged / export ops
//! cargo xtask specs generated MODULE           # one module's generated source, for review
//! cargo xtask specs patched --dest DIR         # each document as codegen reads it (patched)
//! cargo xtask specs lists                      # list responses outside the paged envelopes
//! cargo xtask scaffold [--check]               # crate shells from the manifest (check: drift)
//! ```

#![forbid(unsafe_code)]

mod coverage;
mod fetch;
mod generated;
mod patched;
mod scaffold;
mod specs;
mod table;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// A failed task: a message for the maintainer. Printed as `error: …`, exit code 1.
#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Error {
    fn from(s: String) -> Self {
        Error(s)
    }
}

impl From<&str> for Error {
    fn from(s: &str) -> Self {
        Error(s.to_string())
    }
}

/// Result of a task.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Parser, Debug)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Maintainer tasks for servicetitan-rs",
    version
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Work with the ServiceTitan OpenAPI specs (specs/manifest.json, specs/<api_id>.json).
    Specs {
        /// Specs directory [default: WORKSPACE/specs].
        #[arg(long, global = true, value_name = "DIR")]
        specs_dir: Option<PathBuf>,
        #[command(subcommand)]
        command: SpecsCommand,
    },
    /// Write the crate shells from specs/manifest.json: each domain crate's Cargo.toml,
    /// build.rs and src/lib.rs, the facade's src/modules.rs and its Cargo.toml's generated blocks.
    Scaffold {
        /// Write nothing; exit 1 listing the files that differ from what the manifest gives.
        #[arg(long)]
        check: bool,
        /// Workspace root [default: the workspace of this xtask].
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum SpecsCommand {
    /// Print the manifest as a table: api id, crate, feature, base path, operations.
    List,
    /// Download every module's spec into specs/ (from the portal, or copy from --from DIR).
    Fetch {
        /// Copy `<DIR>/<api_id>.json` for every module instead of downloading.
        #[arg(long, value_name = "DIR", conflicts_with = "portal_url")]
        from: Option<PathBuf>,
        /// Download URL template; `{api_id}` is replaced by the module's api id
        /// [env: SERVICETITAN_PORTAL_URL; default: the manifest's portal_url].
        #[arg(long, value_name = "TEMPLATE")]
        portal_url: Option<String>,
        /// Write the documents into DIR instead of the specs directory — for a project that
        /// depends on servicetitan from outside this workspace: point `SERVICETITAN_SPECS_DIR`
        /// at DIR (the manifest and patches still come from the checkout).
        #[arg(long, value_name = "DIR")]
        dest: Option<PathBuf>,
        /// Only these modules (api id or short name); default all.
        modules: Vec<String>,
    },
    /// Compare the specs on disk with the manifest and the committed summaries; list the
    /// operations and schema fields added and removed. Exits 1 when anything differs.
    Check {
        /// Only these modules (api id or short name); default all.
        modules: Vec<String>,
    },
    /// Accept the specs on disk: update manifest sha256/operations and specs/summary/.
    Accept {
        /// Only these modules (api id or short name); default all.
        modules: Vec<String>,
    },
    /// Per-module table of operations: in the spec, generated, hand-written (with reasons),
    /// paged lists, exports.
    Coverage {
        /// Only these modules (api id or short name); default all.
        modules: Vec<String>,
    },
    /// Print one module's generated crate source (what its build script writes to
    /// `$OUT_DIR/generated.rs`), to review or diff a change of the generator.
    Generated {
        /// The module (api id or short name).
        module: String,
    },
    /// Write each module's document with specs/patches/ applied by codegen's reader, as
    /// `DIR/<api_id>.json` — what the SDK, the mock and the CLI were generated from (for foreign
    /// tools such as schemathesis).
    Patched {
        /// Directory to write into (created).
        #[arg(long, value_name = "DIR")]
        dest: PathBuf,
        /// Only these modules (api id or short name); default all.
        modules: Vec<String>,
    },
    /// List the list responses outside the paged-list and export envelopes (top-level arrays and
    /// `data` lists), which the SDK reads record by record like pages.
    Lists {
        /// Only these modules (api id or short name); default all.
        modules: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; usage errors exit 1.
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let (specs_dir, command) = match cli.command {
        Command::Specs { specs_dir, command } => (specs_dir, command),
        Command::Scaffold { check, root } => {
            let root = root.unwrap_or_else(specs::workspace_root);
            let manifest = servicetitan_codegen::manifest::Manifest::load(&root.join("specs"))
                .map_err(|e| Error(e.to_string()))?;
            return scaffold::run(&root, &manifest, check);
        }
    };
    let ctx = specs::Context::new(specs_dir)?;
    match command {
        SpecsCommand::List => specs::list(&ctx),
        SpecsCommand::Fetch {
            from,
            portal_url,
            dest,
            modules,
        } => {
            let ctx = match dest {
                Some(dir) => ctx.with_documents_in(dir)?,
                None => ctx,
            };
            fetch::fetch(&ctx, from.as_deref(), portal_url, &modules)
        }
        SpecsCommand::Check { modules } => specs::check(&ctx, &modules),
        SpecsCommand::Accept { modules } => specs::accept(&ctx, &modules),
        SpecsCommand::Coverage { modules } => coverage::coverage(&ctx, &modules),
        SpecsCommand::Generated { module } => generated::print(&ctx, &module),
        SpecsCommand::Patched { dest, modules } => patched::patched(&ctx, &dest, &modules),
        SpecsCommand::Lists { modules } => patched::lists(&ctx, &modules),
    }
}
