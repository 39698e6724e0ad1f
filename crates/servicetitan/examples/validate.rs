//! Checks a ServiceTitan setup end to end, like servicepytan's validation script:
//! configuration → token → one API call.
//!
//! ```text
//! cargo run -p servicetitan --example validate --features jpm
//! ```
//!
//! Reads the `SERVICETITAN_*` variables (and `.env` in the working directory). Exits non-zero,
//! with the error, at the first step that fails. Rate-limit waits and retries (DEBUG events of
//! `servicetitan_core`) are shown on stderr; `RUST_LOG` overrides the filter.

use servicetitan::prelude::*;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,servicetitan_core=debug".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err((step, err)) => {
            eprintln!("✗ {step} failed:\n{err}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) async fn run() -> Result<(), (&'static str, Error)> {
    let client = Client::from_env().map_err(|e| ("configuration", e))?;
    println!(
        "✓ configuration resolved (tenant {}, {} environment, API {})",
        client.tenant_id(),
        client.config().environment(),
        client.config().api_url()
    );

    client
        .access_token()
        .await
        .map_err(|e| ("token request", e))?;
    println!(
        "✓ access token obtained from {}",
        client.config().auth_url()
    );

    let page = client
        .jpm()
        .jobs_get_list()
        .page_size(1)
        .send()
        .await
        .map_err(|e| ("jobs_get_list", Error::from(e)))?;
    let jobs = page.data.len();
    println!("✓ jpm jobs_get_list answered ({jobs} job(s) on a page of 1)");
    println!("All checks passed.");
    Ok(())
}
