//! Profiles: named sections of the config file, one per tenant or environment, chosen in code
//! or by `SERVICETITAN_PROFILE`; per-field precedence builder > section > top level >
//! environment > `.env`, the report naming the section each value came from.

mod config_support;

use std::path::{Path, PathBuf};

use config_support::*;
use secrecy::ExposeSecret;
use servicetitan_core::config::{Config, ConfigError, EnvSource, Environment, Key, Source};

/// Two tenants sharing the app key at the top level; the second on the integration environment.
const PROFILES_JSON: &str = r#"{
  "SERVICETITAN_APP_KEY": "ak1.shared-app-key",
  "SERVICETITAN_TIMEZONE": "America/Chicago",
  "profiles": {
    "acme": {
      "SERVICETITAN_CLIENT_ID": "cid.acme",
      "SERVICETITAN_CLIENT_SECRET": "cs2.acme-secret",
      "SERVICETITAN_TENANT_ID": 111
    },
    "beta-test": {
      "SERVICETITAN_CLIENT_ID": "cid.beta",
      "SERVICETITAN_CLIENT_SECRET": "cs2.beta-secret",
      "SERVICETITAN_TENANT_ID": "222",
      "SERVICETITAN_API_ENVIRONMENT": "integration",
      "SERVICETITAN_TIMEZONE": "PST"
    }
  }
}"#;

fn profiles_file(dir: &Path) -> PathBuf {
    write(dir, "st.json", PROFILES_JSON)
}

fn section(file: &Path, profile: &str) -> Source {
    Source::Profile {
        path: file.to_owned(),
        profile: profile.to_owned(),
    }
}

#[test]
fn the_chosen_section_wins_over_the_top_level_which_is_its_default() {
    let dir = tempfile::tempdir().unwrap();
    let file = profiles_file(dir.path());
    let config = with_env(&[])
        .config_file(&file)
        .profile("beta-test")
        .resolve()
        .unwrap();
    assert_eq!(config.profile(), Some("beta-test"));
    assert_eq!(config.client_id(), "cid.beta");
    assert_eq!(config.tenant_id(), 222);
    assert_eq!(config.environment(), Environment::Integration);
    assert_eq!(config.timezone(), chrono_tz::Tz::America__Los_Angeles);
    assert_eq!(config.source(Key::TenantId), &section(&file, "beta-test"));
    assert_eq!(config.source(Key::Timezone), &section(&file, "beta-test"));
    // Not in the section: the top level applies.
    assert_eq!(config.app_key().expose_secret(), "ak1.shared-app-key");
    assert_eq!(config.source(Key::AppKey), &Source::File(file.clone()));

    let acme = with_env(&[])
        .config_file(&file)
        .profile("acme")
        .resolve()
        .unwrap();
    assert_eq!(acme.tenant_id(), 111);
    assert_eq!(acme.environment(), Environment::Production);
    assert_eq!(acme.timezone(), chrono_tz::Tz::America__Chicago);
    assert_eq!(acme.source(Key::Timezone), &Source::File(file));
}

#[test]
fn per_field_precedence_builder_section_top_level_env_dotenv() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "st.json",
        r#"{"SERVICETITAN_APP_ID": "top", "SERVICETITAN_TIMEZONE": "UTC",
            "profiles": {"p": {"SERVICETITAN_APP_ID": "section", "SERVICETITAN_TENANT_ID": 5}}}"#,
    );
    let dotenv = write(
        dir.path(),
        "st.env",
        "SERVICETITAN_API_ENVIRONMENT=integration\n",
    );
    let env = complete_except("SERVICETITAN_TENANT_ID");
    let resolve = |builder: servicetitan_core::config::ConfigBuilder| {
        builder
            .config_file(&file)
            .dotenv_path(&dotenv)
            .profile("p")
            .resolve()
            .unwrap()
    };
    let base = Config::builder().env_source(EnvSource::from_map(env.iter().copied()));
    let config = resolve(base.clone());
    assert_eq!(config.app_id(), Some("section"));
    assert_eq!(config.source(Key::AppId), &section(&file, "p"));
    assert_eq!(config.source(Key::Timezone), &Source::File(file.clone()));
    assert_eq!(config.source(Key::ClientId), &Source::Env);
    assert_eq!(
        config.source(Key::Environment),
        &Source::DotEnv(dotenv.clone())
    );
    let config = resolve(base.app_id("builder").tenant_id(9));
    assert_eq!(config.app_id(), Some("builder"));
    assert_eq!(config.tenant_id(), 9);
    assert_eq!(config.source(Key::TenantId), &Source::Builder);
}

