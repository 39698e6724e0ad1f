//! [`items_read_ahead`]: records of a page stream, polling the stream on while the consumer works.
//!
//! Why: [`super::items`] (`try_flatten`) polls the page stream only once the current page is used
//! up, so requests that the stream issued ahead and polls in place ([`super::pages_prefetched`]
//! outside a tokio runtime) sit still while the consumer works through a page. This flatten polls the page stream once per
//! record handed out, buffering at most one finished page, so those requests progress meanwhile.

use super::{record_result, Page};
use crate::records::RecordError;
use crate::Error;
use futures::Stream;
use std::pin::Pin;
use std::task::{Context, Poll};

struct ReadAhead<P: Page, S> {
    pages: Pin<Box<S>>,
    current: std::vec::IntoIter<Result<P::Item, RecordError>>,
    /// A page that arrived while the consumer was still on `current`.
    next: Option<Result<P, Error>>,
    ended: bool,
}

// Only `pages` is polled pinned, and it is boxed: moving the rest is fine.
impl<P: Page, S> Unpin for ReadAhead<P, S> {}

impl<P: Page, S: Stream<Item = Result<P, Error>>> ReadAhead<P, S> {
    /// Polls the page stream once if no page is waiting (registers the waker when pending).
    fn pull(&mut self, cx: &mut Context<'_>) {
        if self.next.is_none() && !self.ended {
            match self.pages.as_mut().poll_next(cx) {
                Poll::Ready(Some(page)) => self.next = Some(page),
                Poll::Ready(None) => self.ended = true,
                Poll::Pending => {}
            }
        }
    }
}

impl<P: Page, S: Stream<Item = Result<P, Error>>> Stream for ReadAhead<P, S> {
    type Item = Result<P::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        this.pull(cx);
        loop {
            if let Some(record) = this.current.next() {
                return Poll::Ready(Some(record_result(record)));
            }
            match this.next.take() {
                Some(Ok(page)) => {
                    this.current = page
                        .into_records()
                        .into_results()
                        .collect::<Vec<_>>()
                        .into_iter();
                    this.pull(cx);
                }
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None if this.ended => return Poll::Ready(None),
                // `pull` above found the page stream pending and registered the waker.
                None => return Poll::Pending,
            }
        }
    }
}

/// Every record of every page, in order (a record that could not be read is an
/// [`Error::Record`] item in its place), polling `pages` on while the consumer works.
pub fn items_read_ahead<P, S>(pages: S) -> impl Stream<Item = Result<P::Item, Error>>
where
    P: Page,
    S: Stream<Item = Result<P, Error>>,
{
    ReadAhead {
        pages: Box::pin(pages),
        current: Vec::new().into_iter(),
        next: None,
        ended: false,
    }
}
