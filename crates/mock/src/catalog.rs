//! The spec table with every schema compiled, built once per process.

use crate::shape::{Schemas, Shape};
use crate::spec::{self, Module, Operation};
use serde_json::Value;
use std::sync::OnceLock;

/// One module with its compiled schemas.
#[derive(Debug)]
pub struct CompiledModule {
    /// The module's table entry.
    pub module: &'static Module,
    /// Component schemas.
    pub schemas: Schemas,
    /// Per operation (same order as `module.operations`): the response body's shape.
    pub responses: Vec<Option<Shape>>,
}

/// Every module, compiled.
pub fn catalog() -> &'static [CompiledModule] {
    static CATALOG: OnceLock<Vec<CompiledModule>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        spec::table()
            .modules
            .iter()
            .map(|module| {
                let schemas = Schemas::compile(&module.schemas);
                let responses = module
                    .operations
                    .iter()
                    .map(|op| {
                        op.response
                            .as_ref()
                            .and_then(|r| r.schema.as_ref())
                            .map(|s| schemas.compile_inline(&module.schemas, s))
                    })
                    .collect();
                CompiledModule {
                    module,
                    schemas,
                    responses,
                }
            })
            .collect()
    })
}

/// The compiled module and response shape of an operation.
pub fn find(module: &Module, op: &Operation) -> (&'static CompiledModule, Option<&'static Shape>) {
    let cm = catalog()
        .iter()
        .find(|c| std::ptr::eq(c.module, module))
        .expect("every module is compiled");
    let index = module
        .operations
        .iter()
        .position(|o| std::ptr::eq(o, op))
        .expect("operation belongs to its module");
    (cm, cm.responses[index].as_ref())
}

/// The schema of a response's `data` items (paged lists, exports).
pub fn data_items<'a>(cm: &'a CompiledModule, envelope: &'a Shape) -> Option<&'a Shape> {
    let obj = cm.schemas.object(envelope)?;
    let data = obj.props.iter().find(|p| p.name == "data")?;
    match cm.schemas.resolve(&data.shape) {
        Shape::Array { items, .. } => Some(items),
        _ => None,
    }
}

/// A schema of the module, for validators: the schema with the module's components beside it,
/// so its `#/components/schemas/…` references resolve.
pub fn standalone_schema(module: &Module, schema: &Value) -> Value {
    let mut root = match schema {
        Value::Object(o) => o.clone(),
        other => {
            let mut m = serde_json::Map::new();
            m.insert("allOf".into(), Value::Array(vec![other.clone()]));
            m
        }
    };
    root.insert(
        "components".into(),
        serde_json::json!({ "schemas": module.schemas }),
    );
    Value::Object(root)
}
