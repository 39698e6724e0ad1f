//! An export into a file, resumable and verified: the logic of `st export` and of the
//! `export_jobs` example, kept in one place.
//!
//! Records are written as the API sent them (JSON lines), or through another [`Encoder`] (the
//! CLI's CSV). After each batch the new lines are flushed and synced, and only then is the
//! checkpoint beside the output replaced ([`checkpoint`]). A new run in [`Mode::Resume`]
//! verifies the output against the checkpoint before trusting it, truncates the output to the
//! committed length — dropping a batch whose checkpoint was never saved, and any torn last line
//! of a killed run — and resumes from the token. So a run killed at any instant (SIGKILL
//! included) and resumed writes every record exactly once.
//!
//! ```no_run
//! # async fn demo(client: &servicetitan_core::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use servicetitan_core::export::{self, file, RawBatch};
//! let summary = file::export_to_file(
//!     "jobs.jsonl".as_ref(),
//!     file::Mode::Resume,
//!     &mut file::JsonLines,
//!     |from| export::batches("ExportJobs", from, move |from: Option<String>| async move {
//!         let query: Vec<(&str, &str)> = from.as_deref().map(|t| ("from", t)).into_iter().collect();
//!         client.get_json::<RawBatch>("jpm/v2", "/tenant/{tenant}/export/jobs", &query).await
//!     }),
//!     |_progress| {},
//! )
//! .await?;
//! println!("{} records, checkpoint {:?}", summary.records, summary.checkpoint);
//! # Ok(()) }
//! ```

pub mod checkpoint;
mod failures;

pub use checkpoint::{checkpoint_path, read_checkpoint, Checkpoint};
pub use failures::failures_path;
use failures::FailureLog;

use super::ExportBatch;
use futures::{Stream, StreamExt};
use serde_json::value::RawValue;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// What went wrong with the files of an export (the API's errors are [`crate::Error`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// A file could not be opened, read or written.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was attempted (`cannot open for writing`).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: io::Error,
    },
    /// The checkpoint file is not a checkpoint.
    #[error("{} is not an export checkpoint ({detail}); delete it and {} to export from the beginning", checkpoint.display(), output.display())]
    NotACheckpoint {
        /// The checkpoint file.
        checkpoint: PathBuf,
        /// The output it sits beside.
        output: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// The output does not match its checkpoint.
    #[error("{} does not match its checkpoint {}: {problem}; restore the output, or delete both files to export from the beginning (or write to another --out)", output.display(), checkpoint.display())]
    Mismatch {
        /// The output file.
        output: PathBuf,
        /// The checkpoint file.
        checkpoint: PathBuf,
        /// What does not match.
        problem: String,
    },
    /// A checkpoint exists but the run was not asked to resume.
    #[error("{} exists from an earlier export into {}: resume it (`--resume`), or delete both files to start over", checkpoint.display(), output.display())]
    NotResuming {
        /// The checkpoint file.
        checkpoint: PathBuf,
        /// The output file.
        output: PathBuf,
    },
    /// The output exists without a checkpoint: it is not this export's, so it is not touched.
    #[error("{} already exists and has no checkpoint beside it ({}); it is left alone: choose another output, or delete it", output.display(), checkpoint.display())]
    OutputExists {
        /// The output file.
        output: PathBuf,
        /// Where its checkpoint would be.
        checkpoint: PathBuf,
    },
    /// A record could not be encoded.
    #[error("record {index} of the batch cannot be written: {message}")]
    Encode {
        /// Index within its batch.
        index: usize,
        /// The encoder's message.
        message: String,
    },
    /// The API failed; everything up to the last checkpoint is kept. (Boxed: the SDK's
    /// error is large, and this type travels through every file operation.)
    #[error(transparent)]
    Api(Box<crate::Error>),
}

impl From<crate::Error> for FileError {
    fn from(err: crate::Error) -> Self {
        FileError::Api(Box::new(err))
    }
}

