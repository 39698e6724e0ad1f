//! Per-operation policy: what the transport does differently for one operation.

/// What the transport does differently for an operation. Set by the generator (reporting's
/// report runs get [`OperationPolicy::REPORT_DATA`]) and carried in the operation table, so
/// the runtime holds no list of special operations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct OperationPolicy<S = &'static str> {
    /// A rate limit of its own, per value of this path parameter, on top of the tenant's:
    /// report runs are limited per `reportId` (ServiceTitan allows 5 runs of the same report a
    /// minute). A `429` of such a call concerns that key alone, so it does not pause the tenant.
    pub limit_key: Option<S>,
    /// `409 Conflict` means "the same work is already running": wait and retry, whatever the
    /// method.
    pub retry_conflict: bool,
}

impl OperationPolicy {
    /// No limit of its own, `409` is final: every operation but report runs.
    pub const STANDARD: OperationPolicy = OperationPolicy {
        limit_key: None,
        retry_conflict: false,
    };

    /// A report run (`POST …/reports/{reportId}/data`): limited per report, `409` (that report
    /// is already running for the tenant) retried.
    pub const REPORT_DATA: OperationPolicy = OperationPolicy {
        limit_key: Some("reportId"),
        retry_conflict: true,
    };

    /// The same policy with owned strings, for an [`OwnedOperationMeta`](crate::OwnedOperationMeta).
    pub fn to_owned_policy(&self) -> OperationPolicy<String> {
        OperationPolicy {
            limit_key: self.limit_key.map(String::from),
            retry_conflict: self.retry_conflict,
        }
    }
}
