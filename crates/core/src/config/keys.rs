//! The names of every setting, in one place, and "did you mean" suggestions for misspelt ones.
//!
//! The variable names are the seed's (servicepytan's) so that a `.env` file or JSON file written
//! for the Python library works unchanged here.

use std::fmt;

/// One configurable setting, named by its environment variable / JSON key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Key {
    /// `SERVICETITAN_CLIENT_ID` (required).
    ClientId,
    /// `SERVICETITAN_CLIENT_SECRET` (required, secret).
    ClientSecret,
    /// `SERVICETITAN_APP_ID` (optional).
    AppId,
    /// `SERVICETITAN_APP_KEY` (required, secret).
    AppKey,
    /// `SERVICETITAN_TENANT_ID` (required).
    TenantId,
    /// `SERVICETITAN_TIMEZONE` (optional, default `UTC`).
    Timezone,
    /// `SERVICETITAN_API_ENVIRONMENT` (optional, default `production`).
    Environment,
    /// `SERVICETITAN_AUTH_URL` (optional override of the environment's auth URL).
    AuthUrl,
    /// `SERVICETITAN_API_URL` (optional override of the environment's API URL).
    ApiUrl,
    /// `SERVICETITAN_ENTERPRISE_HUB` (optional, default `false`).
    EnterpriseHub,
    /// `SERVICETITAN_REDIS_URL` (optional): the Redis that shares the rate budget and the token
    /// with other processes. Its password is masked wherever it is shown.
    RedisUrl,
}

impl Key {
    /// Every key, in the order reports list them. (A slice, not an array, so that adding a key
    /// is not a breaking change.)
    pub const ALL: &'static [Key] = &[
        Key::ClientId,
        Key::ClientSecret,
        Key::AppKey,
        Key::TenantId,
        Key::AppId,
        Key::Environment,
        Key::AuthUrl,
        Key::ApiUrl,
        Key::Timezone,
        Key::EnterpriseHub,
        Key::RedisUrl,
    ];

    /// The environment variable and JSON key naming this setting.
    pub const fn name(self) -> &'static str {
        match self {
            Key::ClientId => "SERVICETITAN_CLIENT_ID",
            Key::ClientSecret => "SERVICETITAN_CLIENT_SECRET",
            Key::AppId => "SERVICETITAN_APP_ID",
            Key::AppKey => "SERVICETITAN_APP_KEY",
            Key::TenantId => "SERVICETITAN_TENANT_ID",
            Key::Timezone => "SERVICETITAN_TIMEZONE",
            Key::Environment => "SERVICETITAN_API_ENVIRONMENT",
            Key::AuthUrl => "SERVICETITAN_AUTH_URL",
            Key::ApiUrl => "SERVICETITAN_API_URL",
            Key::EnterpriseHub => "SERVICETITAN_ENTERPRISE_HUB",
            Key::RedisUrl => "SERVICETITAN_REDIS_URL",
        }
    }

    /// The `ConfigBuilder` method that sets this key, for error messages.
    pub const fn builder_method(self) -> &'static str {
        match self {
            Key::ClientId => "client_id",
            Key::ClientSecret => "client_secret",
            Key::AppId => "app_id",
            Key::AppKey => "app_key",
            Key::TenantId => "tenant_id",
            Key::Timezone => "timezone",
            Key::Environment => "environment",
            Key::AuthUrl => "auth_url",
            Key::ApiUrl => "api_url",
            Key::EnterpriseHub => "enterprise_hub",
            Key::RedisUrl => "redis_url",
        }
    }

    /// A short human description, for error messages and reports.
    pub const fn description(self) -> &'static str {
        match self {
            Key::ClientId => "OAuth client id",
            Key::ClientSecret => "OAuth client secret",
            Key::AppId => "application id",
            Key::AppKey => "application key (ST-App-Key)",
            Key::TenantId => "tenant id",
            Key::Timezone => "timezone",
            Key::Environment => "API environment",
            Key::AuthUrl => "auth base URL",
            Key::ApiUrl => "API base URL",
            Key::EnterpriseHub => "enterprise hub flag",
            Key::RedisUrl => "Redis URL (shared rate budget and token)",
        }
    }

    /// Whether the value must never be shown (logs, Debug, reports, errors).
    pub const fn is_secret(self) -> bool {
        matches!(self, Key::ClientSecret | Key::AppKey)
    }

    /// Whether resolution fails when no source provides the key.
    pub const fn is_required(self) -> bool {
        matches!(
            self,
            Key::ClientId | Key::ClientSecret | Key::AppKey | Key::TenantId
        )
    }

    /// Looks a key up by its exact (case-sensitive, like the environment) name.
    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL.iter().copied().find(|k| k.name() == name)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The known key closest to `unknown`, if it is close enough to be a plausible typo.
///
/// Case differences count as a typo too (environment variables are case-sensitive, and the seed
/// lists "check variable names match exactly" first in its troubleshooting); the threshold is
/// [`crate::suggest`]'s, which grows with length so that `SERVICETITAN_CLIENTID`,
/// `SERVICETITAN_CLIENT_SECRETS` or `SERVICETITAN_TENNANT_ID` are caught while an unrelated
/// `SERVICETITAN_WEBHOOK_SECRET` is not.
pub fn suggest(unknown: &str) -> Option<Key> {
    let upper = unknown.trim().to_ascii_uppercase().replace(['-', ' '], "_");
    // Also accept the name without the prefix (`CLIENT_ID`, `tenant_id`): a common slip when a
    // JSON file is written by hand.
    if let Some(key) = Key::ALL.iter().copied().find(|k| {
        k.name()
            .strip_prefix("SERVICETITAN_")
            .is_some_and(|short| short == upper)
    }) {
        return Some(key);
    }
    let name = crate::suggest::did_you_mean(&upper, Key::ALL.iter().map(|k| k.name()))?;
    Key::from_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        for key in Key::ALL.iter().copied() {
            assert_eq!(Key::from_name(key.name()), Some(key));
        }
        assert_eq!(Key::from_name("servicetitan_client_id"), None);
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(suggest("SERVICETITAN_CLIENTID"), Some(Key::ClientId));
        assert_eq!(suggest("servicetitan_client_id"), Some(Key::ClientId));
        assert_eq!(suggest("SERVICETITAN_TENNANT_ID"), Some(Key::TenantId));
        assert_eq!(
            suggest("SERVICETITAN_CLIENT_SECRETS"),
            Some(Key::ClientSecret)
        );
        assert_eq!(suggest("SERVICETITAN_ENVIRONMENT"), Some(Key::Environment));
        assert_eq!(suggest("TENANT_ID"), Some(Key::TenantId));
        assert_eq!(suggest("SERVICETITAN_WEBHOOK_SECRET"), None);
        assert_eq!(suggest("DATABASE_URL"), None);
    }

    #[test]
    fn secrets_and_required() {
        assert!(Key::ClientSecret.is_secret() && Key::AppKey.is_secret());
        assert!(!Key::ClientId.is_secret());
        let required: Vec<_> = Key::ALL
            .iter()
            .copied()
            .filter(|k| k.is_required())
            .collect();
        assert_eq!(
            required,
            [Key::ClientId, Key::ClientSecret, Key::AppKey, Key::TenantId]
        );
    }
}
