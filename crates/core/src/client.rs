//! The [`Client`]: built once, shared by every domain client and tenant.
//!
//! ```no_run
//! # async fn demo() -> Result<(), servicetitan_core::Error> {
//! use std::time::Duration;
//! // Credentials from SERVICETITAN_* variables (and a .env file), runtime settings in code.
//! let client = servicetitan_core::Client::builder()
//!     .request_timeout(Duration::from_secs(180))
//!     .rate_limit(Some(30))
//!     .build()?;
//! let token = client.access_token().await?; // checks the credentials
//! let other = client.tenant(987654321); // Enterprise Hub: same credentials, another tenant
//! # let _ = (token, other); Ok(()) }
//! ```

use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::auth::{ClientCredentials, TokenProvider, TokenSettings};
use crate::body::DEFAULT_MAX_RESPONSE_BYTES;
use crate::config::{Config, ConfigBuilder, EnvSource};
use crate::error::Error;
use crate::limit::{LimiterRegistry, Limits};
use crate::redact::Secrets;
use crate::retry::RetryPolicy;
use crate::shared_state::{self, Scope, SharedState};
use crate::transport::{self, app_key_header, RequestOptions, Transport, USER_AGENT_PREFIX};

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default per-request timeout: ServiceTitan allows itself 100 s for a big page
/// (`pageSize=5000`), plus time to transfer it.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// A ServiceTitan client bound to one tenant. Cheap to clone; clones share the connection pool,
/// token cache and rate limiter. `Debug` never shows the client secret, the app key or a token.
#[derive(Clone)]
pub struct Client {
    config: Arc<Config>,
    shared: Arc<Shared>,
    transport: Transport,
}

/// What every handle derived from one built client shares, whatever its tenant.
struct Shared {
    http: reqwest::Client,
    settings: Settings,
    limiters: LimiterRegistry,
    /// A user's token provider: used by the built client and its [`Client::tenant`] handles
    /// (not by [`Client::tenant_with`], whose configuration brings its own credentials).
    tokens: Option<Arc<dyn TokenProvider>>,
    /// The store sharing budgets and tokens with other processes (Redis), if any.
    shared_state: Option<Arc<dyn SharedState>>,
}

#[derive(Clone, Debug)]
struct Settings {
    request_timeout: Option<Duration>,
    retry: RetryPolicy,
    limits: Limits,
    user_agent: HeaderValue,
    max_body: u64,
}

/// What a generated domain client needs to issue requests: produced by [`Client::domain`].
/// Plumbing between the core and the generated crates, not part of the SDK's surface.
#[doc(hidden)]
#[derive(Clone, Debug)]
pub struct DomainParts {
    /// `{api}/{module base path}`, e.g. `https://api.servicetitan.io/jpm/v2`.
    pub base_url: String,
    /// The shared connection pool.
    pub http: reqwest::Client,
    /// The request pipeline (token, headers, limits, retries) of this tenant.
    pub transport: Transport,
    /// The tenant every call of the domain client is bound to.
    pub tenant_id: i64,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("tenant_id", &self.tenant_id())
            .field("environment", &self.config.environment())
            .field("api_url", &crate::redact::url(self.config.api_url()))
            .field("client_id", &self.config.client_id())
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder: credentials (explicit values, a JSON file, the environment, a `.env` file) and
    /// runtime settings (timeouts, retries, limits, user agent, connection pool).
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `SERVICETITAN_*` environment variables (and a `.env` file).
    pub fn from_env() -> Result<Client, Error> {
        Client::from_config(Config::from_env()?)
    }

