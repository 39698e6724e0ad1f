//! A sync into PostgreSQL as one worker of many: join the run of this selection, claim units
//! one at a time under a lease, renew it while the unit runs, mark it finished, and stop when
//! every unit of the run is finished by someone ([`crate::dest::leases`] has the SQL). A single
//! `st sync` on PostgreSQL is simply a fleet of one.

use crate::catalog::{self, Entity};
use crate::dest::leases::{Claim, Run};
use crate::dest::Destination;
use crate::report::{EntityReport, RunSummary, TenantReport};
use crate::{run, Error, Sync};
use futures::future::{BoxFuture, FutureExt};
use futures::stream::{FuturesUnordered, StreamExt};
use servicetitan_core::Client;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Default lease: how long a unit stays held by a worker that stopped renewing (died).
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);
/// Default renewal period.
pub const DEFAULT_RENEW: Duration = Duration::from_secs(10);

/// How this worker holds units.
#[derive(Clone, Debug)]
pub(crate) struct Leasing {
    pub lease: Duration,
    pub renew: Duration,
    pub worker: String,
}

impl Leasing {
    /// A renewal period not shorter than the lease would let leases lapse while held.
    pub fn new(lease: Duration, renew: Duration, worker: Option<String>) -> Leasing {
        let lease = lease.max(Duration::from_millis(200));
        let renew = if renew.is_zero() || renew >= lease {
            lease / 3
        } else {
            renew
        };
        Leasing {
            lease,
            renew,
            worker: worker.unwrap_or_else(default_worker_id),
        }
    }

    /// How often a worker with nothing to claim looks again (an expired lease is noticed this
    /// late at most).
    fn poll(&self) -> Duration {
        self.renew.min(Duration::from_secs(1))
    }
}

/// `host:pid:nonce`: unique per process, readable in `_st_sync_state.owner`.
pub fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".to_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{host}:{}:{nanos:08x}", std::process::id())
}

/// What became of one claimed unit.
enum Outcome {
    /// Finished here (with or without the unit's own error).
    Finished(EntityReport),
    /// The lease was taken over; another worker finishes it.
    Lost,
}

struct Worker<'a> {
    sync: &'a Sync,
    dest: &'a Destination,
    leasing: &'a Leasing,
    run: Run,
    clients: HashMap<i64, &'a Client>,
}

