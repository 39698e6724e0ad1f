//! [`ConfigBuilder`]: values set in code, and the resolution that merges them, field by field,
//! with the JSON file, the environment and the `.env` file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::environment::Environment;
use super::error::{Checked, ConfigError};
use super::file::FileLayer;
use super::keys::{self, Key};
use super::report::mask_url_text;
use super::source::{DotEnvFile, EnvSource, EnvValue, Source};
use super::timezone::parse_timezone;
use super::{Config, Origin, DEFAULT_TOKEN_REFRESH_MARGIN};

/// Builds a [`Config`] from values set in code, a JSON file and the environment.
///
/// Priority, per field, highest first: builder → [`config_file`](Self::config_file) →
/// environment → `.env`. A value missing (or empty) in one source falls through to the next.
///
/// ```no_run
/// use servicetitan_core::config::{Config, Environment};
/// let config = Config::builder()
///     .config_file("servicetitan.json")
///     .environment(Environment::Integration)
///     .resolve()?;
/// # Ok::<(), servicetitan_core::config::ConfigError>(())
/// ```
#[derive(Clone, Default)]
pub struct ConfigBuilder {
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    app_key: Option<SecretString>,
    app_id: Option<String>,
    tenant_id: Option<i64>,
    timezone: Option<String>,
    environment: Option<String>,
    auth_url: Option<String>,
    api_url: Option<String>,
    enterprise_hub: Option<bool>,
    token_refresh_margin: Option<Duration>,
    config_file: Option<PathBuf>,
    env_source: EnvSource,
    dotenv: DotEnvChoice,
    working_dir: Option<PathBuf>,
}

#[derive(Clone, Debug, Default)]
enum DotEnvChoice {
    /// `.env` in the working directory, if it exists.
    #[default]
    Auto,
    /// This file, which must exist.
    Path(PathBuf),
    /// No `.env` file.
    Disabled,
}

impl ConfigBuilder {
    /// A builder with nothing set: resolution reads the process environment and `./.env`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The OAuth client id (`SERVICETITAN_CLIENT_ID`).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// The OAuth client secret (`SERVICETITAN_CLIENT_SECRET`).
    pub fn client_secret(mut self, client_secret: impl Into<SecretString>) -> Self {
        self.client_secret = Some(client_secret.into());
        self
    }

    /// The application key sent as `ST-App-Key` (`SERVICETITAN_APP_KEY`).
    pub fn app_key(mut self, app_key: impl Into<SecretString>) -> Self {
        self.app_key = Some(app_key.into());
        self
    }

    /// The application id (`SERVICETITAN_APP_ID`, optional).
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// The tenant id (`SERVICETITAN_TENANT_ID`); must be positive.
    pub fn tenant_id(mut self, tenant_id: i64) -> Self {
        self.tenant_id = Some(tenant_id);
        self
    }

    /// The timezone (`SERVICETITAN_TIMEZONE`): an IANA name or EST/CST/MST/PST/EDT/CDT/MDT/PDT/UTC/GMT.
    /// Checked when the builder resolves.
    pub fn timezone(mut self, timezone: impl Into<String>) -> Self {
        self.timezone = Some(timezone.into());
        self
    }

    /// The API environment (`SERVICETITAN_API_ENVIRONMENT`): an [`Environment`] or its name,
    /// case-insensitive. Checked when the builder resolves.
    pub fn environment(mut self, environment: impl AsRef<str>) -> Self {
        self.environment = Some(environment.as_ref().to_owned());
        self
    }

    /// Overrides the auth base URL (`SERVICETITAN_AUTH_URL`), e.g. for a proxy or a local mock.
    pub fn auth_url(mut self, url: impl AsRef<str>) -> Self {
        self.auth_url = Some(url.as_ref().to_owned());
        self
    }

    /// Overrides the API base URL (`SERVICETITAN_API_URL`), e.g. for a proxy or a local mock.
    pub fn api_url(mut self, url: impl AsRef<str>) -> Self {
        self.api_url = Some(url.as_ref().to_owned());
        self
    }

    /// Enterprise-hub credentials serve many tenants; the token request then names the tenant
    /// (`SERVICETITAN_ENTERPRISE_HUB`).
    pub fn enterprise_hub(mut self, enterprise_hub: bool) -> Self {
        self.enterprise_hub = Some(enterprise_hub);
        self
    }

