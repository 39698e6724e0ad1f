//! Per-request options: set on the request itself, visible at the call site.
//!
//! A [`RequestOptions`] value travels with a cheap clone of the [`Transport`](super::Transport)
//! (and so with the domain `Api` built on it: `jpm.with_options(…)`), not in a task-local, so it
//! holds wherever the request is sent from — a spawned task included.

use crate::retry::RetryPolicy;

/// Options for the requests sent through one handle.
///
/// ```no_run
/// # fn demo(client: &servicetitan_core::Client) {
/// use servicetitan_core::transport::RequestOptions;
/// // This handle retries POST/PATCH on gateway errors and timeouts; `client` itself does not.
/// let reports = client.with_options(RequestOptions::new().retry_non_idempotent());
/// # let _ = reports; }
/// ```
#[derive(Clone, Debug, Default)]
pub struct RequestOptions {
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) non_idempotent: bool,
}

impl RequestOptions {
    /// No options: the client's settings apply.
    pub fn new() -> Self {
        Self::default()
    }

    /// Use this retry policy instead of the client's.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Retry `POST`/`PATCH` calls on gateway errors and timeouts like idempotent ones: for calls
    /// you know to be safe to repeat (a report run, a search).
    pub fn retry_non_idempotent(mut self) -> Self {
        self.non_idempotent = true;
        self
    }
}
