//! Filters beyond the common ones, derived from each operation's query parameters and the
//! fields of the records it lists — never from a hand list: a parameter narrows when its name
//! says which field and how (`completedOnOrAfter` → `completedOn ≥`, `soldBefore` → `soldOn <`,
//! `minCost` → `cost ≥`, `jobStatus` → `jobStatus =`, `statuses`/`jobIds` → any of,
//! `titleContains` or "partial match" in its description → contains). What no rule maps is
//! listed by [`unhonoured`] (and in the mock's README), not silently ignored.
//!
//! A record passes when the field, written exactly as the response writes it, passes: the
//! filter and the page can never disagree.

use super::call::Call;
use crate::catalog::CompiledModule;
use crate::dates;
use crate::gen::{Record, Writer};
use crate::problem::field_error;
use crate::shape::{ObjectShape, Prop, Schemas, Shape, StrFormat};
use crate::spec::{Operation, Param};
use axum::response::Response;
use serde_json::Value;

/// Parameters the list and export handlers read themselves.
pub const COMMON: &[&str] = &[
    "tenant",
    "page",
    "pageSize",
    "includeTotal",
    "sort",
    "ids",
    "active",
    "createdOnOrAfter",
    "createdBefore",
    "modifiedOnOrAfter",
    "modifiedBefore",
    "from",
    "includeRecentChanges",
];

/// How a parameter's value is compared with a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    /// A time bound: `field ≥ v` (`OnOrAfter`, `From`), `>` (`After`).
    TimeFrom {
        /// Whether equal passes.
        inclusive: bool,
    },
    /// A time bound: `field ≤ v` (`OnOrBefore`, `To`), `<` (`Before`).
    TimeTo {
        /// Whether equal passes.
        inclusive: bool,
    },
    /// `field ≥ v` (`minX`, `XGreater`).
    AtLeast,
    /// `field ≤ v` (`maxX`, `XLess`).
    AtMost,
    /// The field equals one of the (comma-separated or repeated) values, case-insensitively.
    AnyOf,
    /// The field contains the value, case-insensitively.
    Contains,
}

/// A parameter mapped to a field of the listed records.
#[derive(Clone, Copy, Debug)]
pub struct Mapped {
    /// The parameter.
    pub param: &'static Param,
    /// Index of the field in the record's properties.
    pub prop: usize,
    /// The property inside that field, when the value sits one level down
    /// (`customerId` → `customer.id`, `zip` → `address.zip`).
    pub nested: Option<&'static str>,
    /// How it compares.
    pub compare: Compare,
}

fn is_time(schemas: &Schemas, shape: &Shape) -> bool {
    matches!(schemas.resolve(shape), Shape::Str(s) if matches!(s.format, StrFormat::DateTime | StrFormat::Date))
}

fn is_number(schemas: &Schemas, shape: &Shape) -> bool {
    matches!(
        schemas.resolve(shape),
        Shape::Int { .. } | Shape::Num { .. }
    )
}

fn is_scalar(schemas: &Schemas, shape: &Shape) -> bool {
    matches!(
        schemas.resolve(shape),
        Shape::Int { .. } | Shape::Num { .. } | Shape::Str(_) | Shape::Bool
    )
}

/// A scalar, or a list of scalars (`equipmentIds=…` matches a job having any of them).
fn is_scalars(schemas: &Schemas, shape: &Shape) -> bool {
    match schemas.resolve(shape) {
        Shape::Array { items, .. } => is_scalar(schemas, items),
        other => is_scalar(schemas, other),
    }
}

/// The parameter's own shape (an array's items).
fn param_shape(cm: &CompiledModule, p: &Param) -> Shape {
    let shape = cm.schemas.compile_inline(&cm.module.schemas, &p.schema);
    match cm.schemas.resolve(&shape) {
        Shape::Array { items, .. } => cm.schemas.resolve(items).clone(),
        other => other.clone(),
    }
}

/// Where a field is: a top-level property, maybe with one inside it.
type Found = (usize, Option<&'static str>);

/// The first property (case-insensitive) among `names` that `fits`: at the top level, then
/// inside an address (`zip` → `address.zip`), then `xId` as `x.id`. Other nesting is not
/// guessed: `status` is not `royalty.status`.
fn find(
    schemas: &'static Schemas,
    items: &'static ObjectShape,
    names: &[String],
    fits: impl Fn(&Prop) -> bool,
) -> Option<Found> {
    let top = names.iter().find_map(|n| {
        items
            .props
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(n) && fits(p))
    });
    if let Some(i) = top {
        return Some((i, None));
    }
    let inner = |i: usize, n: &str| {
        schemas
            .object(&items.props[i].shape)?
            .props
            .iter()
            .find(|q| q.name.eq_ignore_ascii_case(n) && fits(q))
            .map(|q| (i, Some(q.name.as_str())))
    };
    let addresses: Vec<usize> = (0..items.props.len())
        .filter(|&i| items.props[i].name.to_ascii_lowercase().contains("address"))
        .collect();
    for n in names {
        if let Some(found) = addresses.iter().find_map(|&i| inner(i, n)) {
            return Some(found);
        }
    }
    names.iter().find_map(|n| {
        let base = n.strip_suffix("Id")?;
        let i = items
            .props
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(base))?;
        inner(i, "id")
    })
}

