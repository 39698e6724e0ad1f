//! Configuration: credentials, tenant, environment and preferences, resolved from up to four
//! sources and merged field by field (the aws-config model).
//!
//! | priority | source | how to set it |
//! | --- | --- | --- |
//! | 1 | builder | [`ConfigBuilder`] methods |
//! | 2 | JSON file | [`ConfigBuilder::config_file`] / [`Config::from_file`], keys as below; the chosen profile's section first, then the top level |
//! | 3 | environment | `SERVICETITAN_*` variables ([`ConfigBuilder::env_source`] to inject them) |
//! | 4 | `.env` | `./.env` (or [`ConfigBuilder::dotenv_path`]); never exported to the process |
//!
//! Keys (the servicepytan names, so existing files keep working): `SERVICETITAN_CLIENT_ID`,
//! `SERVICETITAN_CLIENT_SECRET`, `SERVICETITAN_APP_KEY` and `SERVICETITAN_TENANT_ID` (required);
//! `SERVICETITAN_APP_ID`, `SERVICETITAN_TIMEZONE` (default `UTC`),
//! `SERVICETITAN_API_ENVIRONMENT` (default `production`), `SERVICETITAN_AUTH_URL`,
//! `SERVICETITAN_API_URL` and `SERVICETITAN_ENTERPRISE_HUB` (optional).
//!
//! **Profiles**: the file may hold named sections under `"profiles"`, one per tenant or
//! environment, chosen with [`ConfigBuilder::profile`] or `SERVICETITAN_PROFILE` (environment or
//! `.env`). A section's values rank above the file's top-level keys, which are the defaults of
//! every profile; builder values rank above both, the environment below. The report names the
//! section a value came from (`config file st.json [profile acme]`). With no profile chosen
//! only the top level is read.
//!
//! ```no_run
//! use servicetitan_core::Config;
//! let config = Config::from_env()?;
//! println!("{}", config.report()); // values (secrets masked) and where each came from
//! # Ok::<(), servicetitan_core::config::ConfigError>(())
//! ```

mod assemble;
mod builder;
mod environment;
mod error;
mod file;
mod keys;
mod layers;
mod profile;
mod report;
mod resolve;
mod source;
mod timezone;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use chrono_tz::Tz;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

pub use builder::ConfigBuilder;
pub use environment::{Environment, ParseEnvironmentError};
pub use error::{Checked, ConfigError, UnknownKey};
pub use keys::Key;
pub use report::{ConfigReport, ReportRow};
pub use source::{EnvSource, Source};
pub use timezone::{parse_timezone, ParseTimezoneError};

/// How long before expiry a token is refreshed unless the builder says otherwise.
pub const DEFAULT_TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Where one resolved value came from, and anything noteworthy about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) source: Source,
    pub(crate) note: Option<String>,
}

/// A resolved, validated configuration. Cheap to clone; immutable.
///
/// `Debug` and `Display` never show the client secret or the app key.
#[derive(Clone)]
pub struct Config {
    client_id: String,
    client_secret: SecretString,
    app_key: SecretString,
    tenant_id: i64,
    app_id: Option<String>,
    timezone: Tz,
    environment: Environment,
    auth_url: Url,
    api_url: Url,
    enterprise_hub: bool,
    redis_url: Option<SecretString>,
    token_refresh_margin: Duration,
    origins: BTreeMap<Key, Origin>,
    margin_source: Source,
    /// The profile in use and where its name came from.
    profile: Option<(String, Source)>,
    warnings: Vec<String>,
}

