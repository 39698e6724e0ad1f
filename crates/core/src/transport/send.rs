//! Stage "send and follow redirects": one request out, one response head back.
//!
//! Invariant: the returned response is not a redirect this SDK follows (a GET `301/302/303/307/308`
//! with a `Location`): either it was followed to its end, within
//! [`MAX_REDIRECTS`](super::redirect::MAX_REDIRECTS) hops, or the call fails with "too many
//! redirects". Credentials only go along to the API's own origin (module `redirect`).

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, Request, Response};

use super::redirect::{self, RedirectError};

/// Sends `request`; for a GET, follows redirects. `as_sent` gives the request's URL and headers
/// again, only when a redirect is followed: copying them up front cost every call ~1,300
/// instructions for the rare call that is redirected.
pub(super) async fn send(
    http: &reqwest::Client,
    request: Request,
    timeout: Option<Duration>,
    as_sent: impl FnOnce() -> Option<(url::Url, HeaderMap)>,
) -> Result<Response, RedirectError> {
    let get = request.method() == Method::GET;
    let response = http.execute(request).await.map_err(RedirectError::Http)?;
    if !get || !redirect::is_followed(&Method::GET, response.status()) {
        return Ok(response);
    }
    match as_sent() {
        Some((origin, headers)) => {
            redirect::follow(http, response, &origin, &headers, timeout).await
        }
        // Nothing to repeat the request from: the redirect is the answer.
        None => Ok(response),
    }
}
