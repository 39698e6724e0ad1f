//! Lazy streams over ServiceTitan's paged lists (`{page, pageSize, hasMore, totalCount, data}`).
//!
//! The generated crates implement [`Page`] for every list envelope and add `.pages()`,
//! `.stream()` and `.collect_all()` to every paged-list builder; this module holds the logic once.
//!
//! Policy:
//! * the generated `.pages()` / `.stream()` read ahead: once a page arrives, up to
//!   [`DEFAULT_PAGES_AHEAD`] further pages of the announced `totalCount` (or the one next page, on
//!   `hasMore` alone) are requested before it is handed over, so the API's latency overlaps the
//!   consumer's work ([`pages_read_ahead`], [`items_read_ahead`]; [`pages_prefetched`] runs each
//!   request on its own task for futures that can be spawned). [`pages`] and
//!   `.pages_concurrent(1)` are lazy: the next page only when polled past the current one;
//! * the stream ends after a page with `hasMore: false`;
//! * an **empty page with `hasMore: true`** is followed (the API does this around concurrent
//!   deletes) but at most [`MAX_EMPTY_PAGES`] times in a row; then the stream ends with
//!   [`crate::Error::InvalidRequest`] naming the page, rather than looping for ever;
//! * `totalCount` (only sent with `includeTotal=true`) is informational: a mismatch is logged at
//!   WARN with the counts, never "corrected" by truncating or padding the data.
//!
//! [`pages_concurrent`] (generated as `.pages_concurrent(n)` / `.stream_concurrent(n)`) reads the
//! first page with `includeTotal=true`, and when the API answers with a `totalCount` it requests
//! the remaining pages with at most `n` in flight, yielding them **in page order**. The rate
//! limiter and retries live in the transport, so every one of those requests is still paced.
//! Without a `totalCount` (or with an empty first page) it reads on one page at a time, like
//! [`pages`]. The same end rules apply: it stops after the first page with `hasMore: false`
//! (requests for later pages still in flight are dropped), and follows `hasMore: true` past the
//! pages the total announced (records added meanwhile) one page at a time.
//!
//! **Records that cannot be read.** A page's `data` is decoded record by record
//! ([`crate::records`]): [`pages`] yields the page with the failures in `page.data.failures()`
//! (each naming the operation), and [`items`] yields each failure as an [`Error::Record`] item in
//! the record's place, then goes on with the next record. Only an error of the request itself (or
//! of the page envelope) ends a stream.

use crate::records::Records;
use crate::Error;
use futures::{stream, Stream, TryStreamExt};
use progress::Progress;
use std::future::Future;

mod concurrent;
#[doc(hidden)]
pub mod field;
mod prefetch;
mod progress;
mod read_ahead;
#[cfg(test)]
mod tests;

pub use concurrent::pages_concurrent;
pub use prefetch::{pages_prefetched, pages_read_ahead, DEFAULT_PAGES_AHEAD};
pub use read_ahead::items_read_ahead;

/// Consecutive empty pages with `hasMore: true` tolerated before giving up.
pub const MAX_EMPTY_PAGES: u32 = 3;

/// A page envelope of a paged list. Its `data` is [`Records`]: decoded record by record.
pub trait Page {
    /// The record type.
    type Item;
    /// The API's `hasMore`.
    fn has_more(&self) -> bool;
    /// The API's `totalCount`, when requested with `includeTotal`.
    fn total_count(&self) -> Option<i64>;
    /// The page's records: those read and those that could not be.
    fn records(&self) -> &Records<Self::Item>;
    /// The same, to name the operation in the failures.
    fn records_mut(&mut self) -> &mut Records<Self::Item>;
    /// The page's records, taken.
    fn into_records(self) -> Records<Self::Item>;
    /// How many records the page holds, read or not (an undecodable record is not an empty page).
    fn item_count(&self) -> usize {
        self.records().received()
    }
}

struct State<F> {
    /// Wider than a page number: it may point one past `i32::MAX` (an error when reached).
    next: Option<i64>,
    progress: Progress,
    fetch: F,
}

/// Pages from `first` on, each fetched by `fetch(page_number)` when the stream is polled; record
/// failures are named after `operation_id`.
pub fn pages<P, F, Fut>(
    operation_id: &'static str,
    first: i32,
    fetch: F,
) -> impl Stream<Item = Result<P, Error>>
where
    P: Page,
    F: FnMut(i32) -> Fut,
    Fut: Future<Output = Result<P, Error>>,
{
    let state = State {
        next: Some(i64::from(first.max(1))),
        progress: Progress::new(first.max(1)),
        fetch,
    };
    stream::try_unfold(state, move |mut st| async move {
        let Some(page) = st.next else { return Ok(None) };
        let page = i32::try_from(page).map_err(|_| no_page_after(i32::MAX))?;
        let mut envelope = (st.fetch)(page).await?;
        envelope.records_mut().set_operation(operation_id);
        st.progress.account(page, &envelope)?;
        st.next = envelope.has_more().then_some(i64::from(page) + 1);
        Ok(Some((envelope, st)))
    })
}

/// The error of a stream whose page `page` says `hasMore: true` with no page number after it.
pub(crate) fn no_page_after(page: i32) -> Error {
    Error::InvalidRequest(format!(
        "page {page} says hasMore=true, but there is no page number after it (the API's `page` is a 32-bit integer); stopping"
    ))
}

fn empty_pages_error(page: i32) -> Error {
    Error::InvalidRequest(format!(
        "page {page}: {MAX_EMPTY_PAGES} empty pages in a row while the API still reports hasMore=true; stopping rather than looping"
    ))
}

/// Flattens a stream of pages into a stream of their records, in order; a record that could not be
/// read is an [`Error::Record`] item in its place, and the stream goes on.
pub fn items<P, S>(pages: S) -> impl Stream<Item = Result<P::Item, Error>>
where
    P: Page,
    S: Stream<Item = Result<P, Error>>,
{
    pages
        .map_ok(|page| stream::iter(page.into_records().into_results().map(record_result)))
        .try_flatten()
}

/// A record, or its failure as the stream's error item.
pub(crate) fn record_result<T>(result: Result<T, crate::records::RecordError>) -> Result<T, Error> {
    result.map_err(|f| Error::Record(Box::new(f)))
}
