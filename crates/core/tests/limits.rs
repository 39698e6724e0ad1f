//! Client-side limits: accuracy of the limiter on paused time, one budget per (app key, tenant)
//! shared by the tenant's domain clients, the per-report limit, concurrency caps.

use std::num::NonZeroU32;
use std::time::Duration;

use reqwest::Method;
use servicetitan_core::limit::{KeyedRateLimiter, RateLimiter};
use servicetitan_test_support::*;
use tokio::time::Instant;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test(start_paused = true)]
async fn thousand_requests_at_sixty_per_second_take_the_ideal_time() {
    let limiter = RateLimiter::per_second(NonZeroU32::new(60).unwrap());
    let start = Instant::now();
    for _ in 0..1000 {
        limiter.acquire().await;
    }
    let elapsed = start.elapsed();
    println!(
        "1000 acquisitions at 60/s: {:.3} virtual s",
        elapsed.as_secs_f64()
    );
    // 999 spacings of 1/60 s = 16.65 s; waking on tokio's 1 ms tick adds at most 1 ms, once:
    // the next slot follows the previous slot, not the late wake-up (16.98 s when it did).
    assert!(
        elapsed >= Duration::from_millis(16_650) && elapsed <= Duration::from_millis(16_651),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn concurrent_acquirers_share_the_rate() {
    let limiter = std::sync::Arc::new(RateLimiter::per_second(NonZeroU32::new(60).unwrap()));
    let start = Instant::now();
    let tasks = (0..10).map(|_| {
        let limiter = limiter.clone();
        tokio::spawn(async move {
            for _ in 0..60 {
                limiter.acquire().await;
            }
        })
    });
    futures::future::join_all(tasks).await;
    let elapsed = start.elapsed();
    // 600 requests: 599 spacings of 1/60 s (16.67 ms) = 9.983 s.
    assert!(
        elapsed >= Duration::from_millis(9_980) && elapsed <= Duration::from_millis(9_985),
        "{elapsed:?}"
    );
}

/// Issue 15's P2 on paused time: 8 tasks for 30 s at a configured 60/s, the "calls" taking
/// 1–40 ms, so that callers come back on the very tick a waiter is due (where a limiter that
/// re-checks a shared budget lets the newcomer win). Deterministic: tokio's paused clock jumps
/// from timer to timer.
#[tokio::test(start_paused = true)]
async fn eight_tasks_get_the_full_rate_served_in_arrival_order() {
    use std::sync::{Arc, Mutex};
    let limiter = Arc::new(RateLimiter::per_second(NonZeroU32::new(60).unwrap()));
    // (arrival number, granted at, waited), in the order the grants happened.
    let grants = Arc::new(Mutex::new(Vec::new()));
    let arrivals = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let end = start + Duration::from_secs(30);
    let tasks = (0..8u64).map(|task| {
        let (limiter, grants, arrivals) = (limiter.clone(), grants.clone(), arrivals.clone());
        tokio::spawn(async move {
            for call in 0u64.. {
                if Instant::now() >= end {
                    break;
                }
                // Nothing runs between taking the number and reserving the slot (one thread).
                let arrival = arrivals.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let waited = limiter.acquire().await;
                grants
                    .lock()
                    .unwrap()
                    .push((arrival, start.elapsed(), waited));
                let latency = (task * 13 + call * 7) % 40 + 1;
                tokio::time::sleep(Duration::from_millis(latency)).await;
            }
        })
    });
    futures::future::join_all(tasks).await;
    let grants = grants.lock().unwrap().clone();
    let at: Vec<Duration> = grants.iter().map(|g| g.1).collect();

    let in_30s = at.iter().filter(|t| **t < Duration::from_secs(30)).count();
    let per_second: Vec<usize> = (0..30)
        .map(|s| at.iter().filter(|t| t.as_secs() == s).count())
        .collect();
    println!("{in_30s} grants in 30 s, per second: {per_second:?}");
    assert!(in_30s >= 59 * 30, "{in_30s} grants in 30 s");
    assert!(
        per_second.iter().all(|n| (59..=60).contains(n)),
        "{per_second:?}"
    );
    // No sliding second holds more than 60: a server counting that strictly never sees 61.
    for (i, t) in at.iter().enumerate() {
        let window = at[i..]
            .iter()
            .take_while(|u| **u < *t + Duration::from_secs(1))
            .count();
        assert!(window <= 60, "{window} grants in the second from {t:?}");
    }
    // First come, first served: grants happen in arrival order.
    assert!(
        grants.windows(2).all(|w| w[0].0 < w[1].0),
        "out of order: {:?}",
        grants.windows(2).find(|w| w[0].0 > w[1].0)
    );
    let mut waits: Vec<Duration> = grants.iter().skip(8).map(|g| g.2).collect();
    waits.sort();
    let (p50, p99) = (waits[waits.len() / 2], waits[waits.len() * 99 / 100]);
    println!(
        "waits: p50 {p50:?}, p99 {p99:?}, max {:?}",
        waits.last().unwrap()
    );
    assert!(p99 <= p50 * 3, "p50 {p50:?}, p99 {p99:?}");
}

#[tokio::test(start_paused = true)]
async fn one_sequential_caller_gets_the_full_rate() {
    let limiter = RateLimiter::per_second(NonZeroU32::new(60).unwrap());
    let start = Instant::now();
    for _ in 0..601 {
        limiter.acquire().await;
        // A loopback call shorter than the spacing.
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    let elapsed = start.elapsed();
    // 600 spacings = 10 s, plus the last call's 3 ms.
    assert!(elapsed <= Duration::from_millis(10_004), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn an_abandoned_wait_gives_its_slot_back() {
    let limiter = RateLimiter::per_second(NonZeroU32::new(10).unwrap());
    let start = Instant::now();
    limiter.acquire().await; // slot 0
    let gave_up = tokio::time::timeout(Duration::from_millis(10), limiter.acquire()).await;
    assert!(gave_up.is_err(), "the second slot is 100 ms away");
    // The abandoned slot (100 ms) goes to the next caller instead of being lost.
    limiter.acquire().await;
    assert_eq!(start.elapsed(), Duration::from_millis(100));
}

#[tokio::test(start_paused = true)]
async fn report_limit_is_per_report() {
    let limiter = KeyedRateLimiter::<String>::per_minute(NonZeroU32::new(5).unwrap());
    let start = Instant::now();
    for _ in 0..6 {
        limiter.acquire(&"175".to_owned()).await;
    }
    // 5 per minute, evenly spaced: the 6th run starts at 60 s.
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_secs(60) && elapsed < Duration::from_secs(61),
        "{elapsed:?}"
    );
    // Another report is not held back by the first one's budget.
    let before = Instant::now();
    limiter.acquire(&"176".to_owned()).await;
    assert_eq!(before.elapsed(), Duration::ZERO);
}

async fn api() -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"data": []})))
        .mount(&server)
        .await;
    server
}

