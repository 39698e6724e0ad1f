//! The embedded route + schema table (written by `build.rs` from the 25 specs) and route matching.

use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

static TABLE_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/spec_table.json"));

/// Operation kind, as the codegen inventory detects it from the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Kind {
    /// Plain call.
    Plain,
    /// `page`/`pageSize` list with a `hasMore` envelope.
    PagedList,
    /// Export with `from`/`continueFrom`.
    Export,
    /// Binary download.
    Download,
    /// Multipart upload.
    Upload,
}

/// A parameter of an operation.
#[derive(Clone, Debug, Deserialize)]
pub struct Param {
    /// Name in the API.
    pub name: String,
    /// `path` or `query`.
    #[serde(rename = "in")]
    pub location: String,
    /// Whether the spec requires it.
    pub required: bool,
    /// Its schema (compacted).
    pub schema: Value,
    /// Its description (filters read "partial match", sort fields from it).
    #[serde(default)]
    pub description: String,
}

/// A request body.
#[derive(Clone, Debug, Deserialize)]
pub struct Body {
    /// Media type the spec declares.
    pub media: String,
    /// Its schema.
    pub schema: Value,
    /// Whether the body is required.
    pub required: bool,
}

/// The success response.
#[derive(Clone, Debug, Deserialize)]
pub struct Response {
    /// Status code text (`200`, `201`, `302`, `2XX`).
    pub status: String,
    /// Media type, if the response has a body.
    pub media: Option<String>,
    /// Body schema, if any.
    pub schema: Option<Value>,
}

/// One operation of one module.
#[derive(Clone, Debug, Deserialize)]
pub struct Operation {
    /// `operationId`.
    pub id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template relative to the module's base path.
    pub path: String,
    /// Detected kind.
    pub kind: Kind,
    /// Parameters in spec order.
    pub params: Vec<Param>,
    /// Request body, if any.
    pub body: Option<Body>,
    /// Success response, if declared.
    pub response: Option<Response>,
    /// Whether the spec declares the 400 answer as a JSON string (not a problem object).
    #[serde(default)]
    pub error_text: bool,
    #[serde(skip)]
    segments: Vec<Segment>,
}

#[derive(Clone, Debug)]
enum Segment {
    Literal(String),
    Param(String),
}

/// One API module.
#[derive(Debug, Deserialize)]
pub struct Module {
    /// Short name (`jpm`, `customer-interactions`).
    pub short: String,
    /// Where it is served (`jpm/v2`, `sales/v2`, `telecom`).
    pub base_path: String,
    /// Its operations.
    pub operations: Vec<Operation>,
    /// `components.schemas`, compacted.
    pub schemas: serde_json::Map<String, Value>,
}

/// Every module.
#[derive(Debug, Deserialize)]
pub struct Table {
    /// Modules in manifest order.
    pub modules: Vec<Module>,
}

/// A matched route: the operation and its path parameters.
#[derive(Debug)]
pub struct Matched<'a> {
    /// The module.
    pub module: &'a Module,
    /// The operation.
    pub op: &'a Operation,
    /// Path parameter values by name.
    pub path_params: HashMap<String, String>,
}

/// The table, parsed once.
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: Table =
            serde_json::from_str(TABLE_JSON).expect("build.rs writes a valid table");
        for module in &mut table.modules {
            for op in &mut module.operations {
                op.segments = op
                    .path
                    .trim_matches('/')
                    .split('/')
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) => Segment::Param(name.to_string()),
                            None => Segment::Literal(s.to_string()),
                        },
                    )
                    .collect();
            }
        }
        table
    })
}

impl Table {
    /// Every operation with its module.
    pub fn operations(&self) -> impl Iterator<Item = (&Module, &Operation)> {
        self.modules
            .iter()
            .flat_map(|m| m.operations.iter().map(move |o| (m, o)))
    }

    /// The operation serving `method path` (path without query), preferring literal segments over
    /// parameters where templates overlap (`jobs/custom-fields` over `jobs/{id}`).
    /// `Err(true)` when the path exists with another method (405), `Err(false)` when nothing matches.
    pub fn route(&self, method: &str, path: &str) -> Result<Matched<'_>, bool> {
        let path = path.trim_matches('/');
        let mut path_exists = false;
        let mut best: Option<(usize, Matched<'_>)> = None;
        for module in &self.modules {
            let Some(rest) = path.strip_prefix(module.base_path.as_str()) else {
                continue;
            };
            let Some(rest) = rest.strip_prefix('/') else {
                continue;
            };
            let parts: Vec<&str> = rest.split('/').collect();
            for op in &module.operations {
                let Some((literals, params)) = op.matches(&parts) else {
                    continue;
                };
                path_exists = true;
                if op.method != method {
                    continue;
                }
                if best.as_ref().is_none_or(|(score, _)| literals > *score) {
                    best = Some((
                        literals,
                        Matched {
                            module,
                            op,
                            path_params: params,
                        },
                    ));
                }
            }
        }
        best.map(|(_, m)| m).ok_or(path_exists)
    }
}

impl Operation {
    fn matches(&self, parts: &[&str]) -> Option<(usize, HashMap<String, String>)> {
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut literals = 0;
        let mut params = HashMap::new();
        for (seg, part) in self.segments.iter().zip(parts) {
            match seg {
                Segment::Literal(l) if l.eq_ignore_ascii_case(part) => literals += 1,
                Segment::Literal(_) => return None,
                Segment::Param(_) if part.is_empty() => return None,
                Segment::Param(name) => {
                    params.insert(name.clone(), percent_decode(part));
                }
            }
        }
        Some((literals, params))
    }

    /// The parameter with this name and location.
    pub fn param(&self, name: &str, location: &str) -> Option<&Param> {
        self.params
            .iter()
            .find(|p| p.name == name && p.location == location)
    }

    /// Whether the operation has this query parameter.
    pub fn has_query(&self, name: &str) -> bool {
        self.param(name, "query").is_some()
    }

    /// The first page number: 1, or 0 where the spec's `page` allows it (the API pages those
    /// from 0).
    pub fn first_page(&self) -> u64 {
        let min = self
            .param("page", "query")
            .and_then(|p| p.schema.get("minimum"))
            .and_then(Value::as_i64);
        if min == Some(0) {
            0
        } else {
            1
        }
    }

    /// The path with every parameter name dropped (`jobs/{id}/x` and `jobs/{jobId}/x` agree).
    pub fn shape_of_path(&self) -> String {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => l.to_ascii_lowercase(),
                Segment::Param(_) => "{}".to_string(),
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The last path segment, when it is a parameter (`jobs/{id}` → `id`).
    pub fn trailing_param(&self) -> Option<&str> {
        match self.segments.last() {
            Some(Segment::Param(name)) => Some(name),
            _ => None,
        }
    }
}

/// Decodes `%XX` escapes (path segments); invalid escapes are kept as written.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
