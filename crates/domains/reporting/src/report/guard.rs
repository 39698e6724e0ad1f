//! Paging that cannot loop or duplicate. The live API may ignore `page`/`pageSize` (the whole
//! result at once) and still say `HasMore: true`, sending the same rows again on the next page.
//! A page with more rows than asked for means paging was ignored: it is the whole result and
//! the last page. A page identical to the previous one is a repeat: dropped, and the run ends.

use std::hash::Hasher;

use serde_json::Value;

/// What to do with a page.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Deliver its rows; `more` says whether to ask for the next page.
    Deliver { more: bool },
    /// The same rows as the previous page: deliver nothing, stop.
    Repeat,
}

/// Remembers the previous page (by a hash of its rows, not the rows).
#[derive(Debug)]
pub(crate) struct PageGuard {
    asked: usize,
    previous: Option<u64>,
}

impl PageGuard {
    /// A guard for pages of `asked` rows.
    pub fn new(asked: u32) -> Self {
        PageGuard {
            asked: asked as usize,
            previous: None,
        }
    }

    /// The verdict on a page of `rows` that says `has_more`.
    pub fn check(&mut self, rows: &[Vec<Value>], has_more: bool) -> Verdict {
        let hash = digest(rows);
        if !rows.is_empty() && self.previous == Some(hash) {
            tracing::debug!(
                target: "servicetitan::reporting",
                rows = rows.len(),
                "report page repeats the previous one (paging ignored by the server); run ends"
            );
            return Verdict::Repeat;
        }
        self.previous = Some(hash);
        if rows.len() > self.asked {
            tracing::debug!(
                target: "servicetitan::reporting",
                asked = self.asked,
                rows = rows.len(),
                "report page has more rows than asked for (paging ignored by the server): taken as the whole result"
            );
            return Verdict::Deliver { more: false };
        }
        // An empty page ends the run whatever `hasMore` says.
        Verdict::Deliver {
            more: has_more && !rows.is_empty(),
        }
    }
}

/// A hash of the rows' JSON text, written straight into the hasher.
fn digest(rows: &[Vec<Value>]) -> u64 {
    struct Sink(std::collections::hash_map::DefaultHasher);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.write(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut sink = Sink(Default::default());
    // Writing JSON values to a sink that cannot fail cannot fail.
    let _ = serde_json::to_writer(&mut sink, rows);
    sink.0.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(n: i64, from: i64) -> Vec<Vec<Value>> {
        (from..from + n).map(|i| vec![json!(i)]).collect()
    }

    #[test]
    fn honoured_paging_follows_has_more() {
        let mut g = PageGuard::new(2);
        assert_eq!(g.check(&rows(2, 0), true), Verdict::Deliver { more: true });
        assert_eq!(g.check(&rows(2, 2), true), Verdict::Deliver { more: true });
        assert_eq!(
            g.check(&rows(1, 4), false),
            Verdict::Deliver { more: false }
        );
    }

    #[test]
    fn more_rows_than_asked_is_the_whole_result() {
        let mut g = PageGuard::new(2);
        assert_eq!(g.check(&rows(5, 0), true), Verdict::Deliver { more: false });
    }

    #[test]
    fn a_repeated_page_ends_the_run_and_an_empty_page_too() {
        let mut g = PageGuard::new(10);
        assert_eq!(g.check(&rows(3, 0), true), Verdict::Deliver { more: true });
        assert_eq!(g.check(&rows(3, 0), true), Verdict::Repeat);
        let mut g = PageGuard::new(10);
        assert_eq!(g.check(&[], true), Verdict::Deliver { more: false });
    }
}
