//! Paged lists: `page`, `pageSize`, `includeTotal`, `hasMore`, and the common filters (`ids`,
//! `createdOnOrAfter`/`createdBefore`, `modifiedOnOrAfter`/`modifiedBefore`, `active`), with
//! inactive records hidden by default where the operation has an `active` filter, as the API does.

use super::call::{index_of, Call};
use super::sort::{compare, Key, Order};
use crate::dates;
use crate::gen::{Meta, Record, Writer};
use crate::problem::field_error;
use crate::shape::{ObjectShape, Schemas, Shape};
use crate::store::View;
use axum::response::Response;
use std::fmt::Write;

/// The filters a list request carries.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// `ids`: only these records.
    pub ids: Option<Vec<u64>>,
    /// `createdOnOrAfter` (100-ns ticks, like every bound here: full precision).
    pub created_from: Option<i64>,
    /// `createdBefore`.
    pub created_before: Option<i64>,
    /// `modifiedOnOrAfter`.
    pub modified_from: Option<i64>,
    /// `modifiedBefore`.
    pub modified_before: Option<i64>,
    /// `Some(true)`: active only (the default where `active` exists); `None`: any.
    pub active: Option<bool>,
}

impl Filter {
    /// Reads the filters of a call; a malformed value is a 400.
    pub fn from_call(call: &Call) -> Result<Filter, Response> {
        let date = |name: &str| -> Result<Option<i64>, Response> {
            match call.query(name) {
                None => Ok(None),
                Some(v) => dates::parse_ticks(v).map(Some).ok_or_else(|| {
                    field_error(name, format!("The value '{v}' is not a valid date-time."))
                }),
            }
        };
        let ids = match call.query("ids") {
            None => None,
            Some(list) => Some(
                list.split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| index_of(s.trim()).ok_or(s))
                    .collect::<Result<Vec<u64>, &str>>()
                    .or_else(|bad| {
                        if bad.trim().parse::<u64>().is_ok() {
                            Ok(Vec::new()) // a number below the id range names no record
                        } else {
                            Err(field_error(
                                "ids",
                                format!("The value '{bad}' is not a valid id."),
                            ))
                        }
                    })?,
            ),
        };
        let active = if call.op.has_query("active") {
            match call.query("active").map(str::to_ascii_lowercase).as_deref() {
                None | Some("true") => Some(true),
                Some("false") => Some(false),
                Some("any") => None,
                Some(other) => {
                    return Err(field_error(
                        "active",
                        format!("The value '{other}' is not valid; use True, False or Any."),
                    ))
                }
            }
        } else {
            None
        };
        Ok(Filter {
            ids,
            created_from: date("createdOnOrAfter")?,
            created_before: date("createdBefore")?,
            modified_from: date("modifiedOnOrAfter")?,
            modified_before: date("modifiedBefore")?,
            active,
        })
    }

    /// Whether a record's meta passes.
    pub fn accepts(&self, meta: &Meta) -> bool {
        let (created, modified) = (
            dates::ms_to_ticks(meta.created),
            dates::ms_to_ticks(meta.modified),
        );
        self.active.is_none_or(|a| a == meta.active)
            && self.created_from.is_none_or(|t| created >= t)
            && self.created_before.is_none_or(|t| created < t)
            && self.modified_from.is_none_or(|t| modified >= t)
            && self.modified_before.is_none_or(|t| modified < t)
    }
}

/// The records of one page and what the envelope says about the rest.
pub struct Page {
    /// Page number (from 1).
    pub number: u64,
    /// Page size asked for.
    pub size: u64,
    /// Indices on the page.
    pub indices: Vec<u64>,
    /// Whether more matching records follow.
    pub has_more: bool,
    /// Every matching record (only counted when asked for).
    pub total: Option<u64>,
}

/// The order a page is taken in.
pub enum Sorting<'a> {
    /// By id (index order).
    Id {
        /// Descending.
        desc: bool,
    },
    /// By a key per record (collects and sorts the matching records: only when asked for).
    Key {
        /// The key of a record index.
        key: &'a mut dyn FnMut(u64) -> Key,
        /// Descending.
        desc: bool,
    },
}

