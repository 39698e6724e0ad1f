//! Several workers on one PostgreSQL database: runs and leases.
//!
//! **A run** is one pass over a *selection* (the sorted set of (tenant, entity) units a worker
//! was asked to sync). Its row in `_st_sync_runs` has an id (`<selection hash>-<generation>`),
//! and `_st_sync_run_units` has one row per unit, finished or not. A worker joins the newest
//! unfinished run of its selection, or starts the next generation when there is none; so workers
//! started with the same arguments share one run, and a worker started after a run finished
//! starts the next one (an incremental pass: exports resume from their token).
//!
//! **A lease** is `owner` + `lease_until` on the unit's `_st_sync_state` row. A worker claims a
//! free unit (`owner` empty or `lease_until` past, by the database's clock `now()` so the
//! workers' clocks do not matter) with `SELECT … FOR UPDATE SKIP LOCKED`, renews it while it
//! works, and every write of the unit's checkpoint first locks the state row and checks the
//! owner in the same transaction ([`verify_owner`]): a worker whose lease was taken over can
//! never commit a batch again, whatever it still believes.

use super::postgres::Postgres;
use super::tables::STATE_TABLE;
use super::Destination;
use crate::catalog::Entity;
use crate::Error;
use sha2::{Digest, Sha256};
use std::time::Duration;
use tokio_postgres::GenericClient;

/// Runs, one row per (selection, generation).
pub const RUNS_TABLE: &str = "_st_sync_runs";
/// The units of each run and who finished them.
pub const RUN_UNITS_TABLE: &str = "_st_sync_run_units";

/// A run a worker takes part in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Run {
    /// `<selection hash>-<generation>`.
    pub id: String,
    /// Its units.
    pub units: u64,
    /// Whether this worker started it (the others joined it).
    pub started_here: bool,
}

/// A unit claimed by a worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// The tenant.
    pub tenant_id: i64,
    /// `module.entity`.
    pub entity: String,
    /// The worker whose lease had expired, when this claim takes the unit over.
    pub taken_from: Option<String>,
}

/// Where a run stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunProgress {
    /// Units nobody has finished yet.
    pub unfinished: u64,
    /// Units finished with an error: `(tenant, entity, worker, error)`.
    pub failed: Vec<(i64, String, String, String)>,
}

