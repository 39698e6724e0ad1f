//! The checkpoint file beside an export's output, and the check that it belongs to that output.
//!
//! `<out>.checkpoint` holds `{"version":1, "continueFrom", "bytes", "records", "format",
//! "headSha256", "tailSha256"}`: the token to resume from, the length of `<out>` once that
//! token's batch was stored, and hashes of the first and last 4 KiB of that committed part.
//! Before a run trusts a checkpoint it checks the output against it: the file exists, is at
//! least `bytes` long, the committed part ends at a line boundary and its hashes match — so a
//! deleted, truncated or swapped output is refused instead of padded or silently continued.
//! (Checkpoints written before the hashes existed, `{"continueFrom", "bytes"}`, are checked on
//! length and line boundary only.)
//!
//! **An empty committed part matches only an empty file.** The hashes of zero bytes match any
//! file, so a checkpoint recording 0 bytes (an export of a tenant with nothing to export yet) is
//! an explicit "the output is empty" marker: resuming it into a non-empty file would truncate
//! data this export never wrote, so it is refused, naming both files.
//!
//! `failuresBytes` is the committed length of `<out>.failures.jsonl` (records that could not be
//! written to the output, kept with their raw JSON; see [`super`]): a resume truncates it to that
//! length like the output.

use super::FileError;
use sha2::{Digest, Sha256};
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// How much of the committed part's start and end is hashed.
const HASHED: u64 = 4096;

/// A saved position in an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The export's `continueFrom` token, sent back as `from`.
    pub continue_from: String,
    /// Length of the output file after the batch that produced the token.
    pub bytes: u64,
    /// Records in the committed part (0 when unknown: an old checkpoint).
    pub records: u64,
    /// Output format (`jsonl`, `csv`); `None` for an old checkpoint (JSON lines).
    pub format: Option<String>,
    /// sha256 of the committed part's first 4 KiB (hex).
    pub head_sha256: Option<String>,
    /// sha256 of the committed part's last 4 KiB (hex).
    pub tail_sha256: Option<String>,
    /// Committed length of `<out>.failures.jsonl` (0: none).
    pub failures_bytes: u64,
}

/// `<out>.checkpoint`.
pub fn checkpoint_path(out: &Path) -> PathBuf {
    let mut name = OsString::from(out.as_os_str());
    name.push(".checkpoint");
    PathBuf::from(name)
}

/// Reads `<out>.checkpoint`; `None` when there is none. A file that is not a checkpoint is an
/// error naming it.
pub fn read_checkpoint(out: &Path) -> Result<Option<Checkpoint>, FileError> {
    let path = checkpoint_path(out);
    let text = match fs::read(&path) {
        Ok(bytes) => bytes,
        // A missing directory is "no checkpoint": opening the output then names the real problem.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(FileError::io("cannot read", &path, e)),
    };
    let garbage = |detail: String| FileError::NotACheckpoint {
        checkpoint: path.clone(),
        output: out.to_path_buf(),
        detail,
    };
    let value: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| garbage(format!("not JSON: {e}")))?;
    let text_field = |name: &str| value.get(name).and_then(|v| v.as_str()).map(String::from);
    let (Some(continue_from), Some(bytes)) = (
        text_field("continueFrom"),
        value.get("bytes").and_then(|v| v.as_u64()),
    ) else {
        return Err(garbage(
            "expected an object with `continueFrom` (text) and `bytes` (a length)".into(),
        ));
    };
    Ok(Some(Checkpoint {
        continue_from,
        bytes,
        records: value.get("records").and_then(|v| v.as_u64()).unwrap_or(0),
        format: text_field("format"),
        head_sha256: text_field("headSha256"),
        tail_sha256: text_field("tailSha256"),
        failures_bytes: value
            .get("failuresBytes")
            .and_then(|v| v.as_u64())
            .unwrap_or(0),
    }))
}

