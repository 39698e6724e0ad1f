//! The report of a resolved configuration, warnings, per-tenant copies, builder reuse and the
//! process defaults.

mod config_support;

use std::time::Duration;

use chrono_tz::Tz;
use config_support::*;
use secrecy::ExposeSecret;
use servicetitan_core::config::{Config, EnvSource, Key, Source};

#[test]
fn report_table_lists_every_setting() {
    let config = isolated(&[]).app_id("app-1").resolve().unwrap();
    let report = config.report();
    assert_eq!(report.rows().len(), Key::ALL.len() + 1);
    let table = report.to_string();
    let mut lines = table.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("KEY") && header.contains("VALUE") && header.contains("SOURCE"));
    assert!(lines.next().unwrap().starts_with("---"));
    for key in Key::ALL.iter().copied() {
        assert!(table.contains(key.name()), "{key} missing from\n{table}");
    }
    let line = |key: &str| {
        table
            .lines()
            .find(|l| l.starts_with(key))
            .unwrap()
            .to_owned()
    };
    assert!(line("SERVICETITAN_CLIENT_ID ").contains("cid.env"));
    assert!(line("SERVICETITAN_CLIENT_ID ").contains("environment"));
    assert!(line("SERVICETITAN_APP_ID ").contains("builder"));
    assert!(line("SERVICETITAN_TIMEZONE ").contains("default"));
    assert!(line("token_refresh_margin").contains("60s"));
    // Display of the config is the same table.
    assert_eq!(config.to_string(), table);
}

#[test]
fn misspelt_variables_are_warned_about_but_do_not_fail() {
    let config = isolated(&[
        ("SERVICETITAN_TIMEZNOE", "EST"),
        ("SERVICETITAN_WEBHOOK_TOKEN", "x"),
    ])
    .resolve()
    .unwrap();
    assert_eq!(config.timezone(), Tz::UTC);
    assert_eq!(
        config.warnings(),
        ["SERVICETITAN_TIMEZNOE (in the environment) is not a ServiceTitan setting; did you mean SERVICETITAN_TIMEZONE?"]
    );
    let table = config.report().to_string();
    assert!(table.contains("warning: SERVICETITAN_TIMEZNOE"), "{table}");
    assert!(!table.contains("WEBHOOK"));
}

#[test]
fn with_tenant_keeps_credentials() {
    let config = isolated(&[])
        .enterprise_hub(true)
        .token_refresh_margin(Duration::from_secs(30))
        .resolve()
        .unwrap();
    let other = config.with_tenant(2024);
    assert_eq!(other.tenant_id(), 2024);
    assert_eq!(config.tenant_id(), 11, "the original is unchanged");
    assert_eq!(other.client_id(), config.client_id());
    assert_eq!(
        other.client_secret().expose_secret(),
        config.client_secret().expose_secret()
    );
    assert_eq!(
        other.app_key().expose_secret(),
        config.app_key().expose_secret()
    );
    assert!(other.enterprise_hub());
    assert_eq!(other.token_refresh_margin(), Duration::from_secs(30));
    assert_eq!(other.source(Key::TenantId), &Source::Builder);
    assert_eq!(other.source(Key::ClientId), &Source::Env);
}

#[test]
fn builder_is_reusable_and_clonable() {
    let base = isolated(&[]).app_id("shared");
    let a = base.clone().tenant_id(1).resolve().unwrap();
    let b = base.tenant_id(2).resolve().unwrap();
    assert_eq!((a.tenant_id(), b.tenant_id()), (1, 2));
    assert_eq!(a.app_id(), b.app_id());
}

#[test]
fn env_sources() {
    assert!(EnvSource::default().is_process());
    assert!(EnvSource::process().is_process());
    assert!(!EnvSource::empty().is_process());
    let collected: EnvSource = required_env().into_iter().collect();
    let config = Config::builder()
        .env_source(collected)
        .no_dotenv()
        .resolve()
        .unwrap();
    assert_eq!(config.tenant_id(), 11);
}

#[test]
fn source_display() {
    assert_eq!(Source::Builder.to_string(), "builder");
    assert_eq!(Source::Env.to_string(), "environment");
    assert_eq!(Source::Default.to_string(), "default");
    assert_eq!(
        Source::File("/x/st.json".into()).to_string(),
        "config file /x/st.json"
    );
    assert_eq!(Source::DotEnv("/x/.env".into()).to_string(), ".env /x/.env");
}

#[test]
fn margin_as_long_as_the_token_lifetime_is_warned_about() {
    let config = isolated(&[])
        .token_refresh_margin(Duration::from_secs(900))
        .resolve()
        .unwrap();
    assert_eq!(config.token_refresh_margin(), Duration::from_secs(900));
    assert_eq!(config.warnings().len(), 1);
    assert!(config.warnings()[0].contains("900s token lifetime"));
    let fine = isolated(&[])
        .token_refresh_margin(Duration::from_secs(120))
        .resolve()
        .unwrap();
    assert!(fine.warnings().is_empty());
}

