//! End to end through the generator on a small 3.1 document holding each construct the real
//! specs use; asserts on the Rust it produces.

use serde_json::json;
use servicetitan_codegen::generate::generate_module;
use servicetitan_codegen::manifest::Module;
use servicetitan_codegen::specs::ModuleSpec;

fn module() -> Module {
    Module {
        api_id: "tenant-demo-v2".into(),
        short: "demo".into(),
        crate_name: "servicetitan-demo".into(),
        feature: "demo".into(),
        title: "Demo".into(),
        base_path: "demo/v2".into(),
        sha256: String::new(),
        operations: 0,
        hand_written: Default::default(),
    }
}

fn spec() -> serde_json::Value {
    let tenant =
        json!({"name": "tenant", "in": "path", "required": true, "schema": {"type": "string"}});
    let oauth = |s: &str| json!([{"oauth": [s]}]);
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Demo", "version": "2"},
        "paths": {
            "/tenant/{tenant}/things": {
                "get": {
                    "operationId": "Things_GetList", "summary": "Lists things", "security": oauth("tn.demo.things:r"),
                    "parameters": [tenant,
                        {"name": "page", "in": "query", "schema": {"type": "integer", "format": "int32"}},
                        {"name": "pageSize", "in": "query", "schema": {"type": "integer", "format": "int32"}},
                        {"name": "balanceFilter.Amount", "in": "query", "schema": {"type": ["number", "null"], "format": "decimal"}},
                        {"name": "status", "in": "query", "schema": {"type": "string", "oneOf": [{"$ref": "#/components/schemas/Demo.V2.Status"}]}}],
                    "responses": {
                        "200": {"description": "ok", "content": {
                            "text/plain": {"schema": {"$ref": "#/components/schemas/PaginatedResponse_Of_Demo.V2.Thing"}},
                            "application/json": {"schema": {"$ref": "#/components/schemas/PaginatedResponse_Of_Demo.V2.Thing"}}}},
                        "400": {"description": "bad", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiErrorResponse"}}}}
                    }
                },
                "post": {
                    "operationId": "Things_CreateMany", "security": oauth("tn.demo.things:w"),
                    "parameters": [tenant],
                    "requestBody": {"content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Demo.V2.Thing"}}}}},
                    "responses": {"200": {"description": "count", "content": {"application/json": {"schema": {"type": "integer", "format": "int64"}}}}}
                }
            },
            "/tenant/{tenant}/things/{id}": {
                "delete": {
                    "operationId": "Things_Delete", "security": oauth("tn.demo.things:w"),
                    "parameters": [tenant, {"name": "id", "in": "path", "required": true, "description": "Which thing", "schema": {"type": "integer", "format": "int64"}}],
                    "responses": {"200": {"description": "a"}, "204": {"description": "b"}}
                }
            },
            "/tenant/{tenant}/things/{id}/file": {
                "get": {
                    "operationId": "Things_GetFile", "security": oauth("tn.demo.things:r"),
                    "parameters": [tenant, {"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}}],
                    "responses": {"302": {"description": "Redirect to the file"}}
                },
                "post": {
                    "operationId": "Things_Upload", "security": oauth("tn.demo.things:w"),
                    "parameters": [tenant, {"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}}],
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}},
                    "responses": {"200": {"description": "ok"}}
                }
            }
        },
        "components": {"schemas": {
            "PaginatedResponse_Of_Demo.V2.Thing": {"type": "object", "additionalProperties": false, "required": ["page", "data", "hasMore"], "properties": {
                "page": {"type": "integer", "format": "int32"},
                "hasMore": {"type": "boolean"},
                "totalCount": {"type": ["integer", "null"], "format": "int32"},
                "data": {"type": "array", "items": {"$ref": "#/components/schemas/Demo.V2.Thing"}}}},
            "Demo.V2.Thing": {"type": "object", "additionalProperties": false, "required": ["id", "name"], "properties": {
                "id": {"type": "integer", "format": "int64"},
                "name": {"type": "string", "examples": ["x"]},
                "total": {"type": "number", "format": "decimal"},
                "modifiedOn": {"type": "string", "format": "date-time"},
                "status": {"oneOf": [{"$ref": "#/components/schemas/Demo.V2.Status"}, {"type": "null"}]}}},
            "Demo.V2.Status": {"type": "string", "enum": ["Active", "Retired"]},
            "ApiErrorResponse": {"type": "object"}
        }}
    })
}

