//! Workspace test support: the operation inventory read from the specs by the root build script.

/// One operation as the spec documents describe it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecOperation {
    /// Module short name (`jpm`).
    pub module: &'static str,
    /// `operationId`.
    pub operation_id: &'static str,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Path template.
    pub path: &'static str,
    /// Detected kind (`Plain`, `PagedList`, `Export`, `Download`, `Upload`).
    pub kind: &'static str,
    /// The method name the SDK promises.
    pub method_name: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/inventory.rs"));
