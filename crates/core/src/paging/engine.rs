//! The one paging engine behind [`super::pages`], [`super::pages_concurrent`] and
//! [`super::pages_prefetched`]: a launch policy and a depth.
//!
//! * **depth**: the most requests in flight at once (at least 1). Pages are yielded in page
//!   order whatever order the answers come in, so memory is bounded by `depth` pages in flight
//!   plus the one the consumer holds.
//! * **launch**: [`Launch::InPlace`] issues requests when the stream is polled and polls them
//!   itself (depth 1 is the lazy stream: the next request only when polled past the current
//!   page); [`Launch::Spawned`] tops up as soon as a page is handed over and runs each request on
//!   a task of its own, so the API's latency and the decoding overlap the consumer's work.
//! * **plan**: the first page (asked with `includeTotal=true` by the caller's `fetch`) tells how
//!   many pages the list has: the last is `ceil(totalCount / pageSize)` — `totalCount` counts the
//!   whole list, whatever the first page asked for. Requests go ahead only up to that page; past
//!   it (records added meanwhile), and without a total, one page at a time while `hasMore` says
//!   so, so no request is ever sent past the end the server announced.

use super::launch::{InFlight, LaunchFn, Ticket};
use super::progress::Progress;
use super::Page;
use crate::transport::stream_retries::StreamRetries;
use crate::Error;
use futures::stream::FuturesOrdered;
use futures::{stream, Stream, StreamExt};
use std::future::Future;
use std::sync::Arc;

/// When the engine issues requests and where it runs them (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Launch {
    /// Issued when polled, polled by the stream.
    InPlace,
    /// Issued as soon as a page is handed over; run by the launch function given (a task of
    /// their own, or in place where no runtime can take them).
    Spawned,
}

struct Engine<F, P, Fut: Future<Output = Result<P, Error>>> {
    operation: &'static str,
    fetch: F,
    launch: LaunchFn<Fut>,
    read_ahead: bool,
    depth: usize,
    /// The consecutive failures of this stream's requests (see `transport::stream_retries`).
    retries: Arc<StreamRetries>,
    first: i32,
    done: bool,
    /// Requests issued, answers not yet yielded, in page order.
    in_flight: FuturesOrdered<InFlight<Fut>>,
    /// The page number of the next answer to yield.
    next_yield: i32,
    /// Wider than a page number: it may point one past `i32::MAX` (nothing more to request).
    next_issue: i64,
    /// The last page the first page's `totalCount` announced; `first` until it is known.
    planned_last: i32,
    progress: Progress,
}

impl<F, Fut, P> Engine<F, P, Fut>
where
    P: Page,
    F: FnMut(i32) -> Fut,
    Fut: Future<Output = Result<P, Error>>,
{
    /// Requests the next page; `false` when there is no next page number.
    fn push(&mut self) -> bool {
        let Ok(page) = i32::try_from(self.next_issue) else {
            return false;
        };
        let ticket = Ticket {
            operation: self.operation,
            page,
        };
        let fut = (self.fetch)(page);
        self.in_flight
            .push_back((self.launch)(fut, self.retries.clone(), ticket));
        self.next_issue += 1;
        true
    }

    /// Fills the requests in flight up to `depth` within the plan; past it (or without one) only
    /// the page the last answer's `hasMore` vouches for, once nothing else is in flight.
    fn top_up(&mut self) {
        while self.in_flight.len() < self.depth
            && self.next_issue <= i64::from(self.planned_last)
            && self.push()
        {}
        if self.in_flight.is_empty() {
            self.push();
        }
    }

    /// After the first page: the last page of the list, from its `totalCount`.
    fn plan(&mut self, envelope: &P) {
        let size = envelope.item_count() as i64;
        match envelope.total_count() {
            Some(total) if size > 0 && envelope.has_more() => {
                self.planned_last = last_page(total, size).max(self.first);
            }
            _ => {
                tracing::debug!(target: "servicetitan::paging", page = self.first, "no totalCount on the first page; reading on one page at a time")
            }
        }
    }

    /// Counts the page just read; ends the stream after `hasMore: false`.
    fn account(&mut self, page: i32, envelope: &P) -> Result<(), Error> {
        self.progress.account(page, envelope)?;
        if !envelope.has_more() {
            self.done = true;
            // Cancels what was requested past the end (records deleted meanwhile).
            self.in_flight = FuturesOrdered::new();
        }
        Ok(())
    }
}

/// The last page number of a list of `total` records, `size` a page (`size > 0`).
fn last_page(total: i64, size: i64) -> i32 {
    let pages = total.max(0).saturating_add(size - 1) / size;
    i32::try_from(pages).unwrap_or(i32::MAX)
}

/// Pages from `first` on, in order, read as `launch` and `depth` say; record failures are named
/// after `operation`.
pub(super) fn run<P, F, Fut>(
    operation: &'static str,
    first: i32,
    (launch, run_request): (Launch, LaunchFn<Fut>),
    depth: usize,
    fetch: F,
) -> impl Stream<Item = Result<P, Error>>
where
    P: Page,
    F: FnMut(i32) -> Fut,
    Fut: Future<Output = Result<P, Error>>,
{
    let first = first.max(1);
    let engine = Engine {
        operation,
        fetch,
        launch: run_request,
        read_ahead: launch == Launch::Spawned,
        depth: depth.max(1),
        retries: Arc::default(),
        first,
        done: false,
        in_flight: FuturesOrdered::new(),
        next_yield: first,
        next_issue: i64::from(first),
        planned_last: first,
        progress: Progress::new(operation, first),
    };
    stream::try_unfold(engine, move |mut st| async move {
        if st.done {
            return Ok(None);
        }
        st.top_up();
        let page = st.next_yield;
        let Some(answer) = st.in_flight.next().await else {
            // Nothing could be requested: only a page after `i32::MAX` is missing a number.
            return Err(super::no_page_after(operation, i32::MAX));
        };
        let mut envelope = answer?;
        if page == st.first {
            st.plan(&envelope);
        }
        envelope.records_mut().set_operation(operation);
        st.account(page, &envelope)?;
        // Past `i32::MAX` nothing was requested: the next poll ends with the error.
        st.next_yield = st.next_yield.saturating_add(1);
        if st.read_ahead && !st.done {
            st.top_up();
        }
        Ok(Some((envelope, st)))
    })
}

#[cfg(test)]
mod tests {
    use super::last_page;

    #[test]
    fn the_last_page_counts_the_whole_list() {
        assert_eq!(last_page(38, 5), 8);
        assert_eq!(last_page(40, 5), 8);
        assert_eq!(last_page(0, 5), 0);
        assert_eq!(last_page(i64::MAX, 1), i32::MAX);
    }
}
