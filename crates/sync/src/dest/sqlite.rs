//! SQLite through rusqlite's bundled library: one writer connection (SQLite allows one writer at
//! a time anyway), WAL, a busy timeout; every call runs on the blocking pool.

use super::tables::{q, type_change, Dialect, FAILURES_TABLE, STATE_TABLE};
use super::{Commit, State, Written};
use crate::catalog::Entity;
use crate::record::Cell;
use crate::Error;
use rusqlite::{params, Connection, OptionalExtension, ToSql};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a write waits by default for another process's lock before it fails.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A SQLite destination.
pub struct Sqlite {
    path: PathBuf,
    busy: Duration,
    conn: Arc<Mutex<Connection>>,
}

fn db_error(path: &Path, busy_timeout: Duration, what: &str, e: rusqlite::Error) -> Error {
    let busy = matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    );
    let hint = if busy {
        format!(
            " (another process held the database lock for more than {:?}; is another `st sync` running on it?)",
            busy_timeout
        )
    } else {
        String::new()
    };
    Error::Database(format!("sqlite:{}: {what}: {e}{hint}", path.display()))
}

impl Sqlite {
    pub(super) fn open(path: PathBuf, busy: Duration) -> Result<Sqlite, Error> {
        let conn = Connection::open(&path).map_err(|e| db_error(&path, busy, "cannot open", e))?;
        let setup = || -> rusqlite::Result<()> {
            conn.busy_timeout(busy)?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            // WAL + NORMAL: a committed transaction survives the process being killed (only
            // a power loss could lose the last ones, never corrupt or half-apply them).
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            Ok(())
        };
        setup().map_err(|e| db_error(&path, busy, "cannot set up", e))?;
        Ok(Sqlite {
            path,
            busy,
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Holds `<file>.sync-lock` for a whole run: SQLite has one writer at a time, so a second
    /// sync would only repeat the work and fight for the lock batch by batch; it gets a clear
    /// error at once instead. The OS drops the lock when the process ends, even on SIGKILL.
    pub(super) fn lock_for_sync(&self) -> Result<std::fs::File, Error> {
        use std::io::Write as _;
        let mut name = self.path.clone().into_os_string();
        name.push(".sync-lock");
        let lock = PathBuf::from(name);
        let failed = |e: std::io::Error| {
            Error::Database(format!(
                "sqlite:{}: cannot lock {}: {e}",
                self.path.display(),
                lock.display()
            ))
        };
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock)
            .map_err(failed)?;
        match file.try_lock() {
            Ok(()) => {
                file.set_len(0).map_err(failed)?;
                write!(file, "{}", std::process::id()).map_err(failed)?;
                Ok(file)
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                let pid = std::fs::read_to_string(&lock).unwrap_or_default();
                Err(Error::Busy(format!(
                    "sqlite:{}: another `st sync` (pid {}) is syncing into this file (it holds {}). \
                     SQLite takes one sync at a time: wait for it to end, or use PostgreSQL \
                     (--to postgres://…) to run several workers",
                    self.path.display(),
                    pid.trim(),
                    lock.display()
                )))
            }
            Err(std::fs::TryLockError::Error(e)) => Err(failed(e)),
        }
    }

    async fn with<T: Send + 'static>(
        &self,
        what: &'static str,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, Error> {
        let conn = self.conn.clone();
        let (path, busy) = (self.path.clone(), self.busy);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard).map_err(|e| db_error(&path, busy, what, e))
        })
        .await
        .map_err(|e| Error::Database(format!("the SQLite writer stopped: {e}")))?
    }

    pub(super) async fn prepare(&self, entities: &[&'static Entity]) -> Result<(), Error> {
        let entities = entities.to_vec();
        let path = self.path.clone();
        let changes = self
            .with("cannot create the tables", move |c| {
                c.execute_batch(&Dialect::Sqlite.bookkeeping())?;
                let mut problems = Vec::new();
                for e in entities {
                    c.execute_batch(&Dialect::Sqlite.create_table(e))?;
                    let existing: Vec<(String, String)> = c
                        .prepare(&format!("PRAGMA table_info({})", q(e.table)))?
                        .query_map([], |r| Ok((r.get(1)?, r.get(2)?)))?
                        .collect::<rusqlite::Result<_>>()?;
                    for col in e.columns {
                        match existing.iter().find(|(n, _)| n == col.name) {
                            Some((_, ty)) => {
                                problems.extend(type_change(Dialect::Sqlite, e.table, col, ty))
                            }
                            None => c.execute_batch(&format!(
                                "ALTER TABLE {} ADD COLUMN {} {}",
                                q(e.table),
                                q(col.name),
                                Dialect::Sqlite.column_type(col.ty)
                            ))?,
                        }
                    }
                }
                Ok(problems)
            })
            .await?;
        match changes.is_empty() {
            true => Ok(()),
            false => Err(Error::Schema(format!(
                "sqlite:{}: {}",
                path.display(),
                changes.join("; ")
            ))),
        }
    }

    pub(super) async fn state(&self, tenant: i64, entity: &str) -> Result<Option<State>, Error> {
        let entity = entity.to_owned();
        self.with("cannot read the sync state", move |c| {
            c.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM {STATE_TABLE} WHERE tenant_id = ?1 AND entity = ?2"
                ),
                params![tenant, entity],
                read_state,
            )
            .optional()
        })
        .await
    }

    pub(super) async fn states(&self) -> Result<Vec<State>, Error> {
        self.with("cannot read the sync state", |c| {
            c.prepare(&format!(
                "SELECT {COLUMNS} FROM {STATE_TABLE} ORDER BY tenant_id, entity"
            ))?
            .query_map([], read_state)?
            .collect()
        })
        .await
    }

    pub(super) async fn counts(&self, e: &'static Entity) -> Result<Vec<(i64, i64, i64)>, Error> {
        self.with("cannot count rows", move |c| {
            c.prepare(&format!(
                "SELECT tenant_id, count(*), sum(_deleted) FROM {} GROUP BY tenant_id",
                q(e.table)
            ))?
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                ))
            })?
            .collect()
        })
        .await
    }

    pub(super) async fn commit(&self, commit: Commit) -> Result<Written, Error> {
        let Commit {
            tenant_id: tenant,
            entity,
            rows,
            failures,
            state,
        } = commit;
        self.with("cannot write the batch (rolled back; the checkpoint stays where it was)", move |c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let now = super::now();
            let mut written = Written::default();
            {
                let (key, _) = Dialect::key_column(entity);
                let mut names = vec!["tenant_id".to_owned()];
                if key == "_key" {
                    names.push("_key".into());
                }
                names.extend(entity.columns.iter().map(|c| q(c.name)));
                names.extend(["_raw", "_synced_at", "_deleted"].map(String::from));
                let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
                let sql = format!(
                    "INSERT INTO {} ({}) VALUES ({}) {}",
                    q(entity.table),
                    names.join(", "),
                    marks.join(", "),
                    Dialect::Sqlite.on_conflict(entity)
                );
                let mut stmt = tx.prepare_cached(&sql)?;
                for row in &rows {
                    let mut values: Vec<&dyn ToSql> = Vec::with_capacity(names.len());
                    values.push(&tenant);
                    if key == "_key" {
                        values.push(&row.key);
                    }
                    values.extend(row.cells.iter().map(|c| c as &dyn ToSql));
                    values.push(&row.raw);
                    values.push(&now);
                    values.push(&false);
                    written.rows += stmt.execute(values.as_slice())? as u64;
                }
                let mut failed = tx.prepare_cached(&format!(
                    "INSERT INTO {FAILURES_TABLE} (tenant_id, entity, raw_sha256, reason, raw, failed_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING"
                ))?;
                for f in &failures {
                    let sha = hex::encode(Sha256::digest(f.raw.as_bytes()));
                    written.failures += failed
                        .execute(params![tenant, entity.name, sha, f.reason, f.raw, now])?
                        as u64;
                }
            }
            let mut state = state;
            state.written += written.rows as i64;
            state.failures += written.failures as i64;
            write_state(&tx, &state)?;
            tx.commit()?;
            Ok(written)
        })
        .await
    }

    pub(super) async fn finish_refresh(
        &self,
        tenant: i64,
        entity: &'static Entity,
        seen: Vec<String>,
        state: &State,
    ) -> Result<u64, Error> {
        let mut state = state.clone();
        self.with("cannot finish the full refresh (rolled back)", move |c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            tx.execute_batch("CREATE TEMP TABLE IF NOT EXISTS _st_seen (k TEXT PRIMARY KEY); DELETE FROM _st_seen;")?;
            {
                let mut ins = tx.prepare_cached("INSERT OR IGNORE INTO _st_seen (k) VALUES (?1)")?;
                for k in &seen {
                    ins.execute([k])?;
                }
            }
            let (key, _) = Dialect::key_column(entity);
            let deleted = tx.execute(
                &format!(
                    "UPDATE {t} SET _deleted = 1, _synced_at = ?2 WHERE tenant_id = ?1 AND NOT _deleted
                     AND CAST({k} AS TEXT) NOT IN (SELECT k FROM _st_seen)",
                    t = q(entity.table),
                    k = q(key)
                ),
                params![tenant, super::now()],
            )? as u64;
            state.deleted += deleted as i64;
            state.written += deleted as i64;
            write_state(&tx, &state)?;
            tx.execute_batch("DELETE FROM _st_seen")?;
            tx.commit()?;
            Ok(deleted)
        })
        .await
    }

    pub(super) async fn save_state(&self, state: &State) -> Result<(), Error> {
        let state = state.clone();
        self.with("cannot save the sync state", move |c| {
            write_state(c, &state)
        })
        .await
    }
}

