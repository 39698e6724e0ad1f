//! Every configuration error about a setting's value a person can run into (missing, invalid),
//! asserting that its message says what is wrong, where it came from and what would be
//! accepted. Errors about the files themselves are in `config_file_errors.rs`.

mod config_support;

use config_support::*;
use servicetitan_core::config::{Config, ConfigError, EnvSource, Key, Source};

// --- missing values -------------------------------------------------------------------------

#[test]
fn missing_client_id_names_the_variable_and_sources() {
    let (err, msg) = err_of(with_env(&complete_except("SERVICETITAN_CLIENT_ID")));
    assert!(matches!(
        err,
        ConfigError::Missing {
            key: Key::ClientId,
            ..
        }
    ));
    assert_eq!(err.key(), Some(Key::ClientId));
    assert_contains(
        &msg,
        &[
            "missing required setting SERVICETITAN_CLIENT_ID",
            "builder (ConfigBuilder::client_id)",
            "environment variable SERVICETITAN_CLIENT_ID",
            "case-sensitive",
        ],
    );
    assert!(!msg.contains(".env"), "no .env was consulted: {msg}");
}

#[test]
fn missing_value_lists_file_and_dotenv_paths() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "st.json", r#"{"SERVICETITAN_TENANT_ID": "1"}"#);
    let dotenv = write(dir.path(), "creds.env", "SERVICETITAN_APP_KEY=ak1.x\n");
    let (_, msg) = err_of(
        Config::builder()
            .config_file(&file)
            .dotenv_path(&dotenv)
            .env_source(EnvSource::from_map([CLIENT_ID, APP_KEY])),
    );
    assert_contains(
        &msg,
        &[
            "SERVICETITAN_CLIENT_SECRET",
            &format!("config file {}", file.display()),
            &format!(".env file {}", dotenv.display()),
            "environment variable SERVICETITAN_CLIENT_SECRET",
        ],
    );
}

#[test]
fn missing_value_mentions_absent_default_dotenv() {
    let dir = tempfile::tempdir().unwrap();
    let (_, msg) = err_of(
        Config::builder()
            .working_dir(dir.path())
            .env_source(EnvSource::from_map(complete_except("SERVICETITAN_APP_KEY"))),
    );
    let expected = format!(
        ".env file {} (does not exist)",
        dir.path().join(".env").display()
    );
    assert_contains(
        &msg,
        &["SERVICETITAN_APP_KEY", "application key", &expected],
    );
}

#[test]
fn missing_client_secret() {
    let (err, msg) = err_of(with_env(&complete_except("SERVICETITAN_CLIENT_SECRET")));
    assert_eq!(err.key(), Some(Key::ClientSecret));
    assert_contains(
        &msg,
        &["SERVICETITAN_CLIENT_SECRET", "ConfigBuilder::client_secret"],
    );
}

#[test]
fn missing_app_key() {
    let (_, msg) = err_of(with_env(&complete_except("SERVICETITAN_APP_KEY")));
    assert_contains(&msg, &["SERVICETITAN_APP_KEY", "ConfigBuilder::app_key"]);
}

#[test]
fn missing_tenant_id() {
    let (_, msg) = err_of(with_env(&complete_except("SERVICETITAN_TENANT_ID")));
    assert_contains(
        &msg,
        &["SERVICETITAN_TENANT_ID", "ConfigBuilder::tenant_id"],
    );
}

#[test]
fn all_missing_are_reported_together() {
    let (err, msg) = err_of(with_env(&[]));
    assert!(matches!(err, ConfigError::Multiple(ref errors) if errors.len() == 4));
    assert_eq!(err.errors().len(), 4);
    assert_contains(
        &msg,
        &[
            "4 configuration problems",
            "SERVICETITAN_CLIENT_ID",
            "SERVICETITAN_CLIENT_SECRET",
            "SERVICETITAN_APP_KEY",
            "SERVICETITAN_TENANT_ID",
        ],
    );
}