/// `lease_until` as RFC 3339 text (the column is text in both dialects), `$n` milliseconds from
/// the database's now.
fn until(param: usize) -> String {
    format!(
        "to_char((now() + ${param}::bigint * interval '1 millisecond') AT TIME ZONE 'UTC', \
         'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    )
}

fn millis(d: Duration) -> i64 {
    d.as_millis().min(i64::MAX as u128) as i64
}

/// Locks the state row of (tenant, entity) until the transaction ends and checks that `owner`
/// still holds it; called first in every transaction that writes a leased unit's checkpoint.
pub(super) async fn verify_owner<C: GenericClient>(
    c: &C,
    tenant: i64,
    entity: &str,
    owner: &str,
) -> Result<(), LeaseCheck> {
    let row = c
        .query_opt(
            &format!(
                "SELECT owner FROM {STATE_TABLE} WHERE tenant_id = $1 AND entity = $2 FOR UPDATE"
            ),
            &[&tenant, &entity],
        )
        .await
        .map_err(LeaseCheck::Db)?;
    let holder: Option<String> = row.and_then(|r| r.get(0));
    match holder.as_deref() == Some(owner) {
        true => Ok(()),
        false => Err(LeaseCheck::Lost(holder)),
    }
}

/// Why [`verify_owner`] refused.
pub(super) enum LeaseCheck {
    Db(tokio_postgres::Error),
    /// Someone else (or nobody) holds the unit now.
    Lost(Option<String>),
}

impl Postgres {
    pub(super) fn lease_lost(
        &self,
        tenant: i64,
        entity: &str,
        me: &str,
        h: Option<String>,
    ) -> Error {
        Error::LeaseLost(format!(
            "{}: tenant {tenant} {entity}: worker {me} no longer holds the lease (now held by {}); \
             nothing was committed",
            self.describe(),
            h.as_deref().unwrap_or("nobody")
        ))
    }

    pub(super) fn check_error(&self, tenant: i64, entity: &str, me: &str, e: LeaseCheck) -> Error {
        match e {
            LeaseCheck::Db(e) => self.err("cannot check the lease")(e),
            LeaseCheck::Lost(h) => self.lease_lost(tenant, entity, me, h),
        }
    }

    /// The run tables (the state table comes with the other bookkeeping).
    pub(super) fn run_tables() -> String {
        format!(
            "CREATE TABLE IF NOT EXISTS {RUNS_TABLE} (
                run_id text PRIMARY KEY, selection text NOT NULL, generation bigint NOT NULL,
                units bigint NOT NULL, started_by text NOT NULL,
                started_at timestamp with time zone NOT NULL DEFAULT now(),
                finished_at timestamp with time zone, UNIQUE (selection, generation));
             CREATE TABLE IF NOT EXISTS {RUN_UNITS_TABLE} (
                run_id text NOT NULL REFERENCES {RUNS_TABLE} ON DELETE CASCADE,
                tenant_id bigint NOT NULL, entity text NOT NULL,
                claims bigint NOT NULL DEFAULT 0, finished_at timestamp with time zone,
                finished_by text, error text, PRIMARY KEY (run_id, tenant_id, entity));"
        )
    }

    async fn join_run(&self, units: &[(i64, &'static Entity)], worker: &str) -> Result<Run, Error> {
        let mut names: Vec<String> = units
            .iter()
            .map(|(t, e)| format!("{t}:{}", e.name))
            .collect();
        names.sort();
        names.dedup();
        let selection = hex::encode(Sha256::digest(names.join(",").as_bytes()));
        let mut c = self.client().await?;
        let err = self.err("cannot join the run");
        let tx = c.transaction().await.map_err(&err)?;
        // Workers starting together must agree on one run: one at a time per selection.
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 24))",
            &[&selection],
        )
        .await
        .map_err(&err)?;
        let open = tx
            .query_opt(
                &format!(
                    "SELECT run_id, units FROM {RUNS_TABLE} WHERE selection = $1 AND finished_at IS NULL
                     ORDER BY generation DESC LIMIT 1"
                ),
                &[&selection],
            )
            .await
            .map_err(&err)?;
        if let Some(row) = open {
            tx.commit().await.map_err(&err)?;
            return Ok(Run {
                id: row.get(0),
                units: row.get::<_, i64>(1) as u64,
                started_here: false,
            });
        }
        let generation: i64 = tx
            .query_one(
                &format!("SELECT coalesce(max(generation), 0) + 1 FROM {RUNS_TABLE} WHERE selection = $1"),
                &[&selection],
            )
            .await
            .map_err(&err)?
            .get(0);
        let id = format!("{}-{generation}", &selection[..12]);
        let count = units.len() as i64;
        tx.execute(
            &format!(
                "INSERT INTO {RUNS_TABLE} (run_id, selection, generation, units, started_by)
                 VALUES ($1, $2, $3, $4, $5)"
            ),
            &[&id, &selection, &generation, &count, &worker],
        )
        .await
        .map_err(&err)?;
        let tenants: Vec<i64> = units.iter().map(|(t, _)| *t).collect();
        let entities: Vec<&str> = units.iter().map(|(_, e)| e.name).collect();
        let modes: Vec<&str> = units.iter().map(|(_, e)| e.mode.as_str()).collect();
        // Every unit gets a state row now: the claim locks state rows, so they must exist.
        tx.execute(
            &format!(
                "INSERT INTO {STATE_TABLE} (tenant_id, entity, mode)
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING"
            ),
            &[&tenants, &entities, &modes],
        )
        .await
        .map_err(&err)?;
        tx.execute(
            &format!(
                "INSERT INTO {RUN_UNITS_TABLE} (run_id, tenant_id, entity)
                 SELECT $1, * FROM unnest($2::bigint[], $3::text[]) ON CONFLICT DO NOTHING"
            ),
            &[&id, &tenants, &entities],
        )
        .await
        .map_err(&err)?;
        tx.commit().await.map_err(&err)?;
        Ok(Run {
            id,
            units: units.len() as u64,
            started_here: true,
        })
    }

    async fn claim(
        &self,
        run: &Run,
        worker: &str,
        lease: Duration,
        skip_tenants: &[i64],
    ) -> Result<Option<Claim>, Error> {
        let mut c = self.client().await?;
        let err = self.err("cannot claim a unit");
        let tx = c.transaction().await.map_err(&err)?;
        // SKIP LOCKED: a unit another worker is claiming, committing or finishing right now is
        // passed over rather than waited for.
        let row = tx
            .query_opt(
                &format!(
                    "SELECT s.tenant_id, s.entity, s.owner FROM {STATE_TABLE} s
                     JOIN {RUN_UNITS_TABLE} u ON u.tenant_id = s.tenant_id AND u.entity = s.entity
                     WHERE u.run_id = $1 AND u.finished_at IS NULL AND NOT (s.tenant_id = ANY($2))
                       AND (s.owner IS NULL OR s.lease_until IS NULL
                            OR s.lease_until::timestamptz <= now())
                     ORDER BY s.entity, s.tenant_id LIMIT 1
                     FOR UPDATE OF s SKIP LOCKED"
                ),
                &[&run.id, &skip_tenants],
            )
            .await
            .map_err(&err)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let (tenant, entity, previous): (i64, String, Option<String>) =
            (row.get(0), row.get(1), row.get(2));
        tx.execute(
            &format!(
                "UPDATE {STATE_TABLE} SET owner = $3, lease_until = {}
                 WHERE tenant_id = $1 AND entity = $2",
                until(4)
            ),
            &[&tenant, &entity, &worker, &millis(lease)],
        )
        .await
        .map_err(&err)?;
        tx.execute(
            &format!(
                "UPDATE {RUN_UNITS_TABLE} SET claims = claims + 1
                 WHERE run_id = $1 AND tenant_id = $2 AND entity = $3"
            ),
            &[&run.id, &tenant, &entity],
        )
        .await
        .map_err(&err)?;
        tx.commit().await.map_err(&err)?;
        Ok(Some(Claim {
            tenant_id: tenant,
            entity,
            taken_from: previous.filter(|p| p != worker),
        }))
    }

    async fn renew(
        &self,
        tenant: i64,
        entity: &str,
        worker: &str,
        lease: Duration,
    ) -> Result<bool, Error> {
        let c = self.client().await?;
        let n = c
            .execute(
                &format!(
                    "UPDATE {STATE_TABLE} SET lease_until = {}
                     WHERE tenant_id = $1 AND entity = $2 AND owner = $3",
                    until(4)
                ),
                &[&tenant, &entity, &worker, &millis(lease)],
            )
            .await
            .map_err(self.err("cannot renew the lease"))?;
        Ok(n == 1)
    }

    async fn finish_unit(
        &self,
        run: &Run,
        tenant: i64,
        entity: &str,
        worker: &str,
        error: Option<&str>,
    ) -> Result<(), Error> {
        let mut c = self.client().await?;
        let err = self.err("cannot finish the unit");
        let tx = c.transaction().await.map_err(&err)?;
        verify_owner(&*tx, tenant, entity, worker)
            .await
            .map_err(|e| self.check_error(tenant, entity, worker, e))?;
        tx.execute(
            &format!(
                "UPDATE {RUN_UNITS_TABLE} SET finished_at = now(), finished_by = $4, error = $5
                 WHERE run_id = $1 AND tenant_id = $2 AND entity = $3"
            ),
            &[&run.id, &tenant, &entity, &worker, &error],
        )
        .await
        .map_err(&err)?;
        release(&*tx, tenant, entity, worker).await.map_err(&err)?;
        tx.commit().await.map_err(&err)
    }

    async fn release(&self, tenant: i64, entity: &str, worker: &str) -> Result<(), Error> {
        let c = self.client().await?;
        release(&**c, tenant, entity, worker)
            .await
            .map(drop)
            .map_err(self.err("cannot release the lease"))
    }

    async fn progress(&self, run: &Run) -> Result<RunProgress, Error> {
        let c = self.client().await?;
        let err = self.err("cannot read the run");
        let unfinished: i64 = c
            .query_one(
                &format!(
                    "SELECT count(*) FROM {RUN_UNITS_TABLE} WHERE run_id = $1 AND finished_at IS NULL"
                ),
                &[&run.id],
            )
            .await
            .map_err(&err)?
            .get(0);
        let failed = c
            .query(
                &format!(
                    "SELECT tenant_id, entity, finished_by, error FROM {RUN_UNITS_TABLE}
                     WHERE run_id = $1 AND error IS NOT NULL ORDER BY tenant_id, entity"
                ),
                &[&run.id],
            )
            .await
            .map_err(&err)?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect();
        if unfinished == 0 {
            c.execute(
                &format!(
                    "UPDATE {RUNS_TABLE} SET finished_at = now() WHERE run_id = $1 AND finished_at IS NULL"
                ),
                &[&run.id],
            )
            .await
            .map_err(&err)?;
        }
        Ok(RunProgress {
            unfinished: unfinished as u64,
            failed,
        })
    }
}

