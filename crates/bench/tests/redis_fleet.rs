//! Many workers, one budget (issue 24): `servicetitan-bench fleet-worker` processes sharing the
//! rate budget and the token through a real Redis, against the mock enforcing 60 requests/s per
//! tenant. Run by `.ci/suites/redis.sh`:
//!
//! ```text
//! cargo test --workspace --all-features --test redis_fleet -- --ignored --test-threads 1
//! ```
//!
//! They need `SERVICETITAN_TEST_REDIS_URL` (a Redis they may flush) and, for the kill/restart
//! tests, `SERVICETITAN_TEST_REDIS_SERVER` (the `redis-server` binary): missing, they fail.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use servicetitan::config::EnvSource;
use servicetitan::prelude::*;
use servicetitan::redis::{RedisOptions, RedisState, SecretString};
use servicetitan::Config;
use servicetitan_mock::{Credentials, MockConfig, MockServer};

const T1: i64 = 1_234_567;
const T2: i64 = 2_000_002;
const T3: i64 = 3_000_003;

fn epoch_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run .ci/suites/redis.sh (it starts redis-server)")
    })
}

fn flush(url: &str) {
    let mut c = redis::Client::open(url).unwrap().get_connection().unwrap();
    redis::cmd("FLUSHDB").query::<()>(&mut c).unwrap();
}

/// A mock with the API's limits, knowing three tenants, started with its epoch time.
async fn mock(rate_limit: u32) -> (MockServer, u64) {
    let config = MockConfig::default()
        .extra_tenants(vec![T2, T3])
        .rate_limit(Some(rate_limit))
        .request_log(200_000);
    let server = MockServer::start(config).await.unwrap();
    (server, epoch_ms())
}

/// What one worker printed, and its stderr.
struct Report {
    json: serde_json::Value,
    stderr: String,
}

/// Starts `n` workers with `args`, waits for them all; each must exit 0.
async fn fleet(n: usize, args: &[&str], envs: &[(&str, &str)]) -> Vec<Report> {
    let mut children = Vec::new();
    for _ in 0..n {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_servicetitan-bench"));
        cmd.arg("fleet-worker")
            .args(args)
            .env_remove("SERVICETITAN_REDIS_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        children.push(cmd.spawn().unwrap());
    }
    let mut reports = Vec::new();
    for child in children {
        let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
            .await
            .expect("a worker hung")
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "worker failed: {stderr}");
        let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "worker output {e}: {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
        reports.push(Report { json, stderr });
    }
    reports
}

fn errors(reports: &[Report]) -> u64 {
    reports
        .iter()
        .map(|r| r.json["errors"].as_u64().unwrap())
        .sum()
}

/// Successful API calls per tenant per second at the mock, between `from` and `to` (epoch ms).
fn rates(server: &MockServer, mock_epoch: u64, from: u64, to: u64) -> BTreeMap<i64, f64> {
    let (from, to) = (from - mock_epoch, to - mock_epoch);
    let mut counts = BTreeMap::new();
    for entry in server.requests() {
        if entry.status == 200 && entry.at_ms >= from && entry.at_ms < to {
            if let Some(t) = entry.tenant {
                *counts.entry(t).or_insert(0u64) += 1;
            }
        }
    }
    let secs = (to - from) as f64 / 1e3;
    counts
        .into_iter()
        .map(|(t, n)| (t, n as f64 / secs))
        .collect()
}

