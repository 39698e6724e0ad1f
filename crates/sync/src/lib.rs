//! ServiceTitan into SQLite or PostgreSQL, **exactly once**.
//!
//! Every export operation (resumed from its continuation token) and every list without an export
//! (incremental with `modifiedOnOrAfter`, or a full refresh that marks rows no longer returned as
//! deleted) of every module, into one table per entity whose columns come from the specs
//! ([`catalog`]). For each batch or page, **one transaction** writes the rows (deduplicated by
//! key; an upsert never replaces a newer `modifiedOn`), the records that could not be read
//! (`_st_sync_failures`, with their raw JSON) and the checkpoint (`_st_sync_state`): a process
//! killed at any moment resumes from the last committed batch, and every record is stored once.
//!
//! Calls go through the core's run-time call path ([`servicetitan_core::Client::call_json`]
//! over each entity's [`servicetitan_core::OperationMeta`]) with records kept as raw JSON, so
//! this crate covers every module without compiling the typed module crates.
//!
//! ```no_run
//! use servicetitan_sync::{Destination, Sync};
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = servicetitan_core::Client::from_env()?;
//! let report = Sync::new(client, Destination::sqlite("servicetitan.db")?)
//!     .only(&["jpm.jobs", "crm.customers"])?
//!     .run()
//!     .await?;
//! println!("{report}");
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod catalog;
pub mod dest;
pub mod record;
pub mod report;
mod run;
pub mod workers;

pub use catalog::{entities, Entity, SyncMode};
pub use dest::{Destination, State};
pub use report::{EntityReport, Report, RunSummary, TenantReport};
pub use run::{OnProgress, Progress};

