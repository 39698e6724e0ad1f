//! The request pipeline every generated call goes through (progenitor's `exec` hook).
//!
//! For each call: take the operation's concurrency permit (if capped), then per attempt wait for
//! the tenant's rate limiter (and the report's, for report runs), get the access token (cached,
//! single flight), set `Authorization`, `ST-App-Key` and `User-Agent`, apply the request timeout,
//! send; retry per [`RetryPolicy`]; on a `401` fetch a new token and
//! repeat the call once. A failed call's body is read into a typed [`Error`] that
//! travels back inside a re-built response (module `rebuild`).
//!
//! Tracing: one `servicetitan.request` span per call (INFO) with the operation id, the HTTP
//! method, the path *template* (never query values or ids), the tenant, the attempt, the status,
//! the latency and ServiceTitan's trace id. Retries and rate-limit waits are DEBUG events. No
//! header value is ever recorded, and the secret headers are marked sensitive.

mod rebuild;
mod redirect;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE, USER_AGENT,
};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;
use tracing::field::Empty;
use tracing::Instrument;

use crate::auth::TokenSource;
use crate::error::{ApiError, AuthFailure, Error};
use crate::limit::TenantLimits;
use crate::operation::OperationMeta;
use crate::retry::{classify_status, classify_transport_error, RetryPolicy, Verdict};

use rebuild::{with_error, Head};

/// The header carrying the application key.
pub const APP_KEY_HEADER: &str = "st-app-key";

/// The `User-Agent` every request carries (a suffix can be added on the builder).
pub const USER_AGENT_PREFIX: &str = concat!("servicetitan-rs/", env!("CARGO_PKG_VERSION"));

/// Per-tenant request pipeline; the progenitor "inner" value of every generated client.
/// Cheap to clone; clones share the token cache and limiters.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) tokens: Arc<TokenSource>,
    /// `ST-App-Key`, marked sensitive.
    pub(crate) app_key: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryPolicy,
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) limits: Arc<TenantLimits>,
    pub(crate) tenant_id: i64,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("tenant_id", &self.inner.tenant_id)
            .field("tokens", &self.inner.tokens)
            .field("app_key", &"[REDACTED]")
            .field("user_agent", &self.inner.user_agent)
            .field("retry", &self.inner.retry)
            .field("request_timeout", &self.inner.request_timeout)
            .field("limits", &self.inner.limits)
            .finish()
    }
}

impl Transport {
    pub(crate) fn new(inner: Inner) -> Self {
        Transport {
            inner: Arc::new(inner),
        }
    }

    pub(crate) fn tokens(&self) -> &TokenSource {
        &self.inner.tokens
    }

    /// `true` when both transports share the same rate limiters (same app key and tenant, same
    /// client family).
    pub fn shares_limits_with(&self, other: &Transport) -> bool {
        Arc::ptr_eq(&self.inner.limits, &other.inner.limits)
    }

