use super::*;
use futures::StreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug)]
struct TestPage {
    page: i32,
    items: Records<i64>,
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
    fn records(&self) -> &Records<i64> {
        &self.items
    }
    fn records_mut(&mut self) -> &mut Records<i64> {
        &mut self.items
    }
    fn into_records(self) -> Records<i64> {
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
    ) -> impl FnMut(i32) -> futures::future::BoxFuture<'static, Result<TestPage, Error>> {
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
                    items: (start.min(end)..end).collect::<Vec<_>>().into(),
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
    let pages: Vec<TestPage> = pages_concurrent("Test_List", 1, 3, list.fetch())
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
        page_numbers(pages_concurrent("Test_List", 1, 5, list.fetch()))
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
    let numbers = page_numbers(pages_concurrent("Test_List", 1, 4, list.fetch())).await;
    assert_eq!(numbers, [1, 2, 3, 4, 5]);
    assert_eq!(list.max_in_flight(), 1);
    assert_eq!(list.requested(), [1, 2, 3, 4, 5]);
}

#[tokio::test(start_paused = true)]
async fn a_single_page_is_one_request() {
    let list = FakeList::new(7, 10, true, slow_second);
    assert_eq!(
        page_numbers(pages_concurrent("Test_List", 1, 4, list.fetch())).await,
        [1]
    );
    assert_eq!(list.requested(), [1]);
}

#[tokio::test(start_paused = true)]
async fn zero_concurrency_counts_as_one() {
    let list = FakeList::new(30, 10, true, slow_second);
    assert_eq!(
        page_numbers(pages_concurrent("Test_List", 1, 0, list.fetch())).await,
        [1, 2, 3]
    );
    assert_eq!(list.max_in_flight(), 1);
}

#[tokio::test(start_paused = true)]
async fn starts_at_the_requested_page() {
    let list = FakeList::new(60, 10, true, slow_second);
    assert_eq!(
        page_numbers(pages_concurrent("Test_List", 3, 2, list.fetch())).await,
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
            items: vec![i64::from(page); n].into(),
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
    let s = pages_concurrent("Test_List", 1, 4, scripted(script, Arc::clone(&requested)));
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
    let s = pages_concurrent("Test_List", 1, 8, scripted(script, Arc::clone(&requested)));
    assert_eq!(page_numbers(s).await, [1, 2, 3, 4, 5]);
    assert_eq!(*requested.lock().unwrap(), [1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn empty_pages_with_has_more_are_bounded() {
    let requested = Arc::default();
    let mut script = vec![(1, 0, true, Some(0))];
    script.extend((2..=10).map(|p| (p, 0, true, None)));
    let s = pages_concurrent("Test_List", 1, 4, scripted(script, Arc::clone(&requested)));
    let result: Result<Vec<TestPage>, Error> = s.try_collect().await;
    let Err(Error::PagingAnomaly {
        operation: "Test_List",
        page: 3,
        anomaly: PagingAnomaly::EmptyPages(MAX_EMPTY_PAGES),
    }) = result
    else {
        panic!("expected an error, got {result:?}")
    };
}

#[tokio::test]
async fn an_error_ends_the_stream() {
    let mut calls = 0;
    let s = pages_concurrent("Test_List", 1, 3, move |page| {
        calls += 1;
        assert!(calls <= 4, "no request after the failure is seen");
        futures::future::ready(if page == 2 {
            Err(Error::Other("boom".into()))
        } else {
            Ok(TestPage {
                page,
                items: vec![1; 10].into(),
                more: true,
                total: Some(100),
            })
        })
    });
    let got: Vec<Result<TestPage, Error>> = s.collect().await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].as_ref().unwrap().page, 1);
    assert!(matches!(got[1], Err(Error::Other(_))));
}

#[tokio::test]
async fn a_bad_record_is_an_error_item_in_its_place_and_the_stream_goes_on() {
    let fetch = |page: i32| {
        let data = if page == 1 { "[1, \"x\", 3]" } else { "[4]" };
        futures::future::ready(Ok::<_, Error>(TestPage {
            page,
            items: serde_json::from_str(data).unwrap(),
            more: page == 1,
            total: None,
        }))
    };
    let got: Vec<Result<i64, Error>> = items(pages("Jobs_GetList", 1, fetch)).collect().await;
    assert_eq!(got.len(), 4);
    assert_eq!(*got[0].as_ref().unwrap(), 1);
    let failure = got[1]
        .as_ref()
        .unwrap_err()
        .record()
        .expect("a record error");
    assert_eq!(failure.operation_id, Some("Jobs_GetList"));
    assert_eq!((failure.index, failure.raw_json()), (1, "\"x\""));
    assert_eq!(*got[2].as_ref().unwrap(), 3);
    assert_eq!(*got[3].as_ref().unwrap(), 4, "the next page is still read");
}

#[tokio::test]
async fn a_page_of_only_bad_records_is_not_an_empty_page() {
    let fetch = |page: i32| {
        futures::future::ready(Ok::<_, Error>(TestPage {
            page,
            items: serde_json::from_str("[\"a\", \"b\"]").unwrap(),
            more: page < 5,
            total: None,
        }))
    };
    let got: Vec<Result<TestPage, Error>> = pages("Jobs_GetList", 1, fetch).collect().await;
    assert_eq!(got.len(), 5, "not stopped by the empty-page guard");
    assert!(got
        .iter()
        .all(|p| p.as_ref().unwrap().items.failures().len() == 2));
}

mod plan;
mod prefetch;

#[tokio::test]
async fn no_page_number_overflows() {
    // Every page says hasMore: true; the last page number is i32::MAX.
    let fetch = |page: i32| async move {
        Ok::<_, Error>(TestPage {
            page,
            items: Records::new(vec![i64::from(page)]),
            more: true,
            total: Some(i64::MAX),
        })
    };
    let lazy: Vec<Result<TestPage, Error>> = pages("Op", i32::MAX - 1, fetch).collect().await;
    let ahead: Vec<Result<TestPage, Error>> = pages_prefetched("Op", i32::MAX - 1, 4, fetch)
        .collect()
        .await;
    let concurrent: Vec<Result<TestPage, Error>> = pages_concurrent("Op", i32::MAX - 1, 4, fetch)
        .collect()
        .await;
    for got in [lazy, ahead, concurrent] {
        let numbers: Vec<i32> = got
            .iter()
            .filter_map(|p| p.as_ref().ok())
            .map(|p| p.page)
            .collect();
        assert_eq!(numbers, [i32::MAX - 1, i32::MAX]);
        let err = got.last().unwrap().as_ref().unwrap_err();
        assert!(
            matches!(
                err,
                Error::PagingAnomaly {
                    operation: "Op",
                    page: i32::MAX,
                    anomaly: PagingAnomaly::NoPageNumberAfter
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("no page number after it"), "{err}");
    }
}
