//! Reading each source as users write it (the seed's JSON file and `.env`), environments, base
//! URL overrides, timezones.

mod config_support;

use chrono_tz::Tz;
use config_support::*;
use secrecy::ExposeSecret;
use servicetitan_core::config::{
    Config, EnvSource, Environment, Key, Source, DEFAULT_TOKEN_REFRESH_MARGIN,
};

#[test]
fn seed_json_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "servicepytan_config.json", SEED_JSON);
    let config = Config::builder()
        .config_file(&file)
        .env_source(EnvSource::empty())
        .no_dotenv()
        .resolve()
        .unwrap();
    assert_eq!(config.client_id(), "cid.your_client_id_here");
    assert_eq!(
        config.client_secret().expose_secret(),
        "cs2.your_client_secret_here"
    );
    assert_eq!(config.app_key().expose_secret(), "ak1.your_app_key_here");
    assert_eq!(config.app_id(), Some("your_app_id_here"));
    assert_eq!(config.tenant_id(), 1234567890);
    assert_eq!(config.timezone(), Tz::America__New_York);
    assert_eq!(config.environment(), Environment::Production);
    assert_eq!(config.auth_url().as_str(), "https://auth.servicetitan.io/");
    assert_eq!(config.api_url().as_str(), "https://api.servicetitan.io/");
    assert!(!config.enterprise_hub());
    assert_eq!(config.token_refresh_margin(), DEFAULT_TOKEN_REFRESH_MARGIN);
    for key in Key::ALL.iter().copied() {
        let expected = match key {
            Key::AuthUrl | Key::ApiUrl | Key::EnterpriseHub | Key::RedisUrl => Source::Default,
            _ => Source::File(file.clone()),
        };
        assert_eq!(config.source(key), &expected, "{key}");
    }
    assert!(config.warnings().is_empty());
}

#[test]
fn from_file_reads_a_complete_file() {
    // `from_file` also reads the process environment, which can only fill gaps: the file is
    // complete, so the result is the file's whatever the environment holds.
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "st.json", SEED_JSON);
    let config = Config::from_file(&file).unwrap();
    assert_eq!(config.client_id(), "cid.your_client_id_here");
    assert_eq!(config.source(Key::TenantId), &Source::File(file));
}

#[test]
fn seed_dotenv_in_working_dir() {
    let dir = tempfile::tempdir().unwrap();
    let dotenv = write(dir.path(), ".env", SEED_DOTENV);
    let config = Config::builder()
        .working_dir(dir.path())
        .env_source(EnvSource::empty())
        .resolve()
        .unwrap();
    assert_eq!(config.tenant_id(), 1234567890);
    assert_eq!(config.timezone(), Tz::America__New_York);
    assert_eq!(
        config.source(Key::ClientId),
        &Source::DotEnv(dotenv.clone())
    );
    assert_eq!(config.source(Key::AppId), &Source::Default);
    let report = config.report();
    assert!(report
        .to_string()
        .contains(&format!(".env {}", dotenv.display())));
}

#[test]
fn real_environment_wins_over_dotenv() {
    let dir = tempfile::tempdir().unwrap();
    let dotenv = write(dir.path(), ".env", SEED_DOTENV);
    let config = Config::builder()
        .working_dir(dir.path())
        .env_source(EnvSource::from_map([("SERVICETITAN_TENANT_ID", "77")]))
        .resolve()
        .unwrap();
    assert_eq!(config.tenant_id(), 77);
    assert_eq!(config.source(Key::TenantId), &Source::Env);
    assert_eq!(config.source(Key::ClientId), &Source::DotEnv(dotenv));
}

#[test]
fn no_dotenv_ignores_the_working_dir_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".env", "SERVICETITAN_APP_ID=from-dotenv\n");
    let config = isolated(&[]).working_dir(dir.path()).resolve().unwrap();
    assert_eq!(config.app_id(), None);
}

#[test]
fn dotenv_syntax_quotes_comments_export_and_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let dotenv = write(
        dir.path(),
        "custom.env",
        "\u{feff}# a comment\n\
         export SERVICETITAN_CLIENT_ID=\"cid.quoted\"\n\
         SERVICETITAN_CLIENT_SECRET='cs2.single # not a comment'\n\
         SERVICETITAN_APP_KEY=ak1.plain # trailing comment\n\
         SERVICETITAN_TENANT_ID=8\n\
         SERVICETITAN_TENANT_ID=9\n\
         SERVICETITAN_TIMEZONE=\"America/New_York\"\n",
    );
    let config = Config::builder()
        .dotenv_path(&dotenv)
        .env_source(EnvSource::empty())
        .resolve()
        .unwrap();
    assert_eq!(config.client_id(), "cid.quoted");
    assert_eq!(
        config.client_secret().expose_secret(),
        "cs2.single # not a comment"
    );
    assert_eq!(config.app_key().expose_secret(), "ak1.plain");
    // As with `dotenvy::dotenv()`, the first definition of a variable wins.
    assert_eq!(config.tenant_id(), 8);
    assert_eq!(config.timezone(), Tz::America__New_York);
}

#[test]
fn relative_paths_are_taken_from_working_dir() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("conf")).unwrap();
    let file = write(
        &dir.path().join("conf"),
        "st.json",
        r#"{"SERVICETITAN_APP_ID": "a1"}"#,
    );
    let dotenv = write(dir.path(), "local.env", "SERVICETITAN_TIMEZONE=UTC\n");
    let config = isolated(&[])
        .working_dir(dir.path())
        .config_file("conf/st.json")
        .dotenv_path("local.env")
        .resolve()
        .unwrap();
    assert_eq!(config.source(Key::AppId), &Source::File(file));
    assert_eq!(config.source(Key::Timezone), &Source::DotEnv(dotenv));
}