/// Selects a page of a collection: live records passing `filter` and `extra`, in `order`.
pub fn select(
    view: &View<'_>,
    filter: &Filter,
    extra: &mut dyn FnMut(u64) -> bool,
    order: Sorting<'_>,
    page: u64,
    size: u64,
    count_all: bool,
) -> Page {
    let skip = (page - 1).saturating_mul(size);
    let desc = match order {
        Sorting::Id { desc } | Sorting::Key { desc, .. } => desc,
    };
    let candidates: Box<dyn Iterator<Item = u64>> = match (&filter.ids, desc) {
        (Some(ids), _) => {
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            if desc {
                ids.reverse();
            }
            Box::new(ids.into_iter())
        }
        (None, false) => Box::new(0..view.len()),
        (None, true) => Box::new((0..view.len()).rev()),
    };
    let mut passing =
        candidates.filter(|&i| view.live(i) && filter.accepts(&view.meta(i)) && extra(i));
    if let Sorting::Key { key, desc } = order {
        let mut keyed: Vec<(Key, u64)> = passing.map(|i| (key(i), i)).collect();
        keyed.sort_by(|a, b| compare(&a.0, &b.0).then(a.1.cmp(&b.1)));
        if desc {
            keyed.reverse();
        }
        let total = keyed.len() as u64;
        let indices = keyed
            .into_iter()
            .skip(skip.min(total) as usize)
            .take(size.min(total) as usize)
            .map(|(_, i)| i)
            .collect();
        return Page {
            number: page,
            size,
            indices,
            has_more: total > skip.saturating_add(size),
            total: count_all.then_some(total),
        };
    }
    let mut indices = Vec::with_capacity(size.min(5000) as usize);
    let mut matched = 0u64;
    let mut has_more = false;
    for index in passing.by_ref() {
        matched += 1;
        if matched > skip && (indices.len() as u64) < size {
            indices.push(index);
        } else if matched > skip {
            has_more = true;
            if !count_all {
                break;
            }
        }
    }
    Page {
        number: page,
        size,
        indices,
        has_more,
        total: count_all.then_some(matched),
    }
}

/// Writes a paged envelope: the page fields from `page`, `data` from the records, any other
/// property generated.
pub fn write_envelope(
    w: &Writer<'_>,
    envelope: &ObjectShape,
    page: &Page,
    view: &View<'_>,
    items: &Shape,
    parents: &[(String, String)],
    out: &mut String,
) {
    w.object_with(
        envelope,
        view.hash,
        0,
        out,
        &mut |w, prop, out| match prop.name.as_str() {
            "page" => write!(out, "{}", page.number).is_ok(),
            "pageSize" => write!(out, "{}", page.size).is_ok(),
            "hasMore" => write!(out, "{}", page.has_more).is_ok(),
            "totalCount" => match page.total {
                Some(t) => write!(out, "{t}").is_ok(),
                None if nullable(w.schemas, &prop.shape) => write!(out, "null").is_ok(),
                None => write!(out, "{}", page.indices.len()).is_ok(),
            },
            "data" => {
                out.push('[');
                for (k, &index) in page.indices.iter().enumerate() {
                    if k > 0 {
                        out.push(',');
                    }
                    let rec = Record {
                        hash: view.record_hash(index),
                        index,
                        meta: view.meta(index),
                        overlay: view.overlay(index).map(|o| &o.fields),
                        parents,
                    };
                    w.record(items, &rec, out);
                }
                out.push(']');
                true
            }
            _ => false,
        },
    );
}

fn nullable(schemas: &Schemas, shape: &Shape) -> bool {
    match shape {
        Shape::Nullable(_) | Shape::Null => true,
        Shape::Ref(i) => nullable(schemas, schemas.get(*i)),
        _ => false,
    }
}

