//! The one per-setting resolver (the aws-config model): a setting's value is the first
//! non-empty one of builder → file (profile section, then top level) → environment → `.env`,
//! parsed by the setting's own parser, or its default; the result records where it came from.
//! Every setting goes through [`Layers::resolve`]; only the parsers and defaults differ.

use std::collections::BTreeMap;

use secrecy::{ExposeSecret, SecretString};

use super::error::ConfigError;
use super::keys::Key;
use super::layers::Layers;
use super::source::Source;
use super::Origin;

/// A builder's value for a setting.
pub(super) enum Raw<T> {
    /// Text (`timezone("EST")`): trimmed and parsed like the text of any other source.
    Text(SecretString),
    /// A typed value (`tenant_id(42)`, `enterprise_hub(true)`): only checked, never printed
    /// and parsed back.
    Typed(T),
}

/// A parsed value and anything worth noting about how it was read.
pub(super) struct Parsed<T> {
    pub(super) value: T,
    pub(super) note: Option<String>,
}

impl<T> Parsed<T> {
    pub(super) fn plain(value: T) -> Self {
        Parsed { value, note: None }
    }
}

/// What applies when no source has a value.
pub(super) enum Fallback<T> {
    /// Nothing: the setting is required, its absence an error.
    Required,
    /// This value, reported as the default (with a note such as "from environment integration").
    Default(T, Option<String>),
    /// Nothing, and no error: the default depends on a setting that already failed.
    Unavailable,
}

/// Text → value, or the error naming the text's source.
pub(super) type Parser<'a, T> = &'a dyn Fn(&str, &Source) -> Result<Parsed<T>, ConfigError>;

/// One setting: its key, the builder's value, how text is parsed, how a typed builder value is
/// checked, and the fallback.
pub(super) struct Setting<'a, T> {
    pub(super) key: Key,
    pub(super) builder: Option<Raw<T>>,
    pub(super) parse: Parser<'a, T>,
    pub(super) check: fn(T) -> Result<T, ConfigError>,
    pub(super) fallback: Fallback<T>,
}

impl<'a, T> Setting<'a, T> {
    /// A setting the builder holds as text (or not at all).
    pub(super) fn text(key: Key, builder: Option<SecretString>, parse: Parser<'a, T>) -> Self {
        Setting {
            key,
            builder: builder.map(Raw::Text),
            parse,
            check: Ok,
            fallback: Fallback::Required,
        }
    }

    /// A setting the builder holds typed, checked by `check`.
    pub(super) fn typed(
        key: Key,
        builder: Option<T>,
        parse: Parser<'a, T>,
        check: fn(T) -> Result<T, ConfigError>,
    ) -> Self {
        Setting {
            key,
            builder: builder.map(Raw::Typed),
            parse,
            check,
            fallback: Fallback::Required,
        }
    }

    pub(super) fn or(mut self, fallback: Fallback<T>) -> Self {
        self.fallback = fallback;
        self
    }
}

/// What resolution found along the way: each setting's origin, errors, warnings.
#[derive(Default)]
pub(super) struct Findings {
    pub(super) origins: BTreeMap<Key, Origin>,
    /// Problems with the sources (missing, unreadable), listed before problems with values, as
    /// a user fixes "where" before "what".
    sourcing: Vec<ConfigError>,
    values: Vec<ConfigError>,
    pub(super) warnings: Vec<String>,
}

impl Findings {
    pub(super) fn new(warnings: Vec<String>) -> Self {
        Findings {
            warnings,
            ..Findings::default()
        }
    }

    pub(super) fn warn(&mut self, warning: String) {
        tracing::warn!("{warning}");
        self.warnings.push(warning);
    }

    /// Every error found, one as is and several as [`ConfigError::Multiple`]; `Ok` if none.
    pub(super) fn errors(&mut self) -> Result<(), ConfigError> {
        let mut errors = std::mem::take(&mut self.sourcing);
        errors.append(&mut self.values);
        ConfigError::collect(errors)
    }
}

/// The value a source holds for a key, after trimming.
struct Candidate {
    source: Source,
    value: SecretString,
    note: Option<String>,
}

