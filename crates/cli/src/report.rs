//! `st report list|show|run`: categories, reports and their definitions, and report runs with
//! the parameters checked against the definition before the call (the reporting crate's
//! [`report`](servicetitan_reporting::report) module: its messages, its per-report limit).

use crate::csv_records::write_row;
use crate::output::{self, Style};
use crate::Failure;
use clap::{Arg, ArgAction, ArgMatches, Command};
use futures::TryStreamExt;
use serde_json::{Number, Value};
use servicetitan_core::Client;
use servicetitan_reporting::report::{
    wait_for_cancellations, ParamValue, ReportDefinition, ReportParams, ReportRun, MAX_PAGE_SIZE,
};
use servicetitan_reporting::types::DataType;
use servicetitan_reporting::Api;
use std::io::Write;
use std::time::Duration;

fn category_arg(required: bool) -> Arg {
    Arg::new("category")
        .long("category")
        .value_name("ID")
        .required(required)
        .help("Report category id (e.g. operations); `st report list` shows them")
}

fn report_arg() -> Arg {
    Arg::new("report")
        .long("report")
        .value_name("ID")
        .required(true)
        .value_parser(clap::value_parser!(i64))
        .help("Report id; `st report list --category <c>` shows them")
}

/// `st report …`.
pub fn command() -> Command {
    Command::new("report")
        .about("Reporting: list categories and reports, show a report's parameters, run it")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("list")
                .about("List report categories, or the reports of one category")
                .arg(category_arg(false)),
        )
        .subcommand(
            Command::new("show")
                .about("Show a report's definition: its parameters (type, required) and fields")
                .arg(category_arg(true))
                .arg(report_arg()),
        )
        .subcommand(
            Command::new("run")
                .about("Run a report; parameters are checked against its definition first")
                .arg(category_arg(true))
                .arg(report_arg())
                .arg(
                    Arg::new("param")
                        .long("param")
                        .value_name("NAME=VALUE")
                        .action(ArgAction::Append)
                        .help("A parameter (repeat for more); arrays as comma-separated values"),
                )
                .arg(
                    Arg::new("format")
                        .long("format")
                        .value_parser(["json", "csv"])
                        .default_value("json")
                        .help(
                            "json: one row object per line; csv: header from the report's fields",
                        ),
                )
                .arg(
                    Arg::new("page-size")
                        .long("page-size")
                        .value_name("ROWS")
                        .value_parser(clap::value_parser!(u32).range(1..=i64::from(MAX_PAGE_SIZE)))
                        .help("Rows per page (1–25000; the API's default is 1000)"),
                )
                .arg(
                    Arg::new("deadline")
                        .long("deadline")
                        .value_name("SECONDS")
                        .value_parser(clap::value_parser!(u64).range(1..))
                        .default_value("900")
                        .help("Cancel the report's data query if it has not finished by then"),
                )
                .arg(
                    Arg::new("poll-interval")
                        .long("poll-interval")
                        .value_name("SECONDS")
                        .value_parser(parse_seconds)
                        .default_value("2")
                        .help("First wait between polls of a running query (grows to 10 s)"),
                )
                .arg(
                    Arg::new("sync")
                        .long("sync")
                        .action(ArgAction::SetTrue)
                        .help("Use the synchronous …/data instead of the query flow"),
                )
                .after_help(
                    "The report runs as an asynchronous data query (POST …/data/query, polled \
                     until done); an API without it is run through …/data. Ctrl-C or the \
                     deadline cancels the query (DELETE …/data-queries/{token}) before st exits.",
                ),
        )
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 3600.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("`{text}` is not a number of seconds between 0 and 3600"))
}

/// How long st waits, after Ctrl-C, for the running query's cancellation to be answered.
const CANCEL_WAIT: Duration = Duration::from_secs(5);

