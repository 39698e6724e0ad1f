//! The sync of one (tenant, entity) unit: read batches or pages, turn records into rows, commit
//! each batch with its checkpoint, report progress.

use crate::catalog::{Entity, SyncMode};
use crate::dest::{now, Commit, Destination, State};
use crate::record::{self, Failed, Row};
use crate::report::EntityReport;
use crate::Error;
use futures::TryStreamExt;
use serde_json::value::RawValue;
use servicetitan_core::call::CallArgs;
use servicetitan_core::export::{self, RawBatch};
use servicetitan_core::Client;
use std::sync::Arc;
use std::time::Instant;

/// A progress event: an entity's totals so far in this run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The tenant.
    pub tenant_id: i64,
    /// `module.entity`.
    pub entity: &'static str,
    /// Records read so far.
    pub records: u64,
    /// Batches or pages committed so far.
    pub batches: u64,
    /// Whether the entity is finished (caught up or failed).
    pub done: bool,
}

/// A progress callback.
pub type OnProgress = Arc<dyn Fn(&Progress) + Send + Sync>;

/// A page of a list, records kept as received.
#[derive(serde::Deserialize)]
struct RawPage {
    #[serde(rename = "hasMore", default)]
    has_more: Option<bool>,
    #[serde(default)]
    data: Option<Vec<Box<RawValue>>>,
}

/// Pages a list may have before the run is considered stuck (5,000 × 100,000 records).
const MAX_PAGES: i64 = 100_000;

pub(crate) struct Unit<'a> {
    pub client: &'a Client,
    pub dest: &'a Destination,
    pub entity: &'static Entity,
    pub page_size: u32,
    pub progress: Option<&'a OnProgress>,
    /// The worker holding the unit's lease (PostgreSQL workers; `None` on SQLite): every
    /// checkpoint it writes is checked against the lease.
    pub owner: Option<String>,
}

