//! Where rows go: SQLite (one writer connection, WAL, busy timeout) or PostgreSQL (a small pool;
//! binary COPY into a temporary table, then one `INSERT … SELECT … ON CONFLICT`). Both write a
//! batch's rows, its failures and the entity's checkpoint in **one transaction**.

pub mod leases;
mod postgres;
mod sqlite;
mod tables;

pub use tables::{Dialect, FAILURES_TABLE, STATE_TABLE};

use crate::catalog::Entity;
use crate::record::{Failed, Row};
use crate::Error;
use std::path::PathBuf;

/// The checkpoint of one (tenant, entity) unit, as kept in `_st_sync_state`.
///
/// `owner` and `lease_until` are the unit's lease when workers share a PostgreSQL database
/// ([`leases`]): a state whose `owner` is set is written only while that worker still holds the
/// lease, checked in the writing transaction. On SQLite they stay empty.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct State {
    /// The tenant.
    pub tenant_id: i64,
    /// `module.entity`.
    pub entity: String,
    /// `export`, `incremental` or `full-refresh`.
    pub mode: String,
    /// Export: the continuation token to resume from. Incremental: the `modifiedOnOrAfter`
    /// bookmark of the last complete run.
    pub token: Option<String>,
    /// Incremental: the newest `modifiedOn` committed by the run in progress (becomes `token`
    /// when the run completes).
    pub pending: Option<String>,
    /// Pages committed by the list run in progress (0 when none is in progress).
    pub page: i64,
    /// Records read, in all runs.
    pub records: i64,
    /// Rows inserted or changed, in all runs.
    pub written: i64,
    /// Records that went to `_st_sync_failures`, in all runs.
    pub failures: i64,
    /// Batches or pages committed, in all runs.
    pub batches: i64,
    /// Rows marked deleted by full refreshes, in all runs.
    pub deleted: i64,
    /// When the last checkpoint was committed (RFC 3339 UTC).
    pub checkpoint_at: Option<String>,
    /// When the last complete run ended (caught up).
    pub finished_at: Option<String>,
    /// The last run's error, if it failed.
    pub last_error: Option<String>,
    /// A worker holding the unit (multi-worker PostgreSQL; unused by a single run).
    pub owner: Option<String>,
    /// Until when `owner` holds it (RFC 3339 UTC).
    pub lease_until: Option<String>,
}

/// One transaction's worth: rows (deduplicated), failures, and the state to commit with them.
pub struct Commit {
    /// The tenant.
    pub tenant_id: i64,
    /// The entity.
    pub entity: &'static Entity,
    /// Rows, one per key.
    pub rows: Vec<Row>,
    /// Records that could not be rows.
    pub failures: Vec<Failed>,
    /// The checkpoint after this batch (its `written` and `failures` counts are increased by
    /// what the commit writes).
    pub state: State,
}

/// What a commit changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// Rows inserted or updated (a row whose stored version is newer or identical is not).
    pub rows: u64,
    /// Failures recorded (a failure already recorded is not recorded twice).
    pub failures: u64,
}

/// A destination database.
pub enum Destination {
    /// A SQLite file.
    Sqlite(sqlite::Sqlite),
    /// A PostgreSQL database.
    Postgres(postgres::Postgres),
}

/// The file `st sync` writes when no destination is given.
pub const DEFAULT_SQLITE: &str = "servicetitan.db";

impl Destination {
    /// Opens (creating it if needed) the SQLite file at `path`.
    pub fn sqlite(path: impl Into<PathBuf>) -> Result<Destination, Error> {
        Destination::sqlite_with_busy_timeout(path, sqlite::BUSY_TIMEOUT)
    }

    /// Like [`sqlite`](Self::sqlite), waiting at most `busy` for another writer's lock
    /// (default 10 s) before a write fails with a clear error.
    pub fn sqlite_with_busy_timeout(
        path: impl Into<PathBuf>,
        busy: std::time::Duration,
    ) -> Result<Destination, Error> {
        Ok(Destination::Sqlite(sqlite::Sqlite::open(
            path.into(),
            busy,
        )?))
    }

