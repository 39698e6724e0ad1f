//! `st config check` and profiles, run as a process: masked secrets, sources, a bad
//! configuration failing with the library's message, `--profile` and `SERVICETITAN_PROFILE`.

mod support;

use support::{st, stderr_of, stdout_of, temp_dir};

const SECRET: &str = "cs2.averysecretvalue123";
const APP_KEY: &str = "ak1.anothersecretvalue9";

fn good_env() -> [(&'static str, &'static str); 4] {
    [
        ("SERVICETITAN_CLIENT_ID", "cid.env-client"),
        ("SERVICETITAN_CLIENT_SECRET", SECRET),
        ("SERVICETITAN_APP_KEY", APP_KEY),
        ("SERVICETITAN_TENANT_ID", "1234"),
    ]
}

#[test]
fn config_check_masks_secrets_and_names_sources() {
    let dir = temp_dir();
    let output = st(dir.path())
        .args(["config", "check"])
        .envs(good_env())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(text.contains("cid.env-client"), "{text}");
    assert!(text.contains("cs2.********"), "{text}");
    assert!(!text.contains(SECRET) && !text.contains(APP_KEY), "{text}");
    assert!(text.contains("environment"), "source shown: {text}");
    assert!(text.contains("configuration OK"), "{text}");
}

#[test]
fn config_check_json_is_machine_readable_and_masked() {
    let dir = temp_dir();
    let output = st(dir.path())
        .args(["config", "check", "--json"])
        .envs(good_env())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["ok"], true);
    assert!(!text.contains(SECRET), "{text}");
    let rows = value["settings"]["rows"].as_array().unwrap();
    let tenant = rows
        .iter()
        .find(|r| r["key"] == "SERVICETITAN_TENANT_ID")
        .unwrap();
    assert_eq!(tenant["value"], "1234");
}

#[test]
fn bad_configuration_exits_non_zero_with_the_library_message() {
    let dir = temp_dir();
    let output = st(dir.path())
        .args(["config", "check"])
        .env("SERVICETITAN_CLIENT_ID", "cid.only")
        .env("SERVICETITAN_TENANT_ID", "not-a-number")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = stderr_of(&output);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("SERVICETITAN_CLIENT_SECRET"), "{err}");
    assert!(err.contains("SERVICETITAN_TENANT_ID"), "{err}");
}

fn profiles_file(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("servicetitan.json");
    let json = serde_json::json!({
        "SERVICETITAN_APP_KEY": APP_KEY,
        "profiles": {
            "acme": {"SERVICETITAN_CLIENT_ID": "cid.acme", "SERVICETITAN_CLIENT_SECRET": SECRET, "SERVICETITAN_TENANT_ID": 111},
            "acme-test": {"SERVICETITAN_CLIENT_ID": "cid.acme-test", "SERVICETITAN_CLIENT_SECRET": SECRET, "SERVICETITAN_TENANT_ID": 222,
                          "SERVICETITAN_API_ENVIRONMENT": "integration"}
        }
    });
    std::fs::write(&path, json.to_string()).unwrap();
    path
}

#[test]
fn profile_flag_and_variable_choose_the_section_and_the_report_names_it() {
    let dir = temp_dir();
    let file = profiles_file(dir.path());
    let output = st(dir.path())
        .args(["config", "check", "--profile", "acme-test", "--config-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(
        text.contains("cid.acme-test") && text.contains("222"),
        "{text}"
    );
    assert!(text.contains("[profile acme-test]"), "{text}");
    assert!(text.contains("integration"), "{text}");

    let output = st(dir.path())
        .args(["config", "check"])
        .env("ST_CONFIG_FILE", &file)
        .env("SERVICETITAN_PROFILE", "acme")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    assert!(text.contains("cid.acme ") && text.contains("111"), "{text}");
    assert!(text.contains("[profile acme]"), "{text}");
}

#[test]
fn unknown_profile_fails_and_lists_the_profiles() {
    let dir = temp_dir();
    let file = profiles_file(dir.path());
    let output = st(dir.path())
        .args(["config", "check", "--profile", "acme-tst", "--config-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = stderr_of(&output);
    assert!(err.contains("acme-test"), "suggests the closest: {err}");
}

#[test]
fn version_and_completions() {
    let dir = temp_dir();
    let output = st(dir.path()).arg("--version").output().unwrap();
    assert_eq!(
        stdout_of(&output).trim(),
        format!("st {}", env!("CARGO_PKG_VERSION"))
    );
    for shell in ["bash", "zsh", "fish"] {
        let output = st(dir.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success());
        let script = stdout_of(&output);
        assert!(
            script.contains("jobs-get-list"),
            "{shell}: operations completed"
        );
    }
}

/// Issue 24: `SERVICETITAN_REDIS_URL` is a setting like any other (shown masked, with its
/// source), and a Redis that does not answer stops `st` before any call, naming the URL masked.
#[test]
fn the_redis_url_is_shown_masked_and_an_unreachable_redis_stops_st_first() {
    let dir = temp_dir();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://:hunter2@127.0.0.1:{port}/0");
    let output = st(dir.path())
        .args(["config", "check"])
        .envs(good_env())
        .env("SERVICETITAN_REDIS_URL", &url)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    let row = text
        .lines()
        .find(|l| l.starts_with("SERVICETITAN_REDIS_URL"))
        .unwrap_or_else(|| panic!("no Redis row: {text}"));
    assert!(
        row.contains(&format!("redis://:****@127.0.0.1:{port}/0")),
        "{row}"
    );
    assert!(
        row.contains("environment") && !text.contains("hunter2"),
        "{text}"
    );
    let output = st(dir.path())
        .args(["--mock", "jpm", "jobs-get-list", "--page-size", "1"])
        .env("SERVICETITAN_REDIS_URL", &url)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = stderr_of(&output);
    assert!(
        err.contains(&format!("redis://:[REDACTED]@127.0.0.1:{port}/0"))
            && err.contains("unreachable"),
        "{err}"
    );
    assert!(
        !err.contains("hunter2") && stdout_of(&output).is_empty(),
        "{err}"
    );
}
