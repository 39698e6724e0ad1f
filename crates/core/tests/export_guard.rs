//! Exports always end (issue 12 point 4): a server repeating its continuation token with
//! `hasMore: true`, cycling between tokens, or sending a run of empty batches ends the stream
//! with `Error::ExportStalled` after a bounded number of requests, and no record twice. A batch
//! that repeats a followed token is not handed out at all (issue 21 point 4): its records are
//! the ones already delivered.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use futures::StreamExt;
use servicetitan_core::export::{batches, records, Batch, MAX_EMPTY_BATCHES};
use servicetitan_core::records::Records;
use servicetitan_core::Error;

struct Page {
    token: Option<String>,
    more: bool,
    items: Vec<u32>,
}

impl Batch for Page {
    type Item = u32;
    fn has_more(&self) -> bool {
        self.more
    }
    fn continue_from(&self) -> Option<&str> {
        self.token.as_deref()
    }
    fn into_records(self) -> Records<u32> {
        Records::new(self.items)
    }
}

/// Runs an export whose server answers `answer(request number, from)`, stopping the test after
/// 1,000 requests should the stream never end. Returns the records and the final error.
async fn run(
    answer: impl Fn(u32, Option<&str>) -> Page + Send + Sync + 'static,
) -> (Vec<u32>, Option<Error>, u32) {
    let requests = Arc::new(AtomicU32::new(0));
    let counter = requests.clone();
    let answer = Arc::new(answer);
    let stream = batches("Export_Guard", None, move |from: Option<String>| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let answer = answer.clone();
        async move {
            if n >= 1000 {
                return Err(Error::Other("the export never ended".into()));
            }
            Ok::<_, Error>(answer(n, from.as_deref()))
        }
    });
    let mut items = Vec::new();
    let mut error = None;
    let mut records = Box::pin(records(stream));
    while let Some(item) = records.next().await {
        match item {
            Ok(item) => items.push(item),
            Err(err) => {
                error = Some(err);
                break;
            }
        }
    }
    (items, error, requests.load(Ordering::SeqCst))
}

#[tokio::test]
async fn a_repeated_token_ends_the_export_without_duplicates() {
    // First batch: records 1-2 and token "t1"; every later answer repeats "t1" with record 3.
    let (items, error, requests) = run(|n, _| Page {
        token: Some("t1".into()),
        more: true,
        items: if n == 0 { vec![1, 2] } else { vec![3] },
    })
    .await;
    // Record 3 came with the repeated token: that batch is dropped, not delivered.
    assert_eq!(items, vec![1, 2]);
    assert_eq!(requests, 2);
    let err = error.expect("the stream ends with an error");
    assert!(matches!(err, Error::ExportStalled { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("\"t1\"") && text.contains("already followed"),
        "{text}"
    );
}

#[tokio::test]
async fn a_cycle_of_tokens_ends_the_export() {
    let (items, error, requests) = run(|n, _| Page {
        token: Some(if n % 2 == 0 { "a" } else { "b" }.into()),
        more: true,
        items: vec![n],
    })
    .await;
    assert_eq!(items, vec![0, 1]);
    assert_eq!(requests, 3);
    assert!(
        matches!(error, Some(Error::ExportStalled { .. })),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_run_of_empty_batches_ends_the_export() {
    let (items, error, requests) = run(|n, _| Page {
        token: Some(format!("t{n}")),
        more: true,
        items: vec![],
    })
    .await;
    assert!(items.is_empty());
    assert_eq!(requests, MAX_EMPTY_BATCHES);
    let text = error.expect("stalled").to_string();
    assert!(text.contains("empty batches"), "{text}");
}

#[tokio::test]
async fn a_few_empty_batches_and_new_tokens_are_fine() {
    let (items, error, requests) = run(|n, _| Page {
        token: Some(format!("t{n}")),
        more: n < 20,
        items: if n % 3 == 0 { vec![n] } else { vec![] },
    })
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(requests, 21);
    assert_eq!(items, vec![0, 3, 6, 9, 12, 15, 18]);
}
