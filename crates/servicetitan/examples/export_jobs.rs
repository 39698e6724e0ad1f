//! Exports every job (jpm `export/jobs`) into a JSON-lines file, resumably.
//!
//! ```text
//! cargo run -p servicetitan --example export_jobs --features jpm -- jobs.jsonl
//! ```
//!
//! Configured from the `SERVICETITAN_*` variables (and `.env`), like `validate`. One job per line,
//! exactly as the API sent it (unknown fields and key order kept). The checkpoint is kept in
//! `jobs.jsonl.checkpoint`, saved only after the batch's lines are flushed; running the example
//! again resumes where it stopped — after an error, a crash, or later to pick up new changes —
//! and writes nothing twice.

#[path = "support/jsonl_export.rs"]
mod jsonl_export;

use servicetitan::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: export_jobs <out.jsonl>");
        return ExitCode::from(2);
    };
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("configuration failed:\n{e}");
            return ExitCode::FAILURE;
        }
    };
    let result = jsonl_export::export_jobs(&client, &out).await;
    match result {
        Ok(summary) => {
            println!(
                "{} job(s) in {} batch(es) appended to {} (started from {}); caught up, checkpoint {}",
                summary.records,
                summary.batches,
                out.display(),
                summary.resumed_from.as_deref().unwrap_or("the beginning"),
                summary.checkpoint.as_deref().unwrap_or("none"),
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            // Only advise a rerun when a rerun can get further.
            let rerun = e
                .downcast_ref::<servicetitan::export::file::FileError>()
                .is_none_or(|e| e.rerun_may_help());
            let advice = if rerun {
                "run again to resume from the last checkpoint"
            } else {
                "running again will stop the same way: fix what the message names first"
            };
            eprintln!("export stopped: {e}\n({advice})");
            ExitCode::FAILURE
        }
    }
}
