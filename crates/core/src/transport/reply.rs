//! What [`Transport::send`](super::Transport::send) returns for a call that succeeded: the
//! status, headers and final URL of the answer, and its body — read within the size cap, or
//! (a download) still streaming from the server.

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::error::{ApiError, Error};

/// A successful (2xx/3xx) answer to one call. Failures never take this form: they are the
/// [`Error`] of [`Transport::send`](super::Transport::send).
#[derive(Debug)]
pub struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    url: url::Url,
    body: Body,
}

/// The body of a [`Reply`].
#[derive(Debug)]
pub enum Body {
    /// Read whole by the pipeline (within `max_response_bytes`).
    Read(Bytes),
    /// Not read yet: a download, streamed to the caller (its chunks are not capped).
    Streamed(reqwest::Response),
}

impl Reply {
    /// A reply whose body the pipeline read; the head is moved out of `response`.
    pub(crate) fn read(response: &mut reqwest::Response, body: Bytes) -> Self {
        Reply {
            status: response.status(),
            headers: std::mem::take(response.headers_mut()),
            url: response.url().clone(),
            body: Body::Read(body),
        }
    }

    /// A reply whose body stays streamed (downloads).
    pub(crate) fn streamed(response: reqwest::Response) -> Self {
        Reply {
            status: response.status(),
            headers: response.headers().clone(),
            url: response.url().clone(),
            body: Body::Streamed(response),
        }
    }

    /// The answer's status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The answer's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The URL that answered (after redirects).
    pub fn url(&self) -> &url::Url {
        &self.url
    }

    /// Status, headers and body, moved out.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, Body) {
        (self.status, self.headers, self.body)
    }

    /// The whole body (a streamed one read now, uncapped: it is the caller's download).
    pub async fn bytes(self) -> Result<Bytes, Error> {
        match self.body {
            Body::Read(bytes) => Ok(bytes),
            Body::Streamed(response) => response.bytes().await.map_err(Error::from),
        }
    }

    /// The next chunk of the body (`None` at its end): a read body comes as one chunk.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        match &mut self.body {
            Body::Read(bytes) if bytes.is_empty() => Ok(None),
            Body::Read(bytes) => Ok(Some(std::mem::take(bytes))),
            Body::Streamed(response) => response.chunk().await.map_err(Error::from),
        }
    }

    /// The error for a success status the operation's spec does not list: what the server
    /// sent (status, problem body if it was read), so the caller sees it rather than a guess.
    pub fn unexpected(self) -> Error {
        let body = match &self.body {
            Body::Read(bytes) => Some(bytes.as_ref()),
            Body::Streamed(_) => None,
        };
        ApiError::from_head(self.status, &self.headers, Some(&self.url), body).into()
    }
}
