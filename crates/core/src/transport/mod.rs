//! The request pipeline every call goes through: [`Transport::send`], the one entry point of
//! the generated `send()`, calls by operation id or path, uploads and downloads.
//!
//! Each call runs through named stages (module `pipeline`), once per attempt:
//!
//! 1. **pace** (`pace`) — the operation's concurrency slot, the tenant's 429 pause, the tenant's
//!    and the report's rate limiters;
//! 2. **authorize** (`authorize`) — a token from the [`TokenProvider`],
//!    `Authorization`, `ST-App-Key`, `User-Agent`;
//! 3. **send and follow redirects** (`send`, `redirect`) — credentials stay on the API's origin;
//! 4. **classify** (`classify`) — the body read within its cap, the answer turned into a
//!    response to return, a failure, a failure worth retrying, or a 401 worth one token refresh;
//! 5. **wait or return** (`pipeline`) — one wait-and-retry path for every kind of failure,
//!    bounded by [`RetryPolicy`]'s attempts and wall-clock budget.
//!
//! A call ends in a [`Reply`] (success: its body read within the cap, or a download still
//! streaming) or the typed [`Error`] — nothing else travels inside a response.
//!
//! Tracing: one `servicetitan.request` span per call (INFO) with the operation id, the HTTP
//! method, the path *template* (never query values or ids), the tenant, the attempt, the status,
//! the latency and ServiceTitan's trace id. Retries and rate-limit waits are DEBUG events. No
//! header value is ever recorded, the secret headers are marked sensitive, and every text from a
//! server is redacted before it reaches a log line or an error.

mod authorize;
mod classify;
mod options;
mod pace;
mod pipeline;
mod redirect;
mod reply;
mod response;
mod send;
pub(crate) mod stream_retries;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use secrecy::SecretString;
use tracing::field::Empty;
use tracing::Instrument;

use crate::auth::TokenProvider;
use crate::error::Error;
use crate::limit::TenantLimits;
use crate::operation::OperationMeta;
use crate::redact::Secrets;
use crate::retry::RetryPolicy;

pub(crate) use authorize::app_key_header;
pub use options::RequestOptions;
pub use reply::{Body, Reply};
#[doc(hidden)]
pub use response::parse_body;

/// The header carrying the application key.
pub const APP_KEY_HEADER: &str = "st-app-key";

/// The `User-Agent` every request carries (a suffix can be added on the builder).
pub const USER_AGENT_PREFIX: &str = concat!("servicetitan-rs/", env!("CARGO_PKG_VERSION"));

/// Per-tenant request pipeline; the "inner" value of every generated client.
/// Cheap to clone; clones share the token cache and limiters, and carry their own
/// [`RequestOptions`] ([`Transport::with_options`]).
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
    options: RequestOptions,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) tokens: Arc<dyn TokenProvider>,
    /// What provides the tokens, for messages (the token URL, its password redacted).
    pub(crate) token_source: String,
    /// `ST-App-Key`, marked sensitive; or why the configured key cannot be sent.
    pub(crate) app_key: Result<HeaderValue, String>,
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryPolicy,
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) limits: Arc<TenantLimits>,
    /// A budget shared with other processes: replaces `limits`' rate limiters when set.
    pub(crate) shared_limiter: Option<Arc<dyn crate::shared_state::SharedLimiter>>,
    pub(crate) tenant_id: i64,
    pub(crate) secrets: Arc<Secrets>,
    /// Cap on a success body, in bytes.
    pub(crate) max_body: u64,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Transport")
            .field("tenant_id", &inner.tenant_id)
            .field("tokens", &inner.tokens)
            .field("app_key", &"[REDACTED]")
            .field("user_agent", &inner.user_agent)
            .field("retry", &inner.retry)
            .field("request_timeout", &inner.request_timeout)
            .field("max_response_bytes", &inner.max_body)
            .field("limits", &inner.limits)
            .field("options", &self.options)
            .finish()
    }
}

impl Transport {
    pub(crate) fn new(inner: Inner) -> Self {
        Transport {
            inner: Arc::new(inner),
            options: RequestOptions::default(),
        }
    }

    /// A handle sharing this one's token cache, limiters and connection pool whose requests use
    /// `options` (e.g. a retry opt-in for non-idempotent calls).
    pub fn with_options(&self, options: RequestOptions) -> Transport {
        Transport {
            inner: self.inner.clone(),
            options,
        }
    }

    /// The options this handle's requests use.
    pub fn options(&self) -> &RequestOptions {
        &self.options
    }

    pub(crate) fn policy(&self) -> &RetryPolicy {
        self.options.retry.as_ref().unwrap_or(&self.inner.retry)
    }

    /// An access token for this tenant, checked to be sendable; errors are redacted.
    pub(crate) async fn access_token(&self) -> Result<SecretString, Error> {
        authorize::token(&self.inner)
            .await
            .map(|token| token.secret().clone())
            .map_err(Error::from)
    }

    /// `true` when both transports share the same rate limiters (same app key and tenant, same
    /// client family).
    pub fn shares_limits_with(&self, other: &Transport) -> bool {
        Arc::ptr_eq(&self.inner.limits, &other.inner.limits)
    }

    /// Sends one request through the pipeline (pace, authorize, send and follow redirects,
    /// classify, retry) as the operation `meta`: the successful [`Reply`] — its body read
    /// within `max_response_bytes`, or for a download still streaming — or the typed
    /// [`Error`] of the last attempt. Every call of the SDK goes through here.
    pub async fn send(
        &self,
        request: reqwest::Request,
        meta: &'static OperationMeta,
    ) -> Result<Reply, Error> {
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
        pipeline::run(self, request, meta).instrument(span).await
    }
}
