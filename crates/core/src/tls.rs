//! The TLS crypto provider, installed once per process.
//!
//! reqwest is built with `rustls-no-provider` and rustls with `ring` only: reqwest's own `rustls`
//! feature brings aws-lc-rs, whose C build (aws-lc-sys) was about a third of a clean build of the
//! facade. Without a provider reqwest panics when a client is built, so the SDK installs ring
//! before it builds one, unless the process already chose a provider (the application's choice
//! wins).

use std::sync::Once;

/// Installs rustls' `ring` provider as the process default, unless one is installed already.
///
/// [`Client`](crate::Client) calls it before building its connection pool; call it yourself
/// before building a `reqwest::Client` of your own in a process that uses this SDK.
///
/// ```
/// servicetitan_core::install_crypto_provider();
/// let http = reqwest::Client::builder().build();
/// assert!(http.is_ok());
/// ```
pub fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Losing a race with another installer is fine: a provider is installed either way.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_client_builds_after_installation() {
        super::install_crypto_provider();
        super::install_crypto_provider();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
        assert!(reqwest::Client::builder().build().is_ok());
    }
}
