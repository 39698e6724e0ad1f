//! Workspace test support: the operation inventory read from the specs by the root build script.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use servicetitan_operation::{OperationKind, OperationMeta, OperationPolicy};

/// One operation as the spec documents describe it, in the model the crates' tables use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecOperation {
    /// Module short name (`jpm`).
    pub module: &'static str,
    /// The operation, read from the spec (the method name is the one the SDK promises).
    pub meta: OperationMeta,
}

include!(concat!(env!("OUT_DIR"), "/inventory.rs"));
