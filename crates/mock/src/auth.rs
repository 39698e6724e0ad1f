//! `POST /connect/token` (client credentials, as ServiceTitan's identity server answers it) and
//! the bearer-token / `ST-App-Key` check of every API call.

use crate::problem::problem;
use crate::state::{State, Token};
use axum::extract::{Form, State as Shared};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        [("content-type", "application/json")],
        json!({"error": error, "error_description": description}).to_string(),
    )
        .into_response()
}

/// The token endpoint.
pub async fn token(
    Shared(state): Shared<Arc<State>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    state.recorder.count(|c| c.token_requests += 1);
    let response = issue(&state, &form);
    state.recorder.log(
        "POST",
        "/connect/token",
        None,
        None,
        response.status().as_u16(),
    );
    response
}

/// The scopes the mock grants (and writes into each token).
const SCOPES: &str = "tn.jpm.jobs:r tn.jpm.jobs:w tn.crm.customers:r";

/// Unpadded base64url, as JWT segments are written.
fn base64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn issue(state: &State, form: &HashMap<String, String>) -> Response {
    let creds = &state.config.credentials;
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "only client_credentials is supported",
            )
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is missing",
            )
        }
    }
    if form.get("client_id") != Some(&creds.client_id)
        || form.get("client_secret") != Some(&creds.client_secret)
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "unknown client or wrong secret",
        );
    }
    let tenant = match form.get("tenant") {
        None => None,
        Some(t) => match t.trim().parse::<i64>() {
            Ok(t) if state.knows_tenant(t) => Some(t),
            _ => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "the tenant is not connected to this client",
                )
            }
        },
    };
    let lifetime = state.faults().token_lifetime;
    let n = state.recorder.counters().tokens_issued;
    // Shaped like ServiceTitan's tokens (a JWT), so clients can read `exp` and `scope` from it;
    // the signature part is random (the mock checks tokens by lookup, not by signature).
    let expires_at = chrono::Utc::now().timestamp() + lifetime.as_secs() as i64;
    let claims = json!({ "exp": expires_at, "scope": SCOPES, "tenant": tenant });
    let token = format!(
        "{}.{}.{:016x}{:016x}",
        base64url(br#"{"alg":"none","typ":"JWT"}"#),
        base64url(claims.to_string().as_bytes()),
        crate::fake::mix(state.config.seed, n),
        crate::fake::mix(Instant::now().elapsed().as_nanos() as u64 ^ n, 0x70c)
    );
    {
        let mut tokens = state.tokens.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if tokens.len() > 10_000 {
            tokens.retain(|_, t| t.expires > now);
        }
        tokens.insert(
            token.clone(),
            Token {
                expires: now + lifetime,
                tenant,
            },
        );
    }
    state.recorder.count(|c| c.tokens_issued += 1);
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        json!({
            "access_token": token,
            "expires_in": lifetime.as_secs(),
            "token_type": "Bearer",
            "scope": SCOPES,
        })
        .to_string(),
    )
        .into_response()
}

/// Checks the bearer token and the app key of an API call; returns the problem to answer.
pub fn check(state: &State, headers: &HeaderMap, tenant: Option<i64>) -> Result<(), Response> {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        // ServiceTitan also takes the bare token (servicepytan 0.4.2 sends it without a scheme).
        .map(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
                .unwrap_or(v)
        })
        .filter(|v| !v.trim().is_empty());
    let Some(bearer) = bearer else {
        return Err(problem(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: no bearer token",
            Map::new(),
        ));
    };
    let token = state
        .tokens
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(bearer.trim())
        .copied();
    let Some(token) = token else {
        return Err(problem(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: unknown token",
            Map::new(),
        ));
    };
    if token.expires <= Instant::now() {
        return Err(problem(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: the token has expired",
            Map::new(),
        ));
    }
    let app_key = headers.get("st-app-key").and_then(|v| v.to_str().ok());
    if app_key != Some(state.config.credentials.app_key.as_str()) {
        return Err(problem(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: missing or invalid ST-App-Key header",
            Map::new(),
        ));
    }
    if let (Some(bound), Some(t)) = (token.tenant, tenant) {
        if bound != t {
            return Err(problem(
                StatusCode::FORBIDDEN,
                "The token was issued for another tenant",
                Map::new(),
            ));
        }
    }
    Ok(())
}
