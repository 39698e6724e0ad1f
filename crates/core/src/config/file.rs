//! The JSON configuration file, with the seed's keys (`{"SERVICETITAN_CLIENT_ID": "…", …}`),
//! and optional named sections under `"profiles"` (one per tenant or environment):
//!
//! ```json
//! {
//!   "SERVICETITAN_APP_KEY": "ak1.…",
//!   "profiles": {
//!     "acme": {"SERVICETITAN_TENANT_ID": 1234567, "SERVICETITAN_CLIENT_ID": "cid.…"},
//!     "acme-test": {"SERVICETITAN_API_ENVIRONMENT": "integration"}
//!   }
//! }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::error::{ConfigError, UnknownKey};
use super::keys::{self, Key};

/// The key under which a file holds its named sections.
pub(crate) const PROFILES: &str = "profiles";

/// The values of one JSON configuration file.
pub(crate) struct FileLayer {
    pub(crate) path: PathBuf,
    /// Present top-level keys; an empty string or `null` is kept as empty so "missing" errors
    /// can say so.
    pub(crate) values: BTreeMap<Key, SecretString>,
    /// The sections under `"profiles"`, by name, each read like the top level.
    pub(crate) profiles: BTreeMap<String, BTreeMap<Key, SecretString>>,
}

impl FileLayer {
    /// Reads, parses and checks the file. Unknown keys and unusable JSON types are all reported
    /// together, so a user fixes the file in one pass.
    pub(crate) fn load(path: &Path) -> Result<FileLayer, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(ConfigError::FileNotFound {
                    path: path.to_owned(),
                })
            }
            Err(err) => {
                return Err(ConfigError::FileRead {
                    path: path.to_owned(),
                    message: err.to_string(),
                })
            }
        };
        // Editors on Windows like to save JSON with a byte-order mark; serde_json rejects it.
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let value: Value = serde_json::from_str(text).map_err(|err| ConfigError::FileSyntax {
            path: path.to_owned(),
            line: err.line(),
            column: err.column(),
            // serde_json's message ends with " at line L column C", which the variant states already.
            message: strip_position(&err.to_string()),
        })?;
        let Value::Object(mut map) = value else {
            return Err(ConfigError::FileNotObject {
                path: path.to_owned(),
                found: json_type(&value),
            });
        };
        let mut errors = Vec::new();
        let profiles = match map.remove(PROFILES) {
            Some(sections) => read_profiles(path, text, sections, &mut errors),
            None => BTreeMap::new(),
        };
        let top = Region::top(text);
        let values = read_settings(path, None, &top, map, &mut errors);
        ConfigError::collect(errors)?;
        Ok(FileLayer {
            path: path.to_owned(),
            values,
            profiles,
        })
    }

    /// The names of the sections, sorted.
    pub(crate) fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }
}

/// Part of the file's text: the whole file, or one section's object, for line numbers and
/// duplicate keys found within it.
struct Region<'a> {
    text: &'a str,
    /// Lines before `text` starts.
    first_line: usize,
    /// A nested part to leave out (the `"profiles"` object, when reading the top level).
    exclude: Option<std::ops::Range<usize>>,
}

impl<'a> Region<'a> {
    fn top(text: &'a str) -> Self {
        let exclude = raw_entries(text)
            .and_then(|entries| entries.into_iter().find(|(k, _)| k == PROFILES))
            .map(|(_, raw)| span_in(text, raw.get()));
        Region {
            text,
            first_line: 0,
            exclude,
        }
    }

    fn within(file: &'a str, part: &'a str) -> Self {
        let span = span_in(file, part);
        Region {
            text: part,
            first_line: file[..span.start].matches('\n').count(),
            exclude: None,
        }
    }

    fn is_excluded(&self, at: usize) -> bool {
        self.exclude.as_ref().is_some_and(|r| r.contains(&at))
    }

    /// The 1-based lines (in the file) on which `"key":` appears in this region.
    fn key_lines(&self, key: &str) -> Vec<usize> {
        let Ok(quoted) = serde_json::to_string(key) else {
            return Vec::new();
        };
        self.text
            .match_indices(&quoted)
            .filter(|(at, _)| !self.is_excluded(*at))
            .filter(|(at, _)| self.text[at + quoted.len()..].trim_start().starts_with(':'))
            .map(|(at, _)| self.line_at(at))
            .collect()
    }

