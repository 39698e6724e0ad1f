//! `st <module> <operation> [--<param> <value> …] [--body <file>|-]`: one clap command per
//! operation of the command table, and the call it makes.

use crate::output::{self, Style};
use crate::table::{Location, Module, Operation, Param, ParamType, MODULES};
use crate::Failure;
use clap::builder::{PossibleValuesParser, ValueParser};
use clap::{Arg, ArgAction, ArgMatches, Command};
use futures::TryStreamExt;
use serde_json::value::RawValue;
use servicetitan_core::call::CallArgs;
use servicetitan_core::{Client, OperationKind};
use std::io::{Read, Write};
use std::path::PathBuf;

/// One command per module, each with one subcommand per operation.
pub fn module_commands() -> impl Iterator<Item = Command> {
    MODULES.iter().map(|m| {
        Command::new(m.name)
            .about(format!(
                "{} ({} operation{})",
                m.title,
                m.operations.len(),
                if m.operations.len() == 1 { "" } else { "s" }
            ))
            .long_about(format!(
                "{}: {} operations under {{api}}/{}/… — `st {} <operation> --help` shows an operation's parameters.",
                m.title,
                m.operations.len(),
                m.base_path,
                m.name
            ))
            .subcommand_required(true)
            .arg_required_else_help(true)
            .subcommands(m.operations.iter().map(operation_command))
    })
}

fn operation_command(op: &'static Operation) -> Command {
    let meta = &op.meta;
    let mut long = meta.summary.to_string();
    if !op.description.is_empty() && op.description != meta.summary {
        long.push_str("\n\n");
        long.push_str(op.description);
    }
    long.push_str(&format!(
        "\n\n{} {{api}}/…{} ({})",
        meta.http_method, meta.path, meta.operation_id
    ));
    if !meta.scopes.is_empty() {
        long.push_str(&format!("\nScopes: {}", meta.scopes.join(", ")));
    }
    let mut command = Command::new(op.name)
        .about(meta.summary)
        .long_about(long)
        .args(op.params.iter().filter(|p| !p.is_tenant()).map(param_arg));
    if let Some(body) = &op.body {
        if op.upload_field.is_none() {
            let mut help = "JSON request body: a file, or - for standard input".to_string();
            if !body.description.is_empty() {
                help = format!("{help} ({})", body.description);
            }
            command = command.arg(
                Arg::new("body")
                    .long("body")
                    .value_name("FILE|-")
                    .required(body.required)
                    .help(help),
            );
        }
    }
    if let Some(field) = op.upload_field {
        command = command.arg(
            Arg::new("file")
                .long("file")
                .value_name("PATH")
                .required(true)
                .value_parser(clap::value_parser!(PathBuf))
                .help(format!("The file to upload (multipart field `{field}`)")),
        );
    }
    match meta.kind {
        OperationKind::PagedList => {
            command = command.arg(Arg::new("all").long("all").action(ArgAction::SetTrue).help(
                "Read every page (from --page, else 1) and print one record per line (JSON lines)",
            ))
        }
        OperationKind::Download => {
            command = command.arg(
                Arg::new("out")
                    .long("out")
                    .value_name("FILE")
                    .value_parser(clap::value_parser!(PathBuf))
                    .help("Write the downloaded bytes to FILE (default: standard output)"),
            )
        }
        _ => {}
    }
    command
}

/// The flag of one parameter: its spec description as help, required as the spec says, enum
/// values as choices, integers/numbers/booleans checked.
pub fn param_arg(p: &'static Param) -> Arg {
    let value_name = match p.ty {
        ParamType::Integer => "INT",
        ParamType::Number => "NUMBER",
        ParamType::Boolean => "BOOL",
        ParamType::DateTime => "DATE-TIME",
        ParamType::Date => "DATE",
        ParamType::String if !p.values.is_empty() => "VALUE",
        ParamType::String => "TEXT",
    };
    let mut help = p.description.to_string();
    // The API's spelling is shown when it is not plain camel case of the flag (`a.b`, `$top`).
    if !p.name.chars().all(|c| c.is_ascii_alphanumeric()) {
        help = format!("{help} [API: {}]", p.name).trim_start().to_string();
    }
    let arg = Arg::new(p.flag)
        .long(p.flag)
        .value_name(value_name)
        .required(p.required)
        .help(help)
        .action(if p.array {
            ArgAction::Append
        } else {
            ArgAction::Set
        });
    if !p.values.is_empty() {
        arg.value_parser(PossibleValuesParser::new(p.values.iter().copied()))
    } else {
        match p.ty {
            ParamType::Boolean => arg.value_parser(PossibleValuesParser::new(["true", "false"])),
            ParamType::Integer => arg.value_parser(checked::<i64>("an integer")),
            ParamType::Number => arg.value_parser(checked::<f64>("a number")),
            _ => arg,
        }
    }
}

/// A parser that checks the text parses as `T` but keeps the text as typed (sent verbatim).
fn checked<T: std::str::FromStr>(what: &'static str) -> ValueParser {
    ValueParser::new(move |s: &str| {
        s.trim()
            .parse::<T>()
            .map(|_| s.trim().to_string())
            .map_err(|_| format!("`{s}` is not {what}"))
    })
}

/// The operation a module command's matches name.
pub fn find(module: &str, operation: &str) -> Option<(&'static Module, &'static Operation)> {
    let m = crate::table::module(module)?;
    Some((m, m.operation(operation)?))
}

