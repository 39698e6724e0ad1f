//! `st mock` (a local mock ServiceTitan on a port, until Ctrl-C) and the global `--mock` (any
//! command against an in-process mock): both from the `servicetitan-mock` crate.

use crate::Failure;
use clap::{Arg, ArgAction, ArgMatches, Command};
use servicetitan_core::config::ConfigBuilder;
use servicetitan_mock::{MockConfig, MockServer, ReportFlow};
use std::time::Duration;

/// `st mock [--port N] [--records N] [faults…]`.
pub fn command() -> Command {
    let number = |name: &'static str, default: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .value_name("N")
            .default_value(default)
            .help(help)
    };
    let command = Command::new("mock")
        .about("Serve a local mock ServiceTitan (every operation, seeded data, auth, limits, faults)")
        .long_about(
            "Serve a local mock ServiceTitan built from the specs: every operation with seeded, \
             schema-valid data, OAuth tokens, the API's limits and optional faults. Prints the \
             variables that point `st` (or any SDK program) at it; runs until Ctrl-C. \
             Any other command takes --mock to run against an in-process mock instead \
             (its knobs from SERVICETITAN_MOCK_* variables).",
        )
        .arg(number("port", "8787", "Port on 127.0.0.1 (0 picks a free one)").value_parser(clap::value_parser!(u16)))
        .arg(number("records", "250", "Records in every collection (lists and exports)").value_parser(clap::value_parser!(u64)))
        .arg(number("seed", "1", "Seed of the generated data (same seed, same records)").value_parser(clap::value_parser!(u64)))
        .arg(number("export-batch", "1000", "Records per export batch").value_parser(clap::value_parser!(u64)))
        .arg(number("rate-limit", "60", "Requests per second per tenant before 429 (0: unlimited)").value_parser(clap::value_parser!(u32)))
        .arg(number("report-limit", "5", "Report runs per minute per report before 429 (0: unlimited)").value_parser(clap::value_parser!(u32)))
        .arg(number("error-rate", "0", "Share of API requests answered with a 502/503 (0–1)").value_parser(clap::value_parser!(f64)))
        .arg(number("throttle-rate", "0", "Share of API requests answered with a spurious 429 (0–1)").value_parser(clap::value_parser!(f64)))
        .arg(number("latency-ms", "0", "Milliseconds added before every answer").value_parser(clap::value_parser!(u64)))
        .arg(number("token-lifetime", "900", "Lifetime of issued tokens in seconds").value_parser(clap::value_parser!(u64)))
        .arg(
            Arg::new("drift")
                .long("drift")
                .action(ArgAction::SetTrue)
                .help("Answer with the API's known drift (unknown fields, unlisted enum values, nulls, odd dates)"),
        );
    // The report-data knobs (query flow, polls, paging, casing) as the mock binary declares them.
    <ReportFlow as clap::Args>::augment_args(command)
}

fn config_from(m: &ArgMatches) -> MockConfig {
    let get = |name| m.get_one::<u64>(name).copied().unwrap_or_default();
    let limit = |name| m.get_one::<u32>(name).copied().filter(|n| *n > 0);
    let rate = |name| m.get_one::<f64>(name).copied().unwrap_or_default();
    MockConfig::default()
        .port(m.get_one::<u16>("port").copied().unwrap_or_default())
        .records(get("records"))
        .seed(get("seed"))
        .export_batch(get("export-batch"))
        .rate_limit(limit("rate-limit"))
        .report_limit(limit("report-limit"))
        .error_rate(rate("error-rate"))
        .throttle_rate(rate("throttle-rate"))
        .latency(Duration::from_millis(get("latency-ms")))
        .token_lifetime(Duration::from_secs(get("token-lifetime")))
        .drift(m.get_flag("drift"))
        .reports(<ReportFlow as clap::FromArgMatches>::from_arg_matches(m).unwrap_or_default())
}

/// Runs `st mock …` until Ctrl-C (or the process is ended).
pub async fn serve(m: &ArgMatches) -> Result<(), Failure> {
    let server = MockServer::start(config_from(m))
        .await
        .map_err(|e| format!("cannot start the mock: {e}"))?;
    let c = server.credentials();
    println!("mock ServiceTitan listening on {}", server.url());
    println!("# point st (or any SDK program) at it:");
    println!("export SERVICETITAN_AUTH_URL={}", server.auth_url());
    println!("export SERVICETITAN_API_URL={}", server.api_url());
    println!("export SERVICETITAN_CLIENT_ID={}", c.client_id);
    println!("export SERVICETITAN_CLIENT_SECRET={}", c.client_secret);
    println!("export SERVICETITAN_APP_KEY={}", c.app_key);
    println!("export SERVICETITAN_TENANT_ID={}", c.tenant_id);
    use std::io::Write;
    std::io::stdout().flush()?;
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// An in-process mock for `--mock`, its knobs from `SERVICETITAN_MOCK_*` (port ignored: any free).
pub async fn start_in_process() -> Result<MockServer, Failure> {
    let config = MockConfig::from_env()?.port(0);
    MockServer::start(config)
        .await
        .map_err(|e| format!("cannot start the in-process mock: {e}").into())
}

/// The configuration pointed at `mock` (its URLs and credentials win over file and
/// environment), or unchanged without one.
pub fn configure(config: ConfigBuilder, mock: Option<&MockServer>) -> ConfigBuilder {
    let Some(mock) = mock else { return config };
    let c = mock.credentials();
    config
        .auth_url(mock.auth_url())
        .api_url(mock.api_url())
        .client_id(c.client_id.clone())
        .client_secret(c.client_secret.clone())
        .app_key(c.app_key.clone())
        .tenant_id(c.tenant_id)
}
