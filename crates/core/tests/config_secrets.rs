//! The client secret and the app key never show: not in `Debug` or `Display` of the
//! configuration, the builder, the report or any error, and not in logs at any level.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use secrecy::ExposeSecret;
use servicetitan_core::config::{Config, ConfigBuilder, ConfigError, EnvSource, Key};

const SECRET: &str = "cs2.TOPSECRET-client-secret-4f9a";
const APP_KEY: &str = "ak1.TOPSECRET-app-key-77c1";
const PROXY_PASSWORD: &str = "hunter2-proxy-pass";
/// Distinctive fragments: none of these may appear anywhere.
const NEEDLES: [&str; 3] = ["TOPSECRET", "4f9a", PROXY_PASSWORD];

fn assert_clean(what: &str, text: &str) {
    for needle in NEEDLES {
        assert!(!text.contains(needle), "{what} leaks {needle:?}:\n{text}");
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn full_builder() -> ConfigBuilder {
    Config::builder()
        .client_id("cid.visible")
        .client_secret(SECRET)
        .app_key(APP_KEY)
        .tenant_id(42)
        .auth_url(format!("http://user:{PROXY_PASSWORD}@127.0.0.1:9/"))
        .env_source(EnvSource::from_map([
            ("SERVICETITAN_CLIENT_SECRET", SECRET),
            ("SERVICETITAN_APP_KEY", APP_KEY),
        ]))
        .no_dotenv()
}

#[test]
fn config_builder_and_report_never_show_secrets() {
    let builder = full_builder();
    assert_clean("builder Debug", &format!("{builder:?}"));
    assert_clean("builder Debug (pretty)", &format!("{builder:#?}"));

    let config = builder.resolve().unwrap();
    // The values are there, just never displayed.
    assert_eq!(config.client_secret().expose_secret(), SECRET);
    assert_eq!(config.app_key().expose_secret(), APP_KEY);
    assert_eq!(config.auth_url().password(), Some(PROXY_PASSWORD));

    assert_clean("config Debug", &format!("{config:?}"));
    assert_clean("config Debug (pretty)", &format!("{config:#?}"));
    assert_clean("config Display", &config.to_string());
    let report = config.report();
    assert_clean("report Debug", &format!("{report:?}"));
    assert_clean("report Display", &report.to_string());
    let json = serde_json::to_string(&report).unwrap();
    assert_clean("report JSON", &json);
    assert!(json.contains(r#""value":"cs2.********""#), "{json}");
    for row in report.rows() {
        assert_clean("report row", &format!("{row:?} {}", row.value));
    }
    // The masked form keeps the key's type prefix so a swapped secret/key is still visible.
    assert_eq!(
        report.get("SERVICETITAN_CLIENT_SECRET").unwrap().value,
        "cs2.********"
    );
    assert_eq!(
        report.get("SERVICETITAN_APP_KEY").unwrap().value,
        "ak1.********"
    );
    assert!(format!("{config:?}").contains("[redacted]"));

    let other = config.with_tenant(7);
    assert_clean("with_tenant Debug", &format!("{other:?}"));
    assert_eq!(other.client_secret().expose_secret(), SECRET);
}

#[test]
fn env_source_debug_shows_names_only() {
    let env = EnvSource::from_map([("SERVICETITAN_CLIENT_SECRET", SECRET)]);
    let text = format!("{env:?}");
    assert!(text.contains("SERVICETITAN_CLIENT_SECRET"));
    assert_clean("EnvSource Debug", &text);
}

/// Every error that can be produced while secrets sit in the sources.
fn errors_with_secrets_around(dir: &Path) -> Vec<ConfigError> {
    let env = EnvSource::from_map([
        ("SERVICETITAN_CLIENT_SECRET", SECRET),
        ("SERVICETITAN_APP_KEY", APP_KEY),
    ]);
    let base = || Config::builder().env_source(env.clone()).no_dotenv();
    let mut errors = vec![
        // Missing id and tenant while the secrets resolve fine.
        base().resolve().unwrap_err(),
        // Invalid values next to the secrets.
        base()
            .client_id("c")
            .tenant_id(-1)
            .timezone("Nowhere/Land")
            .environment("qa")
            .enterprise_hub(true)
            .api_url(format!("http://u:{PROXY_PASSWORD}@bad host/"))
            .resolve()
            .unwrap_err(),
        // A secret typed as a JSON number, and a misspelt secret key.
        base()
            .config_file(write(
                dir,
                "types.json",
                &format!(
                    r#"{{"SERVICETITAN_APP_KEY": ["{APP_KEY}"], "SERVICETITAN_CLIENTSECRET": "{SECRET}"}}"#
                ),
            ))
            .resolve()
            .unwrap_err(),
        // A JSON syntax error right inside a secret.
        base()
            .config_file(write(
                dir,
                "syntax.json",
                &format!("{{\"SERVICETITAN_CLIENT_SECRET\": \"{SECRET}\\q\"}}"),
            ))
            .resolve()
            .unwrap_err(),
        // A .env syntax error inside a secret.
        Config::builder()
            .env_source(EnvSource::empty())
            .dotenv_path(write(
                dir,
                "bad.env",
                &format!("SERVICETITAN_CLIENT_SECRET=\"{SECRET}\nSERVICETITAN_APP_KEY={APP_KEY}\n"),
            ))
            .resolve()
            .unwrap_err(),
        // A .env with secrets and a misspelt id: the "did you mean" hint names variables only.
        Config::builder()
            .env_source(EnvSource::empty())
            .dotenv_path(write(
                dir,
                "typo.env",
                &format!(
                    "SERVICETITAN_CLIENT_SECRET={SECRET}\nSERVICETITAN_APP_KEY={APP_KEY}\nSERVICETITAN_CLIENTID={SECRET}\n"
                ),
            ))
            .resolve()
            .unwrap_err(),
    ];
    // Secrets given only as whitespace: "missing" errors about them.
    errors.push(
        Config::builder()
            .client_secret("   ")
            .app_key("\t")
            .env_source(EnvSource::empty())
            .no_dotenv()
            .resolve()
            .unwrap_err(),
    );
    errors
}

#[test]
fn errors_never_show_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let errors = errors_with_secrets_around(dir.path());
    let mut kinds = 0;
    for err in &errors {
        assert_clean("error Display", &err.to_string());
        assert_clean("error Debug", &format!("{err:?}"));
        assert_clean("error Debug (pretty)", &format!("{err:#?}"));
        kinds += err.errors().len();
    }
    assert!(kinds >= 12, "only {kinds} errors exercised");
    // The misspelt key is still named, so the user can act.
    let typo = errors[2].to_string();
    assert!(typo.contains("SERVICETITAN_CLIENTSECRET"), "{typo}");
    assert!(
        typo.contains("did you mean SERVICETITAN_CLIENT_SECRET?"),
        "{typo}"
    );
}

/// A `MakeWriter` that appends everything to one shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

#[test]
fn logs_at_trace_never_show_secrets() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    let dir = tempfile::tempdir().unwrap();

    tracing::subscriber::with_default(subscriber, || {
        // Padded secrets from every source: trimming is logged (key and source only).
        let file = write(
            dir.path(),
            "st.json",
            &format!(
                r#"{{"SERVICETITAN_CLIENT_SECRET": "  {SECRET}  ", "SERVICETITAN_TENANT_ID": 5}}"#
            ),
        );
        // Found through `working_dir`, as `./.env` would be.
        write(
            dir.path(),
            ".env",
            &format!("SERVICETITAN_APP_KEY=\" {APP_KEY} \"\nSERVICETITAN_CLIENT_ID=cid.dotenv\nSERVICETITAN_APPKEY={APP_KEY}\n"),
        );
        let config = Config::builder()
            .config_file(&file)
            .working_dir(dir.path())
            .auth_url(format!("http://user:{PROXY_PASSWORD}@127.0.0.1:9/"))
            .timezone("PST")
            .env_source(EnvSource::from_map([
                ("SERVICETITAN_CLIENT_SECRET", format!("{SECRET}\n")),
                ("SERVICETITAN_APP_KEY", format!(" {APP_KEY}")),
            ]))
            .resolve()
            .unwrap();
        assert_eq!(config.client_secret().expose_secret(), SECRET);
        assert_eq!(config.app_key().expose_secret(), APP_KEY);
        assert_eq!(
            config.source(Key::AppKey),
            &servicetitan_core::config::Source::Env
        );
        let _ = config.with_tenant(9);
        // A broken ./.env holding a secret is skipped with a warning that must not quote it.
        let broken = tempfile::tempdir().unwrap();
        write(
            broken.path(),
            ".env",
            &format!("SERVICETITAN_APP_KEY='{APP_KEY}\n"),
        );
        let skipped = Config::builder()
            .working_dir(broken.path())
            .env_source(EnvSource::empty())
            .resolve()
            .unwrap_err();
        assert!(
            skipped.to_string().contains("skipped .env file"),
            "{skipped}"
        );
        assert_clean("skipped .env error", &skipped.to_string());
        let _ = errors_with_secrets_around(dir.path());
    });

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    // The capture works and saw the interesting events…
    assert!(
        logs.contains("resolved ServiceTitan configuration"),
        "{logs}"
    );
    assert!(logs.contains("trimmed surrounding whitespace"), "{logs}");
    assert!(logs.contains("SERVICETITAN_CLIENT_SECRET"), "{logs}");
    assert!(logs.contains("TRACE"), "{logs}");
    assert!(
        logs.contains("did you mean SERVICETITAN_APP_KEY?"),
        "{logs}"
    );
    // …and no secret in any of it.
    assert_clean("logs", &logs);
    if std::env::var_os("SHOW_CONFIG_LOGS").is_some() {
        eprintln!("{logs}");
    }
}
