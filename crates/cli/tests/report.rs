//! `st report` and the global `--mock`, run as processes: a report run with parameters (JSON
//! lines and CSV), parameters refused before any data request, and a command needing no
//! credentials at all with `--mock`.

mod support;

use servicetitan_mock::MockConfig;
use support::{st, stderr_of, stdout_of, temp_dir, Mock};

const RUN: [&str; 6] = [
    "report",
    "run",
    "--category",
    "operations",
    "--report",
    "175",
];

#[test]
fn report_run_as_json_lines_and_csv() {
    let mock = Mock::start(MockConfig::default().records(9).report_limit(None));
    let dir = temp_dir();
    let output = mock
        .st(dir.path())
        .args(RUN)
        .args([
            "--param",
            "From=2024-01-01",
            "--param",
            "To=2024-01-31",
            "--param",
            "BusinessUnitIds=1,2",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let rows: Vec<serde_json::Value> = stdout_of(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.get("Revenue").is_some()), "{rows:?}");

    let output = mock
        .st(dir.path())
        .args(RUN)
        .args([
            "--param",
            "From=2024-01-01",
            "--param",
            "To=2024-01-31",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(text.lines().next().unwrap().contains("Revenue"), "{text}");
    assert_eq!(text.lines().count(), rows.len() + 1);
}

#[test]
fn report_parameters_are_checked_before_the_run() {
    let mock = Mock::start(MockConfig::default());
    let dir = temp_dir();
    let output = mock
        .st(dir.path())
        .args(RUN)
        .args(["--param", "From=01/01/2024", "--param", "Frm=3"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = stderr_of(&output);
    assert!(
        err.contains("YYYY-MM-DD") && err.contains("did you mean `From`"),
        "{err}"
    );
    assert!(err.contains("`To`"), "missing required named: {err}");
    let counters = mock.server.counters();
    assert!(
        !counters
            .per_operation
            .keys()
            .any(|op| op.contains("GetData")),
        "no data request: {:?}",
        counters.per_operation
    );
}

#[test]
fn global_mock_flag_needs_no_credentials() {
    let dir = temp_dir();
    let output = st(dir.path())
        .args(["--mock", "jpm", "jobs-get-list", "--page-size", "2"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let page: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
}