#[test]
fn the_profile_can_come_from_the_environment_or_dotenv_and_the_builder_wins() {
    let dir = tempfile::tempdir().unwrap();
    let file = profiles_file(dir.path());
    let config = with_env(&[("SERVICETITAN_PROFILE", " acme ")])
        .config_file(&file)
        .resolve()
        .unwrap();
    assert_eq!(config.profile(), Some("acme"));
    assert_eq!(config.tenant_id(), 111);

    let dotenv = write(dir.path(), "st.env", "SERVICETITAN_PROFILE=beta-test\n");
    let config = Config::builder()
        .env_source(EnvSource::empty())
        .dotenv_path(&dotenv)
        .config_file(&file)
        .resolve()
        .unwrap();
    assert_eq!(config.tenant_id(), 222);
    let row = config
        .report()
        .get("SERVICETITAN_PROFILE")
        .cloned()
        .unwrap();
    assert_eq!(row.source, Source::DotEnv(dotenv));

    let config = with_env(&[("SERVICETITAN_PROFILE", "acme")])
        .config_file(&file)
        .profile("beta-test")
        .resolve()
        .unwrap();
    assert_eq!(config.profile(), Some("beta-test"));
}

#[test]
fn the_report_names_the_section_of_each_value() {
    let dir = tempfile::tempdir().unwrap();
    let file = profiles_file(dir.path());
    let config = with_env(&[])
        .config_file(&file)
        .profile("acme")
        .resolve()
        .unwrap();
    let report = config.report();
    let row = |key: &str| report.get(key).unwrap().source.to_string();
    let path = file.display();
    assert_eq!(
        row("SERVICETITAN_TENANT_ID"),
        format!("config file {path} [profile acme]")
    );
    assert_eq!(row("SERVICETITAN_APP_KEY"), format!("config file {path}"));
    assert_eq!(row("SERVICETITAN_PROFILE"), "builder");
    assert_eq!(report.get("SERVICETITAN_PROFILE").unwrap().value, "acme");
    assert!(report.to_string().contains("[profile acme]"));
    let json = serde_json::to_value(&report).unwrap();
    let tenant = &json["rows"][3];
    assert_eq!(tenant["key"], "SERVICETITAN_TENANT_ID");
    assert_eq!(tenant["source"]["kind"], "profile");
    assert_eq!(tenant["source"]["profile"], "acme");
    assert_eq!(tenant["source"]["path"], file.to_str().unwrap());
    // Without a profile there is no profile row: the report is as it always was.
    let plain = with_env(&complete()).resolve().unwrap();
    assert!(plain.report().get("SERVICETITAN_PROFILE").is_none());
}

#[test]
fn an_unknown_profile_lists_those_present_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let file = profiles_file(dir.path());
    let (err, msg) = err_of(with_env(&[("SERVICETITAN_PROFILE", "acmee")]).config_file(&file));
    let ConfigError::UnknownProfile {
        available, origin, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(available, &["acme", "beta-test"]);
    assert_eq!(origin, &Source::Env);
    assert_contains(
        &msg,
        &[
            "profile \"acmee\" (SERVICETITAN_PROFILE from environment)",
            &format!("is not in config file {}", file.display()),
            "its profiles are: acme, beta-test",
            "did you mean acme?",
        ],
    );
    let (_, msg) = err_of(with_env(&[]).config_file(&file).profile("zzz"));
    assert!(!msg.contains("did you mean"), "{msg}");

    let flat = write(dir.path(), "flat.json", "{}");
    let (_, msg) = err_of(with_env(&complete()).config_file(&flat).profile("acme"));
    assert_contains(&msg, &["the file has no profiles"]);
}

#[test]
fn a_profile_without_a_config_file_is_an_error() {
    let (err, msg) = err_of(with_env(&complete()).profile("acme"));
    assert!(
        matches!(err, ConfigError::ProfileWithoutFile { .. }),
        "{err:?}"
    );
    assert_contains(
        &msg,
        &[
            "profile \"acme\" (SERVICETITAN_PROFILE from builder)",
            "no config file is set",
        ],
    );
    // An empty choice is no choice.
    assert!(with_env(&complete()).profile("  ").resolve().is_ok());
}

