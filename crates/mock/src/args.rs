//! The mock's settings as command-line flags and `SERVICETITAN_MOCK_*` variables: one clap
//! definition ([`MockArgs`]) that the `servicetitan-mock` binary parses, `st mock` flattens into
//! its own command and [`MockConfig::from_env`] reads. Defaults are [`MockConfig::default`]'s
//! (except the port, see [`DEFAULT_PORT`]), so each setting is declared once. The tenant is not
//! among them: `st` has a global `--tenant` of its own, which `st mock` applies; the binary
//! declares `--tenant` itself.

use crate::config::MockConfig;
use crate::report_flow::ReportFlow;
use std::time::Duration;

/// The port the commands listen on by default: a fixed one a shell can be pointed at
/// ([`MockConfig::default`], for tests, takes any free port).
pub const DEFAULT_PORT: u16 = 8787;

fn defaults() -> MockConfig {
    MockConfig::default()
}

/// Every knob of a mock, as flags with `SERVICETITAN_MOCK_*` variables.
#[derive(Clone, Debug, PartialEq, clap::Args)]
pub struct MockArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, env = "SERVICETITAN_MOCK_PORT", value_name = "N", default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Seed of the generated data (same seed, same records).
    #[arg(long, env = "SERVICETITAN_MOCK_SEED", value_name = "N", default_value_t = defaults().seed)]
    pub seed: u64,
    /// Records in every collection (lists and exports).
    #[arg(long, env = "SERVICETITAN_MOCK_RECORDS", value_name = "N", default_value_t = defaults().records)]
    pub records: u64,
    /// Requests per second per tenant before 429 (0: unlimited).
    #[arg(long, env = "SERVICETITAN_MOCK_RATE_LIMIT", value_name = "N",
          default_value_t = defaults().faults.rate_limit.unwrap_or(0))]
    pub rate_limit: u32,
    /// Report runs per minute per report before 429 (0: unlimited).
    #[arg(long, env = "SERVICETITAN_MOCK_REPORT_LIMIT", value_name = "N",
          default_value_t = defaults().faults.report_limit.unwrap_or(0))]
    pub report_limit: u32,
    /// Share of API requests answered with a 502/503 (0–1).
    #[arg(long, env = "SERVICETITAN_MOCK_ERROR_RATE", value_name = "SHARE",
          default_value_t = defaults().faults.error_rate)]
    pub error_rate: f64,
    /// Share of API requests answered with a spurious 429 (0–1).
    #[arg(long, env = "SERVICETITAN_MOCK_THROTTLE_RATE", value_name = "SHARE",
          default_value_t = defaults().faults.throttle_rate)]
    pub throttle_rate: f64,
    /// Milliseconds added before every answer.
    #[arg(long, env = "SERVICETITAN_MOCK_LATENCY_MS", value_name = "MS",
          default_value_t = defaults().faults.latency.as_millis() as u64)]
    pub latency_ms: u64,
    /// Lifetime of issued tokens in seconds (the API's is 900).
    #[arg(long, env = "SERVICETITAN_MOCK_TOKEN_LIFETIME_S", value_name = "S",
          default_value_t = defaults().faults.token_lifetime.as_secs())]
    pub token_lifetime: u64,
    /// Answer with the API's known drift: unknown fields, unlisted enum values, nulls in
    /// required fields, dates without offset or with 7 fraction digits.
    #[arg(long, env = "SERVICETITAN_MOCK_DRIFT")]
    pub drift: bool,
    /// Records per export batch.
    #[arg(long, env = "SERVICETITAN_MOCK_EXPORT_BATCH", value_name = "N",
          default_value_t = defaults().export_batch)]
    pub export_batch: u64,
    /// How report data is served (the live API's query flow).
    #[command(flatten)]
    pub reports: ReportFlow,
}

impl MockArgs {
    /// The flags with nothing given: each from its `SERVICETITAN_MOCK_*` variable, else its
    /// default. A value that does not parse is an error naming the variable.
    pub fn parse_from_env() -> Result<MockArgs, String> {
        use clap::{Args, FromArgMatches};
        let command = MockArgs::augment_args(clap::Command::new("mock").no_binary_name(true));
        let matches = command
            .try_get_matches_from(Vec::<String>::new())
            .map_err(|e| e.to_string())?;
        MockArgs::from_arg_matches(&matches).map_err(|e| e.to_string())
    }

    /// The configuration these settings describe (the rest: [`MockConfig::default`]'s).
    pub fn config(&self) -> MockConfig {
        let limit = |n: u32| (n > 0).then_some(n);
        MockConfig::default()
            .port(self.port)
            .seed(self.seed)
            .records(self.records)
            .rate_limit(limit(self.rate_limit))
            .report_limit(limit(self.report_limit))
            .error_rate(self.error_rate)
            .throttle_rate(self.throttle_rate)
            .latency(Duration::from_millis(self.latency_ms))
            .token_lifetime(Duration::from_secs(self.token_lifetime))
            .drift(self.drift)
            .export_batch(self.export_batch)
            .reports(self.reports.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        mock: MockArgs,
    }

    /// The flags that describe `c` (the inverse of [`MockArgs::config`]).
    fn from_config(c: &MockConfig) -> MockArgs {
        MockArgs {
            port: DEFAULT_PORT,
            seed: c.seed,
            records: c.records,
            rate_limit: c.faults.rate_limit.unwrap_or(0),
            report_limit: c.faults.report_limit.unwrap_or(0),
            error_rate: c.faults.error_rate,
            throttle_rate: c.faults.throttle_rate,
            latency_ms: c.faults.latency.as_millis() as u64,
            token_lifetime: c.faults.token_lifetime.as_secs(),
            drift: c.faults.drift,
            export_batch: c.export_batch,
            reports: c.reports.clone(),
        }
    }

    #[test]
    fn no_flags_is_the_default_configuration_on_the_default_port() {
        let args = Cli::try_parse_from(["mock"]).unwrap().mock;
        // Unless the environment sets a knob (CI does not), the defaults are the config's.
        if std::env::vars().any(|(k, _)| k.starts_with("SERVICETITAN_MOCK_")) {
            return;
        }
        assert_eq!(args.config(), MockConfig::default().port(DEFAULT_PORT));
        assert_eq!(args, from_config(&MockConfig::default()));
    }

    #[test]
    fn flags_reach_the_configuration() {
        let args = Cli::try_parse_from([
            "mock",
            "--port",
            "0",
            "--records",
            "7",
            "--rate-limit",
            "0",
            "--report-limit",
            "3",
            "--latency-ms",
            "15",
            "--drift",
            "--report-polls",
            "0",
        ])
        .unwrap()
        .mock;
        let c = args.config();
        assert_eq!((c.port, c.records), (0, 7));
        assert_eq!(
            (c.faults.rate_limit, c.faults.report_limit),
            (None, Some(3))
        );
        assert_eq!(c.faults.latency, Duration::from_millis(15));
        assert!(c.faults.drift);
        assert_eq!(c.reports.polls, 0);
    }
}
