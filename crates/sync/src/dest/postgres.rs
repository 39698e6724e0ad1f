//! PostgreSQL through tokio-postgres with a small deadpool pool (one connection per entity
//! written at the same time). A batch is one transaction: binary `COPY` of its rows (as text)
//! into a temporary table, one `INSERT … SELECT … ON CONFLICT` casting them to the table's types
//! (PostgreSQL's 65,535-parameter limit never applies), the failures, the checkpoint.

use super::leases::verify_owner;
use super::tables::{q, type_change, Dialect, FAILURES_TABLE, STATE_TABLE};
use super::{mask_url, Commit, State, Written};
use crate::catalog::Entity;
use crate::Error;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures::pin_mut;
use sha2::{Digest, Sha256};
use std::str::FromStr;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;
use tokio_postgres::NoTls;

/// Connections in the pool.
const POOL_SIZE: usize = 6;

/// A PostgreSQL destination.
pub struct Postgres {
    pool: Pool,
    masked: String,
}

impl Postgres {
    pub(super) async fn connect(url: &str) -> Result<Postgres, Error> {
        let masked = mask_url(url);
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|e| Error::Destination(format!("{masked}: not a PostgreSQL URL: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| Error::Destination(format!("{masked}: {e}")))?;
        let pg = Postgres { pool, masked };
        // Reach the server now, before any API call.
        drop(pg.client().await?);
        Ok(pg)
    }

    pub(super) fn describe(&self) -> &str {
        &self.masked
    }

    pub(super) async fn client(&self) -> Result<deadpool_postgres::Object, Error> {
        self.pool
            .get()
            .await
            .map_err(|e| Error::Destination(format!("{}: cannot connect: {e}", self.masked)))
    }

    pub(super) fn err(&self, what: &str) -> impl Fn(tokio_postgres::Error) -> Error + '_ {
        let what = what.to_owned();
        move |e| {
            let detail = e
                .as_db_error()
                .map_or_else(|| e.to_string(), |d| d.to_string());
            Error::Database(format!("{}: {what}: {detail}", self.masked))
        }
    }

    pub(super) async fn prepare(&self, entities: &[&'static Entity]) -> Result<(), Error> {
        let mut client = self.client().await?;
        let err = self.err("cannot create the tables");
        // Workers starting together would race on `CREATE TABLE IF NOT EXISTS` (PostgreSQL can
        // fail it with a duplicate key in its catalog): one prepares at a time. DDL is
        // transactional, so the lock is held until everything is created.
        let c = client.transaction().await.map_err(&err)?;
        c.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('st-sync-prepare', 24))",
            &[],
        )
        .await
        .map_err(&err)?;
        c.batch_execute(&Dialect::Postgres.bookkeeping())
            .await
            .map_err(&err)?;
        c.batch_execute(&Postgres::run_tables())
            .await
            .map_err(&err)?;
        let mut problems = Vec::new();
        for e in entities {
            c.batch_execute(&Dialect::Postgres.create_table(e))
                .await
                .map_err(&err)?;
            let rows = c
                .query(
                    "SELECT column_name::text, data_type::text FROM information_schema.columns
                     WHERE table_schema = current_schema() AND table_name = $1",
                    &[&e.table],
                )
                .await
                .map_err(&err)?;
            for col in e.columns {
                match rows.iter().find(|r| r.get::<_, String>(0) == col.name) {
                    Some(r) => problems.extend(type_change(
                        Dialect::Postgres,
                        e.table,
                        col,
                        &r.get::<_, String>(1),
                    )),
                    None => c
                        .batch_execute(&format!(
                            "ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} {}",
                            q(e.table),
                            q(col.name),
                            Dialect::Postgres.column_type(col.ty)
                        ))
                        .await
                        .map_err(&err)?,
                }
            }
        }
        c.commit().await.map_err(&err)?;
        match problems.is_empty() {
            true => Ok(()),
            false => Err(Error::Schema(format!(
                "{}: {}",
                self.masked,
                problems.join("; ")
            ))),
        }
    }