/// The path and query values given on the command line.
pub fn call_args(op: &Operation, matches: &ArgMatches) -> CallArgs {
    let mut args = CallArgs::default();
    for p in op.params.iter().filter(|p| !p.is_tenant()) {
        // Export commands define only some of the operation's parameters as flags (not `from`).
        let Some(values) = matches.try_get_many::<String>(p.flag).ok().flatten() else {
            continue;
        };
        for value in values {
            let pair = (p.name.to_string(), value.clone());
            match p.location {
                Location::Path => args.path.push(pair),
                Location::Query | Location::Header => args.query.push(pair),
            }
        }
    }
    args
}

/// Reads a JSON body from a file or standard input (`-`), checked to be JSON and kept as is.
pub fn read_body(source: &str) -> Result<Vec<u8>, Failure> {
    let (bytes, from) = if source == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("cannot read the body from standard input: {e}"))?;
        (buf, "standard input".to_string())
    } else {
        let bytes =
            std::fs::read(source).map_err(|e| format!("cannot read the body {source}: {e}"))?;
        (bytes, source.to_string())
    };
    serde_json::from_slice::<serde::de::IgnoredAny>(&bytes)
        .map_err(|e| format!("the body in {from} is not JSON: {e}"))?;
    Ok(bytes)
}

/// A page of a paged list, records kept exactly as received.
#[derive(serde::Deserialize)]
struct RawPage {
    #[serde(rename = "hasMore", default)]
    has_more: Option<bool>,
    #[serde(rename = "totalCount", default)]
    total_count: Option<i64>,
    /// `null` or missing reads as no records (the core's rule).
    #[serde(default)]
    data: servicetitan_core::records::Records<Box<RawValue>>,
}

impl servicetitan_core::paging::Page for RawPage {
    type Item = Box<RawValue>;
    fn has_more(&self) -> bool {
        self.has_more.unwrap_or(false)
    }
    fn total_count(&self) -> Option<i64> {
        self.total_count
    }
    fn records(&self) -> &servicetitan_core::records::Records<Box<RawValue>> {
        &self.data
    }
    fn records_mut(&mut self) -> &mut servicetitan_core::records::Records<Box<RawValue>> {
        &mut self.data
    }
    fn into_records(self) -> servicetitan_core::records::Records<Box<RawValue>> {
        self.data
    }
}

/// Runs the operation named by `matches` and prints its answer.
pub async fn run(
    client: &Client,
    module: &'static Module,
    op: &'static Operation,
    matches: &ArgMatches,
) -> Result<(), Failure> {
    let mut args = call_args(op, matches);
    if let Some(source) = matches.try_get_one::<String>("body").ok().flatten() {
        args.body = Some(read_body(source)?);
    }
    let all = matches.try_get_one::<bool>("all").ok().flatten() == Some(&true);
    match op.meta.kind {
        OperationKind::PagedList if all => print_all_pages(client, module, op, args).await,
        OperationKind::Download => download(client, module, op, &args, matches).await,
        OperationKind::Upload => upload(client, module, op, &args, matches).await,
        _ => {
            let answer: Box<RawValue> = client.call_json(&op.meta, module.base_path, &args).await?;
            output::print_json(answer.get(), Style::for_stdout())?;
            Ok(())
        }
    }
}

async fn print_all_pages(
    client: &Client,
    module: &'static Module,
    op: &'static Operation,
    args: CallArgs,
) -> Result<(), Failure> {
    let first = args
        .query
        .iter()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse::<i32>().ok())
        .unwrap_or(1);
    let pages = servicetitan_core::paging::pages(op.meta.operation_id, first, |page| {
        let mut args = args.clone();
        args.query.retain(|(k, _)| k != "page");
        args.query.push(("page".into(), page.to_string()));
        async move {
            client
                .call_json::<RawPage>(&op.meta, module.base_path, &args)
                .await
        }
    });
    let mut pages = std::pin::pin!(pages);
    let mut stdout = std::io::stdout().lock();
    while let Some(page) = pages.try_next().await? {
        use servicetitan_core::paging::Page;
        // Raw records always read, so there are no failures to report.
        for record in page.into_records() {
            stdout.write_all(output::compact(record.get()).as_bytes())?;
            stdout.write_all(b"\n")?;
        }
        stdout.flush()?;
    }
    Ok(())
}

async fn download(
    client: &Client,
    module: &'static Module,
    op: &'static Operation,
    args: &CallArgs,
    matches: &ArgMatches,
) -> Result<(), Failure> {
    let mut response = client.call_raw(&op.meta, module.base_path, args).await?;
    let out = matches.get_one::<PathBuf>("out");
    let mut sink: Box<dyn Write> = match out {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    while let Some(chunk) = response.chunk().await? {
        sink.write_all(&chunk)?;
    }
    sink.flush()?;
    Ok(())
}

async fn upload(
    client: &Client,
    module: &'static Module,
    op: &'static Operation,
    args: &CallArgs,
    matches: &ArgMatches,
) -> Result<(), Failure> {
    let path = matches
        .get_one::<PathBuf>("file")
        .ok_or("--file is required")?;
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "upload".into());
    let parts = client.domain(module.base_path);
    let path_params: Vec<(&str, String)> = args
        .path
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let url = servicetitan_core::upload::expand_path(
        &parts.base_url,
        op.meta.path,
        parts.tenant_id,
        &path_params,
    );
    let request = servicetitan_core::upload::UploadRequest::new(
        parts.http,
        parts.transport,
        &op.meta,
        url,
        op.upload_field.unwrap_or("file"),
    );
    let answer = request.file(name, bytes).send().await?;
    output::print_json(&answer.to_string(), Style::for_stdout())?;
    Ok(())
}
