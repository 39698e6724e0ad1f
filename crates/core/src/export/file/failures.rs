//! `<out>.failures.jsonl`: the records of an export that could not go into the output — a record
//! the encoder cannot write (a CSV row from something that is not a JSON object) or one that could
//! not be decoded — one JSON line each, `{"batch", "index", "error", "record"}`, `record` being
//! the raw JSON exactly as the API sent it. Written and synced before the batch's checkpoint,
//! whose `failuresBytes` records its committed length; a resume truncates it to that length, so
//! each failure is in it exactly once, like the records in the output.

use super::FileError;
use serde_json::value::RawValue;
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// `<out>.failures.jsonl`.
pub fn failures_path(out: &Path) -> PathBuf {
    let mut name = OsString::from(out.as_os_str());
    name.push(".failures.jsonl");
    PathBuf::from(name)
}

/// The failures file of one run, opened only once a failure is written.
pub(super) struct FailureLog {
    path: PathBuf,
    file: Option<File>,
    /// Committed length (what the checkpoint records).
    pub(super) len: u64,
    /// Failures written by this run.
    pub(super) written: u64,
}

impl FailureLog {
    /// Checks the failures file against the committed length and truncates what was not
    /// committed (a batch whose checkpoint was never saved).
    pub(super) fn open(out: &Path, committed: u64) -> Result<Self, FileError> {
        let path = failures_path(out);
        let mut log = FailureLog {
            path,
            file: None,
            len: committed,
            written: 0,
        };
        let existing = std::fs::metadata(&log.path).map(|m| m.len()).ok();
        match existing {
            None if committed > 0 => Err(FileError::Mismatch {
                output: log.path.clone(),
                checkpoint: super::checkpoint_path(out),
                problem: format!(
                    "the failures file does not exist, but the checkpoint records {committed} byte(s) of it"
                ),
            }),
            Some(len) if len < committed => Err(FileError::Mismatch {
                output: log.path.clone(),
                checkpoint: super::checkpoint_path(out),
                problem: format!(
                    "the failures file is {len} byte(s) long, shorter than the {committed} the checkpoint records"
                ),
            }),
            Some(len) if len > committed => {
                log.handle()?
                    .set_len(committed)
                    .map_err(|e| FileError::io("cannot truncate", &log.path, e))?;
                Ok(log)
            }
            _ => Ok(log),
        }
    }

    fn handle(&mut self) -> Result<&mut File, FileError> {
        let file = match self.file.take() {
            Some(file) => file,
            None => {
                let mut file = OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&self.path)
                    .map_err(|e| FileError::io("cannot open for writing", &self.path, e))?;
                file.seek(SeekFrom::Start(self.len))
                    .map_err(|e| FileError::io("cannot write", &self.path, e))?;
                file
            }
        };
        Ok(self.file.insert(file))
    }

    /// One failure as a line of `buf`.
    pub(super) fn line(
        buf: &mut Vec<u8>,
        batch: u64,
        index: usize,
        error: &str,
        record: &RawValue,
    ) {
        let line =
            serde_json::json!({ "batch": batch, "index": index, "error": error, "record": record });
        buf.extend_from_slice(line.to_string().as_bytes());
        buf.push(b'\n');
    }

    /// Appends `buf` (whole lines) and syncs it; `count` failures.
    pub(super) fn append(&mut self, buf: &[u8], count: u64) -> Result<(), FileError> {
        if buf.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        let err = |e| FileError::io("cannot write", &path, e);
        let file = self.handle()?;
        file.write_all(buf).map_err(err)?;
        file.sync_data().map_err(err)?;
        self.len += buf.len() as u64;
        self.written += count;
        Ok(())
    }
}
