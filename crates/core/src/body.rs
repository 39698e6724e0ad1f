//! Reading response bodies with a bound on memory.
//!
//! A server can send a body of any size (a 3 GB chunked 502, a 200 MB HTML error page). Success
//! bodies are read up to a configurable cap ([`DEFAULT_MAX_RESPONSE_BYTES`]); error and token
//! bodies only up to what their excerpt and parsing need ([`ERROR_BODY_BYTES`]), after which the
//! connection is dropped instead of drained. Bodies are read chunk by chunk, so memory never
//! exceeds the cap plus one chunk.

use bytes::{Bytes, BytesMut};

/// Default cap on a success body: 64 MiB. The largest realistic page — 5,000 jobs
/// (`jpm/v2/tenant/{t}/jobs?pageSize=5000`) with every field filled, custom fields and external
/// data — measures about 9.8 MB (test `body_cap`), so the default leaves a six-fold margin while
/// bounding what a broken server can make the process hold.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// How much of an error (or token endpoint) body is read: enough for any problem document with
/// field errors, and for the 4 KiB excerpt of an HTML page.
pub const ERROR_BODY_BYTES: usize = 64 * 1024;

/// Why a body could not be read whole.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The body is larger than the cap (by its `Content-Length`, or once that many bytes came).
    TooLarge,
    /// Reading failed mid-way (reset, truncated, timed out).
    Failed(reqwest::Error),
}

/// The whole body, or [`BodyError::TooLarge`] once more than `cap` bytes arrive.
pub(crate) async fn read_capped(
    response: &mut reqwest::Response,
    cap: u64,
) -> Result<Bytes, BodyError> {
    if response.content_length().is_some_and(|len| len > cap) {
        return Err(BodyError::TooLarge);
    }
    // A body that comes in one chunk (most small answers) is kept as it came, not copied.
    let Some(first) = response.chunk().await.map_err(BodyError::Failed)? else {
        return Ok(Bytes::new());
    };
    if first.len() as u64 > cap {
        return Err(BodyError::TooLarge);
    }
    let Some(second) = response.chunk().await.map_err(BodyError::Failed)? else {
        return Ok(first);
    };
    let hint = response.content_length().unwrap_or(0).min(cap);
    let hint = usize::try_from(hint)
        .unwrap_or(0)
        .max(first.len() + second.len());
    let mut buf = BytesMut::with_capacity(hint);
    buf.extend_from_slice(&first);
    let mut next = Some(second);
    while let Some(chunk) = next {
        if (buf.len() as u64).saturating_add(chunk.len() as u64) > cap {
            return Err(BodyError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
        next = response.chunk().await.map_err(BodyError::Failed)?;
    }
    Ok(buf.freeze())
}

/// At most the first `max` bytes of the body (what an error excerpt needs). A read failure
/// after some bytes keeps those bytes: an error body is evidence, not data.
pub(crate) async fn read_prefix(mut response: reqwest::Response, max: usize) -> Bytes {
    let mut buf = BytesMut::new();
    while buf.len() < max {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = max - buf.len();
                buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    buf.freeze()
}

/// What went wrong while reading a body, in words (the causes of `reqwest`'s "error decoding
/// response body", which misleads for a reset).
pub(crate) fn failure_kind(err: &reqwest::Error) -> BodyFailure {
    if err.is_timeout() {
        return BodyFailure::Stalled;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
                    return BodyFailure::Reset
                }
                std::io::ErrorKind::UnexpectedEof => return BodyFailure::Truncated,
                std::io::ErrorKind::TimedOut => return BodyFailure::Stalled,
                _ => {}
            }
        }
        let text = e.to_string().to_ascii_lowercase();
        if text.contains("reset") {
            return BodyFailure::Reset;
        }
        if text.contains("incomplete") || text.contains("end of file") || text.contains("eof") {
            return BodyFailure::Truncated;
        }
        source = e.source();
    }
    BodyFailure::Other
}

/// How reading a response body failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyFailure {
    /// The connection was reset (or aborted) before the body was complete.
    Reset,
    /// The body ended before the length the server announced (`Content-Length`, chunking).
    Truncated,
    /// The body stopped arriving and the request timeout ran out.
    Stalled,
    /// Another read failure.
    Other,
}

impl std::fmt::Display for BodyFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BodyFailure::Reset => "the connection was reset while the response body was read",
            BodyFailure::Truncated => {
                "the response body was cut short (fewer bytes than the server announced)"
            }
            BodyFailure::Stalled => "the response body stalled until the request timeout",
            BodyFailure::Other => "the response body could not be read",
        })
    }
}
