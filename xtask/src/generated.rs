//! `specs generated MODULE`: one module's generated crate source, exactly as its build script
//! writes it to `$OUT_DIR/generated.rs`, for review — page through it, or diff it before and
//! after a change of the generator (`cargo xtask specs generated jpm > /tmp/jpm.rs`).

use crate::coverage::generate;
use crate::specs::{require_specs, Context};
use crate::{Error, Result};
use std::io::Write;
use std::process::ExitCode;

/// Prints the generated source of the one module `name` (api id or short name) to stdout.
pub fn print(ctx: &Context, name: &str) -> Result<ExitCode> {
    let modules = ctx.select(&[name.to_string()])?;
    let [module] = modules.as_slice() else {
        return Err(Error(format!(
            "{name} names {} modules; give one api id or short name",
            modules.len()
        )));
    };
    require_specs(ctx, &modules)?;
    let spec = ctx.reader()?.read(module).map_err(Error)?;
    let generated = generate(&spec).map_err(|e| Error(format!("{}: {e}", module.api_id)))?;
    let mut out = std::io::stdout().lock();
    out.write_all(generated.code.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error(format!("cannot write the source: {e}")))?;
    Ok(ExitCode::SUCCESS)
}
