//! Where a value came from ([`Source`]), where environment variables are read from
//! ([`EnvSource`]), and reading a `.env` file without touching the process environment.

use std::collections::BTreeMap;
use std::env::VarError;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use secrecy::SecretString;

use super::error::ConfigError;

/// The source a resolved value came from, highest priority first.
///
/// Serializes as `{"kind": "file", "path": "…"}` / `{"kind": "env"}` /
/// `{"kind": "profile", "path": "…", "profile": "acme"}` for machine-readable reports.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// Set in code on the [`ConfigBuilder`](super::ConfigBuilder) (or by [`Config::with_tenant`](super::Config::with_tenant)).
    Builder,
    /// Read from the JSON configuration file at this path (its top level).
    File(PathBuf),
    /// Read from one profile's section of the JSON configuration file.
    Profile {
        /// The file.
        path: PathBuf,
        /// The section's name.
        profile: String,
    },
    /// Read from the (real or injected) process environment.
    Env,
    /// Read from the `.env` file at this path (beneath the real environment).
    DotEnv(PathBuf),
    /// Nobody set it; the documented default applies.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Builder => f.write_str("builder"),
            Source::File(path) => write!(f, "config file {}", path.display()),
            Source::Profile { path, profile } => {
                write!(f, "config file {} [profile {profile}]", path.display())
            }
            Source::Env => f.write_str("environment"),
            Source::DotEnv(path) => write!(f, ".env {}", path.display()),
            Source::Default => f.write_str("default"),
        }
    }
}

/// `{"kind": …}` plus the path (and profile) where there is one. Written out rather than derived
/// because serde's adjacent tagging would nest a profile's two fields under `"path"`.
impl serde::Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (kind, path, profile) = match self {
            Source::Builder => ("builder", None, None),
            Source::File(path) => ("file", Some(path), None),
            Source::Profile { path, profile } => ("profile", Some(path), Some(profile)),
            Source::Env => ("env", None, None),
            Source::DotEnv(path) => ("dotenv", Some(path), None),
            Source::Default => ("default", None, None),
        };
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kind", kind)?;
        if let Some(path) = path {
            map.serialize_entry("path", path)?;
        }
        if let Some(profile) = profile {
            map.serialize_entry("profile", profile)?;
        }
        map.end()
    }
}

/// Where environment variables are read from.
///
/// The default reads the real process environment at resolve time. Tests and embedders inject a
/// map instead, which keeps resolution free of `std::env::set_var` (process-global, and racy
/// because tests run in parallel).
///
/// ```
/// use servicetitan_core::config::EnvSource;
/// let env = EnvSource::from_map([("SERVICETITAN_TENANT_ID", "42")]);
/// ```
#[derive(Clone, Default)]
pub struct EnvSource(Inner);

#[derive(Clone, Default)]
enum Inner {
    #[default]
    Process,
    // Arc: builders are cloned freely (one per tenant), the map never changes.
    Map(Arc<BTreeMap<String, String>>),
}

/// A variable read from an [`EnvSource`].
pub(crate) enum EnvValue {
    Present(String),
    Absent,
    NotUnicode,
}

impl EnvSource {
    /// The real process environment (`std::env::var`), read when the builder resolves.
    pub fn process() -> Self {
        EnvSource(Inner::Process)
    }

    /// A fixed set of variables; nothing from the process environment is visible.
    pub fn from_map<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        EnvSource(Inner::Map(Arc::new(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )))
    }

    /// No variables at all.
    pub fn empty() -> Self {
        EnvSource::from_map(std::iter::empty::<(String, String)>())
    }

    /// Whether this reads the real process environment.
    pub fn is_process(&self) -> bool {
        matches!(self.0, Inner::Process)
    }

    pub(crate) fn get(&self, name: &str) -> EnvValue {
        match &self.0 {
            Inner::Process => match std::env::var(name) {
                Ok(v) => EnvValue::Present(v),
                Err(VarError::NotPresent) => EnvValue::Absent,
                Err(VarError::NotUnicode(_)) => EnvValue::NotUnicode,
            },
            Inner::Map(map) => match map.get(name) {
                Some(v) => EnvValue::Present(v.clone()),
                None => EnvValue::Absent,
            },
        }
    }

    /// Every variable name, for "did you mean" hints. Values are never collected.
    pub(crate) fn names(&self) -> Vec<String> {
        match &self.0 {
            Inner::Process => std::env::vars_os()
                .filter_map(|(k, _)| k.into_string().ok())
                .collect(),
            Inner::Map(map) => map.keys().cloned().collect(),
        }
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for EnvSource {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        EnvSource::from_map(iter)
    }
}

