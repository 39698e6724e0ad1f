//! The facade's generated parts: `src/modules.rs` whole, and the marked blocks of `Cargo.toml`.

use super::{toml_string, HEADER};

/// Said on the first line of each generated block of the facade's `Cargo.toml`.
const MARK: &str =
    "written by `cargo xtask scaffold` from specs/manifest.json; edit the manifest, not this block";
use servicetitan_codegen::manifest::Module;
use std::fmt::Write;

/// Marks the start of a generated block in the facade's `Cargo.toml`; the block ends at the
/// matching `# END generated …` line. Everything outside the blocks is hand-written.
const BEGIN: &str = "# BEGIN generated";
const END: &str = "# END generated";

/// The facade's `Cargo.toml` with its `dependencies` and `features` blocks rewritten.
pub fn cargo_toml(current: &str, modules: &[Module], version: &str) -> Result<String, String> {
    let mut dependencies = String::new();
    for m in modules {
        let _ = writeln!(
            dependencies,
            "{} = {{ path = {}, version = {}, optional = true }}",
            m.crate_name,
            toml_string(&format!("../domains/{}", m.short)),
            toml_string(version)
        );
    }
    let full: Vec<String> = modules.iter().map(|m| toml_string(&m.feature)).collect();
    let mut features = format!("full = [{}]\n", full.join(", "));
    for m in modules {
        let _ = writeln!(
            features,
            "{} = [{}]",
            m.feature,
            toml_string(&format!("dep:{}", m.crate_name))
        );
    }
    let text = splice(current, "dependencies", &dependencies)?;
    splice(&text, "features", &features)
}

/// Replaces the lines between `# BEGIN generated <name> …` and `# END generated <name>`.
fn splice(text: &str, name: &str, body: &str) -> Result<String, String> {
    let begin = format!("{BEGIN} {name}");
    let end = format!("{END} {name}");
    let missing =
        || format!("no `{begin}` … `{end}` block; add the two lines where the module {name} go");
    let start = text.find(&begin).ok_or_else(missing)?;
    let body_start = start + text[start..].find('\n').ok_or_else(missing)? + 1;
    let stop = body_start + text[body_start..].find(&end).ok_or_else(missing)?;
    Ok(format!(
        "{}{begin}: {MARK}\n{body}{}",
        &text[..start],
        &text[stop..]
    ))
}

/// `src/modules.rs`: one re-export, accessor and impl per module, each behind its feature.
pub fn modules_rs(modules: &[Module]) -> String {
    let mut out = format!(
        "// {HEADER}\n\
         //! The API modules: one re-export and one [`Modules`] accessor per module, each behind the\n\
         //! module's cargo feature.\n\nuse crate::Client;\n"
    );
    for m in modules {
        let _ = write!(
            out,
            "\n/// The {title} API (`{base}`), feature `{feature}`.\n\
             #[cfg(feature = \"{feature}\")]\n\
             pub use {krate} as {rust};\n",
            title = m.title,
            base = m.base_path,
            feature = m.feature,
            krate = m.crate_name.replace('-', "_"),
            rust = m.rust_name(),
        );
    }
    out.push_str("\n/// One accessor per enabled API module, on [`Client`]. In the prelude.\npub trait Modules {\n");
    for m in modules {
        let _ = write!(
            out,
            "    /// The {title} API (`{base}`) for this client's tenant.\n\
             \x20   #[cfg(feature = \"{feature}\")]\n\
             \x20   fn {rust}(&self) -> {rust}::Api;\n",
            title = m.title,
            base = m.base_path,
            feature = m.feature,
            rust = m.rust_name(),
        );
    }
    out.push_str("}\n\nimpl Modules for Client {\n");
    for m in modules {
        let _ = write!(
            out,
            "    #[cfg(feature = \"{feature}\")]\n\
             \x20   fn {rust}(&self) -> {rust}::Api {{\n\
             \x20       {rust}::Api::new(self)\n\
             \x20   }}\n",
            feature = m.feature,
            rust = m.rust_name(),
        );
    }
    out.push_str("}\n");
    out
}
