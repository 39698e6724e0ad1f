//! [`MockServer`]: the axum app on a loopback port, shut down when dropped.

use crate::config::{Credentials, Faults, MockConfig};
use crate::counters::{Counters, LogEntry};
use crate::state::State;
use axum::extract::State as Shared;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

/// Admin path prefix: counters, request log, reset, redirect targets.
pub const ADMIN: &str = "/_mock";

/// A running mock ServiceTitan. Auth and API share one base URL; dropping it stops the server.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("url", &self.url())
            .finish()
    }
}

/// The axum app for a state (also usable without a socket, e.g. with `tower::ServiceExt`).
pub fn app(state: Arc<State>) -> Router {
    Router::new()
        .route("/connect/token", post(crate::auth::token))
        .route(&format!("{ADMIN}/counters"), get(counters))
        .route(&format!("{ADMIN}/requests"), get(requests))
        .route(&format!("{ADMIN}/reset"), post(reset))
        .route(
            &format!("{ADMIN}/files/{{name}}"),
            get(crate::serve::files::serve_file),
        )
        .fallback(crate::serve::api::handle)
        .with_state(state)
}

async fn counters(Shared(state): Shared<Arc<State>>) -> Response {
    Json(state.recorder.counters()).into_response()
}

async fn requests(Shared(state): Shared<Arc<State>>) -> Response {
    Json(state.recorder.requests()).into_response()
}

async fn reset(Shared(state): Shared<Arc<State>>) -> Response {
    state.recorder.reset();
    state.store.clear();
    Json(serde_json::json!({"reset": true})).into_response()
}

impl MockServer {
    /// Starts a mock on `127.0.0.1:<config.port>` (0: a free port) in the current tokio
    /// runtime. Fails only when the port cannot be bound.
    pub async fn start(config: MockConfig) -> std::io::Result<MockServer> {
        // Parse and compile the embedded specs before the first request needs them.
        let _ = crate::catalog::catalog();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::new(config));
        let (tx, rx) = oneshot::channel::<()>();
        let router = app(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(MockServer {
            addr,
            state,
            shutdown: Some(tx),
        })
    }

    /// Base URL (`http://127.0.0.1:PORT`) of both the token endpoint and the API.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Base URL of the OAuth server (`{url}/connect/token` issues tokens).
    pub fn auth_url(&self) -> String {
        self.url()
    }

    /// Base URL of the API (`{url}/jpm/v2/tenant/{tenant}/jobs`).
    pub fn api_url(&self) -> String {
        self.url()
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The credentials the mock accepts.
    pub fn credentials(&self) -> &Credentials {
        &self.state.config.credentials
    }

    /// The configuration it started with.
    pub fn config(&self) -> &MockConfig {
        &self.state.config
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> Counters {
        self.state.recorder.counters()
    }

    /// The request log (at most `config.request_log` entries, oldest first).
    pub fn requests(&self) -> Vec<LogEntry> {
        self.state.recorder.requests()
    }

    /// Current faults.
    pub fn faults(&self) -> Faults {
        self.state.faults()
    }

    /// Changes faults while running (limiters start afresh).
    pub fn set_faults(&self, faults: Faults) {
        self.state.set_faults(faults)
    }

    /// Zeroes counters and log and forgets every write.
    pub fn reset(&self) {
        self.state.recorder.reset();
        self.state.store.clear();
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
