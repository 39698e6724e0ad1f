//! What every test suite of the workspace needs to talk to a local stand-in for ServiceTitan:
//!
//! * [`token`] — the OAuth token endpoint on a loopback [`wiremock`] server;
//! * [`client`](mod@client) — a [`ClientBuilder`](servicetitan_core::ClientBuilder) for tenant [`TENANT`]
//!   with the test credentials, pointed at a mock, and the HTTP client paused-time tests need;
//! * [`ops`] — operation descriptions and a raw call through the transport, as a generated
//!   client would make it (for the core's own suites, which have no generated crate);
//! * [`requests`] — what the mock received;
//! * [`log`] — a sink capturing what a tracing subscriber writes.
//!
//! Everything is re-exported at the top, so a suite starts with
//! `use servicetitan_test_support::*;`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod client;
pub mod log;
pub mod ops;
pub mod raw;
pub mod requests;
pub mod token;

pub use client::{builder, builder_for, client, http, setup, PausedHttp};
pub use log::CapturedLog;
pub use ops::{call, get_job, JOBS_CREATE, JOBS_GET, REPORT_DATA};
pub use requests::{hits, query, requests_to, secs};
pub use token::{mount_token, token_mock, token_server, TOKEN_PATH};

/// The OAuth client id of every test client.
pub const CLIENT_ID: &str = "cid.test-client";
/// Its client secret (a test asserting that secrets never leak searches for this text).
pub const SECRET: &str = "cs2.super-secret-value-1234";
/// The app key, sent as `ST-App-Key`.
pub const APP_KEY: &str = "ak1.app-key-value-5678";
/// The access token the token mock hands out.
pub const TOKEN: &str = "eyJ.test-access-token-9012";
/// The tenant every test client is bound to.
pub const TENANT: i64 = 42;
