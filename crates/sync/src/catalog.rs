//! What can be synced: the entity catalog generated from the specs by the build script (see
//! `build/main.rs`), and the selection of entities a run syncs.

use crate::Error;
use servicetitan_core::OperationMeta;

/// How an entity is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum SyncMode {
    /// An export: resumed from the continuation token saved with the last batch.
    Export,
    /// A paged list with `modifiedOnOrAfter`: from the newest `modifiedOn` of the last complete
    /// run (inclusive, so records sharing that instant are read again rather than skipped).
    Incremental,
    /// A paged list read whole every run; rows it no longer returns are marked `_deleted`.
    FullRefresh,
}

impl SyncMode {
    /// The mode as `st sync entities` and the state table spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncMode::Export => "export",
            SyncMode::Incremental => "incremental",
            SyncMode::FullRefresh => "full-refresh",
        }
    }
}

/// A column's type, from the record schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ColumnType {
    /// `integer`: 64-bit.
    Integer,
    /// `number`: exact (PostgreSQL `numeric`; SQLite text with the API's digits).
    Decimal,
    /// `boolean`.
    Boolean,
    /// `date-time`: a UTC timestamp (SQLite: RFC 3339 text, nanoseconds, `Z`).
    Timestamp,
    /// `date`.
    Date,
    /// A string or an enum.
    Text,
    /// An object, an array or anything else: JSON.
    Json,
}

/// One typed column of an entity's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Column {
    /// The column's name (snake case).
    pub name: &'static str,
    /// The record's property it holds.
    pub api_name: &'static str,
    /// Its type.
    pub ty: ColumnType,
}

/// Something that can be synced, e.g. `jpm.jobs` into table `jpm_jobs`.
#[derive(Debug)]
pub struct Entity {
    /// `module.entity`, e.g. `jpm.jobs`.
    pub name: &'static str,
    /// The table's name, e.g. `jpm_jobs`.
    pub table: &'static str,
    /// The module's short name, e.g. `jpm`.
    pub module: &'static str,
    /// The module's base path, e.g. `jpm/v2`.
    pub base_path: &'static str,
    /// How it is read.
    pub mode: SyncMode,
    /// The properties that identify a record (`["id"]` nearly always); the key column is `id`
    /// for `["id"]`, else `_key` (the values joined with `:`).
    pub key: &'static [&'static str],
    /// Whether the operation takes `active` (sent as `Any`: inactive rows are kept too).
    pub active_any: bool,
    /// The operation read.
    pub meta: OperationMeta,
    /// Typed columns from the record schema's top-level properties.
    pub columns: &'static [Column],
}

impl Entity {
    /// The column holding `modifiedOn`, when the record has one.
    pub fn modified_on(&self) -> Option<&'static Column> {
        self.columns
            .iter()
            .find(|c| c.api_name == "modifiedOn" && c.ty == ColumnType::Timestamp)
    }
}

include!(concat!(env!("OUT_DIR"), "/entities.rs"));

/// Every entity that can be synced.
pub fn entities() -> &'static [Entity] {
    ENTITIES
}

/// The entity named `name` (`jpm.jobs`; `jpm_jobs` and `-` for `_` are accepted too).
pub fn entity(name: &str) -> Option<&'static Entity> {
    let wanted = name.trim().replace('-', "_");
    ENTITIES
        .iter()
        .find(|e| e.name == wanted || e.table == wanted)
}

/// The entities of `only` (names) and `modules` (short names); all when both are empty.
pub fn select(only: &[String], modules: &[String]) -> Result<Vec<&'static Entity>, Error> {
    let mut out: Vec<&'static Entity> = Vec::new();
    for name in only {
        let e = entity(name).ok_or_else(|| {
            Error::Selection(format!(
                "no entity named {name:?}; `st sync entities` lists them (e.g. jpm.jobs)"
            ))
        })?;
        if !out.iter().any(|o| std::ptr::eq(*o, e)) {
            out.push(e);
        }
    }
    for module in modules {
        let wanted = module.trim().replace('_', "-");
        let found: Vec<_> = ENTITIES.iter().filter(|e| e.module == wanted).collect();
        if found.is_empty() {
            return Err(Error::Selection(format!(
                "no module {module:?} with entities; `st sync entities` lists them"
            )));
        }
        for e in found {
            if !out.iter().any(|o| std::ptr::eq(*o, e)) {
                out.push(e);
            }
        }
    }
    if only.is_empty() && modules.is_empty() {
        out = ENTITIES.iter().collect();
    }
    Ok(out)
}
