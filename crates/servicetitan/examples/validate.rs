//! Checks a ServiceTitan setup end to end, like servicepytan's validation script:
//! configuration → token → one API call → a paged stream.
//!
//! ```text
//! cargo run -p servicetitan --example validate --features jpm
//! cargo run -p servicetitan --example validate --features jpm,mock -- --mock
//! ```
//!
//! Reads the `SERVICETITAN_*` variables (and `.env` in the working directory). Exits non-zero,
//! with the error, at the first step that fails. Rate-limit waits and retries (DEBUG events of
//! `servicetitan_core`) are shown on stderr; `RUST_LOG` overrides the filter.
//!
//! With `--mock` (or `SERVICETITAN_API_ENVIRONMENT=mock`) it runs against the local mock
//! ServiceTitan started in process, and says so. Missing credentials never fall back to the
//! mock: without one of those two, the configuration step fails and names what is missing.

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

/// The mock was asked for explicitly: `--mock`, or `SERVICETITAN_API_ENVIRONMENT=mock`.
fn mock_requested() -> bool {
    std::env::args().skip(1).any(|a| a == "--mock")
        || std::env::var("SERVICETITAN_API_ENVIRONMENT")
            .is_ok_and(|v| v.trim().eq_ignore_ascii_case("mock"))
}

#[cfg(feature = "mock")]
type Keep = Option<servicetitan::mock::MockServer>;
#[cfg(not(feature = "mock"))]
type Keep = Option<()>;

/// The step that failed, and why (an SDK error, or the local mock that could not start).
type Failed = (&'static str, Box<dyn std::error::Error>);

/// The client, and the mock server it talks to (kept alive) when the mock was asked for.
async fn client() -> Result<(Client, Keep), Failed> {
    if !mock_requested() {
        return Ok((
            Client::from_env().map_err(|e| ("configuration", e.into()))?,
            None,
        ));
    }
    #[cfg(feature = "mock")]
    {
        let mock = servicetitan::mock::start()
            .await
            .map_err(|e| ("starting the mock", e.into()))?;
        println!(
            "ℹ using the local MOCK ServiceTitan at {} — generated data, not your tenant; drop --mock (and SERVICETITAN_API_ENVIRONMENT=mock) to check real credentials",
            mock.server.url()
        );
        Ok((mock.client, Some(mock.server)))
    }
    #[cfg(not(feature = "mock"))]
    Err((
        "configuration",
        Error::InvalidArgument {
            name: "--mock".into(),
            reason: "the mock was asked for, but this build has no `mock` feature; run\n    cargo run -p servicetitan --example validate --features jpm,mock -- --mock".into(),
        }
        .into(),
    ))
}

pub(crate) async fn run() -> Result<(), Failed> {
    let (client, _server) = client().await?;
    println!(
        "✓ configuration resolved (tenant {}, {} environment, API {})",
        client.tenant_id(),
        client.config().environment(),
        client.config().api_url()
    );

    client
        .access_token()
        .await
        .map_err(|e| ("token request", e.into()))?;
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
        .map_err(|e| ("jobs_get_list", e.into()))?;
    let jobs = page.data.len();
    println!("✓ jpm jobs_get_list answered ({jobs} job(s) on a page of 1)");

    // At most three pages of 50, so a large tenant is not read whole.
    let streamed = client
        .jpm()
        .jobs_get_list()
        .page_size(50)
        .stream()
        .take(150)
        .try_fold(0u64, |n, _| async move { Ok(n + 1) })
        .await
        .map_err(|e| ("paged stream of jobs", e.into()))?;
    println!("✓ paged stream read {streamed} job(s) in pages of 50");
    println!("All checks passed.");
    Ok(())
}