async fn release<C: GenericClient>(
    c: &C,
    tenant: i64,
    entity: &str,
    worker: &str,
) -> Result<u64, tokio_postgres::Error> {
    c.execute(
        &format!(
            "UPDATE {STATE_TABLE} SET owner = NULL, lease_until = NULL
             WHERE tenant_id = $1 AND entity = $2 AND owner = $3"
        ),
        &[&tenant, &entity, &worker],
    )
    .await
}

/// The lease operations, on PostgreSQL only (SQLite takes one `st sync` at a time).
impl Destination {
    fn leased(&self) -> Result<&Postgres, Error> {
        match self {
            Destination::Postgres(p) => Ok(p),
            Destination::Sqlite(_) => Err(Error::Destination(format!(
                "{}: runs and leases need PostgreSQL (SQLite takes one `st sync` at a time)",
                self.describe()
            ))),
        }
    }

    /// Joins the newest unfinished run of this selection of units, or starts the next one.
    pub async fn join_run(
        &self,
        units: &[(i64, &'static Entity)],
        worker: &str,
    ) -> Result<Run, Error> {
        self.leased()?.join_run(units, worker).await
    }

    /// Claims one unfinished unit of `run` whose lease is free or expired (not of the tenants
    /// in `skip_tenants`), for `lease` by the database's clock.
    pub async fn claim(
        &self,
        run: &Run,
        worker: &str,
        lease: Duration,
        skip_tenants: &[i64],
    ) -> Result<Option<Claim>, Error> {
        self.leased()?.claim(run, worker, lease, skip_tenants).await
    }

    /// Extends `worker`'s lease on the unit; `false` when it no longer holds it.
    pub async fn renew(
        &self,
        tenant: i64,
        entity: &str,
        worker: &str,
        lease: Duration,
    ) -> Result<bool, Error> {
        self.leased()?.renew(tenant, entity, worker, lease).await
    }

    /// Marks the unit finished in `run` (with its error, if any) and releases the lease, in
    /// one transaction that first checks `worker` still holds it.
    pub async fn finish_unit(
        &self,
        run: &Run,
        tenant: i64,
        entity: &str,
        worker: &str,
        error: Option<&str>,
    ) -> Result<(), Error> {
        self.leased()?
            .finish_unit(run, tenant, entity, worker, error)
            .await
    }

    /// Gives the unit back unfinished (a worker stopping early): another worker may claim it
    /// at once instead of waiting for the lease to expire.
    pub async fn release(&self, tenant: i64, entity: &str, worker: &str) -> Result<(), Error> {
        self.leased()?.release(tenant, entity, worker).await
    }

    /// Units of `run` not finished yet, and the failed ones; marks the run finished when every
    /// unit is.
    pub async fn run_progress(&self, run: &Run) -> Result<RunProgress, Error> {
        self.leased()?.progress(run).await
    }
}
