//! Configuration errors, written to be acted on: each names the variable, the source it came
//! from and what would be accepted. No variant carries the value of a secret.

use std::fmt;
use std::path::PathBuf;

use super::environment::Environment;
use super::keys::Key;
use super::source::Source;

/// Why a configuration could not be resolved.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required setting was found in no source (empty values count as missing).
    #[error("{}", missing_message(*key, checked, empty_in, hint.as_deref()))]
    Missing {
        /// The missing setting.
        key: Key,
        /// Every source that was consulted, highest priority first.
        checked: Vec<Checked>,
        /// Sources where the key was present but empty (or only whitespace / JSON null).
        empty_in: Vec<Source>,
        /// A near-miss variable name found in one of the sources.
        hint: Option<String>,
    },

    /// `SERVICETITAN_TENANT_ID` is not a positive whole number.
    #[error("SERVICETITAN_TENANT_ID from {origin} must be a positive whole number (the tenant id shown in ServiceTitan), got {value:?}: {reason}")]
    InvalidTenantId {
        /// The rejected text (a tenant id is not a secret).
        value: String,
        /// Where it came from.
        origin: Source,
        /// What is wrong with it.
        reason: String,
    },

    /// `SERVICETITAN_API_ENVIRONMENT` is neither `production` nor `integration`.
    #[error("SERVICETITAN_API_ENVIRONMENT from {origin}: unknown API environment {value:?}; valid values are: production, integration (case-insensitive){}", suggestion.map(|s| format!("; did you mean {s}?")).unwrap_or_default())]
    UnknownEnvironment {
        /// The rejected text.
        value: String,
        /// Where it came from.
        origin: Source,
        /// The valid environment it most resembles.
        suggestion: Option<Environment>,
    },

    /// `SERVICETITAN_TIMEZONE` is neither an IANA name nor a known abbreviation.
    #[error("SERVICETITAN_TIMEZONE from {origin}: unknown timezone {value:?}; use an IANA name such as America/New_York (case-sensitive) or one of EST, CST, MST, PST, EDT, CDT, MDT, PDT, UTC, GMT{}", suggestion.map(|s| format!("; did you mean {s}?")).unwrap_or_default())]
    UnknownTimezone {
        /// The rejected text.
        value: String,
        /// Where it came from.
        origin: Source,
        /// The IANA name it most resembles.
        suggestion: Option<&'static str>,
    },

    /// A base URL override is not an absolute http(s) URL.
    #[error("{key} from {origin} is not a valid base URL ({value:?}): {reason}; expected an absolute http:// or https:// URL such as http://127.0.0.1:8080")]
    InvalidUrl {
        /// `SERVICETITAN_AUTH_URL` or `SERVICETITAN_API_URL`.
        key: Key,
        /// The rejected text, with any password in it masked.
        value: String,
        /// Where it came from.
        origin: Source,
        /// What is wrong with it.
        reason: String,
    },

    /// A boolean setting is not one of `true`, `false`, `1`, `0`.
    #[error(
        "{key} from {origin} must be one of true, false, 1, 0 (case-insensitive), got {value:?}"
    )]
    InvalidBool {
        /// The setting.
        key: Key,
        /// The rejected text.
        value: String,
        /// Where it came from.
        origin: Source,
    },

    /// A variable of the real environment is not valid UTF-8.
    #[error("{key} from {origin} is not valid UTF-8")]
    NotUnicode {
        /// The setting.
        key: Key,
        /// Where it came from.
        origin: Source,
    },

    /// The configuration file given to the builder does not exist.
    #[error("config file {} not found", path.display())]
    FileNotFound {
        /// The path as resolved.
        path: PathBuf,
    },

    /// The configuration file exists but could not be read.
    #[error("config file {} could not be read: {message}", path.display())]
    FileRead {
        /// The path as resolved.
        path: PathBuf,
        /// The operating system's reason.
        message: String,
    },

    /// The configuration file is not valid JSON.
    #[error("config file {} is not valid JSON at line {line}, column {column}: {message}", path.display())]
    FileSyntax {
        /// The path as resolved.
        path: PathBuf,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// serde_json's description.
        message: String,
    },

    /// The configuration file is JSON but not an object of keys.
    #[error("config file {} must contain a JSON object such as {{\"SERVICETITAN_CLIENT_ID\": \"...\"}}, found {found}", path.display())]
    FileNotObject {
        /// The path as resolved.
        path: PathBuf,
        /// The JSON type found (`an array`, `a string`, …).
        found: &'static str,
    },

    /// The configuration file has keys this SDK does not know: almost always typos, which would
    /// otherwise fall through silently to the environment.
    #[error("config file {}{} has unknown {}: {}; known keys are {}", path.display(), in_profile(profile), if keys.len() == 1 { "key" } else { "keys" }, keys.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "), Key::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", "))]
    UnknownFileKeys {
        /// The path as resolved.
        path: PathBuf,
        /// The profile section they are in (`None`: the top level).
        profile: Option<String>,
        /// Each unknown key, with a suggestion when one is close.
        keys: Vec<UnknownKey>,
    },

    /// A key appears more than once in the configuration file; JSON parsers keep only the last,
    /// so an edit made to the other copy would be silently ignored.
    #[error("config file {}{}: key {key:?} appears more than once{}; keep only one", path.display(), in_profile(profile), if lines.is_empty() { String::new() } else { format!(" (lines {})", lines.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")) })]
    DuplicateFileKey {
        /// The path as resolved.
        path: PathBuf,
        /// The profile section it is in (`None`: the top level).
        profile: Option<String>,
        /// The repeated key.
        key: String,
        /// The 1-based lines it is on.
        lines: Vec<usize>,
    },

    /// A value in the configuration file has a JSON type that cannot be used for its key.
    #[error("config file {}{}: {key} must be {expected}, found {found}", path.display(), in_profile(profile))]
    InvalidFileValue {
        /// The path as resolved.
        path: PathBuf,
        /// The profile section it is in (`None`: the top level).
        profile: Option<String>,
        /// The key.
        key: Key,
        /// The JSON type found.
        found: &'static str,
        /// What would be accepted.
        expected: &'static str,
    },

    /// `"profiles"` is not an object of sections, or one section is not an object of settings.
    #[error("config file {}: {}, found {found}", path.display(), match profile { Some(p) => format!("profile {p:?} must be an object of settings such as {{\"SERVICETITAN_TENANT_ID\": 1234}}"), None => "\"profiles\" must be an object of named sections such as {\"acme\": {\"SERVICETITAN_TENANT_ID\": 1234}}".to_owned() })]
    InvalidProfiles {
        /// The path as resolved.
        path: PathBuf,
        /// The section that is not an object (`None`: `"profiles"` itself).
        profile: Option<String>,
        /// The JSON type found.
        found: &'static str,
    },

    /// The chosen profile is not a section of the configuration file.
    #[error("profile {profile:?} (SERVICETITAN_PROFILE from {origin}) is not in config file {}; {}", path.display(), profile_choices(profile, available))]
    UnknownProfile {
        /// The profile asked for.
        profile: String,
        /// Where the choice came from.
        origin: Source,
        /// The configuration file.
        path: PathBuf,
        /// The profiles the file has, sorted (the message suggests the closest).
        available: Vec<String>,
    },

    /// A profile was chosen but there is no configuration file to hold it.
    #[error("profile {profile:?} (SERVICETITAN_PROFILE from {origin}) was chosen, but no config file is set; profiles are the sections under \"profiles\" of the JSON file given with ConfigBuilder::config_file")]
    ProfileWithoutFile {
        /// The profile asked for.
        profile: String,
        /// Where the choice came from.
        origin: Source,
    },

    /// `SERVICETITAN_PROFILE` in the real environment is not valid UTF-8.
    #[error("SERVICETITAN_PROFILE from {origin} is not valid UTF-8")]
    ProfileNotUnicode {
        /// Where it came from.
        origin: Source,
    },

    /// A value sent as an HTTP header (the app key, as `ST-App-Key`) has characters a header
    /// cannot carry. The value is not shown: it is a secret.
    #[error("{key} from {origin} cannot be sent as the {header} header: {reason}; check the value for a stray line break or other pasted characters")]
    InvalidHeaderValue {
        /// The setting.
        key: Key,
        /// The header it is sent as.
        header: &'static str,
        /// Where it came from.
        origin: Source,
        /// What is wrong with it (never the value itself).
        reason: String,
    },

    /// A `.env` path was given explicitly and does not exist.
    #[error(".env file {} not found (it was set with ConfigBuilder::dotenv_path)", path.display())]
    DotEnvNotFound {
        /// The path.
        path: PathBuf,
    },

    /// The `.env` file exists but could not be read.
    #[error(".env file {} could not be read: {message}", path.display())]
    DotEnvRead {
        /// The path.
        path: PathBuf,
        /// The operating system's reason.
        message: String,
    },

    /// The `.env` file has a line dotenvy cannot parse. The line itself is not repeated: it
    /// likely holds a secret.
    #[error(".env file {} has a syntax error{}{} at column {column} (expected `KEY=value`; quote values that contain spaces, and close every quote)", path.display(), line.map(|l| format!(" on line {l}")).unwrap_or_default(), key.as_ref().map(|k| format!(" (variable {k})")).unwrap_or_default())]
    DotEnvSyntax {
        /// The path.
        path: PathBuf,
        /// 1-based line, when it could be located.
        line: Option<usize>,
        /// 1-based column within the line.
        column: usize,
        /// The variable being defined on that line, when recognisable.
        key: Option<String>,
    },

    /// More than one problem; each is listed so all can be fixed in one go.
    #[error("{} configuration problems:\n{}", .0.len(), .0.iter().map(|e| format!("  - {}", e.to_string().replace('\n', "\n    "))).collect::<Vec<_>>().join("\n"))]
    Multiple(Vec<ConfigError>),
}

