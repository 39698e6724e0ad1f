//! The plan from `totalCount`: right from any first page, for every policy of the engine.

use super::*;

/// 38 records, 5 a page: pages 1–8.
const FAST: fn(i32) -> Duration = |_| Duration::from_millis(20);

async fn requested_from(first: i32, policy: &str) -> Vec<i32> {
    let list = FakeList::new(38, 5, true, FAST);
    let numbers = match policy {
        "prefetched" => page_numbers(pages_prefetched("Test_List", first, 4, list.fetch())).await,
        "concurrent" => page_numbers(pages_concurrent("Test_List", first, 4, list.fetch())).await,
        _ => page_numbers(pages("Test_List", first, list.fetch())).await,
    };
    assert_eq!(
        numbers,
        (first..=8).collect::<Vec<_>>(),
        "{policy} from {first}"
    );
    let mut requested = list.requested();
    requested.sort_unstable();
    requested
}

#[tokio::test(start_paused = true)]
async fn no_request_past_the_last_page_from_any_first_page() {
    for policy in ["prefetched", "concurrent", "lazy"] {
        for first in [1, 3, 7, 8] {
            assert_eq!(
                requested_from(first, policy).await,
                (first..=8).collect::<Vec<_>>(),
                "{policy} from page {first}: each page once, none past page 8"
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn read_ahead_from_page_3_fills_the_depth_up_to_the_last_page() {
    let list = FakeList::new(38, 5, true, FAST);
    let mut pages = std::pin::pin!(pages_prefetched("Test_List", 3, 4, list.fetch()));
    assert_eq!(pages.next().await.unwrap().unwrap().page, 3);
    tokio::task::yield_now().await;
    assert_eq!(list.requested(), [3, 4, 5, 6, 7]);
    assert_eq!(pages.next().await.unwrap().unwrap().page, 4);
    tokio::task::yield_now().await;
    assert_eq!(list.requested(), [3, 4, 5, 6, 7, 8], "page 8 is the last");
}

#[test]
fn a_request_cancelled_with_its_runtime_is_named() {
    let list = FakeList::new(100, 10, true, |_| Duration::from_secs(60));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    // Page 1 answers at once; the pages read ahead are still waiting when the runtime stops.
    let quick = {
        let mut slow = list.fetch();
        move |page: i32| -> futures::future::BoxFuture<'static, Result<TestPage, Error>> {
            if page == 1 {
                Box::pin(futures::future::ready(Ok(TestPage {
                    page,
                    items: (0..10).collect::<Vec<i64>>().into(),
                    more: true,
                    total: Some(100),
                })))
            } else {
                slow(page)
            }
        }
    };
    let mut pages = Box::pin(pages_prefetched("Test_List", 1, 2, quick));
    let first = runtime.block_on(async { pages.next().await.unwrap().unwrap() });
    assert_eq!(first.page, 1);
    runtime.shutdown_background();
    let next = futures::executor::block_on(pages.next()).unwrap();
    let Err(
        err @ Error::Cancelled {
            operation: "Test_List",
            page: 2,
        },
    ) = next
    else {
        panic!("expected Cancelled, got {next:?}")
    };
    assert!(err.to_string().contains("page 2 was cancelled"), "{err}");
}
