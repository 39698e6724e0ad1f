//! Lazy streams over ServiceTitan's paged lists (`{page, pageSize, hasMore, totalCount, data}`).
//!
//! The generated crates implement [`Page`] for every list envelope and add `.pages()`,
//! `.stream()` and `.collect_all()` to every paged-list builder; this module holds the logic once.
//!
//! Policy:
//! * the next page is requested only when the stream is polled past the current one;
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

use crate::Error;
use futures::stream::FuturesOrdered;
use futures::{stream, Stream, StreamExt, TryStreamExt};
use std::future::Future;

/// Consecutive empty pages with `hasMore: true` tolerated before giving up.
pub const MAX_EMPTY_PAGES: u32 = 3;

/// A page envelope of a paged list.
pub trait Page {
    /// The record type.
    type Item;
    /// The API's `hasMore`.
    fn has_more(&self) -> bool;
    /// The API's `totalCount`, when requested with `includeTotal`.
    fn total_count(&self) -> Option<i64>;
    /// How many records the page holds.
    fn item_count(&self) -> usize;
    /// The page's records.
    fn into_items(self) -> Vec<Self::Item>;
}

/// Accessors that work whether a generated field is optional or not: plumbing for the generated
/// crates' `Page`/`Batch` impls, not part of the SDK's surface.
#[doc(hidden)]
pub mod field {
    /// `bool` or `Option<bool>` (missing = `false`).
    pub fn flag<T: Flag>(v: &T) -> bool {
        v.flag()
    }
    /// Any integer or optional integer, widened to `i64`.
    pub fn count<T: Count>(v: &T) -> Option<i64> {
        v.count()
    }
    /// `Vec<T>` or `Option<Vec<T>>` (missing = empty).
    pub fn items<T, V: Items<T>>(v: V) -> Vec<T> {
        v.items()
    }
    /// Length of `Vec<T>` or `Option<Vec<T>>`.
    pub fn len<T: Len>(v: &T) -> usize {
        v.count_items()
    }
    /// `String` or `Option<String>`.
    pub fn text<T: Text>(v: &T) -> Option<&str> {
        v.text()
    }

    #[doc(hidden)]
    pub trait Flag {
        fn flag(&self) -> bool;
    }
    impl Flag for bool {
        fn flag(&self) -> bool {
            *self
        }
    }
    impl Flag for Option<bool> {
        fn flag(&self) -> bool {
            self.unwrap_or(false)
        }
    }
    #[doc(hidden)]
    pub trait Count {
        fn count(&self) -> Option<i64>;
    }
    impl Count for i32 {
        fn count(&self) -> Option<i64> {
            Some(i64::from(*self))
        }
    }
    impl Count for i64 {
        fn count(&self) -> Option<i64> {
            Some(*self)
        }
    }
    impl<T: Count> Count for Option<T> {
        fn count(&self) -> Option<i64> {
            self.as_ref().and_then(Count::count)
        }
    }
    #[doc(hidden)]
    pub trait Items<T> {
        fn items(self) -> Vec<T>;
    }
    impl<T> Items<T> for Vec<T> {
        fn items(self) -> Vec<T> {
            self
        }
    }
    impl<T> Items<T> for Option<Vec<T>> {
        fn items(self) -> Vec<T> {
            self.unwrap_or_default()
        }
    }
    /// The page a builder was set to start from (`page` optional or required), default 1.
    pub fn start_page<T: StartPage>(v: &T) -> i32 {
        v.start_page()
    }
    /// The `from` a builder was set to start from (optional or required).
    pub fn start_from<T: StartFrom>(v: &T) -> Option<String> {
        v.start_from()
    }
    #[doc(hidden)]
    pub trait StartPage {
        fn start_page(&self) -> i32;
    }
    impl<E> StartPage for Result<Option<i32>, E> {
        fn start_page(&self) -> i32 {
            self.as_ref().ok().copied().flatten().unwrap_or(1)
        }
    }
    impl<E> StartPage for Result<i32, E> {
        fn start_page(&self) -> i32 {
            self.as_ref().ok().copied().unwrap_or(1)
        }
    }
    #[doc(hidden)]
    pub trait StartFrom {
        fn start_from(&self) -> Option<String>;
    }
    impl<E> StartFrom for Result<Option<String>, E> {
        fn start_from(&self) -> Option<String> {
            self.as_ref().ok().cloned().flatten()
        }
    }
    impl<E> StartFrom for Result<String, E> {
        fn start_from(&self) -> Option<String> {
            self.as_ref().ok().cloned()
        }
    }
    #[doc(hidden)]
    pub trait Len {
        fn count_items(&self) -> usize;
    }
    impl<T> Len for Vec<T> {
        fn count_items(&self) -> usize {
            Vec::len(self)
        }
    }
    impl<T> Len for Option<Vec<T>> {
        fn count_items(&self) -> usize {
            self.as_ref().map_or(0, Vec::len)
        }
    }
    #[doc(hidden)]
    pub trait Text {
        fn text(&self) -> Option<&str>;
    }
    impl Text for String {
        fn text(&self) -> Option<&str> {
            Some(self)
        }
    }
    impl Text for Option<String> {
        fn text(&self) -> Option<&str> {
            self.as_deref()
        }
    }
}