#[test]
fn every_construct_generates() {
    let dir = std::env::temp_dir().join(format!("st-codegen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = ModuleSpec::patched(module(), spec(), &dir).expect("no patches");
    let out = generate_module(&spec).expect("generates");
    let _ = std::fs::remove_dir_all(&dir);
    // Whitespace and prettyplease's trailing commas (placed by line length) do not matter.
    let code = out.code.replace(char::is_whitespace, "").replace(",)", ")");

    // Names a person would write; no error model left over.
    assert!(code.contains("pubstructThingPage{"), "envelope renamed");
    assert!(code.contains("pubstructThing{"));
    assert!(!code.contains("ApiErrorResponse"));
    // Unknown fields allowed; response fields optional except id; typed formats.
    assert!(!code.contains("deny_unknown_fields"));
    assert!(code.contains("pubid:i64"));
    assert!(code.contains("pubname:::std::option::Option<::std::string::String>"));
    assert!(code.contains("::servicetitan_core::types::Decimal"));
    assert!(code.contains("deserialize_with=\"::servicetitan_core::lenient::option_datetime\""));
    // Open enum.
    assert!(code.contains("Unknown(::servicetitan_core::types::UnknownValue)"));
    // Dotted parameter name, tenant bound, required path parameter positional, array body.
    assert!(code.contains("pubfnbalance_filter_amount"));
    assert!(code.contains("pubfnthings_delete(&self,id:i64)->builder::ThingsDelete{builder::ThingsDelete::new(self.raw.clone()).tenant(self.tenant).id(id)}"));
    assert!(
        code.contains("pubfnthings_create_many(&self,body:::std::vec::Vec<types::Thing>"),
        "array body positional"
    );
    // Builders own their client (no lifetime), cannot change tenant, take typed values.
    assert!(code.contains("pubstructThingsDelete{client:super::Client,"));
    assert!(!code.contains("&'asuper::Client"));
    assert!(code
        .contains("pub(crate)fntenant<V>(mutself,value:V)->SelfwhereV:::std::convert::Into<i64>"));
    assert!(
        code.contains("V:::std::convert::Into<types::Status>"),
        "enum filter typed"
    );
    assert!(!code.contains("TryInto"), "no fallible setter left");
    // Body models: the required fields named in a `…Required` literal, plain setters,
    // clearing; no typify builder.
    assert!(code.contains("pubstructThingRequired{"), "{code}");
    assert!(code.contains("pubfnnew(required:ThingRequired)->Self"));
    assert!(code.contains("impl::std::convert::From<ThingRequired>forThing"));
    assert!(code.contains("pubfntotal(mutself,value:impl::std::convert::Into<::servicetitan_core::types::Decimal>)->Self"));
    assert!(code.contains("pubfnclear_total(mutself)->Self"));
    assert!(code.contains("#[serde(flatten,skip_deserializing)]cleared_:ClearedFields"));
    assert!(
        !code.contains("types::builder") && !code.contains("pubmodbuilder{#[derive(Clone,Debug)]")
    );
    // The raw progenitor client is hidden, its per-tenant methods and the prelude gone.
    assert!(code.contains("#[doc(hidden)]pubstructClient{"));
    assert!(!code.contains("pubmodprelude"));
    assert!(!code.contains("pubfnthings_delete(&self)"));
    // Paged list streams (boxed: Send + 'static + Unpin); 302 download is a byte stream; upload
    // from the template.
    assert!(code.contains("pubfnstream(self)->::futures::stream::BoxStream<'static,"));
    assert!(code.contains("ResponseValue<ByteStream>"));
    assert!(code
        .contains("pubfnthings_upload(&self,id:i64)->::servicetitan_core::upload::UploadRequest"));
    // Docs: method, path, summary, scope.
    assert!(out
        .code
        .contains("`GET /tenant/{tenant}/things` — Lists things."));
    assert!(out.code.contains("OAuth scope: `tn.demo.things:r`."));
    // Parameters listed with their descriptions, required first; setters documented.
    assert!(
        out.code
            .contains("* `id` (required path, `id`) — Which thing"),
        "{}",
        out.code
    );
    assert!(out
        .code
        .contains("`id` (path parameter, required): Which thing"));

    assert_eq!(out.hand_written.len(), 1);
    assert_eq!(out.generated.len() + out.hand_written.len(), 5);
}