    /// How long before expiry a token is refreshed (default 60 s; tokens live 900 s).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_refresh_margin = Some(margin);
        self
    }

    /// Reads this JSON file, beneath builder values and above the environment. A relative path
    /// is taken from [`working_dir`](Self::working_dir) when one is set.
    pub fn config_file(mut self, path: impl AsRef<Path>) -> Self {
        self.config_file = Some(path.as_ref().to_owned());
        self
    }

    /// Where environment variables come from (default: the process environment).
    ///
    /// This replaces only the real environment; the `.env` file is still read (from
    /// [`working_dir`](Self::working_dir)) unless [`no_dotenv`](Self::no_dotenv) or
    /// [`dotenv_path`](Self::dotenv_path) says otherwise. (`${VAR}` substitution inside a `.env`
    /// file is dotenvy's and consults the real process environment.)
    pub fn env_source(mut self, env: EnvSource) -> Self {
        self.env_source = env;
        self
    }

    /// Reads this `.env` file (which must exist) instead of `./.env`.
    pub fn dotenv_path(mut self, path: impl AsRef<Path>) -> Self {
        self.dotenv = DotEnvChoice::Path(path.as_ref().to_owned());
        self
    }

    /// Reads no `.env` file at all.
    pub fn no_dotenv(mut self) -> Self {
        self.dotenv = DotEnvChoice::Disabled;
        self
    }

    /// The directory in which `.env` is looked for and relative paths are taken from
    /// (default: the process's current directory).
    pub fn working_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.working_dir = Some(dir.as_ref().to_owned());
        self
    }

    /// Merges the sources and checks every value. All field problems are reported together
    /// (as [`ConfigError::Multiple`] when there are several).
    pub fn resolve(self) -> Result<Config, ConfigError> {
        let working_dir = match &self.working_dir {
            Some(dir) => Some(dir.clone()),
            None => std::env::current_dir().ok(),
        };
        // Relative paths follow an explicit working directory; otherwise the OS resolves them
        // against the process's current directory, as any other path would be.
        let anchored = |path: &Path| -> PathBuf {
            match &self.working_dir {
                Some(dir) if path.is_relative() => dir.join(path),
                _ => path.to_owned(),
            }
        };

        let file = match &self.config_file {
            Some(path) => Some(FileLayer::load(&anchored(path))?),
            None => None,
        };
        let mut warnings = Vec::new();
        let (dotenv, dotenv_skipped) = match &self.dotenv {
            DotEnvChoice::Disabled => (None, None),
            // Asked for by name: any problem with it is an error.
            DotEnvChoice::Path(path) => (Some(DotEnvFile::load(&anchored(path))?), None),
            DotEnvChoice::Auto => match &working_dir {
                Some(dir) => {
                    let path = dir.join(".env");
                    match DotEnvFile::load(&path) {
                        Ok(file) => (Some(file), None),
                        // The default location is optional; its absence is mentioned only if a
                        // required value turns out to be missing.
                        Err(ConfigError::DotEnvNotFound { path }) => {
                            (None, Some(Checked::DotEnvAbsent(path)))
                        }
                        // A `./.env` is often shared with other tools that accept syntax
                        // dotenvy does not (docker compose takes unquoted spaces). Refusing to
                        // start over it would punish users who configure everything else, so it
                        // is skipped with a warning, and named if a required value is missing.
                        Err(err) => {
                            let reason = err.to_string();
                            tracing::warn!("ignoring {reason}");
                            warnings.push(format!("ignoring {reason}"));
                            (None, Some(Checked::DotEnvUnusable { path, reason }))
                        }
                    }
                }
                None => {
                    tracing::debug!("current directory unknown; no .env file is read");
                    (None, None)
                }
            },
        };
        tracing::trace!(
            config_file = ?file.as_ref().map(|f| &f.path),
            dotenv = ?dotenv.as_ref().map(|d| &d.path),
            env = ?self.env_source,
            "resolving ServiceTitan configuration"
        );

        let layers = Layers {
            builder: &self,
            file: file.as_ref(),
            env: &self.env_source,
            dotenv: dotenv.as_ref(),
            dotenv_skipped,
        };
        for warning in layers.unknown_variable_warnings() {
            tracing::warn!("{warning}");
            warnings.push(warning);
        }
        layers.build(warnings)
    }
}