struct State<F> {
    first: i32,
    next: Option<i32>,
    empty_run: u32,
    seen: i64,
    fetch: F,
}

/// Pages from `first` on, each fetched by `fetch(page_number)` when the stream is polled.
pub fn pages<P, F, Fut>(first: i32, fetch: F) -> impl Stream<Item = Result<P, Error>>
where
    P: Page,
    F: FnMut(i32) -> Fut,
    Fut: Future<Output = Result<P, Error>>,
{
    let state = State {
        first: first.max(1),
        next: Some(first.max(1)),
        empty_run: 0,
        seen: 0,
        fetch,
    };
    stream::try_unfold(state, |mut st| async move {
        let Some(page) = st.next else { return Ok(None) };
        let envelope = (st.fetch)(page).await?;
        let len = envelope.item_count() as i64;
        st.seen += len;
        if envelope.has_more() {
            if len == 0 {
                st.empty_run += 1;
                if st.empty_run >= MAX_EMPTY_PAGES {
                    return Err(empty_pages_error(page));
                }
            } else {
                st.empty_run = 0;
            }
            st.next = Some(page + 1);
        } else {
            if let Some(total) = envelope.total_count() {
                if total != st.seen && st.first == 1 {
                    tracing::warn!(target: "servicetitan::paging", total, read = st.seen, "totalCount differs from the records read (records changed while paging?)");
                }
            }
            st.next = None;
        }
        Ok(Some((envelope, st)))
    })
}

fn empty_pages_error(page: i32) -> Error {
    Error::InvalidRequest(format!(
        "page {page}: {MAX_EMPTY_PAGES} empty pages in a row while the API still reports hasMore=true; stopping rather than looping"
    ))
}

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
    /// The page number of the next request to issue.
    next_issue: i32,
    /// The last page the first page's `totalCount` announced (requested ahead, `concurrency` at a
    /// time); beyond it pages are requested one at a time while `hasMore` says so.
    planned_last: i32,
    empty_run: u32,
    seen: i64,
}

impl<F, Fut, P> ConcurrentState<F, Fut>
where
    P: Page,
    F: FnMut(i32) -> Fut,
    Fut: Future<Output = Result<P, Error>>,
{
    /// Updates the counters for the page just read; `Err` for too many empty pages.
    fn account(&mut self, page: i32, envelope: &P) -> Result<(), Error> {
        let len = envelope.item_count() as i64;
        self.seen += len;
        if envelope.has_more() {
            if len == 0 {
                self.empty_run += 1;
                if self.empty_run >= MAX_EMPTY_PAGES {
                    return Err(empty_pages_error(page));
                }
            } else {
                self.empty_run = 0;
            }
        } else {
            if let Some(total) = envelope.total_count() {
                if total != self.seen && self.first == 1 {
                    tracing::warn!(target: "servicetitan::paging", total, read = self.seen, "totalCount differs from the records read (records changed while paging?)");
                }
            }
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
                let pages = (total.max(0) + size - 1) / size;
                i32::try_from(pages).unwrap_or(i32::MAX).max(self.first)
            }
            _ => {
                tracing::debug!(target: "servicetitan::paging", page = self.first, "no totalCount on the first page; reading the rest one page at a time");
                self.first
            }
        };
    }

    fn issue(&mut self) {
        while self.in_flight.len() < self.concurrency && self.next_issue <= self.planned_last {
            self.in_flight.push_back((self.fetch)(self.next_issue));
            self.next_issue += 1;
        }
        if self.in_flight.is_empty() {
            // Past the announced total with `hasMore: true`: one page at a time.
            self.in_flight.push_back((self.fetch)(self.next_issue));
            self.next_issue += 1;
        }
    }
}

/// Pages from `first` on, like [`pages`], but with up to `concurrency` requests in flight once
/// the first page's `totalCount` tells how many pages there are; pages are yielded in order.
///
/// `fetch(first)` should ask for the total (`includeTotal=true`); the generated
/// `.pages_concurrent(n)` does. Without a total the remaining pages are read one at a time. A
/// `concurrency` of 0 counts as 1. Each request still goes through the client's rate limiter.
pub fn pages_concurrent<P, F, Fut>(
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
        next_issue: first,
        planned_last: first,
        empty_run: 0,
        seen: 0,
    };
    stream::try_unfold(state, |mut st| async move {
        if st.done {
            return Ok(None);
        }
        let page = st.next_yield;
        let envelope = if st.started {
            st.issue();
            st.in_flight
                .next()
                .await
                .expect("a request is in flight while not done")?
        } else {
            st.started = true;
            st.next_issue = page + 1;
            let envelope = (st.fetch)(page).await?;
            st.plan(&envelope);
            envelope
        };
        st.next_yield += 1;
        st.account(page, &envelope)?;
        Ok(Some((envelope, st)))
    })
}

