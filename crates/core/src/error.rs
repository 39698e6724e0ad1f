//! The SDK's error type. SKELETON — to be completed.

/// Every error the SDK returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Placeholder until the real variants land.
    #[error("{0}")]
    Other(String),
}

impl<E> From<progenitor_client::Error<E>> for Error {
    fn from(err: progenitor_client::Error<E>) -> Self {
        Error::Other(format!("{:?}", err.status()))
    }
}
