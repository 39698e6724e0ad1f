//! What a failed token request tells the user: the troubleshooting checklist of the ServiceTitan
//! documentation (credentials, app connection, environment, Enterprise Hub), per failure.

use reqwest::StatusCode;

use super::AuthFailure;

/// The message of a failed token request.
pub(crate) fn message(
    reason: AuthFailure,
    token_url: &str,
    environment: &str,
    status: Option<StatusCode>,
    detail: Option<&str>,
) -> String {
    let said = match (status, detail) {
        (Some(s), Some(d)) => format!(" ({s}: {d})"),
        (Some(s), None) => format!(" ({s})"),
        (None, Some(d)) => format!(" ({d})"),
        (None, None) => String::new(),
    };
    match reason {
        AuthFailure::Rejected => format!(
            "ServiceTitan refused the access token request at {token_url}{said}. Check that: \
             (1) the client id and client secret are right — exact, case-sensitive names \
             SERVICETITAN_CLIENT_ID / SERVICETITAN_CLIENT_SECRET, no trailing spaces, the .env \
             file is where it is loaded from; (2) the tenant's admin has connected the app and it \
             is active (Settings → Integrations → API Application Access → Connect New App); \
             (3) the credentials belong to the {environment} environment: client id and secret \
             are issued per environment (production vs integration), the app key is not; \
             (4) for Enterprise Hub credentials, the tenant id is part of the network"
        ),
        AuthFailure::ServerError => format!(
            "the ServiceTitan token endpoint {token_url} failed{said}; this is on ServiceTitan's \
             side, try again later"
        ),
        AuthFailure::Unreachable => format!(
            "could not reach the ServiceTitan token endpoint {token_url}{said}; check the network \
             and that the auth URL matches the {environment} environment"
        ),
        AuthFailure::InvalidResponse => format!(
            "the token endpoint {token_url} answered without a usable access token{said}; check \
             that the auth URL points at ServiceTitan's {environment} auth server"
        ),
        AuthFailure::RateLimited => format!(
            "the ServiceTitan token endpoint {token_url} is rate limiting token requests{said}; \
             tokens are cached for their lifetime, so this usually means many processes share \
             the credentials: share one token between them (see `auth::TokenProvider`)"
        ),
        AuthFailure::TimedOut => format!(
            "the ServiceTitan token endpoint {token_url} timed out{said}; check the network and \
             that the auth URL matches the {environment} environment"
        ),
    }
}
