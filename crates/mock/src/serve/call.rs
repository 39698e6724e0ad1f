//! One routed, authorised, validated API call and what every handler needs from it.

use crate::catalog::CompiledModule;
use crate::fake::{self, mix};
use crate::gen::{Writer, ID_BASE};
use crate::problem::json_response;
use crate::shape::Shape;
use crate::spec::Operation;
use crate::state::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// A call ready to be answered.
pub struct Call {
    /// Server state.
    pub state: Arc<State>,
    /// The module, compiled.
    pub cm: &'static CompiledModule,
    /// The operation.
    pub op: &'static crate::spec::Operation,
    /// Its response body's shape.
    pub response: Option<&'static Shape>,
    /// Tenant from the path.
    pub tenant: i64,
    /// Path parameters.
    pub path: HashMap<String, String>,
    /// Query pairs as sent.
    pub query: Vec<(String, String)>,
    /// Parsed JSON body (`Null` when none).
    pub body: Value,
    /// Drift mode.
    pub drift: bool,
}

/// Where an operation's records live: the collection key and, for item operations, the id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `jpm:jobs`, `jpm:jobs/10000001/notes`.
    pub collection: String,
    /// The trailing `{id}` of an item operation.
    pub item: Option<String>,
}

/// The collection an operation works on: its path after `tenant/{tenant}`, without a leading
/// `export/`, with path parameters filled in; an item operation's trailing parameter is the id.
pub fn target(module_short: &str, op: &Operation, path: &HashMap<String, String>) -> Target {
    let segments: Vec<&str> = op.path.trim_matches('/').split('/').collect();
    let start = segments
        .iter()
        .position(|s| *s == "{tenant}")
        .map_or(0, |i| i + 1);
    let mut rest: Vec<&str> = segments[start..].to_vec();
    if rest.first() == Some(&"export") && rest.len() > 1 {
        rest.remove(0);
    }
    let item = if is_item(op) {
        rest.pop()
            .and_then(|s| s.strip_prefix('{'))
            .and_then(|s| s.strip_suffix('}'))
            .and_then(|name| path.get(name).cloned())
    } else {
        None
    };
    let filled: Vec<String> = rest
        .iter()
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => path.get(name).cloned().unwrap_or_default(),
                None => s.to_string(),
            },
        )
        .collect();
    Target {
        collection: format!("{module_short}:{}", filled.join("/")),
        item,
    }
}

/// Most children a parent has in a collection under it (`jobs/{id}/notes`): each parent has
/// a deterministic count from 0 to this.
pub const MAX_CHILDREN: u64 = 5;

/// A collection as one request sees it: store key, root hash, initial size, and the parents
/// its records point back at.
#[derive(Clone, Debug)]
pub struct Scope {
    /// `tenant/collection`.
    pub key: String,
    /// Root hash of the collection's records.
    pub hash: u64,
    /// Initial records: `records` at the top level, a few per parent under one.
    pub records: u64,
    /// `(field, id)` per parent in the path (`jobs/{id}/notes` → `("jobId", id)`).
    pub parents: Vec<(String, String)>,
}

/// The parents in an operation's path: each path parameter before the collection, named as
/// the child's field that refers to it (`{id}` after `jobs` → `jobId`, `{jobId}` → `jobId`).
pub fn parents(op: &Operation, path: &HashMap<String, String>) -> Vec<(String, String)> {
    let segments: Vec<&str> = op.path.trim_matches('/').split('/').collect();
    let start = segments
        .iter()
        .position(|s| *s == "{tenant}")
        .map_or(0, |i| i + 1);
    let mut rest = &segments[start..];
    if is_item(op) {
        rest = &rest[..rest.len().saturating_sub(1)];
    }
    let mut out = Vec::new();
    for (k, s) in rest.iter().enumerate() {
        let Some(name) = s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            continue;
        };
        let Some(value) = path.get(name) else {
            continue;
        };
        let field = match (name, k.checked_sub(1).map(|p| rest[p])) {
            ("id", Some(prev)) if !prev.starts_with('{') => format!("{}Id", singular(prev)),
            _ => name.to_string(),
        };
        out.push((field, value.clone()));
    }
    out
}

