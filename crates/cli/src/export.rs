//! `st export <module> <entity> --out <file> [--format jsonl|csv] [--since <date>] [--resume]`:
//! every export operation into a file, resumable, through the SDK's verified export-to-file
//! logic ([`servicetitan_core::export::file`]) — the same code as the `export_jobs` example.

use crate::csv_records::CsvRecords;
use crate::ops::{call_args, param_arg};
use crate::table::{Operation, MODULES};
use crate::Failure;
use clap::{Arg, ArgAction, ArgMatches, Command};
use indicatif::{ProgressBar, ProgressStyle};
use servicetitan_core::export::file::{self, Encoder, JsonLines, Mode};
use servicetitan_core::export::{self, RawBatch};
use servicetitan_core::Client;
use std::path::PathBuf;

/// `st export`, with one subcommand per module that has exports and one per entity below it.
pub fn command() -> Command {
    let modules = MODULES
        .iter()
        .filter(|m| m.exports().next().is_some())
        .map(|m| {
            Command::new(m.name)
                .about(format!("Exports of {}", m.title))
                .subcommand_required(true)
                .arg_required_else_help(true)
                .subcommands(m.exports().map(|(entity, op)| entity_command(entity, op)))
        });
    Command::new("export")
        .about("Export every record of an entity into a file (JSON lines or CSV), resumable")
        .long_about(
            "Export every record of an entity into a file, resumable.\n\n\
             Records are written exactly as received (jsonl) or flattened (csv, columns from the \
             record schema). After each batch the file is synced, then a checkpoint is saved \
             beside it (<out>.checkpoint); `--resume` checks the file against the checkpoint and \
             continues where the last run stopped — after an error, a kill, or later to pick up \
             new changes — writing nothing twice.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommands(modules)
}

fn entity_command(entity: String, op: &'static Operation) -> Command {
    let extra = op
        .params
        .iter()
        .filter(|p| !p.is_tenant() && p.name != "from")
        .map(param_arg);
    Command::new(entity)
        .about(op.meta.summary)
        .arg(
            Arg::new("out")
                .long("out")
                .required(true)
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Output file; its checkpoint is <FILE>.checkpoint"),
        )
        .arg(
            Arg::new("format")
                .long("format")
                .value_parser(["jsonl", "csv"])
                .default_value("jsonl")
                .help("jsonl: records exactly as received; csv: flattened, header from the schema"),
        )
        .arg(
            Arg::new("since")
                .long("since")
                .value_name("DATE")
                .help("Start from this date (sent as `from`) instead of the beginning; ignored when resuming"),
        )
        .arg(
            Arg::new("resume")
                .long("resume")
                .action(ArgAction::SetTrue)
                .help("Continue the export recorded in <FILE>.checkpoint (verified against <FILE> first)"),
        )
        .args(extra)
}

/// Runs `st export <module> <entity> …`.
pub async fn run(
    client: &Client,
    module: &str,
    entity: &str,
    matches: &ArgMatches,
) -> Result<(), Failure> {
    let (module, op) = MODULES
        .iter()
        .find(|m| m.name == module)
        .and_then(|m| Some((m, m.exports().find(|(e, _)| e == entity)?.1)))
        .ok_or_else(|| format!("no export {module} {entity}"))?;
    let out = matches
        .get_one::<PathBuf>("out")
        .ok_or("--out is required")?;
    let mode = if matches.get_flag("resume") {
        Mode::Resume
    } else {
        Mode::Fresh
    };
    let since = matches.get_one::<String>("since").cloned();
    let mut encoder: Box<dyn Encoder> =
        match matches.get_one::<String>("format").map(String::as_str) {
            Some("csv") => Box::new(CsvRecords::new(op.columns)),
            _ => Box::new(JsonLines),
        };
    let args = call_args(op, matches);
    let bar = progress_bar();
    let summary = file::export_to_file(
        out,
        mode,
        encoder.as_mut(),
        |resumed| {
            let start = resumed.or(since);
            export::batches(op.meta.operation_id, start, move |from: Option<String>| {
                let mut args = args.clone();
                args.query.extend(from.map(|f| ("from".to_string(), f)));
                async move {
                    client
                        .call_json::<RawBatch>(&op.meta, module.base_path, &args)
                        .await
                }
            })
        },
        |s| {
            bar.set_position(s.total_records);
            bar.set_message(format!("{} batch(es)", s.batches));
        },
    )
    .await;
    bar.finish_and_clear();
    let summary = summary?;
    eprintln!(
        "{} record(s) in {} batch(es) written to {} ({} in all; started from {}); caught up, checkpoint {}",
        summary.records,
        summary.batches,
        out.display(),
        summary.total_records,
        summary.resumed_from.as_deref().map_or("the beginning".to_string(), |t| format!("checkpoint {t}")),
        file::checkpoint_path(out).display(),
    );
    if summary.failures > 0 {
        eprintln!(
            "{} record(s) could not be written as {} and are kept with their raw JSON in {}",
            summary.failures,
            encoder.format(),
            file::failures_path(out).display(),
        );
    }
    Ok(())
}

/// A progress bar on standard error when it is a terminal (hidden otherwise).
fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos} records · {per_sec} · {msg} · {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}
