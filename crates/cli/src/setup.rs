//! From the global options (`--config-file`, `--profile`, `--tenant`, `--mock`) to the
//! library's [`ClientBuilder`]: the CLI resolves nothing itself, so every value follows the
//! library's precedence (builder → config file profile → file → environment → `.env`).

use clap::{Arg, ArgAction, ArgMatches, Command};
use servicetitan_core::config::ConfigBuilder;
use servicetitan_core::{Client, ClientBuilder, Config};
use std::path::PathBuf;

/// The global options, read from the command line.
#[derive(Clone, Debug, Default)]
pub struct Global {
    /// A JSON config file (servicepytan's format, with optional `profiles`).
    pub config_file: Option<PathBuf>,
    /// The profile (section of the config file) to use.
    pub profile: Option<String>,
    /// Another tenant, with the same credentials (Enterprise Hub).
    pub tenant: Option<i64>,
    /// Every `--tenant` given (`st sync` takes several).
    pub tenants: Vec<i64>,
    /// Run against an in-process mock ServiceTitan.
    pub mock: bool,
}

/// The global arguments, shared by every command.
pub fn args(command: Command) -> Command {
    command
        .arg(
            Arg::new("config-file")
                .long("config-file")
                .global(true)
                .value_name("FILE")
                .env("ST_CONFIG_FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help("JSON config file (servicepytan's format; sections under \"profiles\")"),
        )
        .arg(
            Arg::new("profile")
                .long("profile")
                .global(true)
                .value_name("NAME")
                .help("Profile of the config file to use (else SERVICETITAN_PROFILE)"),
        )
        .arg(
            Arg::new("tenant")
                .long("tenant")
                .global(true)
                .value_name("ID")
                .action(ArgAction::Append)
                .value_parser(clap::value_parser!(i64))
                .help("Call another tenant with the same credentials (Enterprise Hub)"),
        )
        .arg(
            Arg::new("mock")
                .long("mock")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Run against an in-process mock ServiceTitan (no credentials needed)"),
        )
}

impl Global {
    /// Reads the global options from parsed arguments.
    pub fn from_matches(matches: &ArgMatches) -> Global {
        Global {
            config_file: matches.get_one::<PathBuf>("config-file").cloned(),
            profile: matches.get_one::<String>("profile").cloned(),
            tenant: matches.get_one::<i64>("tenant").copied(),
            tenants: matches
                .get_many::<i64>("tenant")
                .into_iter()
                .flatten()
                .copied()
                .collect(),
            mock: matches.get_flag("mock"),
        }
    }

    /// The configuration builder with the file and profile chosen (the rest from the
    /// environment and `.env`, resolved by the library).
    pub fn config_builder(&self) -> ConfigBuilder {
        let mut builder = Config::builder();
        if let Some(file) = &self.config_file {
            builder = builder.config_file(file);
        }
        if let Some(profile) = &self.profile {
            builder = builder.profile(profile);
        }
        builder
    }

    /// The CLI's runtime settings on a client builder (its user agent).
    pub fn runtime(&self, builder: ClientBuilder) -> ClientBuilder {
        builder.user_agent_suffix(concat!("st/", env!("CARGO_PKG_VERSION")))
    }

    /// The client for this run, bound to `--tenant` when given.
    pub fn client(&self, builder: ClientBuilder) -> Result<Client, crate::Failure> {
        let client = builder.build()?;
        Ok(match self.tenant {
            Some(tenant) => client.tenant(tenant),
            None => client,
        })
    }
}
