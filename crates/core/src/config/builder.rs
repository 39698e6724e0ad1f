//! [`ConfigBuilder`]: values set in code, and loading the other sources (the JSON file, the
//! environment, the `.env` file) for the resolution in [`super::assemble`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::error::{Checked, ConfigError};
use super::file::FileLayer;
use super::layers::Layers;
use super::profile;
use super::report::mask_url_text;
use super::source::{DotEnvFile, EnvSource};
use super::Config;

/// Builds a [`Config`] from values set in code, a JSON file and the environment.
///
/// Priority, per field, highest first: builder → [`config_file`](Self::config_file) (the chosen
/// [`profile`](Self::profile)'s section, then the file's top level) → environment → `.env`. A
/// value missing (or empty) in one source falls through to the next.
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
    pub(super) client_id: Option<String>,
    pub(super) client_secret: Option<SecretString>,
    pub(super) app_key: Option<SecretString>,
    pub(super) app_id: Option<String>,
    pub(super) tenant_id: Option<i64>,
    pub(super) timezone: Option<String>,
    pub(super) environment: Option<String>,
    pub(super) auth_url: Option<String>,
    pub(super) api_url: Option<String>,
    pub(super) enterprise_hub: Option<bool>,
    pub(super) redis_url: Option<SecretString>,
    pub(super) token_refresh_margin: Option<Duration>,
    pub(super) profile: Option<String>,
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

    /// The API environment (`SERVICETITAN_API_ENVIRONMENT`): an [`Environment`](super::Environment) or its name,
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

    /// The Redis that shares the rate budget and the token with other processes
    /// (`SERVICETITAN_REDIS_URL`, e.g. `redis://:password@host:6379/0`); see
    /// [`ClientBuilder::redis`](crate::ClientBuilder::redis).
    pub fn redis_url(mut self, url: impl AsRef<str>) -> Self {
        self.redis_url = Some(SecretString::from(url.as_ref().to_owned()));
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

    /// Uses the section `name` under `"profiles"` of the [`config_file`](Self::config_file)
    /// (`SERVICETITAN_PROFILE`), e.g. one per tenant or environment. Its values rank above the
    /// file's top-level keys, which act as defaults for every profile (an app key shared by all
    /// tenants, say); builder values still rank above both. An unknown name is an error listing
    /// the profiles the file has.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
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
        let file = match &self.config_file {
            Some(path) => Some(FileLayer::load(&self.anchored(path))?),
            None => None,
        };
        let mut warnings = Vec::new();
        let (dotenv, dotenv_skipped) = self.load_dotenv(&mut warnings)?;
        tracing::trace!(
            config_file = ?file.as_ref().map(|f| &f.path),
            dotenv = ?dotenv.as_ref().map(|d| &d.path),
            env = ?self.env_source,
            "resolving ServiceTitan configuration"
        );
        let profile = profile::choose(
            self.profile.as_deref(),
            &self.env_source,
            dotenv.as_ref(),
            file.as_ref(),
        )?;
        let layers = Layers {
            file: file.as_ref(),
            profile: profile.as_ref(),
            env: &self.env_source,
            dotenv: dotenv.as_ref(),
            dotenv_skipped,
        };
        for warning in layers.unknown_variable_warnings() {
            tracing::warn!("{warning}");
            warnings.push(warning);
        }
        super::assemble::assemble(&self, &layers, warnings)
    }

    /// Relative paths follow an explicit working directory; otherwise the OS resolves them
    /// against the process's current directory, as any other path would be.
    fn anchored(&self, path: &Path) -> PathBuf {
        match &self.working_dir {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path.to_owned(),
        }
    }

    /// The `.env` file to read, or why none is (for "missing" errors).
    fn load_dotenv(
        &self,
        warnings: &mut Vec<String>,
    ) -> Result<(Option<DotEnvFile>, Option<Checked>), ConfigError> {
        let path = match &self.dotenv {
            DotEnvChoice::Disabled => return Ok((None, None)),
            // Asked for by name: any problem with it is an error.
            DotEnvChoice::Path(path) => {
                return Ok((Some(DotEnvFile::load(&self.anchored(path))?), None))
            }
            DotEnvChoice::Auto => match &self.working_dir {
                Some(dir) => dir.join(".env"),
                None => match std::env::current_dir() {
                    Ok(dir) => dir.join(".env"),
                    Err(_) => {
                        tracing::debug!("current directory unknown; no .env file is read");
                        return Ok((None, None));
                    }
                },
            },
        };
        match DotEnvFile::load(&path) {
            Ok(file) => Ok((Some(file), None)),
            // The default location is optional; its absence is mentioned only if a required
            // value turns out to be missing.
            Err(ConfigError::DotEnvNotFound { path }) => {
                Ok((None, Some(Checked::DotEnvAbsent(path))))
            }
            // A `./.env` is often shared with other tools that accept syntax dotenvy does not
            // (docker compose takes unquoted spaces). Refusing to start over it would punish
            // users who configure everything else, so it is skipped with a warning, and named
            // if a required value is missing.
            Err(err) => {
                let reason = err.to_string();
                tracing::warn!("ignoring {reason}");
                warnings.push(format!("ignoring {reason}"));
                Ok((None, Some(Checked::DotEnvUnusable { path, reason })))
            }
        }
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
            .field(
                "redis_url",
                &self
                    .redis_url
                    .as_ref()
                    .map(|u| mask_url_text(u.expose_secret())),
            )
            .field("token_refresh_margin", &self.token_refresh_margin)
            .field("profile", &self.profile)
            .field("config_file", &self.config_file)
            .field("env_source", &self.env_source)
            .field("dotenv", &self.dotenv)
            .field("working_dir", &self.working_dir)
            .finish()
    }
}
