//! Every setting resolved through [`Layers::resolve`] with its parser and fallback, and the
//! results assembled into a [`Config`].

use std::time::Duration;

use chrono_tz::Tz;
use secrecy::SecretString;
use url::Url;

use super::builder::ConfigBuilder;
use super::environment::Environment;
use super::error::ConfigError;
use super::keys::Key;
use super::layers::Layers;
use super::report::mask_url_text;
use super::resolve::{Fallback, Findings, Parsed, Setting};
use super::source::Source;
use super::timezone::parse_timezone;
use super::{Config, DEFAULT_TOKEN_REFRESH_MARGIN};

/// The lifetime of a ServiceTitan access token (`expires_in` is 900 s): one constant, the
/// token cache's.
const TOKEN_LIFETIME: Duration = crate::auth::DEFAULT_LIFETIME;

/// Resolves every setting (all problems are reported together) and builds the configuration.
pub(super) fn assemble(
    b: &ConfigBuilder,
    layers: &Layers<'_>,
    warnings: Vec<String>,
) -> Result<Config, ConfigError> {
    let mut f = Findings::new(warnings);
    let credentials = credentials(b, layers, &mut f);
    let settings = settings(b, layers, &mut f);
    f.errors()?;
    let (Some((client_id, client_secret, app_key, tenant_id)), Some(settings)) =
        (credentials, settings)
    else {
        // `resolve` records an error for every `None` but `Fallback::Unavailable`, which is
        // only used when the environment failed; so `errors()` has returned already.
        return Err(ConfigError::Multiple(Vec::new()));
    };
    let (token_refresh_margin, margin_source) = refresh_margin(b, &mut f);
    let config = Config {
        client_id,
        client_secret,
        app_key,
        tenant_id,
        app_id: settings.app_id,
        timezone: settings.timezone,
        environment: settings.environment,
        auth_url: settings.auth_url,
        api_url: settings.api_url,
        enterprise_hub: settings.enterprise_hub,
        redis_url: settings.redis_url,
        token_refresh_margin,
        origins: f.origins,
        margin_source,
        profile: layers.profile.map(|p| (p.name.clone(), p.origin.clone())),
        warnings: f.warnings,
    };
    trace_resolved(&config);
    Ok(config)
}

fn text(s: &Option<String>) -> Option<SecretString> {
    s.as_deref().map(SecretString::from)
}

/// The four required settings: client id and secret, app key, tenant id. Resolved first (and
/// in this order) because that is the order their errors are listed in.
fn credentials(
    b: &ConfigBuilder,
    layers: &Layers<'_>,
    f: &mut Findings,
) -> Option<(String, SecretString, SecretString, i64)> {
    let client_id = layers.resolve(Setting::text(Key::ClientId, text(&b.client_id), &plain), f);
    let client_secret = layers.resolve(
        Setting::text(Key::ClientSecret, b.client_secret.clone(), &secret_text),
        f,
    );
    let app_key = layers.resolve(Setting::text(Key::AppKey, b.app_key.clone(), &app_key), f);
    let tenant_id = layers.resolve(
        Setting::typed(Key::TenantId, b.tenant_id, &tenant_id, check_tenant_id),
        f,
    );
    Some((client_id?, client_secret?, app_key?, tenant_id?))
}

/// The optional settings, resolved, each with its default.
struct Settings {
    app_id: Option<String>,
    environment: Environment,
    auth_url: Url,
    api_url: Url,
    timezone: Tz,
    enterprise_hub: bool,
    redis_url: Option<SecretString>,
}