    /// A client configured from a JSON file (servicepytan's format), completed by the environment.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Client, Error> {
        Client::from_config(Config::from_file(path.as_ref())?)
    }

    /// A client with default runtime settings for a resolved configuration.
    pub fn from_config(config: Config) -> Result<Client, Error> {
        ClientBuilder::default().config(config).build()
    }

    /// The tenant this client is bound to.
    pub fn tenant_id(&self) -> i64 {
        self.config.tenant_id()
    }

    /// The resolved configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The request pipeline of this tenant.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// A handle whose requests use `options` (retry policy, non-idempotent opt-in); it shares
    /// this client's token cache, limiters and connection pool. The options travel with the
    /// handle, so they hold in spawned tasks too.
    pub fn with_options(&self, options: RequestOptions) -> Client {
        Client {
            config: self.config.clone(),
            shared: self.shared.clone(),
            transport: self.transport.with_options(options),
        }
    }

    /// Parts for a generated domain client whose module is served under `base_path`
    /// (e.g. `jpm/v2`, `sales/v2`, `telecom`). Plumbing for the generated crates.
    #[doc(hidden)]
    pub fn domain(&self, base_path: &str) -> DomainParts {
        DomainParts {
            base_url: format!(
                "{}/{}",
                self.config.api_url().as_str().trim_end_matches('/'),
                base_path.trim_matches('/')
            ),
            http: self.shared.http.clone(),
            transport: self.transport.clone(),
            tenant_id: self.tenant_id(),
        }
    }

    /// A client for another tenant with the same credentials (Enterprise Hub: one client id and
    /// secret for a network of tenants). It has its own token cache and rate limiter, and shares
    /// this client's connection pool and settings.
    pub fn tenant(&self, tenant_id: i64) -> Client {
        let tokens = self.shared.tokens.clone();
        Client::assemble(
            self.config.with_tenant(tenant_id),
            self.shared.clone(),
            tokens,
        )
    }

    /// A client for a tenant with its own credentials (each tenant connected to an app gets its
    /// own client id and secret). Shares the connection pool and settings; the rate limiter is
    /// shared with every handle of the same app key and tenant.
    pub fn tenant_with(&self, config: Config) -> Client {
        Client::assemble(config, self.shared.clone(), None)
    }

    /// An access token for this tenant, from the cache or fetched (servicepytan's
    /// `get_auth_token`). Useful to check credentials at start-up, or to call an endpoint the
    /// SDK does not cover. Keep it secret: it grants the app's access until it expires (15 min).
    pub async fn access_token(&self) -> Result<SecretString, Error> {
        self.transport.access_token().await
    }

    fn assemble(
        config: Config,
        shared: Arc<Shared>,
        tokens: Option<Arc<dyn TokenProvider>>,
    ) -> Client {
        let settings = &shared.settings;
        let tenant_id = config.tenant_id();
        let secrets = Secrets::new([
            config.client_secret().expose_secret(),
            config.app_key().expose_secret(),
            config.auth_url().password().unwrap_or_default(),
            config.api_url().password().unwrap_or_default(),
        ]);
        let scope = shared.shared_state.as_ref().map(|_| Scope {
            environment: config.environment().to_string(),
            client_id: config.client_id().to_owned(),
            app_key: config.app_key().clone(),
            tenant_id,
            enterprise_hub: config.enterprise_hub(),
            requests_per_second: settings.limits.requests_per_second.map(|n| n.get()),
            report_runs_per_minute: settings.limits.report_runs_per_minute.map(|n| n.get()),
            token_refresh_margin: config.token_refresh_margin(),
        });
        let (tokens, token_source): (Arc<dyn TokenProvider>, String) = match tokens {
            Some(custom) => (custom, "the custom token provider".to_owned()),
            None => {
                let credentials = ClientCredentials::new(TokenSettings {
                    http: shared.http.clone(),
                    auth_url: config.auth_url().clone(),
                    client_id: config.client_id().to_owned(),
                    client_secret: config.client_secret().clone(),
                    hub_tenant: config.enterprise_hub().then_some(tenant_id),
                    margin: config.token_refresh_margin(),
                    timeout: settings.request_timeout,
                    environment: config.environment().to_string(),
                    secrets: secrets.clone(),
                });
                let url = format!(
                    "{}/connect/token",
                    crate::redact::url(config.auth_url()).trim_end_matches('/')
                );
                let fetch: Arc<dyn TokenProvider> = Arc::new(credentials);
                match (&shared.shared_state, &scope) {
                    (Some(store), Some(scope)) => (store.token_provider(scope, fetch), url),
                    _ => (fetch, url),
                }
            }
        };
        let shared_limiter = match (&shared.shared_state, &scope) {
            (Some(store), Some(scope)) => Some(store.limiter(scope)),
            _ => None,
        };
        let app_key = app_key_header(config.app_key().expose_secret()).map_err(|e| match e {
            Error::InvalidSetting { reason, .. } => reason,
            other => other.to_string(),
        });
        let limits =
            shared
                .limiters
                .get(fingerprint(config.app_key()), tenant_id, &settings.limits);
        let transport = Transport::new(transport::Inner {
            http: shared.http.clone(),
            tokens,
            token_source,
            app_key,
            user_agent: settings.user_agent.clone(),
            retry: settings.retry.clone(),
            request_timeout: settings.request_timeout,
            limits,
            shared_limiter,
            tenant_id,
            secrets,
            max_body: settings.max_body,
        });
        Client {
            config: Arc::new(config),
            shared,
            transport,
        }
    }
}

/// A fingerprint of the app key, to key the limiter registry without keeping the key itself.
fn fingerprint(app_key: &SecretString) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    app_key.expose_secret().hash(&mut hasher);
    hasher.finish()
}