/// Shows variable names only: an injected map usually holds the secrets themselves.
impl fmt::Debug for EnvSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Inner::Process => f.write_str("EnvSource::Process"),
            Inner::Map(map) => f
                .debug_struct("EnvSource::Map")
                .field("names", &map.keys().collect::<Vec<_>>())
                .finish(),
        }
    }
}

/// The variables of one `.env` file, parsed by dotenvy but never exported to the process.
pub(crate) struct DotEnvFile {
    pub(crate) path: PathBuf,
    values: Vec<(String, SecretString)>,
}

impl DotEnvFile {
    /// Reads and parses `path`.
    ///
    /// A variable given twice keeps its first value, as `dotenvy::dotenv()` would (it never
    /// overwrites a variable that is already set).
    pub(crate) fn load(path: &Path) -> Result<DotEnvFile, ConfigError> {
        let content = match std::fs::read_to_string(path) {
            Ok(content) => content,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(ConfigError::DotEnvNotFound {
                    path: path.to_owned(),
                })
            }
            Err(err) => {
                return Err(ConfigError::DotEnvRead {
                    path: path.to_owned(),
                    message: err.to_string(),
                })
            }
        };
        // dotenvy strips a byte-order mark only in its `load*` functions, not in the iterator.
        let content = content.strip_prefix('\u{feff}').unwrap_or(&content);
        let mut values: Vec<(String, SecretString)> = Vec::new();
        for item in dotenvy::from_read_iter(content.as_bytes()) {
            match item {
                Ok((key, value)) => {
                    if !values.iter().any(|(k, _)| *k == key) {
                        values.push((key, SecretString::from(value)));
                    }
                }
                Err(dotenvy::Error::LineParse(line, index)) => {
                    return Err(line_parse_error(path, content, &line, index))
                }
                Err(err) => {
                    return Err(ConfigError::DotEnvRead {
                        path: path.to_owned(),
                        message: err.to_string(),
                    })
                }
            }
        }
        Ok(DotEnvFile {
            path: path.to_owned(),
            values,
        })
    }

    pub(crate) fn get(&self, name: &str) -> Option<&SecretString> {
        self.values.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|(k, _)| k.as_str())
    }
}

/// Turns dotenvy's parse error into one that gives line, column and variable name.
///
/// dotenvy reports either the whole offending line or just the value being parsed, plus an
/// index into that text. Either may hold a secret (`SECRET='unterminated`), so the text itself
/// never reaches an error message; it is only used to locate the line in the file.
fn line_parse_error(path: &Path, content: &str, fragment: &str, index: usize) -> ConfigError {
    let first = fragment.lines().next().unwrap_or("").trim_end();
    let located = (!first.is_empty())
        .then(|| {
            content
                .lines()
                .enumerate()
                .find_map(|(i, line)| line.find(first).map(|at| (i, line, at)))
        })
        .flatten();
    let Some((line_index, line, at)) = located else {
        return ConfigError::DotEnvSyntax {
            path: path.to_owned(),
            line: None,
            column: index + 1,
            key: None,
        };
    };
    let key = line
        .trim_start()
        .trim_start_matches("export ")
        .split('=')
        .next()
        .map(str::trim)
        .filter(|k| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        })
        .map(str::to_owned);
    ConfigError::DotEnvSyntax {
        path: path.to_owned(),
        line: Some(line_index + 1),
        column: at + index.min(first.len()) + 1,
        key,
    }
}
