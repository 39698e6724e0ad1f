//! The `st` command tree and its dispatch.

use crate::setup::{self, Global};
use crate::{account, export, ops, report, Failure};
use clap::{Arg, ArgAction, ArgMatches, Command};

const ABOUT: &str = "The ServiceTitan API from the command line";

const LONG_ABOUT: &str = "The ServiceTitan API from the command line: every operation of every \
module, resumable exports, reports, profiles, and a local mock.

Credentials come from SERVICETITAN_* variables (and a .env file), a JSON config file \
(--config-file, sections chosen with --profile or SERVICETITAN_PROFILE), with the SDK's \
precedence, limits and retries. Add --mock to any command to try it against an in-process \
mock ServiceTitan, no credentials needed.";

const AFTER_HELP: &str = "Examples:
  st --mock jpm jobs-get-list --page-size 3      a typed call against the mock
  st config check --profile acme                 what the configuration resolved to
  st export jpm jobs --out jobs.jsonl --resume   every job, resumable
  st --mock sync                                 every entity into servicetitan.db (SQLite)
  st jpm --help                                  the operations of a module";

/// The whole command tree: tools first, then one command per API module.
pub fn command() -> Command {
    let tools = [
        Command::new("config")
            .about("Check the configuration: each value, its source, secrets masked")
            .subcommand_required(true)
            .subcommand(
                Command::new("check")
                    .about("Resolve the configuration and show each value with its source")
                    .arg(flag("json", "Print the report as JSON")),
            ),
        Command::new("auth")
            .about("Fetch an access token: success, expiry, granted scopes")
            .subcommand_required(true)
            .subcommand(
                Command::new("token")
                    .about("Fetch a token with the configured credentials")
                    .arg(flag("show", "Also print the token itself (keep it secret)")),
            ),
        export::command(),
        report::command(),
        crate::sync::command(),
        crate::mock::command(),
        crate::mcp::command(),
        Command::new("completions")
            .about("Print a shell completion script")
            .arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(clap::value_parser!(clap_complete::Shell))
                    .help("bash, zsh, fish, elvish or powershell"),
            ),
    ];
    let tools = tools
        .into_iter()
        .enumerate()
        .map(|(i, c)| c.display_order(i));
    let modules = ops::module_commands().map(|c| c.display_order(100));
    setup::args(
        Command::new("st")
            .version(env!("CARGO_PKG_VERSION"))
            .about(ABOUT)
            .long_about(LONG_ABOUT)
            .after_help(AFTER_HELP)
            .subcommand_required(true)
            .arg_required_else_help(true)
            .subcommands(tools)
            .subcommands(modules),
    )
}

fn flag(name: &'static str, help: &'static str) -> Arg {
    Arg::new(name)
        .long(name)
        .action(ArgAction::SetTrue)
        .help(help)
}

/// Runs the command the arguments name.
pub async fn run(matches: &ArgMatches) -> Result<(), Failure> {
    // SERVICETITAN_REDIS_URL (any source of the chain) shares the budget and token with other
    // processes: `st` carries the Redis connector.
    servicetitan_redis::install();
    let global = Global::from_matches(matches);
    let Some((name, sub)) = matches.subcommand() else {
        return Err("no command given; see st --help".into());
    };
    if name == "completions" {
        let shell = *sub
            .get_one::<clap_complete::Shell>("shell")
            .ok_or("a shell is required")?;
        clap_complete::generate(shell, &mut command(), "st", &mut std::io::stdout());
        return Ok(());
    }
    if name == "mock" {
        return crate::mock::serve(sub).await;
    }
    let mock = if global.mock {
        Some(crate::mock::start_in_process().await?)
    } else {
        None
    };
    let config = crate::mock::configure(global.config_builder(), mock.as_ref());
    let builder = servicetitan_core::Client::builder().config_builder(config.clone());
    let builder = global.runtime(builder);
    match (name, sub.subcommand()) {
        ("config", Some(("check", m))) => account::config_check(config, m.get_flag("json")),
        ("auth", Some(("token", m))) => {
            account::auth_token(&global, builder, m.get_flag("show")).await
        }
        ("export", Some((module, m))) => {
            let (entity, m) = m.subcommand().ok_or("an entity is required")?;
            export::run(&global.client(builder)?, module, entity, m).await
        }
        ("sync", _) => crate::sync::run(&global, builder, sub).await,
        ("report", Some((what, m))) => report::run(&global.client(builder)?, what, m).await,
        ("mcp", _) => crate::mcp::serve(global.client(builder)?, sub).await,
        (module, Some((operation, m))) => {
            let (module, op) = ops::find(module, operation)
                .ok_or_else(|| format!("unknown command {module} {operation}"))?;
            ops::run(&global.client(builder)?, module, op, m).await
        }
        (other, None) => {
            Err(format!("{other}: a subcommand is required; see st {other} --help").into())
        }
    }
}
