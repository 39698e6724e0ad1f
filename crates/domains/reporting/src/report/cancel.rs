//! Cancelling a report data query that is left behind (`DELETE …/data-queries/{token}`): the
//! API keeps running it, and holding one of the tenant's few query slots, otherwise.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::Api;

/// Cancellations sent from `Drop` that have not finished yet.
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// Cancels its query when dropped, unless disarmed (the query finished).
pub(crate) struct CancelOnDrop {
    api: Api,
    token: Option<String>,
}

impl CancelOnDrop {
    pub fn new(api: Api, token: String) -> Self {
        CancelOnDrop {
            api,
            token: Some(token),
        }
    }

    /// The query finished: nothing to cancel.
    pub fn disarm(&mut self) {
        self.token = None;
    }

    /// Cancels now and waits for the answer.
    pub async fn now(&mut self) {
        if let Some(token) = self.token.take() {
            send(&self.api, &token).await;
        }
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        let Some(token) = self.token.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
                let api = self.api.clone();
                runtime.spawn(async move {
                    send(&api, &token).await;
                    IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
                });
            }
            Err(_) => tracing::warn!(
                target: "servicetitan::reporting",
                token,
                "report data query left running: dropped outside a tokio runtime, so it cannot be cancelled"
            ),
        }
    }
}

async fn send(api: &Api, token: &str) {
    match api.data_queries_delete(token).send().await {
        Ok(_) => {
            tracing::debug!(target: "servicetitan::reporting", token, "report data query cancelled")
        }
        Err(e) => tracing::warn!(
            target: "servicetitan::reporting",
            token,
            error = %e,
            "report data query could not be cancelled; it ends on the server's own timeout"
        ),
    }
}

/// Waits until the cancellations of dropped report runs have been answered, at most `max`;
/// `true` when none is left. A program that exits right after dropping a run (Ctrl-C) calls
/// this so the `DELETE` is not cut off.
pub async fn wait_for_cancellations(max: Duration) -> bool {
    let until = tokio::time::Instant::now() + max;
    while IN_FLIGHT.load(Ordering::SeqCst) > 0 {
        if tokio::time::Instant::now() >= until {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    true
}
