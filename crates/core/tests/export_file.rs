//! `export::file` on synthetic batches (no server): what a run commits, what a resume trusts,
//! and what it refuses.

use futures::stream;
use serde_json::value::RawValue;
use servicetitan_core::export::file::{self, FileError, JsonLines, Mode};
use servicetitan_core::export::ExportBatch;
use std::path::Path;

fn batch(
    ids: &[i64],
    token: Option<&str>,
) -> Result<ExportBatch<Box<RawValue>>, servicetitan_core::Error> {
    Ok(ExportBatch {
        items: ids
            .iter()
            .map(|id| RawValue::from_string(format!(r#"{{"id":{id}}}"#)).unwrap())
            .collect(),
        failures: Vec::new(),
        checkpoint: token.map(String::from),
        has_more: token.is_some(),
    })
}

async fn run(
    out: &Path,
    mode: Mode,
    batches: Vec<Result<ExportBatch<Box<RawValue>>, servicetitan_core::Error>>,
) -> Result<file::Summary, FileError> {
    file::export_to_file(out, mode, &mut JsonLines, |_| stream::iter(batches), |_| {}).await
}

#[tokio::test]
async fn a_batch_without_a_token_is_not_committed_and_is_dropped_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.jsonl");
    let summary = run(
        &out,
        Mode::Fresh,
        vec![batch(&[1, 2], Some("t1")), batch(&[3], None)],
    )
    .await
    .unwrap();
    assert_eq!(
        (summary.records, summary.checkpoint.as_deref()),
        (3, Some("t1"))
    );
    let saved = file::read_checkpoint(&out).unwrap().unwrap();
    assert_eq!(saved.records, 2);
    assert_eq!(saved.bytes, "{\"id\":1}\n{\"id\":2}\n".len() as u64);

    let summary = run(&out, Mode::Resume, vec![batch(&[3, 4], Some("t2"))])
        .await
        .unwrap();
    assert_eq!(summary.resumed_from.as_deref(), Some("t1"));
    assert_eq!(summary.total_records, 4);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n{\"id\":4}\n"
    );
}

#[tokio::test]
async fn a_fresh_run_leaves_an_existing_output_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("someone-elses.jsonl");
    std::fs::write(&out, "precious\n").unwrap();
    for mode in [Mode::Fresh, Mode::Resume] {
        let err = run(&out, mode, vec![batch(&[1], Some("t1"))])
            .await
            .unwrap_err();
        assert!(matches!(err, FileError::OutputExists { .. }), "{err}");
        assert!(err.to_string().contains("someone-elses.jsonl"), "{err}");
    }
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious\n");
}

#[tokio::test]
async fn an_api_error_keeps_what_was_committed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.jsonl");
    let failed = Err(servicetitan_core::Error::InvalidRequest("boom".into()));
    let err = run(&out, Mode::Fresh, vec![batch(&[1], Some("t1")), failed])
        .await
        .unwrap_err();
    assert!(
        matches!(err, FileError::Api(_)) && err.to_string().contains("boom"),
        "{err}"
    );
    assert_eq!(
        file::read_checkpoint(&out).unwrap().unwrap().continue_from,
        "t1"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "{\"id\":1}\n");
}
