//! Re-building a response after its body was read, with the typed error attached.
//!
//! `ClientHooks::exec` can only return `reqwest::Result<reqwest::Response>`, and a failed call's
//! body must be read (asynchronously) to build a useful error. So the transport reads it, builds
//! the [`Error`], and returns an equivalent response — same status, version, headers, URL and
//! body — whose extensions carry the error for `From<progenitor_client::Error>` to take.

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{ResponseBuilderExt, StatusCode, Version};

use crate::error::{Captured, Error};

/// The parts of a response kept while its body is read.
pub(crate) struct Head {
    pub(crate) status: StatusCode,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
    pub(crate) url: url::Url,
}

impl Head {
    pub(crate) fn of(response: &reqwest::Response) -> Self {
        Head {
            status: response.status(),
            version: response.version(),
            headers: response.headers().clone(),
            url: response.url().clone(),
        }
    }
}

/// A response equal to the one received, carrying `error`.
pub(crate) fn with_error(head: Head, body: Bytes, error: Error) -> reqwest::Response {
    let mut response = http::Response::builder()
        .status(head.status)
        .version(head.version)
        .url(head.url)
        .body(body)
        .expect("status and version come from a valid response");
    *response.headers_mut() = head.headers;
    response.extensions_mut().insert(Captured::new(error));
    reqwest::Response::from(response)
}
