//! What a paging stream has read so far: the guard against a server that answers empty pages with `hasMore: true` forever, and
//! the check of `totalCount` against the records read.

use super::{Page, PagingAnomaly, MAX_EMPTY_PAGES};
use crate::Error;

/// Counters of one paging stream.
#[derive(Debug)]
pub(super) struct Progress {
    /// Named in the errors.
    operation: &'static str,
    /// The first page requested: `totalCount` is only compared when the stream began at page 1.
    first: i32,
    /// Empty pages with `hasMore: true` in a row.
    empty_run: u32,
    /// Records read (decoded or not).
    seen: i64,
}

impl Progress {
    pub(super) fn new(operation: &'static str, first: i32) -> Self {
        Progress {
            operation,
            first,
            empty_run: 0,
            seen: 0,
        }
    }

    /// Counts `page`; `Err` once [`MAX_EMPTY_PAGES`] empty pages with `hasMore: true` came in a
    /// row. On the last page (`hasMore: false`) a `totalCount` that differs from the records read
    /// is logged at WARN (records change while paging), never "corrected".
    pub(super) fn account<P: Page>(&mut self, page: i32, envelope: &P) -> Result<(), Error> {
        let len = envelope.item_count() as i64;
        self.seen += len;
        if envelope.has_more() {
            self.empty_run = if len == 0 { self.empty_run + 1 } else { 0 };
            if self.empty_run >= MAX_EMPTY_PAGES {
                return Err(Error::PagingAnomaly {
                    operation: self.operation,
                    page,
                    anomaly: PagingAnomaly::EmptyPages(MAX_EMPTY_PAGES),
                });
            }
        } else if let Some(total) = envelope.total_count() {
            if total != self.seen && self.first == 1 {
                tracing::warn!(target: "servicetitan::paging", total, read = self.seen, "totalCount differs from the records read (records changed while paging?)");
            }
        }
        Ok(())
    }
}
