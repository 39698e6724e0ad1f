//! Helpers of the configuration suites: builders isolated from the process, the seed's files,
//! error assertions.
#![allow(dead_code)] // each suite uses a different subset

use std::path::{Path, PathBuf};

use servicetitan_core::config::{Config, ConfigBuilder, ConfigError, EnvSource};

pub const CLIENT_ID: (&str, &str) = ("SERVICETITAN_CLIENT_ID", "cid.abc");
pub const CLIENT_SECRET: (&str, &str) = ("SERVICETITAN_CLIENT_SECRET", "cs2.secret-value-123");
pub const APP_KEY: (&str, &str) = ("SERVICETITAN_APP_KEY", "ak1.app-key-value-456");
pub const TENANT_ID: (&str, &str) = ("SERVICETITAN_TENANT_ID", "1234567890");

/// A builder isolated from the process: only `vars` as environment, no `.env`.
pub fn with_env(vars: &[(&'static str, &'static str)]) -> ConfigBuilder {
    Config::builder()
        .env_source(EnvSource::from_map(vars.iter().copied()))
        .no_dotenv()
}

/// The three required settings other than `except`, as environment.
pub fn complete_except(except: &str) -> Vec<(&'static str, &'static str)> {
    [CLIENT_ID, CLIENT_SECRET, APP_KEY, TENANT_ID]
        .into_iter()
        .filter(|(k, _)| *k != except)
        .collect()
}

pub fn complete() -> Vec<(&'static str, &'static str)> {
    complete_except("")
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

pub fn err_of(builder: ConfigBuilder) -> (ConfigError, String) {
    let err = builder.resolve().expect_err("resolution should fail");
    let msg = err.to_string();
    (err, msg)
}

pub fn assert_contains(msg: &str, parts: &[&str]) {
    for part in parts {
        assert!(msg.contains(part), "expected {part:?} in:\n{msg}");
    }
}

/// The seed's example file, verbatim.
pub const SEED_JSON: &str = r#"{
"SERVICETITAN_CLIENT_ID": "cid.your_client_id_here",
"SERVICETITAN_CLIENT_SECRET": "cs2.your_client_secret_here",
"SERVICETITAN_APP_ID": "your_app_id_here",
"SERVICETITAN_APP_KEY": "ak1.your_app_key_here",
"SERVICETITAN_TENANT_ID": "1234567890",
"SERVICETITAN_TIMEZONE": "America/New_York",
"SERVICETITAN_API_ENVIRONMENT": "production"
}"#;

/// The seed's example `.env`, verbatim.
pub const SEED_DOTENV: &str = "SERVICETITAN_CLIENT_ID=cid.your_client_id_here
SERVICETITAN_CLIENT_SECRET=cs2.your_client_secret_here
SERVICETITAN_APP_KEY=ak1.your_app_key_here
SERVICETITAN_TENANT_ID=1234567890
SERVICETITAN_TIMEZONE=America/New_York
SERVICETITAN_API_ENVIRONMENT=production
";

pub fn required_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("SERVICETITAN_CLIENT_ID", "cid.env"),
        ("SERVICETITAN_CLIENT_SECRET", "cs2.env"),
        ("SERVICETITAN_APP_KEY", "ak1.env"),
        ("SERVICETITAN_TENANT_ID", "11"),
    ]
}

/// The required settings as environment, plus `extra`; no `.env`.
pub fn isolated(extra: &[(&'static str, &'static str)]) -> ConfigBuilder {
    let mut env = required_env();
    env.extend_from_slice(extra);
    Config::builder()
        .env_source(EnvSource::from_map(env))
        .no_dotenv()
}
