//! The request pipeline every generated call goes through (progenitor's `exec` hook).
//!
//! SKELETON — to be completed (token, ST-App-Key, limits, retries, error capture, tracing).

/// Per-tenant request pipeline; the progenitor "inner" value of every generated client.
#[derive(Clone, Debug)]
pub struct Transport {
    pub(crate) http: reqwest::Client,
}

impl Transport {
    /// Executes one generated request. Called by the generated `ClientHooks::exec`.
    pub async fn execute(
        &self,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        let _ = operation_id;
        self.http.execute(request).await
    }
}
