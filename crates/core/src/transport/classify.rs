//! Stage "classify": what one attempt's result means — a response to return, a failure to
//! return, a failure worth another attempt, or a 401 worth one token refresh.
//!
//! Invariants: [`Outcome::Retry`] is only produced when the request can be sent again
//! (`can_repeat`: its body could be cloned) and the rules of [`crate::retry`] allow it; every
//! failure carries the typed [`Error`] the caller will see, its server-provided texts redacted;
//! success bodies are read here within the size cap into a [`Reply`] (downloads excepted: they
//! stay streamed), error bodies only up to [`ERROR_BODY_BYTES`].

use std::time::Duration;

use bytes::Bytes;
use reqwest::{Response, StatusCode};

use super::pipeline::Call;
use super::redirect::RedirectError;
use super::response::trace_id_from_headers;
use super::{Inner, Reply};
use crate::auth::{AccessToken, AuthError};
use crate::body::{self, BodyError, ERROR_BODY_BYTES};
use crate::error::{ApiError, Error, TransportFailure};
use crate::operation::OperationKind;
use crate::retry::{classify_status, classify_transport_error, Verdict};

/// What one attempt came to.
pub(super) enum Outcome {
    /// Return this reply to the caller.
    Done(Reply),
    /// Give up with this failure.
    Fail(Failure),
    /// Try again after the server's wait (or the backoff) if attempts and time allow; otherwise
    /// give up with this failure.
    Retry {
        failure: Failure,
        server_wait: Option<Duration>,
    },
    /// The API refused the token (first 401 of the call): it was invalidated; repeat at once.
    Refresh,
}

/// A failed attempt: the typed error the caller gets if it is the last one.
pub(super) struct Failure {
    pub(super) error: Error,
}

impl Failure {
    pub(super) fn new(error: Error) -> Self {
        Failure { error }
    }
}

/// A failed token request: transient reasons are retried (the API was not called yet, so any
/// method may be), with the token endpoint's `Retry-After`.
pub(super) fn token_failure(err: AuthError) -> Outcome {
    let transient = err.reason.is_transient();
    let server_wait = err.retry_after;
    let failure = Failure::new(err.into());
    if transient {
        Outcome::Retry {
            failure,
            server_wait,
        }
    } else {
        Outcome::Fail(failure)
    }
}

/// A request that got no response: connect errors are retried for every method, timeouts and
/// dropped connections only when the call may be repeated; redirect loops are not retried.
pub(super) fn send_failure(call: &Call<'_>, err: RedirectError, can_repeat: bool) -> Outcome {
    let err = match err {
        RedirectError::TooMany(hops) => {
            let error = call.transport_error(TransportFailure::TooManyRedirects(hops), None);
            return Outcome::Fail(Failure::new(error));
        }
        RedirectError::Http(err) => err,
    };
    let retry = can_repeat && classify_transport_error(&err, call.may_repeat);
    let error = if err.is_timeout() {
        call.timeout_error(Some(err))
    } else {
        let failure = if err.is_connect() {
            TransportFailure::Connect
        } else {
            TransportFailure::Send
        };
        call.transport_error(failure, Some(err))
    };
    let failure = Failure::new(error);
    if retry {
        Outcome::Retry {
            failure,
            server_wait: None,
        }
    } else {
        Outcome::Fail(failure)
    }
}

