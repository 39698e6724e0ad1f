//! Workspace test support. (filled in later)
