//! A local ServiceTitan driven by the OpenAPI specs, for development, tests and benchmarks.
//!
//! Every operation of the 25 specs is served (routes come from the specs, embedded at build time),
//! with seeded, deterministic, schema-valid data; lists page and filter, exports resume, writes
//! are seen by later reads; auth, the API's limits and faults behave as configured.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use servicetitan_mock::{MockConfig, MockServer};
//! let mock = MockServer::start(MockConfig::default().records(10_000)).await?;
//! let creds = mock.credentials();
//! println!("{} accepts {} for tenant {}", mock.url(), creds.client_id, creds.tenant_id);
//! # Ok(()) }
//! ```

// Handlers return ready `Response`s as their error: built once per failed request, and boxing
// them would only add an allocation to every error path.
#![allow(clippy::result_large_err)]
#![forbid(unsafe_code)]

pub mod args;
pub mod auth;
pub mod binding;
pub mod catalog;
pub mod config;
pub mod counters;
pub mod dates;
pub mod fake;
pub mod gen;
pub mod problem;
pub mod report_flow;
pub mod serve;
pub mod server;
pub mod shape;
pub mod spec;
pub mod state;
pub mod store;
pub mod validate;

pub use args::{MockArgs, DEFAULT_PORT};
pub use config::{Credentials, Faults, MockConfig};
pub use counters::{Counters, LogEntry};
pub use report_flow::{HasMore, ReportFlow};
pub use server::{MockServer, ADMIN};
