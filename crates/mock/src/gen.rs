//! Writes seeded records straight to JSON text from compiled [`Shape`]s (no `serde_json::Value`
//! in between: a page of 5,000 jobs is the hot path of the benchmarks).

use crate::fake::{self, mix};
use crate::shape::{Hint, ObjectShape, Prop, Schemas, Shape, StrFormat, StrShape};
use serde_json::{Map, Value};
use std::fmt::Write;

/// First record id: ids are `ID_BASE + index` in every collection, so a `customerId` in a job
/// names a customer the customers list has.
pub const ID_BASE: u64 = 10_000_000;
/// Below this depth objects carry every property; deeper, only required ones (recursive schemas).
const FULL_DEPTH: u32 = 5;

/// What the dataset says about one record, independent of the schema it is written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Meta {
    /// Creation time (unix milliseconds: writes keep the sub-second part a client reads back).
    pub created: i64,
    /// Last modification time (unix milliseconds).
    pub modified: i64,
    /// Whether the record is active.
    pub active: bool,
}

/// One record to write.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// Hash of (seed, tenant, collection, index): the root of every field's value.
    pub hash: u64,
    /// Index in its collection (`id = ID_BASE + index`).
    pub index: u64,
    /// Dates and active flag.
    pub meta: Meta,
    /// Fields a client wrote (POST/PUT/PATCH), shown instead of generated ones.
    pub overlay: Option<&'a Map<String, Value>>,
    /// `(field, id)` of the records this one lives under (`jobs/{id}/notes` → `jobId`): the
    /// child points back at the parent of its path.
    pub parents: &'a [(String, String)],
}

/// The generator's settings.
#[derive(Clone, Copy, Debug)]
pub struct Writer<'a> {
    /// The module's compiled schemas.
    pub schemas: &'a Schemas,
    /// Records per collection (foreign ids point into `0..records`).
    pub records: u64,
    /// Write the API's known drift (unknown fields, unlisted enum values, nulls, odd dates).
    pub drift: bool,
}

