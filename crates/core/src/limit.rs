//! Client-side rate limits. SKELETON — to be completed.
