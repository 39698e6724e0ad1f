//! Stage "pace": wait until the tenant may send.
//!
//! Invariant: when [`wait`] returns, the tenant's 429 pause (if any) has passed and one token of
//! the tenant's request budget (and of the report's, for report runs) is spent on this attempt.
//! [`permit`] holds an operation's concurrency slot for the whole call: a retry is still the same
//! call in flight.

use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;

use crate::error::Error;
use crate::limit::TenantLimits;
use crate::operation::OperationMeta;
use crate::shared_state::SharedLimiter;

/// The operation's concurrency slot, when it has a cap (by spec id or Rust method name).
pub(super) async fn permit(
    limits: &TenantLimits,
    meta: &OperationMeta,
) -> Option<OwnedSemaphorePermit> {
    let semaphore = [meta.operation_id, meta.method_name]
        .iter()
        .find_map(|name| limits.concurrency.get(*name))?;
    let waiting = Instant::now();
    // The semaphores live as long as the limits and are never closed; a closed one would only
    // mean "no cap".
    let permit = semaphore.clone().acquire_owned().await.ok()?;
    let waited = waiting.elapsed();
    if !waited.is_zero() {
        tracing::debug!(
            waited_ms = waited.as_millis() as u64,
            "waited for a concurrency slot"
        );
    }
    Some(permit)
}

/// Waits for the tenant's request budget (and the report's, for report runs).
pub(super) async fn wait(limits: &TenantLimits, report: Option<&str>) {
    paused(limits).await;
    local(limits, report).await;
}

/// [`wait`] with the budget shared by other processes (`shared_state`): the 429 pause is still
/// this process's, the permits come from the shared limiter. Its error ends the call.
pub(super) async fn wait_shared(
    limits: &TenantLimits,
    shared: &dyn SharedLimiter,
    report: Option<&str>,
) -> Result<(), Error> {
    paused(limits).await;
    let waited = shared.acquire(report).await?;
    if !waited.is_zero() {
        tracing::debug!(
            waited_ms = waited.as_millis() as u64,
            report_id = report,
            "shared rate limit wait"
        );
    }
    Ok(())
}

async fn paused(limits: &TenantLimits) {
    if let Some(wait) = limits.paused_for() {
        tracing::debug!(
            wait_ms = wait.as_millis() as u64,
            "ServiceTitan asked this tenant to slow down (429); waiting"
        );
        tokio::time::sleep(wait).await;
    }
}

async fn local(limits: &TenantLimits, report: Option<&str>) {
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
