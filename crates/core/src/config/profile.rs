//! Choosing a profile: a named section of the configuration file, one per tenant or environment.
//!
//! The name comes from [`ConfigBuilder::profile`](super::ConfigBuilder::profile), else
//! `SERVICETITAN_PROFILE` in the environment, else in `.env` (the file cannot name its own
//! section). Within the chosen section every setting follows the usual per-field precedence;
//! the file's top-level keys are the defaults of every profile.

use secrecy::ExposeSecret;

use super::error::ConfigError;
use super::file::FileLayer;
use super::source::{DotEnvFile, EnvSource, EnvValue, Source};

/// The variable that names the profile.
pub(crate) const PROFILE_VAR: &str = "SERVICETITAN_PROFILE";

/// The profile in use and where its name came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Chosen {
    pub(crate) name: String,
    pub(crate) origin: Source,
}

/// The profile the sources ask for, checked against the file's sections.
pub(super) fn choose(
    builder: Option<&str>,
    env: &EnvSource,
    dotenv: Option<&DotEnvFile>,
    file: Option<&FileLayer>,
) -> Result<Option<Chosen>, ConfigError> {
    let Some(chosen) = requested(builder, env, dotenv)? else {
        return Ok(None);
    };
    let Some(file) = file else {
        return Err(ConfigError::ProfileWithoutFile {
            profile: chosen.name,
            origin: chosen.origin,
        });
    };
    if file.profiles.contains_key(&chosen.name) {
        tracing::debug!(profile = %chosen.name, source = %chosen.origin, "configuration profile chosen");
        return Ok(Some(chosen));
    }
    Err(ConfigError::UnknownProfile {
        available: file.profile_names().map(str::to_owned).collect(),
        path: file.path.clone(),
        profile: chosen.name,
        origin: chosen.origin,
    })
}

/// The first non-empty name, highest priority first (surrounding whitespace ignored).
fn requested(
    builder: Option<&str>,
    env: &EnvSource,
    dotenv: Option<&DotEnvFile>,
) -> Result<Option<Chosen>, ConfigError> {
    let from_env = match env.get(PROFILE_VAR) {
        EnvValue::Present(v) => Some(v),
        EnvValue::Absent => None,
        EnvValue::NotUnicode => {
            return Err(ConfigError::ProfileNotUnicode {
                origin: Source::Env,
            })
        }
    };
    let from_dotenv = dotenv.and_then(|d| {
        d.get(PROFILE_VAR)
            .map(|v| (Source::DotEnv(d.path.clone()), v.expose_secret().to_owned()))
    });
    let chosen = [
        builder.map(|b| (Source::Builder, b.to_owned())),
        from_env.map(|v| (Source::Env, v)),
        from_dotenv,
    ]
    .into_iter()
    .flatten()
    .find_map(|(origin, name)| {
        let name = name.trim();
        (!name.is_empty()).then(|| Chosen {
            name: name.to_owned(),
            origin,
        })
    });
    Ok(chosen)
}
