//! The reliability suite (issue 15 point 3), against `servicetitan-mock` on loopback.
//!
//! `#[ignore]`d so that `cargo test --workspace` stays quick; `.ci/run` runs them in a block of
//! their own, bounded by `timeout`, with the same features as its test step (so nothing is rebuilt):
//! `cargo test --workspace --all-features --test reliability -- --ignored --test-threads 1`.

use futures::TryStreamExt;
use servicetitan::prelude::*;
use servicetitan::Client;
use servicetitan_mock::{MockConfig, MockServer};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn client_for(mock: &MockServer) -> Client {
    let c = mock.credentials();
    Client::builder()
        .no_dotenv()
        .client_id(c.client_id.clone())
        .client_secret(c.client_secret.clone())
        .app_key(c.app_key.clone())
        .tenant_id(c.tenant_id)
        .auth_url(mock.auth_url())
        .api_url(mock.api_url())
        // The mock's tokens live 2 s here: refresh shortly before, as against the real 900 s.
        .token_refresh_margin(Duration::from_millis(500))
        .build()
        .expect("a client for the mock")
}

/// Every job id an export delivers, resuming from the last checkpoint after an error (as a
/// pipeline would); panics on a duplicate id or a record that could not be read.
async fn export_ids(client: &Client, max_restarts: usize) -> (HashSet<i64>, usize) {
    let mut ids = HashSet::new();
    let mut checkpoint: Option<String> = None;
    let mut restarts = 0;
    loop {
        let api = client.jpm();
        let mut export = api.export_jobs();
        if let Some(token) = &checkpoint {
            export = export.from(token.clone());
        }
        let mut batches = std::pin::pin!(export.batches());
        let result: Result<(), servicetitan::Error> = async {
            while let Some(batch) = batches.try_next().await? {
                assert!(
                    batch.failures.is_empty(),
                    "undecodable records: {:?}",
                    batch.failures
                );
                for job in &batch.items {
                    assert!(ids.insert(job.id), "job {} arrived twice", job.id);
                }
                if batch.checkpoint.is_some() {
                    checkpoint = batch.checkpoint.clone();
                }
            }
            Ok(())
        }
        .await;
        match result {
            Ok(()) => return (ids, restarts),
            Err(e) => {
                restarts += 1;
                assert!(restarts <= max_restarts, "export kept failing: {e}");
                eprintln!("export stopped ({e}); resuming from the last checkpoint");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "reliability suite: run by .ci/run with --ignored"]
async fn an_export_through_faults_and_expiring_tokens_arrives_exactly_once() {
    let records = 100_000;
    let config = MockConfig::default()
        .records(records)
        .error_rate(0.10)
        .throttle_rate(0.05)
        .token_lifetime(Duration::from_secs(2));
    let mock = MockServer::start(config).await.expect("mock");
    let client = client_for(&mock);
    let (ids, restarts) = export_ids(&client, 20).await;
    let counters = mock.counters();
    eprintln!(
        "{} records, {restarts} restart(s); mock: {} requests, {} × 5xx, {} × 429, {} tokens",
        ids.len(),
        counters.api_requests,
        counters.server_errors,
        counters.rate_limited,
        counters.tokens_issued
    );
    assert_eq!(ids.len() as u64, records, "every record, each once");
    assert!(
        counters.server_errors > 0 && counters.rate_limited > 0,
        "faults were injected"
    );
    assert!(
        counters.tokens_issued > 1,
        "tokens expired and were renewed during the export"
    );
}

/// `target/<profile>/examples/export_jobs`, built by the test step before this suite runs.
fn export_example() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let example = profile_dir.join("examples").join("export_jobs");
    assert!(
        example.exists(),
        "{} is missing: build it first (cargo test --workspace --all-features builds the examples)",
        example.display()
    );
    example
}

fn export_command(example: &Path, mock: &MockServer, out: &Path) -> tokio::process::Command {
    let c = mock.credentials();
    let mut cmd = tokio::process::Command::new(example);
    cmd.arg(out)
        .current_dir(out.parent().expect("a directory"))
        .env("SERVICETITAN_CLIENT_ID", &c.client_id)
        .env("SERVICETITAN_CLIENT_SECRET", &c.client_secret)
        .env("SERVICETITAN_APP_KEY", &c.app_key)
        .env("SERVICETITAN_TENANT_ID", c.tenant_id.to_string())
        .env("SERVICETITAN_AUTH_URL", mock.auth_url())
        .env("SERVICETITAN_API_URL", mock.api_url())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "reliability suite: run by .ci/run with --ignored"]
async fn an_export_killed_at_random_points_resumes_to_the_complete_set() {
    let records = 20_000;
    let config = MockConfig::default()
        .records(records)
        .export_batch(500)
        .latency(Duration::from_millis(15));
    let mock = MockServer::start(config).await.expect("mock");
    let example = export_example();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("jobs.jsonl");
    let mut kills = 0;
    for _ in 0..6 {
        let mut child = export_command(&example, &mock, &out)
            .spawn()
            .expect("spawn");
        let after = Duration::from_millis(rand::random_range(150..900));
        match tokio::time::timeout(after, child.wait()).await {
            Ok(status) => assert!(status.expect("wait").success(), "the export failed"),
            Err(_) => {
                child.kill().await.expect("SIGKILL");
                kills += 1;
            }
        }
    }
    let status = export_command(&example, &mock, &out)
        .status()
        .await
        .expect("final run");
    assert!(status.success(), "the resumed export failed");
    assert!(
        kills > 0,
        "no run was killed mid-export: the test proved nothing"
    );

    let text = std::fs::read_to_string(&out).expect("output");
    assert!(text.ends_with('\n'), "the file ends in a torn line");
    let mut ids = HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let record: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("line {} is torn or not JSON ({e}): {line:.80}", n + 1));
        let id = record["id"].as_i64().expect("a job id");
        assert!(ids.insert(id), "job {id} written twice (line {})", n + 1);
    }
    assert_eq!(
        ids.len() as u64,
        records,
        "after {kills} kill(s): every job, once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "reliability suite: run by .ci/run with --ignored"]
async fn drifting_responses_never_lose_a_page() {
    let records = 12_000u64;
    let config = MockConfig::default()
        .records(records)
        .drift(true)
        .rate_limit(None);
    let mock = MockServer::start(config).await.expect("mock");
    let client = client_for(&mock);

    // A paged list: every record arrives, read or as a record error in its place.
    let api = client.jpm();
    let mut jobs = std::pin::pin!(api.jobs_get_list().page_size(1000).stream());
    let (mut read, mut unreadable) = (0u64, 0u64);
    loop {
        match jobs.try_next().await {
            Ok(Some(_)) => read += 1,
            Ok(None) => break,
            Err(servicetitan::Error::Record(_)) => unreadable += 1,
            Err(e) => panic!("after {read} records the list stopped: {e}"),
        }
    }
    assert_eq!(read + unreadable, records, "no page lost");

    // An export: every batch's records, read or failed, add up to the dataset.
    let mut batches = std::pin::pin!(api.export_jobs().batches());
    let mut seen = 0u64;
    while let Some(batch) = batches.try_next().await.expect("no batch lost") {
        seen += (batch.items.len() + batch.failures.len()) as u64;
    }
    assert_eq!(seen, records, "no batch lost");
}
