//! Input against what the generated type wrote back: every known value kept and unchanged.
//!
//! Allowed: unknown fields dropped; a `null`, an empty list or an absent field for one another;
//! a date-time written in another shape for the same instant. Numbers compare as text (decimals
//! digit for digit, integers exactly), except short floats (`12.5`) which compare as `f64`.

use super::json::J;
use super::sample::UNKNOWN_PREFIX;
use servicetitan::lenient::parse_datetime;

fn is_empty(v: Option<&J>) -> bool {
    match v {
        None | Some(J::Null) => true,
        Some(J::Arr(a)) => a.is_empty(),
        _ => false,
    }
}

fn short_float(n: &str) -> bool {
    n.chars().filter(char::is_ascii_digit).count() <= 15 && n.contains('.')
}

/// Differences between `input` and `output`, each with its JSON path.
pub fn differences(path: &str, input: &J, output: Option<&J>, out: &mut Vec<String>) {
    if is_empty(Some(input)) {
        if !is_empty(output) {
            out.push(format!(
                "{path}: sent {}, read back {}",
                input.text(),
                output.unwrap().text()
            ));
        }
        return;
    }
    let Some(output) = output else {
        out.push(format!("{path}: {} was lost", input.text()));
        return;
    };
    match (input, output) {
        (J::Obj(fields), J::Obj(back)) => {
            for (k, v) in fields {
                if k.starts_with(UNKNOWN_PREFIX) {
                    continue;
                }
                let got = back.iter().find(|(bk, _)| bk == k).map(|(_, bv)| bv);
                differences(&format!("{path}.{k}"), v, got, out);
            }
            for (k, v) in back {
                if !fields.iter().any(|(fk, _)| fk == k) && !is_empty(Some(v)) {
                    out.push(format!("{path}.{k}: appeared ({})", v.text()));
                }
            }
        }
        (J::Arr(items), J::Arr(back)) if items.len() == back.len() => {
            for (i, (a, b)) in items.iter().zip(back).enumerate() {
                differences(&format!("{path}[{i}]"), a, Some(b), out);
            }
        }
        (J::Str(a), J::Str(b)) if a == b => {}
        (J::Str(a), J::Str(b)) => match (parse_datetime(a), parse_datetime(b)) {
            (Some(x), Some(y)) if x == y => {}
            _ => out.push(format!("{path}: sent {a:?}, read back {b:?}")),
        },
        (J::Num(a), J::Num(b)) if a == b => {}
        (J::Num(a), J::Num(b))
            if short_float(a) && a.parse::<f64>().ok() == b.parse::<f64>().ok() => {}
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: sent {}, read back {}", a.text(), b.text())),
    }
}
