//! [`pages_concurrent`]: up to `n` page requests in flight once `totalCount` is known.

use super::progress::Progress;
use super::Page;
use crate::Error;
use futures::stream::FuturesOrdered;
use futures::{stream, Stream, StreamExt};
use std::future::Future;

struct ConcurrentState<F, Fut: Future> {
    fetch: F,
    concurrency: usize,
    first: i32,
    started: bool,
    done: bool,
    /// Requests issued, answers not yet yielded, in page order.
    in_flight: FuturesOrdered<Fut>,
    /// The page number of the next answer to yield.
    next_yield: i32,
    /// The page number of the next request to issue (may point one past `i32::MAX`).
    next_issue: i64,
    /// The last page the first page's `totalCount` announced (requested ahead, `concurrency` at a
    /// time); beyond it pages are requested one at a time while `hasMore` says so.
    planned_last: i32,
    progress: Progress,
}

impl<F, Fut, P> ConcurrentState<F, Fut>
where
    P: Page,
    F: FnMut(i32) -> Fut,
    Fut: Future<Output = Result<P, Error>>,
{
    /// Updates the counters for the page just read; `Err` for too many empty pages.
    fn account(&mut self, page: i32, envelope: &P) -> Result<(), Error> {
        self.progress.account(page, envelope)?;
        if !envelope.has_more() {
            self.done = true;
            self.in_flight = FuturesOrdered::new();
        }
        Ok(())
    }

    /// After the first page: how far to request ahead.
    fn plan(&mut self, envelope: &P) {
        let size = envelope.item_count() as i64;
        self.planned_last = match envelope.total_count() {
            Some(total) if size > 0 && envelope.has_more() => {
                let pages = total.max(0).saturating_add(size - 1) / size;
                i32::try_from(pages).unwrap_or(i32::MAX).max(self.first)
            }
            _ => {
                tracing::debug!(target: "servicetitan::paging", page = self.first, "no totalCount on the first page; reading the rest one page at a time");
                self.first
            }
        };
    }

    /// Requests the next page; `false` when there is no next page number.
    fn push(&mut self) -> bool {
        let Ok(page) = i32::try_from(self.next_issue) else {
            return false;
        };
        self.in_flight.push_back((self.fetch)(page));
        self.next_issue += 1;
        true
    }

    fn issue(&mut self) -> Result<(), Error> {
        while self.in_flight.len() < self.concurrency
            && self.next_issue <= i64::from(self.planned_last)
            && self.push()
        {}
        // Past the announced total with `hasMore: true`: one page at a time.
        if self.in_flight.is_empty() && !self.push() {
            return Err(super::no_page_after(i32::MAX));
        }
        Ok(())
    }
}

/// Pages from `first` on, like [`pages`](super::pages), but with up to `concurrency` requests in flight once
/// the first page's `totalCount` tells how many pages there are; pages are yielded in order.
///
/// `fetch(first)` should ask for the total (`includeTotal=true`); the generated
/// `.pages_concurrent(n)` does. Without a total the remaining pages are read one at a time. A
/// `concurrency` of 0 counts as 1. Each request still goes through the client's rate limiter.
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
    let first = first.max(1);
    let state = ConcurrentState {
        fetch,
        concurrency: concurrency.max(1),
        first,
        started: false,
        done: false,
        in_flight: FuturesOrdered::new(),
        next_yield: first,
        next_issue: i64::from(first),
        planned_last: first,
        progress: Progress::new(first),
    };
    stream::try_unfold(state, move |mut st| async move {
        if st.done {
            return Ok(None);
        }
        let page = st.next_yield;
        let mut envelope = if st.started {
            st.issue()?;
            st.in_flight
                .next()
                .await
                .expect("a request is in flight while not done")?
        } else {
            st.started = true;
            st.next_issue = i64::from(page) + 1;
            let envelope = (st.fetch)(page).await?;
            st.plan(&envelope);
            envelope
        };
        envelope.records_mut().set_operation(operation_id);
        st.next_yield = st.next_yield.saturating_add(1);
        st.account(page, &envelope)?;
        Ok(Some((envelope, st)))
    })
}