/// Where a time bound named `base` (`completed`, `sold`, `starts`, `date`) looks.
fn time_fields(base: &str) -> Vec<String> {
    let mut names = vec![
        base.to_string(),
        format!("{base}On"),
        format!("{base}Date"),
        format!("{base}Time"),
    ];
    if let Some(stem) = base.strip_suffix('s') {
        names.extend([stem.to_string(), format!("{stem}On"), format!("{stem}Date")]);
    }
    if let Some(stem) = base.strip_suffix("On") {
        names.extend([format!("{stem}Date"), format!("{stem}On")]);
    }
    if base.is_empty() || base.eq_ignore_ascii_case("utc") {
        names.clear();
    }
    names
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// The field and comparison a parameter maps to, if any rule applies.
pub fn map(
    cm: &'static CompiledModule,
    items: &'static ObjectShape,
    p: &'static Param,
) -> Option<Mapped> {
    let schemas = &cm.schemas;
    let name = p.name.as_str();
    let shape = param_shape(cm, p);
    let mapped = |(prop, nested): Found, compare| {
        Some(Mapped {
            param: p,
            prop,
            nested,
            compare,
        })
    };
    if is_time(schemas, &shape) {
        const BOUNDS: [(&str, Compare); 6] = [
            ("OnOrAfter", Compare::TimeFrom { inclusive: true }),
            ("OnOrBefore", Compare::TimeTo { inclusive: true }),
            ("Before", Compare::TimeTo { inclusive: false }),
            ("After", Compare::TimeFrom { inclusive: false }),
            ("From", Compare::TimeFrom { inclusive: true }),
            ("To", Compare::TimeTo { inclusive: true }),
        ];
        for (suffix, compare) in BOUNDS {
            if let Some(base) = name.strip_suffix(suffix) {
                let fits = |q: &Prop| is_time(schemas, &q.shape);
                // `fromUtc`/`toUtc` name no field: the window is over the record's only time.
                let mut names = time_fields(base);
                // `approvedOnOrAfter` → `managerApprovedOn`.
                if !base.is_empty() {
                    names.extend(
                        items
                            .props
                            .iter()
                            .filter(|q| {
                                q.name
                                    .to_ascii_lowercase()
                                    .ends_with(&format!("{}on", base.to_ascii_lowercase()))
                            })
                            .map(|q| q.name.clone()),
                    );
                }
                let prop = find(schemas, items, &names, fits);
                return prop.and_then(|f| mapped(f, compare));
            }
        }
        for (prefix, compare) in [
            ("from", Compare::TimeFrom { inclusive: true }),
            ("to", Compare::TimeTo { inclusive: false }),
        ] {
            if name
                .strip_prefix(prefix)
                .is_some_and(|r| r.eq_ignore_ascii_case("utc"))
            {
                let times: Vec<usize> = (0..items.props.len())
                    .filter(|&i| is_time(schemas, &items.props[i].shape))
                    .collect();
                return (times.len() == 1)
                    .then(|| mapped((times[0], None), compare))
                    .flatten();
            }
        }
        return None;
    }
    if is_number(schemas, &shape) {
        // Money is often a decimal written as a string ("123.45").
        let numeric = |q: &Prop| is_number(schemas, &q.shape) || is_scalar(schemas, &q.shape);
        for (prefix, compare) in [("min", Compare::AtLeast), ("max", Compare::AtMost)] {
            if let Some(rest) = name.strip_prefix(prefix).filter(|r| !r.is_empty()) {
                if let Some(i) = find(schemas, items, &[lower_first(rest)], numeric) {
                    return mapped(i, compare);
                }
            }
        }
        for (suffix, compare) in [("Greater", Compare::AtLeast), ("Less", Compare::AtMost)] {
            if let Some(base) = name.strip_suffix(suffix) {
                if let Some(i) = find(schemas, items, &[base.to_string()], numeric) {
                    return mapped(i, compare);
                }
            }
        }
    }
    let scalar = |q: &Prop| is_scalars(schemas, &q.shape);
    let partial = p.description.to_ascii_lowercase().contains("partial");
    let mut names = vec![name.to_string()];
    // `number` → the one `…Number` field (`jobNumber`, `referenceNumber`).
    let numbers: Vec<&Prop> = items
        .props
        .iter()
        .filter(|q| q.name.ends_with("Number"))
        .collect();
    if name == "number" && numbers.len() == 1 {
        names.push(numbers[0].name.clone());
    }
    if let Some(f) = find(schemas, items, &names, scalar) {
        return mapped(
            f,
            if partial {
                Compare::Contains
            } else {
                Compare::AnyOf
            },
        );
    }
    if let Some(base) = name.strip_suffix("Contains") {
        if let Some(f) = find(schemas, items, &[base.to_string()], scalar) {
            return mapped(f, Compare::Contains);
        }
    }
    // Plurals: `jobIds` → `jobId`, `statuses` → `status`, `names` → `name`.
    let singulars: Vec<String> = [name.strip_suffix("es"), name.strip_suffix('s')]
        .into_iter()
        .flatten()
        .map(str::to_string)
        .collect();
    find(schemas, items, &singulars, scalar).and_then(|f| mapped(f, Compare::AnyOf))
}

/// A mapped parameter with the values a request gave it.
#[derive(Clone, Debug)]
pub struct Check {
    mapped: Mapped,
    test: Test,
}

#[derive(Clone, Debug)]
enum Test {
    Time(i64),
    Number(f64),
    Texts(Vec<String>),
}

/// The checks a request asks for (empty when none): a malformed value is a 400.
pub fn checks(call: &Call, items: &'static ObjectShape) -> Result<Vec<Check>, Response> {
    let mut out = Vec::new();
    for p in call.op.params.iter().filter(|p| p.location == "query") {
        if COMMON.iter().any(|c| c.eq_ignore_ascii_case(&p.name)) {
            continue;
        }
        let values: Vec<&str> = call
            .query
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(&p.name))
            .map(|(_, v)| v.as_str())
            .collect();
        if values.is_empty() {
            continue;
        }
        let Some(mapped) = map(call.cm, items, p) else {
            continue;
        };
        let first = values[0].trim();
        let bad = |what: &str| field_error(&p.name, format!("The value '{first}' is not {what}."));
        let test = match mapped.compare {
            Compare::TimeFrom { .. } | Compare::TimeTo { .. } => {
                Test::Time(dates::parse_ticks(first).ok_or_else(|| bad("a valid date-time"))?)
            }
            Compare::AtLeast | Compare::AtMost => {
                Test::Number(first.parse().map_err(|_| bad("a valid number"))?)
            }
            Compare::AnyOf | Compare::Contains => Test::Texts(
                values
                    .iter()
                    .flat_map(|v| v.split(','))
                    .map(|v| v.trim().to_ascii_lowercase())
                    .filter(|v| !v.is_empty())
                    .collect(),
            ),
        };
        out.push(Check { mapped, test });
    }
    Ok(out)
}

