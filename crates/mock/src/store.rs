//! The dataset and what clients changed in it.
//!
//! Every collection (`jpm:jobs`, `jpm:jobs/10000001/notes`, per tenant) starts with `records`
//! records that exist only as a function of (seed, tenant, collection, index). Writes are kept as
//! overlays, and every write appends to the collection's change log, which exports read after the
//! initial records: a record changed after an export passed it comes again, one changed before
//! is skipped at its old position — so a full export yields each record exactly once.

use crate::fake::{self, mix};
use crate::gen::Meta;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::RwLock;

/// A client's write to one record.
#[derive(Clone, Debug, Default)]
pub struct Overlay {
    /// Fields as written (shown instead of generated ones).
    pub fields: Map<String, Value>,
    /// Dates and active flag after the write.
    pub meta: Option<Meta>,
    /// Deleted records are hidden from lists and answer 404; exports still carry them.
    pub deleted: bool,
    /// Position of the record's latest entry in the change log.
    pub log_pos: usize,
}

/// One collection's changes.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    /// Records created by POST (indices `records..records + created`).
    pub created: u64,
    /// Overlays by record index.
    pub overlays: HashMap<u64, Overlay>,
    /// Change log: record index per write, oldest first.
    pub log: Vec<u64>,
}

/// A read-only view of one collection for one request.
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    /// Root hash of the collection.
    pub hash: u64,
    /// Initial records.
    pub records: u64,
    /// Changes, if any were made.
    pub changes: Option<&'a Changes>,
}

impl View<'_> {
    /// Records that exist or existed (initial + created).
    pub fn len(&self) -> u64 {
        self.records + self.changes.map_or(0, |c| c.created)
    }

    /// Whether the collection has no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hash of the record at `index`.
    pub fn record_hash(&self, index: u64) -> u64 {
        mix(self.hash, index)
    }

    /// The overlay of the record at `index`.
    pub fn overlay(&self, index: u64) -> Option<&Overlay> {
        self.changes.and_then(|c| c.overlays.get(&index))
    }

    /// Dates and active flag of the record at `index`.
    pub fn meta(&self, index: u64) -> Meta {
        if let Some(meta) = self.overlay(index).and_then(|o| o.meta) {
            return meta;
        }
        initial_meta(self.record_hash(index), index, self.records)
    }

    /// Whether the record exists and is not deleted.
    pub fn live(&self, index: u64) -> bool {
        index < self.len() && !self.overlay(index).is_some_and(|o| o.deleted)
    }
}

/// Meta of an initial record: created in order over three years from 2023, modified within a
/// month after, one in ten inactive.
pub fn initial_meta(h: u64, index: u64, records: u64) -> Meta {
    let step = fake::SPAN / records.max(1) as i64;
    // Saturating: an index from a client's id (`…/technicians/5036295928`) can be huge; the
    // record does not exist, but nothing computed for it may overflow.
    let created = (index.min(i64::MAX as u64) as i64)
        .saturating_mul(step.max(1))
        .saturating_add(fake::START + (h % 3_600) as i64)
        .min(i64::MAX / 2_000);
    let modified = created + ((h >> 12) % (30 * 86_400)) as i64;
    Meta {
        created: created * 1_000,
        modified: modified * 1_000,
        active: !(h >> 40).is_multiple_of(10),
    }
}

/// All tenants' changes, keyed by `tenant/collection`.
#[derive(Debug, Default)]
pub struct Store {
    changes: RwLock<HashMap<String, Changes>>,
}

impl Store {
    /// Runs `f` over the view of a collection.
    pub fn read<R>(&self, key: &str, hash: u64, records: u64, f: impl FnOnce(View<'_>) -> R) -> R {
        let guard = self.changes.read().unwrap_or_else(|e| e.into_inner());
        f(View {
            hash,
            records,
            changes: guard.get(key),
        })
    }

    /// Runs `f` over a collection's changes for writing.
    pub fn write<R>(&self, key: &str, f: impl FnOnce(&mut Changes) -> R) -> R {
        let mut guard = self.changes.write().unwrap_or_else(|e| e.into_inner());
        f(guard.entry(key.to_string()).or_default())
    }

    /// Forgets every change.
    pub fn clear(&self) {
        self.changes
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

impl Changes {
    /// Records a write to `index` (creating its overlay), logging it for exports.
    pub fn touch(&mut self, index: u64, meta: Meta) -> &mut Overlay {
        self.log.push(index);
        let pos = self.log.len() - 1;
        let overlay = self.overlays.entry(index).or_default();
        overlay.log_pos = pos;
        overlay.meta = Some(meta);
        overlay
    }
}
