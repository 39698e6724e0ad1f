//! The flow of the `export_jobs` example: an export stream into a JSON-lines file, resumable.
//! Shared with the test that runs it twice against a local server (`tests/streams.rs`).
//!
//! Files: `<out>` holds one record per line; `<out>.checkpoint` holds
//! `{"continueFrom": <token>, "bytes": <length of <out> once that token's batch was stored>}`.
//! Each batch's lines are written, flushed and synced before the checkpoint is replaced
//! (write to `<out>.checkpoint.tmp`, then rename). A new run truncates `<out>` to the recorded
//! length — dropping lines of a batch whose checkpoint was never saved (a crash in between) —
//! and resumes from the token, so every record ends up in the file exactly once.

use futures::{Stream, StreamExt};
use serde_json::value::RawValue;
use servicetitan::export::{ExportBatch, RawBatch};
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Any error of the flow (I/O, JSON, API).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A saved position: the token to resume from and the output length that goes with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The export's `continueFrom` token, sent back as `from`.
    pub continue_from: String,
    /// Length of the output file after the batch that produced the token.
    pub bytes: u64,
}

/// What one run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// The token the run started from (`None`: the beginning).
    pub resumed_from: Option<String>,
    /// Batches received.
    pub batches: u64,
    /// Records written.
    pub records: u64,
    /// The checkpoint saved last (or the one resumed from, if no batch brought a new one).
    pub checkpoint: Option<String>,
}

/// `<out>.checkpoint`.
pub fn checkpoint_path(out: &Path) -> PathBuf {
    let mut name = OsString::from(out.as_os_str());
    name.push(".checkpoint");
    PathBuf::from(name)
}

/// Reads `<out>.checkpoint`; `None` when there is none yet.
pub fn read_checkpoint(out: &Path) -> Result<Option<Checkpoint>, BoxError> {
    let text = match fs::read_to_string(checkpoint_path(out)) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let value: serde_json::Value = serde_json::from_str(&text)?;
    match (value["continueFrom"].as_str(), value["bytes"].as_u64()) {
        (Some(token), Some(bytes)) => Ok(Some(Checkpoint {
            continue_from: token.to_string(),
            bytes,
        })),
        _ => Err(format!(
            "{}: not a checkpoint: {text}",
            checkpoint_path(out).display()
        )
        .into()),
    }
}

fn write_checkpoint(out: &Path, checkpoint: &Checkpoint) -> Result<(), BoxError> {
    let path = checkpoint_path(out);
    let mut tmp_name = OsString::from(path.as_os_str());
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    let json =
        serde_json::json!({ "continueFrom": checkpoint.continue_from, "bytes": checkpoint.bytes });
    let mut file = File::create(&tmp)?;
    file.write_all(json.to_string().as_bytes())?;
    file.sync_all()?;
    fs::rename(&tmp, &path)?;
    Ok(())
}

/// Streams the export opened by `open(from)` into `out`, one `encode`d record per line, resuming
/// from `<out>.checkpoint` if present. Returns when the export is caught up (`hasMore: false`);
/// on an error, everything up to the last saved checkpoint is kept and the error returned.
pub async fn export_to_jsonl<T, S>(
    out: &Path,
    open: impl FnOnce(Option<String>) -> S,
    encode: impl Fn(&T) -> serde_json::Result<String>,
) -> Result<Summary, BoxError>
where
    S: Stream<Item = Result<ExportBatch<T>, servicetitan::Error>>,
{
    let saved = read_checkpoint(out)?;
    // Without a checkpoint nothing in the file is committed: the export starts from the beginning.
    let committed = saved.as_ref().map_or(0, |c| c.bytes);
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(out)?;
    file.set_len(committed)?;
    file.seek(SeekFrom::Start(committed))?;
    let mut writer = BufWriter::new(file);

    let resumed_from = saved.map(|c| c.continue_from);
    let mut summary = Summary {
        resumed_from: resumed_from.clone(),
        checkpoint: resumed_from.clone(),
        ..Summary::default()
    };
    let batches = open(resumed_from);
    let mut batches = std::pin::pin!(batches);
    while let Some(batch) = batches.next().await {
        let batch = batch?;
        summary.batches += 1;
        for record in &batch.items {
            writer.write_all(encode(record)?.as_bytes())?;
            writer.write_all(b"\n")?;
        }
        writer.flush()?;
        writer.get_ref().sync_data()?;
        summary.records += batch.items.len() as u64;
        // A batch without a token leaves the previous checkpoint standing; its lines are not
        // committed and a later run truncates and fetches them again.
        if let Some(token) = batch.checkpoint {
            let bytes = writer.get_mut().stream_position()?;
            write_checkpoint(
                out,
                &Checkpoint {
                    continue_from: token.clone(),
                    bytes,
                },
            )?;
            summary.checkpoint = Some(token);
        }
    }
    Ok(summary)
}

/// The `export_jobs` flow: jpm's jobs export (`Export_Jobs`) into `out`, every record written
/// exactly as the API sent it — fields this SDK does not know, key order and number spelling
/// included — through the same pipeline (token, limits, retries) as generated calls.
pub async fn export_jobs(client: &servicetitan::Client, out: &Path) -> Result<Summary, BoxError> {
    let op = servicetitan::jpm::operation_meta("Export_Jobs");
    export_to_jsonl(
        out,
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
        |record: &Box<_>| Ok(RawValue::get(record).to_string()),
    )
    .await
}