impl Writer<'_> {
    /// Writes a top-level record: `id`, dates and `active` from the dataset, the parent's id
    /// where the record lives under one, written fields from the overlay, everything else
    /// generated.
    pub fn record(&self, shape: &Shape, rec: &Record<'_>, out: &mut String) {
        let Some(obj) = self.schemas.object(shape) else {
            return self.value(shape, Hint::None, rec.hash, 0, out);
        };
        self.object_with(obj, rec.hash, 0, out, &mut |w, prop, out| {
            w.record_field(prop, rec, out)
        });
    }

    /// Writes one top-level property of a record exactly as [`Writer::record`] writes it (what
    /// filters and sorting compare).
    pub fn field(&self, prop: &Prop, rec: &Record<'_>, out: &mut String) {
        let ph = mix(rec.hash, prop.name_hash);
        if self.drift && prop.required && ph.is_multiple_of(41) {
            out.push_str("null");
        } else if !self.record_field(prop, rec, out) {
            self.value(&prop.shape, prop.hint, ph, 1, out);
        }
    }

    /// The properties the dataset decides rather than the generator; false for the others.
    fn record_field(&self, prop: &Prop, rec: &Record<'_>, out: &mut String) -> bool {
        if let Some(v) = rec.overlay.and_then(|o| o.get(&prop.name)) {
            if compatible(self.schemas, &prop.shape, v) {
                out.push_str(&v.to_string());
                return true;
            }
        }
        let shape = self.schemas.resolve(&prop.shape);
        if let Some((_, id)) = rec
            .parents
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&prop.name))
        {
            match shape {
                Shape::Int { .. } if id.parse::<i64>().is_ok() => out.push_str(id),
                Shape::Str(_) => {
                    out.push_str(&Value::String(id.clone()).to_string());
                }
                _ => return false,
            }
            return true;
        }
        match (prop.hint, shape) {
            (Hint::Id, Shape::Int { .. }) => fake::push_u64(out, ID_BASE + rec.index),
            (Hint::Id, Shape::Str(s)) if s.format == StrFormat::Guid => {
                out.push('"');
                fake::guid(out, rec.hash, ID_BASE + rec.index);
                out.push('"');
            }
            (Hint::Id, Shape::Str(_)) => {
                let _ = write!(out, "\"{}\"", ID_BASE + rec.index);
            }
            (Hint::CreatedOn, Shape::Str(_)) => self.date_field(out, rec.meta.created, rec.hash),
            (Hint::ModifiedOn, Shape::Str(_)) => self.date_field(out, rec.meta.modified, rec.hash),
            (Hint::Active, Shape::Bool) => {
                out.push_str(if rec.meta.active { "true" } else { "false" })
            }
            _ => return false,
        }
        true
    }

    fn date_field(&self, out: &mut String, ms: i64, h: u64) {
        out.push('"');
        let (f7, no_offset) = self.date_drift(h);
        fake::date_time_ms(out, ms, f7, no_offset);
        out.push('"');
    }

    fn date_drift(&self, h: u64) -> (bool, bool) {
        if !self.drift {
            return (false, false);
        }
        match h % 3 {
            0 => (true, false),
            1 => (false, true),
            _ => (false, false),
        }
    }

    /// Writes an object, letting `special` write any property first (returns whether it did).
    pub fn object_with(
        &self,
        obj: &ObjectShape,
        h: u64,
        depth: u32,
        out: &mut String,
        special: &mut dyn FnMut(&Self, &Prop, &mut String) -> bool,
    ) {
        out.push('{');
        let mut first = true;
        for prop in &obj.props {
            if depth >= FULL_DEPTH && !prop.required {
                continue;
            }
            if !first {
                out.push(',');
            }
            first = false;
            out.push('"');
            out.push_str(&prop.name);
            out.push_str("\":");
            let ph = mix(h, prop.name_hash);
            if self.drift && prop.required && ph.is_multiple_of(41) {
                out.push_str("null");
                continue;
            }
            if special(self, prop, out) {
                continue;
            }
            self.value(&prop.shape, prop.hint, ph, depth + 1, out);
        }
        if obj.props.is_empty() {
            if let Some(add) = &obj.additional {
                if h.is_multiple_of(2) && depth < FULL_DEPTH {
                    let _ = write!(out, "\"key{}\":", h % 10);
                    self.value(add, Hint::None, mix(h, 7), depth + 1, out);
                    first = false;
                }
            }
        }
        if self.drift && depth <= 1 {
            if !first {
                out.push(',');
            }
            out.push_str(
                "\"mockUnknownField\":{\"note\":\"drift mode: a field the spec does not list\"}",
            );
        }
        out.push('}');
    }

    /// Writes any value of a shape.
    pub fn value(&self, shape: &Shape, hint: Hint, h: u64, depth: u32, out: &mut String) {
        match shape {
            Shape::Ref(i) => self.value(self.schemas.get(*i), hint, h, depth, out),
            Shape::Nullable(inner) => {
                // The live API sends a nullable array as an array; `null` is drift.
                let array = matches!(self.schemas.resolve(inner), Shape::Array { .. });
                if (depth > FULL_DEPTH && !array) || (h % 7 == 3 && (self.drift || !array)) {
                    out.push_str("null")
                } else {
                    self.value(inner, hint, mix(h, 1), depth, out)
                }
            }
            Shape::Object(obj) => self.object_with(obj, h, depth, out, &mut |_, _, _| false),
            Shape::Array { items, min, max } => {
                let n = if depth >= FULL_DEPTH {
                    *min
                } else {
                    min + (h % (max.saturating_sub(*min) as u64 + 1)) as usize
                };
                // Entries of a list (history, logs) carry their own ids: unique in the list.
                let entries = self.schemas.object(items).filter(|o| {
                    o.props.iter().any(|p| {
                        p.hint == Hint::Id
                            && matches!(self.schemas.resolve(&p.shape), Shape::Int { .. })
                    })
                });
                let first_id = ID_BASE + (h >> 8) % 1_000_000 * 64;
                out.push('[');
                for k in 0..n {
                    if k > 0 {
                        out.push(',');
                    }
                    let eh = mix(h, k as u64 + 11);
                    match entries {
                        Some(obj) => self.object_with(obj, eh, depth + 1, out, &mut |w, p, out| {
                            let id = p.hint == Hint::Id
                                && matches!(w.schemas.resolve(&p.shape), Shape::Int { .. });
                            if id {
                                fake::push_u64(out, first_id + k as u64);
                            }
                            id
                        }),
                        None => self.value(items, hint, eh, depth + 1, out),
                    }
                }
                out.push(']');
            }
            Shape::Str(s) => self.string(s, hint, h, out),
            Shape::Int { values, min, max } => self.integer(values, *min, *max, hint, h, out),
            Shape::Num { min, max } => self.number(*min, *max, hint, h, out),
            Shape::Bool => out.push_str(if hint == Hint::Active || h.is_multiple_of(2) {
                "true"
            } else {
                "false"
            }),
            Shape::Null => out.push_str("null"),
            Shape::Any => {
                out.push('"');
                fake::words(out, h, 2);
                out.push('"');
            }
        }
    }

    fn integer(
        &self,
        values: &[i64],
        min: Option<i64>,
        max: Option<i64>,
        hint: Hint,
        h: u64,
        out: &mut String,
    ) {
        let v = if !values.is_empty() {
            values[(h % values.len() as u64) as usize]
        } else {
            let raw = match hint {
                Hint::Id | Hint::ForeignId => (ID_BASE + h % self.records.max(1)) as i64,
                Hint::Count => (h % 10) as i64,
                Hint::Money => (h % 5_000) as i64,
                _ => (h % 100) as i64,
            };
            match (min, max) {
                (Some(lo), Some(hi)) if lo <= hi => lo + (raw - lo).rem_euclid(hi - lo + 1),
                (Some(lo), _) if raw < lo => lo,
                (_, Some(hi)) if raw > hi => hi,
                _ => raw,
            }
        };
        fake::push_i64(out, v);
    }

    fn number(&self, min: Option<f64>, max: Option<f64>, hint: Hint, h: u64, out: &mut String) {
        match hint {
            Hint::Latitude => {
                let _ = write!(out, "{:.6}", 26.0 + (h % 2_000_000) as f64 / 100_000.0);
            }
            Hint::Longitude => {
                let _ = write!(out, "{:.6}", -(80.0 + (h % 4_000_000) as f64 / 100_000.0));
            }
            _ => {
                let mut cents = match hint {
                    Hint::Percent => h % 10_001,
                    Hint::Count => (h % 40) * 25,
                    _ => h % 250_000,
                };
                if let Some(hi) = max.filter(|m| *m >= 0.0) {
                    cents = cents.min((hi * 100.0) as u64);
                }
                if let Some(lo) = min.filter(|m| *m > 0.0) {
                    cents = cents.max((lo * 100.0).ceil() as u64);
                }
                fake::money(out, cents);
            }
        }
    }

    fn string(&self, s: &StrShape, hint: Hint, h: u64, out: &mut String) {
        out.push('"');
        let start = out.len();
        if !s.values.is_empty() {
            if self.drift && h.is_multiple_of(23) {
                out.push_str("MockUnlistedValue");
            } else {
                out.push_str(&s.values[(h % s.values.len() as u64) as usize]);
            }
            out.push('"');
            return;
        }
        match s.format {
            StrFormat::DateTime => {
                let (f7, no) = self.date_drift(h >> 3);
                fake::date_time(out, fake::START + (h % fake::SPAN as u64) as i64, f7, no);
            }
            StrFormat::Date => fake::date(out, fake::START + (h % fake::SPAN as u64) as i64),
            StrFormat::Guid => fake::guid(out, h, h >> 16),
            StrFormat::Email => fake::email(out, h),
            StrFormat::Phone => fake::phone(out, h),
            StrFormat::Html => {
                out.push_str("<p>");
                fake::words(out, h, 6);
                out.push_str("</p>");
            }
            StrFormat::Multiline => {
                fake::words(out, h, 5);
                out.push_str("\\n");
                fake::words(out, mix(h, 2), 5);
            }
            StrFormat::Duration => {
                let _ = write!(out, "{:02}:{:02}:00", h % 9, (h >> 8) % 4 * 15);
            }
            StrFormat::Password => out.push_str("********"),
            StrFormat::Uri => {
                let _ = write!(out, "https://files.example.com/{:x}", h >> 20);
            }
            StrFormat::Plain => plain(hint, h, out),
        }
        let len = out.len() - start;
        if len < s.min_len {
            (len..s.min_len).for_each(|_| out.push('x'));
        }
        if let Some(max) = s.max_len {
            if out.len() - start > max {
                out.truncate(start + max);
            }
        }
        out.push('"');
    }
}