/// Answers a paged list.
pub async fn handle(call: Call) -> Response {
    let filter = match Filter::from_call(&call) {
        Ok(f) => f,
        Err(r) => return r,
    };
    // Where the API pages from 0, page 0 is the first page (and is echoed as 0).
    let first = call.op.first_page();
    let asked = call.query_u64("page").unwrap_or(first).max(first);
    let page_no = asked + 1 - first;
    let size = call.query_u64("pageSize").unwrap_or(50).max(1);
    let include_total = call.query_bool("includeTotal");
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
        let fields = w.schemas.object(items);
        let checks = match fields.map(|f| super::filters::checks(&call, f)) {
            Some(Err(r)) => return r,
            Some(Ok(c)) => c,
            None => Vec::new(),
        };
        let order = match fields.map(|f| super::sort::order(&call, f)) {
            Some(Err(r)) => return r,
            Some(Ok(o)) => o,
            None => Order::Id { desc: false },
        };
        let body = call.read(&scope, |view| {
            let rec = |index: u64| Record {
                hash: view.record_hash(index),
                index,
                meta: view.meta(index),
                overlay: view.overlay(index).map(|o| &o.fields),
                parents: &scope.parents,
            };
            let mut scratch = String::new();
            let mut extra = |index: u64| match fields {
                Some(f) if !checks.is_empty() => {
                    super::filters::passes(&w, f, &checks, &rec(index), &mut scratch)
                }
                _ => true,
            };
            let mut key_text = String::new();
            let mut key = |index: u64| match (fields, &order) {
                (Some(f), Order::Field { prop, .. }) => {
                    key_text.clear();
                    w.field(&f.props[*prop], &rec(index), &mut key_text);
                    Key::of(&key_text)
                }
                _ => Key::Null,
            };
            let sorting = match order {
                Order::Id { desc } => Sorting::Id { desc },
                Order::Field { desc, .. } => Sorting::Key {
                    key: &mut key,
                    desc,
                },
            };
            let mut page = select(
                &view,
                &filter,
                &mut extra,
                sorting,
                page_no,
                size,
                include_total,
            );
            page.number = asked;
            let mut out = String::with_capacity(256 + page.indices.len() * 1200);
            write_envelope(&w, envelope, &page, &view, items, &scope.parents, &mut out);
            out
        });
        call.ok(body)
    })
    .await
    .unwrap_or_else(|e| {
        crate::problem::problem(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the mock failed to write the page: {e}"),
            serde_json::Map::new(),
        )
    })
}

/// The page a GET answers where the spec declares a paged list (`page`, `pageSize`) but no
/// response body (forms' `jobs/{jobId}/attachments`): the API sends a JSON page, not an empty
/// `text/plain` body. Its items are what the sibling POST on the same path answers.
pub fn undeclared_envelope(
    cm: &'static crate::catalog::CompiledModule,
    op: &'static crate::spec::Operation,
) -> &'static Shape {
    use crate::shape::{hint_for, Prop};
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, &'static Shape>>> = OnceLock::new();
    let key = format!("{}:{}", cm.module.short, op.id);
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(shape) = cache.get(&key) {
        return shape;
    }
    let path = op.shape_of_path();
    let items = cm
        .module
        .operations
        .iter()
        .zip(&cm.responses)
        .find(|(o, r)| o.method == "POST" && o.shape_of_path() == path && r.is_some())
        .and_then(|(_, r)| r.clone())
        .unwrap_or(Shape::Object(Box::new(ObjectShape {
            props: Vec::new(),
            additional: None,
        })));
    let int = || Shape::Int {
        values: Vec::new(),
        min: Some(0),
        max: None,
    };
    let prop = |name: &str, shape: Shape| Prop {
        name: name.to_string(),
        name_hash: crate::fake::hash_str(&name.to_ascii_lowercase()),
        hint: hint_for(name),
        shape,
        required: true,
    };
    let envelope = Shape::Object(Box::new(ObjectShape {
        props: vec![
            prop("page", int()),
            prop("pageSize", int()),
            prop("hasMore", Shape::Bool),
            prop("totalCount", Shape::Nullable(Box::new(int()))),
            prop(
                "data",
                Shape::Array {
                    items: Box::new(items),
                    min: 0,
                    max: 2,
                },
            ),
        ],
        additional: None,
    }));
    let shape: &'static Shape = Box::leak(Box::new(envelope));
    cache.insert(key, shape);
    shape
}