#[test]
fn with_no_profile_chosen_sections_are_not_read_and_a_missing_value_points_at_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = profiles_file(dir.path());
    let (err, msg) = err_of(with_env(&[]).config_file(&file));
    let missing = err
        .errors()
        .iter()
        .find(|e| e.key() == Some(Key::TenantId))
        .unwrap();
    assert!(matches!(missing, ConfigError::Missing { .. }));
    assert_contains(
        &msg,
        &["has it in profile acme, beta-test — choose one with ConfigBuilder::profile or SERVICETITAN_PROFILE"],
    );
    // Chosen, but the section lacks a required key: the section is listed among the places.
    let file = write(dir.path(), "thin.json", r#"{"profiles": {"thin": {}}}"#);
    let env = complete_except("SERVICETITAN_CLIENT_ID");
    let (_, msg) = err_of(with_env(&env).config_file(&file).profile("thin"));
    assert_contains(
        &msg,
        &[&format!(
            "checked: builder (ConfigBuilder::client_id), config file {0} [profile thin], config file {0}, environment variable",
            file.display()
        )],
    );
}

#[test]
fn mistakes_inside_a_section_name_the_section_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "st.json",
        "{\n  \"profiles\": {\n    \"acme\": {\n      \"SERVICETITAN_TENNANT_ID\": 1,\n      \"SERVICETITAN_CLIENT_ID\": [],\n      \"SERVICETITAN_APP_ID\": \"a\",\n      \"SERVICETITAN_APP_ID\": \"b\"\n    }\n  }\n}\n",
    );
    let (err, msg) = err_of(with_env(&complete()).config_file(&file));
    assert_eq!(err.errors().len(), 3, "{msg}");
    assert_contains(
        &msg,
        &[
            "[profile acme] has unknown key: \"SERVICETITAN_TENNANT_ID\" (line 4) — did you mean SERVICETITAN_TENANT_ID?",
            "[profile acme]: SERVICETITAN_CLIENT_ID must be a string, found an array",
            "[profile acme]: key \"SERVICETITAN_APP_ID\" appears more than once (lines 6, 7)",
        ],
    );
}

#[test]
fn profiles_must_be_objects() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "a.json", r#"{"profiles": ["acme"]}"#);
    let (err, msg) = err_of(with_env(&complete()).config_file(&file));
    assert!(matches!(
        err,
        ConfigError::InvalidProfiles { profile: None, .. }
    ));
    assert_contains(
        &msg,
        &[
            "\"profiles\" must be an object of named sections",
            "found an array",
        ],
    );
    let file = write(dir.path(), "b.json", r#"{"profiles": {"acme": "cid.x"}}"#);
    let (_, msg) = err_of(with_env(&complete()).config_file(&file));
    assert_contains(
        &msg,
        &[
            "profile \"acme\" must be an object of settings",
            "found a string",
        ],
    );
    let file = write(
        dir.path(),
        "c.json",
        r#"{"profiles": {"acme": {}, "acme": {}}}"#,
    );
    let (_, msg) = err_of(with_env(&complete()).config_file(&file));
    assert_contains(&msg, &["key \"profiles.acme\" appears more than once"]);
}

#[test]
fn misspelt_profile_variable_is_warned_about() {
    let config = with_env(&[
        config_support::CLIENT_ID,
        config_support::CLIENT_SECRET,
        config_support::APP_KEY,
        config_support::TENANT_ID,
        ("SERVICETITAN_PROFIL", "acme"),
    ])
    .resolve()
    .unwrap();
    assert!(
        config
            .warnings()
            .iter()
            .any(|w| w.contains("SERVICETITAN_PROFIL (in the environment) is not a ServiceTitan setting; did you mean SERVICETITAN_PROFILE?")),
        "{:?}",
        config.warnings()
    );
}

#[test]
fn the_client_builder_takes_a_profile() {
    let dir = tempfile::tempdir().unwrap();
    let file = profiles_file(dir.path());
    let client = servicetitan_core::Client::builder()
        .env_source(EnvSource::empty())
        .no_dotenv()
        .config_file(&file)
        .profile("beta-test")
        .build()
        .unwrap();
    assert_eq!(client.tenant_id(), 222);
    assert_eq!(
        client.config().api_url().as_str(),
        "https://api-integration.servicetitan.io/"
    );
}
