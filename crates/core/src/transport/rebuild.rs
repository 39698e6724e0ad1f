//! Re-building a response after its body was read, or standing in for one that never came.
//!
//! `ClientHooks::exec` can only return `reqwest::Result<reqwest::Response>`, and a failed call's
//! body must be read (asynchronously) to build a useful error. So the transport reads it, builds
//! the [`Error`], and returns an equivalent response — same status, version, headers, URL and
//! body — whose extensions carry the error for `From<progenitor_client::Error>` to take. A
//! success body is read (within its cap) the same way and handed on in an equal response.
//! A failure without a response (no token, a timeout, a reset) gets a stand-in response with a
//! non-success status and a problem body naming the error.

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use reqwest::{ResponseBuilderExt, StatusCode, Version};

use super::capture::Captured;
use crate::error::Error;

/// The parts of a response kept while its body is read.
pub(crate) struct Head {
    pub(crate) status: StatusCode,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
    pub(crate) url: url::Url,
}

impl Head {
    /// The head, its headers moved out (not copied: this runs on every response) — the body
    /// is all that is read from `response` afterwards.
    pub(crate) fn take(response: &mut reqwest::Response) -> Self {
        Head {
            status: response.status(),
            version: response.version(),
            headers: std::mem::take(response.headers_mut()),
            url: response.url().clone(),
        }
    }
}

/// A response equal to the one received, with `body` (and `error` attached, if any).
fn rebuilt(head: Head, body: Bytes, error: Option<Error>) -> reqwest::Response {
    let built = http::Response::builder()
        .status(head.status)
        .version(head.version)
        .url(head.url)
        .body(body);
    // Status and version come from a valid response, so the builder cannot fail; should it
    // ever, an empty 502 is still an answer rather than a panic.
    let mut response = built.unwrap_or_else(|_| {
        let mut fallback = http::Response::new(Bytes::new());
        *fallback.status_mut() = StatusCode::BAD_GATEWAY;
        fallback
    });
    *response.headers_mut() = head.headers;
    if let Some(error) = error {
        response.extensions_mut().insert(Captured::new(error));
    }
    reqwest::Response::from(response)
}

/// A response equal to the one received, carrying `error`.
pub(crate) fn with_error(head: Head, body: Bytes, error: Error) -> reqwest::Response {
    rebuilt(head, body, Some(error))
}

/// A success response, its body already read.
pub(crate) fn success(head: Head, body: Bytes) -> reqwest::Response {
    rebuilt(head, body, None)
}

/// A stand-in response for a failure that has none, with `status` and a problem body.
pub(crate) fn stand_in(status: StatusCode, url: url::Url, error: Error) -> reqwest::Response {
    let body = serde_json::json!({ "title": error.to_string(), "status": status.as_u16() });
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    let head = Head {
        status,
        version: Version::HTTP_11,
        headers,
        url,
    };
    with_error(head, Bytes::from(body.to_string()), error)
}