impl FileError {
    /// Whether running the same export again may get further: `true` for a failure of the API
    /// or the network (the next run resumes from the last checkpoint), `false` when the next run
    /// would meet the same refusal (files that do not match, a server repeating its token, a
    /// record the format cannot hold) until someone changes something.
    pub fn rerun_may_help(&self) -> bool {
        match self {
            FileError::Api(err) => !matches!(
                **err,
                crate::Error::ExportStalled { .. }
                    | crate::Error::Config(_)
                    | crate::Error::InvalidSetting { .. }
            ),
            FileError::Io { .. } => true,
            _ => false,
        }
    }

    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        FileError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Whether a run may continue an earlier one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Start a new export: refuse if a checkpoint or a non-empty output already exists.
    Fresh,
    /// Continue from the checkpoint if there is one (verified first), else start.
    Resume,
}

/// Turns records into bytes of the output.
pub trait Encoder {
    /// The format's name, recorded in the checkpoint (a resume in another format is refused).
    fn format(&self) -> &str;
    /// Written once at the start of a new output (a CSV header), with the first batch and
    /// committed with it; empty by default.
    fn header(&mut self) -> Result<Vec<u8>, String> {
        Ok(Vec::new())
    }
    /// Appends one record, ending with a newline, to `out`. An `Err` sends the record (with its
    /// raw JSON and the message) to the failures file instead; the export goes on.
    fn encode(&mut self, record: &RawValue, out: &mut Vec<u8>) -> Result<(), String>;
}

/// One record per line, exactly as received (unknown fields, key order, number spelling kept).
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonLines;

impl Encoder for JsonLines {
    fn format(&self) -> &str {
        "jsonl"
    }
    fn encode(&mut self, record: &RawValue, out: &mut Vec<u8>) -> Result<(), String> {
        out.extend_from_slice(record.get().as_bytes());
        out.push(b'\n');
        Ok(())
    }
}

/// What a run did (also handed to the progress callback after each batch).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// The token the run started from (`None`: the beginning, or the `since` date).
    pub resumed_from: Option<String>,
    /// Batches received in this run.
    pub batches: u64,
    /// Records written in this run.
    pub records: u64,
    /// Records in the output in all (this run's and the earlier runs' committed ones).
    pub total_records: u64,
    /// The checkpoint saved last (or the one resumed from, if no batch brought a new one).
    pub checkpoint: Option<String>,
    /// Records of this run that went to `<out>.failures.jsonl` instead of the output (see
    /// [`failures_path`]).
    pub failures: u64,
}

/// Opens `out` for this run: verified against its checkpoint and truncated to the committed
/// length, or new. Returns the writer positioned at the end and the checkpoint resumed from.
fn open_output(
    out: &Path,
    mode: Mode,
    encoder: &mut dyn Encoder,
) -> Result<(BufWriter<File>, Option<Checkpoint>), FileError> {
    let saved = read_checkpoint(out)?;
    let (file, committed) = match &saved {
        Some(_) if mode == Mode::Fresh => {
            return Err(FileError::NotResuming {
                checkpoint: checkpoint_path(out),
                output: out.to_path_buf(),
            })
        }
        Some(c) => (checkpoint::verify(out, c, encoder.format())?, c.bytes),
        None => {
            if std::fs::metadata(out).is_ok_and(|m| m.len() > 0) {
                return Err(FileError::OutputExists {
                    output: out.to_path_buf(),
                    checkpoint: checkpoint_path(out),
                });
            }
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .read(true)
                .write(true)
                .open(out)
                .map_err(|e| FileError::io("cannot open for writing", out, e))?;
            (file, 0)
        }
    };
    let mut file = file;
    let prepare = |file: &mut File| -> io::Result<()> {
        file.set_len(committed)?;
        file.seek(SeekFrom::Start(committed)).map(drop)
    };
    prepare(&mut file).map_err(|e| FileError::io("cannot truncate", out, e))?;
    Ok((BufWriter::new(file), saved))
}

/// Streams the export opened by `open(from)` into `out`. `from` is the checkpoint's token when
/// resuming, else `since` (a date the API accepts as `from`, or `None` for the beginning) —
/// pass it through `open`'s closure. Returns when the export is caught up (`hasMore: false`);
/// on an error everything up to the last saved checkpoint is kept and the error returned.
pub async fn export_to_file<S>(
    out: &Path,
    mode: Mode,
    encoder: &mut dyn Encoder,
    open: impl FnOnce(Option<String>) -> S,
    mut progress: impl FnMut(&Summary),
) -> Result<Summary, FileError>
where
    S: Stream<Item = Result<ExportBatch<Box<RawValue>>, crate::Error>>,
{
    let (mut writer, saved) = open_output(out, mode, encoder)?;
    let result = export_batches(out, &mut writer, saved, encoder, open, &mut progress).await;
    if result.is_err() && read_checkpoint(out).ok().flatten().is_none() {
        // Nothing of this export was ever committed: what it wrote (a first batch without a
        // token, a header) is dropped, so that the next run is not refused for an output that is
        // not its own. (With a checkpoint, the next run truncates to the committed length.)
        let _ = writer.get_mut().set_len(0);
    }
    result
}

