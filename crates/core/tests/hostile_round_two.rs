//! Issue 21 on a loopback wiremock: read-ahead requests share one retry count per stream; a
//! 429 lowers the tenant's pace and it recovers; secrets a server echoes inside records never
//! reach a record error's Display, Debug, redacted raw JSON or the log.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use serde_json::json;
use servicetitan_core::paging::{pages_prefetched, Page};
use servicetitan_core::records::Records;
use servicetitan_core::retry::RetryPolicy;
use servicetitan_core::Error;
use servicetitan_test_support::*;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const LIST: &str = "/jpm/v2/tenant/42/jobs";

#[derive(serde::Deserialize, Debug)]
struct Job {
    #[allow(dead_code)]
    id: i64,
}

#[derive(serde::Deserialize, Debug)]
struct Envelope {
    #[serde(rename = "hasMore")]
    has_more: bool,
    #[serde(rename = "totalCount")]
    total: Option<i64>,
    data: Records<Job>,
}

impl Page for Envelope {
    type Item = Job;
    fn has_more(&self) -> bool {
        self.has_more
    }
    fn total_count(&self) -> Option<i64> {
        self.total
    }
    fn records(&self) -> &Records<Job> {
        &self.data
    }
    fn records_mut(&mut self) -> &mut Records<Job> {
        &mut self.data
    }
    fn into_records(self) -> Records<Job> {
        self.data
    }
}

#[tokio::test(start_paused = true)]
async fn read_ahead_requests_share_one_retry_count_per_stream() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"hasMore": true, "totalCount": 50, "data": (0..10).map(|i| json!({"id": i})).collect::<Vec<_>>()}),
        ))
        .mount(&server)
        .await;
    // Every later page: a failing server.
    Mock::given(method("GET"))
        .and(path(LIST))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::new().max_attempts(4))
        .build()
        .unwrap();
    let stream = pages_prefetched("Jobs_GetList", 1, 4, move |page| {
        let client = client.clone();
        async move {
            let page = page.to_string();
            client
                .get_json::<Envelope>("jpm/v2", "/tenant/{tenant}/jobs", &[("page", &page)])
                .await
        }
    });
    let got: Vec<Result<Envelope, Error>> = stream.collect().await;
    assert!(got[0].is_ok() && got[1].is_err(), "{got:?}");
    let failing = hits(&server, LIST).await - 1;
    // 4 pages ahead, each retrying on its own, sent 4 × 4 = 16; sharing the count, the first
    // attempts use most of it.
    assert!(failing <= 4 + 3, "{failing} requests to the failing server");
}

/// Answers 429 (`Retry-After: 1`) to the first request, 200 after.
struct FirstThrottled(Arc<Mutex<Vec<tokio::time::Instant>>>);

impl Respond for FirstThrottled {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut seen = self.0.lock().unwrap();
        seen.push(tokio::time::Instant::now());
        if seen.len() == 1 {
            ResponseTemplate::new(429).insert_header("Retry-After", "1")
        } else {
            ResponseTemplate::new(200).set_body_json(json!({"hasMore": false, "data": []}))
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_429_lowers_the_pace_then_it_recovers() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(path(LIST))
        .respond_with(FirstThrottled(seen.clone()))
        .mount(&server)
        .await;
    let client = builder(&server).rate_limit(Some(50)).build().unwrap();
    let call = || client.get_json::<Envelope>("jpm/v2", "/tenant/{tenant}/jobs", &[]);
    call().await.unwrap();
    // Right after the 429 (and its 1 s pause): paced at 45/s (50 × 0.9), not 50.
    let start = tokio::time::Instant::now();
    for _ in 0..46 {
        call().await.unwrap();
    }
    let slow = start.elapsed();
    assert!(slow >= Duration::from_millis(995), "{slow:?}");
    // Long after: the full 50/s again.
    tokio::time::sleep(Duration::from_secs(30)).await;
    let start = tokio::time::Instant::now();
    for _ in 0..46 {
        call().await.unwrap();
    }
    let fast = start.elapsed();
    assert!(fast < Duration::from_millis(920), "{fast:?}");
}

/// A page whose records carry the request's bearer token and app key where ids should be.
struct EchoInRecords;

impl Respond for EchoInRecords {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let get = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (auth, key) = (get("authorization"), get("st-app-key"));
        ResponseTemplate::new(200).set_body_json(json!({
            "hasMore": false,
            "data": [{"id": 1}, {"id": auth}, {"id": key}, {"id": {"secret": SECRET}}, {"id": 5}],
        }))
    }
}

#[tokio::test]
async fn secrets_echoed_inside_records_are_redacted() {
    let log = CapturedLog::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .respond_with(EchoInRecords)
        .mount(&server)
        .await;
    let client = client(&server);
    let page = client
        .get_json::<Envelope>("jpm/v2", "/tenant/{tenant}/jobs", &[])
        .await
        .unwrap();
    assert_eq!((page.data.len(), page.data.failures().len()), (2, 3));
    let clean = |what: &str, text: &str| {
        for secret in [SECRET, APP_KEY, TOKEN] {
            assert!(!text.contains(secret), "{what} shows {secret}: {text}");
        }
    };
    for f in page.data.failures() {
        clean("Display", &f.to_string());
        clean("Debug", &format!("{f:?}"));
        clean(
            "Error Display",
            &Error::Record(Box::new(f.clone())).to_string(),
        );
        clean("raw_json_redacted", &f.raw_json_redacted());
    }
    // The raw JSON itself is the record, exactly (a pipeline stores it).
    assert!(page.data.failures()[1].raw_json().contains(APP_KEY));
    let logged = log.text();
    clean("log", &logged);
    assert_eq!(
        logged
            .matches("records of a page could not be read")
            .count(),
        1,
        "one WARN line per page: {logged}"
    );
}
