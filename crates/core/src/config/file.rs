//! The JSON configuration file, with the seed's keys (`{"SERVICETITAN_CLIENT_ID": "…", …}`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use super::error::{ConfigError, UnknownKey};
use super::keys::{self, Key};

/// The values of one JSON configuration file.
pub(crate) struct FileLayer {
    pub(crate) path: PathBuf,
    /// Present keys; an empty string or `null` is kept as empty so "missing" errors can say so.
    pub(crate) values: BTreeMap<Key, SecretString>,
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
        let Value::Object(map) = value else {
            return Err(ConfigError::FileNotObject {
                path: path.to_owned(),
                found: json_type(&value),
            });
        };

        let mut values = BTreeMap::new();
        let mut unknown = Vec::new();
        let mut errors = duplicate_keys(path, text);
        for (name, value) in map {
            let Some(key) = Key::from_name(&name) else {
                unknown.push(UnknownKey {
                    line: line_of(text, &name),
                    suggestion: keys::suggest(&name),
                    key: name,
                });
                continue;
            };
            match convert(key, value) {
                Ok(text) => {
                    values.insert(key, SecretString::from(text));
                }
                Err((found, expected)) => errors.push(ConfigError::InvalidFileValue {
                    path: path.to_owned(),
                    key,
                    found,
                    expected,
                }),
            }
        }
        if !unknown.is_empty() {
            errors.insert(
                0,
                ConfigError::UnknownFileKeys {
                    path: path.to_owned(),
                    keys: unknown,
                },
            );
        }
        ConfigError::collect(errors)?;
        Ok(FileLayer {
            path: path.to_owned(),
            values,
        })
    }
}

/// A JSON object's entries in document order, duplicates included (serde_json's `Map` keeps only
/// the last of a repeated key, which would hide an edit made to the wrong copy).
struct Entries(Vec<String>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut keys = Vec::new();
                while let Some((key, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                    keys.push(key);
                }
                Ok(Entries(keys))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// One error per key that appears more than once at the top level of the (valid) object.
fn duplicate_keys(path: &Path, text: &str) -> Vec<ConfigError> {
    let Ok(Entries(keys)) = serde_json::from_str::<Entries>(text) else {
        return Vec::new();
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut reported = std::collections::BTreeSet::new();
    let mut errors = Vec::new();
    for key in &keys {
        if !seen.insert(key.as_str()) && reported.insert(key.as_str()) {
            errors.push(ConfigError::DuplicateFileKey {
                path: path.to_owned(),
                key: key.clone(),
                lines: key_lines(text, key),
            });
        }
    }
    errors
}

/// The 1-based lines on which `"key":` appears.
fn key_lines(text: &str, key: &str) -> Vec<usize> {
    let Ok(quoted) = serde_json::to_string(key) else {
        return Vec::new();
    };
    text.match_indices(&quoted)
        .filter(|(at, _)| text[at + quoted.len()..].trim_start().starts_with(':'))
        .map(|(at, _)| text[..at].matches('\n').count() + 1)
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

/// The 1-based line on which `"key"` first appears.
fn line_of(text: &str, key: &str) -> Option<usize> {
    let quoted = serde_json::to_string(key).ok()?;
    let at = text.find(&quoted)?;
    Some(text[..at].matches('\n').count() + 1)
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
        assert_eq!(line_of(text, "SERVICETITAN_CLIENTID"), Some(3));
        assert_eq!(line_of(text, "B"), None);
    }

    #[test]
    fn duplicate_lines() {
        let text = "{\n\"A\": \"A\",\n\"A\": 2\n}";
        assert_eq!(key_lines(text, "A"), [2, 3]);
        let errors = duplicate_keys(Path::new("x.json"), text);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().contains("lines 2, 3"));
        assert!(duplicate_keys(Path::new("x.json"), "{\"A\": 1}").is_empty());
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
