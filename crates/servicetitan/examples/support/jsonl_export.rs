//! The flow of the `export_jobs` example: jpm's jobs export into a JSON-lines file, resumable.
//! Shared with the tests that run it against a local server (`tests/streams.rs`,
//! `tests/export_file.rs`).
//!
//! The file handling is the SDK's [`servicetitan::export::file`] — the same code as `st export`:
//! `<out>` holds one record per line; `<out>.checkpoint` the token to resume from, the committed
//! length and hashes of that committed part. Each batch's lines are synced before the checkpoint
//! is replaced; a new run verifies the output against the checkpoint before trusting it (a
//! missing, shorter or foreign output is refused with both files named), truncates to the
//! committed length — dropping lines of a batch whose checkpoint was never saved — and resumes
//! from the token, so every record ends up in the file exactly once.

use servicetitan::export::file::{self, JsonLines, Mode};
use servicetitan::export::RawBatch;
use std::path::Path;

#[allow(unused_imports)] // the tests that share this file use them; the example does not
pub use servicetitan::export::file::{checkpoint_path, Checkpoint, Summary};

/// Any error of the flow (files, API).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Reads `<out>.checkpoint`; `None` when there is none yet.
#[allow(dead_code)] // used by the tests that share this file
pub fn read_checkpoint(out: &Path) -> Result<Option<Checkpoint>, BoxError> {
    Ok(file::read_checkpoint(out)?)
}

/// The `export_jobs` flow: jpm's jobs export (`Export_Jobs`) into `out`, every record written
/// exactly as the API sent it — fields this SDK does not know, key order and number spelling
/// included — through the same pipeline (token, limits, retries) as generated calls.
pub async fn export_jobs(client: &servicetitan::Client, out: &Path) -> Result<Summary, BoxError> {
    let op = servicetitan::jpm::operation_meta("Export_Jobs");
    let summary = file::export_to_file(
        out,
        Mode::Resume,
        &mut JsonLines,
        |from| {
            servicetitan::export::batches(
                op.operation_id,
                from,
                move |from: Option<String>| async move {
                    let query: Vec<(&str, &str)> =
                        from.as_deref().map(|t| ("from", t)).into_iter().collect();
                    client
                        .get_json::<RawBatch>(servicetitan::jpm::BASE_PATH, op.path, &query)
                        .await
                },
            )
        },
        |_| {},
    )
    .await?;
    Ok(summary)
}
