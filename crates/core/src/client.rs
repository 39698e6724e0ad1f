//! The [`Client`]: built once, shared by every domain client and tenant.
//!
//! SKELETON — to be completed (builder, from_env, from_file, tenant handles).

use crate::transport::Transport;

/// A ServiceTitan client bound to one tenant. Cheap to clone; clones share the connection pool,
/// token cache and rate limiter.
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) http: reqwest::Client,
    pub(crate) api_url: String,
    pub(crate) tenant_id: i64,
    pub(crate) transport: Transport,
}

/// Builder for [`Client`].
#[derive(Debug, Default)]
pub struct ClientBuilder {}

/// What a generated domain client needs to issue requests: produced by [`Client::domain`].
#[derive(Clone, Debug)]
pub struct DomainParts {
    /// `{api}/{module base path}`, e.g. `https://api.servicetitan.io/jpm/v2`.
    pub base_url: String,
    /// The shared connection pool.
    pub http: reqwest::Client,
    /// The request pipeline (token, headers, limits, retries) of this tenant.
    pub transport: Transport,
    /// The tenant every call of the domain client is bound to.
    pub tenant_id: i64,
}

impl Client {
    /// The tenant this client is bound to.
    pub fn tenant_id(&self) -> i64 {
        self.tenant_id
    }

    /// Parts for a generated domain client whose module is served under `base_path`
    /// (e.g. `jpm/v2`, `sales/v2`, `telecom`).
    pub fn domain(&self, base_path: &str) -> DomainParts {
        DomainParts {
            base_url: format!("{}/{}", self.api_url.trim_end_matches('/'), base_path.trim_matches('/')),
            http: self.http.clone(),
            transport: self.transport.clone(),
            tenant_id: self.tenant_id,
        }
    }
}