/// `bank-deposits` → `bankDeposit`, `journal-entries` → `journalEntry`.
fn singular(segment: &str) -> String {
    let mut camel = String::new();
    for (i, part) in segment.split('-').enumerate() {
        let mut chars = part.chars();
        if let Some(c) = chars.next() {
            if i == 0 {
                camel.push(c);
            } else {
                camel.push(c.to_ascii_uppercase());
            }
            camel.push_str(chars.as_str());
        }
    }
    if let Some(stem) = camel.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = camel.strip_suffix('s').filter(|s| !s.ends_with('s')) {
        stem.to_string()
    } else {
        camel
    }
}

fn is_item(op: &Operation) -> bool {
    matches!(op.method.as_str(), "GET" | "PUT" | "PATCH" | "DELETE")
        && op.kind != crate::spec::Kind::PagedList
        && op.trailing_param().is_some()
}

/// The record index an id names (`ID_BASE + index`, or a GUID carrying it).
pub fn index_of(id: &str) -> Option<u64> {
    let n = id.parse::<u64>().ok().or_else(|| fake::guid_number(id))?;
    n.checked_sub(ID_BASE)
}

impl Call {
    /// The generator for this call's module.
    pub fn writer(&self) -> Writer<'static> {
        Writer {
            schemas: &self.cm.schemas,
            records: self.state.config.records,
            drift: self.drift,
        }
    }

    /// The collection and item of this call.
    pub fn target(&self) -> Target {
        target(&self.cm.module.short, self.op, &self.path)
    }

    /// Store key and root hash of a collection for this tenant.
    pub fn collection_keys(&self, collection: &str) -> (String, u64) {
        let hash = mix(
            mix(self.state.config.seed, self.tenant as u64),
            fake::hash_str(collection),
        );
        (format!("{}/{collection}", self.tenant), hash)
    }

    /// The collection as this call sees it (see [`Scope`]).
    pub fn scope(&self, collection: &str) -> Scope {
        self.scope_under(collection, parents(self.op, &self.path))
    }

    /// A collection under the given parents (none: a top-level collection).
    pub fn scope_under(&self, collection: &str, parents: Vec<(String, String)>) -> Scope {
        let (key, hash) = self.collection_keys(collection);
        let top = self.state.config.records;
        let records = if parents.is_empty() {
            top
        } else if parents
            .iter()
            .any(|(_, id)| index_of(id).is_some_and(|i| i >= top))
        {
            0 // the parent does not exist
        } else {
            mix(hash, 0xC41D) % (MAX_CHILDREN + 1)
        };
        Scope {
            key,
            hash,
            records,
            parents,
        }
    }

    /// Runs `f` over the view of a collection.
    pub fn read<R>(&self, scope: &Scope, f: impl FnOnce(crate::store::View<'_>) -> R) -> R {
        self.state
            .store
            .read(&scope.key, scope.hash, scope.records, f)
    }

    /// A query value (names compared case-insensitively, as the API does).
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A query value as a number.
    pub fn query_u64(&self, name: &str) -> Option<u64> {
        self.query(name).and_then(|v| v.trim().parse().ok())
    }

    /// A query value as a boolean.
    pub fn query_bool(&self, name: &str) -> bool {
        self.query(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// The success status the spec declares (`2XX` → 200).
    pub fn success_status(&self) -> StatusCode {
        self.op
            .response
            .as_ref()
            .and_then(|r| r.status.parse::<u16>().ok())
            .filter(|s| (200..300).contains(s))
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::OK)
    }

    /// A JSON answer with the spec's success status.
    pub fn ok(&self, body: String) -> Response {
        json_response(self.success_status(), body)
    }
}
