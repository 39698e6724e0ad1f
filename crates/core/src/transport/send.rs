//! Stage "send and follow redirects": one request out, one response head back.
//!
//! Invariant: the returned response is not a redirect this SDK follows (a GET `301/302/303/307/308`
//! with a `Location`): either it was followed to its end, within
//! [`MAX_REDIRECTS`](super::redirect::MAX_REDIRECTS) hops, or the call fails with "too many
//! redirects". Credentials only go along to the API's own origin (module `redirect`).

use std::time::Duration;

use reqwest::{Method, Request, Response};

use super::redirect::{self, RedirectError};

/// Sends `request`; for a GET, follows redirects.
pub(super) async fn send(
    http: &reqwest::Client,
    request: Request,
    timeout: Option<Duration>,
) -> Result<Response, RedirectError> {
    let method = request.method().clone();
    let origin = request.url().clone();
    let sent_headers = (method == Method::GET).then(|| request.headers().clone());
    let response = http.execute(request).await.map_err(RedirectError::Http)?;
    if !redirect::is_followed(&method, response.status()) {
        return Ok(response);
    }
    let headers = sent_headers.unwrap_or_default();
    redirect::follow(http, response, &origin, &headers, timeout).await
}
