//! The two ServiceTitan API environments and their base URLs.

use std::fmt;
use std::str::FromStr;

use url::Url;

/// A ServiceTitan API environment.
///
/// Client id and secret are issued per environment (the app key is not), so picking the wrong
/// one is the most common cause of a refused token; see the seed's troubleshooting list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Environment {
    /// Live data: `https://auth.servicetitan.io`, `https://api.servicetitan.io`.
    #[default]
    Production,
    /// Development and testing: `https://auth-integration.servicetitan.io`,
    /// `https://api-integration.servicetitan.io`.
    Integration,
}

impl Environment {
    /// Every environment, in the order error messages list them.
    pub const ALL: [Environment; 2] = [Environment::Production, Environment::Integration];

    /// The lower-case name used in configuration (`production`, `integration`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Integration => "integration",
        }
    }

    /// The OAuth2 token server's base URL as text.
    pub const fn auth_url_str(self) -> &'static str {
        match self {
            Environment::Production => "https://auth.servicetitan.io",
            Environment::Integration => "https://auth-integration.servicetitan.io",
        }
    }

    /// The REST API's base URL as text.
    pub const fn api_url_str(self) -> &'static str {
        match self {
            Environment::Production => "https://api.servicetitan.io",
            Environment::Integration => "https://api-integration.servicetitan.io",
        }
    }

    /// The OAuth2 token server's base URL.
    pub fn auth_url(self) -> Url {
        Url::parse(self.auth_url_str()).expect("constant URL is valid")
    }

    /// The REST API's base URL.
    pub fn api_url(self) -> Url {
        Url::parse(self.api_url_str()).expect("constant URL is valid")
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Lets `ConfigBuilder::environment` take either an [`Environment`] or a string.
impl AsRef<str> for Environment {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// The error of [`Environment::from_str`]; lists the valid names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown API environment {value:?}; valid values are: production, integration{}", suggestion.map(|s| format!(" (did you mean {s}?)")).unwrap_or_default())]
pub struct ParseEnvironmentError {
    /// The rejected text.
    pub value: String,
    /// The closest valid environment, when the text looks like a slip of it (`prod`, `integ`).
    pub suggestion: Option<Environment>,
}

impl FromStr for Environment {
    type Err = ParseEnvironmentError;

    /// Case-insensitive, surrounding whitespace ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        if let Some(env) = Environment::ALL.into_iter().find(|e| e.as_str() == lower) {
            return Ok(env);
        }
        // Suggest, never accept, near misses: silently mapping `int` or `prod` would hide which
        // environment's credentials the user actually holds.
        let prefix_of = Environment::ALL
            .into_iter()
            .find(|e| lower.len() >= 3 && e.as_str().starts_with(&lower));
        let suggestion = prefix_of.or_else(|| {
            crate::suggest::closest(&lower, Environment::ALL.map(Environment::as_str))
                .filter(|(_, distance)| *distance <= 2)
                .and_then(|(name, _)| name.parse().ok())
        });
        Err(ParseEnvironmentError {
            value: s.to_owned(),
            suggestion,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_insensitively() {
        assert_eq!(
            "Production".parse::<Environment>().unwrap(),
            Environment::Production
        );
        assert_eq!(
            " INTEGRATION ".parse::<Environment>().unwrap(),
            Environment::Integration
        );
    }

    #[test]
    fn unknown_lists_valid_values() {
        let err = "staging".parse::<Environment>().unwrap_err();
        assert_eq!(err.suggestion, None);
        assert!(err
            .to_string()
            .contains("valid values are: production, integration"));
        let err = "prod".parse::<Environment>().unwrap_err();
        assert_eq!(err.suggestion, Some(Environment::Production));
        assert!(err.to_string().contains("did you mean production?"));
    }

    #[test]
    fn urls() {
        assert_eq!(
            Environment::Integration.auth_url().as_str(),
            "https://auth-integration.servicetitan.io/"
        );
        assert_eq!(
            Environment::Production.api_url().as_str(),
            "https://api.servicetitan.io/"
        );
        assert_eq!(Environment::default(), Environment::Production);
        assert_eq!(Environment::Integration.to_string(), "integration");
    }
}
