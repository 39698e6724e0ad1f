//! Writing JSON answers: pretty on a terminal, compact otherwise — in both cases the API's own
//! bytes, re-indented but never re-encoded, so money keeps its digits (`10.10` stays `10.10`),
//! large integers stay exact and key order is kept. (Re-encoding through `serde_json::Value`
//! would turn `10.10` into `10.1`; `serde_json`'s `arbitrary_precision` would fix that but
//! changes every crate's `serde_json` in the build, so the SDK's crates would be built twice.)

use std::io::{self, IsTerminal, Write};

/// How answers are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Indented, for people.
    Pretty,
    /// One line, for pipes and files.
    Compact,
}

impl Style {
    /// Pretty when standard output is a terminal.
    pub fn for_stdout() -> Style {
        if io::stdout().is_terminal() {
            Style::Pretty
        } else {
            Style::Compact
        }
    }
}

/// `raw` (valid JSON text) indented by two spaces per level, strings and numbers untouched.
pub fn pretty(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = raw.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.push(chars.next().unwrap_or(' '));
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// `raw` on one line: whitespace outside strings removed.
pub fn compact(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in raw.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c.is_whitespace() {
            continue;
        }
        out.push(c);
    }
    out
}

/// Prints one JSON document on standard output in `style`.
pub fn print_json(raw: &str, style: Style) -> io::Result<()> {
    let text = match style {
        Style::Pretty => pretty(raw),
        Style::Compact => compact(raw),
    };
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_keeps_numbers_strings_and_order() {
        let raw = r#"{"z":10.10,"a":[1,{"s":"x, {y}: \"q\""}],"e":{},"n":12345678901234567890}"#;
        let shown = pretty(raw);
        assert!(shown.contains("\"z\": 10.10"), "{shown}");
        assert!(shown.contains(r#""s": "x, {y}: \"q\"""#), "{shown}");
        assert!(shown.contains("\"e\": {}"), "{shown}");
        assert!(shown.contains("12345678901234567890"), "{shown}");
        assert!(shown.find("\"z\"") < shown.find("\"a\""));
        // Pretty then compact gives the original bytes back.
        assert_eq!(compact(&shown), raw);
    }
}