fn settings(b: &ConfigBuilder, layers: &Layers<'_>, f: &mut Findings) -> Option<Settings> {
    let app_id = layers.resolve(
        Setting::text(Key::AppId, text(&b.app_id), &|text, _| {
            Ok(Parsed::plain(Some(text.to_owned())))
        })
        .or(Fallback::Default(None, None)),
        f,
    );
    let environment = layers.resolve(
        Setting::text(Key::Environment, text(&b.environment), &environment)
            .or(Fallback::Default(Environment::default(), None)),
        f,
    );
    // The URLs default to the environment's; if the environment failed, so do they, silently.
    let derived = |url: fn(Environment) -> Url| match environment {
        Some(env) => Fallback::Default(url(env), Some(format!("from environment {env}"))),
        None => Fallback::Unavailable,
    };
    let url = |key: Key| move |text: &str, source: &Source| base_url(key, text, source);
    let auth_url = layers.resolve(
        Setting::text(Key::AuthUrl, text(&b.auth_url), &url(Key::AuthUrl))
            .or(derived(Environment::auth_url)),
        f,
    );
    let api_url = layers.resolve(
        Setting::text(Key::ApiUrl, text(&b.api_url), &url(Key::ApiUrl))
            .or(derived(Environment::api_url)),
        f,
    );
    let timezone = layers.resolve(
        Setting::text(Key::Timezone, text(&b.timezone), &timezone)
            .or(Fallback::Default(Tz::UTC, None)),
        f,
    );
    let enterprise_hub = layers.resolve(
        Setting::typed(Key::EnterpriseHub, b.enterprise_hub, &enterprise_hub, Ok)
            .or(Fallback::Default(false, None)),
        f,
    );
    let redis_url = layers.resolve(
        Setting::text(Key::RedisUrl, b.redis_url.clone(), &redis_url)
            .or(Fallback::Default(None, None)),
        f,
    );
    Some(Settings {
        redis_url: redis_url?,
        app_id: app_id?,
        environment: environment?,
        auth_url: auth_url?,
        api_url: api_url?,
        timezone: timezone?,
        enterprise_hub: enterprise_hub?,
    })
}

/// The builder's margin or the default, with a warning if it leaves no time between refreshes.
fn refresh_margin(b: &ConfigBuilder, f: &mut Findings) -> (Duration, Source) {
    let (margin, source) = match b.token_refresh_margin {
        Some(margin) => (margin, Source::Builder),
        None => (DEFAULT_TOKEN_REFRESH_MARGIN, Source::Default),
    };
    if margin >= TOKEN_LIFETIME {
        // Not an error: a test may want a token refreshed on every call. But in production
        // it doubles the requests and eats into the token endpoint's rate limit.
        f.warn(format!(
            "token_refresh_margin of {}s is not shorter than the {}s token lifetime: a new token will be fetched for every request",
            margin.as_secs_f64(),
            TOKEN_LIFETIME.as_secs()
        ));
    }
    (margin, source)
}

fn trace_resolved(config: &Config) {
    for (key, origin) in &config.origins {
        tracing::trace!(key = key.name(), source = %origin.source, "configuration value source");
    }
    tracing::debug!(
        tenant_id = config.tenant_id,
        environment = %config.environment,
        enterprise_hub = config.enterprise_hub,
        "resolved ServiceTitan configuration"
    );
}

fn plain(text: &str, _: &Source) -> Result<Parsed<String>, ConfigError> {
    Ok(Parsed::plain(text.to_owned()))
}

fn secret_text(text: &str, _: &Source) -> Result<Parsed<SecretString>, ConfigError> {
    Ok(Parsed::plain(SecretString::from(text.to_owned())))
}

/// The app key travels as the `ST-App-Key` header: a line break or other control character
/// pasted into it must fail here, naming the setting and its source, rather than turn into a
/// placeholder and a misleading 401 later.
fn app_key(text: &str, source: &Source) -> Result<Parsed<SecretString>, ConfigError> {
    match header_value_problem(text) {
        None => secret_text(text, source),
        Some(reason) => Err(ConfigError::InvalidHeaderValue {
            key: Key::AppKey,
            header: "ST-App-Key",
            origin: source.clone(),
            reason,
        }),
    }
}

/// Why `text` cannot be an HTTP header value (as `http::HeaderValue` judges), naming the first
/// offending character by code point and position only: the text is a secret.
fn header_value_problem(text: &str) -> Option<String> {
    if http::HeaderValue::from_str(text).is_ok() {
        return None;
    }
    let (at, c) = text
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_ascii_control() && *c != '\t')?;
    let what = match c {
        '\n' | '\r' => "a line break",
        _ => "a control character",
    };
    Some(format!(
        "it contains {what} (U+{:04X}) at character {}",
        c as u32,
        at + 1
    ))
}

fn tenant_id(text: &str, source: &Source) -> Result<Parsed<i64>, ConfigError> {
    parse_tenant_id(text)
        .map(Parsed::plain)
        .map_err(|reason| ConfigError::InvalidTenantId {
            value: text.to_owned(),
            origin: source.clone(),
            reason,
        })
}

/// A tenant id set in code is checked as the number it is, not printed and parsed back.
fn check_tenant_id(id: i64) -> Result<i64, ConfigError> {
    if id > 0 {
        return Ok(id);
    }
    Err(ConfigError::InvalidTenantId {
        value: id.to_string(),
        origin: Source::Builder,
        reason: "it must be greater than zero".to_owned(),
    })
}