impl ConfigError {
    /// The setting the error is about, when it is about one.
    pub fn key(&self) -> Option<Key> {
        match self {
            ConfigError::Missing { key, .. }
            | ConfigError::InvalidUrl { key, .. }
            | ConfigError::InvalidBool { key, .. }
            | ConfigError::NotUnicode { key, .. }
            | ConfigError::InvalidHeaderValue { key, .. }
            | ConfigError::InvalidFileValue { key, .. } => Some(*key),
            ConfigError::InvalidTenantId { .. } => Some(Key::TenantId),
            ConfigError::UnknownEnvironment { .. } => Some(Key::Environment),
            ConfigError::UnknownTimezone { .. } => Some(Key::Timezone),
            _ => None,
        }
    }

    /// The individual errors: the list of a [`ConfigError::Multiple`], or this error alone.
    pub fn errors(&self) -> &[ConfigError] {
        match self {
            ConfigError::Multiple(errors) => errors,
            other => std::slice::from_ref(other),
        }
    }

    /// One error as is, several as [`ConfigError::Multiple`], none as `Ok`.
    pub(crate) fn collect(mut errors: Vec<ConfigError>) -> Result<(), ConfigError> {
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(ConfigError::Multiple(errors)),
        }
    }
}

/// A source consulted for a missing value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Checked {
    /// The builder method.
    Builder,
    /// The JSON file.
    File(PathBuf),
    /// A profile's section of the JSON file.
    Profile {
        /// The file.
        path: PathBuf,
        /// The profile.
        profile: String,
    },
    /// The environment variable of the same name.
    Env,
    /// The `.env` file that was read.
    DotEnv(PathBuf),
    /// No `.env` file exists at this path (the default location was looked at).
    DotEnvAbsent(PathBuf),
    /// The default `.env` exists but could not be read or parsed, so it was skipped.
    DotEnvUnusable {
        /// Its path.
        path: PathBuf,
        /// Why it was skipped.
        reason: String,
    },
}