    /// Executes one generated request. Called by the generated `ClientHooks::exec`.
    ///
    /// A non-success answer (after retries) or a failed token request comes back as a response
    /// with the same status, headers and body, carrying the typed [`Error`] in its extensions
    /// (read it with [`crate::error::take_captured`], or let `?` on the generated call do it).
    pub async fn execute(
        &self,
        request: reqwest::Request,
        meta: &'static OperationMeta,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::info_span!(
            "servicetitan.request",
            operation_id = meta.operation_id,
            method = %request.method(),
            path = meta.path,
            tenant_id = self.inner.tenant_id,
            attempt = Empty,
            status = Empty,
            latency_ms = Empty,
            trace_id = Empty,
        );
        self.run(request, meta).instrument(span).await
    }

    async fn run(
        &self,
        request: reqwest::Request,
        meta: &'static OperationMeta,
    ) -> reqwest::Result<reqwest::Response> {
        let inner = &*self.inner;
        let span = tracing::Span::current();
        let started = Instant::now();
        let method = request.method().clone();
        // The operation's policy (generated into its table entry) says whether it has a limit
        // of its own — report runs, keyed by report id — and whether a 409 is retried.
        let keyed = meta.policy.limit_key.is_some();
        let report = meta.limit_key(request.url().path()).map(str::to_owned);
        let is_get = method == Method::GET;
        let names = [meta.operation_id, meta.method_name];
        let may_repeat = inner.retry.may_repeat(&method, &names);

        // Held across attempts: a retry is still the same call in flight.
        let cap = names
            .iter()
            .find_map(|name| inner.limits.concurrency.get(*name));
        let _permit = match cap {
            Some(semaphore) => {
                let waiting = Instant::now();
                let permit = semaphore
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("semaphore is never closed");
                let waited = waiting.elapsed();
                if !waited.is_zero() {
                    tracing::debug!(
                        waited_ms = waited.as_millis() as u64,
                        "waited for a concurrency slot"
                    );
                }
                Some(permit)
            }
            None => None,
        };

        let mut template = Some(request);
        let mut attempt = 0u32;
        let mut failures = 0u32;
        let mut refreshed = false;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            self.pace(report.as_deref()).await;

            let token = match inner.tokens.token().await {
                Ok(token) => token,
                Err(err) => {
                    failures += 1;
                    // The API was not called yet, so any method may wait and try again when the
                    // token endpoint itself had a transient failure.
                    let transient = matches!(
                        err,
                        Error::Auth {
                            reason: AuthFailure::ServerError | AuthFailure::Unreachable,
                            ..
                        }
                    );
                    if transient {
                        if let Some(wait) = self.next_wait(failures, None, started) {
                            tracing::debug!(
                                attempt,
                                wait_ms = wait.as_millis() as u64,
                                error = %err,
                                "token endpoint failed; retrying"
                            );
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                    }
                    tracing::debug!(error = %err, "no access token");
                    let url = template.as_ref().expect("not sent yet").url().clone();
                    return Ok(token_failure(err, url));
                }
            };

            // A request whose body cannot be cloned (a stream) is sent once, as is.
            let mut request = match template.as_ref().and_then(reqwest::Request::try_clone) {
                Some(copy) => copy,
                None => template.take().expect("a request is left to send"),
            };
            let can_repeat = template.is_some();

            set_headers(
                request.headers_mut(),
                &token.secret,
                &inner.app_key,
                &inner.user_agent,
            );
            if request.timeout().is_none() {
                *request.timeout_mut() = inner.request_timeout;
            }

            let origin = request.url().clone();
            let sent_headers = is_get.then(|| request.headers().clone());
            let sent = Instant::now();
            let result = match inner.http.execute(request).await {
                Ok(response) if redirect::is_followed(&method, response.status()) => {
                    let headers = sent_headers.unwrap_or_default();
                    redirect::follow(
                        &inner.http,
                        response,
                        &origin,
                        &headers,
                        inner.request_timeout,
                    )
                    .await
                }
                other => other,
            };
            span.record("latency_ms", sent.elapsed().as_millis() as u64);

            let response = match result {
                Ok(response) => response,
                Err(err) => {
                    failures += 1;
                    if can_repeat && classify_transport_error(&err, may_repeat) {
                        if let Some(wait) = self.next_wait(failures, None, started) {
                            tracing::debug!(
                                attempt,
                                wait_ms = wait.as_millis() as u64,
                                error = %err,
                                timeout = err.is_timeout(),
                                "transport error; retrying"
                            );
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                    }
                    tracing::debug!(attempt, error = %err, "transport error; giving up");
                    return Err(err);
                }
            };

            let status = response.status();
            span.record("status", status.as_u16());
            if let Some(trace_id) = trace_id_from_headers(response.headers()) {
                span.record("trace_id", trace_id.as_str());
            }
            if !(status.is_client_error() || status.is_server_error()) {
                tracing::debug!(
                    status = status.as_u16(),
                    latency_ms = sent.elapsed().as_millis() as u64,
                    "response"
                );
                return Ok(response);
            }

            if status == StatusCode::UNAUTHORIZED && !refreshed && can_repeat {
                refreshed = true;
                tracing::debug!(
                    attempt,
                    "401: fetching a new access token and repeating the call once"
                );
                inner.tokens.invalidate(token.generation);
                continue;
            }

            let head = Head::of(&response);
            let body = response.bytes().await?;
            let error = self.api_error(&head, &body, meta, &method, keyed);
            if let Some(trace_id) = &error.trace_id {
                span.record("trace_id", trace_id.as_str());
            }
            failures += 1;
            if status == StatusCode::TOO_MANY_REQUESTS && !keyed {
                // The tenant's budget is spent for every call, not only this one. (A report's
                // 429 concerns that report alone.)
                if let Some(wait) = error.retry_after {
                    inner.limits.pause(wait.min(inner.retry.max_elapsed));
                }
            }
            if can_repeat {
                if let Verdict::Retry(server_wait) = classify_status(
                    status,
                    may_repeat,
                    meta.policy.retry_conflict,
                    error.retry_after,
                ) {
                    if let Some(wait) = self.next_wait(failures, server_wait, started) {
                        tracing::debug!(
                            attempt,
                            status = status.as_u16(),
                            wait_ms = wait.as_millis() as u64,
                            server_requested = server_wait.is_some(),
                            "retrying"
                        );
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                }
            }
            tracing::debug!(
                attempt,
                status = status.as_u16(),
                latency_ms = started.elapsed().as_millis() as u64,
                "request failed"
            );
            return Ok(with_error(head, body, error.into()));
        }
    }

    /// Waits for the tenant's request budget (and the report's, for report runs).
    async fn pace(&self, report: Option<&str>) {
        let limits = &self.inner.limits;
        if let Some(wait) = limits.paused_for() {
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "ServiceTitan asked this tenant to slow down (429); waiting"
            );
            tokio::time::sleep(wait).await;
        }
        if let Some(limiter) = &limits.requests {
            let waited = limiter.acquire().await;
            if !waited.is_zero() {
                tracing::debug!(
                    waited_ms = waited.as_millis() as u64,
                    limit = limiter.description(),
                    "rate limit wait"
                );
            }
        }
        if let (Some(limiter), Some(report)) = (&limits.reports, report) {
            let waited = limiter.acquire(&report.to_owned()).await;
            if !waited.is_zero() {
                tracing::debug!(
                    waited_ms = waited.as_millis() as u64,
                    report_id = report,
                    limit = limiter.description(),
                    "report rate limit wait"
                );
            }
        }
    }

    /// The wait before another attempt, or `None` when attempts or time are used up.
    fn next_wait(
        &self,
        failures: u32,
        server_wait: Option<Duration>,
        started: Instant,
    ) -> Option<Duration> {
        let policy = &self.inner.retry;
        if failures >= policy.max_attempts {
            return None;
        }
        let wait = server_wait.unwrap_or_else(|| policy.backoff_for(failures));
        if started.elapsed() + wait > policy.max_elapsed {
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                budget_ms = policy.max_elapsed.as_millis() as u64,
                "the next wait would exceed the retry time budget; giving up"
            );
            return None;
        }
        Some(wait)
    }

    fn api_error(
        &self,
        head: &Head,
        body: &Bytes,
        meta: &'static OperationMeta,
        method: &Method,
        report_data: bool,
    ) -> ApiError {
        let mut error =
            ApiError::from_head(head.status, &head.headers, Some(&head.url), Some(body));
        error.operation_id = Some(meta.operation_id);
        error.scopes = meta.scopes;
        error.path_template = Some(meta.path);
        error.method = Some(method.to_string());
        if head.status == StatusCode::TOO_MANY_REQUESTS {
            error.rate_limit = self.inner.limits.describe(report_data);
        }
        error
    }
}

