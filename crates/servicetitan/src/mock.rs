//! A local ServiceTitan in process, and a [`Client`] wired to it: for trying the SDK without
//! credentials and for testing your own integration offline.
//!
//! ```no_run
//! # #[cfg(feature = "jpm")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use servicetitan::prelude::*;
//!
//! let mock = servicetitan::mock::start().await?;          // 127.0.0.1, a free port
//! let page = mock.jpm().jobs_get_list().page_size(10).send().await?; // `mock` derefs to a Client
//! assert_eq!(page.data.len(), 10);
//! assert_eq!(mock.server.counters().token_requests, 1);
//! # Ok(()) }
//! ```
//!
//! [`start_with`](crate::mock::start_with) takes a [`MockConfig`](crate::mock::MockConfig) (records, seed, rate limits, faults, drift); see
//! the `servicetitan-mock` crate for what the server does.

use crate::{Client, Error};
use servicetitan_core::config::EnvSource;
pub use servicetitan_mock::{Counters, Credentials, Faults, LogEntry, MockConfig, MockServer};
use std::ops::Deref;

/// A running mock and a client configured for it. Derefs to the [`Client`]; dropping it stops
/// the server.
#[derive(Debug)]
pub struct Mock {
    /// The client: credentials, tenant and URLs of the mock, nothing read from the environment.
    pub client: Client,
    /// The server (counters, request log, faults).
    pub server: MockServer,
}

impl Deref for Mock {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

/// Why a mock could not be started. A local server that cannot listen is not an API error, so
/// it is not one of the SDK's [`Error`]s.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The server could not listen on `127.0.0.1:port` (the port is taken, or not allowed).
    Listen {
        /// The port asked for (0: any free port).
        port: u16,
        /// The system's error.
        source: std::io::Error,
    },
    /// The client for it could not be built.
    Client(Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Listen { port: 0, source } => write!(
                f,
                "the local mock ServiceTitan could not listen on a free port of 127.0.0.1: {source}"
            ),
            StartError::Listen { port, source } => write!(
                f,
                "the local mock ServiceTitan could not listen on 127.0.0.1:{port}: {source}; \
                 choose another port (MockConfig::port, 0 for any free one)"
            ),
            StartError::Client(e) => write!(f, "a client for the local mock: {e}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Listen { source, .. } => Some(source),
            StartError::Client(e) => Some(e),
        }
    }
}

/// Starts a mock with [`MockConfig::default`] and a client for it.
pub async fn start() -> Result<Mock, StartError> {
    start_with(MockConfig::default()).await
}

/// Starts a mock with this configuration and a client for it.
pub async fn start_with(config: MockConfig) -> Result<Mock, StartError> {
    let port = config.port;
    let server = MockServer::start(config)
        .await
        .map_err(|source| StartError::Listen { port, source })?;
    let client = client_for(&server).map_err(StartError::Client)?;
    Ok(Mock { client, server })
}

/// A client for a running mock: its credentials, tenant and URLs, with no environment variable,
/// `.env` or config file consulted (so real credentials never mix in).
pub fn client_for(server: &MockServer) -> Result<Client, Error> {
    let c = server.credentials();
    Client::builder()
        .env_source(EnvSource::empty())
        .no_dotenv()
        .client_id(c.client_id.clone())
        .client_secret(c.client_secret.clone())
        .app_key(c.app_key.clone())
        .tenant_id(c.tenant_id)
        .auth_url(server.auth_url())
        .api_url(server.api_url())
        .build()
}
