//! How the engine runs one page request: [`in_place`] (polled by the stream itself) or
//! [`spawned`] (a tokio task of its own, so its body read and decoding run off the consumer's
//! task). Either way the request's retries count against its stream's ([`stream_retries`]).

use crate::transport::stream_retries::{self, StreamRetries};
use crate::Error;
use futures::FutureExt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// Which request this is: named in the error if its task is cancelled.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ticket {
    pub(super) operation: &'static str,
    pub(super) page: i32,
}

/// A page request in flight.
pub(super) enum InFlight<Fut: Future> {
    Spawned(Aborting<Fut::Output>, Ticket),
    InPlace(Pin<Box<Counted<Fut>>>),
}

type Counted<Fut> = tokio::task::futures::TaskLocalFuture<Arc<StreamRetries>, Fut>;

/// How a request is launched; the bounds of [`spawned`] (`Send + 'static`) are checked where the
/// policy is chosen, so the engine itself needs none.
pub(super) type LaunchFn<Fut> = fn(Fut, Arc<StreamRetries>, Ticket) -> InFlight<Fut>;

/// A spawned task that is aborted when its handle is dropped (the stream ended or was dropped),
/// so nothing requested ahead outlives the stream.
pub(super) struct Aborting<T>(tokio::task::JoinHandle<T>);

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
            InFlight::Spawned(task, ticket) => task.0.poll_unpin(cx).map(|joined| match joined {
                Ok(result) => result,
                // A panic in the request is the caller's panic, as it would be in place.
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                // Only the runtime shutting down cancels it: the stream's own aborts drop the
                // handle first.
                Err(_) => Err(Error::Cancelled {
                    operation: ticket.operation,
                    page: ticket.page,
                }),
            }),
        }
    }
}

/// Polled by the stream: progresses only while the stream is polled.
pub(super) fn in_place<Fut: Future>(
    fut: Fut,
    shared: Arc<StreamRetries>,
    _: Ticket,
) -> InFlight<Fut> {
    InFlight::InPlace(Box::pin(stream_retries::scope(shared, fut)))
}

/// On a task of its own inside a tokio runtime; outside one (no executor to spawn on), in place.
pub(super) fn spawned<P, Fut>(fut: Fut, shared: Arc<StreamRetries>, ticket: Ticket) -> InFlight<Fut>
where
    Fut: Future<Output = Result<P, Error>> + Send + 'static,
    P: Send + 'static,
{
    let fut = stream_retries::scope(shared, fut);
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => InFlight::Spawned(Aborting(runtime.spawn(fut)), ticket),
        Err(_) => InFlight::InPlace(Box::pin(fut)),
    }
}
