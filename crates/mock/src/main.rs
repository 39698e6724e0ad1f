//! `servicetitan-mock`: a local ServiceTitan on a loopback port.

use clap::Parser;
use servicetitan_mock::{Credentials, Faults, MockConfig, MockServer, ReportFlow};
use std::time::Duration;

/// A local ServiceTitan built from the OpenAPI specs: every operation of the 25 modules with
/// seeded, schema-valid data, OAuth tokens, the API's rate limits and optional faults.
///
/// Auth and API share the printed base URL: point SERVICETITAN_AUTH_URL and SERVICETITAN_API_URL
/// at it. Counters: GET /_mock/counters; request log: GET /_mock/requests; POST /_mock/reset.
#[derive(Debug, Parser)]
#[command(name = "servicetitan-mock", version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, env = "SERVICETITAN_MOCK_PORT", default_value_t = 8787)]
    port: u16,
    /// Seed of the generated data (same seed, same records).
    #[arg(long, env = "SERVICETITAN_MOCK_SEED", default_value_t = 1)]
    seed: u64,
    /// Records in every collection (lists and exports).
    #[arg(long, env = "SERVICETITAN_MOCK_RECORDS", default_value_t = 250)]
    records: u64,
    /// Requests per second per tenant before 429 (0: unlimited).
    #[arg(long, env = "SERVICETITAN_MOCK_RATE_LIMIT", default_value_t = 60)]
    rate_limit: u32,
    /// Report-data requests per minute per report before 429 (0: unlimited).
    #[arg(long, env = "SERVICETITAN_MOCK_REPORT_LIMIT", default_value_t = 5)]
    report_limit: u32,
    /// Share of API requests answered with a 502/503 (0–1).
    #[arg(long, env = "SERVICETITAN_MOCK_ERROR_RATE", default_value_t = 0.0)]
    error_rate: f64,
    /// Share of API requests answered with a spurious 429 (0–1).
    #[arg(long, env = "SERVICETITAN_MOCK_THROTTLE_RATE", default_value_t = 0.0)]
    throttle_rate: f64,
    /// Milliseconds added before every answer.
    #[arg(long, env = "SERVICETITAN_MOCK_LATENCY_MS", default_value_t = 0)]
    latency_ms: u64,
    /// Lifetime of issued tokens in seconds (the API's is 900).
    #[arg(
        long,
        env = "SERVICETITAN_MOCK_TOKEN_LIFETIME_S",
        default_value_t = 900
    )]
    token_lifetime: u64,
    /// Write the API's known drift: unknown fields, unlisted enum values, nulls in required
    /// fields, dates without offset or with 7 fraction digits.
    #[arg(long, env = "SERVICETITAN_MOCK_DRIFT")]
    drift: bool,
    /// Records per export batch.
    #[arg(long, default_value_t = 1000)]
    export_batch: u64,
    /// Tenant the credentials belong to.
    #[arg(long, default_value_t = Credentials::default().tenant_id)]
    tenant: i64,
    /// How report data is served (the live API's query flow).
    #[command(flatten)]
    reports: ReportFlow,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let limit = |n: u32| (n > 0).then_some(n);
    let config = MockConfig {
        port: args.port,
        seed: args.seed,
        records: args.records,
        credentials: Credentials {
            tenant_id: args.tenant,
            ..Credentials::default()
        },
        export_batch: args.export_batch,
        reports: args.reports,
        faults: Faults {
            rate_limit: limit(args.rate_limit),
            report_limit: limit(args.report_limit),
            error_rate: args.error_rate,
            throttle_rate: args.throttle_rate,
            latency: Duration::from_millis(args.latency_ms),
            token_lifetime: Duration::from_secs(args.token_lifetime),
            drift: args.drift,
        },
        ..MockConfig::default()
    };
    let server = match MockServer::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{}: {e}", args.port);
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
