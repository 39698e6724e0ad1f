//! The request pipeline: per attempt, the stages pace → authorize → send (and follow
//! redirects) → classify; then one wait-and-retry decision for every kind of failure.
//!
//! Bounds: at most [`RetryPolicy::max_attempts`] attempts (a 401's single token refresh aside),
//! and all attempts together — token requests and waits included — within
//! [`RetryPolicy::max_elapsed`]: a wait that would end past it is not waited for, and an attempt
//! still running when it ends is cut off as a timeout naming the operation.
//!
//! The cut-off is part of the request timeout: with `ClientBuilder::request_timeout(None)` an
//! attempt has no time bound at all (the budget then bounds the waits between attempts only).
//! This also keeps tests on paused tokio time working: with no request timeout, no timer is
//! pending while a request waits for a (real) loopback server.

use std::time::Duration;

use reqwest::{Method, Request};
use tokio::time::Instant;
use tracing::Span;

use super::classify::{self, Failure, Outcome};
use super::{authorize, pace, send, Reply, Transport};
use crate::error::{Error, TransportFailure};
use crate::operation::OperationMeta;
use crate::retry::RetryPolicy;

/// One call: what is known about it and how far it got.
pub(super) struct Call<'a> {
    pub(super) meta: &'static OperationMeta,
    pub(super) method: Method,
    /// The request's path, for messages, when the operation table has none (an unknown
    /// operation); the URL itself is not copied for every call.
    path: Option<String>,
    pub(super) report: Option<String>,
    /// Whether the operation has a limit of its own (report runs, keyed by report id).
    pub(super) keyed: bool,
    /// Whether the call may be repeated after the server may have processed it.
    pub(super) may_repeat: bool,
    pub(super) policy: &'a RetryPolicy,
    started: Instant,
    pub(super) attempt: u32,
    failures: u32,
    pub(super) refreshed: bool,
    pub(super) span: Span,
}

impl<'a> Call<'a> {
    fn new(transport: &'a Transport, request: &Request, meta: &'static OperationMeta) -> Self {
        let method = request.method().clone();
        let path = request.url().path();
        // The operation's policy (generated into its table entry) says whether it has a limit of
        // its own — report runs, keyed by report id — and whether a 409 is retried.
        let keyed = meta.policy.limit_key.is_some();
        let report = meta.limit_key(path).map(str::to_owned);
        let policy = transport.policy();
        let names = [meta.operation_id, meta.method_name];
        let may_repeat = policy.may_repeat(&method, &names) || transport.options.non_idempotent;
        Call {
            meta,
            path: meta.path.is_empty().then(|| path.to_owned()),
            method,
            report,
            keyed,
            may_repeat,
            policy,
            started: Instant::now(),
            attempt: 0,
            failures: 0,
            refreshed: false,
            span: Span::current(),
        }
    }

    /// `Jobs_Get (GET /tenant/{tenant}/jobs/{id})`: the operation, for messages.
    pub(super) fn operation(&self) -> String {
        let path = self.path.as_deref().unwrap_or(self.meta.path);
        format!("{} ({} {path})", self.meta.operation_id, self.method)
    }

    pub(super) fn transport_error(
        &self,
        failure: TransportFailure,
        source: Option<reqwest::Error>,
    ) -> Error {
        Error::Transport {
            operation: Some(self.operation()),
            failure,
            attempts: self.attempt,
            source: source.map(reqwest::Error::without_url),
        }
    }

    pub(super) fn timeout_error(&self, source: Option<reqwest::Error>) -> Error {
        Error::Timeout {
            operation: Some(self.operation()),
            budget: source.is_none().then_some(self.policy.max_elapsed),
            attempts: self.attempt,
            source: source.map(reqwest::Error::without_url),
        }
    }

    /// When the retry budget ends, if attempts are time-bounded at all (`None` without a
    /// request timeout, or for a budget too large to represent).
    fn deadline(&self, request_timeout: Option<Duration>) -> Option<Instant> {
        request_timeout?;
        self.started.checked_add(self.policy.max_elapsed)
    }

    /// The wait before another attempt, or `None` when attempts or time are used up.
    fn next_wait(&mut self, server_wait: Option<Duration>) -> Option<Duration> {
        self.failures += 1;
        // In a read-ahead stream the requests in flight share one count (`stream_retries`).
        let stream_failures = super::stream_retries::failed().unwrap_or(0);
        if self.failures.max(stream_failures) >= self.policy.max_attempts {
            return None;
        }
        let wait = server_wait.unwrap_or_else(|| self.policy.backoff_for(self.failures));
        let ends = self.started.elapsed().checked_add(wait);
        if ends.is_none_or(|ends| ends > self.policy.max_elapsed) {
            tracing::debug!(
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                budget_ms = u64::try_from(self.policy.max_elapsed.as_millis()).unwrap_or(u64::MAX),
                "the next wait would exceed the retry time budget; giving up"
            );
            return None;
        }
        Some(wait)
    }

