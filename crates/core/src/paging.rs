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

use crate::Error;
use futures::{stream, Stream, TryStreamExt};
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

/// Accessors that work whether a generated field is optional or not.
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
                    return Err(Error::InvalidRequest(format!(
                        "page {page}: {MAX_EMPTY_PAGES} empty pages in a row while the API still reports hasMore=true; stopping rather than looping"
                    )));
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