async fn get_from(client: &servicetitan_core::Client, module: &str, n: usize) {
    let parts = client.domain(module);
    for i in 0..n {
        let url = format!("{}/tenant/{}/jobs/{i}", parts.base_url, client.tenant_id());
        let request = reqwest::Request::new(Method::GET, url.parse().unwrap());
        let reply = parts.transport.send(request, &JOBS_GET).await.unwrap();
        assert_eq!(reply.status(), 200);
    }
}

#[tokio::test(start_paused = true)]
async fn the_limit_is_shared_by_the_domain_clients_of_a_tenant() {
    let server = api().await;
    let client = builder(&server).rate_limit(Some(10)).build().unwrap();
    client.access_token().await.unwrap();
    assert!(client
        .domain("jpm/v2")
        .transport
        .shares_limits_with(&client.domain("crm/v2").transport));

    let start = Instant::now();
    let clone = client.clone();
    tokio::join!(
        get_from(&client, "jpm/v2", 10),
        get_from(&clone, "crm/v2", 10)
    );
    let elapsed = start.elapsed();
    // 20 requests of one tenant at 10/s: 19 spacings of 100 ms.
    assert!(elapsed >= Duration::from_millis(1_850), "{elapsed:?}");
    assert!(elapsed <= Duration::from_millis(2_050), "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn tenants_have_separate_limits() {
    let server = api().await;
    let client = builder(&server).rate_limit(Some(10)).build().unwrap();
    let other = client.tenant(77);
    client.access_token().await.unwrap();
    other.access_token().await.unwrap();
    assert!(!client.transport().shares_limits_with(other.transport()));
    // The same tenant reached again through `tenant()` shares the budget.
    assert!(client
        .tenant(77)
        .transport()
        .shares_limits_with(other.transport()));

    let start = Instant::now();
    tokio::join!(
        get_from(&client, "jpm/v2", 10),
        get_from(&other, "jpm/v2", 10)
    );
    let elapsed = start.elapsed();
    // 10 requests per tenant in parallel: 9 spacings of 100 ms.
    assert!(
        elapsed >= Duration::from_millis(850) && elapsed <= Duration::from_millis(1_050),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn no_limit_when_turned_off() {
    let server = api().await;
    let client = builder(&server).rate_limit(None).build().unwrap();
    client.access_token().await.unwrap();
    let start = Instant::now();
    get_from(&client, "jpm/v2", 50).await;
    assert!(
        start.elapsed() < Duration::from_millis(50),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn report_runs_are_limited_per_report() {
    let server = api().await;
    let client = builder(&server).report_rate_limit(Some(5)).build().unwrap();
    client.access_token().await.unwrap();
    let run = |id: u32| {
        let client = client.clone();
        async move {
            call(
                &client,
                &REPORT_DATA,
                Method::POST,
                &format!("/tenant/42/report-category/operations/reports/{id}/data"),
            )
            .await
            .unwrap();
        }
    };
    let start = Instant::now();
    for _ in 0..3 {
        run(175).await;
    }
    // Runs of one report are 12 s apart.
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_secs(24) && elapsed < Duration::from_secs(25),
        "{elapsed:?}"
    );

    // Another report, and calls that are not report runs, do not wait.
    let start = Instant::now();
    run(176).await;
    get_from(&client, "jpm/v2", 3).await;
    assert!(
        start.elapsed() < Duration::from_millis(100),
        "{:?}",
        start.elapsed()
    );
}

/// Real (short) time: the server's delay is what keeps the calls in flight.
#[tokio::test]
async fn concurrency_cap_per_operation() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(200)))
        .mount(&server)
        .await;

    let capped = builder(&server)
        .concurrency_limit("Jobs_Get", 2)
        .build()
        .unwrap();
    capped.access_token().await.unwrap();
    let start = std::time::Instant::now();
    futures::future::join_all((0..6).map(|i| get_job(&capped, i))).await;
    let capped_elapsed = start.elapsed();
    // 6 calls, 2 at a time, 200 ms each: 3 rounds.
    assert!(
        capped_elapsed >= Duration::from_millis(590),
        "{capped_elapsed:?}"
    );

    let free = builder(&server).build().unwrap();
    free.access_token().await.unwrap();
    let start = std::time::Instant::now();
    futures::future::join_all((0..6).map(|i| get_job(&free, i))).await;
    assert!(
        start.elapsed() < Duration::from_millis(590),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn a_server_429_holds_off_the_whole_tenant() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, 900).await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/jpm/v2/tenant/42/jobs/1"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "5"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = builder(&server)
        .retry_policy(servicetitan_core::RetryPolicy::never())
        .build()
        .unwrap();
    client.access_token().await.unwrap();
    let start = Instant::now();
    get_job(&client, 1).await.unwrap_err();
    // Another call of the same tenant, from another domain client, waits out the 5 s.
    get_from(&client, "crm/v2", 1).await;
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_secs(5) && elapsed < Duration::from_secs(6),
        "{elapsed:?}"
    );
    // Another tenant is not held back.
    let other = client.tenant(77);
    other.access_token().await.unwrap();
    let start = Instant::now();
    get_from(&other, "crm/v2", 1).await;
    assert!(start.elapsed() < Duration::from_millis(100));
}

#[tokio::test(start_paused = true)]
async fn the_report_limit_comes_from_the_policy_not_the_url() {
    // A call whose table entry has no keyed policy is not a report run, whatever its URL:
    // the runtime holds no list of special operations or paths.
    let server = api().await;
    let client = builder(&server).report_rate_limit(Some(5)).build().unwrap();
    client.access_token().await.unwrap();
    let start = Instant::now();
    for _ in 0..3 {
        call(
            &client,
            &servicetitan_core::OperationMeta::UNKNOWN,
            Method::POST,
            "/tenant/42/report-category/operations/reports/175/data",
        )
        .await
        .unwrap();
    }
    assert!(
        start.elapsed() < Duration::from_millis(100),
        "{:?}",
        start.elapsed()
    );
}
