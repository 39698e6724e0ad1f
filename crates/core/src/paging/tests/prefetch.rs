//! [`super::super::pages_prefetched`]: the engine's spawned policy, reading ahead of the
//! consumer, in order, bounded.

use super::*;
use tokio::time::Instant;

const FLAT: fn(i32) -> Duration = |_| Duration::from_millis(100);

#[tokio::test(start_paused = true)]
async fn pages_are_requested_ahead_while_the_consumer_holds_one() {
    let list = FakeList::new(100, 10, true, FLAT);
    let mut pages = std::pin::pin!(pages_prefetched("Test_List", 1, 3, list.fetch()));
    let first = pages.next().await.unwrap().unwrap();
    assert_eq!(first.page, 1);
    tokio::task::yield_now().await; // the spawned requests start
                                    // The next three went out before page 1 was handed over, and run while the consumer works.
    assert_eq!(list.requested(), [1, 2, 3, 4]);
    tokio::time::sleep(Duration::from_millis(150)).await;
    let started = Instant::now();
    for expected in 2..=4 {
        assert_eq!(pages.next().await.unwrap().unwrap().page, expected);
    }
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "pages 2-4 were fetched during the consumer's 150 ms, not after"
    );
}

#[tokio::test(start_paused = true)]
async fn order_is_kept_and_requests_stay_bounded() {
    let list = FakeList::new(95, 10, true, slow_second);
    let pages: Vec<TestPage> = pages_prefetched("Test_List", 1, 3, list.fetch())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.page).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>()
    );
    let items: Vec<i64> = pages
        .into_iter()
        .flat_map(|p| p.items.into_parts().0)
        .collect();
    assert_eq!(items, (0..95).collect::<Vec<_>>());
    assert_eq!(list.max_in_flight(), 3, "bounded by, and reaching, `ahead`");
    assert_eq!(
        list.requested().len(),
        10,
        "no page twice, none past the end"
    );
}

#[tokio::test(start_paused = true)]
async fn without_a_total_the_next_page_is_prefetched() {
    let list = FakeList::new(45, 10, false, FLAT);
    let mut pages = std::pin::pin!(pages_prefetched("Test_List", 1, 4, list.fetch()));
    assert_eq!(pages.next().await.unwrap().unwrap().page, 1);
    tokio::task::yield_now().await;
    assert_eq!(
        list.requested(),
        [1, 2],
        "one page ahead, on `hasMore` alone"
    );
    let rest = page_numbers(pages).await;
    assert_eq!(rest, [2, 3, 4, 5]);
    assert_eq!(list.max_in_flight(), 1);
    assert_eq!(list.requested(), [1, 2, 3, 4, 5]);
}

