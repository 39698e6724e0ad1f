//! The precedence matrix: for every setting, every combination of the four sources (builder,
//! JSON file, environment, `.env`) — the highest-priority source that has the value wins, and the
//! configuration reports that source.

use std::path::{Path, PathBuf};

use secrecy::ExposeSecret;
use servicetitan_core::config::{Config, ConfigBuilder, ConfigError, EnvSource, Key, Source};

#[derive(Clone, Copy, PartialEq, Debug)]
enum Layer {
    Builder,
    File,
    Env,
    DotEnv,
}
const LAYERS: [Layer; 4] = [Layer::Builder, Layer::File, Layer::Env, Layer::DotEnv];

/// What the matrix needs to know about one setting.
struct Case {
    key: Key,
    /// The value each layer provides, in `LAYERS` order; distinct so the winner is visible.
    values: [&'static str; 4],
    /// Sets the value on the builder.
    set: fn(ConfigBuilder, &str) -> ConfigBuilder,
    /// Reads the resolved value back as text.
    get: fn(&Config) -> String,
    /// The resolved text when no layer provides it (`None`: the key is required).
    default: Option<&'static str>,
    /// The resolved text of each layer's value (`values` after parsing).
    resolved: [&'static str; 4],
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            key: Key::ClientId,
            values: ["cid.builder", "cid.file", "cid.env", "cid.dotenv"],
            set: |b, v| b.client_id(v),
            get: |c| c.client_id().to_owned(),
            default: None,
            resolved: ["cid.builder", "cid.file", "cid.env", "cid.dotenv"],
        },
        Case {
            key: Key::ClientSecret,
            values: ["cs2.builder", "cs2.file", "cs2.env", "cs2.dotenv"],
            set: |b, v| b.client_secret(v),
            get: |c| c.client_secret().expose_secret().to_owned(),
            default: None,
            resolved: ["cs2.builder", "cs2.file", "cs2.env", "cs2.dotenv"],
        },
        Case {
            key: Key::AppKey,
            values: ["ak1.builder", "ak1.file", "ak1.env", "ak1.dotenv"],
            set: |b, v| b.app_key(v),
            get: |c| c.app_key().expose_secret().to_owned(),
            default: None,
            resolved: ["ak1.builder", "ak1.file", "ak1.env", "ak1.dotenv"],
        },
        Case {
            key: Key::TenantId,
            values: ["101", "202", "303", "404"],
            set: |b, v| b.tenant_id(v.parse().unwrap()),
            get: |c| c.tenant_id().to_string(),
            default: None,
            resolved: ["101", "202", "303", "404"],
        },
        Case {
            key: Key::AppId,
            values: ["app-builder", "app-file", "app-env", "app-dotenv"],
            set: |b, v| b.app_id(v),
            get: |c| c.app_id().unwrap_or("<none>").to_owned(),
            default: Some("<none>"),
            resolved: ["app-builder", "app-file", "app-env", "app-dotenv"],
        },
        Case {
            key: Key::Timezone,
            values: ["America/New_York", "CST", "America/Denver", "PDT"],
            set: |b, v| b.timezone(v),
            get: |c| c.timezone().name().to_owned(),
            default: Some("UTC"),
            resolved: [
                "America/New_York",
                "America/Chicago",
                "America/Denver",
                "America/Los_Angeles",
            ],
        },
        Case {
            key: Key::Environment,
            // Only two environments exist: alternate them so each layer differs from the next.
            values: ["integration", "Production", "INTEGRATION", "production"],
            set: |b, v| b.environment(v),
            get: |c| c.environment().to_string(),
            default: Some("production"),
            resolved: ["integration", "production", "integration", "production"],
        },
        Case {
            key: Key::AuthUrl,
            values: [
                "http://auth-builder.test",
                "http://auth-file.test",
                "http://auth-env.test",
                "http://auth-dotenv.test",
            ],
            set: |b, v| b.auth_url(v),
            get: |c| c.auth_url().to_string(),
            default: Some("https://auth.servicetitan.io/"),
            resolved: [
                "http://auth-builder.test/",
                "http://auth-file.test/",
                "http://auth-env.test/",
                "http://auth-dotenv.test/",
            ],
        },
        Case {
            key: Key::ApiUrl,
            values: [
                "http://127.0.0.1:1/",
                "http://127.0.0.1:2/",
                "http://127.0.0.1:3/",
                "http://127.0.0.1:4/",
            ],
            set: |b, v| b.api_url(v),
            get: |c| c.api_url().to_string(),
            default: Some("https://api.servicetitan.io/"),
            resolved: [
                "http://127.0.0.1:1/",
                "http://127.0.0.1:2/",
                "http://127.0.0.1:3/",
                "http://127.0.0.1:4/",
            ],
        },
        Case {
            key: Key::EnterpriseHub,
            values: ["true", "0", "1", "false"],
            set: |b, v| b.enterprise_hub(v == "true"),
            get: |c| c.enterprise_hub().to_string(),
            default: Some("false"),
            resolved: ["true", "false", "true", "false"],
        },
    ]
}

