//! The fleet benchmark (`servicetitan-bench fleet`, run by `bench/run`): aggregate
//! requests/s and 429s of 1, 2, 4 and 8 `fleet-worker` processes sharing one tenant's budget
//! through Redis, against a mock process enforcing 60/s; and the latency the Redis limiter adds
//! per call against the in-process one (one task, a budget never reached, the mock's limit off).

use std::process::Stdio;

use crate::mockproc::MockProcess;
use crate::BoxError;

/// Options of `servicetitan-bench fleet`.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// The `servicetitan-mock` binary.
    #[arg(long)]
    pub mock: String,
    /// The Redis to use (flushed between runs).
    #[arg(long)]
    pub redis: String,
    /// Seconds each fleet calls.
    #[arg(long, default_value_t = 15.0)]
    pub secs: f64,
    /// Tasks per process.
    #[arg(long, default_value_t = 4)]
    pub tasks: usize,
    /// Seconds of each latency run.
    #[arg(long, default_value_t = 5.0)]
    pub latency_secs: f64,
}

async fn workers(n: usize, url: &str, args: &[String]) -> Result<Vec<serde_json::Value>, BoxError> {
    let me = std::env::current_exe()?;
    let mut children = Vec::new();
    for _ in 0..n {
        children.push(
            tokio::process::Command::new(&me)
                .args(["fleet-worker", "--url", url])
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .kill_on_drop(true)
                .spawn()?,
        );
    }
    let mut out = Vec::new();
    for child in children {
        let output = child.wait_with_output().await?;
        if !output.status.success() {
            return Err("a fleet worker failed".into());
        }
        out.push(serde_json::from_slice(&output.stdout)?);
    }
    Ok(out)
}

fn flush(redis: &str) -> Result<(), BoxError> {
    let status = std::process::Command::new("redis-cli")
        .args(["-u", redis, "FLUSHDB"])
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        return Err("redis-cli FLUSHDB failed".into());
    }
    Ok(())
}

/// Runs everything and prints the two markdown tables.
pub async fn run(o: Options) -> Result<(), BoxError> {
    println!("| processes × tasks | aggregate req/s | 429s | token requests | errors |");
    println!("|---|---:|---:|---:|---:|");
    for n in [1usize, 2, 4, 8] {
        flush(&o.redis)?;
        let mock = MockProcess::start(&o.mock, &["--rate-limit".into(), "60".into()])?;
        let args: Vec<String> = vec![
            "--tasks".into(),
            o.tasks.to_string(),
            "--secs".into(),
            o.secs.to_string(),
            "--redis".into(),
            o.redis.clone(),
        ];
        let reports = workers(n, &mock.url, &args).await?;
        let counters = mock.counters().await?;
        let ok: u64 = reports
            .iter()
            .map(|r| {
                r["ok"]
                    .as_object()
                    .map_or(0, |m| m.values().filter_map(|v| v.as_u64()).sum())
            })
            .sum();
        let errors: u64 = reports.iter().filter_map(|r| r["errors"].as_u64()).sum();
        let start = reports
            .iter()
            .filter_map(|r| r["started_ms"].as_u64())
            .min()
            .unwrap_or(0);
        let end = reports
            .iter()
            .filter_map(|r| r["ended_ms"].as_u64())
            .max()
            .unwrap_or(0);
        let secs = (end.saturating_sub(start)) as f64 / 1e3;
        println!(
            "| {n} × {} | {:.1} | {} | {} | {errors} |",
            o.tasks,
            ok as f64 / secs.max(1e-3),
            counters["rate_limited"],
            counters["token_requests"],
        );
    }
    println!();
    println!("| limiter (1 task, sequential calls, budget never reached) | p50 ms | p99 ms |");
    println!("|---|---:|---:|");
    let mock = MockProcess::start(&o.mock, &["--rate-limit".into(), "0".into()])?;
    for (what, redis) in [("in-process", "none"), ("Redis", o.redis.as_str())] {
        flush(&o.redis)?;
        let args: Vec<String> = vec![
            "--tasks".into(),
            "1".into(),
            "--rate".into(),
            "1000000".into(),
            "--secs".into(),
            o.latency_secs.to_string(),
            "--redis".into(),
            redis.into(),
        ];
        let r = &workers(1, &mock.url, &args).await?[0];
        println!(
            "| {what} | {:.3} | {:.3} |",
            r["p50_ms"].as_f64().unwrap_or(0.0),
            r["p99_ms"].as_f64().unwrap_or(0.0)
        );
    }
    Ok(())
}
