//! Timezone names: IANA names through chrono-tz, plus the US abbreviations the seed accepts.

use chrono_tz::Tz;

/// The abbreviations servicepytan users write, mapped to the IANA zone they mean.
///
/// They map to the DST-observing city zones on purpose: someone who writes `EST` means "Eastern
/// time" (wall clock in the office), not the fixed UTC-5 offset that tzdb's own `EST` entry is.
/// The daylight forms map to the same zones for the same reason.
const ABBREVIATIONS: &[(&str, Tz)] = &[
    ("EST", Tz::America__New_York),
    ("EDT", Tz::America__New_York),
    ("CST", Tz::America__Chicago),
    ("CDT", Tz::America__Chicago),
    ("MST", Tz::America__Denver),
    ("MDT", Tz::America__Denver),
    ("PST", Tz::America__Los_Angeles),
    ("PDT", Tz::America__Los_Angeles),
    ("UTC", Tz::UTC),
    ("GMT", Tz::UTC),
];

/// The error of [`parse_timezone`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown timezone {value:?}; use an IANA name such as America/New_York, or one of EST, CST, MST, PST, EDT, CDT, MDT, PDT, UTC, GMT{}", suggestion.map(|s| format!(" (did you mean {s}?)")).unwrap_or_default())]
pub struct ParseTimezoneError {
    /// The rejected text.
    pub value: String,
    /// The closest IANA name, if the text looks like a misspelling of one.
    pub suggestion: Option<&'static str>,
}

/// Parses an IANA name (case-sensitive, as tzdb is) or one of the abbreviations
/// (case-insensitive). Returns the zone and, for an abbreviation, the abbreviation it expanded.
pub fn parse_timezone(text: &str) -> Result<(Tz, Option<&'static str>), ParseTimezoneError> {
    let trimmed = text.trim();
    let upper = trimmed.to_ascii_uppercase();
    // Abbreviations first: tzdb has fixed-offset `EST`/`MST` entries that would otherwise win.
    if let Some((abbr, tz)) = ABBREVIATIONS.iter().find(|(abbr, _)| *abbr == upper) {
        return Ok((*tz, Some(abbr)));
    }
    if let Ok(tz) = trimmed.parse::<Tz>() {
        return Ok((tz, None));
    }
    Err(ParseTimezoneError {
        value: text.to_owned(),
        suggestion: suggest(trimmed),
    })
}

/// The IANA name a misspelt or wrongly-capitalised timezone most likely meant.
fn suggest(text: &str) -> Option<&'static str> {
    let spaced = text.replace(' ', "_");
    let (name, distance) =
        crate::suggest::closest(&spaced, chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()))?;
    // Capitalisation slips (`america/new_york`, distance 0) are the seed's own troubleshooting
    // example; beyond that only longer names, whose near spellings are not another real zone.
    (distance == 0 || (distance <= 3 && spaced.len() > 4)).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iana_names() {
        assert_eq!(
            parse_timezone("America/New_York").unwrap(),
            (Tz::America__New_York, None)
        );
        assert_eq!(
            parse_timezone(" Europe/Berlin ").unwrap().0,
            Tz::Europe__Berlin
        );
    }

    #[test]
    fn abbreviations_map_to_city_zones() {
        for (abbr, tz) in [
            ("EST", Tz::America__New_York),
            ("edt", Tz::America__New_York),
            ("CST", Tz::America__Chicago),
            ("CDT", Tz::America__Chicago),
            ("MST", Tz::America__Denver),
            ("MDT", Tz::America__Denver),
            ("PST", Tz::America__Los_Angeles),
            ("Pdt", Tz::America__Los_Angeles),
            ("UTC", Tz::UTC),
            ("gmt", Tz::UTC),
        ] {
            let (parsed, expanded) = parse_timezone(abbr).unwrap();
            assert_eq!(parsed, tz, "{abbr}");
            assert_eq!(expanded, Some(abbr.to_ascii_uppercase()).as_deref());
        }
    }

    #[test]
    fn suggestions() {
        let err = parse_timezone("america/new_york").unwrap_err();
        assert_eq!(err.suggestion, Some("America/New_York"));
        let err = parse_timezone("America/New_Yrok").unwrap_err();
        assert_eq!(err.suggestion, Some("America/New_York"));
        let err = parse_timezone("Mars/Olympus_Mons_Base").unwrap_err();
        assert_eq!(err.suggestion, None);
        assert!(err.to_string().contains("IANA name"));
    }
}
