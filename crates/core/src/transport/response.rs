//! Reading a failed response into an [`ApiError`]: the problem body, the wait the server asked
//! for (`Retry-After`, or the seconds named in a 429's title) and ServiceTitan's trace id.

use std::time::SystemTime;

use reqwest::header::{HeaderMap, HeaderName};
use reqwest::StatusCode;

use crate::error::{excerpt, ApiError, Problem, RAW_BODY_LEN};
use crate::retry::{parse_retry_after, seconds_in_title};

impl ApiError {
    /// Builds an error from the head of a response (status, headers, URL) and optionally its
    /// body. Never panics, whatever the server sent.
    pub fn from_head(
        status: StatusCode,
        headers: &HeaderMap,
        url: Option<&url::Url>,
        body: Option<&[u8]>,
    ) -> Self {
        let (problem, raw_body) = parse_body(body);
        let retry_after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()))
            .or_else(|| {
                let title = problem.as_ref()?.title.as_deref()?;
                (status == StatusCode::TOO_MANY_REQUESTS)
                    .then(|| seconds_in_title(title))
                    .flatten()
            });
        let trace_id = problem
            .as_ref()
            .and_then(|p| p.trace_id.clone())
            .or_else(|| trace_id_from_headers(headers));
        ApiError {
            status,
            problem,
            raw_body,
            retry_after,
            operation_id: None,
            scopes: &[],
            path_template: None,
            path: url.map(|u| u.path().to_owned()),
            method: None,
            trace_id,
            rate_limit: None,
        }
    }
}

/// An RFC 7807 problem, or else the body as (truncated) text; nothing for an empty body.
pub fn parse_body(body: Option<&[u8]>) -> (Option<Problem>, Option<String>) {
    match body {
        Some(bytes) if !bytes.iter().all(u8::is_ascii_whitespace) => {
            match serde_json::from_slice::<Problem>(bytes) {
                // JSON that is not a problem document (`{"message": …}`, `[]`) is kept as text.
                Ok(problem) if problem != Problem::default() => (Some(problem), None),
                _ => (None, Some(excerpt(bytes, RAW_BODY_LEN))),
            }
        }
        _ => (None, None),
    }
}

/// ServiceTitan's trace id from response headers, when one is present.
pub(crate) fn trace_id_from_headers(headers: &HeaderMap) -> Option<String> {
    // Static names: looking a header up by `&str` parses and lower-cases the name on every call,
    // and this runs on every response.
    static NAMES: [HeaderName; 6] = [
        HeaderName::from_static("x-trace-id"),
        HeaderName::from_static("trace-id"),
        HeaderName::from_static("traceid"),
        HeaderName::from_static("x-correlation-id"),
        HeaderName::from_static("request-id"),
        HeaderName::from_static("x-request-id"),
    ];
    static TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");
    for name in &NAMES {
        if let Some(value) = headers.get(name).and_then(|v| v.to_str().ok()) {
            return Some(value.to_owned());
        }
    }
    // W3C trace context: `00-<trace id>-<span id>-<flags>`.
    let parent = headers.get(&TRACEPARENT)?.to_str().ok()?;
    parent.split('-').nth(1).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn trace_ids_from_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("traceparent", HeaderValue::from_static("00-abc123-def-01"));
        assert_eq!(trace_id_from_headers(&headers).as_deref(), Some("abc123"));
        headers.insert("x-trace-id", HeaderValue::from_static("t-1"));
        assert_eq!(trace_id_from_headers(&headers).as_deref(), Some("t-1"));
    }

    #[test]
    fn huge_waits_in_headers_and_titles_do_not_panic() {
        let mut headers = HeaderMap::new();
        for value in ["1e20", "18446744073709551616", "1e308", "inf", "-1", "NaN"] {
            headers.insert("retry-after", HeaderValue::from_static(value));
            let e = ApiError::from_head(StatusCode::TOO_MANY_REQUESTS, &headers, None, None);
            assert!(e
                .retry_after
                .is_none_or(|w| w <= crate::retry::MAX_SERVER_WAIT));
        }
        let body = br#"{"title": "Try again in 1e30 seconds"}"#;
        let e = ApiError::from_head(
            StatusCode::TOO_MANY_REQUESTS,
            &HeaderMap::new(),
            None,
            Some(body),
        );
        assert_eq!(e.retry_after, Some(crate::retry::MAX_SERVER_WAIT));
    }
}