#[test]
fn json_numbers_and_booleans_where_natural() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "st.json",
        r#"{"SERVICETITAN_TENANT_ID": 987, "SERVICETITAN_APP_ID": 55, "SERVICETITAN_ENTERPRISE_HUB": true}"#,
    );
    let config = isolated(&[]).config_file(&file).resolve().unwrap();
    assert_eq!(config.tenant_id(), 987);
    assert_eq!(config.app_id(), Some("55"));
    assert!(config.enterprise_hub());
}

#[test]
fn json_file_with_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "st.json", &format!("\u{feff}{SEED_JSON}"));
    let config = Config::builder()
        .config_file(&file)
        .env_source(EnvSource::empty())
        .no_dotenv()
        .resolve()
        .unwrap();
    assert_eq!(config.tenant_id(), 1234567890);
}

#[test]
fn integration_environment_selects_its_urls() {
    let config = isolated(&[("SERVICETITAN_API_ENVIRONMENT", "Integration")])
        .resolve()
        .unwrap();
    assert_eq!(config.environment(), Environment::Integration);
    assert_eq!(
        config.auth_url().as_str(),
        "https://auth-integration.servicetitan.io/"
    );
    assert_eq!(
        config.api_url().as_str(),
        "https://api-integration.servicetitan.io/"
    );
    let report = config.report();
    let row = report.get("SERVICETITAN_AUTH_URL").unwrap();
    assert_eq!(row.source, Source::Default);
    assert_eq!(row.note.as_deref(), Some("from environment integration"));
}

#[test]
fn environment_can_be_given_as_enum() {
    let config = isolated(&[])
        .environment(Environment::Integration)
        .resolve()
        .unwrap();
    assert_eq!(config.environment(), Environment::Integration);
    assert_eq!(config.source(Key::Environment), &Source::Builder);
}

#[test]
fn url_overrides_apply_independently() {
    // The local mock on loopback: only the API URL is overridden, auth stays the environment's.
    let config = isolated(&[("SERVICETITAN_API_URL", "http://127.0.0.1:4010/mock/")])
        .environment("integration")
        .resolve()
        .unwrap();
    assert_eq!(config.api_url().as_str(), "http://127.0.0.1:4010/mock/");
    assert_eq!(config.source(Key::ApiUrl), &Source::Env);
    assert_eq!(
        config.auth_url().as_str(),
        "https://auth-integration.servicetitan.io/"
    );

    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "st.json",
        r#"{"SERVICETITAN_AUTH_URL": "http://localhost:4011"}"#,
    );
    let config = isolated(&[]).config_file(&file).resolve().unwrap();
    assert_eq!(config.auth_url().as_str(), "http://localhost:4011/");
    assert_eq!(config.source(Key::AuthUrl), &Source::File(file));
}

#[test]
fn timezone_abbreviations_are_expanded_and_noted() {
    for (text, tz) in [
        ("EST", Tz::America__New_York),
        ("EDT", Tz::America__New_York),
        ("cst", Tz::America__Chicago),
        ("CDT", Tz::America__Chicago),
        ("MST", Tz::America__Denver),
        ("MDT", Tz::America__Denver),
        ("PST", Tz::America__Los_Angeles),
        ("PDT", Tz::America__Los_Angeles),
        ("UTC", Tz::UTC),
        ("GMT", Tz::UTC),
        ("Europe/London", Tz::Europe__London),
    ] {
        let config = isolated(&[]).timezone(text).resolve().unwrap();
        assert_eq!(config.timezone(), tz, "{text}");
    }
    let config = isolated(&[("SERVICETITAN_TIMEZONE", "EST")])
        .resolve()
        .unwrap();
    let report = config.report();
    let row = report.get("SERVICETITAN_TIMEZONE").unwrap();
    assert_eq!(row.value, "America/New_York");
    assert_eq!(row.note.as_deref(), Some("EST → America/New_York"));
}

#[test]
fn whitespace_is_trimmed_and_noted() {
    let config = isolated(&[
        ("SERVICETITAN_APP_ID", "  app-7\t"),
        ("SERVICETITAN_API_ENVIRONMENT", " integration "),
    ])
    .client_id(" cid.padded\n")
    .resolve()
    .unwrap();
    assert_eq!(config.client_id(), "cid.padded");
    assert_eq!(config.app_id(), Some("app-7"));
    assert_eq!(config.environment(), Environment::Integration);
    let report = config.report();
    for key in ["SERVICETITAN_CLIENT_ID", "SERVICETITAN_APP_ID"] {
        assert_eq!(
            report.get(key).unwrap().note.as_deref(),
            Some("surrounding whitespace trimmed"),
            "{key}"
        );
    }
}

#[test]
fn enterprise_hub_forms() {
    for (text, expected) in [
        ("true", true),
        ("TRUE", true),
        ("1", true),
        ("false", false),
        ("0", false),
    ] {
        let config = isolated(&[("SERVICETITAN_ENTERPRISE_HUB", text)])
            .resolve()
            .unwrap();
        assert_eq!(config.enterprise_hub(), expected, "{text}");
    }
    assert!(isolated(&[])
        .enterprise_hub(true)
        .resolve()
        .unwrap()
        .enterprise_hub());
}
