//! A domain crate's shell: `Cargo.toml`, `build.rs`, `src/lib.rs`.

use super::{toml_string, Planned, HEADER};
use servicetitan_codegen::manifest::Module;
use std::fmt::Write;
use std::path::PathBuf;

/// Dependencies of every domain crate: what the generated code names.
const DEPENDENCIES: [&str; 6] = [
    "servicetitan-core",
    "progenitor-client",
    "reqwest",
    "serde",
    "serde_json",
    "futures",
];

/// The three files of `module`'s crate.
pub fn files(module: &Module) -> Vec<Planned> {
    let dir = PathBuf::from("crates/domains").join(&module.short);
    vec![
        Planned {
            path: dir.join("Cargo.toml"),
            content: cargo_toml(module),
        },
        Planned {
            path: dir.join("build.rs"),
            content: format!(
                "// {HEADER}\nfn main() {{\n    servicetitan_codegen::build::domain({:?});\n}}\n",
                module.api_id
            ),
        },
        Planned {
            path: dir.join("src/lib.rs"),
            content: lib_rs(module),
        },
    ]
}

/// `name` or `name/feature` → a workspace dependency line.
fn dependency(spec: &str) -> String {
    match spec.split_once('/') {
        Some((name, feature)) => {
            format!(
                "{name} = {{ workspace = true, features = [{}] }}\n",
                toml_string(feature)
            )
        }
        None => format!("{spec} = {{ workspace = true }}\n"),
    }
}

fn cargo_toml(module: &Module) -> String {
    let description = format!(
        "ServiceTitan {} API ({}), generated from the portal's OpenAPI document.",
        module.title, module.base_path
    );
    let mut out = format!(
        "# {HEADER}\n[package]\nname = {}\ndescription = {}\n\
         version.workspace = true\nedition.workspace = true\nrust-version.workspace = true\n\
         license.workspace = true\nrepository.workspace = true\nbuild = \"build.rs\"\n\n[dependencies]\n",
        toml_string(&module.crate_name),
        toml_string(&description)
    );
    let extra = &module.hand_written;
    for dep in DEPENDENCIES
        .iter()
        .copied()
        .chain(extra.dependencies.iter().map(String::as_str))
    {
        out.push_str(&dependency(dep));
    }
    if !extra.dev_dependencies.is_empty() {
        out.push_str("\n[dev-dependencies]\n");
        for dep in &extra.dev_dependencies {
            out.push_str(&dependency(dep));
        }
    }
    out.push_str("\n[build-dependencies]\nservicetitan-codegen = { workspace = true }\n");
    out
}

fn lib_rs(module: &Module) -> String {
    let mut out = format!(
        "// {HEADER}\n\
         //! ServiceTitan **{title}** API (`{base}`).\n\
         //!\n\
         //! Generated at build time from the portal's `{api_id}` OpenAPI document (see the\n\
         //! workspace README). Get a client from [`servicetitan::Client`](https://docs.rs/servicetitan)\n\
         //! or with [`Api::new`] from a [`servicetitan_core::Client`].\n",
        title = module.title,
        base = module.base_path,
        api_id = module.api_id,
    );
    if let Some(doc) = &module.hand_written.doc {
        out.push_str("//!\n");
        for line in wrap(doc, 96) {
            let _ = writeln!(out, "//! {line}");
        }
    }
    out.push_str(
        "\n#![forbid(unsafe_code)]\n#![deny(missing_docs)]\n\n\
         // The generated code carries the specs' prose verbatim into doc comments and follows\n\
         // progenitor's and typify's style: the lint exemptions cover it alone, so the hand-written\n\
         // modules of this crate are linted and documented like the core.\n\
         #[allow(clippy::all, rustdoc::all, missing_docs)]\n\
         mod generated {\n    include!(concat!(env!(\"OUT_DIR\"), \"/generated.rs\"));\n}\n\
         pub use generated::*;\n",
    );
    if !module.hand_written.modules.is_empty() {
        out.push('\n');
        for m in &module.hand_written.modules {
            let _ = writeln!(out, "pub mod {m};");
        }
    }
    out
}

/// Greedy word wrap at `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