async fn export_batches<S>(
    out: &Path,
    writer: &mut BufWriter<File>,
    saved: Option<Checkpoint>,
    encoder: &mut dyn Encoder,
    open: impl FnOnce(Option<String>) -> S,
    progress: &mut impl FnMut(&Summary),
) -> Result<Summary, FileError>
where
    S: Stream<Item = Result<ExportBatch<Box<RawValue>>, crate::Error>>,
{
    let mut failures = FailureLog::open(out, saved.as_ref().map_or(0, |c| c.failures_bytes))?;
    // The header (CSV) goes out with the first batch and is committed with it.
    let mut header = match &saved {
        Some(c) if c.bytes > 0 => Vec::new(),
        _ => encoder
            .header()
            .map_err(|message| FileError::Encode { index: 0, message })?,
    };
    let write_err = |e| FileError::io("cannot write", out, e);
    let resumed_from = saved.as_ref().map(|c| c.continue_from.clone());
    let mut summary = Summary {
        resumed_from: resumed_from.clone(),
        checkpoint: resumed_from.clone(),
        total_records: saved.as_ref().map_or(0, |c| c.records),
        ..Summary::default()
    };
    let batches = open(resumed_from);
    let mut batches = std::pin::pin!(batches);
    let mut buf = Vec::new();
    let mut failed = Vec::new();
    while let Some(batch) = batches.next().await {
        let batch = batch?;
        summary.batches += 1;
        buf.clear();
        buf.append(&mut header);
        failed.clear();
        let mut failures_now = 0;
        for (index, record) in batch.items.iter().enumerate() {
            let before = buf.len();
            if let Err(message) = encoder.encode(record, &mut buf) {
                // Not writable in this format (a CSV row from a non-object): kept, with its
                // raw JSON, in the failures file instead of stopping every run at this batch.
                buf.truncate(before);
                FailureLog::line(&mut failed, summary.batches, index, &message, record);
                failures_now += 1;
            }
        }
        for failure in &batch.failures {
            FailureLog::line(
                &mut failed,
                summary.batches,
                failure.index,
                &failure.to_string(),
                failure.raw(),
            );
            failures_now += 1;
        }
        writer.write_all(&buf).map_err(write_err)?;
        writer.flush().map_err(write_err)?;
        writer.get_ref().sync_data().map_err(write_err)?;
        failures.append(&failed, failures_now)?;
        let written = batch.items.len() as u64 + batch.failures.len() as u64 - failures_now;
        summary.records += written;
        summary.total_records += written;
        summary.failures += failures_now;
        // A batch without a token leaves the previous checkpoint standing; its lines are not
        // committed and a later run truncates and fetches them again.
        if let Some(token) = batch.checkpoint {
            commit(
                out,
                writer.get_mut(),
                &token,
                &summary,
                encoder.format(),
                failures.len,
            )?;
            summary.checkpoint = Some(token);
        }
        progress(&summary);
    }
    Ok(summary)
}

fn commit(
    out: &Path,
    file: &mut File,
    token: &str,
    summary: &Summary,
    format: &str,
    failures_bytes: u64,
) -> Result<(), FileError> {
    let read_err = |e| FileError::io("cannot read back", out, e);
    let bytes = file.stream_position().map_err(read_err)?;
    let (head, tail) = checkpoint::hashes(file, bytes).map_err(read_err)?;
    file.seek(SeekFrom::Start(bytes)).map_err(read_err)?;
    checkpoint::write_checkpoint(
        out,
        &Checkpoint {
            continue_from: token.to_string(),
            bytes,
            records: summary.total_records,
            format: Some(format.to_string()),
            head_sha256: Some(head),
            tail_sha256: Some(tail),
            failures_bytes,
        },
    )
}
