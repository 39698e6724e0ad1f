//! Reads every appointment (jpm `appointments`) through the paged-list stream and counts them.
//!
//! ```text
//! cargo run -p servicetitan --example list_appointments --features jpm
//! ```
//!
//! Configured from the `SERVICETITAN_*` variables (and `.env`), like `validate`. Pages are
//! requested one at a time, as the stream is read.

use futures::TryStreamExt;
use servicetitan::prelude::*;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(count) => {
            println!("read {count} appointment(s)");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("listing appointments failed:\n{e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<u64, Error> {
    let client = Client::from_env()?;
    let jpm = client.jpm();
    let appointments = jpm.appointments_get_list().page_size(500).stream();
    appointments
        .try_fold(0u64, |count, _| async move { Ok(count + 1) })
        .await
}
