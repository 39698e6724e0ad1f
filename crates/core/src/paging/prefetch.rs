//! [`pages_prefetched`]: the default behind the generated `.pages()` / `.stream()` — reads ahead so
//! that the API's latency is hidden behind the consumer's work.
//!
//! Why: a lazy stream waits for page *k* before asking for page *k + 1*, so every page costs a full
//! round trip (ServiceTitan answers a 5000-record page in 100+ ms) on top of the consumer's time.
//!
//! What it does, with `ahead = n` ([`DEFAULT_PAGES_AHEAD`] unless set):
//! * the first page is requested with `includeTotal=true` (the generated `fetch` does that);
//! * when a page arrives and the stream is not done, the next requests go out **before** the page
//!   is handed to the consumer: up to `n` pages of the announced total, or — without a total, or
//!   past it while `hasMore` says so — the one next page;
//! * inside a tokio runtime each request (and so its body read and decoding) runs on its own task
//!   ([`tokio::spawn`]), off the consumer's task: a multi-threaded runtime decodes pages in
//!   parallel with the consumer. Outside one, requests are polled by the stream itself;
//! * pages are yielded in page order; memory is bounded by `n` pages in flight plus the one the
//!   consumer holds; every request still goes through the client's rate limiter and retries;
//! * the end rules are [`super::pages`]'s: `hasMore: false` ends the stream (requests still in flight
//!   are cancelled: their tasks are aborted when dropped), [`super::MAX_EMPTY_PAGES`] empty pages
//!   with `hasMore: true` end it with an error, a `totalCount` mismatch is logged.
//!
//! `ahead = 0` is a fully lazy stream: the next request only when polled past the current page.

use super::progress::Progress;
use super::Page;
use crate::transport::stream_retries::{self, StreamRetries};
use crate::Error;
use futures::stream::FuturesOrdered;
use futures::{stream, FutureExt, Stream, StreamExt};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// Pages requested ahead of the consumer by default (`.stream()`, `.pages()`, `.collect_all()`).
///
/// Four 5000-record pages in flight hide a 100 ms round trip behind decoding on two cores while
/// keeping at most five pages in memory; the client's rate limiter (60 requests/s) still paces
/// them. `.stream_concurrent(n)` sets another depth; `.stream_concurrent(0)` reads lazily.
pub const DEFAULT_PAGES_AHEAD: usize = 4;

/// A page request in flight: on its own task when a runtime is there, else polled in place.
/// Either way its retries count against the stream's ([`stream_retries`]).
enum InFlight<Fut: Future> {
    Spawned(Aborting<Fut::Output>),
    InPlace(Pin<Box<Counted<Fut>>>),
}

type Counted<Fut> = tokio::task::futures::TaskLocalFuture<Arc<StreamRetries>, Fut>;

/// A spawned task that is aborted when its handle is dropped (the stream ended or was dropped).
struct Aborting<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for Aborting<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<P, Fut> Future for InFlight<Fut>
where
    Fut: Future<Output = Result<P, Error>>,
{
    type Output = Result<P, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Both variants are `Unpin` (a boxed future, a join handle).
        match self.get_mut() {
            InFlight::InPlace(fut) => fut.as_mut().poll(cx),
            InFlight::Spawned(task) => task.0.poll_unpin(cx).map(|joined| match joined {
                Ok(result) => result,
                // A panic in the request is the caller's panic, as it would be in place.
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(e) => Err(Error::InvalidRequest(format!(
                    "a page request was cancelled before it answered: {e}"
                ))),
            }),
        }
    }
}

fn in_place<Fut: Future>(fut: Fut, shared: Arc<StreamRetries>) -> InFlight<Fut> {
    InFlight::InPlace(Box::pin(stream_retries::scope(shared, fut)))
}

fn spawned<P, Fut>(fut: Fut, shared: Arc<StreamRetries>) -> InFlight<Fut>
where
    Fut: Future<Output = Result<P, Error>> + Send + 'static,
    P: Send + 'static,
{
    let fut = stream_retries::scope(shared, fut);
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => InFlight::Spawned(Aborting(runtime.spawn(fut))),
        Err(_) => InFlight::InPlace(Box::pin(fut)),
    }
}

