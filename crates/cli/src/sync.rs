//! `st sync` (every entity of every module into SQLite or PostgreSQL, exactly once), `st sync
//! entities` (what can be synced, and how) and `st sync status` (per tenant and entity: rows,
//! last checkpoint, lag, failures), over the `servicetitan-sync` library.

use crate::setup::Global;
use crate::Failure;
use clap::{Arg, ArgAction, ArgMatches, Command};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use servicetitan_core::{Client, ClientBuilder};
use servicetitan_sync::dest::DEFAULT_SQLITE;
use servicetitan_sync::{catalog, Destination, Progress, Sync};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

/// `println!` that reports a closed pipe (`st sync status | head`) instead of panicking.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($t)*)?
    }};
}

fn to_arg() -> Arg {
    Arg::new("to")
        .long("to")
        .value_name("DEST")
        .default_value(DEFAULT_SQLITE)
        .help("sqlite:PATH (or a path) or postgres://user:password@host:port/db")
}

fn json_flag() -> Arg {
    Arg::new("json")
        .long("json")
        .action(ArgAction::SetTrue)
        .help("Print JSON instead of a table")
}

/// `st sync …`.
pub fn command() -> Command {
    let list = |name: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .value_name("A,B")
            .value_delimiter(',')
            .action(ArgAction::Append)
            .help(help)
    };
    Command::new("sync")
        .about("Copy ServiceTitan into SQLite or PostgreSQL: every export and list, exactly once, resumable")
        .long_about(
            "Copy every entity of every module (exports from their continuation token, lists \
             incrementally or as full refreshes) into one table per entity, typed from the \
             specs, with each record's raw JSON. Each batch's rows and its checkpoint are \
             committed in one transaction: kill it at any moment and run it again — every \
             record ends up stored once. Several tenants: --tenant repeated, or --all-profiles. \
             Several `st sync` processes (on any machines) with the same --to postgres://… and \
             the same tenants and entities split the work: each (tenant, entity) is claimed \
             under a lease, a dead worker's units are taken over once its lease expires, and \
             every process exits when the whole run is finished (docs/many-workers.md). \
             SQLite takes one `st sync` at a time (a second one fails at once).",
        )
        .args_conflicts_with_subcommands(true)
        .arg(to_arg())
        .arg(list("only", "Only these entities (e.g. jpm.jobs,crm.customers)"))
        .arg(list("modules", "Only the entities of these modules (e.g. jpm,crm)"))
        .arg(
            Arg::new("all-profiles")
                .long("all-profiles")
                .action(ArgAction::SetTrue)
                .help("One tenant per profile of the config file (--config-file)"),
        )
        .arg(
            Arg::new("concurrency")
                .long("concurrency")
                .value_name("N")
                .default_value("4")
                .value_parser(clap::value_parser!(usize))
                .help("Entities of a tenant synced at the same time (within its 60/s limit)"),
        )
        .arg(
            Arg::new("page-size")
                .long("page-size")
                .value_name("N")
                .default_value("5000")
                .value_parser(clap::value_parser!(u32).range(1..=5000))
                .help("Page size of the lists (exports come in the API's batches)"),
        )
        .arg(
            Arg::new("lease")
                .long("lease")
                .value_name("DURATION")
                .default_value("30s")
                .value_parser(parse_duration)
                .help("PostgreSQL: how long a dead worker's units stay held before another worker takes them over (e.g. 30s, 2m)"),
        )
        .arg(
            Arg::new("renew")
                .long("renew")
                .value_name("DURATION")
                .default_value("10s")
                .value_parser(parse_duration)
                .help("PostgreSQL: how often a worker renews its leases (shorter than --lease)"),
        )
        .arg(
            Arg::new("worker-id")
                .long("worker-id")
                .value_name("NAME")
                .help("PostgreSQL: this worker's name in _st_sync_state.owner (default host:pid:nonce)"),
        )
        .arg(json_flag())
        .subcommand(
            Command::new("entities")
                .about("List what can be synced: entity, table, how, columns")
                .arg(json_flag()),
        )
        .subcommand(
            Command::new("status")
                .about("Per tenant and entity: rows, last checkpoint, lag, failures")
                .arg(to_arg())
                .arg(json_flag()),
        )
}