/// Runs `sync` as one worker; the tenants' reports (units run here) and the run's summary.
pub(crate) async fn run(
    sync: &Sync,
    leasing: &Leasing,
) -> Result<(Vec<TenantReport>, Option<RunSummary>), Error> {
    // A refused credential fails its tenant once, here, and leaves it out of the run (its units
    // would otherwise wait for a worker that can never finish them).
    let mut checks: FuturesUnordered<BoxFuture<'_, _>> = FuturesUnordered::new();
    for client in &sync.tenants {
        checks.push(token_check(client).boxed());
    }
    let mut reports = Vec::new();
    let mut clients = HashMap::new();
    while let Some((client, token)) = checks.next().await {
        match token {
            Ok(_) => {
                clients.insert(client.tenant_id(), client);
            }
            Err(e) => reports.push(TenantReport {
                tenant_id: client.tenant_id(),
                error: Some(e.to_string()),
                entities: Vec::new(),
            }),
        }
    }
    let mut units: Vec<(i64, &'static Entity)> = Vec::new();
    for tenant in clients.keys() {
        units.extend(sync.entities.iter().map(|e| (*tenant, *e)));
    }
    if units.is_empty() {
        return Ok((reports, None));
    }
    let dest = &*sync.dest;
    let run = dest.join_run(&units, &leasing.worker).await?;
    tracing::info!(run = %run.id, worker = %leasing.worker, units = run.units, started_here = run.started_here, "sync run joined");
    let worker = Worker {
        sync,
        dest,
        leasing,
        run,
        clients,
    };
    let (done, summary) = worker.work().await?;
    let mut by_tenant: HashMap<i64, Vec<EntityReport>> = HashMap::new();
    for r in done {
        by_tenant.entry(r.tenant_id).or_default().push(r);
    }
    for tenant in worker.clients.keys() {
        let mut entities = by_tenant.remove(tenant).unwrap_or_default();
        entities.sort_by_key(|e| e.entity);
        reports.push(TenantReport {
            tenant_id: *tenant,
            error: None,
            entities,
        });
    }
    reports.sort_by_key(|t| t.tenant_id);
    Ok((reports, Some(summary)))
}

async fn token_check(client: &Client) -> (&Client, Result<(), servicetitan_core::Error>) {
    (client, client.access_token().await.map(drop))
}

impl Worker<'_> {
    async fn work(&self) -> Result<(Vec<EntityReport>, RunSummary), Error> {
        let per_tenant = self.sync.concurrency;
        let slots = per_tenant * self.clients.len();
        let mut summary = RunSummary {
            run_id: self.run.id.clone(),
            units: self.run.units,
            worker: self.leasing.worker.clone(),
            started_here: self.run.started_here,
            ..RunSummary::default()
        };
        let mut done = Vec::new();
        let mut busy: HashMap<i64, usize> = HashMap::new();
        // Boxed: the compiler cannot prove a collection of borrowing futures `Send` for every
        // lifetime otherwise, and `Sync::run` must stay `Send` (users spawn it).
        let mut running: FuturesUnordered<BoxFuture<'_, (i64, Result<Outcome, Error>)>> =
            FuturesUnordered::new();
        loop {
            while running.len() < slots {
                let full: Vec<i64> = busy
                    .iter()
                    .filter(|(_, n)| **n >= per_tenant)
                    .map(|(t, _)| *t)
                    .collect();
                let lease = self.leasing.lease;
                let worker = &self.leasing.worker;
                let Some(claim) = self.dest.claim(&self.run, worker, lease, &full).await? else {
                    break;
                };
                if let Some(from) = &claim.taken_from {
                    summary.taken_over += 1;
                    tracing::warn!(tenant = claim.tenant_id, entity = %claim.entity, from = %from, "taking over a unit whose lease expired; resuming from its checkpoint");
                }
                *busy.entry(claim.tenant_id).or_default() += 1;
                running.push(self.unit(claim).boxed());
            }
            if running.is_empty() {
                let progress = self.dest.run_progress(&self.run).await?;
                if progress.unfinished == 0 {
                    summary.failed_elsewhere = progress
                        .failed
                        .into_iter()
                        .filter(|(_, _, by, _)| *by != self.leasing.worker)
                        .map(|(t, e, by, err)| format!("tenant {t} {e} (worker {by}): {err}"))
                        .collect();
                    return Ok((done, summary));
                }
                // Units are held by other workers: wait for them to finish, or for a lease to
                // expire (its worker died) and take the unit over.
                tokio::time::sleep(self.leasing.poll()).await;
                continue;
            }
            tokio::select! {
                Some((tenant, outcome)) = running.next() => {
                    *busy.entry(tenant).or_default() -= 1;
                    match outcome? {
                        Outcome::Finished(report) => {
                            summary.finished_here += 1;
                            done.push(report);
                        }
                        Outcome::Lost => summary.lost += 1,
                    }
                }
                _ = tokio::time::sleep(self.leasing.poll()) => {}
            }
        }
    }

    /// Runs one claimed unit while renewing its lease; marks it finished.
    async fn unit(&self, claim: Claim) -> (i64, Result<Outcome, Error>) {
        let tenant = claim.tenant_id;
        (tenant, self.unit_outcome(claim).await)
    }

    async fn unit_outcome(&self, claim: Claim) -> Result<Outcome, Error> {
        let me = &self.leasing.worker;
        let (tenant, name) = (claim.tenant_id, claim.entity.as_str());
        let (Some(entity), Some(client)) = (catalog::entity(name), self.clients.get(&tenant))
        else {
            // Not this worker's to run (cannot happen within one selection): give it back.
            self.dest.release(tenant, name, me).await?;
            return Ok(Outcome::Lost);
        };
        let unit = run::Unit {
            client,
            dest: self.dest,
            entity,
            page_size: self.sync.page_size,
            progress: self.sync.progress.as_ref(),
            owner: Some(me.clone()),
        };
        let (report, error) = tokio::select! {
            r = unit.run_checked() => r,
            lost = self.keep(tenant, name) => (EntityReport::new(tenant, entity), Some(lost)),
        };
        let message = match error {
            Some(Error::LeaseLost(why)) => {
                tracing::warn!(tenant, entity = name, %why, "lease lost: the unit stopped here");
                return Ok(Outcome::Lost);
            }
            // The database cannot be reached: this worker stops; its leases expire and another
            // worker (or this one restarted) resumes from the committed checkpoints.
            Some(e @ Error::Destination(_)) => return Err(e),
            other => other.map(|e| e.to_string()),
        };
        match self
            .dest
            .finish_unit(&self.run, tenant, name, me, message.as_deref())
            .await
        {
            Ok(()) => Ok(Outcome::Finished(report)),
            Err(Error::LeaseLost(_)) => Ok(Outcome::Lost),
            Err(e) => Err(e),
        }
    }

    /// Renews the lease every `renew` until it is lost: taken by another worker, or not renewed
    /// for a whole lease (the database unreachable), after which another worker may hold it.
    async fn keep(&self, tenant: i64, entity: &str) -> Error {
        let Leasing {
            lease,
            renew,
            worker,
        } = self.leasing;
        let mut held_until = Instant::now() + *lease;
        loop {
            tokio::time::sleep(*renew).await;
            let asked = Instant::now();
            let renewed =
                tokio::time::timeout(*renew, self.dest.renew(tenant, entity, worker, *lease));
            match renewed.await {
                Ok(Ok(true)) => held_until = asked + *lease,
                Ok(Ok(false)) => {
                    return Error::LeaseLost(format!(
                        "tenant {tenant} {entity}: worker {worker}'s lease was taken over"
                    ))
                }
                Ok(Err(e)) if Instant::now() < held_until => {
                    tracing::warn!(tenant, entity, error = %e, "cannot renew the lease; retrying")
                }
                Err(_) if Instant::now() < held_until => {
                    tracing::warn!(tenant, entity, "renewing the lease is slow; retrying")
                }
                _ => {
                    return Error::LeaseLost(format!(
                        "tenant {tenant} {entity}: worker {worker} could not renew its lease for {lease:?}"
                    ))
                }
            }
        }
    }
}