type Launch<Fut> = fn(Fut, Arc<StreamRetries>) -> InFlight<Fut>;

struct Ahead<F, P, Fut: Future<Output = Result<P, Error>>> {
    fetch: F,
    launch: Launch<Fut>,
    /// The consecutive failures of this stream's requests (see [`stream_retries`]).
    retries: Arc<StreamRetries>,
    ahead: usize,
    first: i32,
    done: bool,
    in_flight: FuturesOrdered<InFlight<Fut>>,
    next_yield: i32,
    /// Wider than a page number: it may point one past `i32::MAX` (nothing more to request).
    next_issue: i64,
    /// The last page the first page's `totalCount` announced; `first` when it gave none.
    planned_last: i32,
    progress: Progress,
}

impl<F, Fut, P> Ahead<F, P, Fut>
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
        let fut = (self.fetch)(page);
        self.in_flight
            .push_back((self.launch)(fut, self.retries.clone()));
        self.next_issue += 1;
        true
    }

    /// Requests ahead of the page about to be handed out (see the module docs).
    fn issue_ahead(&mut self) {
        while self.in_flight.len() < self.ahead {
            let within_total = self.next_issue <= i64::from(self.planned_last);
            // Past the total (or without one) only the last page's `hasMore` vouches for the next.
            if (!within_total && !self.in_flight.is_empty()) || !self.push() {
                break;
            }
        }
    }

    /// After the first page: how many pages the total announces.
    fn plan(&mut self, envelope: &P) {
        let size = envelope.item_count() as i64;
        if let (Some(total), true) = (envelope.total_count(), size > 0 && envelope.has_more()) {
            let pages = (total.max(0).saturating_add(size - 1) / size)
                .saturating_add(i64::from(self.first) - 1);
            self.planned_last = i32::try_from(pages).unwrap_or(i32::MAX).max(self.first);
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

/// Pages from `first` on, in order, with up to `ahead` requests issued ahead of the consumer, each
/// on its own task inside a tokio runtime (see the module docs). `fetch(first)` should ask for the
/// total (`includeTotal=true`). Record failures are named after `operation_id`.
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
    read_ahead(operation_id, first, ahead, fetch, spawned::<P, Fut>)
}

/// [`pages_prefetched`] for request futures that borrow (and so cannot be spawned): the requests
/// ahead are polled by the stream itself. Flatten it with [`super::items_read_ahead`], which keeps
/// polling them while the consumer works through the current page.
pub fn pages_read_ahead<P, F, Fut>(
    operation_id: &'static str,
    first: i32,
    ahead: usize,
    fetch: F,
) -> impl Stream<Item = Result<P, Error>>
where
    P: Page,
    F: FnMut(i32) -> Fut,
    Fut: Future<Output = Result<P, Error>>,
{
    read_ahead(operation_id, first, ahead, fetch, in_place::<Fut>)
}

fn read_ahead<P, F, Fut>(
    operation_id: &'static str,
    first: i32,
    ahead: usize,
    fetch: F,
    launch: Launch<Fut>,
) -> impl Stream<Item = Result<P, Error>>
where
    P: Page,
    F: FnMut(i32) -> Fut,
    Fut: Future<Output = Result<P, Error>>,
{
    let first = first.max(1);
    let state = Ahead {
        fetch,
        launch,
        retries: Arc::default(),
        ahead,
        first,
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
        if st.in_flight.is_empty() && !st.push() {
            return Err(super::no_page_after(i32::MAX));
        }
        let page = st.next_yield;
        let mut envelope = st
            .in_flight
            .next()
            .await
            .expect("a request is in flight while not done")?;
        if page == st.first {
            st.plan(&envelope);
        }
        envelope.records_mut().set_operation(operation_id);
        st.account(page, &envelope)?;
        // Past `i32::MAX` nothing was requested: the next poll ends with the error.
        st.next_yield = st.next_yield.saturating_add(1);
        if !st.done {
            st.issue_ahead();
        }
        Ok(Some((envelope, st)))
    })
}