/// The window every worker was calling in, trimmed of the start (token, connections).
fn window(reports: &[Report]) -> (u64, u64) {
    let start = reports
        .iter()
        .map(|r| r.json["started_ms"].as_u64().unwrap())
        .max()
        .unwrap();
    let end = reports
        .iter()
        .map(|r| r.json["ended_ms"].as_u64().unwrap())
        .min()
        .unwrap();
    (start + 1000, end - 500)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Redis: .ci/suites/redis.sh"]
async fn four_processes_share_each_tenants_budget_and_token() {
    let url = env("SERVICETITAN_TEST_REDIS_URL");
    flush(&url);
    let (server, mock_epoch) = mock(60).await;
    let tenants = format!("{T1},{T2},{T3}");
    let args = [
        "--url",
        &server.url(),
        "--tenants",
        &tenants,
        "--tasks",
        "8",
        "--secs",
        "20",
        "--redis",
        "env",
    ];
    // SERVICETITAN_REDIS_URL through the configuration chain, as `st` reads it.
    let reports = fleet(4, &args, &[("SERVICETITAN_REDIS_URL", &url)]).await;
    let counters = server.counters();
    assert_eq!(errors(&reports), 0, "{:?}", reports[0].json);
    assert_eq!(counters.rate_limited, 0, "429s at the mock: {counters:?}");
    let warnings: Vec<&str> = reports.iter().map(|r| r.stderr.as_str()).collect();
    assert_eq!(
        counters.token_requests, 3,
        "one token request per tenant across the fleet; workers said {warnings:?}"
    );
    let (from, to) = window(&reports);
    let rates = rates(&server, mock_epoch, from, to);
    for t in [T1, T2, T3] {
        let rate = rates.get(&t).copied().unwrap_or(0.0);
        assert!(
            (57.0..=61.0).contains(&rate),
            "tenant {t}: {rate:.1} requests/s ({rates:?})"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Redis: .ci/suites/redis.sh"]
async fn a_401_storm_across_processes_causes_one_refresh() {
    let url = env("SERVICETITAN_TEST_REDIS_URL");
    flush(&url);
    // Every answer takes 500 ms, so each worker has read the revoked token from Redis and sent
    // it before the first 401 comes back: a storm across processes, not one worker's 401 that
    // the others never see (on a quiet machine the first refresh otherwise wins the race).
    let config = MockConfig::default()
        .rate_limit(Some(60))
        .latency(Duration::from_millis(500))
        .request_log(200_000);
    let server = MockServer::start(config).await.unwrap();
    let tenant = T1.to_string();
    let args = [
        "--url",
        &server.url(),
        "--tenants",
        &tenant,
        "--tasks",
        "4",
        "--secs",
        "2",
        "--redis",
        &url,
    ];
    fleet(2, &args, &[]).await;
    assert_eq!(server.counters().token_requests, 1);
    // The server stops accepting the fleet's token (revoked): every process gets 401s.
    let mut c = redis::Client::open(url.as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("servicetitan:token:*")
        .query(&mut c)
        .unwrap();
    let keys: Vec<_> = keys.into_iter().filter(|k| !k.ends_with(":lock")).collect();
    assert_eq!(keys.len(), 1, "one stored token: {keys:?}");
    redis::cmd("SET")
        .arg(&keys[0])
        .arg("revoked.token.value")
        .arg("KEEPTTL")
        .query::<()>(&mut c)
        .unwrap();
    let reports = fleet(4, &args, &[]).await;
    let counters = server.counters();
    assert_eq!(errors(&reports), 0, "{:?}", reports[0].json);
    assert!(
        counters.per_status.get(&401).copied().unwrap_or(0) >= 4,
        "a storm: {counters:?}"
    );
    assert_eq!(
        counters.token_requests, 2,
        "the storm caused one refresh: {counters:?}"
    );
}

/// A redis-server of the test's own on `port`, to kill and restart.
fn own_redis(port: u16) -> std::process::Child {
    let mut child = std::process::Command::new(env("SERVICETITAN_TEST_REDIS_SERVER"))
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("redis://127.0.0.1:{port}");
    for _ in 0..100 {
        if let Ok(mut c) = redis::Client::open(url.as_str()).unwrap().get_connection() {
            if redis::cmd("PING").query::<String>(&mut c).is_ok() {
                return child;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("redis-server did not start on {port}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server: .ci/suites/redis.sh"]
async fn redis_killed_and_restarted_mid_run_falls_back_and_comes_back() {
    let port = free_port();
    let mut redis = own_redis(port);
    let url = format!("redis://127.0.0.1:{port}");
    let (server, mock_epoch) = mock(60).await;
    let tenant = T1.to_string();
    let args = [
        "--url",
        &server.url(),
        "--tenants",
        &tenant,
        "--tasks",
        "4",
        "--secs",
        "12",
        "--redis",
        &url,
    ];
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let workers = tokio::spawn(async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        fleet(2, &args, &[]).await
    });
    tokio::time::sleep(Duration::from_secs(3)).await;
    redis.kill().unwrap();
    redis.wait().unwrap();
    let killed = epoch_ms();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut redis = own_redis(port);
    let restarted = epoch_ms();
    let reports = workers.await.unwrap();
    redis.kill().unwrap();
    let _ = redis.wait();
    let counters = server.counters();
    // Nothing lost: every call of every worker succeeded, through the outage too.
    assert_eq!(errors(&reports), 0, "{:?}", reports[0].json);
    assert_eq!(counters.rate_limited, 0, "{counters:?}");
    for r in &reports {
        assert!(r.stderr.contains("Redis lost"), "no WARN: {}", r.stderr);
        assert!(r.stderr.contains("reachable again"), "{}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    // The documented fallback: each process at a quarter of the budget (2 × 15/s) …
    let during = rates(&server, mock_epoch, killed + 1500, restarted);
    let during = during.get(&T1).copied().unwrap_or(0.0);
    assert!(
        (20.0..=40.0).contains(&during),
        "during the outage: {during:.1}/s"
    );
    // … and the shared budget back once Redis is.
    let (_, end) = window(&reports);
    let after = rates(&server, mock_epoch, restarted + 2000, end);
    let after = after.get(&T1).copied().unwrap_or(0.0);
    assert!(after >= 50.0, "after the restart: {after:.1}/s");
}

fn mock_client(server: &MockServer) -> servicetitan::ClientBuilder {
    let c = Credentials::default();
    Client::builder()
        .no_dotenv()
        .env_source(EnvSource::empty())
        .client_id(c.client_id)
        .client_secret(c.client_secret)
        .app_key(c.app_key)
        .tenant_id(c.tenant_id)
        .auth_url(server.url())
        .api_url(server.url())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server: .ci/suites/redis.sh"]
async fn strict_mode_fails_calls_naming_redis_while_it_is_lost() {
    let port = free_port();
    let mut redis = own_redis(port);
    let url = format!("redis://127.0.0.1:{port}");
    let (server, _) = mock(60).await;
    let options = RedisOptions {
        strict: true,
        ..RedisOptions::default()
    };
    let store = RedisState::connect(&SecretString::from(url.clone()), options).unwrap();
    let client = mock_client(&server)
        .shared_state(std::sync::Arc::new(store))
        .build()
        .unwrap();
    client
        .jpm()
        .jobs_get_list()
        .page_size(1)
        .send()
        .await
        .unwrap();
    redis.kill().unwrap();
    redis.wait().unwrap();
    let err = client
        .jpm()
        .jobs_get_list()
        .page_size(1)
        .send()
        .await
        .unwrap_err();
    let err = err.to_string();
    assert!(err.contains(&format!("Redis at {url}")), "{err}");
    let mut redis = own_redis(port);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    client
        .jpm()
        .jobs_get_list()
        .page_size(1)
        .send()
        .await
        .unwrap();
    redis.kill().unwrap();
    let _ = redis.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Redis: .ci/suites/redis.sh"]
async fn a_429_slows_the_whole_fleet_down() {
    let url = env("SERVICETITAN_TEST_REDIS_URL");
    flush(&url);
    // The server allows 30/s where the fleet was told 60/s.
    let (server, mock_epoch) = mock(30).await;
    let tenant = T1.to_string();
    let args = [
        "--url",
        &server.url(),
        "--tenants",
        &tenant,
        "--tasks",
        "4",
        "--secs",
        "8",
        "--redis",
        &url,
    ];
    // (Calls may still fail here: 429s beyond the retry budget while the fleet learns.)
    let reports = fleet(2, &args, &[]).await;
    let mut c = redis::Client::open(url.as_str())
        .unwrap()
        .get_connection()
        .unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("servicetitan:limit:*:penalty")
        .query(&mut c)
        .unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    let scale: f64 = redis::cmd("HGET")
        .arg(&keys[0])
        .arg("scale")
        .query(&mut c)
        .unwrap();
    assert!(scale <= 0.85, "the fleet's rate was lowered: {scale}");
    // Fewer 429s once the fleet adapted than while it learnt.
    let (from, to) = window(&reports);
    let log = server.requests();
    let limited = |a: u64, b: u64| {
        log.iter()
            .filter(|e| e.status == 429 && e.at_ms >= a - mock_epoch && e.at_ms < b - mock_epoch)
            .count()
    };
    let mid = (from + to) / 2;
    let (first, second) = (limited(from - 1000, mid), limited(mid, to));
    assert!(second < first.max(1), "429s: {first} then {second}");
}

#[tokio::test]
async fn unreachable_redis_fails_the_build_naming_the_masked_url() {
    servicetitan::redis::install();
    let (server, _) = mock(60).await;
    let port = free_port();
    let err = mock_client(&server)
        .redis(format!("redis://:hunter2@127.0.0.1:{port}/0"))
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!("redis://:[REDACTED]@127.0.0.1:{port}/0"))
            && err.contains("unreachable"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    let counters = server.counters();
    assert_eq!((counters.token_requests, counters.api_requests), (0, 0));
}

#[test]
fn the_redis_url_comes_through_the_chain_masked_with_its_source() {
    let c = Credentials::default();
    let env = EnvSource::from_map([
        ("SERVICETITAN_CLIENT_ID", c.client_id.clone()),
        ("SERVICETITAN_CLIENT_SECRET", c.client_secret.clone()),
        ("SERVICETITAN_APP_KEY", c.app_key.clone()),
        ("SERVICETITAN_TENANT_ID", c.tenant_id.to_string()),
        (
            "SERVICETITAN_REDIS_URL",
            "redis://app:hunter2@cache:6379/0".to_owned(),
        ),
    ]);
    let config = Config::builder()
        .no_dotenv()
        .env_source(env.clone())
        .resolve()
        .unwrap();
    let row = config.report();
    let row = row.get("SERVICETITAN_REDIS_URL").unwrap();
    assert_eq!(row.value, "redis://app:****@cache:6379/0");
    assert_eq!(row.source.to_string(), "environment");
    for shown in [format!("{config}"), format!("{config:?}")] {
        assert!(!shown.contains("hunter2"), "{shown}");
    }
    // The builder ranks above the environment; a bad scheme names the key and its source.
    let config = Config::builder()
        .no_dotenv()
        .env_source(env.clone())
        .redis_url("redis://other:6379")
        .resolve()
        .unwrap();
    assert_eq!(
        config.redis_url().map(secrecy_text),
        Some("redis://other:6379".to_owned())
    );
    let err = Config::builder()
        .no_dotenv()
        .env_source(env)
        .redis_url("http://user:hunter2@cache")
        .resolve()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("SERVICETITAN_REDIS_URL") && !err.contains("hunter2"),
        "{err}"
    );
}

fn secrecy_text(s: &SecretString) -> String {
    use servicetitan::redis::ExposeSecret;
    s.expose_secret().to_owned()
}
