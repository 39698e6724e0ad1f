//! Resumable export streams (`{hasMore, continueFrom, data}`, resumed with `from=<token>`).
//!
//! Each batch comes with its continuation token — the checkpoint a pipeline persists *after* it
//! has stored the batch's records. Starting again from that checkpoint loses nothing: the API
//! resumes right after the last batch handed out. `hasMore: false` means "caught up; come back in
//! 5–10 minutes", not an error: the stream ends, and its last checkpoint is where to resume.
//!
//! **Exports always end.** A server that answers `hasMore: true` with a continuation token this
//! stream already followed (the same token twice, or a cycle), or with [`MAX_EMPTY_BATCHES`]
//! empty batches in a row, would make the stream request forever (and, for a repeated token,
//! hand out the same records again). The batch that revealed it is still handed out (its records
//! are new); the next poll ends the stream with [`Error::ExportStalled`] instead of a request.

use crate::Error;
use futures::{future, stream, Stream, TryStreamExt};
use std::collections::HashSet;
use std::future::Future;
use std::hash::Hash;

/// An export response envelope.
pub trait Batch {
    /// The record type.
    type Item;
    /// The API's `hasMore`.
    fn has_more(&self) -> bool;
    /// The API's `continueFrom` token.
    fn continue_from(&self) -> Option<&str>;
    /// The batch's records.
    fn into_items(self) -> Vec<Self::Item>;
}

/// An export envelope whose records are kept exactly as received (bytes, key order, fields the
/// SDK does not know); read with [`crate::Client::get_json`]. For pipelines that store what the
/// API sent rather than the typed model.
#[derive(Debug, serde::Deserialize)]
pub struct RawBatch {
    #[serde(rename = "hasMore", default)]
    has_more: Option<bool>,
    #[serde(rename = "continueFrom", default)]
    continue_from: Option<String>,
    #[serde(default)]
    data: Option<Vec<Box<serde_json::value::RawValue>>>,
}

impl Batch for RawBatch {
    type Item = Box<serde_json::value::RawValue>;
    fn has_more(&self) -> bool {
        self.has_more.unwrap_or(false)
    }
    fn continue_from(&self) -> Option<&str> {
        self.continue_from.as_deref()
    }
    fn into_items(self) -> Vec<Self::Item> {
        self.data.unwrap_or_default()
    }
}

/// One batch of an export, with the checkpoint to persist once its records are stored.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportBatch<T> {
    /// The records, as received.
    pub items: Vec<T>,
    /// The token to resume from after this batch (`from=<checkpoint>`); `None` only if the API
    /// sent none, in which case the previous checkpoint still stands.
    pub checkpoint: Option<String>,
    /// Whether the API said more records are ready now.
    pub has_more: bool,
}

/// Empty batches with `hasMore: true` in a row after which an export is considered stuck.
pub const MAX_EMPTY_BATCHES: u32 = 10;

struct State<F> {
    from: Option<String>,
    done: bool,
    fetch: F,
    guard: Guard,
}

/// Detects an export that does not advance (see the module docs).
#[derive(Default)]
struct Guard {
    requests: u32,
    empty_run: u32,
    followed: HashSet<String>,
    /// Set once the stream is stuck: returned by the next poll.
    stalled: Option<String>,
}

impl Guard {
    /// Records a batch; notes why the stream cannot go on, if it cannot.
    fn check(&mut self, has_more: bool, checkpoint: Option<&str>, empty: bool) {
        self.requests = self.requests.saturating_add(1);
        self.empty_run = if empty && has_more {
            self.empty_run + 1
        } else {
            0
        };
        if !has_more {
            return;
        }
        if let Some(token) = checkpoint {
            if !self.followed.insert(token.to_owned()) {
                self.stalled = Some(format!(
                    "the server answered hasMore: true with the continuation token {token:?}, \
                     which this export already followed"
                ));
                return;
            }
        }
        if self.empty_run >= MAX_EMPTY_BATCHES {
            self.stalled = Some(format!(
                "the server answered {} empty batches in a row with hasMore: true",
                self.empty_run
            ));
        }
    }
}

/// Batches from `from` (a saved checkpoint, a date, or `None` for the beginning), each fetched by
/// `fetch(from)` when the stream is polled.
pub fn batches<B, F, Fut>(
    from: Option<String>,
    fetch: F,
) -> impl Stream<Item = Result<ExportBatch<B::Item>, Error>>
where
    B: Batch,
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<B, Error>>,
{
    stream::try_unfold(
        State {
            guard: Guard {
                followed: from.iter().cloned().collect(),
                ..Guard::default()
            },
            from,
            done: false,
            fetch,
        },
        |mut st| async move {
            if st.done {
                return Ok(None);
            }
            if let Some(reason) = st.guard.stalled.take() {
                return Err(Error::ExportStalled {
                    reason,
                    requests: st.guard.requests,
                    checkpoint: st.from.clone(),
                });
            }
            let batch = (st.fetch)(st.from.clone()).await?;
            let has_more = batch.has_more();
            let checkpoint = batch.continue_from().map(str::to_string);
            if checkpoint.is_some() {
                st.from = checkpoint.clone();
            }
            // Without a new token there is no way forward: stop rather than refetch the same batch.
            st.done = !has_more || checkpoint.is_none();
            let items = batch.into_items();
            st.guard
                .check(has_more, checkpoint.as_deref(), items.is_empty());
            Ok(Some((
                ExportBatch {
                    items,
                    checkpoint,
                    has_more,
                },
                st,
            )))
        },
    )
}

/// Flattens batches into records.
pub fn records<T, S>(batches: S) -> impl Stream<Item = Result<T, Error>>
where
    S: Stream<Item = Result<ExportBatch<T>, Error>>,
{
    batches
        .map_ok(|b| stream::iter(b.items.into_iter().map(Ok)))
        .try_flatten()
}

/// Drops records whose `key` was already seen earlier in the stream; errors pass through.
///
/// With `includeRecentChanges=true` the API may hand out the same record again in a later batch.
/// Keying on `(id, modified_on)` drops those repeats while keeping a record that really changed
/// (a newer `modified_on`). Keys are remembered for the life of the stream, so memory grows with
/// the number of distinct records read.
///
/// ```ignore
/// let jobs = dedupe_by(jpm.export_jobs().include_recent_changes(true).stream(), |j| (j.id, j.modified_on));
/// ```
pub fn dedupe_by<T, E, K, S, F>(records: S, mut key: F) -> impl Stream<Item = Result<T, E>>
where
    S: Stream<Item = Result<T, E>>,
    K: Eq + Hash,
    F: FnMut(&T) -> K,
{
    let mut seen = HashSet::new();
    records.try_filter(move |record| future::ready(seen.insert(key(record))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn dedupe_by_drops_repeats_keeps_changes_and_errors() {
        let input: Vec<Result<(i64, u32), &str>> = vec![
            Ok((1, 10)),
            Ok((2, 10)),
            Ok((1, 10)),
            Err("boom"),
            Ok((1, 11)),
            Ok((2, 10)),
        ];
        let out: Vec<_> = futures::StreamExt::collect(dedupe_by(stream::iter(input), |r| *r)).await;
        assert_eq!(
            out,
            vec![Ok((1, 10)), Ok((2, 10)), Err("boom"), Ok((1, 11))]
        );
    }
}