/// Sets `Authorization: Bearer …`, `ST-App-Key` and `User-Agent`; the first two are marked
/// sensitive so that hyper and any `Debug` of the request keep them out of logs.
fn set_headers(
    headers: &mut HeaderMap,
    token: &SecretString,
    app_key: &HeaderValue,
    user_agent: &HeaderValue,
) {
    let mut bearer = HeaderValue::try_from(format!("Bearer {}", token.expose_secret()))
        .unwrap_or_else(|_| HeaderValue::from_static("Bearer invalid-token"));
    bearer.set_sensitive(true);
    let mut app_key = app_key.clone();
    app_key.set_sensitive(true);
    headers.insert(AUTHORIZATION, bearer);
    headers.insert(HeaderName::from_static(APP_KEY_HEADER), app_key);
    headers.insert(USER_AGENT, user_agent.clone());
}

/// A response standing for a failed token request (the API was never called).
fn token_failure(err: Error, url: url::Url) -> reqwest::Response {
    let status = match &err {
        Error::Auth {
            reason: AuthFailure::Rejected,
            ..
        } => StatusCode::UNAUTHORIZED,
        Error::Auth {
            reason: AuthFailure::InvalidResponse,
            ..
        } => StatusCode::BAD_GATEWAY,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    let body = serde_json::json!({ "title": err.to_string(), "status": status.as_u16() });
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    let head = Head {
        status,
        version: reqwest::Version::HTTP_11,
        headers,
        url,
    };
    with_error(head, Bytes::from(body.to_string()), err)
}

/// ServiceTitan's trace id from response headers, when one is present.
pub(crate) fn trace_id_from_headers(headers: &HeaderMap) -> Option<String> {
    for name in [
        "x-trace-id",
        "trace-id",
        "traceid",
        "x-correlation-id",
        "request-id",
        "x-request-id",
    ] {
        if let Some(value) = headers.get(name).and_then(|v| v.to_str().ok()) {
            return Some(value.to_owned());
        }
    }
    // W3C trace context: `00-<trace id>-<span id>-<flags>`.
    let parent = headers.get("traceparent")?.to_str().ok()?;
    parent.split('-').nth(1).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_headers_are_sensitive() {
        let mut headers = HeaderMap::new();
        let token = SecretString::from("tok-123".to_owned());
        set_headers(
            &mut headers,
            &token,
            &HeaderValue::from_static("ak1.key"),
            &HeaderValue::from_static(USER_AGENT_PREFIX),
        );
        assert_eq!(headers[AUTHORIZATION], "Bearer tok-123");
        assert!(headers[AUTHORIZATION].is_sensitive());
        assert_eq!(headers[APP_KEY_HEADER], "ak1.key");
        assert!(headers[APP_KEY_HEADER].is_sensitive());
        assert!(!headers[USER_AGENT].is_sensitive());
        let shown = format!("{headers:?}");
        assert!(
            !shown.contains("tok-123") && !shown.contains("ak1.key"),
            "{shown}"
        );
    }

    #[test]
    fn trace_ids_from_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("traceparent", HeaderValue::from_static("00-abc123-def-01"));
        assert_eq!(trace_id_from_headers(&headers).as_deref(), Some("abc123"));
        headers.insert("x-trace-id", HeaderValue::from_static("t-1"));
        assert_eq!(trace_id_from_headers(&headers).as_deref(), Some("t-1"));
    }
}
