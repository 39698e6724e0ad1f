//! `st mock` (a local mock ServiceTitan on a port, until Ctrl-C) and the global `--mock` (any
//! command against an in-process mock): both from the `servicetitan-mock` crate.

use crate::Failure;
use clap::{ArgMatches, Command};
use servicetitan_core::config::ConfigBuilder;
use servicetitan_mock::{MockArgs, MockConfig, MockServer};

/// `st mock [--port N] [--records N] [faults…]`: the mock's own flags ([`MockArgs`]), so `st
/// mock` and the `servicetitan-mock` binary take the same settings with the same defaults.
pub fn command() -> Command {
    // The about text after the flags: `augment_args` would put the struct's own doc in its place.
    <MockArgs as clap::Args>::augment_args(Command::new("mock"))
        .about(
            "Serve a local mock ServiceTitan (every operation, seeded data, auth, limits, faults)",
        )
        .long_about(
            "Serve a local mock ServiceTitan built from the specs: every operation with seeded, \
             schema-valid data, OAuth tokens, the API's limits and optional faults. Prints the \
             variables that point `st` (or any SDK program) at it; runs until Ctrl-C. \
             Any other command takes --mock to run against an in-process mock instead \
             (its knobs from the same SERVICETITAN_MOCK_* variables).",
        )
}

/// Runs `st mock …` until Ctrl-C (or the process is ended).
pub async fn serve(m: &ArgMatches) -> Result<(), Failure> {
    let args =
        <MockArgs as clap::FromArgMatches>::from_arg_matches(m).map_err(|e| e.to_string())?;
    let mut config = args.config();
    // st's global `--tenant` (the first one given) names the tenant the mock's credentials belong to.
    if let Some(tenant) = m.get_one::<i64>("tenant") {
        config.credentials.tenant_id = *tenant;
    }
    let server = MockServer::start(config)
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
