//! `st export` run as a process against the mock: a run killed with SIGKILL mid-way and resumed
//! ends with every record exactly once and no torn line; CSV output with the schema's header;
//! an existing checkpoint is not overwritten without `--resume`.

mod support;

use servicetitan_mock::{Faults, MockConfig};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};
use support::{st_path, stderr_of, temp_dir, Mock};

fn ids(path: &Path) -> Vec<i64> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("torn or invalid line {line:?}: {e}"));
            record["id"].as_i64().unwrap()
        })
        .collect()
}

fn lines_in(path: &Path) -> usize {
    std::fs::read(path).map_or(0, |b| b.iter().filter(|c| **c == b'\n').count())
}

#[test]
fn export_killed_with_sigkill_then_resumed_has_every_record_once() {
    const RECORDS: usize = 6000;
    let mock = Mock::start(
        MockConfig::default()
            .records(RECORDS as u64)
            .export_batch(200)
            .rate_limit(None),
    );
    let dir = temp_dir();
    let out = dir.path().join("jobs.jsonl");
    let checkpoint = dir.path().join("jobs.jsonl.checkpoint");

    // Slow batches, so the kill lands mid-way.
    let quiet = mock.server.faults();
    mock.server.set_faults(Faults {
        latency: Duration::from_millis(40),
        ..quiet.clone()
    });
    let mut child = std::process::Command::new(st_path())
        .env_clear()
        .envs(mock.env())
        .current_dir(dir.path())
        .args(["export", "jpm", "jobs", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !(checkpoint.exists() && lines_in(&out) >= 1000) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "export made no progress"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let written = lines_in(&out);
    assert!(written < RECORDS, "killed mid-way ({written} lines)");
    // As if the kill had landed inside a write: half a record after the last full line.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&out)
        .and_then(|mut f| std::io::Write::write_all(&mut f, br#"{"id":99999,"jobNu"#))
        .unwrap();

    mock.server.set_faults(quiet);
    let output = mock
        .st(dir.path())
        .args(["export", "jpm", "jobs", "--resume", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let resumed = ids(&out);
    let unique: BTreeSet<i64> = resumed.iter().copied().collect();
    assert_eq!(unique.len(), resumed.len(), "no record twice");
    assert_eq!(resumed.len(), RECORDS, "no record lost");

    // The same as one uninterrupted export.
    let fresh = dir.path().join("fresh.jsonl");
    let output = mock
        .st(dir.path())
        .args(["export", "jpm", "jobs", "--out"])
        .arg(&fresh)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert_eq!(std::fs::read(&fresh).unwrap(), std::fs::read(&out).unwrap());
}

#[test]
fn csv_export_has_the_schema_header_and_one_row_per_record() {
    let mock = Mock::start(MockConfig::default().records(7).export_batch(3));
    let dir = temp_dir();
    let out = dir.path().join("jobs.csv");
    let output = mock
        .st(dir.path())
        .args(["export", "jpm", "jobs", "--format", "csv", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let header = reader.headers().unwrap().clone();
    for column in [
        "id",
        "jobNumber",
        "jobStatus",
        "jobGeneratedLeadSource.jobId",
        "total",
    ] {
        assert!(header.iter().any(|h| h == column), "{column} in {header:?}");
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 7);
    let id_col = header.iter().position(|h| h == "id").unwrap();
    let ids: BTreeSet<&str> = rows.iter().map(|r| &r[id_col]).collect();
    assert_eq!(ids.len(), 7);

    // A jsonl resume of a csv export is refused, naming both files.
    let output = mock
        .st(dir.path())
        .args(["export", "jpm", "jobs", "--resume", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = stderr_of(&output);
    assert!(
        err.contains("jobs.csv.checkpoint") && err.contains("csv export"),
        "{err}"
    );
}

#[test]
fn existing_checkpoint_needs_resume_and_deleted_output_is_refused() {
    let mock = Mock::start(MockConfig::default().records(5));
    let dir = temp_dir();
    let out = dir.path().join("jobs.jsonl");
    let run = |resume: bool| {
        let mut cmd = mock.st(dir.path());
        cmd.args(["export", "jpm", "jobs", "--out"]).arg(&out);
        if resume {
            cmd.arg("--resume");
        }
        cmd.output().unwrap()
    };
    assert!(run(false).status.success());
    let again = run(false);
    assert!(!again.status.success());
    assert!(
        stderr_of(&again).contains("--resume"),
        "{}",
        stderr_of(&again)
    );
    assert_eq!(ids(&out).len(), 5, "untouched");

    std::fs::remove_file(&out).unwrap();
    let output = run(true);
    assert!(!output.status.success());
    let err = stderr_of(&output);
    assert!(
        err.contains("does not exist") && err.contains("jobs.jsonl.checkpoint"),
        "{err}"
    );
    assert!(!out.exists(), "not recreated");
}

#[test]
fn since_is_sent_as_from_on_a_new_export() {
    let mock = Mock::start(MockConfig::default().records(5));
    let dir = temp_dir();
    let out = dir.path().join("jobs.jsonl");
    let output = mock
        .st(dir.path())
        .args(["export", "jpm", "jobs", "--since", "2024-06-01", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let first = mock
        .server
        .requests()
        .into_iter()
        .find(|r| r.operation.as_deref() == Some("Export_Jobs"))
        .unwrap();
    assert!(first.path.contains("from=2024-06-01"), "{}", first.path);
}
