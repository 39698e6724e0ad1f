//! `cargo xtask specs …` end to end, on a throw-away specs directory (`--specs-dir`) with a
//! two-module manifest and tiny specs. The portal is a one-shot HTTP server on 127.0.0.1.

use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn xtask(specs_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.arg("specs")
        .arg("--specs-dir")
        .arg(specs_dir)
        .args(args);
    cmd.env_remove("SERVICETITAN_PORTAL_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run xtask");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

fn spec(extra: bool) -> String {
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": { "title": "T", "version": "2" },
        "paths": {
            "/tenant/{tenant}/things": {
                "get": { "operationId": "Things_GetList" },
                "post": { "operationId": "Things_Create" }
            }
        },
        "components": { "schemas": {
            "Thing": { "type": "object", "properties": { "id": {}, "name": {} } }
        } }
    });
    if extra {
        doc["paths"]["/tenant/{tenant}/things/{id}"] =
            json!({ "delete": { "operationId": "Things_Delete" } });
        doc["components"]["schemas"]["Thing"]["properties"]["color"] = json!({ "type": "string" });
        doc["components"]["schemas"]["Widget"] = json!({ "properties": { "size": {} } });
    }
    serde_json::to_string_pretty(&doc).unwrap()
}

/// `<tmp>/specs` with a manifest of two modules (sha256 placeholders) and `<tmp>/src` with specs.
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let specs = tmp.path().join("specs");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&specs).unwrap();
    std::fs::create_dir_all(&src).unwrap();
    let module = |id: &str, short: &str| {
        json!({
            "api_id": id, "short": short, "crate": format!("servicetitan-{short}"),
            "feature": short, "title": short, "base_path": format!("{short}/v2"),
            "sha256": "0000", "operations": 0
        })
    };
    let manifest = json!({
        "portal_url": "http://127.0.0.1:9/unused/{api_id}",
        "modules": [module("tenant-alpha-v2", "alpha"), module("tenant-beta-v2", "beta")]
    });
    std::fs::write(
        specs.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    std::fs::write(src.join("tenant-alpha-v2.json"), spec(false)).unwrap();
    std::fs::write(src.join("tenant-beta-v2.json"), spec(false)).unwrap();
    (tmp, specs, src)
}