/// `Config::from_env` and `from_file` read the real process environment and `./.env`. Tests may
/// not change their own environment (tests run in parallel), so this one re-runs itself as a
/// child process with a prepared environment and working directory, and checks there.
#[test]
fn defaults_read_the_process_environment_and_dot_env_in_the_current_directory() {
    const CHILD: &str = "SERVICETITAN_CONFIG_TEST_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let cwd = std::env::current_dir().unwrap();
        let config = Config::from_env().unwrap();
        // From the real environment, which wins over ./.env …
        assert_eq!(config.client_id(), "cid.process");
        assert_eq!(config.source(Key::ClientId), &Source::Env);
        // … and from ./.env for what the environment lacks.
        assert_eq!(config.tenant_id(), 31);
        assert_eq!(
            config.source(Key::TenantId),
            &Source::DotEnv(cwd.join(".env"))
        );
        // The .env was parsed, not exported.
        assert!(std::env::var_os("SERVICETITAN_TENANT_ID").is_none());

        let file = write(&cwd, "st.json", r#"{"SERVICETITAN_CLIENT_ID": "cid.file"}"#);
        let config = Config::from_file(&file).unwrap();
        assert_eq!(config.client_id(), "cid.file");
        assert_eq!(config.source(Key::AppKey), &Source::Env);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".env",
        "SERVICETITAN_CLIENT_ID=cid.dotenv\nSERVICETITAN_TENANT_ID=31\n",
    );
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            "defaults_read_the_process_environment_and_dot_env_in_the_current_directory",
            "--nocapture",
        ])
        .current_dir(dir.path())
        .env(CHILD, "1")
        .env("SERVICETITAN_CLIENT_ID", "cid.process")
        .env("SERVICETITAN_CLIENT_SECRET", "cs2.process")
        .env("SERVICETITAN_APP_KEY", "ak1.process");
    // Whatever ServiceTitan settings the developer's shell has must not leak into the child.
    for key in Key::ALL {
        if ![
            "SERVICETITAN_CLIENT_ID",
            "SERVICETITAN_CLIENT_SECRET",
            "SERVICETITAN_APP_KEY",
        ]
        .contains(&key.name())
        {
            command.env_remove(key.name());
        }
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("1 passed"),
        "the child ran no test:\n{stdout}"
    );
}

#[test]
fn quoted_values_outside_dotenv_are_warned_about() {
    let config = isolated(&[("SERVICETITAN_APP_ID", "\"app-1\"")])
        .resolve()
        .unwrap();
    // Kept as given (quotes may belong to a value), but flagged.
    assert_eq!(config.app_id(), Some("\"app-1\""));
    assert_eq!(
        config.warnings(),
        ["SERVICETITAN_APP_ID from environment is wrapped in quotes, which are kept as part of the value; remove them unless they belong to it"]
    );
    // In .env, quotes are syntax and dotenvy removes them: nothing to warn about.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", "SERVICETITAN_APP_ID=\"app-2\"\n");
    let config = isolated(&[])
        .working_dir(dir.path())
        .dotenv_path(".env")
        .resolve()
        .unwrap();
    assert_eq!(config.app_id(), Some("app-2"));
    assert!(config.warnings().is_empty());
}

#[test]
fn report_serializes_for_machine_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "st.json", r#"{"SERVICETITAN_APP_ID": "a"}"#);
    let report = isolated(&[]).config_file(&file).resolve().unwrap().report();
    let json = serde_json::to_value(&report).unwrap();
    let rows = json["rows"].as_array().unwrap();
    let row = |key: &str| rows.iter().find(|r| r["key"] == key).unwrap().clone();
    assert_eq!(
        row("SERVICETITAN_APP_ID")["source"],
        serde_json::json!({"kind": "file", "path": file})
    );
    assert_eq!(
        row("SERVICETITAN_CLIENT_ID")["source"],
        serde_json::json!({"kind": "env"})
    );
    assert_eq!(
        row("SERVICETITAN_TIMEZONE")["source"],
        serde_json::json!({"kind": "default"})
    );
    assert_eq!(row("SERVICETITAN_APP_KEY")["value"], "********");
    assert_eq!(json["warnings"], serde_json::json!([]));
}

#[test]
fn broken_default_dotenv_is_skipped_with_a_warning() {
    // A ./.env written for docker compose (unquoted spaces) must not stop a program that is
    // configured by other means.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", "GREETING=hello world\n");
    let config = Config::builder()
        .env_source(EnvSource::from_map(required_env()))
        .working_dir(dir.path())
        .resolve()
        .unwrap();
    assert_eq!(config.tenant_id(), 11);
    assert_eq!(config.warnings().len(), 1);
    assert!(
        config.warnings()[0].starts_with(&format!(
            "ignoring .env file {}",
            dir.path().join(".env").display()
        )),
        "{:?}",
        config.warnings()
    );
}