#[test]
fn empty_env_value_counts_as_missing_and_says_so() {
    let mut env = complete_except("SERVICETITAN_CLIENT_ID");
    env.push(("SERVICETITAN_CLIENT_ID", ""));
    let (err, msg) = err_of(with_env(&env));
    assert!(matches!(err, ConfigError::Missing { ref empty_in, .. } if empty_in == &[Source::Env]));
    assert_contains(
        &msg,
        &[
            "present but empty in environment",
            "empty values count as missing",
        ],
    );
}

#[test]
fn whitespace_only_file_value_counts_as_missing() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "st.json", r#"{"SERVICETITAN_APP_KEY": "   "}"#);
    let (_, msg) = err_of(with_env(&complete_except("SERVICETITAN_APP_KEY")).config_file(&file));
    assert_contains(
        &msg,
        &[
            "SERVICETITAN_APP_KEY",
            &format!("empty in config file {}", file.display()),
        ],
    );
}

#[test]
fn json_null_counts_as_missing() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "st.json", r#"{"SERVICETITAN_TENANT_ID": null}"#);
    let (err, msg) =
        err_of(with_env(&complete_except("SERVICETITAN_TENANT_ID")).config_file(&file));
    assert_eq!(err.key(), Some(Key::TenantId));
    assert_contains(
        &msg,
        &[
            "missing required setting SERVICETITAN_TENANT_ID",
            "present but empty",
        ],
    );
}

#[test]
fn misspelt_env_variable_is_suggested() {
    let mut env = complete_except("SERVICETITAN_CLIENT_ID");
    env.push(("SERVICETITAN_CLIENTID", "cid.typo"));
    let (_, msg) = err_of(with_env(&env));
    assert_contains(
        &msg,
        &[
            "found SERVICETITAN_CLIENTID in the environment",
            "did you mean SERVICETITAN_CLIENT_ID?",
        ],
    );
    assert!(!msg.contains("cid.typo"));
}

#[test]
fn wrong_case_in_dotenv_is_suggested() {
    let dir = tempfile::tempdir().unwrap();
    let dotenv = write(dir.path(), ".env", "servicetitan_tenant_id=42\n");
    let (_, msg) = err_of(Config::builder().working_dir(dir.path()).env_source(
        EnvSource::from_map(complete_except("SERVICETITAN_TENANT_ID")),
    ));
    assert_contains(
        &msg,
        &[
            &format!("found servicetitan_tenant_id in .env {}", dotenv.display()),
            "did you mean SERVICETITAN_TENANT_ID?",
        ],
    );
}

// --- invalid values --------------------------------------------------------------------------

#[test]
fn tenant_id_not_a_number_names_source() {
    let mut env = complete_except("SERVICETITAN_TENANT_ID");
    env.push(("SERVICETITAN_TENANT_ID", "acme-plumbing"));
    let (err, msg) = err_of(with_env(&env));
    assert!(matches!(
        err,
        ConfigError::InvalidTenantId {
            origin: Source::Env,
            ..
        }
    ));
    assert_contains(
        &msg,
        &[
            "SERVICETITAN_TENANT_ID from environment",
            "positive whole number",
            "\"acme-plumbing\"",
            "characters other than digits",
        ],
    );
}

#[test]
fn tenant_id_zero_from_builder() {
    let (_, msg) = err_of(with_env(&complete_except("SERVICETITAN_TENANT_ID")).tenant_id(0));
    assert_contains(
        &msg,
        &["SERVICETITAN_TENANT_ID from builder", "greater than zero"],
    );
}

#[test]
fn tenant_id_negative_in_file_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "st.json", r#"{"SERVICETITAN_TENANT_ID": -12}"#);
    let (_, msg) = err_of(with_env(&complete()).config_file(&file));
    assert_contains(
        &msg,
        &[
            &format!("SERVICETITAN_TENANT_ID from config file {}", file.display()),
            "greater than zero",
        ],
    );
}

#[test]
fn tenant_id_fraction_in_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "st.json", r#"{"SERVICETITAN_TENANT_ID": 12.5}"#);
    let (_, msg) = err_of(with_env(&complete()).config_file(&file));
    assert_contains(
        &msg,
        &[
            "SERVICETITAN_TENANT_ID",
            "\"12.5\"",
            "positive whole number",
        ],
    );
}