/// Runs `st sync …`; `clients` builds the client of each tenant.
pub async fn run(global: &Global, builder: ClientBuilder, m: &ArgMatches) -> Result<(), Failure> {
    match m.subcommand() {
        Some(("entities", m)) => return entities(m.get_flag("json")),
        Some(("status", m)) => return status(m).await,
        _ => {}
    }
    let strings = |name: &str| -> Vec<String> {
        m.get_many::<String>(name)
            .into_iter()
            .flatten()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let (only, modules) = (strings("only"), strings("modules"));
    // The selection and the database are checked before any API call.
    catalog::select(&only, &modules)?;
    let (lease, renew) = (
        *m.get_one::<Duration>("lease")
            .ok_or("--lease is required")?,
        *m.get_one::<Duration>("renew")
            .ok_or("--renew is required")?,
    );
    if renew >= lease {
        return Err(format!("--renew ({renew:?}) must be shorter than --lease ({lease:?})").into());
    }
    let to = m
        .get_one::<String>("to")
        .map_or(DEFAULT_SQLITE, String::as_str);
    let dest = Destination::open(to).await?;
    let clients = tenant_clients(global, builder, m.get_flag("all-profiles"))?;
    let mut clients = clients.into_iter();
    let first = clients.next().ok_or("no tenant to sync")?;
    let mut sync = Sync::new(first, dest).select(&only, &modules)?;
    for c in clients {
        sync = sync.tenant(c);
    }
    let mut sync = sync
        .concurrency(*m.get_one::<usize>("concurrency").unwrap_or(&4))
        .page_size(*m.get_one::<u32>("page-size").unwrap_or(&5000))
        .lease(lease)
        .renew_every(renew);
    if let Some(id) = m.get_one::<String>("worker-id") {
        sync = sync.worker_id(id);
    }
    let progress = Bars::new();
    let report = {
        let p = progress.clone();
        sync.on_progress(move |e| p.update(e)).run().await?
    };
    progress.finish();
    if m.get_flag("json") {
        out!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        out!("{report}");
    }
    match report.is_success() {
        true => Ok(()),
        false => Err(format!(
            "{} unit(s) failed:\n  {}",
            report.errors().len(),
            report.errors().join("\n  ")
        )
        .into()),
    }
}

/// `500ms`, `30s`, `2m` or a number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, unit) = t.split_at(t.find(|c: char| c.is_alphabetic()).unwrap_or(t.len()));
    let n: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{text:?}: not a duration (e.g. 500ms, 30s, 2m)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" => n * 60.0,
        _ => return Err(format!("{text:?}: unknown unit {unit:?} (ms, s or m)")),
    };
    match secs.is_finite() && secs > 0.0 && secs < 86_400.0 {
        true => Ok(Duration::from_secs_f64(secs)),
        false => Err(format!("{text:?}: must be more than 0 and less than a day")),
    }
}

/// The client of every tenant: each profile of the config file, else every `--tenant` (with the
/// same credentials), else the configured tenant. Each has its own token and limiter.
fn tenant_clients(
    global: &Global,
    builder: ClientBuilder,
    all_profiles: bool,
) -> Result<Vec<Client>, Failure> {
    if all_profiles {
        let file = global
            .config_file
            .as_ref()
            .ok_or("--all-profiles needs a config file (--config-file or ST_CONFIG_FILE)")?;
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let doc: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not JSON: {e}", file.display()))?;
        let names: Vec<String> = doc
            .get("profiles")
            .and_then(|p| p.as_object())
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        if names.is_empty() {
            return Err(format!("{}: no profiles to sync", file.display()).into());
        }
        return names
            .iter()
            .map(|name| {
                let g = Global {
                    profile: Some(name.clone()),
                    tenant: None,
                    tenants: Vec::new(),
                    ..global.clone()
                };
                let b = g.runtime(Client::builder().config_builder(g.config_builder()));
                b.build().map_err(|e| format!("profile {name}: {e}").into())
            })
            .collect();
    }
    let client = builder.build()?;
    if global.tenants.is_empty() {
        return Ok(vec![client]);
    }
    Ok(global.tenants.iter().map(|t| client.tenant(*t)).collect())
}

/// Progress: one bar per entity on a terminal; plain lines (an entity's end) otherwise.
#[derive(Clone)]
struct Bars {
    bars: Option<MultiProgress>,
    open: std::sync::Arc<Mutex<HashMap<(i64, &'static str), ProgressBar>>>,
}

impl Bars {
    fn new() -> Bars {
        Bars {
            bars: std::io::stderr().is_terminal().then(MultiProgress::new),
            open: Default::default(),
        }
    }