#[test]
fn list_prints_the_manifest() {
    let (_tmp, specs, _src) = setup();
    let r = xtask(&specs, &["list"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("tenant-alpha-v2"), "{}", r.stdout);
    assert!(r.stdout.contains("servicetitan-beta"), "{}", r.stdout);
    assert!(r.stdout.contains("total (2 modules)"), "{}", r.stdout);
}

#[test]
fn fetch_from_dir_names_missing_files_and_writes_nothing() {
    let (_tmp, specs, src) = setup();
    std::fs::remove_file(src.join("tenant-beta-v2.json")).unwrap();
    let r = xtask(&specs, &["fetch", "--from", src.to_str().unwrap()], &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("1 of 2 spec file(s) missing"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("tenant-beta-v2.json"), "{}", r.stderr);
    assert!(!specs.join("tenant-alpha-v2.json").exists());
}

#[test]
fn fetch_rejects_non_openapi_files() {
    let (_tmp, specs, src) = setup();
    std::fs::write(src.join("tenant-beta-v2.json"), "<html>login</html>").unwrap();
    let r = xtask(&specs, &["fetch", "--from", src.to_str().unwrap()], &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("is not JSON"), "{}", r.stderr);
    assert!(!specs.join("tenant-alpha-v2.json").exists());
}

#[test]
fn unknown_module_is_an_error() {
    let (_tmp, specs, _src) = setup();
    let r = xtask(&specs, &["check", "gamma"], &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("unknown module(s): gamma"),
        "{}",
        r.stderr
    );
}

#[test]
fn fetch_check_accept_cycle() {
    let (tmp, specs, src) = setup();
    let from = src.to_str().unwrap();

    // First fetch: the placeholder manifest does not match.
    let r = xtask(&specs, &["fetch", "--from", from], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.matches("CHANGED").count(), 3, "{}", r.stdout);
    assert!(specs.join("tenant-alpha-v2.json").is_file());

    // No summaries yet: check fails.
    let r = xtask(&specs, &["check"], &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("NO SUMMARY"), "{}", r.stdout);

    // Accept writes summaries and the manifest; check passes.
    let r = xtask(&specs, &["accept"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(specs.join("summary/tenant-beta-v2.json").is_file());
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(specs.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["modules"][0]["operations"], 2);
    assert_eq!(manifest["modules"][0]["sha256"].as_str().unwrap().len(), 64);
    let r = xtask(&specs, &["check"], &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("all 2 spec(s) match"), "{}", r.stdout);

    // The portal changes beta: fetch says CHANGED, check lists what.
    std::fs::write(src.join("tenant-beta-v2.json"), spec(true)).unwrap();
    let r = xtask(&specs, &["fetch", "--from", from], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("tenant-alpha-v2") && l.contains("matches manifest")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("tenant-beta-v2") && l.contains("CHANGED")),
        "{}",
        r.stdout
    );
    let r = xtask(&specs, &["check"], &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    for expected in [
        "CHANGED",
        "+1/-0 ops, +1/-0 schemas, +1/-0 fields",
        "+ DELETE /tenant/{tenant}/things/{id}  Things_Delete",
        "+ components.schemas.Widget (1 field)",
        "+ components.schemas.Thing.properties.color",
    ] {
        assert!(
            r.stdout.contains(expected),
            "missing {expected:?} in\n{}",
            r.stdout
        );
    }
    // Only the changed module is shown in detail.
    assert!(
        !r.stdout.contains("tenant-alpha-v2 (alpha)"),
        "{}",
        r.stdout
    );

    let r = xtask(&specs, &["accept", "beta"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("accepted (+1/-0 ops"), "{}", r.stdout);
    let r = xtask(&specs, &["check"], &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);

    // Nothing was written outside specs/.
    let mut top: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, vec!["specs", "src"]);
}

/// Serves `GET /specs/<api_id>` from `bodies` (404 otherwise) for `requests` connections.
fn portal(bodies: Vec<(String, String)>, requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .to_string();
            let body = bodies
                .iter()
                .find(|(id, _)| path == format!("/specs/{id}"))
                .map(|(_, b)| b.clone());
            let (status, body) = match body {
                Some(b) => ("200 OK", b),
                None => ("404 Not Found", "not here".to_string()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}/specs/{{api_id}}")
}

#[test]
fn fetch_from_portal_url() {
    let (_tmp, specs, _src) = setup();
    let url = portal(
        vec![
            ("tenant-alpha-v2".into(), spec(false)),
            ("tenant-beta-v2".into(), spec(true)),
        ],
        2,
    );
    let r = xtask(&specs, &["fetch", "--portal-url", &url], &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        std::fs::read_to_string(specs.join("tenant-beta-v2.json")).unwrap(),
        spec(true)
    );
    assert!(
        r.stdout.lines().any(|l| l.starts_with("tenant-beta-v2")
            && l.contains(" 3 ops")
            && l.contains("CHANGED")),
        "{}",
        r.stdout
    );
}

#[test]
fn fetch_from_portal_env_and_http_errors() {
    let (_tmp, specs, _src) = setup();
    // Only alpha is served: beta gets a 404.
    let url = portal(vec![("tenant-alpha-v2".into(), spec(false))], 2);
    let r = xtask(&specs, &["fetch"], &[("SERVICETITAN_PORTAL_URL", &url)]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("tenant-beta-v2") && r.stdout.contains("FAILED"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("404"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("1 of 2 download(s) failed: tenant-beta-v2"),
        "{}",
        r.stderr
    );
    assert!(specs.join("tenant-alpha-v2.json").is_file());
    assert!(!specs.join("tenant-beta-v2.json").exists());
}

#[test]
fn portal_url_needs_placeholder() {
    let (_tmp, specs, _src) = setup();
    let r = xtask(
        &specs,
        &["fetch", "--portal-url", "http://127.0.0.1:9/x"],
        &[],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no {api_id} placeholder"), "{}", r.stderr);
}

#[test]
fn usage_errors_exit_1_and_help_exits_0() {
    let (_tmp, specs, _src) = setup();
    let r = xtask(&specs, &["frobnicate"], &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("frobnicate"), "{}", r.stderr);
    let r = xtask(&specs, &["--help"], &[]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("cargo xtask specs"), "{}", r.stdout);
}

/// A spec progenitor can generate: a paged list and a create.
fn generable_spec() -> String {
    let id = json!({ "type": "integer", "format": "int64" });
    let tenant = json!({ "name": "tenant", "in": "path", "required": true, "schema": id });
    let int32 = json!({ "type": "integer", "format": "int32" });
    let thing_ref = json!({ "$ref": "#/components/schemas/Thing" });
    let json_of = |schema: &serde_json::Value| json!({ "application/json": { "schema": schema } });
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Things", "version": "2.0" },
        "servers": [ { "url": "https://api.servicetitan.io/things/v2" } ],
        "paths": { "/tenant/{tenant}/things": {
            "get": {
                "tags": ["Things"], "operationId": "Things_GetList", "summary": "List things",
                "parameters": [
                    tenant,
                    { "name": "page", "in": "query", "schema": int32 },
                    { "name": "pageSize", "in": "query", "schema": int32 },
                    { "name": "includeTotal", "in": "query", "schema": { "type": "boolean" } }
                ],
                "responses": { "200": { "description": "ok",
                    "content": json_of(&json!({ "$ref": "#/components/schemas/PaginatedThings" })) } }
            },
            "post": {
                "tags": ["Things"], "operationId": "Things_Create", "summary": "Create a thing",
                "parameters": [ tenant ],
                "requestBody": { "content": json_of(&thing_ref) },
                "responses": { "200": { "description": "ok", "content": json_of(&thing_ref) } }
            }
        } },
        "components": { "schemas": {
            "Thing": { "type": "object", "required": ["id"], "properties": {
                "id": id, "name": { "type": ["string", "null"] } } },
            "PaginatedThings": { "type": "object", "required": ["page", "pageSize", "hasMore", "data"],
                "properties": {
                    "page": int32, "pageSize": int32, "hasMore": { "type": "boolean" },
                    "totalCount": { "type": ["integer", "null"], "format": "int32" },
                    "data": { "type": "array", "items": thing_ref } } }
        } }
    })
    .to_string()
}

#[test]
fn coverage_counts_generated_and_paged_operations() {
    let (_tmp, specs, _src) = setup();
    std::fs::write(specs.join("tenant-alpha-v2.json"), generable_spec()).unwrap();
    let r = xtask(&specs, &["coverage", "alpha"], &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let row: Vec<&str> = r
        .stdout
        .lines()
        .find(|l| l.starts_with("alpha "))
        .unwrap_or_else(|| panic!("no alpha row in\n{}", r.stdout))
        .split_whitespace()
        .collect();
    // module, spec ops, generated, hand-written, uncovered, paged, exports, downloads, uploads
    assert_eq!(
        row,
        vec!["alpha", "2", "2", "0", "0", "1", "0", "0", "0"],
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("total (1 module)"), "{}", r.stdout);

    // Coverage needs the spec files.
    let r = xtask(&specs, &["coverage", "beta"], &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("tenant-beta-v2.json"), "{}", r.stderr);
}

#[test]
fn generated_prints_one_modules_source_as_the_build_script_writes_it() {
    let (tmp, specs, _src) = setup();
    std::fs::write(specs.join("tenant-alpha-v2.json"), generable_spec()).unwrap();
    let r = xtask(&specs, &["generated", "alpha"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The same text the domain crates' build script writes to `$OUT_DIR/generated.rs`.
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // The build script finds `<tmp>/specs` above the crate directory, as in the workspace.
    servicetitan_codegen::build::run("tenant-alpha-v2", tmp.path(), &out).unwrap();
    let written = std::fs::read_to_string(out.join("generated.rs")).unwrap();
    assert_eq!(r.stdout, written);
    assert!(r.stdout.contains("pub struct Api"), "{}", r.stdout);

    // One module, by name; an unknown one is an error.
    let r = xtask(&specs, &["generated", "gamma"], &[]);
    assert_eq!(r.code, 1);
}
