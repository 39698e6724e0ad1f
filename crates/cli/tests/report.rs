//! `st report` and the global `--mock`, run as processes: a report run with parameters (JSON
//! lines and CSV), parameters refused before any data request, and a command needing no
//! credentials at all with `--mock`; the query flow polled, cancelled on Ctrl-C and on the
//! deadline, and the synchronous `/data` used where the flow is missing.

mod support;

use servicetitan_mock::{MockConfig, ReportFlow};
use std::time::{Duration, Instant};
use support::{st, stderr_of, stdout_of, temp_dir, Mock};

const DATES: [&str; 4] = ["--param", "From=2020-01-01", "--param", "To=2030-01-01"];

fn count(mock: &Mock, operation: &str) -> u64 {
    mock.server
        .counters()
        .per_operation
        .get(operation)
        .copied()
        .unwrap_or(0)
}

#[test]
fn report_run_reads_every_row_once_through_the_query_flow_or_without_it() {
    let flows = [
        ReportFlow::default(),
        ReportFlow {
            has_more: servicetitan_mock::HasMore::Always,
            ..ReportFlow::default()
        },
        ReportFlow {
            no_query: true,
            ..ReportFlow::default()
        },
    ];
    for flow in flows {
        let mock = Mock::start(
            MockConfig::default()
                .records(40)
                .report_limit(None)
                .reports(flow.clone()),
        );
        let dir = temp_dir();
        // Pages of 10: the query flow sends all 40 rows at once (more than asked: the whole
        // result, whatever `HasMore` says). Without the flow, one page of the default 1000:
        // the 404 and the page are 12 s apart already (the client's 5 runs per minute).
        let size = if flow.no_query { "1000" } else { "10" };
        let output = mock
            .st(dir.path())
            .args(RUN)
            .args(DATES)
            .args(["--page-size", size])
            .output()
            .unwrap();
        assert!(output.status.success(), "{flow:?}: {}", stderr_of(&output));
        let lines: Vec<String> = stdout_of(&output).lines().map(str::to_owned).collect();
        assert_eq!(lines.len(), 40, "{flow:?}: every row once");
        let mut unique = lines.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 40, "{flow:?}: no row twice");
        if flow.no_query {
            assert_eq!(
                count(&mock, "ReportCategoryReports_QueryData"),
                1,
                "404 once"
            );
            assert_eq!(count(&mock, "ReportCategoryReports_GetData"), 1);
        } else {
            assert!(count(&mock, "DataQueries_Get") >= 2, "{flow:?}: polled");
            assert_eq!(
                count(&mock, "DataQueries_Delete"),
                0,
                "nothing left to cancel"
            );
        }
    }
}

/// A mock whose report queries never finish.
fn never_done() -> Mock {
    Mock::start(
        MockConfig::default()
            .records(5)
            .report_limit(None)
            .reports(ReportFlow {
                polls: 100_000,
                ..ReportFlow::default()
            }),
    )
}

#[test]
fn ctrl_c_cancels_the_running_query_before_st_exits() {
    let mock = never_done();
    let dir = temp_dir();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("st"))
        .env_clear()
        .envs(mock.env())
        .current_dir(dir.path())
        .args(RUN)
        .args(DATES)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(30);
    while count(&mock, "DataQueries_Get") < 2 {
        assert!(Instant::now() < until, "st never polled");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let signalled = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(10),
            "st did not exit"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        signalled.elapsed() < Duration::from_secs(5),
        "{:?}",
        signalled.elapsed()
    );
    assert!(!exit.success());
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        err.contains("interrupted") && err.contains("cancelled"),
        "{err}"
    );
    assert_eq!(count(&mock, "DataQueries_Delete"), 1);
}

#[test]
fn the_deadline_cancels_the_query_and_says_how_to_raise_it() {
    let mock = never_done();
    let dir = temp_dir();
    let output = mock
        .st(dir.path())
        .args(RUN)
        .args(DATES)
        .args(["--deadline", "1"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = stderr_of(&output);
    assert!(
        err.contains("did not finish within 1 s") && err.contains("--deadline"),
        "{err}"
    );
    assert_eq!(count(&mock, "DataQueries_Delete"), 1);
}

const RUN: [&str; 8] = [
    "report",
    "run",
    "--category",
    "operations",
    "--report",
    "175",
    "--poll-interval",
    "0.05",
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
            "From=2023-01-01",
            "--param",
            "To=2025-12-31",
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
            "From=2023-01-01",
            "--param",
            "To=2025-12-31",
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
            .any(|op| op.contains("GetData") || op.contains("QueryData")),
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
