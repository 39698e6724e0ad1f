//! Plain operations: GET by id (the record the list returned), other GETs (seeded by their
//! path), POST creating a record where the same path lists records, other POSTs (actions),
//! PUT/PATCH updating and DELETE removing a record — all seen by later reads.

use super::call::{index_of, Call, Target};
use crate::gen::{Meta, Record};
use crate::problem::problem;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

fn not_found(target: &Target) -> Response {
    problem(
        StatusCode::NOT_FOUND,
        &format!(
            "Not Found: no record {} in {}",
            target.item.as_deref().unwrap_or("?"),
            target.collection
        ),
        Map::new(),
    )
}

/// Now in unix milliseconds (record times keep them).
pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Answers a plain operation.
pub fn handle(call: &Call) -> Response {
    let target = call.target();
    match (call.op.method.as_str(), &target.item) {
        ("GET", Some(id)) => read(call, &target, id),
        ("PUT" | "PATCH", Some(id)) => update(call, &target, id, call.op.method == "PATCH"),
        ("DELETE", Some(id)) => delete(call, &target, id),
        ("POST", _) if creates(call) => create(call, &target),
        _ => super::actions::handle(call, &target),
    }
}

/// A POST creates when a GET pages through the same path (whatever its parameters are
/// named); elsewhere it is an action ([`super::actions`]).
fn creates(call: &Call) -> bool {
    let path = call.op.shape_of_path();
    call.cm.module.operations.iter().any(|o| {
        o.method == "GET" && o.kind == crate::spec::Kind::PagedList && o.shape_of_path() == path
    })
}

/// Writes the record at `index` with the operation's response shape.
fn respond(call: &Call, collection: &str, index: u64) -> Response {
    let Some(shape) = call.response else {
        return (call.success_status(), "").into_response();
    };
    let scope = call.scope(collection);
    let body = call.read(&scope, |view| {
        let rec = Record {
            hash: view.record_hash(index),
            index,
            meta: view.meta(index),
            overlay: view.overlay(index).map(|o| &o.fields),
            parents: &scope.parents,
        };
        let mut out = String::with_capacity(2048);
        call.writer().record(shape, &rec, &mut out);
        out
    });
    call.ok(body)
}

fn live_index(call: &Call, target: &Target, id: &str) -> Option<u64> {
    let index = index_of(id)?;
    call.read(&call.scope(&target.collection), |view| view.live(index))
        .then_some(index)
}

fn read(call: &Call, target: &Target, id: &str) -> Response {
    match live_index(call, target, id) {
        Some(index) => respond(call, &target.collection, index),
        None => not_found(target),
    }
}

pub(crate) fn body_fields(call: &Call) -> Map<String, Value> {
    match &call.body {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    }
}

fn update(call: &Call, target: &Target, id: &str, merge: bool) -> Response {
    let Some(index) = live_index(call, target, id) else {
        return not_found(target);
    };
    let scope = call.scope(&target.collection);
    let key = &scope.key;
    let old = call.read(&scope, |view| view.meta(index));
    let fields = body_fields(call);
    call.state.store.write(key, |changes| {
        let active = fields
            .get("active")
            .and_then(Value::as_bool)
            .unwrap_or(old.active);
        let overlay = changes.touch(
            index,
            Meta {
                modified: now(),
                active,
                ..old
            },
        );
        if !merge {
            overlay.fields.clear();
        }
        overlay.fields.extend(fields);
    });
    respond(call, &target.collection, index)
}

fn delete(call: &Call, target: &Target, id: &str) -> Response {
    let Some(index) = live_index(call, target, id) else {
        return not_found(target);
    };
    let scope = call.scope(&target.collection);
    let key = &scope.key;
    let old = call.read(&scope, |view| view.meta(index));
    call.state.store.write(key, |changes| {
        let overlay = changes.touch(
            index,
            Meta {
                modified: now(),
                active: false,
                ..old
            },
        );
        overlay.deleted = true;
    });
    match call.response {
        Some(_) => respond(call, &target.collection, index),
        None => (call.success_status(), "").into_response(),
    }
}

fn create(call: &Call, target: &Target) -> Response {
    let scope = call.scope(&target.collection);
    let fields = body_fields(call);
    let records = scope.records;
    let index = call.state.store.write(&scope.key, |changes| {
        let index = records + changes.created;
        changes.created += 1;
        let t = now();
        let active = fields
            .get("active")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let overlay = changes.touch(
            index,
            Meta {
                created: t,
                modified: t,
                active,
            },
        );
        overlay.fields = fields;
        index
    });
    respond(call, &target.collection, index)
}