    pub(super) async fn state(&self, tenant: i64, entity: &str) -> Result<Option<State>, Error> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                &format!(
                    "SELECT {COLUMNS} FROM {STATE_TABLE} WHERE tenant_id = $1 AND entity = $2"
                ),
                &[&tenant, &entity],
            )
            .await
            .map_err(self.err("cannot read the sync state"))?;
        Ok(row.as_ref().map(read_state))
    }

    pub(super) async fn states(&self) -> Result<Vec<State>, Error> {
        let c = self.client().await?;
        let rows = c
            .query(
                &format!("SELECT {COLUMNS} FROM {STATE_TABLE} ORDER BY tenant_id, entity"),
                &[],
            )
            .await
            .map_err(self.err("cannot read the sync state"))?;
        Ok(rows.iter().map(read_state).collect())
    }

    pub(super) async fn counts(&self, e: &'static Entity) -> Result<Vec<(i64, i64, i64)>, Error> {
        let c = self.client().await?;
        let rows = c
            .query(
                &format!(
                    "SELECT tenant_id, count(*), count(*) FILTER (WHERE _deleted) FROM {} GROUP BY tenant_id",
                    q(e.table)
                ),
                &[],
            )
            .await
            .map_err(self.err("cannot count rows"))?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }

    pub(super) async fn commit(&self, commit: Commit) -> Result<Written, Error> {
        let entity = commit.entity;
        let mut c = self.client().await?;
        let err =
            self.err("cannot write the batch (rolled back; the checkpoint stays where it was)");
        let tx = c.transaction().await.map_err(&err)?;
        self.verify(&tx, &commit.state).await?;
        let (key, _) = Dialect::key_column(entity);
        let composite = key == "_key";
        let mut staged: Vec<String> = Vec::new();
        let mut targets: Vec<String> = vec!["tenant_id".into()];
        let mut casts: Vec<String> = vec!["$1".into()];
        if composite {
            staged.push("k".into());
            targets.push("_key".into());
            casts.push("k".into());
        }
        for (i, col) in entity.columns.iter().enumerate() {
            staged.push(format!("c{i}"));
            targets.push(q(col.name));
            casts.push(format!(
                "CAST(c{i} AS {})",
                Dialect::Postgres.column_type(col.ty)
            ));
        }
        staged.push("raw".into());
        targets.extend(["_raw", "_synced_at", "_deleted"].map(String::from));
        casts.extend(["raw::json", "now()", "false"].map(String::from));
        tx.batch_execute(&format!(
            "CREATE TEMP TABLE _st_in ({}) ON COMMIT DROP",
            staged
                .iter()
                .map(|s| format!("{s} text"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .await
        .map_err(&err)?;
        let sink = tx
            .copy_in("COPY _st_in FROM STDIN (FORMAT binary)")
            .await
            .map_err(&err)?;
        let types = vec![Type::TEXT; staged.len()];
        let writer = BinaryCopyInWriter::new(sink, &types);
        pin_mut!(writer);
        for row in &commit.rows {
            let mut values: Vec<Option<String>> = Vec::with_capacity(staged.len());
            if composite {
                values.push(row.key.to_text());
            }
            values.extend(row.cells.iter().map(|c| c.to_text()));
            values.push(Some(row.raw.clone()));
            let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                values.iter().map(|v| v as _).collect();
            writer.as_mut().write(&refs).await.map_err(&err)?;
        }
        writer.finish().await.map_err(&err)?;
        let rows = tx
            .execute(
                &format!(
                    "INSERT INTO {} ({}) SELECT {} FROM _st_in {}",
                    q(entity.table),
                    targets.join(", "),
                    casts.join(", "),
                    Dialect::Postgres.on_conflict(entity)
                ),
                &[&commit.tenant_id],
            )
            .await
            .map_err(&err)?;
        let mut failures = 0;
        for f in &commit.failures {
            let sha = hex::encode(Sha256::digest(f.raw.as_bytes()));
            failures += tx
                .execute(
                    &format!(
                        "INSERT INTO {FAILURES_TABLE} (tenant_id, entity, raw_sha256, reason, raw, failed_at)
                         VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT DO NOTHING"
                    ),
                    &[&commit.tenant_id, &entity.name, &sha, &f.reason, &f.raw],
                )
                .await
                .map_err(&err)?;
        }
        let mut state = commit.state;
        state.written += rows as i64;
        state.failures += failures as i64;
        write_state(&*tx, &state).await.map_err(&err)?;
        tx.commit().await.map_err(&err)?;
        Ok(Written { rows, failures })
    }

    pub(super) async fn finish_refresh(
        &self,
        tenant: i64,
        entity: &'static Entity,
        seen: Vec<String>,
        state: &State,
    ) -> Result<u64, Error> {
        let mut c = self.client().await?;
        let err = self.err("cannot finish the full refresh (rolled back)");
        let tx = c.transaction().await.map_err(&err)?;
        self.verify(&tx, state).await?;
        let (key, _) = Dialect::key_column(entity);
        let deleted = tx
            .execute(
                &format!(
                    "UPDATE {} SET _deleted = true, _synced_at = now() WHERE tenant_id = $1 AND NOT _deleted
                     AND NOT ({}::text = ANY($2))",
                    q(entity.table),
                    q(key)
                ),
                &[&tenant, &seen],
            )
            .await
            .map_err(&err)?;
        let mut state = state.clone();
        state.deleted += deleted as i64;
        state.written += deleted as i64;
        write_state(&*tx, &state).await.map_err(&err)?;
        tx.commit().await.map_err(&err)?;
        Ok(deleted)
    }

    pub(super) async fn save_state(&self, state: &State) -> Result<(), Error> {
        let mut c = self.client().await?;
        let err = self.err("cannot save the sync state");
        let tx = c.transaction().await.map_err(&err)?;
        self.verify(&tx, state).await?;
        write_state(&*tx, state).await.map_err(&err)?;
        tx.commit().await.map_err(&err)
    }

    /// A leased unit's checkpoint (`state.owner` set) is written only while its worker still
    /// holds the lease: checked, with the state row locked, in the writing transaction.
    async fn verify(
        &self,
        tx: &tokio_postgres::Transaction<'_>,
        state: &State,
    ) -> Result<(), Error> {
        match &state.owner {
            None => Ok(()),
            Some(me) => verify_owner(tx, state.tenant_id, &state.entity, me)
                .await
                .map_err(|e| self.check_error(state.tenant_id, &state.entity, me, e)),
        }
    }
}

const COLUMNS: &str = "tenant_id, entity, mode, token, pending, page, records, written, failures, \
     batches, deleted, checkpoint_at, finished_at, last_error, owner, lease_until";

fn read_state(r: &tokio_postgres::Row) -> State {
    State {
        tenant_id: r.get(0),
        entity: r.get(1),
        mode: r.get(2),
        token: r.get(3),
        pending: r.get(4),
        page: r.get(5),
        records: r.get(6),
        written: r.get(7),
        failures: r.get(8),
        batches: r.get(9),
        deleted: r.get(10),
        checkpoint_at: r.get(11),
        finished_at: r.get(12),
        last_error: r.get(13),
        owner: r.get(14),
        lease_until: r.get(15),
    }
}

async fn write_state<C: tokio_postgres::GenericClient>(
    c: &C,
    s: &State,
) -> Result<(), tokio_postgres::Error> {
    // The lease columns belong to the lease statements (claim, renew, release): a checkpoint
    // never writes back the lease it read, which may be stale by then.
    let updates: Vec<String> = COLUMNS
        .split(", ")
        .skip(2)
        .filter(|n| !matches!(*n, "owner" | "lease_until"))
        .map(|n| format!("{n} = excluded.{n}"))
        .collect();
    c.execute(
        &format!(
            "INSERT INTO {STATE_TABLE} ({COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
             ON CONFLICT (tenant_id, entity) DO UPDATE SET {}",
            updates.join(", ")
        ),
        &[
            &s.tenant_id,
            &s.entity,
            &s.mode,
            &s.token,
            &s.pending,
            &s.page,
            &s.records,
            &s.written,
            &s.failures,
            &s.batches,
            &s.deleted,
            &s.checkpoint_at,
            &s.finished_at,
            &s.last_error,
            &s.owner,
            &s.lease_until,
        ],
    )
    .await?;
    Ok(())
}
