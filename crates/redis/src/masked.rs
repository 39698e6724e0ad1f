//! The Redis URL, kept secret: it may carry a password, so everything that shows it (Debug,
//! Display, errors, logs) shows it masked.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// A Redis URL whose `Display` and `Debug` mask the password (`redis://:[REDACTED]@host:6379/0`).
#[derive(Clone)]
pub struct RedisUrl {
    secret: SecretString,
    masked: String,
}

impl RedisUrl {
    /// Wraps `url`.
    pub fn new(url: &SecretString) -> Self {
        let text = url.expose_secret();
        let masked = match url::Url::parse(text) {
            Ok(parsed) => servicetitan_core::redact::url(&parsed),
            // Not a URL: show nothing of it but its scheme, if any.
            Err(_) => match text.split_once("://") {
                Some((scheme, _)) => format!("{scheme}://(unparsable URL)"),
                None => "(unparsable URL)".to_owned(),
            },
        };
        RedisUrl {
            secret: url.clone(),
            masked,
        }
    }

    /// The URL itself, for the connection only.
    pub(crate) fn expose(&self) -> &str {
        self.secret.expose_secret()
    }

    /// `text` with the URL's password (and the URL itself) replaced by their masked forms: for
    /// messages of the Redis client, which may quote what it was given.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut out = text.replace(self.expose(), &self.masked);
        if let Ok(parsed) = url::Url::parse(self.expose()) {
            if let Some(password) = parsed.password().filter(|p| !p.is_empty()) {
                out = out.replace(password, servicetitan_core::redact::REDACTED);
            }
        }
        out
    }
}

impl fmt::Display for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked)
    }
}

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RedisUrl").field(&self.masked).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_never_shown() {
        let url = RedisUrl::new(&SecretString::from("redis://user:hunter2@cache:6379/0"));
        assert_eq!(url.to_string(), "redis://user:[REDACTED]@cache:6379/0");
        assert!(!format!("{url:?}").contains("hunter2"));
        assert_eq!(
            url.scrub("failed to connect to redis://user:hunter2@cache:6379/0 (hunter2)"),
            "failed to connect to redis://user:[REDACTED]@cache:6379/0 ([REDACTED])"
        );
        let odd = RedisUrl::new(&SecretString::from("redis://:p@ss word@"));
        assert!(!odd.to_string().contains("ss word"));
    }
}