impl Unit<'_> {
    /// Syncs the unit; an error is reported in the result (and saved in its state), not raised.
    pub async fn run(&self) -> EntityReport {
        self.run_checked().await.0
    }

    /// [`run`](Self::run), also giving the error itself (workers tell a lost lease or a
    /// database failure from the unit's own failure).
    pub async fn run_checked(&self) -> (EntityReport, Option<Error>) {
        let started = Instant::now();
        let tenant_id = self.client.tenant_id();
        let mut report = EntityReport::new(tenant_id, self.entity);
        let result = match self.entity.mode {
            SyncMode::Export => self.export(&mut report).await,
            SyncMode::Incremental | SyncMode::FullRefresh => self.list(&mut report).await,
        };
        let mut error = None;
        if let Err(e) = result {
            let message = e.to_string();
            // Keep the reason with the checkpoint; the checkpoint itself is left as committed
            // (a leased state is saved only while this worker still holds it).
            if let Ok(Some(mut state)) = self.dest.state(tenant_id, self.entity.name).await {
                state.last_error = Some(message.clone());
                state.owner = self.owner.clone();
                let _ = self.dest.save_state(&state).await;
            }
            report.error = Some(message);
            error = Some(e);
        }
        report.seconds = started.elapsed().as_secs_f64();
        self.emit(&report, true);
        (report, error)
    }

    fn emit(&self, r: &EntityReport, done: bool) {
        if let Some(f) = self.progress {
            f(&Progress {
                tenant_id: r.tenant_id,
                entity: self.entity.name,
                records: r.records,
                batches: r.batches,
                done,
            });
        }
    }

    async fn initial_state(&self) -> Result<State, Error> {
        let tenant_id = self.client.tenant_id();
        let mut state = self
            .dest
            .state(tenant_id, self.entity.name)
            .await?
            .unwrap_or_else(|| State {
                tenant_id,
                entity: self.entity.name.to_owned(),
                ..State::default()
            });
        state.mode = self.entity.mode.as_str().to_owned();
        state.last_error = None;
        state.owner = self.owner.clone();
        Ok(state)
    }

    fn rows(&self, records: Vec<Box<RawValue>>, failures: &mut Vec<Failed>) -> Vec<Row> {
        let mut rows = Vec::with_capacity(records.len());
        for raw in records {
            match record::read(self.entity, &raw) {
                Ok(row) => rows.push(row),
                Err(f) => failures.push(f),
            }
        }
        record::dedupe(rows)
    }

    async fn commit(
        &self,
        state: &mut State,
        rows: Vec<Row>,
        failures: Vec<Failed>,
        report: &mut EntityReport,
    ) -> Result<(), Error> {
        let written = self
            .dest
            .commit(Commit {
                tenant_id: state.tenant_id,
                entity: self.entity,
                rows,
                failures,
                state: state.clone(),
            })
            .await?;
        state.written += written.rows as i64;
        state.failures += written.failures as i64;
        report.written += written.rows;
        report.failures += written.failures;
        report.batches += 1;
        self.emit(report, false);
        Ok(())
    }

    async fn export(&self, report: &mut EntityReport) -> Result<(), Error> {
        let mut state = self.initial_state().await?;
        report.resumed_from = state.token.clone();
        let entity = self.entity;
        let client = self.client;
        let batches = export::batches(entity.meta.operation_id, state.token.clone(), |from| {
            let mut args = CallArgs::default();
            args.query.extend(from.map(|f| ("from".to_owned(), f)));
            async move {
                client
                    .call_json::<RawBatch>(&entity.meta, entity.base_path, &args)
                    .await
            }
        });
        futures::pin_mut!(batches);
        while let Some(batch) = batches.try_next().await? {
            let mut failures: Vec<Failed> = batch
                .failures
                .iter()
                .map(|f| Failed {
                    raw: f.raw_json().to_owned(),
                    reason: f.to_string(),
                })
                .collect();
            let read = (batch.items.len() + batch.failures.len()) as u64;
            let rows = self.rows(batch.items, &mut failures);
            let moved = batch.checkpoint.is_some() && batch.checkpoint != state.token;
            if let Some(token) = batch.checkpoint {
                state.token = Some(token);
            }
            state.records += read as i64;
            report.records += read;
            if !batch.has_more {
                state.finished_at = Some(now());
            }
            if read == 0 && !moved {
                // Nothing new and the token did not move: nothing to write but the run's end.
                self.dest.save_state(&state).await?;
                continue;
            }
            state.batches += 1;
            state.checkpoint_at = Some(now());
            self.commit(&mut state, rows, failures, report).await?;
        }
        Ok(())
    }

    async fn list(&self, report: &mut EntityReport) -> Result<(), Error> {
        let mut state = self.initial_state().await?;
        let incremental = self.entity.mode == SyncMode::Incremental;
        report.resumed_from = state.token.clone();
        // A run that was interrupted starts over from page 1 (pages shift as data changes); the
        // upserts make reading a record twice harmless. Its bookmark only moves at the end.
        state.page = 0;
        state.pending = None;
        let mut seen: Vec<String> = Vec::new();
        let mut page = 1i64;
        loop {
            let mut args = CallArgs::default();
            args.query.push(("page".into(), page.to_string()));
            args.query
                .push(("pageSize".into(), self.page_size.to_string()));
            if self.entity.active_any {
                args.query.push(("active".into(), "Any".into()));
            }
            if let (true, Some(since)) = (incremental, &state.token) {
                args.query.push(("modifiedOnOrAfter".into(), since.clone()));
            }
            let body: RawPage = self
                .client
                .call_json(&self.entity.meta, self.entity.base_path, &args)
                .await?;
            let records = body.data.unwrap_or_default();
            let read = records.len() as u64;
            let mut failures = Vec::new();
            let rows = self.rows(records, &mut failures);
            if incremental {
                let newest = rows.iter().filter_map(|r| r.modified_on.clone()).max();
                state.pending = state.pending.clone().max(newest);
            } else {
                seen.extend(rows.iter().filter_map(|r| r.key.to_text()));
            }
            state.records += read as i64;
            report.records += read;
            let more = body.has_more.unwrap_or(false) && read > 0;
            if more && page >= MAX_PAGES {
                return Err(Error::Stalled(format!(
                    "{}: the list still said hasMore after {MAX_PAGES} pages",
                    self.entity.name
                )));
            }
            state.page = page;
            if read > 0 {
                state.batches += 1;
                state.checkpoint_at = Some(now());
                self.commit(&mut state, rows, failures, report).await?;
            }
            if !more {
                break;
            }
            page += 1;
        }
        state.page = 0;
        state.finished_at = Some(now());
        if incremental {
            if let Some(newest) = state.pending.take() {
                state.token = Some(newest);
            }
            self.dest.save_state(&state).await
        } else {
            let deleted = self
                .dest
                .finish_refresh(state.tenant_id, self.entity, seen, &state)
                .await?;
            report.deleted += deleted;
            report.written += deleted;
            Ok(())
        }
    }
}
