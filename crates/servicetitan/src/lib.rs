//! Typed, async Rust SDK for the ServiceTitan REST API.
//!
//! One [`Client`] per application: it resolves the configuration (builder values, a JSON file,
//! the environment and `.env`), fetches and caches the OAuth2 token, and hands out one typed
//! client per API module — each behind its own cargo feature, so you compile only what you use.
//!
//! ```no_run
//! use servicetitan::prelude::*;
//!
//! # #[cfg(feature = "jpm")]
//! # async fn run() -> Result<(), servicetitan::Error> {
//! let client = Client::from_env()?;
//! let page = client.jpm().jobs_get_list().page_size(50).send().await?;
//! println!("{} jobs on the first page", page.data.len());
//! # Ok(()) }
//! ```
//!
//! # Required values are positional only when they cannot be exchanged
//!
//! One rule for every operation of every module, checked by the compiler:
//!
//! * **Path and query values** an operation requires are the `Api` method's arguments
//!   (`jpm.jobs_get(id)`) while their types tell them apart. When two or more of them share a
//!   type (a job id and an equipment id, two dates), the method takes them all *named*, in a
//!   `<Operation>Params` struct literal next to the `Api`:
//!   `jpm.job_equipment_detach(JobEquipmentDetachParams { id, equipment_id })`.
//! * **Request bodies** are built from a `<Model>Required` struct literal naming every required
//!   field, then a plain setter per optional one (`clear_<field>()` sends an explicit `null`);
//!   a model without required fields has `Model::new()`.
//!
//! Leaving a value out or giving the wrong type does not compile, and exchanging two ids of the
//! same type cannot happen without the field names showing it.
//!
//! ```no_run
//! # #[cfg(feature = "jpm")]
//! # async fn run(client: servicetitan::Client) -> Result<(), servicetitan::Error> {
//! use servicetitan::jpm::types::{JobCreateRequest, JobCreateRequestRequired};
//! use servicetitan::jpm::JobEquipmentDetachParams;
//! use servicetitan::prelude::*;
//!
//! let body = JobCreateRequest::new(JobCreateRequestRequired {
//!     appointments: Vec::new(),
//!     business_unit_id: 1,
//!     campaign_id: 2,
//!     customer_id: 3,
//!     job_type_id: 4,
//!     location_id: 5,
//!     priority: "Normal".into(),
//! })
//! .summary("Replace the filter");
//! let job = client.jpm().jobs_create(body).send().await?;
//! let detach = JobEquipmentDetachParams { id: job.id, equipment_id: 9 };
//! client.jpm().job_equipment_detach(detach).send().await?;
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// Installs the TLS crypto provider (rustls' `ring`) unless the process chose one; see
/// [`servicetitan_core::install_crypto_provider`].
pub use servicetitan_core::install_crypto_provider;
pub use servicetitan_core::{
    auth, client, config, decode, error, export, lenient, limit, paging, retry, shared_state,
    transport, types, upload, Client, ClientBuilder, Config, Error, OperationKind, OperationMeta,
    OperationPolicy,
};

// The module re-exports, the `Modules` trait and its impl are written by `cargo xtask scaffold`
// from specs/manifest.json, like the facade's features.
mod modules;
pub use modules::*;

/// `use servicetitan::prelude::*;` brings the client, the module accessors, the error, the
/// stream extension traits (`try_next`, `try_collect`) and, with `reporting`, `ReportParams`.
pub mod prelude {
    pub use super::{Client, Error, Modules};
    #[cfg(feature = "reporting")]
    pub use crate::reporting::report::ReportParams;
    pub use servicetitan_core::futures::{StreamExt as _, TryStreamExt as _};
}

/// The `chrono` crate the date filters and models use (`DateTime<Utc>`, `NaiveDate`).
pub use servicetitan_core::chrono;

// Every Rust example in the README, the `docs/` pages and the crates' READMEs compiles (and the
// ones that need no network run): each page is the doc comment of an item only `rustdoc --test`
// sees.
#[cfg(all(doctest, feature = "jpm", feature = "reporting"))]
#[doc(hidden)]
pub mod doc_pages {
    macro_rules! page {
        ($name:ident, $path:literal) => {
            #[doc = include_str!($path)]
            pub struct $name;
        };
    }
    page!(Readme, "../../../README.md");
    page!(Configuration, "../../../docs/configuration.md");
    page!(Development, "../../../docs/development.md");
    page!(GettingDataOut, "../../../docs/getting-data-out.md");
    page!(LimitsAndErrors, "../../../docs/limits-and-errors.md");
    page!(ManyWorkers, "../../../docs/many-workers.md");
    page!(PagingAndErrors, "../../../docs/paging-and-errors.md");
    page!(Reports, "../../../docs/reports.md");
    page!(RequestValues, "../../../docs/request-values.md");
    page!(Specs, "../../../docs/specs.md");
    page!(SyncPage, "../../../docs/sync.md");
    page!(Typing, "../../../docs/typing.md");
    page!(Benchmarks, "../../../bench/README.md");
    page!(Cli, "../../cli/README.md");
    page!(Mock, "../../mock/README.md");
}

/// The `futures` crate the streams implement, re-exported.
pub use servicetitan_core::futures;

/// Local dates → the UTC bounds of the API's date filters.
pub use servicetitan_core::time;

/// Typed equivalents of servicepytan's `DataService` (date-range queries and reference lists),
/// with any of the features `jpm`, `salestech`, `inventory`, `settings`.
#[cfg(any(
    feature = "jpm",
    feature = "salestech",
    feature = "inventory",
    feature = "settings"
))]
pub mod data;

/// The rate budget and the access token shared by many processes through Redis (feature
/// `redis`): call [`redis::install`] once, then `SERVICETITAN_REDIS_URL` or
/// [`ClientBuilder::redis`](crate::ClientBuilder::redis) takes effect.
#[cfg(feature = "redis")]
pub use servicetitan_redis as redis;
/// ServiceTitan into SQLite or PostgreSQL, exactly once (feature `sync`): see
/// [`servicetitan_sync`].
#[cfg(feature = "sync")]
pub use servicetitan_sync as sync;

/// A local mock ServiceTitan and a client wired to it (feature `mock`).
#[cfg(feature = "mock")]
pub mod mock;
