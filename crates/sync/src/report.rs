//! What a run did, per tenant and entity: the typed report `Sync::run` returns.

use crate::catalog::Entity;
use std::fmt;

/// One entity of one tenant.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EntityReport {
    /// The tenant.
    pub tenant_id: i64,
    /// `module.entity`.
    pub entity: &'static str,
    /// The table.
    pub table: &'static str,
    /// `export`, `incremental` or `full-refresh`.
    pub mode: &'static str,
    /// The checkpoint the run started from (`None`: the beginning).
    pub resumed_from: Option<String>,
    /// Records read.
    pub records: u64,
    /// Rows inserted, changed or marked deleted (unchanged rows are not written).
    pub written: u64,
    /// Records recorded in `_st_sync_failures`.
    pub failures: u64,
    /// Rows marked deleted (full refresh).
    pub deleted: u64,
    /// Batches or pages committed.
    pub batches: u64,
    /// Seconds spent.
    pub seconds: f64,
    /// Why the entity did not finish (its checkpoint stays at the last committed batch).
    pub error: Option<String>,
}

impl EntityReport {
    pub(crate) fn new(tenant_id: i64, e: &'static Entity) -> EntityReport {
        EntityReport {
            tenant_id,
            entity: e.name,
            table: e.table,
            mode: e.mode.as_str(),
            resumed_from: None,
            records: 0,
            written: 0,
            failures: 0,
            deleted: 0,
            batches: 0,
            seconds: 0.0,
            error: None,
        }
    }
}

/// One tenant.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TenantReport {
    /// The tenant.
    pub tenant_id: i64,
    /// Why nothing of the tenant was synced (e.g. its credentials were refused).
    pub error: Option<String>,
    /// Each entity.
    pub entities: Vec<EntityReport>,
}

/// This worker's part in a run shared by several workers (PostgreSQL).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct RunSummary {
    /// The run (see [`crate::dest::leases`]).
    pub run_id: String,
    /// Units in the run.
    pub units: u64,
    /// This worker.
    pub worker: String,
    /// Whether this worker started the run (the others joined it).
    pub started_here: bool,
    /// Units this worker finished (they are in [`Report::tenants`]).
    pub finished_here: u64,
    /// Units this worker took over from a worker whose lease expired.
    pub taken_over: u64,
    /// Units whose lease this worker lost (another worker finished them).
    pub lost: u64,
    /// Units other workers finished with an error (`tenant 5 jpm.jobs (worker w): …`).
    pub failed_elsewhere: Vec<String>,
}

/// A whole run.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Report {
    /// Where the rows went (password masked).
    pub destination: String,
    /// Each tenant: the units this process ran.
    pub tenants: Vec<TenantReport>,
    /// Seconds spent.
    pub seconds: f64,
    /// On PostgreSQL: the run this process took part in, with the other workers.
    pub run: Option<RunSummary>,
}

impl Report {
    /// Records read in all.
    pub fn records(&self) -> u64 {
        self.entities().map(|e| e.records).sum()
    }

    /// Rows written in all.
    pub fn written(&self) -> u64 {
        self.entities().map(|e| e.written).sum()
    }

    /// Every entity report.
    pub fn entities(&self) -> impl Iterator<Item = &EntityReport> {
        self.tenants.iter().flat_map(|t| &t.entities)
    }

    /// Whether every tenant and entity finished, here and (in a shared run) elsewhere.
    pub fn is_success(&self) -> bool {
        self.errors().is_empty()
    }

    /// The failures, one line each (`tenant 5 jpm.jobs: …`).
    pub fn errors(&self) -> Vec<String> {
        let mut out = Vec::new();
        for t in &self.tenants {
            if let Some(e) = &t.error {
                out.push(format!("tenant {}: {e}", t.tenant_id));
            }
            for e in &t.entities {
                if let Some(err) = &e.error {
                    out.push(format!("tenant {} {}: {err}", t.tenant_id, e.entity));
                }
            }
        }
        if let Some(run) = &self.run {
            out.extend(run.failed_elsewhere.iter().cloned());
        }
        out
    }
}

/// The summary table: one line per tenant and entity, then the totals.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<10} {:<44} {:<12} {:>9} {:>9} {:>8} {:>7} {:>7}  status",
            "tenant", "entity", "mode", "records", "written", "failures", "deleted", "batches"
        )?;
        for t in &self.tenants {
            if let Some(e) = &t.error {
                writeln!(f, "{:<10} {:<44} failed: {e}", t.tenant_id, "(all)")?;
            }
            for e in &t.entities {
                let status = e
                    .error
                    .as_deref()
                    .map_or("ok".to_owned(), |m| format!("failed: {m}"));
                writeln!(
                    f,
                    "{:<10} {:<44} {:<12} {:>9} {:>9} {:>8} {:>7} {:>7}  {status}",
                    e.tenant_id,
                    e.entity,
                    e.mode,
                    e.records,
                    e.written,
                    e.failures,
                    e.deleted,
                    e.batches
                )?;
            }
        }
        if let Some(r) = &self.run {
            writeln!(
                f,
                "run {}: {} unit(s), {} finished by this worker ({}), {} taken over, {} lost to others",
                r.run_id, r.units, r.finished_here, r.worker, r.taken_over, r.lost
            )?;
        }
        let secs = self.seconds.max(1e-9);
        write!(
            f,
            "{} record(s) read, {} row(s) written into {} in {:.1} s ({:.0} records/s); {} error(s)",
            self.records(),
            self.written(),
            self.destination,
            self.seconds,
            self.records() as f64 / secs,
            self.errors().len()
        )
    }
}