/// Builder for [`Client`]: a [`ConfigBuilder`] for the credentials plus runtime settings.
pub struct ClientBuilder {
    config: ConfigBuilder,
    resolved: Option<Config>,
    connect_timeout: Duration,
    request_timeout: Option<Duration>,
    retry: RetryPolicy,
    limits: Limits,
    user_agent_suffix: Option<String>,
    http: Option<reqwest::ClientBuilder>,
    max_body: u64,
    tokens: Option<Arc<dyn TokenProvider>>,
    shared_state: Option<Arc<dyn SharedState>>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            config: Config::builder(),
            resolved: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: Some(DEFAULT_REQUEST_TIMEOUT),
            retry: RetryPolicy::default(),
            limits: Limits::default(),
            user_agent_suffix: None,
            http: None,
            max_body: DEFAULT_MAX_RESPONSE_BYTES,
            tokens: None,
            shared_state: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("config", &self.config)
            .field("resolved", &self.resolved)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("retry", &self.retry)
            .field("limits", &self.limits)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("custom_http_client", &self.http.is_some())
            .field("max_response_bytes", &self.max_body)
            .field("token_provider", &self.tokens)
            .field("shared_state", &self.shared_state)
            .finish()
    }
}

macro_rules! forward_config {
    ($($(#[$doc:meta])* $name:ident($ty:ty);)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: $ty) -> Self {
                self.config = self.config.$name(value);
                self
            }
        )*
    };
}

impl ClientBuilder {
    forward_config! {
        /// The OAuth client id (`SERVICETITAN_CLIENT_ID`); see [`ConfigBuilder::client_id`].
        client_id(impl Into<String>);
        /// The OAuth client secret (`SERVICETITAN_CLIENT_SECRET`).
        client_secret(impl Into<SecretString>);
        /// The application key (`SERVICETITAN_APP_KEY`), sent as `ST-App-Key`.
        app_key(impl Into<SecretString>);
        /// The application id (`SERVICETITAN_APP_ID`), optional.
        app_id(impl Into<String>);
        /// The tenant (`SERVICETITAN_TENANT_ID`).
        tenant_id(i64);
        /// The IANA time zone for date helpers (`SERVICETITAN_TIMEZONE`).
        timezone(impl Into<String>);
        /// `production` or `integration` (`SERVICETITAN_API_ENVIRONMENT`).
        environment(impl AsRef<str>);
        /// Overrides the OAuth server's base URL (`SERVICETITAN_AUTH_URL`).
        auth_url(impl AsRef<str>);
        /// Overrides the API's base URL (`SERVICETITAN_API_URL`).
        api_url(impl AsRef<str>);
        /// Enterprise Hub credentials: the token request names the tenant.
        enterprise_hub(bool);
        /// How long before expiry the token is refreshed.
        token_refresh_margin(Duration);
        /// A JSON configuration file (servicepytan's format).
        config_file(impl AsRef<Path>);
        /// The profile (section of the config file) to use (`SERVICETITAN_PROFILE`); see
        /// [`ConfigBuilder::profile`].
        profile(impl Into<String>);
        /// Where environment variables are read from (tests inject a map).
        env_source(EnvSource);
        /// The `.env` file to read.
        dotenv_path(impl AsRef<Path>);
    }

    /// Read no `.env` file.
    pub fn no_dotenv(mut self) -> Self {
        self.config = self.config.no_dotenv();
        self
    }

    /// Credentials and settings from a [`ConfigBuilder`] (replaces the builder's own).
    pub fn config_builder(mut self, config: ConfigBuilder) -> Self {
        self.config = config;
        self
    }

    /// Use an already resolved [`Config`] (the configuration setters are then ignored).
    pub fn config(mut self, config: Config) -> Self {
        self.resolved = Some(config);
        self
    }