/// The required settings other than `except`, provided from the environment so they never mask
/// the setting under test.
fn other_required(except: Key) -> Vec<(&'static str, &'static str)> {
    [
        (Key::ClientId, "cid.base"),
        (Key::ClientSecret, "cs2.base"),
        (Key::AppKey, "ak1.base"),
        (Key::TenantId, "999"),
    ]
    .into_iter()
    .filter(|(k, _)| *k != except)
    .map(|(k, v)| (k.name(), v))
    .collect()
}

fn expected_source(layer: Layer, file: &Path, dotenv: &Path) -> Source {
    match layer {
        Layer::Builder => Source::Builder,
        Layer::File => Source::File(file.to_owned()),
        Layer::Env => Source::Env,
        Layer::DotEnv => Source::DotEnv(dotenv.to_owned()),
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn every_field_every_combination_of_sources() {
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for case in cases() {
        for mask in 0u8..16 {
            let present: Vec<Layer> = LAYERS
                .into_iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, l)| l)
                .collect();
            let value_of =
                |layer: Layer| case.values[LAYERS.iter().position(|l| *l == layer).unwrap()];

            let sub = dir.path().join(format!("{}-{mask}", case.key.name()));
            std::fs::create_dir(&sub).unwrap();
            // Always a file and a .env, so the absent layers are present-but-silent on this key.
            let mut json = serde_json::Map::new();
            let mut dotenv = String::from("# other tools' settings\nUNRELATED=1\n");
            let mut env = other_required(case.key);
            let mut builder = Config::builder();
            for layer in &present {
                let value = value_of(*layer);
                match layer {
                    Layer::Builder => builder = (case.set)(builder, value),
                    Layer::File => {
                        json.insert(case.key.name().into(), value.into());
                    }
                    Layer::Env => env.push((case.key.name(), value)),
                    Layer::DotEnv => dotenv.push_str(&format!("{}={value}\n", case.key.name())),
                }
            }
            let file = write(
                &sub,
                "servicetitan.json",
                &serde_json::to_string_pretty(&json).unwrap(),
            );
            let dotenv_path = write(&sub, ".env", &dotenv);
            let result = builder
                .config_file(&file)
                .env_source(EnvSource::from_map(env))
                .working_dir(&sub)
                .resolve();

            let label = format!("{} with {present:?}", case.key.name());
            match (present.first(), case.default) {
                (Some(winner), _) => {
                    let config = result.unwrap_or_else(|e| panic!("{label}: {e}"));
                    let index = LAYERS.iter().position(|l| l == winner).unwrap();
                    assert_eq!((case.get)(&config), case.resolved[index], "{label}: value");
                    let source = expected_source(*winner, &file, &dotenv_path);
                    assert_eq!(config.source(case.key), &source, "{label}: source");
                    let row = config.report();
                    let row = row.get(case.key.name()).unwrap();
                    assert_eq!(row.source, source, "{label}: report source");
                }
                (None, Some(default)) => {
                    let config = result.unwrap_or_else(|e| panic!("{label}: {e}"));
                    assert_eq!((case.get)(&config), default, "{label}: default value");
                    assert_eq!(config.source(case.key), &Source::Default, "{label}: source");
                }
                (None, None) => {
                    let err = result.expect_err(&label);
                    assert!(
                        matches!(&err, ConfigError::Missing { key, .. } if *key == case.key),
                        "{label}: {err}"
                    );
                    let msg = err.to_string();
                    assert!(msg.contains(case.key.name()), "{msg}");
                    assert!(msg.contains(&file.display().to_string()), "{msg}");
                    assert!(msg.contains(&dotenv_path.display().to_string()), "{msg}");
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 10 * 16);
}

#[test]
fn empty_values_fall_through_to_the_next_source() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "st.json",
        r#"{"SERVICETITAN_CLIENT_ID": "", "SERVICETITAN_TENANT_ID": null}"#,
    );
    let dotenv = write(
        dir.path(),
        ".env",
        "SERVICETITAN_CLIENT_ID=cid.from-dotenv\nSERVICETITAN_TENANT_ID=77\n",
    );
    let config = Config::builder()
        .client_id("   ")
        .client_secret("cs2.x")
        .app_key("ak1.x")
        .config_file(&file)
        .env_source(EnvSource::from_map([("SERVICETITAN_CLIENT_ID", "")]))
        .dotenv_path(&dotenv)
        .resolve()
        .unwrap();
    assert_eq!(config.client_id(), "cid.from-dotenv");
    assert_eq!(
        config.source(Key::ClientId),
        &Source::DotEnv(dotenv.clone())
    );
    assert_eq!(config.tenant_id(), 77);
    assert_eq!(config.source(Key::TenantId), &Source::DotEnv(dotenv));
}

#[test]
fn fields_merge_independently() {
    // Each required field from a different source: one source never has to be complete.
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "st.json",
        r#"{"SERVICETITAN_CLIENT_SECRET": "cs2.file"}"#,
    );
    let dotenv = write(dir.path(), ".env", "SERVICETITAN_TENANT_ID=5\n");
    let config = Config::builder()
        .client_id("cid.builder")
        .config_file(&file)
        .env_source(EnvSource::from_map([("SERVICETITAN_APP_KEY", "ak1.env")]))
        .dotenv_path(&dotenv)
        .resolve()
        .unwrap();
    assert_eq!(config.source(Key::ClientId), &Source::Builder);
    assert_eq!(config.source(Key::ClientSecret), &Source::File(file));
    assert_eq!(config.source(Key::AppKey), &Source::Env);
    assert_eq!(config.source(Key::TenantId), &Source::DotEnv(dotenv));
    assert_eq!(config.source(Key::Timezone), &Source::Default);
    assert_eq!(config.token_refresh_margin_source(), &Source::Default);
}

#[test]
fn token_refresh_margin_is_builder_or_default() {
    let env = EnvSource::from_map(other_required(Key::AppId));
    let config = Config::builder()
        .env_source(env.clone())
        .no_dotenv()
        .resolve()
        .unwrap();
    assert_eq!(
        config.token_refresh_margin(),
        std::time::Duration::from_secs(60)
    );
    assert_eq!(config.token_refresh_margin_source(), &Source::Default);
    let config = Config::builder()
        .env_source(env)
        .no_dotenv()
        .token_refresh_margin(std::time::Duration::from_secs(5))
        .resolve()
        .unwrap();
    assert_eq!(
        config.token_refresh_margin(),
        std::time::Duration::from_secs(5)
    );
    assert_eq!(config.token_refresh_margin_source(), &Source::Builder);
    let report = config.report();
    let row = report.get("token_refresh_margin").unwrap();
    assert_eq!(row.source, Source::Builder);
    assert_eq!(row.value, "5s");
}
