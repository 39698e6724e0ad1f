//! Errors about the configuration files themselves: the JSON file (syntax, unknown keys, types,
//! duplicates) and the `.env` file, each naming the path, line and key.

mod config_support;

use config_support::*;
use servicetitan_core::config::{Config, ConfigError, EnvSource, Key};

// --- the JSON file ---------------------------------------------------------------------------

#[test]
fn config_file_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.json");
    let (err, msg) = err_of(with_env(&complete()).config_file(&path));
    assert!(matches!(err, ConfigError::FileNotFound { .. }));
    assert_contains(&msg, &[&path.display().to_string(), "not found"]);
}

#[test]
fn relative_config_file_is_taken_from_working_dir() {
    let dir = tempfile::tempdir().unwrap();
    let (_, msg) = err_of(
        with_env(&complete())
            .working_dir(dir.path())
            .config_file("nope.json"),
    );
    assert_contains(
        &msg,
        &[
            &dir.path().join("nope.json").display().to_string(),
            "not found",
        ],
    );
}

#[test]
fn config_file_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    // A directory exists but cannot be read as a file.
    let (err, msg) = err_of(with_env(&complete()).config_file(dir.path()));
    assert!(matches!(err, ConfigError::FileRead { .. }));
    assert_contains(
        &msg,
        &[&dir.path().display().to_string(), "could not be read"],
    );
}

#[test]
fn invalid_json_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "st.json",
        "{\n  \"SERVICETITAN_CLIENT_ID\": \"cid.x\"\n  \"SERVICETITAN_TENANT_ID\": \"1\"\n}\n",
    );
    let (err, msg) = err_of(with_env(&complete()).config_file(&file));
    assert!(
        matches!(err, ConfigError::FileSyntax { line: 3, .. }),
        "{err:?}"
    );
    assert_contains(
        &msg,
        &[
            &file.display().to_string(),
            "not valid JSON at line 3, column 3",
            "expected",
        ],
    );
}

#[test]
fn empty_json_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "st.json", "");
    let (_, msg) = err_of(with_env(&complete()).config_file(&file));
    assert_contains(&msg, &["not valid JSON at line 1", "EOF"]);
}

#[test]
fn json_file_must_be_an_object() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "st.json", r#"["SERVICETITAN_CLIENT_ID"]"#);
    let (_, msg) = err_of(with_env(&complete()).config_file(&file));
    assert_contains(&msg, &["must contain a JSON object", "found an array"]);
}

#[test]
fn unknown_key_is_a_likely_typo() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "st.json",
        "{\n  \"SERVICETITAN_CLIENTID\": \"cid.x\"\n}\n",
    );
    let (err, msg) = err_of(with_env(&complete()).config_file(&file));
    let ConfigError::UnknownFileKeys { keys, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(keys[0].suggestion, Some(Key::ClientId));
    assert_eq!(keys[0].line, Some(2));
    assert_contains(
        &msg,
        &[
            &file.display().to_string(),
            "unknown key",
            "\"SERVICETITAN_CLIENTID\" (line 2)",
            "did you mean SERVICETITAN_CLIENT_ID?",
        ],
    );
}

#[test]
fn every_unknown_key_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "st.json",
        r#"{"servicetitan_app_key": "x", "TENANT_ID": 1, "comment": "mine"}"#,
    );
    let (_, msg) = err_of(with_env(&complete()).config_file(&file));
    assert_contains(
        &msg,
        &[
            "unknown keys",
            "did you mean SERVICETITAN_APP_KEY?",
            "did you mean SERVICETITAN_TENANT_ID?",
            "\"comment\"",
            // No close match: the known keys are listed instead.
            "known keys are SERVICETITAN_CLIENT_ID",
        ],
    );
}

#[test]
fn object_value_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "st.json",
        r#"{"SERVICETITAN_CLIENT_ID": {"value": "cid.x"}}"#,
    );
    let (err, msg) = err_of(with_env(&complete()).config_file(&file));
    assert!(matches!(
        err,
        ConfigError::InvalidFileValue {
            key: Key::ClientId,
            ..
        }
    ));
    assert_contains(
        &msg,
        &["SERVICETITAN_CLIENT_ID must be a string, found an object"],
    );
}

#[test]
fn array_tenant_id_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "st.json", r#"{"SERVICETITAN_TENANT_ID": [1]}"#);
    let (_, msg) = err_of(with_env(&complete()).config_file(&file));
    assert_contains(
        &msg,
        &["SERVICETITAN_TENANT_ID must be a string or a whole number, found an array"],
    );
}

#[test]
fn numeric_secret_is_rejected_without_showing_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "st.json",
        r#"{"SERVICETITAN_CLIENT_SECRET": 987654321}"#,
    );
    let (_, msg) = err_of(with_env(&complete()).config_file(&file));
    assert_contains(
        &msg,
        &["SERVICETITAN_CLIENT_SECRET must be a string, found a number"],
    );
    assert!(!msg.contains("987654321"));
}