    /// Time allowed to establish a connection (default 10 s). Not applied to a custom
    /// [`http_client`](Self::http_client), which sets its own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one request, response body included (default 120 s; ServiceTitan takes
    /// up to 100 s for a 5000-row page). `None` disables the timeout.
    pub fn request_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.request_timeout = timeout.into();
        self
    }

    /// The retry policy (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Also retry `POST`/`PATCH` calls on gateway errors and timeouts.
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry = self.retry.retry_non_idempotent(yes);
        self
    }

    /// Retry this operation id like an idempotent call although it is a `POST`/`PATCH`.
    pub fn retry_operation(mut self, operation_id: impl Into<String>) -> Self {
        self.retry = self.retry.retry_operation(operation_id);
        self
    }

    /// All client-side limits at once.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Requests per second per (app key, tenant); default 58 (ServiceTitan's 60 less a margin),
    /// lowered on a 429 and recovering gradually ([`Limits::adaptation`]); `None` turns it off.
    pub fn rate_limit(mut self, per_second: Option<u32>) -> Self {
        self.limits = self.limits.requests_per_second(per_second);
        self
    }

    /// Runs per minute of the same report per tenant; default 5, `None` turns it off.
    pub fn report_rate_limit(mut self, per_minute: Option<u32>) -> Self {
        self.limits = self.limits.report_runs_per_minute(per_minute);
        self
    }

    /// At most `max_in_flight` concurrent calls of `operation_id` per tenant.
    pub fn concurrency_limit(
        mut self,
        operation_id: impl Into<String>,
        max_in_flight: usize,
    ) -> Self {
        self.limits = self.limits.concurrency(operation_id, max_in_flight);
        self
    }

    /// Appended to the `User-Agent` (`servicetitan-rs/<version> <suffix>`), e.g. your app's name.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Build the connection pool from this `reqwest::ClientBuilder` (proxies, TLS roots, pool
    /// settings, connect timeout) instead of the default one.
    ///
    /// A builder rather than a built `reqwest::Client`, so that the SDK can keep its redirect
    /// protection: it turns reqwest's own redirect following and `Referer` off on top of your
    /// settings, and follows redirects itself, keeping `ST-App-Key` and the token on the API's
    /// origin (reqwest would send `ST-App-Key`, a header it cannot know is secret, to any host
    /// a redirect names). A built client's redirect policy cannot be inspected or changed, so
    /// one cannot be accepted safely.
    pub fn http_client(mut self, http: reqwest::ClientBuilder) -> Self {
        self.http = Some(http);
        self
    }

    /// Largest success body read, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`], 64 MiB). A larger
    /// body fails the call with [`Error::TooLarge`] instead of being held in memory. Downloads
    /// are streamed and not capped.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_body = bytes;
        self
    }

    /// Get access tokens from `provider` instead of the client-credentials flow (e.g. a token
    /// shared by many processes). Used by the built client and its [`Client::tenant`] handles;
    /// a [`Client::tenant_with`] configuration brings its own credentials.
    pub fn token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.tokens = Some(provider);
        self
    }

    /// Share the rate budget and the access token with every process using the same Redis
    /// (`SERVICETITAN_REDIS_URL`; a value set here ranks above the file and the environment).
    /// Needs a Redis connector: the facade's `redis` feature (`servicetitan::redis::install()`)
    /// or [`shared_state`](Self::shared_state). [`build`](Self::build) fails, naming the URL
    /// with its password masked, when Redis cannot be reached.
    pub fn redis(mut self, url: impl AsRef<str>) -> Self {
        self.config = self.config.redis_url(url);
        self
    }

    /// Share budgets and tokens through this store instead of the one `SERVICETITAN_REDIS_URL`
    /// names (see [`crate::shared_state`]).
    pub fn shared_state(mut self, store: Arc<dyn SharedState>) -> Self {
        self.shared_state = Some(store);
        self
    }

    /// Resolves the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let config = match self.resolved {
            Some(config) => config,
            None => self.config.resolve()?,
        };
        let user_agent = match &self.user_agent_suffix {
            Some(suffix) => format!("{USER_AGENT_PREFIX} {}", suffix.trim()),
            None => USER_AGENT_PREFIX.to_owned(),
        };
        let user_agent = HeaderValue::try_from(user_agent).map_err(|_| {
            // The suffix is the caller's own text, never a secret: safe to describe.
            Error::InvalidSetting {
                name: "user agent suffix (ClientBuilder::user_agent_suffix)",
                reason: "it contains characters not allowed in an HTTP header (CR, LF or other \
                         control characters); use printable ASCII"
                    .into(),
            }
        })?;
        // Fail now, naming the setting, rather than send a placeholder and get a 401.
        app_key_header(config.app_key().expose_secret())?;
        // A configured store that cannot be reached fails here, before any API call.
        let shared_state = match self.shared_state {
            Some(store) => Some(store),
            None => config.redis_url().map(shared_state::connect).transpose()?,
        };
        crate::install_crypto_provider();
        let http = self
            .http
            .unwrap_or_else(|| reqwest::Client::builder().connect_timeout(self.connect_timeout))
            // Redirects are followed by the transport (see transport/redirect.rs), which keeps
            // `ST-App-Key` and the token on the API's origin; no `Referer` leaks the API URL.
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .build()?;
        let shared = Arc::new(Shared {
            http,
            settings: Settings {
                request_timeout: self.request_timeout,
                retry: self.retry,
                limits: self.limits,
                user_agent,
                max_body: self.max_body,
            },
            limiters: LimiterRegistry::default(),
            tokens: self.tokens.clone(),
            shared_state,
        });
        Ok(Client::assemble(config, shared, self.tokens))
    }
}