    /// Connects to PostgreSQL (`postgres://user:password@host:port/db`); fails before any API
    /// call when the server cannot be reached, naming it with the password masked.
    pub async fn postgres(url: &str) -> Result<Destination, Error> {
        Ok(Destination::Postgres(
            postgres::Postgres::connect(url).await?,
        ))
    }

    /// `sqlite:PATH`, a path, or `postgres://…` / `postgresql://…`.
    pub async fn open(spec: &str) -> Result<Destination, Error> {
        if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
            return Destination::postgres(spec).await;
        }
        let path = spec
            .strip_prefix("sqlite://")
            .or_else(|| spec.strip_prefix("sqlite:"));
        match path {
            Some(p) => Destination::sqlite(p),
            None if spec.contains("://") => Err(Error::Destination(format!(
                "{}: unknown destination; use sqlite:PATH or postgres://…",
                mask_url(spec)
            ))),
            None => Destination::sqlite(spec),
        }
    }

    /// SQLite: the file's sync lock, held until the returned file is dropped ([`Error::Busy`]
    /// while another process holds it). PostgreSQL: nothing (workers share it through leases).
    pub fn lock_for_sync(&self) -> Result<Option<std::fs::File>, Error> {
        match self {
            Destination::Sqlite(s) => s.lock_for_sync().map(Some),
            Destination::Postgres(_) => Ok(None),
        }
    }

    /// A description for messages, password masked.
    pub fn describe(&self) -> String {
        match self {
            Destination::Sqlite(s) => format!("sqlite:{}", s.path().display()),
            Destination::Postgres(p) => p.describe().to_owned(),
        }
    }

    /// Creates the state and failure tables and `entity`'s table, adds columns a newer spec
    /// has; a column whose type changed is an error naming it.
    pub async fn prepare(&self, entities: &[&'static Entity]) -> Result<(), Error> {
        match self {
            Destination::Sqlite(s) => s.prepare(entities).await,
            Destination::Postgres(p) => p.prepare(entities).await,
        }
    }

    /// The saved state of (tenant, entity), if any.
    pub async fn state(&self, tenant_id: i64, entity: &str) -> Result<Option<State>, Error> {
        match self {
            Destination::Sqlite(s) => s.state(tenant_id, entity).await,
            Destination::Postgres(p) => p.state(tenant_id, entity).await,
        }
    }

    /// Every saved state.
    pub async fn states(&self) -> Result<Vec<State>, Error> {
        match self {
            Destination::Sqlite(s) => s.states().await,
            Destination::Postgres(p) => p.states().await,
        }
    }

    /// Rows per tenant of `entity`'s table (`(tenant, rows, deleted)`).
    pub async fn counts(&self, entity: &'static Entity) -> Result<Vec<(i64, i64, i64)>, Error> {
        match self {
            Destination::Sqlite(s) => s.counts(entity).await,
            Destination::Postgres(p) => p.counts(entity).await,
        }
    }

    /// Writes one batch and its checkpoint in one transaction.
    pub async fn commit(&self, commit: Commit) -> Result<Written, Error> {
        match self {
            Destination::Sqlite(s) => s.commit(commit).await,
            Destination::Postgres(p) => p.commit(commit).await,
        }
    }

    /// Ends a full refresh: rows of the tenant whose key is not in `seen` are marked
    /// `_deleted`, in one transaction with `state`; returns how many.
    pub async fn finish_refresh(
        &self,
        tenant_id: i64,
        entity: &'static Entity,
        seen: Vec<String>,
        state: &State,
    ) -> Result<u64, Error> {
        match self {
            Destination::Sqlite(s) => s.finish_refresh(tenant_id, entity, seen, state).await,
            Destination::Postgres(p) => p.finish_refresh(tenant_id, entity, seen, state).await,
        }
    }

    /// Saves `state` alone (a run's end or its error).
    pub async fn save_state(&self, state: &State) -> Result<(), Error> {
        match self {
            Destination::Sqlite(s) => s.save_state(state).await,
            Destination::Postgres(p) => p.save_state(state).await,
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn mask_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => match url.split_once('@') {
            Some((_, host)) => format!("(unparsable URL)@{host}"),
            None => "(unparsable URL)".to_owned(),
        },
    }
}

/// Now, RFC 3339 UTC.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
