//! `servicetitan-mock`: a local ServiceTitan on a loopback port.

use clap::Parser;
use servicetitan_mock::{Credentials, MockArgs, MockServer};

/// A local ServiceTitan built from the OpenAPI specs: every operation of the 25 modules with
/// seeded, schema-valid data, OAuth tokens, the API's rate limits and optional faults.
///
/// Auth and API share the printed base URL: point SERVICETITAN_AUTH_URL and SERVICETITAN_API_URL
/// at it. Counters: GET /_mock/counters; request log: GET /_mock/requests; POST /_mock/reset.
#[derive(Debug, Parser)]
#[command(name = "servicetitan-mock", version)]
struct Args {
    /// The mock's settings (the same flags as `st mock`).
    #[command(flatten)]
    mock: MockArgs,
    /// Tenant the credentials belong to (`st mock` takes st's global `--tenant`).
    #[arg(long, value_name = "ID", default_value_t = Credentials::default().tenant_id)]
    tenant: i64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let mut config = args.mock.config();
    config.credentials.tenant_id = args.tenant;
    let server = match MockServer::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{}: {e}", args.mock.port);
            return std::process::ExitCode::FAILURE;
        }
    };
    let c = server.credentials();
    println!("ServiceTitan mock listening on {}", server.url());
    println!("  SERVICETITAN_AUTH_URL={}", server.auth_url());
    println!("  SERVICETITAN_API_URL={}", server.api_url());
    println!("  SERVICETITAN_CLIENT_ID={}", c.client_id);
    println!("  SERVICETITAN_CLIENT_SECRET={}", c.client_secret);
    println!("  SERVICETITAN_APP_KEY={}", c.app_key);
    println!("  SERVICETITAN_TENANT_ID={}", c.tenant_id);
    println!("counters: {}/_mock/counters   (Ctrl-C stops)", server.url());
    // Runs until the process is interrupted; the default SIGINT/SIGTERM handling ends it
    // (no tokio `signal` feature, which would change tokio's feature set for the workspace).
    std::future::pending::<()>().await;
    std::process::ExitCode::SUCCESS
}
