//! Static description of a generated operation, emitted by the code generator into every domain
//! crate (`OPERATIONS`). Used by the transport (an operation's own rate limit and `409` retry
//! come from its [`OperationPolicy`]), by error messages (the OAuth scope of a 403) and by the
//! CLI.
//!
//! The model is defined once, in the dependency-free `servicetitan-operation` crate that the code
//! generator shares; it is re-exported here so generated crates and users name it through the
//! core.

pub use servicetitan_operation::{OperationKind, OperationMeta, OperationPolicy};
