//! `servicetitan-bench`: the benchmarks, side by side, against `servicetitan-mock`.
//!
//! `all` (what `bash bench/run` calls) starts mock processes, runs every scenario as a child
//! process of this binary (or of Python, or of the `export_jobs` example) so that each one's wall
//! time, CPU time and peak RSS are its own (`wait4`), reads the mock's counters, and prints the
//! table. The other subcommands are those children; each prints one JSON line.

mod clients;
mod decode;
mod fleet;
mod fleet_bench;
mod malformed;
mod measure;
mod mockproc;
mod orchestrate;
mod pull;
mod report;
mod small;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "servicetitan-bench",
    about = "Benchmarks against servicetitan-mock"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Everything, side by side; prints the results table (markdown) and writes JSON.
    All(orchestrate::Options),
    /// P1 child: pull every job with `mode` (`stream`, `concurrent`, `floor`).
    Pull {
        #[arg(long)]
        url: String,
        #[arg(long)]
        mode: pull::Mode,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        #[arg(long, default_value_t = 5000)]
        page_size: i32,
    },
    /// P2 child: `tasks` tasks calling for `secs` seconds through the SDK's limiter.
    Limiter {
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 8)]
        tasks: usize,
        #[arg(long, default_value_t = 30)]
        secs: u64,
    },
    /// The fleet benchmark: 1, 2, 4, 8 processes sharing one tenant through Redis.
    Fleet(fleet_bench::Options),
    /// Fleet child: one worker sharing the budget and token through Redis.
    FleetWorker(fleet::Worker),
    /// P4 child: `calls` concurrent first calls on a cold client.
    Cold {
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 100)]
        calls: usize,
    },
    /// P5 child: `n` sequential tiny calls (`sdk` or `raw` reqwest), latency percentiles.
    Overhead {
        #[arg(long)]
        url: String,
        #[arg(long)]
        via: small::Via,
        #[arg(long, default_value_t = 2000)]
        n: usize,
    },
    /// Decode a malformed page of `mib` MiB (`[0,0,0,…]`) as `send()` and a raw export do.
    Malformed {
        #[arg(long, default_value_t = 64)]
        mib: usize,
    },
    /// Decode a saved jobs page `reps` times (`generated`, `value`, `ignored`).
    Decode {
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        target: decode::Target,
        #[arg(long, default_value_t = 1)]
        reps: usize,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Command::All(options) => orchestrate::run(options),
        Command::Decode { file, target, reps } => decode::run(&file, target, reps),
        Command::Malformed { mib } => malformed::run(mib),
        // One thread: per-request cost without cross-thread wake-ups, and stable under valgrind.
        Command::Overhead { url, via, n } => {
            runtime(false).and_then(|rt| rt.block_on(small::overhead(&url, via, n)))
        }
        Command::Pull {
            url,
            mode,
            concurrency,
            page_size,
        } => block_on(pull::run(&url, mode, concurrency, page_size)),
        Command::Limiter { url, tasks, secs } => block_on(small::limiter(&url, tasks, secs)),
        Command::Cold { url, calls } => block_on(small::cold(&url, calls)),
        Command::Fleet(options) => block_on(fleet_bench::run(options)),
        Command::FleetWorker(worker) => {
            // WARNs (Redis lost, slow, back) on stderr: the tests read them.
            tracing_subscriber::fmt()
                .with_writer(std::io::stderr)
                .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
                .init();
            block_on(fleet::worker(worker))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("servicetitan-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Any error of a run.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn block_on(f: impl std::future::Future<Output = Result<(), BoxError>>) -> Result<(), BoxError> {
    runtime(true)?.block_on(f)
}

fn runtime(multi: bool) -> Result<tokio::runtime::Runtime, BoxError> {
    let mut b = if multi {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    Ok(b.enable_all().build()?)
}