/// Shows which fields are set; secrets only as `[redacted]`.
impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |s: &Option<SecretString>| s.as_ref().map(|_| "[redacted]");
        f.debug_struct("ConfigBuilder")
            .field("client_id", &self.client_id)
            .field("client_secret", &redacted(&self.client_secret))
            .field("app_key", &redacted(&self.app_key))
            .field("app_id", &self.app_id)
            .field("tenant_id", &self.tenant_id)
            .field("timezone", &self.timezone)
            .field("environment", &self.environment)
            .field("auth_url", &self.auth_url.as_deref().map(mask_url_text))
            .field("api_url", &self.api_url.as_deref().map(mask_url_text))
            .field("enterprise_hub", &self.enterprise_hub)
            .field("token_refresh_margin", &self.token_refresh_margin)
            .field("config_file", &self.config_file)
            .field("env_source", &self.env_source)
            .field("dotenv", &self.dotenv)
            .field("working_dir", &self.working_dir)
            .finish()
    }
}

/// The four sources of one resolution.
struct Layers<'a> {
    builder: &'a ConfigBuilder,
    file: Option<&'a FileLayer>,
    env: &'a EnvSource,
    dotenv: Option<&'a DotEnvFile>,
    /// The default `.env`, when it was absent or unusable (mentioned in "missing" errors).
    dotenv_skipped: Option<Checked>,
}

/// A value chosen for one key.
struct Picked {
    value: SecretString,
    origin: Origin,
    /// Something suspicious about the value that is not an error.
    warning: Option<String>,
}

impl Picked {
    fn text(&self) -> &str {
        self.value.expose_secret()
    }
}