#[tokio::test(start_paused = true)]
async fn zero_ahead_counts_as_one_not_as_a_lazy_switch() {
    let list = FakeList::new(30, 10, true, FLAT);
    let mut pages = std::pin::pin!(pages_prefetched("Test_List", 1, 0, list.fetch()));
    assert_eq!(pages.next().await.unwrap().unwrap().page, 1);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(list.requested(), [1, 2], "one page ahead");
    assert_eq!(page_numbers(pages).await, [2, 3]);
    assert_eq!(list.max_in_flight(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_lazy_switch_is_depth_one_in_place() {
    for lazy in [0, 1] {
        let list = FakeList::new(30, 10, true, FLAT);
        let mut pages = std::pin::pin!(pages_concurrent("Test_List", 1, lazy, list.fetch()));
        assert_eq!(pages.next().await.unwrap().unwrap().page, 1);
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(list.requested(), [1], "nothing requested until polled");
        assert_eq!(pages.next().await.unwrap().unwrap().page, 2);
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(list.requested(), [1, 2]);
        assert_eq!(page_numbers(pages).await, [3]);
    }
}

#[tokio::test(start_paused = true)]
async fn dropping_the_stream_cancels_the_requests_ahead() {
    let list = FakeList::new(100, 10, true, FLAT);
    {
        let mut pages = std::pin::pin!(pages_prefetched("Test_List", 1, 4, list.fetch()));
        pages.next().await.unwrap().unwrap();
        tokio::task::yield_now().await;
        assert_eq!(list.in_flight.load(Ordering::SeqCst), 4);
    }
    tokio::task::yield_now().await;
    assert_eq!(list.in_flight.load(Ordering::SeqCst), 0, "tasks aborted");
}

#[tokio::test]
async fn an_early_last_page_ends_the_stream() {
    let requested = Arc::default();
    let script = vec![
        (1, 10, true, Some(50)),
        (2, 10, true, None),
        (3, 4, false, None),
        (4, 0, false, None),
        (5, 0, false, None),
    ];
    let s = pages_prefetched("Test_List", 1, 4, scripted(script, Arc::clone(&requested)));
    assert_eq!(page_numbers(s).await, [1, 2, 3]);
}

#[tokio::test]
async fn has_more_past_the_total_is_followed() {
    let requested = Arc::default();
    let script = vec![
        (1, 10, true, Some(30)),
        (2, 10, true, None),
        (3, 10, true, None),
        (4, 10, true, None),
        (5, 2, false, None),
    ];
    let s = pages_prefetched("Test_List", 1, 8, scripted(script, Arc::clone(&requested)));
    assert_eq!(page_numbers(s).await, [1, 2, 3, 4, 5]);
    assert_eq!(*requested.lock().unwrap(), [1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn empty_pages_with_has_more_are_bounded() {
    let requested = Arc::default();
    let mut script = vec![(1, 0, true, Some(0))];
    script.extend((2..=10).map(|p| (p, 0, true, None)));
    let s = pages_prefetched("Test_List", 1, 4, scripted(script, Arc::clone(&requested)));
    let result: Result<Vec<TestPage>, Error> = s.try_collect().await;
    let Err(err @ Error::PagingAnomaly { page: 3, .. }) = result else {
        panic!("expected an error, got {result:?}")
    };
    assert_eq!(
        err.to_string(),
        "Test_List: paging stopped at page 3: 3 empty pages in a row while the server still \
         answers hasMore=true; stopped rather than loop"
    );
}

#[test]
fn outside_a_runtime_requests_are_polled_in_place() {
    let requested = Arc::default();
    let script = vec![
        (1, 10, true, Some(25)),
        (2, 10, true, None),
        (3, 5, false, None),
    ];
    let s = pages_prefetched("Test_List", 1, 2, scripted(script, Arc::clone(&requested)));
    assert_eq!(futures::executor::block_on(page_numbers(s)), [1, 2, 3]);
}

/// Ten records a page, 100 ms a request; the consumer spends 10 ms on each record.
async fn slow_consumer<S: Stream<Item = Result<i64, Error>>>(records: S) -> Duration {
    let started = Instant::now();
    let mut records = std::pin::pin!(records);
    let mut n = 0;
    while let Some(r) = records.next().await {
        r.unwrap();
        n += 1;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(n, 30);
    started.elapsed()
}

/// [`pages_prefetched`]'s policy with every request polled in place: what it does outside a
/// runtime, which a paused-clock test cannot be.
fn prefetched_in_place(list: &FakeList) -> impl Stream<Item = Result<TestPage, Error>> {
    let launch = (
        super::super::engine::Launch::Spawned,
        super::super::launch::in_place as super::super::launch::LaunchFn<_>,
    );
    super::super::engine::run("Test_List", 1, launch, 2, list.fetch())
}

#[tokio::test(start_paused = true)]
async fn requests_polled_in_place_progress_while_the_consumer_works() {
    let list = FakeList::new(30, 10, true, FLAT);
    let pages = prefetched_in_place(&list);
    // Page 1 at 100 ms; pages 2 and 3 fetched during the consumer's 100 ms on page 1.
    let elapsed = slow_consumer(items_read_ahead(pages)).await;
    assert_eq!(elapsed, Duration::from_millis(400));
    // Plain `items` leaves them still until page 1 is used up: 100 ms later.
    let list = FakeList::new(30, 10, true, FLAT);
    let pages = prefetched_in_place(&list);
    assert_eq!(
        slow_consumer(items(pages)).await,
        Duration::from_millis(500)
    );
}
