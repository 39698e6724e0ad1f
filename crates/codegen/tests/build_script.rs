//! The domain build scripts' behaviour: error messages and change detection.

use servicetitan_codegen::build::run;
use servicetitan_codegen::manifest::{sha256_hex, Manifest, Module};
use std::path::PathBuf;

/// A throwaway workspace: `(guard, crate dir, out dir)`; the guard removes it on drop.
fn workspace(with_spec: bool, with_patch: bool) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let guard = tempfile::tempdir().unwrap();
    let root = guard.path().to_path_buf();
    let specs = root.join("specs");
    std::fs::create_dir_all(specs.join("patches")).unwrap();
    let spec = serde_json::json!({
        "openapi": "3.1.0", "info": {"title": "Demo", "version": "2"},
        "paths": {"/tenant/{tenant}/things": {"get": {"operationId": "Things_Get",
            "parameters": [{"name": "tenant", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}}],
            "responses": {"200": {"description": "ok"}}}}}
    });
    let text = serde_json::to_vec(&spec).unwrap();
    let manifest = Manifest {
        portal_url: "http://127.0.0.1/{api_id}".into(),
        modules: vec![Module {
            api_id: "tenant-demo-v2".into(),
            short: "demo".into(),
            crate_name: "servicetitan-demo".into(),
            feature: "demo".into(),
            title: "Demo".into(),
            base_path: "demo/v2".into(),
            sha256: sha256_hex(&text),
            operations: 1,
            hand_written: Default::default(),
        }],
    };
    manifest.save(&specs).unwrap();
    if with_spec {
        std::fs::write(specs.join("tenant-demo-v2.json"), &text).unwrap();
    }
    if with_patch {
        std::fs::write(
            specs.join("patches/tenant-demo-v2.json"),
            r#"{"patches": [{"reason": "demo", "op": "set", "pointer": "/info/title", "value": "Demo!"}]}"#,
        )
        .unwrap();
    }
    let crate_dir = root.join("crates/domains/demo");
    std::fs::create_dir_all(&crate_dir).unwrap();
    let out = root.join("out");
    std::fs::create_dir_all(&out).unwrap();
    (guard, crate_dir, out)
}

#[test]
fn a_missing_spec_names_the_file_and_the_fetch_command() {
    let (_dir, crate_dir, out) = workspace(false, false);
    let err = run("tenant-demo-v2", &crate_dir, &out).unwrap_err();
    assert!(err.contains("tenant-demo-v2.json"), "{err}");
    assert!(err.contains("cargo xtask specs fetch"), "{err}");
    assert!(err.contains("--from"), "{err}");
}

#[test]
fn an_unknown_module_is_named() {
    let (_dir, crate_dir, out) = workspace(true, false);
    let err = run("tenant-nope-v2", &crate_dir, &out).unwrap_err();
    assert!(
        err.contains("tenant-nope-v2 is not in") && err.contains("manifest.json"),
        "{err}"
    );
}

#[test]
fn only_existing_paths_are_watched() {
    // A missing `rerun-if-changed` path makes cargo rerun the script on every build.
    let (_dir, crate_dir, out) = workspace(true, false);
    let directives = run("tenant-demo-v2", &crate_dir, &out).unwrap();
    let watched: Vec<&str> = directives
        .iter()
        .filter_map(|d| d.strip_prefix("cargo:rerun-if-changed="))
        .collect();
    assert_eq!(watched.len(), 3, "{watched:?}");
    for path in &watched {
        assert!(std::path::Path::new(path).exists(), "{path} does not exist");
    }
    assert!(out.join("generated.rs").exists());
    assert!(
        !directives.iter().any(|d| d.starts_with("cargo:warning")),
        "spec matches the manifest"
    );

    let (_dir, crate_dir, out) = workspace(true, true);
    let directives = run("tenant-demo-v2", &crate_dir, &out).unwrap();
    assert!(directives
        .iter()
        .any(|d| d.ends_with("patches/tenant-demo-v2.json")));
}

