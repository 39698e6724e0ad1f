//! Configuration resolution. SKELETON — to be completed.

/// Resolved configuration.
#[derive(Clone, Debug, Default)]
pub struct Config {}
