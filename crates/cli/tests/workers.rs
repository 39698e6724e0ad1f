//! Several `st sync` processes on one destination. PostgreSQL (`SERVICETITAN_TEST_POSTGRES_URL`)
//! and Redis (`SERVICETITAN_TEST_REDIS_URL`), started by `.ci/suites/workers.sh`: three workers
//! over three tenants × every jpm entity, one SIGKILLed mid-way — every record stored exactly
//! once, every unit finished, the others exit 0, and with Redis the fleet holds the mock's 60/s.
//! SQLite (runs in the normal test step): a second process gets a clear error at once.

mod support;

use servicetitan_mock::MockConfig;
use servicetitan_sync::catalog;
use servicetitan_sync::dest::Dialect;
use std::collections::BTreeSet;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};
use support::{st_path, stderr_of, temp_dir, Mock};

const TENANTS: [&str; 6] = ["--tenant", "1", "--tenant", "2", "--tenant", "3"];

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Rows of `sql` on `url`, every column read as text.
fn pg_rows(url: &str, sql: &str) -> Vec<Vec<Option<String>>> {
    rt().block_on(async {
        let (c, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        c.simple_query(sql)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => {
                    Some((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect())
                }
                _ => None,
            })
            .collect()
    })
}

fn pg_number(url: &str, sql: &str) -> i64 {
    pg_rows(url, sql)[0][0]
        .as_deref()
        .unwrap_or("0")
        .parse()
        .unwrap()
}

fn fresh_database(name: &str) -> String {
    let url = std::env::var("SERVICETITAN_TEST_POSTGRES_URL").expect(
        "SERVICETITAN_TEST_POSTGRES_URL must point at a PostgreSQL server (see .ci/suites/workers.sh)",
    );
    let db = format!("st_workers_{name}_{}", std::process::id());
    pg_rows(&url, &format!("DROP DATABASE IF EXISTS {db}"));
    pg_rows(&url, &format!("CREATE DATABASE {db}"));
    format!("{}/{db}", url.rsplit_once('/').unwrap().0)
}

