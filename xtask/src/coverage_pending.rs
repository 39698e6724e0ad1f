//! Stand-in for `coverage.rs` until `servicetitan_codegen::{inventory, generate}` exist.

use crate::specs::Context;
use crate::{Error, Result};
use std::process::ExitCode;

/// `specs coverage` (not available yet).
pub fn coverage(_ctx: &Context, _names: &[String]) -> Result<ExitCode> {
    Err(Error(
        "`specs coverage` needs servicetitan_codegen::inventory and ::generate, which this build does not have yet".into(),
    ))
}
