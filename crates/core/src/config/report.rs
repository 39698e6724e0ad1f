//! A printable, secret-free account of a resolved configuration: each setting's value (masked
//! where secret) and the source it came from. Meant for `config check` style commands and for
//! support tickets, where a user pastes it without leaking credentials.

use std::fmt;

use url::Url;

use super::source::Source;

/// One setting of a [`ConfigReport`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ReportRow {
    /// The variable name (`SERVICETITAN_CLIENT_ID`), or `token_refresh_margin` for the
    /// builder-only setting.
    pub key: &'static str,
    /// The value, with secrets masked; `(not set)` for an absent optional value.
    pub value: String,
    /// Where the value came from.
    pub source: Source,
    /// Anything worth knowing: whitespace trimmed, abbreviation expanded, URL derived.
    pub note: Option<String>,
}

/// Every setting of a [`Config`](super::Config) with its source; `Display` renders a table,
/// `Serialize` gives the same rows for `--json` output.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ConfigReport {
    pub(crate) rows: Vec<ReportRow>,
    pub(crate) warnings: Vec<String>,
}

impl ConfigReport {
    /// The rows, in a stable order (required settings first).
    pub fn rows(&self) -> &[ReportRow] {
        &self.rows
    }

    /// The row of one key, by variable name.
    pub fn get(&self, key: &str) -> Option<&ReportRow> {
        self.rows.iter().find(|r| r.key == key)
    }

    /// Non-fatal findings, such as an unknown `SERVICETITAN_*` variable in the environment.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

impl fmt::Display for ConfigReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = ["KEY", "VALUE", "SOURCE", "NOTE"];
        let cells: Vec<[String; 4]> = self
            .rows
            .iter()
            .map(|r| {
                [
                    r.key.to_owned(),
                    r.value.clone(),
                    r.source.to_string(),
                    r.note.clone().unwrap_or_default(),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &cells {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |f: &mut fmt::Formatter<'_>, row: [&str; 4]| -> fmt::Result {
            let text = format!(
                "{:<w0$}  {:<w1$}  {:<w2$}  {}",
                row[0],
                row[1],
                row[2],
                row[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            );
            writeln!(f, "{}", text.trim_end())
        };
        line(f, header)?;
        line(
            f,
            [
                &"-".repeat(widths[0]),
                &"-".repeat(widths[1]),
                &"-".repeat(widths[2]),
                &"-".repeat(widths[3]),
            ],
        )?;
        for row in &cells {
            line(f, [&row[0], &row[1], &row[2], &row[3]])?;
        }
        for warning in &self.warnings {
            writeln!(f, "warning: {warning}")?;
        }
        Ok(())
    }
}

/// Masks a secret for display.
///
/// ServiceTitan secrets carry a short type prefix (`cs2.`, `ak1.`); keeping it lets a user see
/// which kind of key is configured (a client secret where the app key belongs is a classic slip)
/// without revealing any of the secret part.
pub(crate) fn mask_secret(secret: &str) -> String {
    const MASK: &str = "********";
    if let Some((prefix, rest)) = secret.split_once('.') {
        if (2..=4).contains(&prefix.len())
            && prefix.chars().all(|c| c.is_ascii_alphanumeric())
            && rest.len() >= 8
        {
            return format!("{prefix}.{MASK}");
        }
    }
    MASK.to_owned()
}

/// A URL with any password replaced, for display (proxy URLs may carry `user:pass@`).
pub(crate) fn mask_url(url: &Url) -> String {
    if url.password().is_some() {
        let mut masked = url.clone();
        // Cannot fail: a URL that has a password can have it replaced.
        let _ = masked.set_password(Some("****"));
        masked.to_string()
    } else {
        url.to_string()
    }
}

/// Masks the `user:password@` part of text that did not parse as a URL.
pub(crate) fn mask_url_text(text: &str) -> String {
    let after_scheme = text.find("://").map_or(0, |i| i + 3);
    match text[after_scheme..].find('@') {
        Some(at) => {
            let userinfo = &text[after_scheme..after_scheme + at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!(
                    "{}{user}:****{}",
                    &text[..after_scheme],
                    &text[after_scheme + at..]
                ),
                None => text.to_owned(),
            }
        }
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secrets() {
        assert_eq!(mask_secret("cs2.abcdefghijklmnop"), "cs2.********");
        assert_eq!(mask_secret("ak1.abcdefghijklmnop"), "ak1.********");
        assert_eq!(mask_secret("short"), "********");
        assert_eq!(mask_secret("cs2.short"), "********");
        assert_eq!(mask_secret("toolongprefix.abcdefghijkl"), "********");
    }

    #[test]
    fn masks_url_passwords() {
        let url = Url::parse("http://user:hunter2@proxy:8080/").unwrap();
        assert_eq!(mask_url(&url), "http://user:****@proxy:8080/");
        assert_eq!(
            mask_url_text("http://user:hunter2@pro xy"),
            "http://user:****@pro xy"
        );
        assert_eq!(mask_url_text("not a url"), "not a url");
    }
}