#[test]
fn unknown_keys_and_bad_types_are_reported_together() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "st.json",
        r#"{"SERVICETITAN_TENANTID": "1", "SERVICETITAN_ENTERPRISE_HUB": "yes", "SERVICETITAN_TIMEZONE": 5}"#,
    );
    let (err, msg) = err_of(with_env(&complete()).config_file(&file));
    // File-level problems come first and stop resolution; the bad bool is a value problem and is
    // reported once the file is fixed.
    assert_eq!(err.errors().len(), 2, "{msg}");
    assert_contains(
        &msg,
        &[
            "SERVICETITAN_TENANT_ID?",
            "SERVICETITAN_TIMEZONE must be a string",
        ],
    );
}

#[test]
fn duplicate_key_in_file_names_both_lines() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "st.json",
        "{\n  \"SERVICETITAN_TENANT_ID\": \"1\",\n  \"SERVICETITAN_APP_ID\": \"a\",\n  \"SERVICETITAN_TENANT_ID\": \"2\"\n}\n",
    );
    let (err, msg) = err_of(with_env(&complete()).config_file(&file));
    assert!(matches!(err, ConfigError::DuplicateFileKey { ref lines, .. } if lines == &[2, 4]));
    assert_contains(
        &msg,
        &[
            &file.display().to_string(),
            "\"SERVICETITAN_TENANT_ID\" appears more than once",
            "lines 2, 4",
        ],
    );
}

// --- the .env file ---------------------------------------------------------------------------

#[test]
fn explicit_dotenv_path_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prod.env");
    let (err, msg) = err_of(
        Config::builder()
            .env_source(EnvSource::from_map(complete()))
            .dotenv_path(&path),
    );
    assert!(matches!(err, ConfigError::DotEnvNotFound { .. }));
    assert_contains(
        &msg,
        &[&path.display().to_string(), "not found", "dotenv_path"],
    );
}

#[test]
fn dotenv_syntax_error_gives_line_and_variable_but_not_the_value() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".env",
        "# credentials\nSERVICETITAN_CLIENT_ID=cid.x\nSERVICETITAN_CLIENT_SECRET='cs2.unterminated-secret\n",
    );
    let (err, msg) = err_of(
        Config::builder()
            .dotenv_path(dir.path().join(".env"))
            .env_source(EnvSource::from_map(complete())),
    );
    assert!(matches!(err, ConfigError::DotEnvSyntax { .. }), "{err:?}");
    assert_contains(
        &msg,
        &[
            &dir.path().join(".env").display().to_string(),
            "syntax error on line 3",
            "variable SERVICETITAN_CLIENT_SECRET",
        ],
    );
    assert!(!msg.contains("unterminated-secret"), "{msg}");
    assert!(!format!("{err:?}").contains("unterminated-secret"));
}

#[test]
fn dotenv_unquoted_space_points_at_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let dotenv = write(
        dir.path(),
        ".env",
        "\nSERVICETITAN_TIMEZONE=America/New York\n",
    );
    let (err, msg) = err_of(
        Config::builder()
            .dotenv_path(&dotenv)
            .env_source(EnvSource::from_map(complete())),
    );
    assert!(
        matches!(
            err,
            ConfigError::DotEnvSyntax {
                line: Some(2),
                column: 35,
                ..
            }
        ),
        "{err:?}"
    );
    assert_contains(
        &msg,
        &[
            "line 2",
            "variable SERVICETITAN_TIMEZONE",
            "column 35",
            "quote values that contain spaces",
        ],
    );
}

#[test]
fn broken_default_dotenv_is_named_when_a_value_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".env",
        "GREETING=hello world\nSERVICETITAN_TENANT_ID=5\n",
    );
    let (err, msg) = err_of(Config::builder().working_dir(dir.path()).env_source(
        EnvSource::from_map(complete_except("SERVICETITAN_TENANT_ID")),
    ));
    assert!(
        matches!(
            err,
            ConfigError::Missing {
                key: Key::TenantId,
                ..
            }
        ),
        "{err:?}"
    );
    assert_contains(
        &msg,
        &[
            "missing required setting SERVICETITAN_TENANT_ID",
            &format!(
                "skipped .env file {} has a syntax error on line 1",
                dir.path().join(".env").display()
            ),
            "variable GREETING",
        ],
    );
}

#[test]
fn dotenv_that_is_a_directory_is_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let (err, msg) = err_of(
        Config::builder()
            .env_source(EnvSource::from_map(complete()))
            .dotenv_path(dir.path()),
    );
    assert!(matches!(err, ConfigError::DotEnvRead { .. }), "{err:?}");
    assert_contains(
        &msg,
        &[&dir.path().display().to_string(), "could not be read"],
    );
}
