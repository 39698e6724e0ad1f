//! Operations that are neither a list nor a record by id: singletons (`business-hours`,
//! `jobs/{id}/booked-log`) and actions (`leads/{id}/follow-up`, `jobs/{id}/cancel`).
//!
//! A write keeps its body as the path's state, which later reads of the path show; an action
//! under a record also writes the fields the record has (`followUpDate` on the lead), so its
//! effect is read back there. The answer is seeded by the path, names the record of the path
//! and shows what was written.

use super::call::{index_of, Call, Target};
use super::items::{body_fields, now};
use crate::gen::{Meta, Record};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// Answers a singleton or an action.
pub fn handle(call: &Call, target: &Target) -> Response {
    let state_key = format!("{}#state", target.collection);
    let (key, _) = call.collection_keys(&state_key);
    let writes = matches!(call.op.method.as_str(), "POST" | "PUT" | "PATCH");
    let fields = body_fields(call);
    if writes && !fields.is_empty() {
        let replace = call.op.method == "PUT";
        call.state.store.write(&key, |changes| {
            let t = now();
            let overlay = changes.touch(
                0,
                Meta {
                    created: t,
                    modified: t,
                    active: true,
                },
            );
            if replace {
                overlay.fields.clear();
            }
            overlay.fields.extend(fields.clone());
        });
        write_parent(call, &fields);
    }
    let Some(shape) = call.response else {
        return (call.success_status(), "").into_response();
    };
    let (_, hash) = call.collection_keys(&format!("{}#{}", target.collection, call.op.id));
    let parents = super::call::parents(call.op, &call.path);
    let state: Option<Map<String, Value>> = call.state.store.read(&key, hash, 1, |view| {
        view.overlay(0).map(|o| o.fields.clone())
    });
    let rec = Record {
        hash,
        index: 0,
        meta: crate::store::initial_meta(hash, 0, 1),
        overlay: state.as_ref(),
        parents: &parents,
    };
    let mut out = String::with_capacity(2048);
    call.writer().record(shape, &rec, &mut out);
    call.ok(count_what_is_sent(out))
}

/// An action under a record (`leads/{id}/follow-up`) writes the fields the record has.
fn write_parent(call: &Call, fields: &Map<String, Value>) {
    let Some((collection, id)) = parent_record(call) else {
        return;
    };
    let Some(index) = index_of(&id) else {
        return;
    };
    let scope = call.scope_under(&collection, Vec::new());
    let Some(old) = call.read(&scope, |view| view.live(index).then(|| view.meta(index))) else {
        return;
    };
    call.state.store.write(&scope.key, |changes| {
        let overlay = changes.touch(
            index,
            Meta {
                modified: now(),
                ..old
            },
        );
        overlay.fields.extend(fields.clone());
    });
}

/// The top-level record an action's path names (`leads/{id}/follow-up` → lead `id`).
fn parent_record(call: &Call) -> Option<(String, String)> {
    let segments: Vec<&str> = call.op.path.trim_matches('/').split('/').collect();
    let start = segments.iter().position(|s| *s == "{tenant}")? + 1;
    let rest = &segments[start..];
    let k = rest.iter().rposition(|s| s.starts_with('{'))?;
    // Only a record of a top-level collection: `a/{x}/b/{y}/act` is left alone.
    if k != 1 || k + 1 == rest.len() {
        return None;
    }
    let name = rest[k].trim_matches(|c| c == '{' || c == '}');
    let id = call.path.get(name)?.clone();
    Some((format!("{}:{}", call.cm.module.short, rest[0]), id))
}

/// A result with `data` beside a count (`capacity-warnings`: `totalCount`) counts what it
/// sends: a count the data does not bear out inflates every client's totals.
fn count_what_is_sent(body: String) -> String {
    let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(&body) else {
        return body;
    };
    let Some(n) = map.get("data").and_then(Value::as_array).map(Vec::len) else {
        return body;
    };
    let mut changed = false;
    for key in ["totalCount", "count"] {
        if map.get(key).is_some_and(Value::is_number) {
            map.insert(key.into(), Value::from(n));
            changed = true;
        }
    }
    if changed {
        Value::Object(map).to_string()
    } else {
        body
    }
}