#[test]
fn tenant_id_too_large() {
    let mut env = complete_except("SERVICETITAN_TENANT_ID");
    env.push(("SERVICETITAN_TENANT_ID", "123456789012345678901234"));
    let (_, msg) = err_of(with_env(&env));
    assert_contains(&msg, &["too large"]);
}

#[test]
fn unknown_environment_lists_valid_ones() {
    let mut env = complete();
    env.push(("SERVICETITAN_API_ENVIRONMENT", "staging"));
    let (err, msg) = err_of(with_env(&env));
    assert!(matches!(err, ConfigError::UnknownEnvironment { .. }));
    assert_contains(
        &msg,
        &[
            "SERVICETITAN_API_ENVIRONMENT from environment",
            "\"staging\"",
            "valid values are: production, integration",
        ],
    );
    assert!(!msg.contains("did you mean"));
}

#[test]
fn abbreviated_environment_gets_a_suggestion() {
    let (_, msg) = err_of(with_env(&complete()).environment("prod"));
    assert_contains(&msg, &["from builder", "did you mean production?"]);
}

#[test]
fn unknown_timezone() {
    let mut env = complete();
    env.push(("SERVICETITAN_TIMEZONE", "Mars/Olympus_Mons_Base"));
    let (err, msg) = err_of(with_env(&env));
    assert!(matches!(
        err,
        ConfigError::UnknownTimezone {
            suggestion: None,
            ..
        }
    ));
    assert_contains(
        &msg,
        &[
            "SERVICETITAN_TIMEZONE from environment",
            "unknown timezone",
            "IANA name",
            "EST",
        ],
    );
}

#[test]
fn timezone_with_wrong_capitalisation_gets_a_suggestion() {
    let (_, msg) = err_of(with_env(&complete()).timezone("america/new_york"));
    assert_contains(&msg, &["did you mean America/New_York?"]);
}

#[test]
fn url_without_scheme() {
    let (err, msg) = err_of(with_env(&complete()).auth_url("localhost:8080"));
    assert!(matches!(
        err,
        ConfigError::InvalidUrl {
            key: Key::AuthUrl,
            ..
        }
    ));
    assert_contains(
        &msg,
        &[
            "SERVICETITAN_AUTH_URL from builder",
            "not http or https",
            "http://",
        ],
    );
}

#[test]
fn unparsable_url_from_dotenv_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let dotenv = write(
        dir.path(),
        ".env",
        "SERVICETITAN_API_URL=\"http://exa mple.com\"\n",
    );
    let (_, msg) = err_of(
        Config::builder()
            .working_dir(dir.path())
            .env_source(EnvSource::from_map(complete())),
    );
    assert_contains(
        &msg,
        &[
            &format!("SERVICETITAN_API_URL from .env {}", dotenv.display()),
            "not a valid base URL",
        ],
    );
}

#[test]
fn invalid_url_masks_its_password() {
    let (_, msg) = err_of(with_env(&complete()).api_url("http://user:hunter2@exa mple.com"));
    assert_contains(&msg, &["user:****@"]);
    assert!(!msg.contains("hunter2"), "{msg}");
}

#[test]
fn url_with_query() {
    let (_, msg) = err_of(with_env(&complete()).api_url("http://127.0.0.1:9/?tenant=1"));
    assert_contains(&msg, &["query or fragment"]);
}

#[test]
fn invalid_enterprise_hub_flag() {
    let mut env = complete();
    env.push(("SERVICETITAN_ENTERPRISE_HUB", "yes"));
    let (err, msg) = err_of(with_env(&env));
    assert!(matches!(
        err,
        ConfigError::InvalidBool {
            key: Key::EnterpriseHub,
            ..
        }
    ));
    assert_contains(
        &msg,
        &[
            "SERVICETITAN_ENTERPRISE_HUB from environment",
            "true, false, 1, 0",
            "\"yes\"",
        ],
    );
}

