//! [`RecordError`]: one record that could not be decoded, kept at a bounded cost.
//!
//! Why bounded: a hostile or broken server can send a page of millions of tiny records that all
//! fail (`[0,0,0,…]`). Each failure therefore keeps only its own raw text — copied when small,
//! otherwise a slice of the page's buffer (shared, not copied) — and serde's message and the
//! JSON path cut to a few hundred bytes; and a page keeps at most
//! [`MAX_FAILURES_PER_PAGE`](super::MAX_FAILURES_PER_PAGE) of them (see [`super`]).
//!
//! Why redacted at construction: a server may echo the bearer token or the app key inside a
//! record; serde quotes offending values in its messages, so the message and path go through
//! [`crate::redact::everywhere`] before anything can print them. The raw JSON stays exact (it is
//! the record, for pipelines that store it); [`RecordError::raw_json_redacted`] is the form to
//! show.

use bytes::Bytes;
use serde_json::value::RawValue;
use std::cell::RefCell;
use std::fmt;

/// Records up to this size are copied out of the page (a copy frees the page's buffer when the
/// page is dropped); larger ones are a slice of it (no copy).
const COPY_UP_TO: usize = 1024;
/// Longest message or path kept (bytes, cut at a character boundary).
const TEXT_KEPT: usize = 512;
/// How much of the raw record `Debug` shows.
const SHOWN: usize = 256;

thread_local! {
    /// The body being decoded by [`crate::decode::from_body`]: failed records are sliced out of
    /// it instead of copied.
    static BODY: RefCell<Option<Bytes>> = const { RefCell::new(None) };
}

/// Runs `decode` with `body` as the buffer failed records may slice. Restores on return/unwind.
pub(crate) fn with_body<R>(body: &Bytes, decode: impl FnOnce() -> R) -> R {
    struct Restore(Option<Bytes>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            BODY.with(|b| *b.borrow_mut() = previous);
        }
    }
    let _restore = Restore(BODY.with(|b| b.borrow_mut().replace(body.clone())));
    decode()
}

/// `raw` kept: a slice of the body being decoded when it lies inside it and is large, else a copy.
fn keep(raw: &str) -> Bytes {
    if raw.len() > COPY_UP_TO {
        let sliced = BODY.with(|b| {
            let body = b.borrow();
            let body = body.as_ref()?;
            // Addresses only compared, never dereferenced: which part of the body `raw` is.
            let start = (raw.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
            let end = start.checked_add(raw.len())?;
            (end <= body.len()).then(|| body.slice(start..end))
        });
        if let Some(slice) = sliced {
            return slice;
        }
    }
    Bytes::copy_from_slice(raw.as_bytes())
}

/// At most `max` bytes of `text`, cut at a character boundary.
pub(crate) fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let end = (0..=max)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    &text[..end]
}

/// `text` redacted and bounded (`…` marks a cut).
fn bounded(text: &str) -> String {
    // Redacted before the cut, so a secret straddling the cut is still found whole.
    let redacted = crate::redact::everywhere(cut(text, TEXT_KEPT * 2));
    if redacted.len() > TEXT_KEPT || text.len() > TEXT_KEPT * 2 {
        format!("{}…", cut(&redacted, TEXT_KEPT))
    } else {
        redacted
    }
}

/// A record of a page or batch that could not be decoded into the generated type.
#[derive(Clone)]
pub struct RecordError {
    /// The operation whose response held it (set by the typed streams; `None` when the page was
    /// decoded outside one, e.g. with `send()`).
    pub operation_id: Option<&'static str>,
    /// Position of the record in the page's or batch's `data` (0-based).
    pub index: usize,
    /// Where inside the record decoding failed (`customFields[2].value`; `.` for the record);
    /// secrets redacted, at most 512 bytes.
    pub path: String,
    /// serde's message; secrets redacted, at most 512 bytes.
    pub message: String,
    /// The record's raw JSON text (valid UTF-8 JSON: it was handed over by serde_json as such).
    raw: Bytes,
}

impl RecordError {
    /// A failure of the record `raw` at `index` (path and message are redacted and bounded here).
    pub(crate) fn new(index: usize, path: &str, message: &str, raw: &str) -> Self {
        RecordError {
            operation_id: None,
            index,
            path: bounded(path),
            message: bounded(message),
            raw: keep(raw),
        }
    }

    /// The record exactly as the API sent it.
    pub fn raw(&self) -> &RawValue {
        serde_json::from_str::<&RawValue>(self.raw_json())
            .or_else(|_| serde_json::from_str::<&RawValue>("null"))
            .unwrap_or_else(|_| unreachable!("`null` is JSON"))
    }

    /// The record's raw JSON text, exactly as received (secrets included, if the server put any
    /// there): what a pipeline stores. To show it, use [`Self::raw_json_redacted`].
    pub fn raw_json(&self) -> &str {
        std::str::from_utf8(&self.raw).unwrap_or("null")
    }

    /// The record's raw JSON with every known secret replaced: the form to print or log.
    pub fn raw_json_redacted(&self) -> String {
        crate::redact::everywhere(self.raw_json())
    }
}

impl PartialEq for RecordError {
    fn eq(&self, other: &Self) -> bool {
        self.operation_id == other.operation_id
            && self.index == other.index
            && self.path == other.path
            && self.message == other.message
            && self.raw == other.raw
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: record {} of the page could not be read at `{}`: {} (the record, {} bytes of JSON, is kept in the error: `RecordError::raw_json`)",
            self.operation_id.unwrap_or("response"),
            self.index,
            self.path,
            self.message,
            self.raw.len()
        )
    }
}

impl fmt::Debug for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Redacted before the cut, so a secret straddling the cut is still found whole.
        let excerpt = crate::redact::everywhere(cut(self.raw_json(), SHOWN * 16));
        f.debug_struct("RecordError")
            .field("operation_id", &self.operation_id)
            .field("index", &self.index)
            .field("path", &self.path)
            .field("message", &self.message)
            .field("raw", &cut(&excerpt, SHOWN))
            .finish()
    }
}

impl std::error::Error for RecordError {}

/// The size of the body being decoded by [`crate::decode::from_body`], if one is.
pub(crate) fn body_len() -> Option<usize> {
    BODY.with(|b| b.borrow().as_ref().map(Bytes::len))
}