/// Whether a record passes every check (`scratch` is reused between records).
pub fn passes(
    w: &Writer<'_>,
    items: &ObjectShape,
    checks: &[Check],
    rec: &Record<'_>,
    scratch: &mut String,
) -> bool {
    checks.iter().all(|c| {
        scratch.clear();
        w.field(&items.props[c.mapped.prop], rec, scratch);
        let Ok(mut value) = serde_json::from_str::<Value>(scratch) else {
            return false;
        };
        if let Some(inner) = c.mapped.nested {
            value = value.get(inner).cloned().unwrap_or(Value::Null);
        }
        let texts: Vec<String> = match value {
            Value::Array(list) => list.into_iter().filter_map(text_of).collect(),
            other => text_of(other).into_iter().collect(),
        };
        texts.iter().any(|text| c.test_text(text))
    })
}

fn text_of(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

impl Check {
    fn test_text(&self, text: &str) -> bool {
        let c = self;
        match (&c.test, c.mapped.compare) {
            (Test::Time(t), Compare::TimeFrom { inclusive }) => {
                dates::parse_ticks(text).is_some_and(|v| v > *t || (inclusive && v == *t))
            }
            (Test::Time(t), Compare::TimeTo { inclusive }) => {
                dates::parse_ticks(text).is_some_and(|v| v < *t || (inclusive && v == *t))
            }
            (Test::Number(n), Compare::AtLeast) => text.parse::<f64>().is_ok_and(|v| v >= *n),
            (Test::Number(n), Compare::AtMost) => text.parse::<f64>().is_ok_and(|v| v <= *n),
            (Test::Texts(list), Compare::Contains) => {
                let text = text.to_ascii_lowercase();
                list.iter().any(|v| text.contains(v.as_str()))
            }
            (Test::Texts(list), _) => list.iter().any(|v| v.eq_ignore_ascii_case(text)),
            _ => false,
        }
    }
}

/// Every query parameter of a list or export that neither the handlers nor a rule of
/// [`map`] honour: `(module, operationId, parameter)`, in spec order.
pub fn unhonoured() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut out = Vec::new();
    for cm in crate::catalog::catalog() {
        for (k, op) in cm.module.operations.iter().enumerate() {
            if !lists(op) {
                continue;
            }
            let items = cm.responses[k]
                .as_ref()
                .and_then(|env| crate::catalog::data_items(cm, env))
                .and_then(|s| cm.schemas.object(s));
            for p in op.params.iter().filter(|p| p.location == "query") {
                if COMMON.iter().any(|c| c.eq_ignore_ascii_case(&p.name)) {
                    continue;
                }
                if items.and_then(|items| map(cm, items, p)).is_none() {
                    out.push((cm.module.short.as_str(), op.id.as_str(), p.name.as_str()));
                }
            }
        }
    }
    out
}

/// Whether the generic filters apply to an operation (paged lists; exports take only `from`).
pub fn lists(op: &Operation) -> bool {
    op.kind == crate::spec::Kind::PagedList
}
