//! The generated paged-list streams started past page 1, against a local (loopback) wiremock
//! server that counts requests: with a known `totalCount`, no request goes past the last page,
//! whichever way the list is read (`.stream()`, `.pages()`, `.collect_all()`,
//! `.stream_concurrent(n)`), and only the first page asks for the total.
#![cfg(feature = "jpm")]

use futures::TryStreamExt;
use serde_json::json;
use servicetitan::prelude::*;
use servicetitan_test_support::{query, requests_to, setup};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const JOBS: &str = "/jpm/v2/tenant/42/jobs";
/// 38 jobs, 5 a page: pages 1–8.
const RECORDS: i64 = 38;
const SIZE: i64 = 5;
const LAST: i64 = 8;

/// The list, answering each page after 30 ms (so requests issued ahead are at the server before
/// the last page's `hasMore: false` is read), with `totalCount` when asked for it.
struct List;

impl Respond for List {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page: i64 = query(request, "page").unwrap().parse().unwrap();
        let start = (page - 1) * SIZE;
        let end = (start + SIZE).min(RECORDS);
        let data: Vec<_> = (start.min(end)..end).map(|id| json!({"id": id})).collect();
        let mut body =
            json!({"page": page, "pageSize": SIZE, "hasMore": end < RECORDS, "data": data});
        if query(request, "includeTotal").as_deref() == Some("true") {
            body["totalCount"] = json!(RECORDS);
        }
        ResponseTemplate::new(200)
            .set_body_json(body)
            .set_delay(Duration::from_millis(30))
    }
}

async fn server_and_client() -> (MockServer, Client) {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path(JOBS))
        .respond_with(List)
        .mount(&server)
        .await;
    (server, client)
}

/// The pages requested, in order of arrival, once every request issued has arrived; and checks
/// that only the first asked for the total.
async fn pages_requested(server: &MockServer, first: i64) -> Vec<i64> {
    // Requests aborted with the stream could still be on their way: give them time to land.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let requests = requests_to(server, JOBS).await;
    for r in &requests {
        let page: i64 = query(r, "page").unwrap().parse().unwrap();
        let total = query(r, "includeTotal");
        assert_eq!(
            total.is_some(),
            page == first,
            "includeTotal on page {page}"
        );
    }
    let mut pages: Vec<i64> = requests
        .iter()
        .map(|r| query(r, "page").unwrap().parse().unwrap())
        .collect();
    pages.sort_unstable();
    pages
}

fn ids_from(first: i64) -> Vec<i64> {
    ((first - 1) * SIZE..RECORDS).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_stream_from_page_3_and_page_7_requests_no_page_past_the_end() {
    for first in [3, 7] {
        let (server, client) = server_and_client().await;
        let ids: Vec<i64> = client
            .jpm()
            .jobs_get_list()
            .page(first as i32)
            .page_size(SIZE as i32)
            .stream()
            .map_ok(|job| job.id)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ids, ids_from(first), "from page {first}");
        assert_eq!(
            pages_requested(&server, first).await,
            (first..=LAST).collect::<Vec<_>>(),
            "from page {first}: each page once, none past page {LAST}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_collect_all_and_stream_concurrent_from_page_3_stop_at_the_end() {
    let (server, client) = server_and_client().await;
    let pages: Vec<_> = client
        .jpm()
        .jobs_get_list()
        .page(3)
        .page_size(SIZE as i32)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let numbers: Vec<_> = pages.iter().map(|p| p.page.unwrap()).collect();
    assert_eq!(numbers, (3..=LAST).collect::<Vec<_>>());
    assert_eq!(
        pages_requested(&server, 3).await,
        (3..=LAST).collect::<Vec<_>>()
    );

    let (server, client) = server_and_client().await;
    let all = client
        .jpm()
        .jobs_get_list()
        .page(7)
        .page_size(SIZE as i32)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.iter().map(|j| j.id).collect::<Vec<_>>(), ids_from(7));
    assert_eq!(pages_requested(&server, 7).await, [7, 8]);

    for depth in [1, 4] {
        let (server, client) = server_and_client().await;
        let ids: Vec<i64> = client
            .jpm()
            .jobs_get_list()
            .page(3)
            .page_size(SIZE as i32)
            .stream_concurrent(depth)
            .map_ok(|job| job.id)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(ids, ids_from(3), "depth {depth}");
        assert_eq!(
            pages_requested(&server, 3).await,
            (3..=LAST).collect::<Vec<_>>()
        );
    }
}