#[test]
fn unchanged_output_is_not_rewritten() {
    let (_dir, crate_dir, out) = workspace(true, false);
    run("tenant-demo-v2", &crate_dir, &out).unwrap();
    let first = std::fs::metadata(out.join("generated.rs"))
        .unwrap()
        .modified()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    run("tenant-demo-v2", &crate_dir, &out).unwrap();
    let second = std::fs::metadata(out.join("generated.rs"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(first, second, "rustc would recompile the crate");
}

#[test]
fn specs_dir_env_holds_only_the_documents_the_manifest_comes_from_the_checkout() {
    use servicetitan_codegen::manifest::{locate_specs_with, SpecsLocation};
    let (dir, crate_dir, _out) = workspace(false, false);
    let shared = dir.path().join("shared-specs"); // like ../shared/specs: documents, no manifest
    std::fs::create_dir_all(&shared).unwrap();
    let committed = dir.path().join("specs");
    assert_eq!(
        locate_specs_with(&crate_dir, Some(shared.clone())).unwrap(),
        SpecsLocation {
            committed: committed.clone(),
            documents: shared.clone()
        }
    );
    assert_eq!(
        locate_specs_with(&crate_dir, None).unwrap(),
        SpecsLocation {
            committed: committed.clone(),
            documents: committed.clone()
        }
    );
    // Outside any checkout: only a directory with its own manifest will do.
    let elsewhere = tempfile::tempdir().unwrap();
    let err = locate_specs_with(elsewhere.path(), Some(shared)).unwrap_err();
    assert!(err.to_string().contains("SERVICETITAN_SPECS_DIR"), "{err}");
    assert_eq!(
        locate_specs_with(elsewhere.path(), Some(committed.clone()))
            .unwrap()
            .committed,
        committed
    );
}

#[test]
fn the_reader_patches_describes_and_normalizes_once() {
    use servicetitan_codegen::specs::Specs;
    let (_dir, crate_dir, _out) = workspace(true, true);
    let mut specs = Specs::open(&crate_dir).unwrap();
    let spec = specs.read_id("tenant-demo-v2").unwrap();
    assert_eq!(spec.document["info"]["title"], "Demo!", "patched");
    let ids: Vec<&str> = spec
        .operations
        .iter()
        .map(|o| o.operation_id.as_str())
        .collect();
    assert_eq!(ids, ["Things_Get"]);
    let (raw, shared) = spec.raw_operation(&spec.operations[0]).unwrap();
    assert_eq!(raw["operationId"], "Things_Get");
    assert!(shared.is_empty());
    assert_eq!(spec.parameters(&spec.operations[0])[0]["name"], "tenant");
    let first: *const _ = spec.normalized().unwrap();
    let second: *const _ = spec.normalized().unwrap();
    assert_eq!(first, second, "normalized once, then kept");
    assert!(specs
        .directives()
        .iter()
        .any(|d| d.ends_with("patches/tenant-demo-v2.json")));
}

#[test]
fn bad_spec_data_is_an_error_naming_it_never_a_panic() {
    use servicetitan_codegen::specs::Specs;
    let (dir, crate_dir, out) = workspace(true, false);
    let specs_dir = dir.path().join("specs");
    std::fs::write(specs_dir.join("tenant-demo-v2.json"), "{not json").unwrap();
    let err = Specs::open(&crate_dir).unwrap().read_all().unwrap_err();
    assert!(err.contains("tenant-demo-v2.json is not JSON"), "{err}");
    // A document that differs from the accepted one is a warning, not a failure.
    let directives = {
        std::fs::write(
            specs_dir.join("tenant-demo-v2.json"),
            r#"{"openapi": "3.1.0", "info": {"title": "Demo", "version": "2"}, "paths": {}}"#,
        )
        .unwrap();
        run("tenant-demo-v2", &crate_dir, &out).unwrap()
    };
    assert!(directives
        .iter()
        .any(|d| d.starts_with("cargo:warning=") && d.contains("cargo xtask specs check")));
    // A stale patch names the module and the pointer.
    std::fs::write(
        specs_dir.join("patches/tenant-demo-v2.json"),
        r#"{"patches": [{"reason": "gone", "op": "remove", "pointer": "/paths/~1nope"}]}"#,
    )
    .unwrap();
    let err = run("tenant-demo-v2", &crate_dir, &out).unwrap_err();
    assert!(
        err.contains("tenant-demo-v2") && err.contains("/paths/~1nope"),
        "{err}"
    );
}

#[test]
fn one_missing_spec_message_for_every_reader() {
    use servicetitan_codegen::specs::Specs;
    let (_dir, crate_dir, _out) = workspace(false, false);
    let err = Specs::open(&crate_dir).unwrap().read_all().unwrap_err();
    assert!(err.starts_with("missing spec "), "{err}");
    assert!(
        err.contains("cargo xtask specs fetch --from ../shared/specs"),
        "{err}"
    );
    assert!(err.contains("SERVICETITAN_SPECS_DIR"), "{err}");
}
