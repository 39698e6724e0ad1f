//! Entry points for the fuzz targets in `fuzz/` (not a stable API).
//!
//! Each takes raw bytes as a server (or a user's file) could send them and runs the parser the
//! SDK uses on them. A panic, an overflow or an unbounded allocation is a bug.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::StatusCode;

use crate::error::ApiError;

/// `Retry-After` parsing (seconds or HTTP date) and the 429 title form.
pub fn retry_after(input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    for wait in [
        crate::retry::parse_retry_after(&text, now),
        crate::retry::seconds_in_title(&text),
    ]
    .into_iter()
    .flatten()
    {
        assert!(wait <= crate::retry::MAX_SERVER_WAIT);
        // What the transport does with a wait: add it to a clock.
        let _ = tokio::time::Instant::now().checked_add(wait);
    }
}

/// An error response: first byte the status (400 + n), then the body; `Retry-After` is the
/// body's first line too. Renders the error as a user would see it.
pub fn error_body(input: &[u8]) {
    let (status, body) = match input.split_first() {
        Some((first, rest)) => (400 + u16::from(*first % 200), rest),
        None => (429, input),
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::TOO_MANY_REQUESTS);
    let mut headers = HeaderMap::new();
    let first_line = body.split(|b| *b == b'\n').next().unwrap_or_default();
    if let Ok(value) = HeaderValue::from_bytes(first_line) {
        headers.insert(reqwest::header::RETRY_AFTER, value.clone());
        headers.insert("traceparent", value);
    }
    let error = ApiError::from_head(status, &headers, None, Some(body));
    let _ = error.to_string();
    let _ = format!("{error:?}");
    let _ = crate::error::Error::from(error).to_string();
}

/// A token endpoint's 2xx answer.
pub fn token_answer(input: &[u8]) {
    if let Ok((_, lifetime, _)) = crate::auth::fetch::parse_answer(input) {
        assert!(lifetime <= crate::auth::MAX_LIFETIME && !lifetime.is_zero());
        let _ = tokio::time::Instant::now().checked_add(lifetime);
    }
}

/// Lenient date and date-time parsing, as used on API records.
pub fn lenient_dates(input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    let _ = crate::lenient::parse_datetime(&text);
    let _ = crate::lenient::parse_date(&text);
}

/// A JSON configuration file, resolved with no environment.
pub fn config_json(input: &[u8]) {
    with_file(input, |path| {
        crate::Config::builder()
            .config_file(path)
            .env_source(crate::config::EnvSource::empty())
            .no_dotenv()
            .resolve()
    });
}

/// A `.env` file, resolved with no other source.
pub fn dotenv(input: &[u8]) {
    with_file(input, |path| {
        crate::Config::builder()
            .env_source(crate::config::EnvSource::empty())
            .dotenv_path(path)
            .resolve()
    });
}

/// Writes `input` to a scratch file of this process and resolves a configuration from it; the
/// error (if any) is rendered as a user would see it.
fn with_file<T: std::fmt::Debug>(
    input: &[u8],
    resolve: impl FnOnce(&std::path::Path) -> Result<T, crate::config::ConfigError>,
) {
    let path = std::env::temp_dir().join(format!("servicetitan-fuzz-{}", std::process::id()));
    if std::fs::write(&path, input).is_err() {
        return;
    }
    match resolve(&path) {
        Ok(config) => {
            let _ = format!("{config:?}");
        }
        Err(err) => {
            let _ = err.to_string();
            let _ = format!("{err:?}");
        }
    }
}