fn plain(hint: Hint, h: u64, out: &mut String) {
    let city = fake::CITIES[(h % fake::CITIES.len() as u64) as usize];
    match hint {
        Hint::Name => fake::name(out, h),
        Hint::FirstName => out.push_str(fake::pick(fake::FIRST, h)),
        Hint::LastName => out.push_str(fake::pick(fake::LAST, h)),
        Hint::Email => fake::email(out, h),
        Hint::Phone => fake::phone(out, h),
        Hint::Street => {
            let _ = write!(
                out,
                "{} {}",
                100 + h % 9_800,
                fake::pick(fake::STREETS, h >> 8)
            );
        }
        Hint::Unit => {
            let _ = write!(out, "Apt {}", 1 + h % 40);
        }
        Hint::City => out.push_str(city.0),
        Hint::State => out.push_str(city.1),
        Hint::Zip => {
            let _ = write!(out, "{}{:02}", city.2, (h >> 8) % 100);
        }
        Hint::Country => out.push_str("USA"),
        Hint::Text => fake::words(out, h, 4 + (h % 5) as usize),
        Hint::Number | Hint::Id | Hint::ForeignId | Hint::Count => {
            fake::push_u64(out, ID_BASE + h % 1_000_000)
        }
        Hint::Code => {
            let _ = write!(
                out,
                "{}-{}",
                ["HV", "PL", "EL", "RF"][(h % 4) as usize],
                100 + h % 900
            );
        }
        Hint::Url => {
            let _ = write!(out, "https://www.example.com/{:x}", h >> 24);
        }
        Hint::Color => out.push_str(fake::pick(fake::COLORS, h)),
        Hint::Status => out.push_str(fake::pick(fake::STATUSES, h)),
        Hint::Priority => out.push_str(fake::pick(&["Low", "Normal", "High", "Urgent"], h)),
        Hint::Money | Hint::Percent => fake::money(out, h % 100_000),
        Hint::Latitude | Hint::Longitude | Hint::Active | Hint::CreatedOn | Hint::ModifiedOn => {
            fake::words(out, h, 1)
        }
        Hint::None => fake::words(out, h, 2),
    }
}