fn worker(mock: &Mock, dir: &std::path::Path, to: &str, id: &str, redis: &str) -> Child {
    let log = std::fs::File::create(dir.join(format!("{id}.log"))).unwrap();
    std::process::Command::new(st_path())
        .env_clear()
        .envs(mock.env())
        .env("SERVICETITAN_REDIS_URL", redis)
        .current_dir(dir)
        .args(["sync", "--to", to, "--modules", "jpm", "--concurrency", "1"])
        .args(["--page-size", "50", "--lease", "2s", "--renew", "500ms"])
        .args(["--worker-id", id])
        .args(TENANTS)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

/// Waits for `child` at most `limit`; its exit status (the child is killed on timeout).
fn wait(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}

#[test]
#[ignore = "needs PostgreSQL and Redis: SERVICETITAN_TEST_POSTGRES_URL, SERVICETITAN_TEST_REDIS_URL"]
fn three_workers_one_sigkilled_store_every_record_once_and_the_others_exit_0() {
    let redis = std::env::var("SERVICETITAN_TEST_REDIS_URL").expect(
        "SERVICETITAN_TEST_REDIS_URL must point at a Redis server (see .ci/suites/workers.sh)",
    );
    let to = fresh_database("fleet");
    // The API's limits (60/s per tenant) and 40 ms answers: three workers each running one unit
    // per tenant would send ~75 requests/s per tenant without the budget they share in Redis.
    let mock = Mock::start(
        MockConfig::default()
            .records(200)
            .export_batch(20)
            .extra_tenants(vec![1, 2, 3])
            .latency(Duration::from_millis(40)),
    );
    let dir = temp_dir();
    let mut workers: Vec<Child> = ["w0", "w1", "w2"]
        .iter()
        .map(|id| worker(&mock, dir.path(), &to, id, &redis))
        .collect();
    // SIGKILL w0 while it holds units and has committed some of their batches.
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let created = "SELECT count(*) FROM pg_tables WHERE tablename = '_st_sync_state'";
        if pg_number(&to, created) > 0
            && pg_number(
                &to,
                "SELECT count(*) FROM _st_sync_state WHERE owner = 'w0' AND batches > 0",
            ) > 0
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let held_by_w0 = pg_number(
        &to,
        "SELECT count(*) FROM _st_sync_state WHERE owner = 'w0'",
    );
    assert!(
        held_by_w0 > 0,
        "w0 never held a unit with a committed batch"
    );
    workers[0].kill().unwrap();
    workers[0].wait().unwrap();
    for (i, w) in workers.iter_mut().enumerate().skip(1) {
        let status = wait(w, Duration::from_secs(90));
        let log = std::fs::read_to_string(dir.path().join(format!("w{i}.log"))).unwrap();
        assert!(
            status.is_some_and(|s| s.success()),
            "w{i}: {status:?}\n{log}"
        );
    }
    let entities: Vec<_> = catalog::entities()
        .iter()
        .filter(|e| e.name.starts_with("jpm."))
        .collect();
    // Every unit of the one run is finished, without error; w0's were taken over.
    let units = pg_rows(&to, "SELECT entity, tenant_id::text, finished_at::text, error, claims::text FROM _st_sync_run_units");
    assert_eq!(units.len(), 3 * entities.len());
    for u in &units {
        assert!(
            u[2].is_some() && u[3].is_none(),
            "unit not finished cleanly: {u:?}"
        );
    }
    let taken_over = units
        .iter()
        .filter(|u| u[4].as_deref() != Some("1"))
        .count();
    assert!(
        taken_over as i64 >= held_by_w0,
        "w0's units were not taken over: {units:?}"
    );
    assert_eq!(
        pg_number(
            &to,
            "SELECT count(*) FROM _st_sync_runs WHERE finished_at IS NOT NULL"
        ),
        1
    );
    assert_eq!(
        pg_number(
            &to,
            "SELECT count(*) FROM _st_sync_state WHERE owner IS NOT NULL"
        ),
        0
    );
    // The fleet held each tenant's budget through Redis.
    assert_eq!(
        mock.server.counters().rate_limited,
        0,
        "{:?}",
        mock.server.counters()
    );
    // Every record exactly once: the same rows as one uninterrupted sync of the same mock.
    mock.server.set_faults(servicetitan_mock::Faults {
        rate_limit: None,
        latency: Duration::ZERO,
        ..mock.server.faults()
    });
    let reference = dir.path().join("reference.db");
    let out = mock
        .st(dir.path())
        .args(["sync", "--modules", "jpm", "--to"])
        .arg(format!("sqlite:{}", reference.display()))
        .args(TENANTS)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let sqlite = rusqlite::Connection::open(&reference).unwrap();
    let mut total = 0;
    for e in entities {
        let (key, _) = Dialect::key_column(e);
        let key = format!("\"{key}\"");
        let rows = pg_rows(
            &to,
            &format!(
                "SELECT tenant_id::text, {key}::text, _raw::text FROM {}",
                e.table
            ),
        );
        let stored: BTreeSet<_> = rows.iter().cloned().collect();
        assert_eq!(stored.len(), rows.len(), "{}: a record twice", e.name);
        let expected: BTreeSet<Vec<Option<String>>> = sqlite
            .prepare(&format!(
                "SELECT CAST(tenant_id AS TEXT), CAST({key} AS TEXT), _raw FROM {}",
                e.table
            ))
            .unwrap()
            .query_map([], |r| Ok(vec![r.get(0)?, r.get(1)?, r.get(2)?]))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(stored, expected, "{}: not the records of the mock", e.name);
        total += rows.len();
    }
    assert!(total > 0);
    eprintln!(
        "{total} records, {} units, {taken_over} taken over",
        units.len()
    );
}

#[test]
fn a_second_sync_into_the_same_sqlite_file_fails_at_once_with_a_clear_error() {
    let mock = Mock::start(
        MockConfig::default()
            .records(100)
            .export_batch(10)
            .rate_limit(None)
            .latency(Duration::from_millis(30)),
    );
    let dir = temp_dir();
    let db = dir.path().join("wh.db");
    let to = format!("sqlite:{}", db.display());
    let args = ["sync", "--to", &to, "--only", "jpm.jobs"];
    let mut first = std::process::Command::new(st_path())
        .env_clear()
        .envs(mock.env())
        .current_dir(dir.path())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first one is writing (it holds the file's sync lock from its start).
    let deadline = Instant::now() + Duration::from_secs(20);
    while mock.server.counters().api_requests == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let started = Instant::now();
    let second = mock.st(dir.path()).args(args).output().unwrap();
    assert!(!second.status.success());
    let err = stderr_of(&second);
    assert!(
        err.contains("another `st sync`") && err.contains("wh.db") && err.contains("PostgreSQL"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the second sync waited"
    );
    let status = wait(&mut first, Duration::from_secs(60));
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    // The file holds every job once, and a later sync runs normally.
    let rows: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM jpm_jobs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 100);
    let again = mock.st(dir.path()).args(args).output().unwrap();
    assert!(again.status.success(), "{}", stderr_of(&again));
}

#[test]
fn lease_flags_are_checked_before_any_connection() {
    let mock = Mock::start(MockConfig::default().rate_limit(None));
    let dir = temp_dir();
    let to = "postgres://me:hunter2@127.0.0.1:1/wh";
    let out = mock
        .st(dir.path())
        .args(["sync", "--to", to, "--lease", "1s", "--renew", "2s"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr_of(&out);
    assert!(
        err.contains("--renew (2s) must be shorter than --lease (1s)"),
        "{err}"
    );
    let out = mock
        .st(dir.path())
        .args(["sync", "--to", to, "--lease", "10x"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(
        !out.status.success() && err.contains("unknown unit"),
        "{err}"
    );
    assert_eq!(mock.server.requests().len(), 0, "the API was called");
}