/// Runs `st report <sub>`.
pub async fn run(client: &Client, sub: &str, matches: &ArgMatches) -> Result<(), Failure> {
    let api = Api::new(client);
    let category = matches.get_one::<String>("category").cloned();
    match sub {
        "list" => list(&api, category).await,
        "show" => {
            let id = *matches
                .get_one::<i64>("report")
                .ok_or("--report is required")?;
            let definition = api
                .report_definition(category.unwrap_or_default(), id)
                .await?;
            let text =
                serde_json::to_string(&definition_json(&definition)).map_err(|e| e.to_string())?;
            output::print_json(&text, Style::for_stdout())?;
            Ok(())
        }
        "run" => {
            let id = *matches
                .get_one::<i64>("report")
                .ok_or("--report is required")?;
            let category = category.unwrap_or_default();
            let definition = api.report_definition(category, id).await?;
            let pairs: Vec<&String> = matches
                .get_many::<String>("param")
                .into_iter()
                .flatten()
                .collect();
            let params = parse_params(&definition, &pairs)?;
            let csv = matches.get_one::<String>("format").map(String::as_str) == Some("csv");
            let first_poll = matches
                .get_one::<Duration>("poll-interval")
                .copied()
                .unwrap_or(Duration::from_secs(2));
            let mut run = definition
                .run(&api, params)
                .deadline(Duration::from_secs(
                    matches.get_one::<u64>("deadline").copied().unwrap_or(900),
                ))
                .poll_interval(first_poll, Duration::from_secs(10).max(first_poll))
                .synchronous(matches.get_flag("sync"));
            if let Some(size) = matches.get_one::<u32>("page-size") {
                run = run.page_size(*size);
            }
            tokio::select! {
                done = write_rows(run, csv) => done,
                _ = tokio::signal::ctrl_c() => {
                    // The run's stream is dropped with the `write_rows` future, which sends the
                    // query's cancellation; let it be answered before exiting.
                    let settled = wait_for_cancellations(CANCEL_WAIT).await;
                    Err(if settled {
                        "interrupted: the report's data query was cancelled".into()
                    } else {
                        "interrupted: the report's data query could not be cancelled in time; \
                         it ends on the server's own timeout"
                            .into()
                    })
                }
            }
        }
        other => Err(format!("unknown report command {other}").into()),
    }
}

async fn list(api: &Api, category: Option<String>) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match category {
        None => {
            let categories: Vec<_> = api.report_categories().try_collect().await?;
            for c in categories {
                writeln!(stdout, "{}\t{}", c.id, c.name.unwrap_or_default())?;
            }
        }
        Some(category) => {
            let reports: Vec<_> = api.reports_in(category).try_collect().await?;
            for r in reports {
                writeln!(stdout, "{}\t{}", r.id, r.name.unwrap_or_default())?;
            }
        }
    }
    Ok(())
}

fn definition_json(d: &ReportDefinition) -> Value {
    serde_json::json!({
        "category": d.category,
        "id": d.id,
        "name": d.name,
        "description": d.description,
        "parameters": d.parameters,
        "fields": d.fields,
    })
}

/// `NAME=VALUE` pairs typed after the definition (numbers, booleans, comma-separated arrays),
/// so the library's validation judges values, not text; an unknown name stays text and gets
/// the library's "unknown parameter, did you mean" message.
pub fn parse_params(
    definition: &ReportDefinition,
    pairs: &[&String],
) -> Result<ReportParams, Failure> {
    let mut params = ReportParams::new();
    for pair in pairs {
        let (name, text) = pair
            .split_once('=')
            .ok_or_else(|| format!("--param {pair}: expected NAME=VALUE"))?;
        let spec = definition.parameter(name);
        let data_type = spec.and_then(|p| p.data_type.clone());
        let typed = |text: &str| typed_value(text.trim(), data_type.as_ref());
        let value = if spec.and_then(|p| p.is_array) == Some(true) {
            ParamValue::array(text.split(',').map(typed))
        } else {
            typed(text)
        };
        params = params.set(name, value);
    }
    Ok(params)
}

fn typed_value(text: &str, data_type: Option<&DataType>) -> ParamValue {
    match data_type {
        Some(DataType::Number) => match serde_json::from_str::<Number>(text) {
            Ok(n) => n.into(),
            Err(_) => text.into(),
        },
        Some(DataType::Boolean) => match text {
            "true" | "True" => true.into(),
            "false" | "False" => false.into(),
            _ => text.into(),
        },
        _ => text.into(),
    }
}

async fn write_rows(run: ReportRun, csv: bool) -> Result<(), Failure> {
    let rows = run.pages();
    let mut rows = std::pin::pin!(rows);
    let mut stdout = std::io::stdout().lock();
    let mut header_written = false;
    while let Some(page) = rows.try_next().await? {
        if !csv {
            for row in &page.rows {
                writeln!(stdout, "{}", Value::Object(row.clone()))?;
            }
            continue;
        }
        if !header_written {
            stdout.write_all(&write_row(&page.fields)?)?;
            header_written = true;
        }
        for row in &page.rows {
            let cells: Vec<String> = page
                .fields
                .iter()
                .map(|f| match row.get(f) {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                })
                .collect();
            stdout.write_all(&write_row(&cells)?)?;
        }
    }
    Ok(())
}
