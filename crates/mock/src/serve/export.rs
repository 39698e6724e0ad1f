//! Exports: `from` (a continuation token or a date), `includeRecentChanges`, and
//! `continueFrom`/`hasMore` over the collection's records followed by its change log (see
//! [`crate::store`]): a full export yields every record exactly once, in its latest version.
//! With `includeRecentChanges=true` a changed record is also shown at its old position, so it can
//! come twice — as the API warns.

use super::call::Call;
use crate::dates;
use crate::gen::Record;
use crate::problem::field_error;
use crate::shape::Shape;
use crate::store::View;
use axum::response::Response;
use std::fmt::Write;

/// Where an export stands: the next position and the date it filters from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// Next position (records first, then the change log).
    pub pos: u64,
    /// Only records modified at or after this time (100-ns ticks: full precision), from a
    /// date `from`.
    pub since: Option<i64>,
}

impl Cursor {
    /// The continuation token (opaque to clients).
    pub fn token(&self) -> String {
        match self.since {
            Some(s) => format!("mc1.{:x}.{:x}", self.pos, s),
            None => format!("mc1.{:x}", self.pos),
        }
    }

    /// Reads `from`: empty → the beginning, a token of ours, or a date.
    pub fn parse(from: Option<&str>) -> Result<Cursor, String> {
        let Some(from) = from.map(str::trim).filter(|f| !f.is_empty()) else {
            return Ok(Cursor {
                pos: 0,
                since: None,
            });
        };
        if let Some(rest) = from.strip_prefix("mc1.") {
            let mut parts = rest.split('.');
            let pos = parts.next().and_then(|p| u64::from_str_radix(p, 16).ok());
            let since = parts.next().map(|s| i64::from_str_radix(s, 16).ok());
            return match (pos, since) {
                (Some(pos), None) => Ok(Cursor { pos, since: None }),
                (Some(pos), Some(Some(s))) => Ok(Cursor {
                    pos,
                    since: Some(s),
                }),
                _ => Err(format!(
                    "'{from}' is not a continuation token this server issued"
                )),
            };
        }
        dates::parse_ticks(from)
            .map(|s| Cursor {
                pos: 0,
                since: Some(s),
            })
            .ok_or_else(|| format!("'{from}' is neither a continuation token nor a date"))
    }
}

/// The record at an export position, if that position shows one.
pub fn at(view: &View<'_>, pos: u64, recent: bool) -> Option<u64> {
    let log = view.changes.map_or(&[][..], |c| c.log.as_slice());
    if pos < view.records {
        let changed = view.overlay(pos).is_some();
        return (!changed || recent).then_some(pos);
    }
    let k = (pos - view.records) as usize;
    let index = *log.get(k)?;
    (view.overlay(index).map(|o| o.log_pos) == Some(k)).then_some(index)
}

/// Positions in all (records + log entries).
pub fn end(view: &View<'_>) -> u64 {
    view.records + view.changes.map_or(0, |c| c.log.len() as u64)
}

/// Answers an export.
pub async fn handle(call: Call) -> Response {
    let cursor = match Cursor::parse(call.query("from")) {
        Ok(c) => c,
        Err(message) => return field_error("from", message),
    };
    let recent = call.query_bool("includeRecentChanges");
    let batch = call.state.config.export_batch.max(1);
    let collection = call.target().collection;
    tokio::task::spawn_blocking(move || {
        let Some(envelope_shape) = call.response else {
            return call.ok("{}".into());
        };
        let w = call.writer();
        let Some(envelope) = w.schemas.object(envelope_shape) else {
            return call.ok("{}".into());
        };
        let items = crate::catalog::data_items(call.cm, envelope_shape).unwrap_or(&Shape::Any);
        let scope = call.scope(&collection);
        let body = call.read(&scope, |view| {
            let last = end(&view);
            let mut pos = cursor.pos.min(last);
            let mut indices = Vec::new();
            while pos < last && (indices.len() as u64) < batch {
                if let Some(index) = at(&view, pos, recent) {
                    if cursor
                        .since
                        .is_none_or(|s| dates::ms_to_ticks(view.meta(index).modified) >= s)
                    {
                        indices.push(index);
                    }
                }
                pos += 1;
            }
            let next = Cursor {
                pos,
                since: cursor.since,
            };
            let mut out = String::with_capacity(256 + indices.len() * 1200);
            w.object_with(
                envelope,
                view.hash,
                0,
                &mut out,
                &mut |_, prop, out| match prop.name.as_str() {
                    "hasMore" => write!(out, "{}", pos < last).is_ok(),
                    "continueFrom" => write!(out, "\"{}\"", next.token()).is_ok(),
                    "data" => {
                        out.push('[');
                        for (k, &index) in indices.iter().enumerate() {
                            if k > 0 {
                                out.push(',');
                            }
                            let overlay = view.overlay(index);
                            let mut meta = view.meta(index);
                            if overlay.is_some_and(|o| o.deleted) {
                                meta.active = false;
                            }
                            let rec = Record {
                                hash: view.record_hash(index),
                                index,
                                meta,
                                overlay: overlay.map(|o| &o.fields),
                                parents: &scope.parents,
                            };
                            w.record(items, &rec, out);
                        }
                        out.push(']');
                        true
                    }
                    _ => false,
                },
            );
            out
        });
        call.ok(body)
    })
    .await
    .unwrap_or_else(|e| {
        crate::problem::problem(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the mock failed to write the batch: {e}"),
            serde_json::Map::new(),
        )
    })
}
