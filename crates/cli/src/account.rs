//! `st config check` and `st auth token`: what the configuration resolved to, and whether the
//! credentials get a token.

use crate::setup::Global;
use crate::Failure;
use base64::Engine;
use chrono::{TimeZone, Utc};
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use servicetitan_core::config::ConfigBuilder;

/// `st config check [--json]`: the resolved configuration, secrets masked, with the source (and
/// profile) of each value; the library's messages and a non-zero exit when it does not resolve.
pub fn config_check(config: ConfigBuilder, as_json: bool) -> Result<(), Failure> {
    let config = config.resolve().map_err(servicetitan_core::Error::from)?;
    let report = config.report();
    if as_json {
        let text = serde_json::to_string_pretty(&json!({ "ok": true, "settings": report }))
            .map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        print!("{report}");
        println!("configuration OK");
    }
    Ok(())
}

/// What a token says about itself, when it is a JWT.
#[derive(Debug, Default, PartialEq)]
pub struct TokenClaims {
    /// Granted scopes (`scope` claim, space-separated text or a list).
    pub scopes: Option<Vec<String>>,
    /// Expiry (`exp` claim, Unix seconds).
    pub expires_at: Option<chrono::DateTime<Utc>>,
}

/// Reads the payload of a JWT without checking its signature (the client only reports what the
/// token endpoint granted; the API checks the signature). `None` when it is not a JWT.
pub fn claims(token: &str) -> Option<TokenClaims> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    let scopes = match value.get("scope") {
        Some(Value::String(s)) => Some(s.split_whitespace().map(String::from).collect()),
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect(),
        ),
        _ => None,
    };
    let expires_at = value
        .get("exp")
        .and_then(Value::as_i64)
        .and_then(|exp| Utc.timestamp_opt(exp, 0).single());
    Some(TokenClaims { scopes, expires_at })
}

/// `st auth token [--show]`: fetches a token and reports success, expiry and scopes.
pub async fn auth_token(
    global: &Global,
    builder: servicetitan_core::ClientBuilder,
    show: bool,
) -> Result<(), Failure> {
    let client = global.client(builder)?;
    let config = client.config();
    let started = Utc::now();
    let token = client.access_token().await?;
    let token = token.expose_secret();
    println!(
        "token obtained from {} for client {} (tenant {}, {})",
        config.auth_url(),
        config.client_id(),
        client.tenant_id(),
        config.environment()
    );
    let claims = claims(token).unwrap_or_default();
    match claims.expires_at {
        Some(at) => println!(
            "expires: {} (in {} s)",
            at.to_rfc3339(),
            (at - started).num_seconds().max(0)
        ),
        None => println!(
            "expires: unknown (the token carries no `exp` claim; ServiceTitan's last 15 minutes)"
        ),
    }
    match claims.scopes {
        Some(scopes) if !scopes.is_empty() => println!("scopes: {}", scopes.join(" ")),
        Some(_) => println!("scopes: none granted"),
        None => println!("scopes: unknown (the token carries no `scope` claim)"),
    }
    if show {
        println!("{token}");
    } else {
        println!("(the token itself is shown with --show)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_of_a_jwt_and_of_an_opaque_token() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"exp":1900000000,"scope":"tn.jpm.jobs:r tn.crm.customers:r"}"#);
        let token = format!("e30.{payload}.sig");
        let claims = claims(&token).unwrap();
        assert_eq!(
            claims.scopes.unwrap(),
            ["tn.jpm.jobs:r", "tn.crm.customers:r"]
        );
        assert_eq!(claims.expires_at.unwrap().timestamp(), 1_900_000_000);
        assert_eq!(super::claims("opaque-token"), None);
    }
}
