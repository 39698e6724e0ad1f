//! Generated operation commands and `st auth token`, run as processes against the mock:
//! parameters and bodies reach the API, `--all` reads every page, clap enforces required
//! parameters and enum values, API errors print the library's message and exit non-zero.

mod support;

use servicetitan_mock::MockConfig;
use support::{stderr_of, stdout_of, temp_dir, Mock};

#[test]
fn auth_token_reports_success_and_hides_the_token_unless_shown() {
    let mock = Mock::start(MockConfig::default());
    let dir = temp_dir();
    let output = mock
        .st(dir.path())
        .args(["auth", "token"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(text.contains("token obtained"), "{text}");
    assert!(
        text.contains("expires:") && text.contains("scopes:"),
        "{text}"
    );
    // The mock's tokens are JWTs like ServiceTitan's: expiry and scopes come from their claims.
    assert!(!text.contains("expires: unknown"), "{text}");
    assert!(text.contains("tn.jpm.jobs:r"), "{text}");
    assert!(text.contains("--show"), "{text}");
    let hidden = text.clone();

    let output = mock
        .st(dir.path())
        .args(["auth", "token", "--show"])
        .output()
        .unwrap();
    let shown = stdout_of(&output);
    let token = shown.lines().last().unwrap().trim();
    assert!(token.len() >= 16, "{shown}");
    assert!(!hidden.contains(token), "the token only with --show");
    assert_eq!(mock.server.counters().token_requests, 2);
}

#[test]
fn auth_token_with_wrong_secret_fails_with_the_library_message() {
    let mock = Mock::start(MockConfig::default());
    let dir = temp_dir();
    let output = mock
        .st(dir.path())
        .args(["auth", "token"])
        .env("SERVICETITAN_CLIENT_SECRET", "cs1.wrong-secret-value")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = stderr_of(&output);
    assert!(err.starts_with("error: "), "{err}");
    assert!(!err.contains("cs1.wrong-secret-value"), "{err}");
}

#[test]
fn operation_with_path_parameter_and_body() {
    let mock = Mock::start(MockConfig::default().records(3));
    let dir = temp_dir();
    let list = mock
        .st(dir.path())
        .args(["jpm", "appointments-get-list", "--page-size", "1"])
        .output()
        .unwrap();
    assert!(list.status.success(), "{}", stderr_of(&list));
    let page: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let id = page["data"][0]["id"].as_i64().unwrap().to_string();

    let body = dir.path().join("reschedule.json");
    std::fs::write(
        &body,
        r#"{"start":"2024-05-01T10:00:00Z","end":"2024-05-01T12:00:00Z"}"#,
    )
    .unwrap();
    let output = mock
        .st(dir.path())
        .args(["jpm", "appointments-reschedule", "--id", &id, "--body"])
        .arg(&body)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["id"].to_string(), id);

    // A body the spec rejects: the API's 400 with the library's message, non-zero exit.
    let output = mock
        .st(dir.path())
        .args(["jpm", "appointments-reschedule", "--id", &id, "--body", "-"])
        .write_stdin(r#"{"start": 5}"#)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = stderr_of(&output);
    assert!(
        err.contains("400") && err.contains("Appointments_Reschedule"),
        "{err}"
    );
    assert!(err.contains("start"), "names the field: {err}");

    // Not JSON: refused before any call, naming the source.
    let output = mock
        .st(dir.path())
        .args(["jpm", "appointments-reschedule", "--id", &id, "--body", "-"])
        .write_stdin("{nope")
        .output()
        .unwrap();
    assert!(stderr_of(&output).contains("standard input is not JSON"));
}

#[test]
fn query_parameters_are_sent_and_compact_json_is_printed_to_a_pipe() {
    let mock = Mock::start(MockConfig::default().records(12));
    let dir = temp_dir();
    let output = mock
        .st(dir.path())
        .args(["jpm", "jobs-get-list", "--page-size", "3", "--page", "2"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert_eq!(text.lines().count(), 1, "compact on a pipe");
    let page: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 3);
    assert_eq!(page["page"], 2);
}

#[test]
fn all_streams_every_page_as_json_lines() {
    let mock = Mock::start(MockConfig::default().records(11));
    let dir = temp_dir();
    let output = mock
        .st(dir.path())
        .args(["jpm", "jobs-get-list", "--page-size", "4", "--all"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let ids: std::collections::BTreeSet<i64> = stdout_of(&output)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids.len(), 11, "every record once");
    assert_eq!(mock.server.counters().per_operation["Jobs_GetList"], 3);
}

#[test]
fn clap_enforces_required_parameters_and_enum_values() {
    let mock = Mock::start(MockConfig::default());
    let dir = temp_dir();
    let output = mock
        .st(dir.path())
        .args(["jpm", "jobs-get"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("--id <INT>"));
    let output = mock
        .st(dir.path())
        .args(["jpm", "jobs-get-list", "--job-status", "Bogus"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr_of(&output);
    assert!(
        err.contains("possible values") && err.contains("InProgress"),
        "{err}"
    );
    let output = mock
        .st(dir.path())
        .args(["jpm", "jobs-get-list", "--page-size", "three"])
        .output()
        .unwrap();
    assert!(stderr_of(&output).contains("is not an integer"));
    assert_eq!(mock.server.counters().api_requests, 0, "nothing was sent");
}

#[test]
fn help_lists_modules_operations_and_parameter_descriptions() {
    let dir = temp_dir();
    let top = support::st(dir.path()).arg("--help").output().unwrap();
    let text = stdout_of(&top);
    for word in [
        "config",
        "export",
        "report",
        "mock",
        "jpm",
        "telecom",
        "--profile",
        "--mock",
    ] {
        assert!(text.contains(word), "st --help shows {word}");
    }
    let jpm = support::st(dir.path())
        .args(["jpm", "--help"])
        .output()
        .unwrap();
    assert!(stdout_of(&jpm).contains("jobs-get-list"));
    let op = support::st(dir.path())
        .args(["jpm", "jobs-get-list", "--help"])
        .output()
        .unwrap();
    let text = stdout_of(&op);
    assert!(text.contains("--page-size <INT>"), "{text}");
    assert!(
        text.contains("How many records to return"),
        "spec description: {text}"
    );
    assert!(text.contains("tn.jpm.jobs:r"), "scopes: {text}");
}

#[test]
fn upload_sends_the_file_and_download_writes_the_bytes() {
    let mock = Mock::start(MockConfig::default());
    let dir = temp_dir();
    let image = dir.path().join("tile.png");
    std::fs::write(&image, b"\x89PNG not really").unwrap();
    let output = mock
        .st(dir.path())
        .args(["pricebook", "images-post", "--file"])
        .arg(&image)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(answer.is_object(), "{answer}");

    let out = dir.path().join("image.bin");
    let output = mock
        .st(dir.path())
        .args([
            "pricebook",
            "images-get",
            "--path",
            "Images/tile.png",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(std::fs::metadata(&out).unwrap().len() > 0);
    assert_eq!(mock.server.counters().per_operation["Images_Post"], 1);
    assert_eq!(mock.server.counters().per_operation["Images_Get"], 1);
}
