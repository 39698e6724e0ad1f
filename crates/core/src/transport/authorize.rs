//! Stage "authorize": a token from the [`TokenProvider`](crate::auth::TokenProvider), and the
//! `Authorization`, `ST-App-Key` and `User-Agent` headers.
//!
//! Invariant: a request leaves with a bearer token and an app key that are valid header values,
//! both marked sensitive — never a placeholder. A token that cannot be sent (empty, CR/LF) is an
//! [`AuthFailure::InvalidResponse`] saying so; an app key that cannot is an
//! [`Error::InvalidSetting`] (and `ClientBuilder::build` refuses it up front).

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, USER_AGENT};
use secrecy::ExposeSecret;

use super::{Inner, APP_KEY_HEADER};
use crate::auth::{AccessToken, AuthError, AuthFailure};
use crate::error::Error;

/// The app key as a sensitive header value, or why it cannot be one.
pub(crate) fn app_key_header(app_key: &str) -> Result<HeaderValue, Error> {
    let invalid = || Error::InvalidSetting {
        name: "app key (SERVICETITAN_APP_KEY)",
        reason: "it contains characters not allowed in an HTTP header (CR, LF, control or \
                 non-ASCII characters); copy the key again from the developer portal"
            .to_owned(),
    };
    if app_key.bytes().any(|b| b.is_ascii_control() || b >= 0x80) {
        return Err(invalid());
    }
    let mut value = HeaderValue::try_from(app_key).map_err(|_| invalid())?;
    value.set_sensitive(true);
    Ok(value)
}

/// A token from the provider, checked to be sendable and remembered for redaction. A failure's
/// texts are redacted here too, whatever provider produced them.
pub(super) async fn token(inner: &Inner) -> Result<AccessToken, AuthError> {
    let mut result = inner.tokens.token().await;
    if let Ok(token) = &result {
        match token.unusable() {
            Some(why) => {
                let mut err = AuthError::custom(AuthFailure::InvalidResponse, why);
                err.token_url = inner.token_source.clone();
                result = Err(err);
            }
            None => inner.secrets.note_token(token.secret().expose_secret()),
        }
    }
    result.map_err(|mut err| {
        err.detail = err.detail.map(|d| inner.secrets.redact(&d));
        err.token_url = inner.secrets.redact(&err.token_url);
        err
    })
}

/// Sets `Authorization: Bearer …`, `ST-App-Key` and `User-Agent`; the first two are marked
/// sensitive so that hyper and any `Debug` of the request keep them out of logs.
pub(super) fn set_headers(
    headers: &mut HeaderMap,
    token: &AccessToken,
    app_key: &HeaderValue,
    user_agent: &HeaderValue,
) -> Result<(), Error> {
    // `token` was checked by [`token`]; a provider bypassing it still gets no placeholder.
    let bearer = token
        .header()
        .map_err(|why| Error::from(AuthError::custom(AuthFailure::InvalidResponse, why)))?;
    headers.insert(AUTHORIZATION, bearer.clone());
    headers.insert(HeaderName::from_static(APP_KEY_HEADER), app_key.clone());
    headers.insert(USER_AGENT, user_agent.clone());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::USER_AGENT_PREFIX;

    #[test]
    fn secret_headers_are_sensitive() {
        let mut headers = HeaderMap::new();
        let token = AccessToken::new("tok-123");
        set_headers(
            &mut headers,
            &token,
            &app_key_header("ak1.key").unwrap(),
            &HeaderValue::from_static(USER_AGENT_PREFIX),
        )
        .unwrap();
        assert_eq!(headers[AUTHORIZATION], "Bearer tok-123");
        assert!(headers[AUTHORIZATION].is_sensitive());
        assert_eq!(headers[APP_KEY_HEADER], "ak1.key");
        assert!(headers[APP_KEY_HEADER].is_sensitive());
        assert!(!headers[USER_AGENT].is_sensitive());
        let shown = format!("{headers:?}");
        assert!(
            !shown.contains("tok-123") && !shown.contains("ak1.key"),
            "{shown}"
        );
    }

    #[test]
    fn a_tokens_header_is_built_once_and_shared_by_its_clones() {
        let token = AccessToken::new("tok-123");
        let first = token.header().unwrap();
        let clone = token.clone();
        assert!(std::ptr::eq(first, clone.header().unwrap()));
        assert_eq!(first, "Bearer tok-123");
        assert!(first.is_sensitive());
        // Another token with the same text is checked on its own.
        assert!(!std::ptr::eq(
            first,
            AccessToken::new("tok-123").header().unwrap()
        ));
    }

    #[test]
    fn unusable_app_keys_and_tokens_are_refused() {
        for bad in ["ak\n1", "ak\r1", "ak\u{7f}", "clé"] {
            let err = app_key_header(bad).unwrap_err();
            assert!(err.to_string().contains("SERVICETITAN_APP_KEY"), "{err}");
        }
        assert!(AccessToken::new("").unusable().is_some());
        assert!(AccessToken::new("  ").unusable().is_some());
        assert!(AccessToken::new("a\r\nb").unusable().is_some());
        assert!(AccessToken::new("eyJ.a-b_c").unusable().is_none());
    }
}
