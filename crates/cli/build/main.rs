//! Build script of `st`: turns the specs into the **command table** the CLI builds its clap
//! commands from at run time (`$OUT_DIR/commands.rs`).
//!
//! The specs come from codegen's spec reader (patched, with the operation inventory the SDK and
//! the mock use); this script adds what a command line needs and the inventory does not carry:
//! each parameter's type, enum values and description, the request body, the upload field, and
//! for exports the CSV columns derived from the record schema. Nothing is listed by hand, so a
//! spec refresh is a rebuild.

mod emit;

use servicetitan_codegen::build::{script, write_if_changed};

fn main() {
    script(|specs, out| {
        let mut table = emit::Table::default();
        for spec in specs.read_all()? {
            table.module(&spec)?;
        }
        write_if_changed(&out.join("commands.rs"), &table.finish())
    })
}