    /// The 1-based line (in the file) on which `"key"` first appears in this region.
    fn line_of(&self, key: &str) -> Option<usize> {
        let quoted = serde_json::to_string(key).ok()?;
        let (at, _) = self
            .text
            .match_indices(&quoted)
            .find(|(at, _)| !self.is_excluded(*at))?;
        Some(self.line_at(at))
    }

    fn line_at(&self, at: usize) -> usize {
        self.first_line + self.text[..at].matches('\n').count() + 1
    }
}

/// Where `part` (a slice of `whole`, as serde_json's borrowed raw values are) lies in `whole`.
fn span_in(whole: &str, part: &str) -> std::ops::Range<usize> {
    let start = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
    let start = start.min(whole.len());
    start..(start + part.len()).min(whole.len())
}

/// The settings of one object (the top level, or a profile's section); problems are pushed.
fn read_settings(
    path: &Path,
    profile: Option<&str>,
    region: &Region<'_>,
    map: Map<String, Value>,
    errors: &mut Vec<ConfigError>,
) -> BTreeMap<Key, SecretString> {
    let mut values = BTreeMap::new();
    let mut unknown = Vec::new();
    let mut problems = duplicate_keys(path, profile, region);
    for (name, value) in map {
        let Some(key) = Key::from_name(&name) else {
            unknown.push(UnknownKey {
                line: region.line_of(&name),
                suggestion: keys::suggest(&name),
                key: name,
            });
            continue;
        };
        match convert(key, value) {
            Ok(text) => {
                values.insert(key, SecretString::from(text));
            }
            Err((found, expected)) => problems.push(ConfigError::InvalidFileValue {
                path: path.to_owned(),
                profile: profile.map(str::to_owned),
                key,
                found,
                expected,
            }),
        }
    }
    if !unknown.is_empty() {
        problems.insert(
            0,
            ConfigError::UnknownFileKeys {
                path: path.to_owned(),
                profile: profile.map(str::to_owned),
                keys: unknown,
            },
        );
    }
    errors.extend(problems);
    values
}

/// The sections under `"profiles"`, each read like the top level.
fn read_profiles(
    path: &Path,
    text: &str,
    sections: Value,
    errors: &mut Vec<ConfigError>,
) -> BTreeMap<String, BTreeMap<Key, SecretString>> {
    let Value::Object(sections) = sections else {
        errors.push(ConfigError::InvalidProfiles {
            path: path.to_owned(),
            profile: None,
            found: json_type(&sections),
        });
        return BTreeMap::new();
    };
    // The raw text of each section, for line numbers and duplicates inside it.
    let raw: Vec<(String, &RawValue)> = raw_entries(text)
        .and_then(|top| top.into_iter().find(|(k, _)| k == PROFILES))
        .and_then(|(_, profiles)| raw_entries(profiles.get()))
        .unwrap_or_default();
    errors.extend(duplicate_profiles(path, &raw));
    let mut profiles = BTreeMap::new();
    for (name, section) in sections {
        let Value::Object(section) = section else {
            errors.push(ConfigError::InvalidProfiles {
                path: path.to_owned(),
                profile: Some(name),
                found: json_type(&section),
            });
            continue;
        };
        // serde_json keeps the last of a repeated name; so does this.
        let region = match raw.iter().rev().find(|(k, _)| *k == name) {
            Some((_, r)) => Region::within(text, r.get()),
            None => Region::top(""),
        };
        let values = read_settings(path, Some(&name), &region, section, errors);
        profiles.insert(name, values);
    }
    profiles
}

/// A JSON object's entries in document order, duplicates included, each with its value's raw
/// text (serde_json's `Map` keeps only the last of a repeated key, which would hide an edit made
/// to the wrong copy).
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de>, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// The entries of the JSON object `text`, or `None` if it is not one.
fn raw_entries(text: &str) -> Option<Vec<(String, &RawValue)>> {
    serde_json::from_str::<Entries<'_>>(text).ok().map(|e| e.0)
}

