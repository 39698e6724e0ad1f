//! `specs coverage`: how much of each module's spec the SDK covers, and how.

use crate::specs::{require_specs, total_label, Context};
use crate::table::{Align, Table};
use crate::{Error, Result};
use servicetitan_codegen::generate::{generate_module, Generated};
use servicetitan_codegen::inventory::OperationKind;
use servicetitan_codegen::specs::ModuleSpec;
use std::collections::BTreeSet;
use std::panic::AssertUnwindSafe;
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
    let mut specs = ctx.reader()?;
    let mut table = Table::new(&[
        ("module", Align::Left),
        // Of the patched document, as the generator reads it (a patch may add operations).
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
    let mut failures: Vec<(String, String)> = Vec::new();
    for module in &modules {
        let spec = specs.read(module).map_err(Error)?;
        let inventory = &spec.operations;
        let count =
            |kind: fn(&OperationKind) -> bool| inventory.iter().filter(|op| kind(&op.kind)).count();
        let mut counts = Counts {
            spec: inventory.len(),
            paged: count(|k| matches!(k, OperationKind::PagedList)),
            export: count(|k| matches!(k, OperationKind::Export)),
            download: count(|k| matches!(k, OperationKind::Download)),
            upload: count(|k| matches!(k, OperationKind::Upload)),
            ..Counts::default()
        };
        let generated = match generate(&spec) {
            Ok(g) => g,
            Err(e) => {
                total.add(&counts);
                let mut row = vec![module.short.clone()];
                row.extend(counts.cells());
                row[2] = "FAILED".into();
                row[3] = "-".into();
                row[4] = "-".into();
                table.row(row);
                failures.push((module.short.clone(), e));
                continue;
            }
        };
        let covered: BTreeSet<&str> = generated
            .generated
            .iter()
            .map(String::as_str)
            .chain(generated.hand_written.iter().map(|(id, _)| id.as_str()))
            .collect();
        let missing: Vec<String> = inventory
            .iter()
            .filter(|op| !covered.contains(op.operation_id.as_str()))
            .map(|op| format!("{} {}  {}", op.http_method, op.path, op.operation_id))
            .collect();
        counts.generated = generated.generated.len();
        counts.hand_written = generated.hand_written.len();
        counts.uncovered = missing.len();
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
    let mut row = vec![total_label(modules.len())];
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
    if failures.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    println!();
    for (module, e) in &failures {
        println!("  {module}: generation failed: {e}");
    }
    Err(Error(format!(
        "generation failed for {} of {} module(s): {} (their generated / hand-written / uncovered counts are left out of the totals)",
        failures.len(),
        modules.len(),
        failures
            .iter()
            .map(|(m, _)| m.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// `generate_module`, with a panic inside the generator (progenitor asserts on some inputs)
/// turned into an error message.
pub(crate) fn generate(spec: &ModuleSpec) -> std::result::Result<Generated, String> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| generate_module(spec)));
    std::panic::set_hook(previous);
    match result {
        Ok(Ok(g)) => Ok(g),
        Ok(Err(e)) => Err(e.to_string()),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(format!("the generator panicked: {msg}"))
        }
    }
}