#[test]
fn several_field_errors_are_reported_together() {
    let mut env = complete_except("SERVICETITAN_CLIENT_SECRET");
    env.push(("SERVICETITAN_TIMEZONE", "Eastern"));
    let (err, msg) = err_of(with_env(&env).tenant_id(-1));
    assert_eq!(err.errors().len(), 3, "{msg}");
    assert_contains(
        &msg,
        &[
            "3 configuration problems",
            "SERVICETITAN_CLIENT_SECRET",
            "SERVICETITAN_TIMEZONE",
            "SERVICETITAN_TENANT_ID",
        ],
    );
}

#[test]
fn app_key_with_a_line_break_fails_naming_the_key_and_source() {
    let secret = "ak1.first-half\nsecond-half";
    let mut env = complete_except("SERVICETITAN_APP_KEY");
    env.push(("SERVICETITAN_APP_KEY", secret));
    let (err, msg) = err_of(with_env(&env));
    assert!(
        matches!(
            &err,
            ConfigError::InvalidHeaderValue {
                key: Key::AppKey,
                origin: Source::Env,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.key(), Some(Key::AppKey));
    assert_contains(
        &msg,
        &[
            "SERVICETITAN_APP_KEY from environment",
            "ST-App-Key header",
            "a line break (U+000A) at character 15",
        ],
    );
    assert!(
        !msg.contains("first-half") && !msg.contains("second-half"),
        "{msg}"
    );
    assert!(!format!("{err:?}").contains("second-half"));
}

#[test]
fn app_key_with_a_control_character_in_the_file_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "st.json",
        r#"{"SERVICETITAN_APP_KEY": "ak1.abc\u0007def"}"#,
    );
    let env = complete_except("SERVICETITAN_APP_KEY");
    let (_, msg) = err_of(with_env(&env).config_file(&file));
    assert_contains(
        &msg,
        &[
            &format!("SERVICETITAN_APP_KEY from config file {}", file.display()),
            "a control character (U+0007) at character 8",
        ],
    );
    // A line break at either end is only whitespace, trimmed like any other.
    let mut env = complete_except("SERVICETITAN_APP_KEY");
    env.push(("SERVICETITAN_APP_KEY", "ak1.abcdef\n"));
    let config = with_env(&env).resolve().unwrap();
    assert_eq!(config.source(Key::AppKey), &Source::Env);
}

#[test]
fn client_build_fails_on_an_app_key_that_cannot_be_a_header() {
    let mut env = complete_except("SERVICETITAN_APP_KEY");
    env.push(("SERVICETITAN_APP_KEY", "ak1.abc\r\ndef"));
    let err = servicetitan_core::Client::builder()
        .env_source(EnvSource::from_map(env))
        .no_dotenv()
        .build()
        .unwrap_err();
    let servicetitan_core::Error::Config(err) = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(err, ConfigError::InvalidHeaderValue { .. }),
        "{err:?}"
    );
}

// --- the error type itself -------------------------------------------------------------------

#[test]
fn errors_are_clone_and_std_errors() {
    let (err, msg) = err_of(with_env(&[]));
    let cloned = err.clone();
    assert_eq!(cloned.to_string(), msg);
    let boxed: Box<dyn std::error::Error + Send + Sync + 'static> = Box::new(err);
    assert!(boxed.to_string().contains("SERVICETITAN_CLIENT_ID"));
}

/// A variable of the real environment that is not UTF-8 (only the process environment can hold
/// one): checked in a child process, since tests must not change their own environment.
#[cfg(unix)]
#[test]
fn non_unicode_environment_variable() {
    use std::os::unix::ffi::OsStrExt;
    const CHILD: &str = "SERVICETITAN_CONFIG_TEST_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let (err, msg) = err_of(Config::builder().no_dotenv());
        assert!(
            matches!(
                err.errors()[0],
                ConfigError::NotUnicode {
                    key: Key::ClientId,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_contains(
            &msg,
            &["SERVICETITAN_CLIENT_ID from environment is not valid UTF-8"],
        );
        return;
    }
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", "non_unicode_environment_variable", "--nocapture"])
        .env(CHILD, "1")
        .env(
            "SERVICETITAN_CLIENT_ID",
            std::ffi::OsStr::from_bytes(b"cid.\xff\xfe"),
        );
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