impl Checked {
    fn describe(&self, key: Key) -> String {
        match self {
            Checked::Builder => format!("builder (ConfigBuilder::{})", key.builder_method()),
            Checked::File(path) => format!("config file {}", path.display()),
            Checked::Profile { path, profile } => {
                format!("config file {} [profile {profile}]", path.display())
            }
            Checked::Env => format!("environment variable {}", key.name()),
            Checked::DotEnv(path) => format!(".env file {}", path.display()),
            Checked::DotEnvAbsent(path) => format!(".env file {} (does not exist)", path.display()),
            Checked::DotEnvUnusable { reason, .. } => format!("skipped {reason}"),
        }
    }
}

/// An unknown key of the JSON configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownKey {
    /// The key as written.
    pub key: String,
    /// The 1-based line it is on, when found.
    pub line: Option<usize>,
    /// The known key it most resembles.
    pub suggestion: Option<Key>,
}

impl fmt::Display for UnknownKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.key)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        if let Some(s) = self.suggestion {
            write!(f, " — did you mean {s}?")?;
        }
        Ok(())
    }
}

/// ` [profile name]` for an error inside a profile's section, nothing for the top level.
fn in_profile(profile: &Option<String>) -> String {
    profile
        .as_ref()
        .map(|p| format!(" [profile {p}]"))
        .unwrap_or_default()
}

fn profile_choices(profile: &str, available: &[String]) -> String {
    if available.is_empty() {
        return "the file has no profiles (named sections under \"profiles\")".to_owned();
    }
    let mut msg = format!("its profiles are: {}", available.join(", "));
    if let Some(s) = crate::suggest::did_you_mean(profile, available.iter().map(String::as_str)) {
        msg.push_str(&format!("; did you mean {s}?"));
    }
    msg
}

fn missing_message(
    key: Key,
    checked: &[Checked],
    empty_in: &[Source],
    hint: Option<&str>,
) -> String {
    let mut msg = format!(
        "missing required setting {} ({}); checked: {}",
        key.name(),
        key.description(),
        checked
            .iter()
            .map(|c| c.describe(key))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !empty_in.is_empty() {
        msg.push_str(&format!(
            "; it was present but empty in {} (empty values count as missing)",
            empty_in
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(hint) = hint {
        msg.push_str("; ");
        msg.push_str(hint);
    }
    msg.push_str(". Variable names are case-sensitive.");
    msg
}
