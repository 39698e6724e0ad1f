//! Following redirects ourselves.
//!
//! Downloads (pricebook images, findings assets, attachments) answer `302` to a file host.
//! reqwest's own redirect handling drops `Authorization` on a cross-host hop but would still send
//! `ST-App-Key` (a custom header it cannot know is secret) and a `Referer` naming the API URL. So
//! the client is built with redirects off, and GET redirects are followed here: credentials go
//! along only when the target has the same origin (scheme, host and port) as the API call.

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, LOCATION, USER_AGENT};
use reqwest::{Method, Response, StatusCode, Url};

use super::APP_KEY_HEADER;

/// Most hops followed before giving up (the same bound browsers and reqwest use).
pub(crate) const MAX_REDIRECTS: usize = 10;

/// Whether a response is a redirect this module follows.
pub(crate) fn is_followed(method: &Method, status: StatusCode) -> bool {
    *method == Method::GET
        && matches!(
            status,
            StatusCode::MOVED_PERMANENTLY
                | StatusCode::FOUND
                | StatusCode::SEE_OTHER
                | StatusCode::TEMPORARY_REDIRECT
                | StatusCode::PERMANENT_REDIRECT
        )
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Headers for a hop to `target` of a call first sent to `origin` with `headers`.
pub(crate) fn hop_headers(origin: &Url, target: &Url, headers: &HeaderMap) -> HeaderMap {
    let mut out = HeaderMap::new();
    let keep_credentials = same_origin(origin, target);
    for (name, value) in headers {
        let secret = name == AUTHORIZATION || name.as_str() == APP_KEY_HEADER;
        if name == USER_AGENT || (keep_credentials && secret) || name == reqwest::header::ACCEPT {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

/// Why following redirects failed.
#[derive(Debug)]
pub(crate) enum RedirectError {
    /// A hop could not be sent.
    Http(reqwest::Error),
    /// Still redirected after [`MAX_REDIRECTS`] hops (a loop, most likely).
    TooMany(usize),
}

/// Follows GET redirects from `response`, up to [`MAX_REDIRECTS`] hops; a redirect without a
/// usable `Location` is returned as it is.
pub(crate) async fn follow(
    http: &reqwest::Client,
    mut response: Response,
    origin: &Url,
    headers: &HeaderMap,
    timeout: Option<std::time::Duration>,
) -> Result<Response, RedirectError> {
    for _ in 0..MAX_REDIRECTS {
        if !is_followed(&Method::GET, response.status()) {
            return Ok(response);
        }
        let Some(target) = response
            .headers()
            .get(LOCATION)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .and_then(|loc| response.url().join(loc).ok())
        else {
            return Ok(response);
        };
        tracing::debug!(
            host = target.host_str().unwrap_or_default(),
            "following redirect"
        );
        let mut request = http
            .get(target.clone())
            .headers(hop_headers(origin, &target, headers));
        if let Some(t) = timeout {
            request = request.timeout(t);
        }
        response = request.send().await.map_err(RedirectError::Http)?;
    }
    if is_followed(&Method::GET, response.status()) {
        return Err(RedirectError::TooMany(MAX_REDIRECTS));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer t"));
        h.insert(APP_KEY_HEADER, HeaderValue::from_static("ak"));
        h.insert(USER_AGENT, HeaderValue::from_static("servicetitan-rs/0"));
        h.insert("x-other", HeaderValue::from_static("1"));
        h
    }

    #[test]
    fn credentials_stay_on_the_api_origin() {
        let api: Url = "https://api.servicetitan.io/pricebook/v2/tenant/1/images"
            .parse()
            .unwrap();
        let same: Url = "https://api.servicetitan.io/files/a.png".parse().unwrap();
        let other: Url = "https://files.example.com/a.png".parse().unwrap();
        let other_port: Url = "https://api.servicetitan.io:8443/a.png".parse().unwrap();
        let kept = hop_headers(&api, &same, &headers());
        assert!(kept.contains_key(AUTHORIZATION) && kept.contains_key(APP_KEY_HEADER));
        for target in [other, other_port] {
            let hop = hop_headers(&api, &target, &headers());
            assert!(!hop.contains_key(AUTHORIZATION), "{target}");
            assert!(!hop.contains_key(APP_KEY_HEADER), "{target}");
            assert!(hop.contains_key(USER_AGENT));
            assert!(!hop.contains_key("x-other"));
        }
    }

    #[test]
    fn only_get_redirects_are_followed() {
        assert!(is_followed(&Method::GET, StatusCode::FOUND));
        assert!(!is_followed(&Method::POST, StatusCode::FOUND));
        assert!(!is_followed(&Method::GET, StatusCode::NOT_MODIFIED));
    }
}