    fn give_up(&self, failure: Failure) -> Error {
        tracing::debug!(
            attempt = self.attempt,
            latency_ms = self.started.elapsed().as_millis() as u64,
            error = %failure.error,
            "request failed"
        );
        failure.error
    }
}

/// The request of a call. Invariant: it is kept until the one attempt that cannot copy it (a
/// streamed body), which takes it and reports `can_repeat: false`; classification never asks
/// for another attempt after that, so [`Template::next`] returning `None` is unreachable in
/// practice and handled as an error rather than a panic.
struct Template {
    /// The request, until it is handed over for good (a streamed body).
    request: Option<Request>,
}

impl Template {
    fn new(request: Request) -> Self {
        Template {
            request: Some(request),
        }
    }

    /// The request to send now, and whether it can be sent again later.
    fn next(&mut self) -> Option<(Request, bool)> {
        let request = self.request.as_ref()?;
        if let Some(copy) = request.try_clone() {
            return Some((copy, true));
        }
        self.request.take().map(|request| (request, false))
    }

    /// The request kept for another attempt, if any.
    fn request(&self) -> Option<&Request> {
        self.request.as_ref()
    }
}

/// Runs a call to its end: the successful reply, or the typed error of the last attempt.
pub(super) async fn run(
    transport: &Transport,
    request: Request,
    meta: &'static OperationMeta,
) -> Result<Reply, Error> {
    let inner = &*transport.inner;
    // Held across attempts: a retry is still the same call in flight. Queueing for the slot is
    // local, so the retry budget starts once it is held.
    let _permit = pace::permit(&inner.limits, meta).await;
    let mut call = Call::new(transport, &request, meta);
    let mut template = Template::new(request);
    loop {
        call.attempt += 1;
        call.span.record("attempt", call.attempt);
        let outcome = match call.deadline(inner.request_timeout) {
            Some(deadline) => {
                let attempt = attempt(transport, &mut call, &mut template);
                match tokio::time::timeout_at(deadline, attempt).await {
                    Ok(outcome) => outcome,
                    Err(_) => Outcome::Fail(Failure::new(call.timeout_error(None))),
                }
            }
            None => attempt(transport, &mut call, &mut template).await,
        };
        match outcome {
            Outcome::Done(reply) => {
                if reply.status().is_success() {
                    super::stream_retries::succeeded();
                }
                return Ok(reply);
            }
            Outcome::Fail(failure) => return Err(call.give_up(failure)),
            Outcome::Refresh => {}
            Outcome::Retry {
                failure,
                server_wait,
            } => match call.next_wait(server_wait) {
                Some(wait) => {
                    tracing::debug!(
                        attempt = call.attempt,
                        wait_ms = wait.as_millis() as u64,
                        server_requested = server_wait.is_some(),
                        error = %failure.error,
                        "retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
                None => return Err(call.give_up(failure)),
            },
        }
    }
}

/// One attempt through the stages.
async fn attempt(transport: &Transport, call: &mut Call<'_>, template: &mut Template) -> Outcome {
    let inner = &*transport.inner;
    let report = call.report.as_deref();
    match &inner.shared_limiter {
        Some(shared) => {
            if let Err(error) = pace::wait_shared(&inner.limits, &**shared, report).await {
                return Outcome::Fail(Failure::new(error));
            }
        }
        None => pace::wait(&inner.limits, report).await,
    }
    let token = match authorize::token(inner).await {
        Ok(token) => token,
        Err(err) => return classify::token_failure(err),
    };
    let app_key = match &inner.app_key {
        Ok(value) => value,
        Err(reason) => {
            let error = Error::InvalidSetting {
                name: "app key (SERVICETITAN_APP_KEY)",
                reason: reason.clone(),
            };
            return Outcome::Fail(Failure::new(error));
        }
    };
    let Some((mut request, can_repeat)) = template.next() else {
        let error = Error::Other(format!(
            "{}: the request body was already sent and cannot be sent again",
            call.operation()
        ));
        return Outcome::Fail(Failure::new(error));
    };
    if let Err(error) =
        authorize::set_headers(request.headers_mut(), &token, app_key, &inner.user_agent)
    {
        return Outcome::Fail(Failure::new(error));
    }
    if request.timeout().is_none() {
        *request.timeout_mut() = inner.request_timeout;
    }
    // The request as sent, again, for a redirect (rare): the template plus the same headers.
    let as_sent = || {
        let mut again = template.request()?.try_clone()?;
        authorize::set_headers(again.headers_mut(), &token, app_key, &inner.user_agent).ok()?;
        Some((again.url().clone(), std::mem::take(again.headers_mut())))
    };
    let listened = !call.span.is_disabled();
    let sent = listened.then(Instant::now);
    let result = send::send(&inner.http, request, inner.request_timeout, as_sent).await;
    if let Some(sent) = sent {
        call.span
            .record("latency_ms", sent.elapsed().as_millis() as u64);
    }
    match result {
        Ok(response) => classify::response(inner, call, response, &token, can_repeat).await,
        Err(err) => classify::send_failure(call, err, can_repeat),
    }
}
