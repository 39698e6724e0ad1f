//! Resumable export streams (`{hasMore, continueFrom, data}`, resumed with `from=<token>`).
//!
//! Each batch comes with its continuation token — the checkpoint a pipeline persists *after* it
//! has stored the batch's records. Starting again from that checkpoint loses nothing: the API
//! resumes right after the last batch handed out. `hasMore: false` means "caught up; come back in
//! 5–10 minutes", not an error: the stream ends, and its last checkpoint is where to resume.
//!
//! **Exports always end, and never hand out a batch twice.** A server that answers with a
//! continuation token this stream already followed (the token it was asked with, or an earlier
//! one: a cycle) is sending records it already sent: that batch is **not** handed out (not
//! written, not checkpointed) and the stream ends at once with [`Error::ExportStalled`], the
//! checkpoint still the last good one — so a rerun from it meets the same answer and again adds
//! nothing. (A batch with no records that repeats its token with `hasMore: false` is the normal
//! "caught up".) After [`MAX_EMPTY_BATCHES`] empty batches in a row with `hasMore: true` the
//! batch that revealed it is handed out (it holds nothing) and the next poll ends the stream
//! with [`Error::ExportStalled`] instead of a request.
//!
//! **Records that cannot be read.** A batch's `data` is decoded record by record
//! ([`crate::records`]). A record that cannot be decoded is delivered too — in
//! [`ExportBatch::failures`] (its position, the JSON path of the failure, its raw JSON, the
//! operation id), and by [`records`] as an [`Error::Record`] item in its place, after which the
//! stream goes on. A batch's checkpoint covers **all** its records, failed ones included: persist
//! the failures (their raw JSON) with the records before the checkpoint, and resuming from it never
//! skips a record that was not handed to you.

pub mod file;
mod raw_batch;

pub use raw_batch::RawBatch;

use crate::records::{RecordError, Records};
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
    /// The batch's records, read and failed.
    fn into_records(self) -> Records<Self::Item>;
}

/// One batch of an export, with the checkpoint to persist once its records are stored.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportBatch<T> {
    /// The records that were read, in order.
    pub items: Vec<T>,
    /// The records that could not be read into `T` (each with its raw JSON); covered by
    /// `checkpoint` like `items`, so store them before persisting it.
    pub failures: Vec<RecordError>,
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
    /// Records a batch asked for with `from`; `Err(reason)` when it repeats a token this stream
    /// already followed (its records were handed out before: it must not be delivered). Notes
    /// a run of empty batches, which ends the stream at the next poll.
    fn check(
        &mut self,
        from: Option<&str>,
        has_more: bool,
        checkpoint: Option<&str>,
        empty: bool,
    ) -> Result<(), String> {
        self.requests = self.requests.saturating_add(1);
        self.empty_run = if empty && has_more {
            self.empty_run + 1
        } else {
            0
        };
        if let Some(token) = checkpoint {
            // `hasMore: false`, no records, same token: "caught up", the normal end.
            let caught_up = !has_more && empty;
            if !caught_up && (from == Some(token) || (has_more && self.followed.contains(token))) {
                return Err(format!(
                    "the server answered with the continuation token {token:?}, which this export \
                     already followed (requested with {from:?}): its {} would be handed out \
                     twice, so the batch was dropped",
                    if empty { "batch" } else { "records" }
                ));
            }
            if has_more {
                self.followed.insert(token.to_owned());
            }
        }
        if has_more && self.empty_run >= MAX_EMPTY_BATCHES {
            self.stalled = Some(format!(
                "the server answered {} empty batches in a row with hasMore: true",
                self.empty_run
            ));
        }
        Ok(())
    }
}

impl<T> ExportBatch<T> {
    /// Every record of the batch in the order the API sent it: `Ok` when read, `Err` when not.
    pub fn into_results(self) -> impl Iterator<Item = Result<T, RecordError>> {
        Records::from_parts(self.items, self.failures).into_results()
    }
}

/// Batches from `from` (a saved checkpoint, a date, or `None` for the beginning), each fetched by
/// `fetch(from)` when the stream is polled; record failures are named after `operation_id`.
pub fn batches<B, F, Fut>(
    operation_id: &'static str,
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
        move |mut st| async move {
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
            let mut records = batch.into_records();
            let empty = records.received() == 0;
            if let Err(reason) =
                st.guard
                    .check(st.from.as_deref(), has_more, checkpoint.as_deref(), empty)
            {
                return Err(Error::ExportStalled {
                    reason,
                    requests: st.guard.requests,
                    checkpoint: st.from.clone(),
                });
            }
            if checkpoint.is_some() {
                st.from = checkpoint.clone();
            }
            // Without a new token there is no way forward: stop rather than refetch the same batch.
            st.done = !has_more || checkpoint.is_none();
            records.set_operation(operation_id);
            let (items, failures) = records.into_parts();
            Ok(Some((
                ExportBatch {
                    items,
                    failures,
                    checkpoint,
                    has_more,
                },
                st,
            )))
        },
    )
}

/// Flattens batches into records, in order; a record that could not be read is an
/// [`Error::Record`] item in its place, and the stream goes on.
pub fn records<T, S>(batches: S) -> impl Stream<Item = Result<T, Error>>
where
    S: Stream<Item = Result<ExportBatch<T>, Error>>,
{
    batches
        .map_ok(|b| stream::iter(b.into_results().map(crate::paging::record_result)))
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

    #[derive(serde::Deserialize)]
    struct TestBatch {
        #[serde(rename = "hasMore")]
        has_more: bool,
        #[serde(rename = "continueFrom")]
        continue_from: Option<String>,
        data: Records<i64>,
    }

    impl Batch for TestBatch {
        type Item = i64;
        fn has_more(&self) -> bool {
            self.has_more
        }
        fn continue_from(&self) -> Option<&str> {
            self.continue_from.as_deref()
        }
        fn into_records(self) -> Records<i64> {
            self.data
        }
    }

    fn fetch(from: Option<String>) -> future::Ready<Result<TestBatch, Error>> {
        let body = match from.as_deref() {
            None => r#"{"hasMore": true, "continueFrom": "t1", "data": [1, {"odd": true}, 3]}"#,
            Some("t1") => r#"{"hasMore": false, "continueFrom": "t2", "data": [4]}"#,
            Some(other) => panic!("unexpected from={other}"),
        };
        future::ready(Ok(serde_json::from_str(body).unwrap()))
    }

    #[tokio::test]
    async fn a_bad_record_is_delivered_with_its_batch_and_checkpoint() {
        let got: Vec<ExportBatch<i64>> = batches("Export_Jobs", None, fetch)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(got[0].items, [1, 3]);
        assert_eq!(got[0].failures.len(), 1);
        let failure = &got[0].failures[0];
        assert_eq!(failure.operation_id, Some("Export_Jobs"));
        assert_eq!(failure.raw_json(), r#"{"odd": true}"#);
        assert_eq!(
            got[0].checkpoint.as_deref(),
            Some("t1"),
            "the checkpoint covers the failure"
        );
        assert_eq!(got[1].items, [4]);
        let flat: Vec<Result<i64, Error>> =
            futures::StreamExt::collect(records(batches("Export_Jobs", None, fetch))).await;
        let shape: Vec<Result<i64, usize>> = flat
            .iter()
            .map(|r| match r {
                Ok(v) => Ok(*v),
                Err(e) => Err(e.record().unwrap().index),
            })
            .collect();
        assert_eq!(shape, [Ok(1), Err(1), Ok(3), Ok(4)]);
    }

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
