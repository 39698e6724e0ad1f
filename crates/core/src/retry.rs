//! Retry policy. SKELETON — to be completed.
