//! What a mock serves and how it misbehaves: [`MockConfig`], built in code, or from flags and
//! the `SERVICETITAN_MOCK_*` environment through [`crate::MockArgs`].

use std::fmt;
use std::time::Duration;

/// The credentials the mock accepts (and hands to clients wired to it). They are test values,
/// not secrets, but `Debug` still masks the secret like the SDK does.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: String,
    /// Application key expected in `ST-App-Key`.
    pub app_key: String,
    /// The tenant the credentials belong to.
    pub tenant_id: i64,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            client_id: "cid.mock-client".into(),
            client_secret: "cs1.mock-secret".into(),
            app_key: "ak1.mock-app-key".into(),
            tenant_id: 1_234_567,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("app_key", &"***")
            .field("tenant_id", &self.tenant_id)
            .finish()
    }
}

/// Faults and realism knobs.
#[derive(Clone, Debug, PartialEq)]
pub struct Faults {
    /// Requests per second per tenant before 429 (`None`: unlimited). The API's rule is 60.
    pub rate_limit: Option<u32>,
    /// Report-data requests per minute per (tenant, report) before 429 (`None`: unlimited).
    pub report_limit: Option<u32>,
    /// Share (0–1) of API requests answered with a 5xx.
    pub error_rate: f64,
    /// Share (0–1) of API requests answered with a spurious 429.
    pub throttle_rate: f64,
    /// Delay added before every answer.
    pub latency: Duration,
    /// Lifetime of issued tokens (the API's is 900 s).
    pub token_lifetime: Duration,
    /// Write the API's known drift into responses.
    pub drift: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            rate_limit: Some(60),
            report_limit: Some(5),
            error_rate: 0.0,
            throttle_rate: 0.0,
            latency: Duration::ZERO,
            token_lifetime: Duration::from_secs(900),
            drift: false,
        }
    }
}

/// Everything a [`crate::MockServer`] needs; `MockConfig::default()` is a quiet mock with the
/// API's limits, 250 records per collection and seed 1.
#[derive(Clone, Debug, PartialEq)]
pub struct MockConfig {
    /// Port on 127.0.0.1 (0: any free port).
    pub port: u16,
    /// Seed of the generated data.
    pub seed: u64,
    /// Records in every collection (lists, exports).
    pub records: u64,
    /// Accepted credentials.
    pub credentials: Credentials,
    /// Further tenants the credentials may call (Enterprise Hub).
    pub extra_tenants: Vec<i64>,
    /// Faults and limits.
    pub faults: Faults,
    /// Records per export batch.
    pub export_batch: u64,
    /// Largest `pageSize` accepted (the API's is 5000; more is a 400).
    pub max_page_size: u64,
    /// Entries kept in the request log (oldest dropped first).
    pub request_log: usize,
    /// How report data is served (the live query flow's knobs).
    pub reports: crate::report_flow::ReportFlow,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            port: 0,
            seed: 1,
            records: 250,
            credentials: Credentials::default(),
            extra_tenants: Vec::new(),
            faults: Faults::default(),
            export_batch: 1000,
            max_page_size: 5000,
            request_log: 10_000,
            reports: crate::report_flow::ReportFlow::default(),
        }
    }
}

macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty => $($field:ident).+;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: $ty) -> Self {
                self.$($field).+ = value;
                self
            }
        )*
    };
}

impl MockConfig {
    setters! {
        /// Port on 127.0.0.1 (0: any free port).
        port: u16 => port;
        /// Seed of the generated data.
        seed: u64 => seed;
        /// Records in every collection.
        records: u64 => records;
        /// Accepted credentials.
        credentials: Credentials => credentials;
        /// Further tenants the credentials may call.
        extra_tenants: Vec<i64> => extra_tenants;
        /// Requests per second per tenant before 429 (`None`: unlimited).
        rate_limit: Option<u32> => faults.rate_limit;
        /// Report-data requests per minute per report before 429 (`None`: unlimited).
        report_limit: Option<u32> => faults.report_limit;
        /// Share (0–1) of requests answered with a 5xx.
        error_rate: f64 => faults.error_rate;
        /// Share (0–1) of requests answered with a spurious 429.
        throttle_rate: f64 => faults.throttle_rate;
        /// Delay added before every answer.
        latency: Duration => faults.latency;
        /// Lifetime of issued tokens.
        token_lifetime: Duration => faults.token_lifetime;
        /// Write the API's known drift into responses.
        drift: bool => faults.drift;
        /// Records per export batch.
        export_batch: u64 => export_batch;
        /// Largest accepted `pageSize`.
        max_page_size: u64 => max_page_size;
        /// Entries kept in the request log.
        request_log: usize => request_log;
        /// How report data is served.
        reports: crate::report_flow::ReportFlow => reports;
    }

    /// The configuration the `SERVICETITAN_MOCK_*` variables describe, read by the same
    /// declarations as the commands' flags ([`MockArgs`](crate::MockArgs): `_PORT` (default
    /// 8787, like the commands'), `_SEED`, `_RECORDS`, `_RATE_LIMIT`, `_REPORT_LIMIT` (0 = off),
    /// `_ERROR_RATE`, `_THROTTLE_RATE`, `_LATENCY_MS`, `_TOKEN_LIFETIME_S`, `_DRIFT`,
    /// `_EXPORT_BATCH`, and the `_REPORT_*` knobs of
    /// [`ReportFlow`](crate::ReportFlow)); the rest as [`MockConfig::default`]. A value that does
    /// not parse is an error naming the variable.
    pub fn from_env() -> Result<MockConfig, String> {
        crate::args::MockArgs::parse_from_env().map(|args| args.config())
    }

    /// Every tenant the credentials may call.
    pub fn tenants(&self) -> impl Iterator<Item = i64> + '_ {
        std::iter::once(self.credentials.tenant_id).chain(self.extra_tenants.iter().copied())
    }
}
