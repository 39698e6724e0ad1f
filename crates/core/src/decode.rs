//! Decoding a JSON response body, as every generated `send()` does.
//!
//! Two things make it cheaper than `serde_json::from_slice` on a page of records, with the same
//! result:
//! - the body's UTF-8 is checked once, for the whole body, instead of once per string (serde_json
//!   reading bytes checks every string it copies);
//! - the records of a page are read straight into their type; only if that fails is the body
//!   read again record by record, so that one bad record costs only itself (see
//!   [`crate::records`]).

use serde::de::DeserializeOwned;

use crate::transport::{Body, Reply};
use crate::Error;

/// Decodes `body` as the SDK does: fast when every record reads, record by record when one
/// does not (its neighbours are still delivered, and it becomes a
/// [`RecordError`](crate::records::RecordError)). The error is the record-by-record attempt's.
pub fn from_bytes<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    let text = std::str::from_utf8(body).ok();
    let parse = || match text {
        Some(text) => serde_json::from_str(text),
        // Not UTF-8: serde_json names where.
        None => serde_json::from_slice(body),
    };
    crate::records::direct(parse).or_else(|_| parse())
}

/// [`from_bytes`] on a body the transport read: a large record that fails to decode keeps its
/// raw text as a slice of `body` (shared, not copied), so the failures of a page never cost
/// more than a small multiple of the page.
pub fn from_body<T: DeserializeOwned>(body: &bytes::Bytes) -> Result<T, serde_json::Error> {
    crate::records::with_body(body, || from_bytes(body))
}

/// A JSON reply decoded as every generated `send()` does ([`from_body`]), the headers moved
/// out instead of copied. Called by the generated code.
#[doc(hidden)]
pub async fn response_value<T: DeserializeOwned>(
    reply: Reply,
) -> Result<progenitor_client::ResponseValue<T>, Error> {
    let (status, headers, body) = reply.into_parts();
    let full = match body {
        Body::Read(bytes) => bytes,
        Body::Streamed(response) => response.bytes().await?,
    };
    let inner = from_body(&full).map_err(|e| Error::decode(e.to_string(), &full, Some(status)))?;
    Ok(progenitor_client::ResponseValue::new(
        inner, status, headers,
    ))
}

/// A reply whose body the operation does not define (`204`, or a body the spec leaves out).
#[doc(hidden)]
pub fn empty(reply: Reply) -> progenitor_client::ResponseValue<()> {
    let (status, headers, _) = reply.into_parts();
    progenitor_client::ResponseValue::new((), status, headers)
}

/// A download's reply as a byte stream (its body is still streaming from the server).
#[doc(hidden)]
pub fn stream(reply: Reply) -> progenitor_client::ResponseValue<progenitor_client::ByteStream> {
    type Chunks =
        std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send + Sync>>;
    let (status, headers, body) = reply.into_parts();
    let chunks: Chunks = match body {
        Body::Streamed(response) => Box::pin(response.bytes_stream()),
        Body::Read(bytes) => Box::pin(futures::stream::once(futures::future::ready(Ok(bytes)))),
    };
    progenitor_client::ResponseValue::new(
        progenitor_client::ByteStream::new(chunks),
        status,
        headers,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Records;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Job {
        id: i64,
        name: Option<String>,
    }

    #[derive(serde::Deserialize, Debug)]
    struct Page {
        #[serde(rename = "hasMore")]
        has_more: bool,
        data: Records<Job>,
    }

    #[test]
    fn a_clean_page_and_a_page_with_a_bad_record_read_as_record_by_record_would() {
        let page: Page =
            from_bytes(br#"{"hasMore": true, "data": [{"id": 1, "name": "a\u00e9"}, {"id": 2}]}"#)
                .unwrap();
        assert!(page.has_more);
        assert_eq!(page.data[0].name.as_deref(), Some("a\u{e9}"));
        assert_eq!(page.data.received(), 2);

        let page: Page =
            from_bytes(br#"{"hasMore": false, "data": [{"id": 1}, {"id": "x"}, {"id": 3}]}"#)
                .unwrap();
        assert_eq!(page.data.len(), 2);
        assert_eq!(page.data.failures()[0].index, 1);
        assert_eq!(page.data[1].id, 3);
    }

    #[test]
    fn errors_are_the_careful_reads_and_invalid_utf8_is_named() {
        let err = from_bytes::<Page>(br#"{"data": []}"#).unwrap_err();
        assert!(err.to_string().contains("hasMore"), "{err}");
        let err =
            from_bytes::<Page>(b"{\"hasMore\": true, \"data\": [{\"id\": 1, \"name\": \"\xff\"}]}")
                .unwrap_err();
        assert!(err.to_string().contains("line 1 column"), "{err}");
    }
}
