//! Shared runtime of the ServiceTitan SDK.
//!
//! The generated per-domain crates (`servicetitan-jpm`, `servicetitan-crm`, …) contain only what
//! the OpenAPI documents describe; everything that is the same for every module lives here:
//!
//! * [`config`] — resolving credentials from builder values, a JSON file and the environment;
//! * [`auth`] — the [`TokenProvider`](auth::TokenProvider) seam and the OAuth2
//!   client-credentials token behind it, cached and shared;
//! * [`transport`] — the `exec` hook every generated request goes through (token, `ST-App-Key`,
//!   rate limits, retries, error capture);
//! * [`error`] — the one error type users see;
//! * [`types`] and [`lenient`] — the Rust types generated models use for dates, money and open enums;
//! * [`records`] — a page's records decoded one by one, so one bad record keeps its neighbours;
//! * [`client`] — the [`Client`] shared by every domain client and tenant.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod auth;
pub mod body;
pub mod call;
pub mod client;
pub mod config;
pub mod decode;
pub mod error;
pub mod export;
pub mod lenient;
pub mod limit;
pub mod operation;
pub mod paging;
#[doc(hidden)]
pub mod query;
pub mod raw;
pub mod records;
pub mod redact;
pub mod retry;
pub mod shared_state;
pub mod suggest;
pub mod time;
mod tls;
pub mod transport;
pub mod types;
pub mod upload;

pub use client::{Client, ClientBuilder, DomainParts};
pub use config::Config;
pub use error::{ApiError, Error, Problem};
pub use limit::Limits;
pub use operation::{OperationKind, OperationMeta, OperationPolicy};
pub use retry::RetryPolicy;
pub use tls::install_crypto_provider;
pub use transport::{RequestOptions, Transport};

#[doc(hidden)]
pub mod fuzzing;

/// Re-exported so generated crates and users name the same versions.
pub use chrono;
pub use futures;
pub use progenitor_client;
pub use reqwest;
pub use rust_decimal;
