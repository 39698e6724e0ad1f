//! The examples `validate`, `export_jobs` and `list_appointments`, run as processes against the
//! mock ServiceTitan (issue 13): `validate --mock` with its in-process mock, the other two
//! configured only through `SERVICETITAN_*` variables pointing at a mock this test starts.
//!
//! The binaries are the ones `cargo test` builds beside this test (target/<profile>/examples);
//! run the whole package's tests (`cargo test -p servicetitan --features jpm,mock`), not only
//! `--test examples_on_mock`, so they exist.
#![cfg(all(feature = "jpm", feature = "mock"))]

use futures::TryStreamExt;
use servicetitan::mock::{MockConfig, MockServer};
use servicetitan::prelude::*;
use std::path::PathBuf;
use std::process::{Command, Output};

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let path = dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is not built; run `cargo test -p servicetitan --features jpm,mock` (it builds the examples)",
        path.display()
    );
    path
}

/// Runs an example with a clean environment (no real credentials leak in), in an empty directory
/// (no `.env`), with these variables.
async fn run(name: &str, args: &[&str], vars: Vec<(String, String)>, cwd: PathBuf) -> Output {
    let mut cmd = Command::new(example(name));
    cmd.args(args)
        .env_clear()
        .env("RUST_LOG", "warn")
        .envs(vars)
        .current_dir(cwd);
    tokio::task::spawn_blocking(move || cmd.output().expect("example runs"))
        .await
        .unwrap()
}

fn vars_for(server: &MockServer) -> Vec<(String, String)> {
    let c = server.credentials();
    [
        ("SERVICETITAN_CLIENT_ID", c.client_id.clone()),
        ("SERVICETITAN_CLIENT_SECRET", c.client_secret.clone()),
        ("SERVICETITAN_APP_KEY", c.app_key.clone()),
        ("SERVICETITAN_TENANT_ID", c.tenant_id.to_string()),
        ("SERVICETITAN_AUTH_URL", server.auth_url()),
        ("SERVICETITAN_API_URL", server.api_url()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("st-examples-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_runs_on_the_mock_only_when_asked() {
    let dir = tempdir("validate");
    let out = run("validate", &["--mock"], Vec::new(), dir.clone()).await;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(
        stdout.contains("MOCK ServiceTitan"),
        "says plainly it is the mock: {stdout}"
    );
    for step in [
        "configuration resolved",
        "access token obtained",
        "jobs_get_list answered",
        "paged stream read 150 job(s)",
        "All checks passed.",
    ] {
        assert!(stdout.contains(step), "{step}: {stdout}");
    }
    let env_mode = run(
        "validate",
        &[],
        vec![("SERVICETITAN_API_ENVIRONMENT".into(), "mock".into())],
        dir.clone(),
    )
    .await;
    assert!(env_mode.status.success() && text(&env_mode.stdout).contains("MOCK"));
    // No credentials and no explicit choice: the configuration step fails, no mock.
    let bare = run("validate", &[], Vec::new(), dir).await;
    assert!(!bare.status.success());
    assert!(!text(&bare.stdout).contains("MOCK"));
    assert!(
        text(&bare.stderr).contains("SERVICETITAN_CLIENT_ID"),
        "{}",
        text(&bare.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_jobs_writes_every_job_once_and_resumes_with_nothing_new() {
    let server = MockServer::start(MockConfig::default().records(2_500))
        .await
        .unwrap();
    let dir = tempdir("export");
    let out_file = dir.join("jobs.jsonl");
    let file_arg = out_file.to_str().unwrap().to_string();
    let first = run("export_jobs", &[&file_arg], vars_for(&server), dir.clone()).await;
    assert!(
        first.status.success(),
        "{}\n{}",
        text(&first.stdout),
        text(&first.stderr)
    );
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out_file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a JSON record"))
        .collect();
    let mut ids: Vec<i64> = lines.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((lines.len(), ids.len()), (2_500, 2_500));
    let again = run("export_jobs", &[&file_arg], vars_for(&server), dir).await;
    assert!(again.status.success());
    assert!(
        text(&again.stdout).starts_with("0 job(s)"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(&out_file).unwrap().lines().count(),
        2_500
    );
    assert_eq!(
        server.counters().per_operation["Export_Jobs"],
        3 + 1,
        "3 batches, then 1 caught-up call"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_appointments_counts_what_the_paged_list_holds() {
    let server = MockServer::start(MockConfig::default().records(1_200))
        .await
        .unwrap();
    let client = servicetitan::mock::client_for(&server).unwrap();
    let expected = client
        .jpm()
        .appointments_get_list()
        .page_size(500)
        .stream()
        .try_fold(0u64, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert!(
        expected > 900 && expected < 1_200,
        "active appointments only: {expected}"
    );
    let out = run(
        "list_appointments",
        &[],
        vars_for(&server),
        tempdir("appointments"),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        format!("read {expected} appointment(s)")
    );
}

/// The README's "use it in your own tests" snippet, run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_snippet_holds() -> Result<(), Box<dyn std::error::Error>> {
    let mock = servicetitan::mock::start_with(MockConfig::default().records(1_000)).await?;
    let jobs: Vec<_> = mock
        .jpm()
        .jobs_get_list()
        .page_size(200)
        .stream()
        .try_collect()
        .await?;
    assert_eq!(jobs.len(), 1_000);
    assert_eq!(mock.server.counters().token_requests, 1);
    Ok(())
}
