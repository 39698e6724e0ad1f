//! Keeping secrets out of every message, even when a server echoes them back.
//!
//! A token endpoint may quote the client secret in its `error_description`, an API gateway may
//! echo `Authorization` or `ST-App-Key` in a problem title or an HTML page, and a URL may carry a
//! proxy password (`http://user:pw@host`). Every text that came from a server or names a URL goes
//! through a client's redaction set before it is put into an error, a log line or a span field.
//!
//! That set holds the client secret, the app key, URL passwords and the last
//! [`TOKENS_KEPT`] access tokens sent (the current one and the one before, which a server may
//! still echo after a refresh). Errors built outside the transport (a success body that does not
//! decode, converted by `?`) are redacted against every live set ([`everywhere`]).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// What a secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// How many access tokens are remembered for redaction (the current one and the previous).
pub const TOKENS_KEPT: usize = 2;

/// Secrets shorter than this are not searched for: they would garble ordinary text, and no real
/// credential is that short.
const MIN_LEN: usize = 4;

/// The secrets of one client. Cheap to share (`Arc`); `Debug` shows only counts.
#[derive(Default)]
pub(crate) struct Secrets {
    fixed: Vec<String>,
    tokens: Mutex<VecDeque<String>>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("fixed", &self.fixed.len())
            .finish_non_exhaustive()
    }
}

fn registry() -> &'static Mutex<Vec<Weak<Secrets>>> {
    static LIVE: OnceLock<Mutex<Vec<Weak<Secrets>>>> = OnceLock::new();
    LIVE.get_or_init(Default::default)
}

impl Secrets {
    /// A set of `fixed` secrets (empty and very short ones are ignored), registered so that
    /// [`everywhere`] finds it while it lives.
    pub(crate) fn new<'a>(fixed: impl IntoIterator<Item = &'a str>) -> Arc<Self> {
        let fixed = fixed
            .into_iter()
            .filter(|s| s.len() >= MIN_LEN)
            .map(str::to_owned)
            .collect();
        let secrets = Arc::new(Secrets {
            fixed,
            tokens: Mutex::new(VecDeque::new()),
        });
        let mut live = registry().lock().unwrap_or_else(|p| p.into_inner());
        live.retain(|w| w.strong_count() > 0);
        live.push(Arc::downgrade(&secrets));
        secrets
    }

    /// Remembers an access token about to be sent (keeping the last [`TOKENS_KEPT`]).
    pub(crate) fn note_token(&self, token: &str) {
        if token.len() < MIN_LEN {
            return;
        }
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if tokens.iter().any(|t| t == token) {
            return;
        }
        tokens.push_back(token.to_owned());
        while tokens.len() > TOKENS_KEPT {
            tokens.pop_front();
        }
    }

    /// `text` with every known secret, and every URL password, replaced by [`REDACTED`].
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut out = url_passwords(text);
        for secret in &self.fixed {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        let tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        for token in tokens.iter() {
            if out.contains(token.as_str()) {
                out = out.replace(token.as_str(), REDACTED);
            }
        }
        out
    }
}

/// `text` redacted against every live client's secrets (for errors built where no client is at
/// hand, such as a body that did not decode).
pub fn everywhere(text: &str) -> String {
    let live: Vec<Arc<Secrets>> = {
        let live = registry().lock().unwrap_or_else(|p| p.into_inner());
        live.iter().filter_map(Weak::upgrade).collect()
    };
    live.iter()
        .fold(url_passwords(text), |text, secrets| secrets.redact(&text))
}

/// A URL for display: its password (if any) replaced by [`REDACTED`].
pub fn url(url: &url::Url) -> String {
    url_passwords(url.as_str())
}

/// Replaces the password of every `scheme://user:password@` in `text`.
fn url_passwords(text: &str) -> String {
    if !text.contains("://") || !text.contains('@') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        // The authority ends at the first '/', '?', '#' or whitespace.
        let end = tail
            .find(|c: char| c == '/' || c == '?' || c == '#' || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.find(':') {
                    Some(colon) => {
                        out.push_str(&userinfo[..colon]);
                        out.push(':');
                        out.push_str(REDACTED);
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_tokens_and_url_passwords_are_replaced() {
        let s = Secrets::new(["cs-secret-1", "ak-key-2", "", "ab"]);
        s.note_token("tok-1");
        s.note_token("tok-2");
        s.note_token("tok-3");
        let text = "cs-secret-1 ak-key-2 tok-1 tok-2 tok-3 ab http://u:pw@h/p https://h/x?a=b";
        assert_eq!(
            s.redact(text),
            "[REDACTED] [REDACTED] tok-1 [REDACTED] [REDACTED] ab http://u:[REDACTED]@h/p https://h/x?a=b"
        );
        assert!(everywhere("echo ak-key-2").contains(REDACTED));
    }

    #[test]
    fn url_display_hides_the_password_only() {
        let u: url::Url = "http://user:pw@proxy.example:8080/auth".parse().unwrap();
        assert_eq!(url(&u), "http://user:[REDACTED]@proxy.example:8080/auth");
        let plain: url::Url = "https://auth.servicetitan.io/".parse().unwrap();
        assert_eq!(url(&plain), "https://auth.servicetitan.io/");
    }
}
