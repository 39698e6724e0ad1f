//! The command table: every operation of every module, generated from the specs by the build
//! script (`build/`), read at run time to build the clap commands and to make the calls.

use servicetitan_core::{OperationKind, OperationMeta};

/// One API module (`jpm`, `crm`, …).
#[derive(Debug)]
pub struct Module {
    /// Command name (the manifest's short name).
    pub name: &'static str,
    /// The spec's title.
    pub title: &'static str,
    /// Path under the API host, e.g. `jpm/v2`, `sales/v2`, `telecom`.
    pub base_path: &'static str,
    /// Operations, sorted by operation id.
    pub operations: &'static [Operation],
}

/// One operation.
#[derive(Debug)]
pub struct Operation {
    /// Command name: the operation id in kebab case (`jobs-get-list`).
    pub name: &'static str,
    /// What the transport needs: operation id, method, path template, scopes, kind.
    pub meta: OperationMeta,
    /// The spec's description (may be empty).
    pub description: &'static str,
    /// Parameters in spec order (the `tenant` path parameter included).
    pub params: &'static [Param],
    /// The request body, if the operation takes one.
    pub body: Option<Body>,
    /// For uploads: the multipart form field of the file.
    pub upload_field: Option<&'static str>,
    /// For exports and paged lists: the CSV columns derived from the record schema.
    pub columns: &'static [&'static str],
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// A request header.
    Header,
}

/// The type of a parameter's value (checked on the command line, sent as typed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    /// An integer (`int32`/`int64`).
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// Free text (or an enum, see [`Param::values`]).
    String,
    /// An ISO-8601 date-time.
    DateTime,
    /// An ISO-8601 date.
    Date,
}

/// One parameter.
#[derive(Debug)]
pub struct Param {
    /// Name in the API (`pageSize`, `balanceFilter.Amount`).
    pub name: &'static str,
    /// Flag on the command line, kebab case (`page-size`).
    pub flag: &'static str,
    /// Where it goes.
    pub location: Location,
    /// Whether the spec requires it.
    pub required: bool,
    /// Value type (of each item, for arrays).
    pub ty: ParamType,
    /// Whether several values may be given (sent as repeated query pairs).
    pub array: bool,
    /// Enum values the spec lists (empty: any value of the type).
    pub values: &'static [&'static str],
    /// The spec's description.
    pub description: &'static str,
}

impl Param {
    /// The tenant path parameter, filled from the configuration rather than a flag.
    pub fn is_tenant(&self) -> bool {
        self.location == Location::Path && self.name == "tenant"
    }
}

/// A request body.
#[derive(Debug)]
pub struct Body {
    /// Whether the spec requires it.
    pub required: bool,
    /// The spec's description.
    pub description: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/commands.rs"));

/// The module named `name`.
pub fn module(name: &str) -> Option<&'static Module> {
    MODULES.iter().find(|m| m.name == name)
}

impl Module {
    /// The operation named `name` (kebab case).
    pub fn operation(&self, name: &str) -> Option<&'static Operation> {
        self.operations.iter().find(|o| o.name == name)
    }

    /// The export operations: `(entity, operation)`, the entity being the path after `/export/`
    /// (`jobs`, `customers-contacts`).
    pub fn exports(&self) -> impl Iterator<Item = (String, &'static Operation)> {
        self.operations
            .iter()
            .filter(|o| o.meta.kind == OperationKind::Export)
            .filter_map(|o| {
                let (_, entity) = o.meta.path.split_once("/export/")?;
                Some((entity.replace('/', "-"), o))
            })
    }
}