impl Layers<'_> {
    fn builder_value(&self, key: Key) -> Option<SecretString> {
        let b = self.builder;
        let text = |s: &Option<String>| s.as_deref().map(SecretString::from);
        match key {
            Key::ClientId => text(&b.client_id),
            Key::ClientSecret => b.client_secret.clone(),
            Key::AppKey => b.app_key.clone(),
            Key::AppId => text(&b.app_id),
            Key::TenantId => b.tenant_id.map(|t| SecretString::from(t.to_string())),
            Key::Timezone => text(&b.timezone),
            Key::Environment => text(&b.environment),
            Key::AuthUrl => text(&b.auth_url),
            Key::ApiUrl => text(&b.api_url),
            Key::EnterpriseHub => b.enterprise_hub.map(|h| SecretString::from(h.to_string())),
        }
    }

    /// The highest-priority non-empty value of `key`, or `Ok(None)` plus where it was empty.
    fn pick(&self, key: Key) -> Result<(Option<Picked>, Vec<Source>), ConfigError> {
        let mut candidates: Vec<(Source, SecretString)> = Vec::with_capacity(4);
        if let Some(v) = self.builder_value(key) {
            candidates.push((Source::Builder, v));
        }
        if let Some(file) = self.file {
            if let Some(v) = file.values.get(&key) {
                candidates.push((Source::File(file.path.clone()), v.clone()));
            }
        }
        match self.env.get(key.name()) {
            EnvValue::Present(v) => candidates.push((Source::Env, SecretString::from(v))),
            EnvValue::Absent => {}
            EnvValue::NotUnicode => {
                return Err(ConfigError::NotUnicode {
                    key,
                    origin: Source::Env,
                })
            }
        }
        if let Some(dotenv) = self.dotenv {
            if let Some(v) = dotenv.get(key.name()) {
                candidates.push((Source::DotEnv(dotenv.path.clone()), v.clone()));
            }
        }

        let mut empty_in = Vec::new();
        for (source, value) in candidates {
            let raw = value.expose_secret();
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                tracing::debug!(key = key.name(), source = %source, "ignoring empty configuration value");
                empty_in.push(source);
                continue;
            }
            let was_trimmed = trimmed.len() != raw.len();
            if was_trimmed {
                // The seed's checklist warns of trailing spaces; they break credentials silently.
                // Only the key and source are logged, never the value.
                tracing::debug!(key = key.name(), source = %source, "trimmed surrounding whitespace from configuration value");
            }
            let value = if was_trimmed {
                SecretString::from(trimmed.to_owned())
            } else {
                value.clone()
            };
            let note = was_trimmed.then(|| "surrounding whitespace trimmed".to_owned());
            // `KEY="value"` copied from a .env file into Docker's `--env-file`, a systemd unit
            // or a JSON string keeps the quotes as part of the value, and the credentials then
            // fail with an unhelpful 401. dotenvy removes quotes itself, so .env is not suspect.
            let quoted = trimmed.len() >= 2
                && ['"', '\'']
                    .iter()
                    .any(|q| trimmed.starts_with(*q) && trimmed.ends_with(*q));
            let warning = (quoted && !matches!(source, Source::DotEnv(_))).then(|| {
                format!(
                    "{} from {source} is wrapped in quotes, which are kept as part of the value; remove them unless they belong to it",
                    key.name()
                )
            });
            return Ok((
                Some(Picked {
                    value,
                    origin: Origin { source, note },
                    warning,
                }),
                empty_in,
            ));
        }
        Ok((None, empty_in))
    }

    fn checked(&self) -> Vec<Checked> {
        let mut checked = vec![Checked::Builder];
        if let Some(file) = self.file {
            checked.push(Checked::File(file.path.clone()));
        }
        checked.push(Checked::Env);
        if let Some(dotenv) = self.dotenv {
            checked.push(Checked::DotEnv(dotenv.path.clone()));
        } else if let Some(skipped) = &self.dotenv_skipped {
            checked.push(skipped.clone());
        }
        checked
    }

    /// A variable in the environment or `.env` whose name looks like a slip of `key`'s.
    fn near_miss(&self, key: Key) -> Option<String> {
        let env_names = self.env.names();
        let found = env_names
            .iter()
            .map(|n| (n.as_str(), "the environment".to_owned()))
            .chain(self.dotenv.into_iter().flat_map(|d| {
                d.names()
                    .map(move |n| (n, format!(".env {}", d.path.display())))
            }))
            .find(|(name, _)| *name != key.name() && keys::suggest(name) == Some(key))?;
        Some(format!(
            "found {} in {} — did you mean {}?",
            found.0,
            found.1,
            key.name()
        ))
    }

    /// `SERVICETITAN_*` variables that are not settings but look like one misspelt. Variables
    /// that resemble nothing are left alone: applications use the prefix for their own settings.
    fn unknown_variable_warnings(&self) -> Vec<String> {
        let env_names = self.env.names();
        let mut warnings = Vec::new();
        let candidates = env_names
            .iter()
            .map(|n| (n.as_str(), "the environment".to_owned()))
            .chain(self.dotenv.into_iter().flat_map(|d| {
                d.names()
                    .map(move |n| (n, format!(".env {}", d.path.display())))
            }));
        for (name, place) in candidates {
            if !name.to_ascii_uppercase().starts_with("SERVICETITAN")
                || Key::from_name(name).is_some()
            {
                continue;
            }
            if let Some(key) = keys::suggest(name) {
                warnings.push(format!(
                    "{name} (in {place}) is not a ServiceTitan setting; did you mean {key}?"
                ));
            }
        }
        warnings.sort();
        warnings
    }

    fn build(self, mut warnings: Vec<String>) -> Result<Config, ConfigError> {
        let mut errors = Vec::new();
        let mut origins: BTreeMap<Key, Origin> = BTreeMap::new();

        let take = |key: Key,
                    errors: &mut Vec<ConfigError>,
                    warnings: &mut Vec<String>|
         -> Option<Picked> {
            match self.pick(key) {
                Ok((Some(picked), _)) => {
                    if let Some(warning) = &picked.warning {
                        tracing::warn!("{warning}");
                        warnings.push(warning.clone());
                    }
                    Some(picked)
                }
                Ok((None, empty_in)) => {
                    if key.is_required() {
                        errors.push(ConfigError::Missing {
                            key,
                            checked: self.checked(),
                            empty_in,
                            hint: self.near_miss(key),
                        });
                    }
                    None
                }
                Err(err) => {
                    errors.push(err);
                    None
                }
            }
        };

        let client_id = take(Key::ClientId, &mut errors, &mut warnings);
        let client_secret = take(Key::ClientSecret, &mut errors, &mut warnings);
        let app_key = take(Key::AppKey, &mut errors, &mut warnings);
        let tenant = take(Key::TenantId, &mut errors, &mut warnings);
        let app_id = take(Key::AppId, &mut errors, &mut warnings);
        let environment = take(Key::Environment, &mut errors, &mut warnings);
        let auth_url = take(Key::AuthUrl, &mut errors, &mut warnings);
        let api_url = take(Key::ApiUrl, &mut errors, &mut warnings);
        let timezone = take(Key::Timezone, &mut errors, &mut warnings);
        let hub = take(Key::EnterpriseHub, &mut errors, &mut warnings);

        let mut record = |key: Key, origin: Origin| {
            origins.insert(key, origin);
        };
        let default = |note: Option<String>| Origin {
            source: Source::Default,
            note,
        };

        let tenant_id = tenant.and_then(|p| match parse_tenant_id(p.text()) {
            Ok(id) => {
                record(Key::TenantId, p.origin);
                Some(id)
            }
            Err(reason) => {
                errors.push(ConfigError::InvalidTenantId {
                    value: p.text().to_owned(),
                    origin: p.origin.source,
                    reason,
                });
                None
            }
        });

        let environment = match environment {
            None => {
                record(Key::Environment, default(None));
                Some(Environment::default())
            }
            Some(p) => match p.text().parse::<Environment>() {
                Ok(env) => {
                    record(Key::Environment, p.origin);
                    Some(env)
                }
                Err(err) => {
                    errors.push(ConfigError::UnknownEnvironment {
                        value: p.text().to_owned(),
                        origin: p.origin.source,
                        suggestion: err.suggestion,
                    });
                    None
                }
            },
        };

        let mut url =
            |key: Key, picked: Option<Picked>, derived: fn(Environment) -> Url| match picked {
                Some(p) => match parse_base_url(p.text()) {
                    Ok(url) => {
                        record(key, p.origin);
                        Some(url)
                    }
                    Err(reason) => {
                        errors.push(ConfigError::InvalidUrl {
                            key,
                            value: mask_url_text(p.text()),
                            origin: p.origin.source,
                            reason,
                        });
                        None
                    }
                },
                None => environment.map(|env| {
                    record(key, default(Some(format!("from environment {env}"))));
                    derived(env)
                }),
            };
        let auth_url = url(Key::AuthUrl, auth_url, Environment::auth_url);
        let api_url = url(Key::ApiUrl, api_url, Environment::api_url);

        let timezone = match timezone {
            None => {
                record(Key::Timezone, default(None));
                Some(chrono_tz::Tz::UTC)
            }
            Some(p) => match parse_timezone(p.text()) {
                Ok((tz, abbreviation)) => {
                    let mut origin = p.origin;
                    if let Some(abbr) = abbreviation {
                        if abbr != tz.name() {
                            tracing::debug!(
                                abbreviation = abbr,
                                zone = tz.name(),
                                "timezone abbreviation mapped to IANA zone"
                            );
                            let note = format!("{abbr} → {}", tz.name());
                            origin.note = Some(match origin.note {
                                Some(prev) => format!("{prev}; {note}"),
                                None => note,
                            });
                        }
                    }
                    record(Key::Timezone, origin);
                    Some(tz)
                }
                Err(err) => {
                    errors.push(ConfigError::UnknownTimezone {
                        value: p.text().to_owned(),
                        origin: p.origin.source,
                        suggestion: err.suggestion,
                    });
                    None
                }
            },
        };

        let enterprise_hub = match hub {
            None => {
                record(Key::EnterpriseHub, default(None));
                Some(false)
            }
            Some(p) => match parse_bool(p.text()) {
                Some(b) => {
                    record(Key::EnterpriseHub, p.origin);
                    Some(b)
                }
                None => {
                    errors.push(ConfigError::InvalidBool {
                        key: Key::EnterpriseHub,
                        value: p.text().to_owned(),
                        origin: p.origin.source,
                    });
                    None
                }
            },
        };

        let app_id = match app_id {
            Some(p) => {
                let id = p.text().to_owned();
                record(Key::AppId, p.origin);
                Some(id)
            }
            None => {
                record(Key::AppId, default(None));
                None
            }
        };

        ConfigError::collect(errors)?;
        // Every `None` below has pushed an error, so `collect` returned early.
        let (
            Some(client_id),
            Some(client_secret),
            Some(app_key),
            Some(tenant_id),
            Some(environment),
            Some(auth_url),
            Some(api_url),
            Some(timezone),
            Some(enterprise_hub),
        ) = (
            client_id,
            client_secret,
            app_key,
            tenant_id,
            environment,
            auth_url,
            api_url,
            timezone,
            enterprise_hub,
        )
        else {
            unreachable!("a missing value always records an error");
        };
        record(Key::ClientId, client_id.origin);
        record(Key::ClientSecret, client_secret.origin);
        record(Key::AppKey, app_key.origin);

        let (token_refresh_margin, margin_source) = match self.builder.token_refresh_margin {
            Some(margin) => (margin, Source::Builder),
            None => (DEFAULT_TOKEN_REFRESH_MARGIN, Source::Default),
        };
        if token_refresh_margin >= TOKEN_LIFETIME {
            // Not an error: a test may want a token refreshed on every call. But in production
            // it doubles the requests and eats into the token endpoint's rate limit.
            let warning = format!(
                "token_refresh_margin of {}s is not shorter than the {}s token lifetime: a new token will be fetched for every request",
                token_refresh_margin.as_secs_f64(),
                TOKEN_LIFETIME.as_secs()
            );
            tracing::warn!("{warning}");
            warnings.push(warning);
        }

        let config = Config {
            client_id: client_id.value.expose_secret().to_owned(),
            client_secret: client_secret.value,
            app_key: app_key.value,
            tenant_id,
            app_id,
            timezone,
            environment,
            auth_url,
            api_url,
            enterprise_hub,
            token_refresh_margin,
            origins,
            margin_source,
            warnings,
        };
        for (key, origin) in &config.origins {
            tracing::trace!(key = key.name(), source = %origin.source, "configuration value source");
        }
        tracing::debug!(
            tenant_id = config.tenant_id,
            environment = %config.environment,
            enterprise_hub = config.enterprise_hub,
            "resolved ServiceTitan configuration"
        );
        Ok(config)
    }
}

