//! `specs patched` (each module's document as codegen reads it, for foreign tools such as
//! schemathesis) and `specs lists` (every list response outside the paged envelopes, and how the
//! SDK reads it).

use crate::specs::{require_specs, Context};
use crate::table::{Align, Table};
use crate::{Error, Result};
use servicetitan_codegen::normalize::lossless::{unpaged_lists, ListShape};
use std::path::Path;
use std::process::ExitCode;

/// `specs patched --dest DIR [MODULE…]`: writes `DIR/<api_id>.json`, the document with
/// `specs/patches/` applied by codegen's own reader — so a tool fed these reads exactly what the
/// SDK and the mock were generated from (no second patch implementation to drift).
pub fn patched(ctx: &Context, dest: &Path, names: &[String]) -> Result<ExitCode> {
    let modules = ctx.select(names)?;
    require_specs(ctx, &modules)?;
    std::fs::create_dir_all(dest).map_err(|e| Error(format!("--dest {}: {e}", dest.display())))?;
    let mut specs = ctx.reader()?;
    for module in &modules {
        let spec = specs.read(module).map_err(Error)?;
        let path = dest.join(module.spec_file_name());
        let text = serde_json::to_string(&spec.document).map_err(|e| Error(e.to_string()))?;
        std::fs::write(&path, text).map_err(|e| Error(format!("{}: {e}", path.display())))?;
    }
    println!(
        "{} patched spec(s) written to {}",
        modules.len(),
        dest.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `specs lists [MODULE…]`: the list responses that are neither paged lists nor exports, found in
/// the normalized documents (the generator types each as `Records<Item>`: read record by record).
pub fn lists(ctx: &Context, names: &[String]) -> Result<ExitCode> {
    let modules = ctx.select(names)?;
    require_specs(ctx, &modules)?;
    let mut specs = ctx.reader()?;
    let mut table = Table::new(&[
        ("module", Align::Left),
        ("operation", Align::Left),
        ("list", Align::Left),
    ]);
    let (mut top, mut data) = (0, 0);
    for module in &modules {
        let spec = specs.read(module).map_err(Error)?;
        let doc = &spec.normalized().map_err(Error)?.document;
        for list in unpaged_lists(doc) {
            let shape = match list.shape {
                ListShape::TopLevel => {
                    top += 1;
                    "top-level array"
                }
                ListShape::Data => {
                    data += 1;
                    "`data` of an object"
                }
            };
            table.row(vec![module.short.clone(), list.operation_id, shape.into()]);
        }
    }
    print!("{}", table.render());
    println!(
        "{top} top-level arrays, {data} `data` lists: {} in all",
        top + data
    );
    Ok(ExitCode::SUCCESS)
}
