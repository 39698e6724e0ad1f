//! Streams over ServiceTitan's paged lists (`{page, pageSize, hasMore, totalCount, data}`).
//!
//! The generated crates implement [`Page`] for every list envelope and add `.pages()`,
//! `.stream()`, `.collect_all()` and `.pages_concurrent(n)` / `.stream_concurrent(n)` to every
//! paged-list builder. All of them, and the CLI's raw paging, run on **one engine** (module
//! `engine`): a launch policy and a depth, and the same plan and end rules:
//!
//! | entry point | generated as | launch | depth (requests in flight at most) |
//! |---|---|---|---|
//! | [`pages_prefetched`] | `.pages()`, `.stream()`, `.collect_all()` | spawned: topped up as soon as a page is handed over, each request on a task of its own | [`DEFAULT_PAGES_AHEAD`] |
//! | [`pages_concurrent`] | `.pages_concurrent(n)`, `.stream_concurrent(n)` | in place: issued and polled when the stream is polled | `n` |
//! | [`pages`] | (the CLI's `--all`) | in place | 1 |
//!
//! **The lazy switch** is depth 1 in place: `.pages_concurrent(1)` / `.stream_concurrent(1)`
//! (or [`pages`]) sends the next request only when polled past the current page. A depth of 0
//! counts as 1 everywhere; it is not a separate mode.
//!
//! Rules, the same for every entry point:
//! * the first page asks for `totalCount` (the generated `fetch` sets `includeTotal=true`); it
//!   plans the last page as `ceil(totalCount / pageSize)` whatever the first page number, and no
//!   request goes ahead past it; beyond it (records added meanwhile) and without a total, pages
//!   are requested one at a time while `hasMore` says so;
//! * pages are yielded in page order; every request still goes through the client's rate
//!   limiter, and the requests of one stream share one retry count (`transport::stream_retries`);
//! * the stream ends after a page with `hasMore: false` (requests still in flight are dropped,
//!   spawned ones aborted), and dropping the stream cancels what is in flight;
//! * an **empty page with `hasMore: true`** is followed (the API does this around concurrent
//!   deletes) but at most [`MAX_EMPTY_PAGES`] times in a row; then the stream ends with
//!   [`Error::PagingAnomaly`] naming the operation and the page, rather than looping for ever;
//! * `totalCount` is otherwise informational: a mismatch is logged at WARN with the counts,
//!   never "corrected" by truncating or padding the data.
//!
//! **Records that cannot be read.** A page's `data` is decoded record by record
//! ([`crate::records`]): [`pages`] yields the page with the failures in `page.data.failures()`
//! (each naming the operation), and [`items`] yields each failure as an [`Error::Record`] item in
//! the record's place, then goes on with the next record. Only an error of the request itself (or
//! of the page envelope) ends a stream.

pub use crate::error::PagingAnomaly;
use crate::records::Records;
use crate::Error;
use futures::{stream, Stream, TryStreamExt};
use std::future::Future;

mod engine;
#[doc(hidden)]
pub mod field;
mod launch;
mod progress;
mod read_ahead;
#[cfg(test)]
mod tests;

use engine::Launch;
pub use read_ahead::items_read_ahead;

/// The default read-ahead depth (`.stream()`, `.pages()`, `.collect_all()`): pages requested
/// ahead of the consumer, at most.
///
/// Four 5000-record pages in flight hide a 100 ms round trip behind decoding on two cores while
/// keeping at most five pages in memory; the client's rate limiter (60 requests/s) still paces
/// them.
pub const DEFAULT_PAGES_AHEAD: usize = 4;

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

/// Pages from `first` on, lazily: each fetched by `fetch(page_number)` only when the stream is
/// polled past the previous one (in place, depth 1); record failures are named after
/// `operation_id`.
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
    pages_concurrent(operation_id, first, 1, fetch)
}

/// Pages from `first` on, in order, with up to `concurrency` requests in flight, issued and
/// polled when the stream is polled (see the module docs); `1` (or `0`) is the lazy stream.
///
/// `fetch(first)` should ask for the total (`includeTotal=true`); the generated
/// `.pages_concurrent(n)` does. Without a total the remaining pages are read one at a time.
pub fn pages_concurrent<P, F, Fut>(
    operation_id: &'static str,
    first: i32,
    concurrency: usize,
    fetch: F,
) -> impl Stream<Item = Result<P, Error>>
where
    P: Page,
    F: FnMut(i32) -> Fut,
    Fut: Future<Output = Result<P, Error>>,
{
    let launch = (
        Launch::InPlace,
        launch::in_place::<Fut> as launch::LaunchFn<Fut>,
    );
    engine::run(operation_id, first, launch, concurrency, fetch)
}

/// Pages from `first` on, in order, with up to `ahead` requests in flight, issued as soon as a
/// page is handed over, each on a task of its own inside a tokio runtime (in place outside one).
/// `fetch(first)` should ask for the total (`includeTotal=true`). Flatten it with
/// [`items_read_ahead`], which keeps polling it while the consumer works through a page (what
/// moves the requests on where they cannot be spawned).
pub fn pages_prefetched<P, F, Fut>(
    operation_id: &'static str,
    first: i32,
    ahead: usize,
    fetch: F,
) -> impl Stream<Item = Result<P, Error>>
where
    P: Page + Send + 'static,
    F: FnMut(i32) -> Fut,
    Fut: Future<Output = Result<P, Error>> + Send + 'static,
{
    let launch = (
        Launch::Spawned,
        launch::spawned::<P, Fut> as launch::LaunchFn<Fut>,
    );
    engine::run(operation_id, first, launch, ahead, fetch)
}

/// The error of a stream of `operation` whose page `page` says `hasMore: true` with no page
/// number after it.
pub(crate) fn no_page_after(operation: &'static str, page: i32) -> Error {
    Error::PagingAnomaly {
        operation,
        page,
        anomaly: PagingAnomaly::NoPageNumberAfter,
    }
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
