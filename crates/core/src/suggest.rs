//! "Did you mean …?": the one place the SDK picks the known name a misspelt one most likely
//! meant (configuration keys, environments, timezones, profiles, report parameters).
//!
//! Distances are Damerau–Levenshtein (a swapped pair of letters counts as one slip) on
//! ASCII-lower-cased text, so a difference of case alone is distance 0: environment variables
//! and IANA names are case-sensitive, and a wrong case is the most common slip of all.
//!
//! ```
//! use servicetitan_core::suggest::did_you_mean;
//! let known = ["BusinessUnitIds", "From", "To"];
//! assert_eq!(did_you_mean("Form", known), Some("From"));
//! assert_eq!(did_you_mean("from", known), Some("From"));
//! assert_eq!(did_you_mean("Weather", known), None);
//! ```

/// The candidate closest to `input` and its distance (0 for a match that differs only in
/// case). Among equally close candidates the first wins, so callers list candidates in the
/// order they would rather suggest them.
pub fn closest<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<(&'a str, usize)> {
    let input = input.to_ascii_lowercase();
    let mut best: Option<(&'a str, usize)> = None;
    for candidate in candidates {
        let distance = strsim::damerau_levenshtein(&input, &candidate.to_ascii_lowercase());
        if best.is_none_or(|(_, d)| distance < d) {
            best = Some((candidate, distance));
        }
    }
    best
}

/// The candidate `input` most likely meant, if it is close enough to be a plausible typo:
/// within [`max_distance`] of it.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    closest(input, candidates)
        .filter(|(candidate, distance)| *distance <= max_distance(candidate))
        .map(|(candidate, _)| candidate)
}

/// How many slips make a plausible typo of `candidate`: one for a short name, growing with its
/// length up to four, so `SERVICETITAN_CLIENTID` or `SERVICETITAN_TENNANT_ID` are caught while
/// an unrelated `SERVICETITAN_WEBHOOK_SECRET` is not, and two short names are only suggested
/// for each other when one letter apart.
pub fn max_distance(candidate: &str) -> usize {
    (candidate.chars().count() / 7).clamp(1, 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_alone_is_distance_zero() {
        assert_eq!(closest("acme", ["other", "ACME"]), Some(("ACME", 0)));
    }

    #[test]
    fn first_of_equally_close_wins() {
        assert_eq!(closest("ab", ["ax", "ay"]), Some(("ax", 1)));
        assert_eq!(closest("x", std::iter::empty()), None);
    }

    #[test]
    fn threshold_grows_with_length() {
        assert_eq!(max_distance("To"), 1);
        assert_eq!(max_distance("SERVICETITAN_APP_ID"), 2);
        assert_eq!(max_distance("SERVICETITAN_API_ENVIRONMENT"), 4);
        assert_eq!(did_you_mean("Tx", ["To"]), Some("To"));
        assert_eq!(did_you_mean("Ty", ["Tx", "Zz"]), Some("Tx"));
        assert_eq!(did_you_mean("Abc", ["To"]), None);
        assert_eq!(
            did_you_mean("SERVICETITAN_TENNANT_ID", ["SERVICETITAN_TENANT_ID"]),
            Some("SERVICETITAN_TENANT_ID")
        );
        assert_eq!(
            did_you_mean(
                "SERVICETITAN_WEBHOOK_SECRET",
                ["SERVICETITAN_CLIENT_SECRET"]
            ),
            None
        );
    }
}