/// Flattens a stream of pages into a stream of their items.
pub fn items<P, S>(pages: S) -> impl Stream<Item = Result<P::Item, Error>>
where
    P: Page,
    S: Stream<Item = Result<P, Error>>,
{
    pages
        .map_ok(|page| stream::iter(page.into_items().into_iter().map(Ok)))
        .try_flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    #[derive(Debug)]
    struct TestPage {
        page: i32,
        items: Vec<i64>,
        more: bool,
        total: Option<i64>,
    }

    impl Page for TestPage {
        type Item = i64;
        fn has_more(&self) -> bool {
            self.more
        }
        fn total_count(&self) -> Option<i64> {
            self.total
        }
        fn item_count(&self) -> usize {
            self.items.len()
        }
        fn into_items(self) -> Vec<i64> {
            self.items
        }
    }

    /// A fake paged list of `records` records, `size` per page; answers `totalCount` when
    /// `with_total`; page `p` takes `delay(p)` to answer. Counts requests in flight.
    #[derive(Clone)]
    struct FakeList {
        records: i64,
        size: i64,
        with_total: bool,
        delay: fn(i32) -> Duration,
        in_flight: Arc<AtomicUsize>,
        max_in_flight: Arc<AtomicUsize>,
        requested: Arc<Mutex<Vec<i32>>>,
    }

    struct Guard(Arc<AtomicUsize>);
    impl Drop for Guard {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
        }
    }

    impl FakeList {
        fn new(records: i64, size: i64, with_total: bool, delay: fn(i32) -> Duration) -> Self {
            FakeList {
                records,
                size,
                with_total,
                delay,
                in_flight: Arc::default(),
                max_in_flight: Arc::default(),
                requested: Arc::default(),
            }
        }

        fn fetch(
            &self,
        ) -> impl FnMut(i32) -> futures::future::BoxFuture<'static, Result<TestPage, Error>>
        {
            let list = self.clone();
            move |page| {
                let list = list.clone();
                Box::pin(async move {
                    list.requested.lock().unwrap().push(page);
                    let now = list.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    list.max_in_flight.fetch_max(now, Ordering::SeqCst);
                    let _guard = Guard(list.in_flight.clone());
                    tokio::time::sleep((list.delay)(page)).await;
                    let start = (i64::from(page) - 1) * list.size;
                    let end = (start + list.size).min(list.records);
                    Ok(TestPage {
                        page,
                        items: (start.min(end)..end).collect(),
                        more: end < list.records,
                        total: list.with_total.then_some(list.records),
                    })
                })
            }
        }

        fn max_in_flight(&self) -> usize {
            self.max_in_flight.load(Ordering::SeqCst)
        }

        fn requested(&self) -> Vec<i32> {
            self.requested.lock().unwrap().clone()
        }
    }

    /// Page 2 is the slowest, later pages fast: order must come from the stream, not arrival.
    fn slow_second(page: i32) -> Duration {
        Duration::from_millis(if page == 2 {
            500
        } else {
            50 + 10 * page as u64
        })
    }

    async fn page_numbers<S: Stream<Item = Result<TestPage, Error>>>(s: S) -> Vec<i32> {
        s.map_ok(|p| p.page).try_collect().await.unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_pages_arrive_in_order_with_at_most_n_in_flight() {
        let list = FakeList::new(95, 10, true, slow_second);
        let pages: Vec<TestPage> = pages_concurrent(1, 3, list.fetch())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            pages.iter().map(|p| p.page).collect::<Vec<_>>(),
            (1..=10).collect::<Vec<_>>()
        );
        let items: Vec<i64> = pages.into_iter().flat_map(|p| p.items).collect();
        assert_eq!(items, (0..95).collect::<Vec<_>>());
        assert_eq!(
            list.max_in_flight(),
            3,
            "bounded by, and reaching, the concurrency"
        );
        assert_eq!(
            list.requested().len(),
            10,
            "no page requested twice or past the end"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn concurrency_saves_time_over_sequential() {
        let constant = |_| Duration::from_millis(100);
        let started = tokio::time::Instant::now();
        let list = FakeList::new(100, 10, true, constant);
        assert_eq!(
            page_numbers(pages_concurrent(1, 5, list.fetch()))
                .await
                .len(),
            10
        );
        // page 1, then pages 2-6 together, then 7-10 as slots free up: 3 rounds of 100 ms.
        assert_eq!(started.elapsed(), Duration::from_millis(300));
    }

    #[tokio::test(start_paused = true)]
    async fn without_total_count_falls_back_to_one_page_at_a_time() {
        let list = FakeList::new(45, 10, false, slow_second);
        let numbers = page_numbers(pages_concurrent(1, 4, list.fetch())).await;
        assert_eq!(numbers, [1, 2, 3, 4, 5]);
        assert_eq!(list.max_in_flight(), 1);
        assert_eq!(list.requested(), [1, 2, 3, 4, 5]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_single_page_is_one_request() {
        let list = FakeList::new(7, 10, true, slow_second);
        assert_eq!(
            page_numbers(pages_concurrent(1, 4, list.fetch())).await,
            [1]
        );
        assert_eq!(list.requested(), [1]);
    }

    #[tokio::test(start_paused = true)]
    async fn zero_concurrency_counts_as_one() {
        let list = FakeList::new(30, 10, true, slow_second);
        assert_eq!(
            page_numbers(pages_concurrent(1, 0, list.fetch())).await,
            [1, 2, 3]
        );
        assert_eq!(list.max_in_flight(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn starts_at_the_requested_page() {
        let list = FakeList::new(60, 10, true, slow_second);
        assert_eq!(
            page_numbers(pages_concurrent(3, 2, list.fetch())).await,
            [3, 4, 5, 6]
        );
        assert!(!list.requested().contains(&2));
    }

    /// A page yielded by the stream: number, records, hasMore, totalCount.
    fn scripted(
        script: Vec<(i32, usize, bool, Option<i64>)>,
        requested: Arc<Mutex<Vec<i32>>>,
    ) -> impl FnMut(i32) -> futures::future::Ready<Result<TestPage, Error>> {
        move |page| {
            requested.lock().unwrap().push(page);
            let (_, n, more, total) = *script
                .iter()
                .find(|s| s.0 == page)
                .unwrap_or_else(|| panic!("page {page} was not expected"));
            futures::future::ready(Ok(TestPage {
                page,
                items: vec![i64::from(page); n],
                more,
                total,
            }))
        }
    }

    #[tokio::test]
    async fn stops_at_an_early_last_page() {
        // The total announced 5 pages, but records were deleted: page 3 is the last.
        let requested = Arc::default();
        let script = vec![
            (1, 10, true, Some(50)),
            (2, 10, true, None),
            (3, 4, false, None),
            (4, 0, false, None),
            (5, 0, false, None),
        ];
        let s = pages_concurrent(1, 4, scripted(script, Arc::clone(&requested)));
        assert_eq!(page_numbers(s).await, [1, 2, 3]);
    }

    #[tokio::test]
    async fn follows_has_more_past_the_announced_total() {
        // Records were added while paging: page 3 (the last announced) still says hasMore.
        let requested = Arc::default();
        let script = vec![
            (1, 10, true, Some(30)),
            (2, 10, true, None),
            (3, 10, true, None),
            (4, 10, true, None),
            (5, 2, false, None),
        ];
        let s = pages_concurrent(1, 8, scripted(script, Arc::clone(&requested)));
        assert_eq!(page_numbers(s).await, [1, 2, 3, 4, 5]);
        assert_eq!(*requested.lock().unwrap(), [1, 2, 3, 4, 5]);
    }

    #[tokio::test]
    async fn empty_pages_with_has_more_are_bounded() {
        let requested = Arc::default();
        let mut script = vec![(1, 0, true, Some(0))];
        script.extend((2..=10).map(|p| (p, 0, true, None)));
        let s = pages_concurrent(1, 4, scripted(script, Arc::clone(&requested)));
        let result: Result<Vec<TestPage>, Error> = s.try_collect().await;
        let Err(Error::InvalidRequest(message)) = result else {
            panic!("expected an error, got {result:?}")
        };
        assert!(message.starts_with("page 3:"), "{message}");
    }

    #[tokio::test]
    async fn an_error_ends_the_stream() {
        let mut calls = 0;
        let s = pages_concurrent(1, 3, move |page| {
            calls += 1;
            assert!(calls <= 4, "no request after the failure is seen");
            futures::future::ready(if page == 2 {
                Err(Error::InvalidRequest("boom".into()))
            } else {
                Ok(TestPage {
                    page,
                    items: vec![1; 10],
                    more: true,
                    total: Some(100),
                })
            })
        });
        let got: Vec<Result<TestPage, Error>> = s.collect().await;
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].as_ref().unwrap().page, 1);
        assert!(matches!(got[1], Err(Error::InvalidRequest(_))));
    }
}
