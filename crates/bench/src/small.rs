//! Small-call scenarios: P2 (limiter under 8 tasks), P4 (cold client, 100 first calls at once),
//! P5 (per-request overhead against raw reqwest).

use crate::clients::{self, Raw};
use crate::BoxError;
use servicetitan::jpm::types::JobResponsePage;
use servicetitan::prelude::*;
use std::time::{Duration, Instant};

/// Milliseconds at a percentile (nearest rank) of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1e3
}

/// P2: `tasks` tasks each calling one tiny list in a loop for `secs` seconds through the SDK's
/// default limiter (60/s). Prints requests, errors, achieved rate and the call time percentiles
/// (on loopback a call's time is its wait for a limiter slot plus ~1 ms).
pub async fn limiter(url: &str, tasks: usize, secs: u64) -> Result<(), BoxError> {
    let client = clients::sdk(url, Some(60))?;
    // The token first, so the measured window holds only calls.
    client.access_token().await?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let client = client.clone();
        handles.push(tokio::spawn(async move {
            let mut waits = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let t0 = Instant::now();
                let sent = client.jpm().jobs_get_list().page_size(1).send().await;
                waits.push(t0.elapsed());
                errors += u64::from(sent.is_err());
            }
            (waits, errors)
        }));
    }
    let mut waits = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (w, e) = h.await?;
        waits.extend(w);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    waits.sort();
    println!(
        "{}",
        serde_json::json!({
            "requests": waits.len(), "errors": errors, "secs": elapsed,
            "rps": waits.len() as f64 / elapsed,
            "p50_ms": percentile(&waits, 50.0), "p99_ms": percentile(&waits, 99.0),
            "max_ms": waits.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        })
    );
    Ok(())
}

/// P4: `calls` concurrent first calls on a client that has no token yet.
pub async fn cold(url: &str, calls: usize) -> Result<(), BoxError> {
    let client = clients::sdk(url, Some(60))?;
    let api = client.jpm();
    let results =
        futures::future::join_all((0..calls).map(|_| api.jobs_get_list().page_size(1).send()))
            .await;
    let ok = results.iter().filter(|r| r.is_ok()).count();
    println!("{}", serde_json::json!({"calls": calls, "ok": ok}));
    Ok(())
}

/// P5: which client makes the tiny calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Via {
    /// The SDK's typed call (limiter off, everything else as shipped).
    Sdk,
    /// reqwest with the two headers, decoding into the same type (`serde_json::from_slice`).
    Raw,
    /// The same, decoding with the SDK's `servicetitan::decode::from_bytes`: what is left of
    /// the difference is the SDK's per-request machinery.
    RawSdkDecode,
}

/// P5: `n` sequential tiny calls (a one-job page) after 20 warm-up calls; prints percentiles.
pub async fn overhead(url: &str, via: Via, n: usize) -> Result<(), BoxError> {
    let mut times = Vec::with_capacity(n);
    match via {
        Via::Sdk => {
            let client = clients::sdk(url, None)?;
            let api = client.jpm();
            for i in 0..n + 20 {
                let t0 = Instant::now();
                let page = api.jobs_get_list().page_size(1).send().await?;
                std::hint::black_box(page);
                if i >= 20 {
                    times.push(t0.elapsed());
                }
            }
        }
        Via::Raw | Via::RawSdkDecode => {
            let raw = Raw::connect(url).await?;
            for i in 0..n + 20 {
                let t0 = Instant::now();
                let body = raw.jobs_page(1, 1).await?;
                let page: JobResponsePage = if via == Via::Raw {
                    serde_json::from_slice(&body)?
                } else {
                    servicetitan::decode::from_bytes(&body)?
                };
                std::hint::black_box(page);
                if i >= 20 {
                    times.push(t0.elapsed());
                }
            }
        }
    }
    times.sort();
    println!(
        "{}",
        serde_json::json!({"n": n, "p50_ms": percentile(&times, 50.0), "p99_ms": percentile(&times, 99.0)})
    );
    Ok(())
}
