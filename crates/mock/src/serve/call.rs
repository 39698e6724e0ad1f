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
    let is_item = matches!(op.method.as_str(), "GET" | "PUT" | "PATCH" | "DELETE")
        && op.kind != crate::spec::Kind::PagedList
        && op.trailing_param().is_some();
    let item = if is_item {
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