/// A response: read its body (within the caps) and decide.
pub(super) async fn response(
    inner: &Inner,
    call: &mut Call<'_>,
    mut response: Response,
    token: &AccessToken,
    can_repeat: bool,
) -> Outcome {
    let status = response.status();
    call.span.record("status", status.as_u16());
    // Only for a span someone listens to: finding, copying and redacting it costs every call.
    if !call.span.is_disabled() {
        if let Some(trace_id) = trace_id_from_headers(response.headers()) {
            call.span
                .record("trace_id", inner.secrets.redact(&trace_id).as_str());
        }
    }
    if !(status.is_client_error() || status.is_server_error()) {
        return success(inner, call, response, can_repeat).await;
    }
    if status == StatusCode::UNAUTHORIZED && !call.refreshed && can_repeat {
        call.refreshed = true;
        tracing::debug!(
            attempt = call.attempt,
            "401: fetching a new access token and repeating the call once"
        );
        inner.tokens.invalidate(token);
        return Outcome::Refresh;
    }
    let headers = std::mem::take(response.headers_mut());
    let url = response.url().clone();
    let body = redacted(inner, body::read_prefix(response, ERROR_BODY_BYTES).await);
    let error = api_error(inner, call, status, &headers, &url, &body);
    if let Some(trace_id) = &error.trace_id {
        call.span.record("trace_id", trace_id.as_str());
    }
    if let (StatusCode::TOO_MANY_REQUESTS, Some(shared)) = (status, &inner.shared_limiter) {
        shared.throttled(call.report.as_deref(), error.retry_after);
    }
    if status == StatusCode::TOO_MANY_REQUESTS && !call.keyed {
        // The tenant's budget is spent for every call, not only this one (a report's 429
        // concerns that report alone) — but a wait beyond the retry budget is this call's
        // failure, not a reason to freeze the tenant's later calls.
        if let Some(wait) = error.retry_after.filter(|w| *w <= call.policy.max_elapsed) {
            inner.limits.pause(wait);
        }
        // And it paces slower for a while (limit::adaptive): a server counting more strictly
        // than the client's margin allows is not met with the same rate again.
        inner.limits.throttled();
    }
    let verdict = if can_repeat {
        classify_status(
            status,
            call.may_repeat,
            call.meta.policy.retry_conflict,
            error.retry_after,
        )
    } else {
        Verdict::Stop
    };
    let failure = Failure::new(error.into());
    match verdict {
        Verdict::Retry(server_wait) => Outcome::Retry {
            failure,
            server_wait,
        },
        Verdict::Stop => Outcome::Fail(failure),
    }
}

/// A 2xx/3xx answer: its body read within the cap (downloads stay streamed). A body failing
/// mid-way is retried like a dropped connection.
async fn success(
    inner: &Inner,
    call: &Call<'_>,
    mut response: Response,
    can_repeat: bool,
) -> Outcome {
    tracing::debug!(status = response.status().as_u16(), "response");
    if call.meta.kind == OperationKind::Download {
        return Outcome::Done(Reply::streamed(response));
    }
    match body::read_capped(&mut response, inner.max_body).await {
        Ok(bytes) => Outcome::Done(Reply::read(&mut response, bytes)),
        Err(BodyError::TooLarge) => Outcome::Fail(Failure::new(Error::TooLarge {
            operation: call.operation(),
            limit: inner.max_body,
        })),
        Err(BodyError::Failed(err)) => {
            let kind = body::failure_kind(&err);
            let retry = can_repeat && call.may_repeat;
            let error = call.transport_error(TransportFailure::Body(kind), Some(err));
            let failure = Failure::new(error);
            if retry {
                Outcome::Retry {
                    failure,
                    server_wait: None,
                }
            } else {
                Outcome::Fail(failure)
            }
        }
    }
}

/// The error body with every known secret replaced (a server may echo them).
fn redacted(inner: &Inner, body: Bytes) -> Bytes {
    let text = String::from_utf8_lossy(&body);
    let clean = inner.secrets.redact(&text);
    if clean == text {
        body
    } else {
        Bytes::from(clean)
    }
}

fn api_error(
    inner: &Inner,
    call: &Call<'_>,
    status: StatusCode,
    headers: &reqwest::header::HeaderMap,
    url: &url::Url,
    body: &[u8],
) -> ApiError {
    let mut error = ApiError::from_head(status, headers, Some(url), Some(body));
    error.trace_id = error.trace_id.map(|t| inner.secrets.redact(&t));
    error.operation_id = Some(call.meta.operation_id);
    error.scopes = call.meta.scopes;
    error.path_template = Some(call.meta.path);
    error.method = Some(call.method.to_string());
    if status == StatusCode::TOO_MANY_REQUESTS {
        error.rate_limit = inner.limits.describe(call.keyed);
    }
    error
}
