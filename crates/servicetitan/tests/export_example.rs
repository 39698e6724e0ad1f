//! The `export_jobs` example verifies its checkpoint before trusting it (issue 12, point 8):
//! an output that is missing, shorter or not the one the checkpoint was written for is refused
//! with both files named and what to do; a garbage checkpoint and an unwritable output are named.
//! Each case against a local (loopback) wiremock server.
#![cfg(feature = "jpm")]

#[path = "../examples/support/jsonl_export.rs"]
mod jsonl_export;

use serde_json::json;
use servicetitan_test_support::{requests_to, setup};
use std::path::{Path, PathBuf};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const EXPORT_JOBS: &str = "/jpm/v2/tenant/42/export/jobs";

fn temp_out(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("st-export-example-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("jobs.jsonl")
}

async fn mount_one_batch(server: &wiremock::MockServer) {
    Mock::given(method("GET"))
        .and(path(EXPORT_JOBS))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"continueFrom": "t1", "hasMore": false, "data": [{"id": 1}, {"id": 2}]}),
        ))
        .mount(server)
        .await;
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

#[tokio::test]
async fn output_deleted_but_checkpoint_kept_is_refused_and_nothing_is_padded() {
    let (server, client) = setup().await;
    mount_one_batch(&server).await;
    let out = temp_out("deleted");
    jsonl_export::export_jobs(&client, &out).await.unwrap();
    std::fs::remove_file(&out).unwrap();

    let err = jsonl_export::export_jobs(&client, &out)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains(&shown(&out)), "{err}");
    assert!(
        err.contains(&shown(&jsonl_export::checkpoint_path(&out))),
        "{err}"
    );
    assert!(err.contains("does not exist"), "{err}");
    assert!(err.contains("delete both files"), "{err}");
    assert!(!out.exists(), "the output must not be recreated (padded)");
    assert_eq!(requests_to(&server, EXPORT_JOBS).await.len(), 1);
}

#[tokio::test]
async fn shorter_or_foreign_output_is_refused() {
    let (server, client) = setup().await;
    mount_one_batch(&server).await;
    let out = temp_out("foreign");
    jsonl_export::export_jobs(&client, &out).await.unwrap();
    let committed = std::fs::read(&out).unwrap();

    std::fs::write(&out, &committed[..committed.len() - 3]).unwrap();
    let err = jsonl_export::export_jobs(&client, &out).await.unwrap_err();
    assert!(err.to_string().contains("shorter"), "{err}");

    // Same length, other content: another export's file put in its place.
    let other = String::from_utf8(committed.clone())
        .unwrap()
        .replace('1', "7");
    std::fs::write(&out, &other).unwrap();
    let err = jsonl_export::export_jobs(&client, &out).await.unwrap_err();
    assert!(err.to_string().contains("content differs"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        other,
        "left untouched"
    );
}

#[tokio::test]
async fn garbage_checkpoint_is_named() {
    let (server, client) = setup().await;
    mount_one_batch(&server).await;
    let out = temp_out("garbage");
    let checkpoint = jsonl_export::checkpoint_path(&out);
    std::fs::write(&checkpoint, "\u{0}\u{0}garbage").unwrap();
    let err = jsonl_export::export_jobs(&client, &out)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains(&shown(&checkpoint)), "{err}");
    assert!(err.contains("not an export checkpoint"), "{err}");
    assert!(requests_to(&server, EXPORT_JOBS).await.is_empty());
}

#[tokio::test]
async fn unwritable_output_path_is_named() {
    let (server, client) = setup().await;
    mount_one_batch(&server).await;
    // A path below a regular file cannot be created, whoever runs the test (root included).
    let blocker = temp_out("unwritable");
    std::fs::write(&blocker, "a file, not a directory").unwrap();
    let out = blocker.join("jobs.jsonl");
    let err = jsonl_export::export_jobs(&client, &out)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!("cannot open for writing {}:", shown(&out))),
        "{err}"
    );
}