/// One error per key that appears more than once at the top level of the region's object.
fn duplicate_keys(path: &Path, profile: Option<&str>, region: &Region<'_>) -> Vec<ConfigError> {
    let Some(entries) = raw_entries(region.text) else {
        return Vec::new();
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut reported = std::collections::BTreeSet::new();
    let mut errors = Vec::new();
    for (key, _) in &entries {
        if !seen.insert(key.as_str()) && reported.insert(key.as_str()) {
            errors.push(ConfigError::DuplicateFileKey {
                path: path.to_owned(),
                profile: profile.map(str::to_owned),
                key: key.clone(),
                lines: region.key_lines(key),
            });
        }
    }
    errors
}

/// One error per profile name given twice: only the last section would count.
fn duplicate_profiles(path: &Path, sections: &[(String, &RawValue)]) -> Vec<ConfigError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut reported = std::collections::BTreeSet::new();
    sections
        .iter()
        .filter(|(name, _)| !seen.insert(name.as_str()) && reported.insert(name.as_str()))
        .map(|(name, _)| ConfigError::DuplicateFileKey {
            path: path.to_owned(),
            profile: None,
            key: format!("{PROFILES}.{name}"),
            lines: Vec::new(),
        })
        .collect()
}

/// The text of a JSON value for `key`, or (found type, expected description).
///
/// A tenant id written as a JSON number is natural and accepted, as is a JSON boolean for the
/// enterprise-hub flag. `null` reads as empty, i.e. "not set here".
fn convert(key: Key, value: Value) -> Result<String, (&'static str, &'static str)> {
    match (key, value) {
        (_, Value::String(s)) => Ok(s),
        (_, Value::Null) => Ok(String::new()),
        (Key::TenantId | Key::AppId, Value::Number(n)) if n.is_i64() || n.is_u64() => {
            Ok(n.to_string())
        }
        (Key::TenantId, Value::Number(n)) => Ok(n.to_string()), // rejected later, with the value
        (Key::EnterpriseHub, Value::Bool(b)) => Ok(b.to_string()),
        (key, other) => Err((
            json_type(&other),
            match key {
                Key::TenantId | Key::AppId => "a string or a whole number",
                Key::EnterpriseHub => "a string or a boolean",
                _ => "a string",
            },
        )),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_lookup() {
        let text = "{\n  \"A\": 1,\n  \"SERVICETITAN_CLIENTID\": \"x\"\n}";
        let region = Region::top(text);
        assert_eq!(region.line_of("SERVICETITAN_CLIENTID"), Some(3));
        assert_eq!(region.line_of("B"), None);
    }

    #[test]
    fn duplicate_lines() {
        let text = "{\n\"A\": \"A\",\n\"A\": 2\n}";
        assert_eq!(Region::top(text).key_lines("A"), [2, 3]);
        let errors = duplicate_keys(Path::new("x.json"), None, &Region::top(text));
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().contains("lines 2, 3"));
        assert!(duplicate_keys(Path::new("x.json"), None, &Region::top("{\"A\": 1}")).is_empty());
    }

    #[test]
    fn sections_have_their_own_lines() {
        let text = "{\n\"A\": 1,\n\"profiles\": {\n \"p\": {\n  \"A\": 2,\n  \"A\": 3\n }\n}\n}";
        let top = Region::top(text);
        // The top level does not see the section's keys.
        assert_eq!(top.key_lines("A"), [2]);
        let sections = raw_entries(text).unwrap();
        let profiles = raw_entries(sections[1].1.get()).unwrap();
        let section = Region::within(text, profiles[0].1.get());
        assert_eq!(section.key_lines("A"), [5, 6]);
        assert_eq!(section.line_of("A"), Some(5));
        let errors = duplicate_keys(Path::new("x.json"), Some("p"), &section);
        assert!(
            errors[0].to_string().contains("[profile p]"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn position_is_stripped() {
        assert_eq!(
            strip_position("expected `,` or `}` at line 3 column 5"),
            "expected `,` or `}`"
        );
    }

    #[test]
    fn conversions() {
        assert_eq!(
            convert(Key::TenantId, serde_json::json!(123)).unwrap(),
            "123"
        );
        assert_eq!(
            convert(Key::EnterpriseHub, serde_json::json!(true)).unwrap(),
            "true"
        );
        assert_eq!(convert(Key::ClientId, Value::Null).unwrap(), "");
        assert_eq!(
            convert(Key::ClientId, serde_json::json!({})).unwrap_err(),
            ("an object", "a string")
        );
        assert_eq!(
            convert(Key::AppId, serde_json::json!(1.5)).unwrap_err(),
            ("a number", "a string or a whole number")
        );
    }
}