/// The lifetime of a ServiceTitan access token (`expires_in` is 900 s).
const TOKEN_LIFETIME: Duration = Duration::from_secs(900);

fn parse_tenant_id(text: &str) -> Result<i64, String> {
    if text
        .chars()
        .any(|c| !c.is_ascii_digit() && c != '-' && c != '+')
    {
        return Err("it contains characters other than digits".to_owned());
    }
    match text.parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        Ok(_) => Err("it must be greater than zero".to_owned()),
        Err(err) => Err(match err.kind() {
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                "it is too large".to_owned()
            }
            _ => err.to_string(),
        }),
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// An absolute http(s) URL with a host. `localhost:8080` parses as a URL with scheme
/// `localhost`, hence the explicit scheme check.
fn parse_base_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|err| err.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "the scheme is {:?}, not http or https (did you leave out \"http://\"?)",
            url.scheme()
        ));
    }
    if url.host().is_none() {
        return Err("it has no host".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("a base URL cannot have a query or fragment".to_owned());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids() {
        assert_eq!(parse_tenant_id("1234567890"), Ok(1234567890));
        assert!(parse_tenant_id("12a").unwrap_err().contains("digits"));
        assert!(parse_tenant_id("0")
            .unwrap_err()
            .contains("greater than zero"));
        assert!(parse_tenant_id("-5")
            .unwrap_err()
            .contains("greater than zero"));
        assert!(parse_tenant_id("99999999999999999999")
            .unwrap_err()
            .contains("too large"));
    }

    #[test]
    fn bools() {
        for (text, expected) in [
            ("true", Some(true)),
            ("TRUE", Some(true)),
            ("1", Some(true)),
            ("false", Some(false)),
            ("0", Some(false)),
            ("yes", None),
            ("", None),
        ] {
            assert_eq!(parse_bool(text), expected, "{text}");
        }
    }

    #[test]
    fn base_urls() {
        assert!(parse_base_url("http://127.0.0.1:8080").is_ok());
        assert!(parse_base_url("https://proxy.example/servicetitan/").is_ok());
        assert!(parse_base_url("localhost:8080")
            .unwrap_err()
            .contains("not http or https"));
        assert!(parse_base_url("ftp://x").is_err());
        assert!(parse_base_url("http://x/?a=1").is_err());
        assert!(parse_base_url("not a url").is_err());
    }
}
