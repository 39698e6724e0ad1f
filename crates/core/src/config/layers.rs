//! The sources of one resolution below the builder, and what can be asked of all of them at
//! once: a key's candidate values in priority order, the list of places a missing key was looked
//! for, and near-miss variable names.

use secrecy::SecretString;

use super::error::{Checked, ConfigError};
use super::file::FileLayer;
use super::keys::{self, Key};
use super::profile::{Chosen, PROFILE_VAR};
use super::source::{DotEnvFile, EnvSource, EnvValue, Source};

/// The file (and its chosen profile), the environment and the `.env` file of one resolution.
pub(super) struct Layers<'a> {
    pub(super) file: Option<&'a FileLayer>,
    /// The chosen profile; when set, `file` is set and has the section.
    pub(super) profile: Option<&'a Chosen>,
    pub(super) env: &'a EnvSource,
    pub(super) dotenv: Option<&'a DotEnvFile>,
    /// The default `.env`, when it was absent or unusable (mentioned in "missing" errors).
    pub(super) dotenv_skipped: Option<Checked>,
}

impl Layers<'_> {
    /// Every value these sources hold for `key`, highest priority first: the profile's section,
    /// the file's top level, the environment, `.env`. Empty values are included (the resolver
    /// reports where a key was empty). A variable of the real environment that is not UTF-8 is
    /// an error even when a higher source has a value: it is a broken setting either way.
    pub(super) fn candidates(&self, key: Key) -> Result<Vec<(Source, SecretString)>, ConfigError> {
        let mut candidates = Vec::with_capacity(4);
        if let Some(file) = self.file {
            if let Some(chosen) = self.profile {
                if let Some(v) = file.profiles.get(&chosen.name).and_then(|s| s.get(&key)) {
                    let source = Source::Profile {
                        path: file.path.clone(),
                        profile: chosen.name.clone(),
                    };
                    candidates.push((source, v.clone()));
                }
            }
            if let Some(v) = file.values.get(&key) {
                candidates.push((Source::File(file.path.clone()), v.clone()));
            }
        }
        match self.env.get(key.name()) {
            EnvValue::Present(v) => candidates.push((Source::Env, SecretString::from(v))),
            EnvValue::Absent => {}
            EnvValue::NotUnicode => {
                return Err(ConfigError::NotUnicode {
                    key,
                    origin: Source::Env,
                })
            }
        }
        if let Some(dotenv) = self.dotenv {
            if let Some(v) = dotenv.get(key.name()) {
                candidates.push((Source::DotEnv(dotenv.path.clone()), v.clone()));
            }
        }
        Ok(candidates)
    }

    /// Every place a key is looked for, highest priority first, for "missing" errors.
    pub(super) fn checked(&self) -> Vec<Checked> {
        let mut checked = vec![Checked::Builder];
        if let Some(file) = self.file {
            if let Some(chosen) = self.profile {
                checked.push(Checked::Profile {
                    path: file.path.clone(),
                    profile: chosen.name.clone(),
                });
            }
            checked.push(Checked::File(file.path.clone()));
        }
        checked.push(Checked::Env);
        if let Some(dotenv) = self.dotenv {
            checked.push(Checked::DotEnv(dotenv.path.clone()));
        } else if let Some(skipped) = &self.dotenv_skipped {
            checked.push(skipped.clone());
        }
        checked
    }

    /// Variable names of the environment and `.env`, each with where it was found.
    fn variable_names(&self) -> Vec<(String, String)> {
        let mut names: Vec<(String, String)> = self
            .env
            .names()
            .into_iter()
            .map(|n| (n, "the environment".to_owned()))
            .collect();
        if let Some(d) = self.dotenv {
            let place = format!(".env {}", d.path.display());
            names.extend(d.names().map(|n| (n.to_owned(), place.clone())));
        }
        names
    }

    /// A variable in the environment or `.env` whose name looks like a slip of `key`'s.
    pub(super) fn near_miss(&self, key: Key) -> Option<String> {
        let (name, place) = self
            .variable_names()
            .into_iter()
            .find(|(name, _)| name != key.name() && keys::suggest(name) == Some(key))?;
        Some(format!(
            "found {name} in {place} — did you mean {}?",
            key.name()
        ))
    }

    /// When no profile is chosen but sections of the file have `key`: which, and how to choose.
    pub(super) fn profile_hint(&self, key: Key) -> Option<String> {
        if self.profile.is_some() {
            return None;
        }
        let file = self.file?;
        let having: Vec<&str> = file
            .profiles
            .iter()
            .filter(|(_, section)| section.contains_key(&key))
            .map(|(name, _)| name.as_str())
            .collect();
        (!having.is_empty()).then(|| {
            format!(
                "config file {} has it in profile {} — choose one with ConfigBuilder::profile or {PROFILE_VAR}",
                file.path.display(),
                having.join(", ")
            )
        })
    }

    /// `SERVICETITAN_*` variables that are not settings but look like one misspelt. Variables
    /// that resemble nothing are left alone: applications use the prefix for their own settings.
    pub(super) fn unknown_variable_warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        for (name, place) in self.variable_names() {
            if !name.to_ascii_uppercase().starts_with("SERVICETITAN")
                || Key::from_name(&name).is_some()
                || name == PROFILE_VAR
            {
                continue;
            }
            let known = Key::ALL.iter().map(|k| k.name()).chain([PROFILE_VAR]);
            let suggestion = keys::suggest(&name).map(Key::name).or_else(|| {
                crate::suggest::did_you_mean(&name, known).filter(|s| *s == PROFILE_VAR)
            });
            if let Some(suggestion) = suggestion {
                warnings.push(format!(
                    "{name} (in {place}) is not a ServiceTitan setting; did you mean {suggestion}?"
                ));
            }
        }
        warnings.sort();
        warnings
    }
}