impl Config {
    /// A builder with nothing set; see [`ConfigBuilder`].
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::new()
    }

    /// The process environment and `./.env` only.
    pub fn from_env() -> Result<Config, ConfigError> {
        ConfigBuilder::new().resolve()
    }

    /// The JSON file at `path`, then the environment and `./.env` for what it leaves out.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        ConfigBuilder::new().config_file(path).resolve()
    }

    /// The OAuth client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The OAuth client secret.
    pub fn client_secret(&self) -> &SecretString {
        &self.client_secret
    }

    /// The application key, sent as the `ST-App-Key` header.
    pub fn app_key(&self) -> &SecretString {
        &self.app_key
    }

    /// The tenant id (always positive).
    pub fn tenant_id(&self) -> i64 {
        self.tenant_id
    }

    /// The application id, if configured.
    pub fn app_id(&self) -> Option<&str> {
        self.app_id.as_deref()
    }

    /// The timezone for date helpers (default UTC).
    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    /// The API environment (default production).
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The auth base URL: the override if one was set, otherwise the environment's.
    pub fn auth_url(&self) -> &Url {
        &self.auth_url
    }

    /// The API base URL: the override if one was set, otherwise the environment's.
    pub fn api_url(&self) -> &Url {
        &self.api_url
    }

    /// Whether the credentials are enterprise-hub credentials (the token request names the tenant).
    pub fn enterprise_hub(&self) -> bool {
        self.enterprise_hub
    }

    /// The Redis shared by a fleet of workers (`SERVICETITAN_REDIS_URL`), if configured. It
    /// may carry a password: show it with [`redact::url`](crate::redact::url) only.
    pub fn redis_url(&self) -> Option<&SecretString> {
        self.redis_url.as_ref()
    }

    /// How long before expiry a token is refreshed.
    pub fn token_refresh_margin(&self) -> Duration {
        self.token_refresh_margin
    }

    /// Where the value of `key` came from.
    pub fn source(&self, key: Key) -> &Source {
        self.origins
            .get(&key)
            .map(|o| &o.source)
            .unwrap_or(&Source::Default)
    }

    /// The profile (section of the config file) in use, if one was chosen.
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_ref().map(|(name, _)| name.as_str())
    }

    /// Where the token refresh margin came from (builder or default).
    pub fn token_refresh_margin_source(&self) -> &Source {
        &self.margin_source
    }

    /// Non-fatal findings of resolution, such as a misspelt `SERVICETITAN_*` variable.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Every setting with its (masked) value and source; `Display` renders a table.
    pub fn report(&self) -> ConfigReport {
        let mut rows = Vec::with_capacity(Key::ALL.len() + 1);
        for key in Key::ALL.iter().copied() {
            let value = match key {
                Key::ClientId => self.client_id.clone(),
                Key::ClientSecret => report::mask_secret(self.client_secret.expose_secret()),
                Key::AppKey => report::mask_secret(self.app_key.expose_secret()),
                Key::TenantId => self.tenant_id.to_string(),
                Key::AppId => self
                    .app_id
                    .clone()
                    .unwrap_or_else(|| "(not set)".to_owned()),
                Key::Timezone => self.timezone.name().to_owned(),
                Key::Environment => self.environment.to_string(),
                Key::AuthUrl => report::mask_url(&self.auth_url),
                Key::ApiUrl => report::mask_url(&self.api_url),
                Key::EnterpriseHub => self.enterprise_hub.to_string(),
                Key::RedisUrl => match &self.redis_url {
                    Some(url) => report::mask_url_text(url.expose_secret()),
                    None => "(not set)".to_owned(),
                },
            };
            let origin = self.origins.get(&key);
            rows.push(ReportRow {
                key: key.name(),
                value,
                source: origin.map_or(Source::Default, |o| o.source.clone()),
                note: origin.and_then(|o| o.note.clone()),
            });
        }
        rows.push(ReportRow {
            key: "token_refresh_margin",
            value: format!("{}s", self.token_refresh_margin.as_secs_f64()),
            source: self.margin_source.clone(),
            note: None,
        });
        if let Some((name, source)) = &self.profile {
            rows.push(ReportRow {
                key: profile::PROFILE_VAR,
                value: name.clone(),
                source: source.clone(),
                note: None,
            });
        }
        ConfigReport {
            rows,
            warnings: self.warnings.clone(),
        }
    }

    /// The same credentials and settings for another tenant (enterprise-hub credentials, or an
    /// app connected to several tenants). The tenant id is reported as set by the builder.
    pub fn with_tenant(&self, tenant_id: i64) -> Config {
        let mut config = self.clone();
        config.tenant_id = tenant_id;
        config.origins.insert(
            Key::TenantId,
            Origin {
                source: Source::Builder,
                note: Some("set by Config::with_tenant".to_owned()),
            },
        );
        config
    }
}

/// Secrets appear as `[redacted]`; a password in a base URL as `****`.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("app_key", &"[redacted]")
            .field("tenant_id", &self.tenant_id)
            .field("app_id", &self.app_id)
            .field("timezone", &self.timezone)
            .field("environment", &self.environment)
            .field("auth_url", &report::mask_url(&self.auth_url))
            .field("api_url", &report::mask_url(&self.api_url))
            .field("enterprise_hub", &self.enterprise_hub)
            .field(
                "redis_url",
                &self
                    .redis_url
                    .as_ref()
                    .map(|u| report::mask_url_text(u.expose_secret())),
            )
            .field("token_refresh_margin", &self.token_refresh_margin)
            .field("profile", &self.profile())
            .finish_non_exhaustive()
    }
}

/// The [`report`](Config::report) table.
impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.report(), f)
    }
}