fn environment(text: &str, source: &Source) -> Result<Parsed<Environment>, ConfigError> {
    text.parse::<Environment>()
        .map(Parsed::plain)
        .map_err(|err| ConfigError::UnknownEnvironment {
            value: text.to_owned(),
            origin: source.clone(),
            suggestion: err.suggestion,
        })
}

fn base_url(key: Key, text: &str, source: &Source) -> Result<Parsed<Url>, ConfigError> {
    parse_base_url(text)
        .map(Parsed::plain)
        .map_err(|reason| ConfigError::InvalidUrl {
            key,
            value: mask_url_text(text),
            origin: source.clone(),
            reason,
        })
}

/// A `redis://`, `rediss://` or `unix://` URL; kept as a secret (it may carry a password),
/// shown masked in errors.
fn redis_url(text: &str, source: &Source) -> Result<Parsed<Option<SecretString>>, ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidUrl {
        key: Key::RedisUrl,
        value: mask_url_text(text),
        origin: source.clone(),
        reason,
    };
    let url = Url::parse(text).map_err(|err| invalid(err.to_string()))?;
    if !matches!(url.scheme(), "redis" | "rediss" | "unix" | "redis+unix") {
        return Err(invalid(format!(
            "the scheme is {:?}, not redis, rediss or unix",
            url.scheme()
        )));
    }
    Ok(Parsed::plain(Some(SecretString::from(text.to_owned()))))
}

/// The zone, noting an abbreviation's expansion (`EST → America/New_York`).
fn timezone(text: &str, source: &Source) -> Result<Parsed<Tz>, ConfigError> {
    let (tz, abbreviation) = parse_timezone(text).map_err(|err| ConfigError::UnknownTimezone {
        value: text.to_owned(),
        origin: source.clone(),
        suggestion: err.suggestion,
    })?;
    let note = abbreviation.filter(|abbr| *abbr != tz.name()).map(|abbr| {
        tracing::debug!(
            abbreviation = abbr,
            zone = tz.name(),
            "timezone abbreviation mapped to IANA zone"
        );
        format!("{abbr} → {}", tz.name())
    });
    Ok(Parsed { value: tz, note })
}

fn enterprise_hub(text: &str, source: &Source) -> Result<Parsed<bool>, ConfigError> {
    parse_bool(text)
        .map(Parsed::plain)
        .ok_or_else(|| ConfigError::InvalidBool {
            key: Key::EnterpriseHub,
            value: text.to_owned(),
            origin: source.clone(),
        })
}

fn parse_tenant_id(text: &str) -> Result<i64, String> {
    if text
        .chars()
        .any(|c| !c.is_ascii_digit() && c != '-' && c != '+')
    {
        return Err("it contains characters other than digits".to_owned());
    }
    match text.parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        Ok(_) => Err("it must be greater than zero".to_owned()),
        Err(err) => Err(match err.kind() {
            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                "it is too large".to_owned()
            }
            _ => err.to_string(),
        }),
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// An absolute http(s) URL with a host. `localhost:8080` parses as a URL with scheme
/// `localhost`, hence the explicit scheme check.
fn parse_base_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|err| err.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "the scheme is {:?}, not http or https (did you leave out \"http://\"?)",
            url.scheme()
        ));
    }
    if url.host().is_none() {
        return Err("it has no host".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("a base URL cannot have a query or fragment".to_owned());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids() {
        assert_eq!(parse_tenant_id("1234567890"), Ok(1234567890));
        assert!(parse_tenant_id("12a").unwrap_err().contains("digits"));
        assert!(parse_tenant_id("0")
            .unwrap_err()
            .contains("greater than zero"));
        assert!(parse_tenant_id("-5")
            .unwrap_err()
            .contains("greater than zero"));
        assert!(parse_tenant_id("99999999999999999999")
            .unwrap_err()
            .contains("too large"));
    }

    #[test]
    fn bools() {
        for (text, expected) in [
            ("true", Some(true)),
            ("TRUE", Some(true)),
            ("1", Some(true)),
            ("false", Some(false)),
            ("0", Some(false)),
            ("yes", None),
            ("", None),
        ] {
            assert_eq!(parse_bool(text), expected, "{text}");
        }
    }

    #[test]
    fn base_urls() {
        assert!(parse_base_url("http://127.0.0.1:8080").is_ok());
        assert!(parse_base_url("https://proxy.example/servicetitan/").is_ok());
        assert!(parse_base_url("localhost:8080")
            .unwrap_err()
            .contains("not http or https"));
        assert!(parse_base_url("ftp://x").is_err());
        assert!(parse_base_url("http://x/?a=1").is_err());
        assert!(parse_base_url("not a url").is_err());
    }
}
