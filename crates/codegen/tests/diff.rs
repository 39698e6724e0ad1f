//! `servicetitan_codegen::diff` through its public API, and the committed summaries in
//! `specs/summary/` against `specs/manifest.json` (no spec files needed).

use serde_json::json;
use servicetitan_codegen::diff::{diff, operations, schemas, OperationRef, Summary};
use servicetitan_codegen::manifest::Manifest;
use std::path::PathBuf;

fn op(method: &str, path: &str, id: &str) -> OperationRef {
    OperationRef {
        method: method.into(),
        path: path.into(),
        operation_id: id.into(),
    }
}

/// A fragment shaped like the portal's 3.1 documents.
fn portal_like(extra_field: bool, extra_op: bool) -> serde_json::Value {
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": { "title": "JPM", "version": "2.0" },
        "paths": {
            "/tenant/{tenant}/appointments/{id}": {
                "get": {
                    "tags": ["Appointments"],
                    "operationId": "Appointments_Get",
                    "parameters": [ { "name": "id", "in": "path", "required": true } ],
                    "responses": { "200": { "description": "ok" } }
                }
            },
            "/tenant/{tenant}/appointments": {
                "get": { "operationId": "Appointments_GetList" }
            }
        },
        "components": { "schemas": {
            "Jpm.V2.AppointmentResponse": {
                "type": "object",
                "required": ["id"],
                "properties": { "id": { "type": "integer" }, "jobId": { "type": "integer" } }
            },
            "Jpm.V2.Base.AppointmentStatus": { "enum": ["Scheduled", "Done"], "type": "string" }
        } }
    });
    if extra_field {
        doc["components"]["schemas"]["Jpm.V2.AppointmentResponse"]["properties"]["notes"] =
            json!({ "type": ["string", "null"] });
    }
    if extra_op {
        doc["paths"]["/tenant/{tenant}/appointments/{id}"]["delete"] =
            json!({ "operationId": "Appointments_Delete" });
    }
    doc
}

#[test]
fn operations_and_schemas_of_a_portal_fragment() {
    let doc = portal_like(false, false);
    assert_eq!(
        operations(&doc),
        vec![
            op(
                "GET",
                "/tenant/{tenant}/appointments",
                "Appointments_GetList"
            ),
            op(
                "GET",
                "/tenant/{tenant}/appointments/{id}",
                "Appointments_Get"
            ),
        ]
    );
    let s = schemas(&doc);
    assert_eq!(s["Jpm.V2.AppointmentResponse"], vec!["id", "jobId"]);
    assert_eq!(s["Jpm.V2.Base.AppointmentStatus"], Vec::<String>::new());
}

#[test]
fn refresh_with_new_operation_and_field() {
    let old = Summary::from_spec("tenant-jpm-v2", "a", &portal_like(false, false));
    let new = Summary::from_spec("tenant-jpm-v2", "b", &portal_like(true, true));
    let d = diff(&old, &new);
    assert_eq!(
        d.operations_added,
        vec![op(
            "DELETE",
            "/tenant/{tenant}/appointments/{id}",
            "Appointments_Delete"
        )]
    );
    assert!(d.operations_removed.is_empty());
    assert_eq!(
        d.fields_added,
        vec![(
            "Jpm.V2.AppointmentResponse".to_string(),
            "notes".to_string()
        )]
    );
    assert!(d.schemas_added.is_empty() && d.schemas_removed.is_empty());
    let text = d.to_string();
    assert!(text.contains("operations added (1):"), "{text}");
    assert!(
        text.contains("+ components.schemas.Jpm.V2.AppointmentResponse.properties.notes"),
        "{text}"
    );

    // And back: the same items, removed.
    let back = diff(&new, &old);
    assert_eq!(back.operations_removed, d.operations_added);
    assert_eq!(back.fields_removed, d.fields_added);
    assert!(back.to_string().contains("- DELETE"));
}

#[test]
fn whole_schemas_added_and_removed() {
    let old = Summary::from_spec("m", "", &portal_like(false, false));
    let mut doc = portal_like(false, false);
    doc["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("Jpm.V2.Base.AppointmentStatus");
    doc["components"]["schemas"]["Jpm.V2.NewThing"] = json!({ "properties": { "a": {}, "b": {} } });
    let d = diff(&old, &Summary::from_spec("m", "", &doc));
    assert_eq!(
        d.schemas_added,
        vec![(
            "Jpm.V2.NewThing".to_string(),
            vec!["a".to_string(), "b".to_string()]
        )]
    );
    assert_eq!(
        d.schemas_removed,
        vec![("Jpm.V2.Base.AppointmentStatus".to_string(), vec![])]
    );
    assert!(
        d.fields_added.is_empty(),
        "fields of new schemas are not listed twice"
    );
    let text = d.to_string();
    assert!(
        text.contains("+ components.schemas.Jpm.V2.NewThing (2 fields)"),
        "{text}"
    );
    assert!(
        text.contains("- components.schemas.Jpm.V2.Base.AppointmentStatus (0 fields)"),
        "{text}"
    );
}

#[test]
fn renamed_operation_id_is_a_removal_and_an_addition() {
    let old = Summary::from_spec("m", "", &portal_like(false, false));
    let mut doc = portal_like(false, false);
    doc["paths"]["/tenant/{tenant}/appointments"]["get"]["operationId"] =
        json!("Appointments_List");
    let d = diff(&old, &Summary::from_spec("m", "", &doc));
    assert_eq!(d.operations_added.len(), 1);
    assert_eq!(d.operations_removed.len(), 1);
    assert_eq!(d.counts(), "+1/-1 ops, +0/-0 schemas, +0/-0 fields");
}

fn specs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs")
}

/// The committed summaries are what `cargo xtask specs accept` wrote for the manifest's
/// sha256 and operation counts, in the canonical text form.
#[test]
fn committed_summaries_agree_with_the_manifest() {
    let dir = specs_dir();
    let manifest = Manifest::load(&dir).expect("manifest");
    let mut total = 0;
    for module in &manifest.modules {
        let path = dir.join("summary").join(module.spec_file_name());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask specs accept`)", path.display()));
        let summary = Summary::from_json_str(&text).unwrap();
        assert_eq!(summary.api_id, module.api_id, "{}", path.display());
        assert_eq!(summary.sha256, module.sha256, "{}", path.display());
        assert_eq!(
            summary.operation_count(),
            module.operations,
            "{}",
            path.display()
        );
        assert_eq!(
            summary.to_json_string(),
            text,
            "{} is not in canonical form",
            path.display()
        );
        total += summary.operation_count();
    }
    assert_eq!(
        total,
        manifest.modules.iter().map(|m| m.operations).sum::<usize>()
    );
}
