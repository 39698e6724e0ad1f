//! Confirmation tokens for writes: a write first answers with a dry run and a token bound to the
//! exact request (HMAC-SHA256 over method, URL, body and expiry, with a key drawn at start and
//! never shown); only a second call with a token that matches the same request, before it
//! expires, sends it — once.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

type HmacSha256 = Hmac<Sha256>;

/// Issues and checks tokens with a per-process key.
pub struct Confirmations {
    key: [u8; 32],
    ttl: Duration,
    /// Tokens already used, with their expiry (forgotten once expired).
    used: Mutex<HashMap<String, u64>>,
}

impl std::fmt::Debug for Confirmations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Confirmations")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// Why a token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not of the form this server issues.
    Malformed,
    /// Issued for another request (or altered).
    Mismatch,
    /// Past its expiry.
    Expired,
    /// Already used to send this request.
    Used,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::Malformed => "the confirmation token is not one this server issued",
            Refusal::Mismatch => {
                "the confirmation token does not match this exact request (operation, parameters \
                 and body must be the same as in the dry run)"
            }
            Refusal::Expired => "the confirmation token has expired",
            Refusal::Used => "the confirmation token was already used; a write is sent once",
        })?;
        f.write_str("; call again without `confirm` for a new dry run and token")
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Confirmations {
    /// A fresh random key; tokens valid for `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Confirmations {
            key: rand::random(),
            ttl,
            used: Mutex::new(HashMap::new()),
        }
    }

    /// How long a token stays valid.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn keyed(&self, expires: u64, method: &str, url: &str, body: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        // Lengths first, so that no two different requests feed the same bytes.
        for part in [method.as_bytes(), url.as_bytes(), body] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.update(&expires.to_be_bytes());
        mac
    }

    fn mac(&self, expires: u64, method: &str, url: &str, body: &[u8]) -> String {
        hex::encode(
            self.keyed(expires, method, url, body)
                .finalize()
                .into_bytes(),
        )
    }

    /// A token for this request: `<expiry unix seconds>.<hex HMAC>`.
    pub fn issue(&self, method: &str, url: &str, body: &[u8]) -> String {
        let expires = now() + self.ttl.as_secs().max(1);
        format!("{expires}.{}", self.mac(expires, method, url, body))
    }

    /// Checks `token` against this request and marks it used.
    pub fn redeem(&self, token: &str, method: &str, url: &str, body: &[u8]) -> Result<(), Refusal> {
        let (expires, mac) = token.trim().split_once('.').ok_or(Refusal::Malformed)?;
        let expires: u64 = expires.parse().map_err(|_| Refusal::Malformed)?;
        let given = hex::decode(mac).map_err(|_| Refusal::Malformed)?;
        // Constant-time comparison.
        self.keyed(expires, method, url, body)
            .verify_slice(&given)
            .map_err(|_| Refusal::Mismatch)?;
        let now = now();
        if now > expires {
            return Err(Refusal::Expired);
        }
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        used.retain(|_, exp| *exp >= now);
        if used.insert(token.trim().to_string(), expires).is_some() {
            return Err(Refusal::Used);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_sends_its_own_request_once() {
        let c = Confirmations::new(Duration::from_secs(60));
        let t = c.issue("POST", "http://x/a", b"{}");
        assert_eq!(
            c.redeem(&t, "POST", "http://x/a", b"{\"a\":1}"),
            Err(Refusal::Mismatch)
        );
        assert_eq!(
            c.redeem(&t, "PATCH", "http://x/a", b"{}"),
            Err(Refusal::Mismatch)
        );
        assert_eq!(c.redeem(&t, "POST", "http://x/a", b"{}"), Ok(()));
        assert_eq!(
            c.redeem(&t, "POST", "http://x/a", b"{}"),
            Err(Refusal::Used)
        );
    }

    #[test]
    fn tampered_malformed_and_expired_tokens_are_refused() {
        let c = Confirmations::new(Duration::from_secs(60));
        let t = c.issue("POST", "u", b"");
        let (exp, mac) = t.split_once('.').unwrap();
        let later = format!("{}.{mac}", exp.parse::<u64>().unwrap() + 1000);
        assert_eq!(c.redeem(&later, "POST", "u", b""), Err(Refusal::Mismatch));
        let mut flipped = t.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert_eq!(c.redeem(&flipped, "POST", "u", b""), Err(Refusal::Mismatch));
        assert_eq!(c.redeem("nope", "POST", "u", b""), Err(Refusal::Malformed));
        // Another process (another key) never accepts it.
        let other = Confirmations::new(Duration::from_secs(60));
        assert_eq!(other.redeem(&t, "POST", "u", b""), Err(Refusal::Mismatch));
        // An expiry in the past, correctly signed, is refused as expired.
        let old = 1_000u64;
        let signed = format!("{old}.{}", c.mac(old, "POST", "u", b""));
        assert_eq!(c.redeem(&signed, "POST", "u", b""), Err(Refusal::Expired));
    }
}