use futures::StreamExt;
use servicetitan_core::Client;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What can go wrong before or around the rows (an entity's own failure is in the [`Report`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `--only` / `--modules` named nothing that exists.
    #[error("{0}")]
    Selection(String),
    /// The destination cannot be opened or reached (password masked).
    #[error("destination {0}")]
    Destination(String),
    /// A database statement failed.
    #[error("database {0}")]
    Database(String),
    /// A table's column has another type than the spec now says.
    #[error("schema change: {0}")]
    Schema(String),
    /// The API, as the SDK words it.
    #[error(transparent)]
    Api(#[from] servicetitan_core::Error),
    /// A list or export that does not advance.
    #[error("{0}")]
    Stalled(String),
    /// Another process is syncing into the same SQLite file.
    #[error("{0}")]
    Busy(String),
    /// This worker's lease on a unit was taken over (it expired); nothing more was committed.
    #[error("lease lost: {0}")]
    LeaseLost(String),
}

/// A sync run: tenants (one client each), a destination, entities.
pub struct Sync {
    tenants: Vec<Client>,
    dest: Arc<Destination>,
    entities: Vec<&'static Entity>,
    concurrency: usize,
    page_size: u32,
    progress: Option<OnProgress>,
    lease: Duration,
    renew: Duration,
    worker: Option<String>,
}

impl Sync {
    /// Every entity of `client`'s tenant into `dest`.
    pub fn new(client: Client, dest: Destination) -> Sync {
        Sync {
            tenants: vec![client],
            dest: Arc::new(dest),
            entities: catalog::entities().iter().collect(),
            concurrency: 4,
            page_size: 5000,
            progress: None,
            lease: workers::DEFAULT_LEASE,
            renew: workers::DEFAULT_RENEW,
            worker: None,
        }
    }

    /// Another tenant, with its own client (its own token and 60/s limiter:
    /// [`Client::tenant`] or [`Client::tenant_with`]).
    pub fn tenant(mut self, client: Client) -> Sync {
        self.tenants.push(client);
        self
    }

    /// Only these entities (`jpm.jobs`).
    pub fn only(self, names: &[&str]) -> Result<Sync, Error> {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        self.select(&names, &[])
    }

    /// Entities by name and by module (both empty: all).
    pub fn select(mut self, only: &[String], modules: &[String]) -> Result<Sync, Error> {
        self.entities = catalog::select(only, modules)?;
        Ok(self)
    }

    /// Entities of one tenant synced at the same time (default 4), all within its limiter.
    pub fn concurrency(mut self, n: usize) -> Sync {
        self.concurrency = n.max(1);
        self
    }

    /// Page size of lists (default 5,000, the API's maximum).
    pub fn page_size(mut self, n: u32) -> Sync {
        self.page_size = n.clamp(1, 5000);
        self
    }

    /// Called after each committed batch and when an entity ends.
    pub fn on_progress(
        mut self,
        f: impl Fn(&Progress) + Send + std::marker::Sync + 'static,
    ) -> Sync {
        self.progress = Some(Arc::new(f));
        self
    }

    /// PostgreSQL: how long a claimed unit stays held after its worker stops renewing (it died
    /// or lost the database); then another worker takes it over (default 30 s).
    pub fn lease(mut self, lease: Duration) -> Sync {
        self.lease = lease;
        self
    }

    /// PostgreSQL: how often a worker renews the leases it holds (default 10 s; one not
    /// shorter than the lease becomes a third of it).
    pub fn renew_every(mut self, renew: Duration) -> Sync {
        self.renew = renew;
        self
    }

    /// PostgreSQL: this worker's name in `_st_sync_state.owner` (default `host:pid:nonce`;
    /// it must differ between running workers).
    pub fn worker_id(mut self, id: impl Into<String>) -> Sync {
        self.worker = Some(id.into());
        self
    }

    /// Runs the sync. Fails only when the destination cannot be prepared (or, on PostgreSQL,
    /// stops answering); a tenant's or an entity's failure is in the report, and the others
    /// finish.
    ///
    /// On PostgreSQL the process is one worker of a run that any number of processes with the
    /// same tenants and entities share ([`dest::leases`]): each unit is synced by one of them,
    /// and `run` returns when every unit of the run is finished by someone. On SQLite it syncs
    /// every unit itself and holds the file for the whole run: a second process gets
    /// [`Error::Busy`] at once.
    pub async fn run(self) -> Result<Report, Error> {
        let started = Instant::now();
        let _exclusive = self.dest.lock_for_sync()?;
        // Boxed (here and below) so that `run` is `Send` for `tokio::spawn`: the compiler cannot
        // prove it through these borrowing futures on its own.
        futures::FutureExt::boxed(self.dest.prepare(&self.entities)).await?;
        let (tenants, run) = match &*self.dest {
            Destination::Postgres(_) => {
                let leasing = workers::Leasing::new(self.lease, self.renew, self.worker.clone());
                futures::FutureExt::boxed(workers::run(&self, &leasing)).await?
            }
            Destination::Sqlite(_) => {
                let mut runs = Vec::new();
                for client in &self.tenants {
                    runs.push(futures::FutureExt::boxed(self.tenant_run(client)));
                }
                (futures::future::join_all(runs).await, None)
            }
        };
        Ok(Report {
            destination: self.dest.describe(),
            tenants,
            seconds: started.elapsed().as_secs_f64(),
            run,
        })
    }

    async fn tenant_run(&self, client: &Client) -> TenantReport {
        let tenant_id = client.tenant_id();
        // A refused credential fails the tenant once, not each of its entities.
        if let Err(e) = client.access_token().await {
            return TenantReport {
                tenant_id,
                error: Some(e.to_string()),
                entities: Vec::new(),
            };
        }
        // A loop of boxed futures rather than a mapping closure: the closure's borrowed argument
        // kept the compiler from proving the run `Send`.
        let mut units: Vec<futures::future::BoxFuture<'_, EntityReport>> = Vec::new();
        for entity in self.entities.iter().copied() {
            let unit = run::Unit {
                client,
                dest: &self.dest,
                entity,
                page_size: self.page_size,
                progress: self.progress.as_ref(),
                owner: None,
            };
            units.push(futures::FutureExt::boxed(async move { unit.run().await }));
        }
        let mut entities: Vec<EntityReport> = futures::stream::iter(units)
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        entities.sort_by_key(|e| e.entity);
        TenantReport {
            tenant_id,
            error: None,
            entities,
        }
    }
}
