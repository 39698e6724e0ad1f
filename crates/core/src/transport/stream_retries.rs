//! Retries counted per stream, not per request in flight.
//!
//! Why: a read-ahead stream ([`crate::paging::pages_prefetched`]) has several page requests in
//! flight. If each retried on its own budget, a failing server would get every request's
//! attempts (4 requests ahead × 4 attempts) where a lazy stream sends 4. The requests of one
//! stream therefore share one count of consecutive failures: a request retries only while the
//! stream's count is below [`RetryPolicy::max_attempts`](crate::RetryPolicy); any success resets it.
//! The stream scopes its request futures with [`scope`] (a tokio task-local, so it follows a
//! request onto the task it is spawned on).

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// The shared failure count of one stream's requests.
#[derive(Debug, Default)]
pub(crate) struct StreamRetries {
    consecutive_failures: AtomicU32,
}

tokio::task_local! {
    static STREAM: Arc<StreamRetries>;
}

/// `fut` with its calls counted in `shared`.
pub(crate) fn scope<F: Future>(
    shared: Arc<StreamRetries>,
    fut: F,
) -> tokio::task::futures::TaskLocalFuture<Arc<StreamRetries>, F> {
    STREAM.scope(shared, fut)
}

/// Counts a failure of the current call; the stream's consecutive failures so far (`None`
/// outside a stream).
pub(super) fn failed() -> Option<u32> {
    STREAM
        .try_with(|s| s.consecutive_failures.fetch_add(1, Ordering::Relaxed) + 1)
        .ok()
}

/// A call of the stream succeeded: its failures are no longer consecutive.
pub(super) fn succeeded() {
    let _ = STREAM.try_with(|s| s.consecutive_failures.store(0, Ordering::Relaxed));
}
