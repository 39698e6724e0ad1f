//! `specs coverage`: how much of each module's spec the SDK covers, and how.

use crate::specs::{read_spec, require_specs, Context};
use crate::table::{Align, Table};
use crate::{Error, Result};
use servicetitan_codegen::generate::generate_module;
use servicetitan_codegen::inventory::{operations, OperationKind};
use std::collections::BTreeSet;
use std::process::ExitCode;

/// One module's counts.
#[derive(Default)]
struct Counts {
    spec: usize,
    generated: usize,
    hand_written: usize,
    uncovered: usize,
    paged: usize,
    export: usize,
    download: usize,
    upload: usize,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.spec += other.spec;
        self.generated += other.generated;
        self.hand_written += other.hand_written;
        self.uncovered += other.uncovered;
        self.paged += other.paged;
        self.export += other.export;
        self.download += other.download;
        self.upload += other.upload;
    }

    fn cells(&self) -> Vec<String> {
        [
            self.spec,
            self.generated,
            self.hand_written,
            self.uncovered,
            self.paged,
            self.export,
            self.download,
            self.upload,
        ]
        .iter()
        .map(usize::to_string)
        .collect()
    }
}

/// `specs coverage [MODULE…]`.
pub fn coverage(ctx: &Context, names: &[String]) -> Result<ExitCode> {
    let modules = ctx.select(names)?;
    require_specs(ctx, &modules)?;
    let patches = ctx.patches_dir();
    let mut table = Table::new(&[
        ("module", Align::Left),
        ("spec ops", Align::Right),
        ("generated", Align::Right),
        ("hand-written", Align::Right),
        ("uncovered", Align::Right),
        ("paged lists", Align::Right),
        ("exports", Align::Right),
        ("downloads", Align::Right),
        ("uploads", Align::Right),
    ]);
    let mut total = Counts::default();
    let mut hand_written: Vec<(String, String, String)> = Vec::new();
    let mut uncovered: Vec<(String, String)> = Vec::new();
    for module in &modules {
        let disk = read_spec(ctx, module)?;
        let inventory = operations(&disk.value);
        let generated = generate_module(module, disk.value, &patches)
            .map_err(|e| Error(format!("{}: generation failed: {e}", module.api_id)))?;
        let covered: BTreeSet<&str> = generated
            .generated
            .iter()
            .map(String::as_str)
            .chain(generated.hand_written.iter().map(|(id, _)| id.as_str()))
            .collect();
        let missing: Vec<String> = inventory
            .iter()
            .filter(|op| !covered.contains(op.operation_id.as_str()))
            .map(|op| format!("{} {}  {}", op.method, op.path, op.operation_id))
            .collect();
        let count =
            |kind: fn(&OperationKind) -> bool| inventory.iter().filter(|op| kind(&op.kind)).count();
        let counts = Counts {
            spec: inventory.len(),
            generated: generated.generated.len(),
            hand_written: generated.hand_written.len(),
            uncovered: missing.len(),
            paged: count(|k| matches!(k, OperationKind::PagedList)),
            export: count(|k| matches!(k, OperationKind::Export)),
            download: count(|k| matches!(k, OperationKind::Download)),
            upload: count(|k| matches!(k, OperationKind::Upload)),
        };
        total.add(&counts);
        let mut row = vec![module.short.clone()];
        row.extend(counts.cells());
        table.row(row);
        for (id, reason) in &generated.hand_written {
            hand_written.push((module.short.clone(), id.clone(), reason.clone()));
        }
        for op in missing {
            uncovered.push((module.short.clone(), op));
        }
    }
    let mut row = vec![format!("total ({} modules)", modules.len())];
    row.extend(total.cells());
    table.footer(row);
    print!("{}", table.render());
    if !hand_written.is_empty() {
        println!();
        println!("hand-written operations ({}):", hand_written.len());
        let mut t = Table::new(&[
            ("module", Align::Left),
            ("operation", Align::Left),
            ("reason", Align::Left),
        ]);
        for (module, id, reason) in hand_written {
            t.row(vec![module, id, reason]);
        }
        print!("{}", t.render());
    }
    if !uncovered.is_empty() {
        println!();
        println!(
            "operations neither generated nor hand-written ({}):",
            uncovered.len()
        );
        for (module, op) in &uncovered {
            println!("  {module}: {op}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
