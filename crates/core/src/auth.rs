//! OAuth2 client-credentials tokens. SKELETON — to be completed.