/// Whether a client-written value can stand in a field of this shape (primitive types and
/// enum membership; arrays and objects by kind), so an overlay never breaks the response schema.
pub fn compatible(schemas: &Schemas, shape: &Shape, v: &Value) -> bool {
    match (shape, v) {
        (Shape::Ref(i), _) => compatible(schemas, schemas.get(*i), v),
        (Shape::Nullable(_), Value::Null) => true,
        (Shape::Nullable(inner), _) => compatible(schemas, inner, v),
        (Shape::Str(s), Value::String(x)) => {
            (s.values.is_empty() || s.values.contains(x))
                && format_fits(s.format, x)
                && x.len() >= s.min_len
                && s.max_len.is_none_or(|m| x.len() <= m)
        }
        (Shape::Int { values, .. }, Value::Number(n)) => n
            .as_i64()
            .is_some_and(|i| values.is_empty() || values.contains(&i)),
        (Shape::Num { .. }, Value::Number(_)) => true,
        (Shape::Bool, Value::Bool(_)) => true,
        (Shape::Array { items, .. }, Value::Array(list)) => {
            list.iter().all(|x| compatible(schemas, items, x))
        }
        // An object written whole (`business-hours`' time ranges): every key a property of
        // the shape, every value fitting it, every required property there.
        (Shape::Object(obj), Value::Object(map)) => {
            map.iter().all(|(k, x)| {
                obj.props
                    .iter()
                    .find(|p| p.name == *k)
                    .is_some_and(|p| compatible(schemas, &p.shape, x))
            }) && obj
                .props
                .iter()
                .all(|p| !p.required || map.contains_key(&p.name))
        }
        (Shape::Any, _) => true,
        _ => false,
    }
}

/// Whether a written string can stand in a field of this format (the response is validated
/// with formats, so a date field keeps only a date).
fn format_fits(format: StrFormat, x: &str) -> bool {
    match format {
        StrFormat::DateTime => chrono::DateTime::parse_from_rfc3339(x).is_ok(),
        StrFormat::Date => chrono::NaiveDate::parse_from_str(x, "%Y-%m-%d").is_ok(),
        StrFormat::Guid => x.len() == 36 && x.chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
        StrFormat::Email => x.contains('@'),
        StrFormat::Duration => crate::dates::is_timespan(x),
        StrFormat::Uri => x.contains("://"),
        _ => true,
    }
}
