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
    let failed = Err(servicetitan_core::Error::Other("boom".into()));
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

/// An encoder like the CLI's CSV: a header, and only objects are rows.
struct ObjectsOnly;

impl file::Encoder for ObjectsOnly {
    fn format(&self) -> &str {
        "objects"
    }
    fn header(&mut self) -> Result<Vec<u8>, String> {
        Ok(b"id\n".to_vec())
    }
    fn encode(&mut self, record: &RawValue, out: &mut Vec<u8>) -> Result<(), String> {
        let value: serde_json::Value =
            serde_json::from_str(record.get()).map_err(|e| e.to_string())?;
        let id = value.get("id").ok_or("not a JSON object with an id")?;
        out.extend_from_slice(format!("{id}\n").as_bytes());
        Ok(())
    }
}

fn raw(text: &str) -> Box<RawValue> {
    RawValue::from_string(text.to_string()).unwrap()
}

#[tokio::test]
async fn a_zero_byte_checkpoint_matches_only_an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("empty-tenant.jsonl");
    // An export of a tenant with nothing yet: a checkpoint of 0 bytes.
    run(&out, Mode::Fresh, vec![batch(&[], Some("t0"))])
        .await
        .unwrap();
    assert_eq!(file::read_checkpoint(&out).unwrap().unwrap().bytes, 0);
    // Someone else's file put in its place.
    std::fs::write(&out, "precious\n").unwrap();
    let err = run(&out, Mode::Resume, vec![batch(&[1], Some("t1"))])
        .await
        .unwrap_err();
    assert!(matches!(err, FileError::Mismatch { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("empty-tenant.jsonl ") && text.contains("empty-tenant.jsonl.checkpoint"),
        "names both files: {text}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "precious\n");
    // An empty file still resumes.
    std::fs::write(&out, "").unwrap();
    run(&out, Mode::Resume, vec![batch(&[1], Some("t1"))])
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "{\"id\":1}\n");
}

#[tokio::test]
async fn a_header_is_committed_with_the_first_batch_and_a_failed_first_batch_blocks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    let boom = || Err(servicetitan_core::Error::Other("boom".into()));
    let err = file::export_to_file(
        &out,
        Mode::Fresh,
        &mut ObjectsOnly,
        |_| stream::iter(vec![boom()]),
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("boom"), "{err}");
    // Also a first batch without a token, then a failure: nothing committed, nothing left.
    let err = file::export_to_file(
        &out,
        Mode::Fresh,
        &mut ObjectsOnly,
        |_| stream::iter(vec![batch(&[1], None), boom()]),
        |_| {},
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("boom"), "{err}");
    assert_eq!(std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0), 0);
    // The next run is not refused, and the header is there once.
    file::export_to_file(
        &out,
        Mode::Fresh,
        &mut ObjectsOnly,
        |_| stream::iter(vec![batch(&[1], Some("t1"))]),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "id\n1\n");
    let saved = file::read_checkpoint(&out).unwrap().unwrap();
    assert_eq!(saved.bytes, 5);
}

#[tokio::test]
async fn a_record_the_encoder_cannot_write_goes_to_the_failures_file_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.csv");
    let mixed = ExportBatch {
        items: vec![raw(r#"{"id":1}"#), raw("[7, 8]"), raw(r#"{"id":2}"#)],
        failures: Vec::new(),
        checkpoint: Some("t1".into()),
        has_more: true,
    };
    let uncommitted = ExportBatch {
        items: vec![raw("0")],
        failures: Vec::new(),
        checkpoint: None,
        has_more: true,
    };
    let summary = file::export_to_file(
        &out,
        Mode::Fresh,
        &mut ObjectsOnly,
        |_| stream::iter(vec![Ok(mixed), Ok(uncommitted)]),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!((summary.records, summary.failures), (2, 2));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "id\n1\n2\n");
    // The second batch had no token: its failure is not committed, and a resume drops it.
    file::export_to_file(
        &out,
        Mode::Resume,
        &mut ObjectsOnly,
        |_| stream::iter(vec![batch(&[3], Some("t2"))]),
        |_| {},
    )
    .await
    .unwrap();
    let failures = std::fs::read_to_string(file::failures_path(&out)).unwrap();
    let lines: Vec<serde_json::Value> = failures
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{failures}");
    assert_eq!(lines[0]["record"], serde_json::json!([7, 8]));
    assert_eq!(lines[0]["index"], 1);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "id\n1\n2\n3\n");
}