impl ToSql for Cell {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value, ValueRef};
        Ok(match self {
            Cell::Null => ToSqlOutput::Owned(Value::Null),
            Cell::Int(i) => ToSqlOutput::Owned(Value::Integer(*i)),
            Cell::Bool(b) => ToSqlOutput::Owned(Value::Integer(i64::from(*b))),
            Cell::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
        })
    }
}

const COLUMNS: &str = "tenant_id, entity, mode, token, pending, page, records, written, failures, \
     batches, deleted, checkpoint_at, finished_at, last_error, owner, lease_until";

fn read_state(r: &rusqlite::Row<'_>) -> rusqlite::Result<State> {
    Ok(State {
        tenant_id: r.get(0)?,
        entity: r.get(1)?,
        mode: r.get(2)?,
        token: r.get(3)?,
        pending: r.get(4)?,
        page: r.get(5)?,
        records: r.get(6)?,
        written: r.get(7)?,
        failures: r.get(8)?,
        batches: r.get(9)?,
        deleted: r.get(10)?,
        checkpoint_at: r.get(11)?,
        finished_at: r.get(12)?,
        last_error: r.get(13)?,
        owner: r.get(14)?,
        lease_until: r.get(15)?,
    })
}

fn write_state(c: &Connection, s: &State) -> rusqlite::Result<()> {
    c.prepare_cached(&format!(
        "INSERT OR REPLACE INTO {STATE_TABLE} ({COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    ))?
    .execute(params![
        s.tenant_id,
        s.entity,
        s.mode,
        s.token,
        s.pending,
        s.page,
        s.records,
        s.written,
        s.failures,
        s.batches,
        s.deleted,
        s.checkpoint_at,
        s.finished_at,
        s.last_error,
        s.owner,
        s.lease_until
    ])?;
    Ok(())
}