/// Replaces `<out>.checkpoint` atomically (write a temporary file, sync, rename).
pub(super) fn write_checkpoint(out: &Path, checkpoint: &Checkpoint) -> Result<(), FileError> {
    let path = checkpoint_path(out);
    let mut tmp = OsString::from(path.as_os_str());
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let json = serde_json::json!({
        "version": 1,
        "continueFrom": checkpoint.continue_from,
        "bytes": checkpoint.bytes,
        "records": checkpoint.records,
        "format": checkpoint.format,
        "headSha256": checkpoint.head_sha256,
        "tailSha256": checkpoint.tail_sha256,
        "failuresBytes": checkpoint.failures_bytes,
    });
    let write = || -> io::Result<()> {
        let mut file = File::create(&tmp)?;
        file.write_all(json.to_string().as_bytes())?;
        file.sync_all()
    };
    write().map_err(|e| FileError::io("cannot write", &tmp, e))?;
    fs::rename(&tmp, &path).map_err(|e| FileError::io("cannot replace", &path, e))
}

/// Hashes of the first and last [`HASHED`] bytes of `file[..len]`.
pub(super) fn hashes(file: &mut File, len: u64) -> io::Result<(String, String)> {
    let head = hash_range(file, 0, len.min(HASHED))?;
    let tail_start = len.saturating_sub(HASHED);
    let tail = hash_range(file, tail_start, len - tail_start)?;
    Ok((head, tail))
}

fn hash_range(file: &mut File, start: u64, len: u64) -> io::Result<String> {
    file.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::with_capacity(len as usize);
    file.take(len).read_to_end(&mut buf)?;
    Ok(hex(&Sha256::digest(&buf)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks that `out` holds what `checkpoint` recorded; returns the open file on success.
pub(super) fn verify(out: &Path, checkpoint: &Checkpoint, format: &str) -> Result<File, FileError> {
    let refuse = |problem: String| FileError::Mismatch {
        output: out.to_path_buf(),
        checkpoint: checkpoint_path(out),
        problem,
    };
    let recorded = checkpoint.format.as_deref().unwrap_or("jsonl");
    if recorded != format {
        return Err(refuse(format!(
            "the checkpoint is of a {recorded} export, this run writes {format}"
        )));
    }
    let mut file = match fs::OpenOptions::new().read(true).write(true).open(out) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(refuse(format!(
                "the output does not exist, but the checkpoint records {} byte(s) of it",
                checkpoint.bytes
            )))
        }
        Err(e) => return Err(FileError::io("cannot open", out, e)),
    };
    let len = file
        .metadata()
        .map_err(|e| FileError::io("cannot read", out, e))?
        .len();
    if len < checkpoint.bytes {
        return Err(refuse(format!(
            "the output is {len} byte(s) long, shorter than the {} the checkpoint records",
            checkpoint.bytes
        )));
    }
    let io_err = |e| FileError::io("cannot read", out, e);
    if checkpoint.bytes == 0 && len > 0 {
        return Err(refuse(format!(
            "the checkpoint records an empty output, but the output holds {len} byte(s) this \
             export did not commit; resuming would truncate them, so nothing was touched"
        )));
    }
    if checkpoint.bytes > 0 {
        let mut last = [0u8; 1];
        file.seek(SeekFrom::Start(checkpoint.bytes - 1))
            .and_then(|_| file.read_exact(&mut last))
            .map_err(io_err)?;
        if last[0] != b'\n' {
            return Err(refuse(format!(
                "byte {} of the output is not the end of a line, so it is not the file the checkpoint was written for",
                checkpoint.bytes
            )));
        }
    }
    if let (Some(head), Some(tail)) = (&checkpoint.head_sha256, &checkpoint.tail_sha256) {
        let (h, t) = hashes(&mut file, checkpoint.bytes).map_err(io_err)?;
        if &h != head || &t != tail {
            return Err(refuse(
                "the output's content differs from what the checkpoint recorded (another file, or edited)".into(),
            ));
        }
    }
    Ok(file)
}
