//! The generated `.pages_concurrent(n)` / `.stream_concurrent(n)` against a local (loopback)
//! wiremock server whose answers take different times: pages come back in order, never more than
//! `n` requests at the server at once, `includeTotal=true` only on the first page, and one page at
//! a time when the API gives no `totalCount`.
#![cfg(feature = "jpm")]

use futures::TryStreamExt;
use serde_json::json;
use servicetitan::jpm::types::JobStatus;
use servicetitan::prelude::*;
use servicetitan_test_support::{builder, query, requests_to, setup, token_server};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const JOBS: &str = "/jpm/v2/tenant/42/jobs";

async fn setup_with_rate_limit(per_second: Option<u32>) -> (MockServer, Client) {
    let server = token_server().await;
    let client = builder(&server).rate_limit(per_second).build().unwrap();
    (server, client)
}

/// A paged job list of `records` records, `size` a page, answering each page after a delay
/// (page 2 the slowest), with `totalCount` when asked for it and `with_total`. Records when each
/// request arrived and when its answer was due, to count requests in flight at the server.
#[derive(Clone)]
struct SlowList {
    records: i64,
    size: i64,
    with_total: bool,
    started: Instant,
    log: Arc<Mutex<Vec<(i64, Duration, Duration)>>>,
}

impl SlowList {
    fn new(records: i64, size: i64, with_total: bool) -> Self {
        SlowList {
            records,
            size,
            with_total,
            started: Instant::now(),
            log: Arc::default(),
        }
    }

    fn delay(page: i64) -> Duration {
        Duration::from_millis(if page == 2 { 400 } else { 120 })
    }

    /// The most requests whose answers were pending at the same moment.
    fn max_in_flight(&self) -> usize {
        let log = self.log.lock().unwrap();
        log.iter()
            .map(|&(_, arrived, _)| {
                log.iter()
                    .filter(|&&(_, a, due)| a <= arrived && arrived < due)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }
}

impl Respond for SlowList {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let page: i64 = query(request, "page").unwrap().parse().unwrap();
        let delay = Self::delay(page);
        let arrived = self.started.elapsed();
        self.log
            .lock()
            .unwrap()
            .push((page, arrived, arrived + delay));
        let start = (page - 1) * self.size;
        let end = (start + self.size).min(self.records);
        let data: Vec<_> = (start.min(end)..end).map(|id| json!({"id": id})).collect();
        let mut body = json!({
            "page": page, "pageSize": self.size, "hasMore": end < self.records, "data": data
        });
        if self.with_total && query(request, "includeTotal").as_deref() == Some("true") {
            body["totalCount"] = json!(self.records);
        }
        ResponseTemplate::new(200)
            .set_body_json(body)
            .set_delay(delay)
    }
}

async fn queries(server: &MockServer, name: &str) -> Vec<(String, Option<String>)> {
    let requests = requests_to(server, JOBS).await;
    requests
        .iter()
        .map(|r| (query(r, "page").unwrap(), query(r, name)))
        .collect()
}

#[tokio::test]
async fn pages_come_in_order_with_at_most_n_requests_at_the_server() {
    let (server, client) = setup().await;
    let list = SlowList::new(38, 5, true);
    Mock::given(method("GET"))
        .and(path(JOBS))
        .respond_with(list.clone())
        .expect(8)
        .mount(&server)
        .await;

    let pages: Vec<_> = client
        .jpm()
        .jobs_get_list()
        .job_status(JobStatus::Completed)
        .page_size(5)
        .pages_concurrent(3)
        .try_collect()
        .await
        .unwrap();
    let numbers: Vec<_> = pages.iter().map(|p| p.page.unwrap()).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6, 7, 8]);
    let ids: Vec<i64> = pages
        .into_iter()
        .flat_map(|p| p.data)
        .map(|j| j.id)
        .collect();
    assert_eq!(ids, (0..38).collect::<Vec<_>>());

    assert_eq!(
        list.max_in_flight(),
        3,
        "bounded by, and using, the concurrency"
    );
    // Only the first page asks for the total; every page keeps the builder's filters.
    let totals = queries(&server, "includeTotal").await;
    for (page, include_total) in &totals {
        let expected = (page == "1").then(|| "true".to_string());
        assert_eq!(include_total, &expected, "includeTotal on page {page}");
    }
    for (page, status) in queries(&server, "jobStatus").await {
        assert_eq!(
            status.as_deref(),
            Some("Completed"),
            "jobStatus on page {page}"
        );
    }
}

#[tokio::test]
async fn stream_concurrent_yields_every_item_in_order() {
    let (server, client) = setup().await;
    let list = SlowList::new(21, 4, true);
    Mock::given(method("GET"))
        .and(path(JOBS))
        .respond_with(list.clone())
        .expect(6)
        .mount(&server)
        .await;
    let ids: Vec<i64> = client
        .jpm()
        .jobs_get_list()
        .page_size(4)
        .stream_concurrent(2)
        .map_ok(|job| job.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, (0..21).collect::<Vec<_>>());
    assert_eq!(list.max_in_flight(), 2);
}

#[tokio::test]
async fn without_total_count_pages_are_read_one_at_a_time() {
    let (server, client) = setup().await;
    let list = SlowList::new(13, 5, false);
    Mock::given(method("GET"))
        .and(path(JOBS))
        .respond_with(list.clone())
        .expect(3)
        .mount(&server)
        .await;
    let ids: Vec<i64> = client
        .jpm()
        .jobs_get_list()
        .page_size(5)
        .stream_concurrent(4)
        .map_ok(|job| job.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, (0..13).collect::<Vec<_>>());
    assert_eq!(list.max_in_flight(), 1);
}

#[tokio::test]
async fn the_rate_limiter_still_paces_concurrent_pages() {
    let (server, client) = setup_with_rate_limit(Some(10)).await;
    let list = SlowList::new(30, 5, true);
    Mock::given(method("GET"))
        .and(path(JOBS))
        .respond_with(list.clone())
        .expect(6)
        .mount(&server)
        .await;
    let ids: Vec<i64> = client
        .jpm()
        .jobs_get_list()
        .page_size(5)
        .stream_concurrent(6)
        .map_ok(|job| job.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, (0..30).collect::<Vec<_>>());
    // 10 requests/s, evenly spaced: pages 2-6 were issued together but reached the server
    // about 100 ms apart.
    let mut arrivals: Vec<Duration> = list.log.lock().unwrap().iter().map(|e| e.1).collect();
    arrivals.sort();
    for pair in arrivals.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= Duration::from_millis(80),
            "requests {gap:?} apart: {arrivals:?}"
        );
    }
    assert!(
        list.max_in_flight() >= 2,
        "still concurrent under the limit"
    );
}