impl Layers<'_> {
    /// Resolves one setting; its origin, warnings and errors go to `findings`. `None` means an
    /// error was recorded (or the fallback is [`Fallback::Unavailable`]).
    pub(super) fn resolve<T>(&self, setting: Setting<'_, T>, findings: &mut Findings) -> Option<T> {
        let key = setting.key;
        let (candidate, empty_in) = match self.first_non_empty(key, setting.builder, findings) {
            Ok(found) => found,
            Err(err) => {
                findings.sourcing.push(err);
                return None;
            }
        };
        let outcome = match candidate {
            Some(Found::Typed(value)) => {
                (setting.check)(value).map(|value| (value, Origin::from(Source::Builder)))
            }
            Some(Found::Text(c)) => (setting.parse)(c.value.expose_secret(), &c.source)
                .map(|parsed| (parsed.value, origin_of(c.source, c.note, parsed.note))),
            None => return self.fall_back(key, setting.fallback, empty_in, findings),
        };
        match outcome {
            Ok((value, origin)) => {
                findings.origins.insert(key, origin);
                Some(value)
            }
            Err(err) => {
                findings.values.push(err);
                None
            }
        }
    }

    /// No source has a value: the default, or nothing and (for a required key) an error.
    fn fall_back<T>(
        &self,
        key: Key,
        fallback: Fallback<T>,
        empty_in: Vec<Source>,
        findings: &mut Findings,
    ) -> Option<T> {
        match fallback {
            Fallback::Default(value, note) => {
                let origin = Origin {
                    source: Source::Default,
                    note,
                };
                findings.origins.insert(key, origin);
                Some(value)
            }
            Fallback::Unavailable => None,
            Fallback::Required => {
                findings.sourcing.push(ConfigError::Missing {
                    key,
                    checked: self.checked(),
                    empty_in,
                    hint: self.near_miss(key).or_else(|| self.profile_hint(key)),
                });
                None
            }
        }
    }

    /// The builder's value if it has one, else the first non-empty candidate of the other
    /// sources; plus the sources where the key was present but empty.
    fn first_non_empty<T>(
        &self,
        key: Key,
        builder: Option<Raw<T>>,
        findings: &mut Findings,
    ) -> Result<(Option<Found<T>>, Vec<Source>), ConfigError> {
        let lower = self.candidates(key)?;
        let texts = match builder {
            Some(Raw::Typed(value)) => return Ok((Some(Found::Typed(value)), Vec::new())),
            Some(Raw::Text(value)) => Some((Source::Builder, value)),
            None => None,
        };
        let mut empty_in = Vec::new();
        for (source, value) in texts.into_iter().chain(lower) {
            match trimmed(key, source, value) {
                Err(source) => empty_in.push(source),
                Ok((candidate, warning)) => {
                    if let Some(warning) = warning {
                        findings.warn(warning);
                    }
                    return Ok((Some(Found::Text(candidate)), empty_in));
                }
            }
        }
        Ok((None, empty_in))
    }
}

enum Found<T> {
    Typed(T),
    Text(Candidate),
}

/// The value without surrounding whitespace, and a warning if it looks quoted; `Err(source)` if
/// it is empty.
fn trimmed(
    key: Key,
    source: Source,
    value: SecretString,
) -> Result<(Candidate, Option<String>), Source> {
    let raw = value.expose_secret();
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        tracing::debug!(key = key.name(), source = %source, "ignoring empty configuration value");
        return Err(source);
    }
    let was_trimmed = trimmed.len() != raw.len();
    if was_trimmed {
        // The seed's checklist warns of trailing spaces; they break credentials silently.
        // Only the key and source are logged, never the value.
        tracing::debug!(key = key.name(), source = %source, "trimmed surrounding whitespace from configuration value");
    }
    // `KEY="value"` copied from a .env file into Docker's `--env-file`, a systemd unit or a
    // JSON string keeps the quotes as part of the value, and the credentials then fail with an
    // unhelpful 401. dotenvy removes quotes itself, so .env is not suspect.
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
    let candidate = Candidate {
        note: was_trimmed.then(|| "surrounding whitespace trimmed".to_owned()),
        value: if was_trimmed {
            SecretString::from(trimmed.to_owned())
        } else {
            value
        },
        source,
    };
    Ok((candidate, warning))
}

/// The origin of a parsed value: its source and the notes of trimming and of parsing.
fn origin_of(source: Source, trim_note: Option<String>, parse_note: Option<String>) -> Origin {
    let note = match (trim_note, parse_note) {
        (Some(prev), Some(note)) => Some(format!("{prev}; {note}")),
        (prev, note) => prev.or(note),
    };
    Origin { source, note }
}

impl From<Source> for Origin {
    fn from(source: Source) -> Self {
        Origin { source, note: None }
    }
}