    fn update(&self, e: &Progress) {
        let Some(bars) = &self.bars else {
            if e.done {
                eprintln!(
                    "tenant {} {}: {} record(s), {} batch(es)",
                    e.tenant_id, e.entity, e.records, e.batches
                );
            }
            return;
        };
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let bar = open.entry((e.tenant_id, e.entity)).or_insert_with(|| {
            let bar = bars.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {prefix:<48} {pos:>9} records · {per_sec} · {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_prefix(format!("{} {}", e.tenant_id, e.entity));
            bar
        });
        bar.set_position(e.records);
        bar.set_message(format!("{} batch(es)", e.batches));
        if e.done {
            bar.finish_and_clear();
            open.remove(&(e.tenant_id, e.entity));
        }
    }

    fn finish(&self) {
        if let Some(bars) = &self.bars {
            let _ = bars.clear();
        }
    }
}

fn entities(json: bool) -> Result<(), Failure> {
    let list = catalog::entities();
    if json {
        let out: Vec<_> = list
            .iter()
            .map(|e| {
                serde_json::json!({
                    "entity": e.name, "table": e.table, "mode": e.mode.as_str(),
                    "operation": e.meta.operation_id, "active_any": e.active_any, "key": e.key,
                    "columns": e.columns.iter().map(|c| serde_json::json!({"name": c.name, "field": c.api_name, "type": c.ty})).collect::<Vec<_>>(),
                })
            })
            .collect();
        out!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    out!(
        "{:<46} {:<13} {:>7}  operation",
        "entity",
        "mode",
        "columns"
    );
    for e in list {
        out!(
            "{:<46} {:<13} {:>7}  {} {}",
            e.name,
            e.mode.as_str(),
            e.columns.len(),
            e.meta.http_method,
            e.meta.path
        );
    }
    out!(
        "{} entities (tables are named like the entity, `.` → `_`)",
        list.len()
    );
    Ok(())
}

async fn status(m: &ArgMatches) -> Result<(), Failure> {
    let to = m
        .get_one::<String>("to")
        .map_or(DEFAULT_SQLITE, String::as_str);
    if !to.contains("://") && !std::path::Path::new(to.trim_start_matches("sqlite:")).exists() {
        return Err(format!("{to}: no such database; run `st sync` first").into());
    }
    let dest = Destination::open(to).await?;
    let states = dest.states().await?;
    let mut rows: HashMap<(i64, String), i64> = HashMap::new();
    for e in catalog::entities() {
        if states.iter().any(|s| s.entity == e.name) {
            for (tenant, n, _) in dest.counts(e).await? {
                rows.insert((tenant, e.name.to_owned()), n);
            }
        }
    }
    let now = chrono::Utc::now();
    let lag = |at: &Option<String>| {
        at.as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| (now - t.with_timezone(&chrono::Utc)).num_seconds())
    };
    if m.get_flag("json") {
        let out: Vec<_> = states
            .iter()
            .map(|s| {
                serde_json::json!({
                    "tenant_id": s.tenant_id, "entity": s.entity, "mode": s.mode,
                    "rows": rows.get(&(s.tenant_id, s.entity.clone())).copied().unwrap_or(0),
                    "checkpoint_at": s.checkpoint_at, "finished_at": s.finished_at,
                    "lag_seconds": lag(&s.finished_at.clone().or(s.checkpoint_at.clone())),
                    "failures": s.failures, "deleted": s.deleted, "last_error": s.last_error,
                })
            })
            .collect();
        out!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    out!(
        "{:<10} {:<44} {:>9} {:<25} {:>8} {:>8}  error",
        "tenant",
        "entity",
        "rows",
        "last checkpoint",
        "lag (s)",
        "failures"
    );
    for s in &states {
        out!(
            "{:<10} {:<44} {:>9} {:<25} {:>8} {:>8}  {}",
            s.tenant_id,
            s.entity,
            rows.get(&(s.tenant_id, s.entity.clone()))
                .copied()
                .unwrap_or(0),
            s.checkpoint_at.as_deref().unwrap_or("-"),
            lag(&s.finished_at.clone().or(s.checkpoint_at.clone()))
                .map_or("-".into(), |l| l.to_string()),
            s.failures,
            s.last_error.as_deref().unwrap_or("")
        );
    }
    out!("{} unit(s) in {}", states.len(), dest.describe());
    Ok(())
}
