//! `servicetitan-bench all`: every scenario, side by side, one child process each.

use crate::measure::{self, Usage};
use crate::mockproc::MockProcess;
use crate::report::{Report, Row};
use crate::BoxError;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the other programs are and how big the runs are.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// The `servicetitan-mock` binary.
    #[arg(long)]
    pub mock: String,
    /// The `export_jobs` example binary (P3); without it P3 is skipped.
    #[arg(long)]
    pub export: Option<String>,
    /// A Python with servicepytan 0.4.2 installed; without it that column is skipped.
    #[arg(long)]
    pub python: Option<String>,
    /// Jobs pulled in P1.
    #[arg(long, default_value_t = 100_000)]
    pub records: u64,
    /// Records exported in P3's big run (the small run is a tenth).
    #[arg(long, default_value_t = 1_000_000)]
    pub export_records: u64,
    /// Runs of each P1 pull; the table shows the median of each figure (token requests: the
    /// last run's).
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
    /// Seconds of P2.
    #[arg(long, default_value_t = 30)]
    pub limiter_secs: u64,
    /// Added latency per answer for P1's second round, milliseconds.
    #[arg(long, default_value_t = 50)]
    pub latency_ms: u64,
    /// The decode comparison's baseline: `bench/baseline/decode_page.rs` built at the commit the
    /// issue was measured on (`bench/baseline.sh`); without it that row is skipped.
    #[arg(long)]
    pub baseline_decoder: Option<String>,
    /// Scratch directory (page file, exports).
    #[arg(long)]
    pub work: PathBuf,
    /// Also write the results as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// servicepytan's own `get_all`, its connection pointed at the mock (argv: url, id, secret, app
/// key, tenant). It fetches a token per request, as shipped.
const SERVICEPYTAN: &str = r#"
import json, sys
from servicepytan.auth import servicepytan_connect
from servicepytan.requests import Endpoint
url, cid, secret, key, tenant = sys.argv[1:6]
conn = servicepytan_connect(app_key=key, tenant_id=tenant, client_id=cid, client_secret=secret)
conn["auth_root"] = url
conn["api_root"] = url
data = Endpoint("jpm", "jobs", conn=conn).get_all({"pageSize": 5000})
print(json.dumps({"records": len(data), "id_sum": sum(d["id"] for d in data)}))
"#;

struct Ctx {
    opts: Options,
    me: String,
    rt: tokio::runtime::Runtime,
    report: Report,
}

/// Runs everything and prints the report.
pub fn run(opts: Options) -> Result<(), BoxError> {
    std::fs::create_dir_all(&opts.work)?;
    let mut cx = Ctx {
        me: std::env::current_exe()?.display().to_string(),
        rt: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?,
        report: Report::start(),
        opts,
    };
    p1(&mut cx, 0)?;
    let latency = cx.opts.latency_ms;
    p1(&mut cx, latency)?;
    p2(&mut cx)?;
    p3(&mut cx)?;
    p4(&mut cx)?;
    p5(&mut cx)?;
    decode(&mut cx)?;
    cx.report.finish();
    print!("{}", cx.report.markdown());
    if let Some(path) = &cx.opts.json {
        std::fs::write(path, serde_json::to_string_pretty(&cx.report)?)?;
    }
    Ok(())
}

fn mock(cx: &Ctx, args: &[&str]) -> Result<MockProcess, BoxError> {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    MockProcess::start(&cx.opts.mock, &args)
}

/// One measured child against `mock`, counters reset before; the token requests it made.
fn measured(cx: &Ctx, mock: &MockProcess, cmd: &mut Command) -> Result<(Usage, u64), BoxError> {
    cx.rt.block_on(mock.reset())?;
    let usage = measure::run(cmd)?;
    let tokens = cx.rt.block_on(mock.token_requests())?;
    Ok((usage, tokens))
}

fn me(cx: &Ctx, args: &[&str]) -> Command {
    let mut c = Command::new(&cx.me);
    c.args(args);
    c
}

fn p1(cx: &mut Ctx, latency: u64) -> Result<(), BoxError> {
    let records = cx.opts.records.to_string();
    let lat = latency.to_string();
    let mock = mock(
        cx,
        &[
            "--records",
            &records,
            "--rate-limit",
            "0",
            "--latency-ms",
            &lat,
        ],
    )?;
    let url = mock.url.clone();
    if latency == 0 {
        save_page(cx, &url)?;
    }
    let scenario = if latency == 0 {
        "P1 loopback".to_string()
    } else {
        format!("P1 +{latency} ms")
    };
    let mut runs: Vec<(&str, Command)> = vec![
        (
            ".stream()",
            me(cx, &["pull", "--url", &url, "--mode", "stream"]),
        ),
        (
            ".stream_concurrent(8)",
            me(
                cx,
                &[
                    "pull",
                    "--url",
                    &url,
                    "--mode",
                    "concurrent",
                    "--concurrency",
                    "8",
                ],
            ),
        ),
        (
            "floor (reqwest+serde)",
            me(cx, &["pull", "--url", &url, "--mode", "floor"]),
        ),
        (
            "floor (reqwest+SDK decode)",
            me(cx, &["pull", "--url", &url, "--mode", "floor-sdk-decode"]),
        ),
    ];
    if let Some(python) = &cx.opts.python {
        let c = servicetitan_mock::Credentials::default();
        let mut cmd = Command::new(python);
        cmd.args([
            "-c",
            SERVICEPYTAN,
            &url,
            &c.client_id,
            &c.client_secret,
            &c.app_key,
        ])
        .arg(c.tenant_id.to_string());
        runs.push(("servicepytan 0.4.2", cmd));
    }
    for (label, mut cmd) in runs {
        let mut usages = Vec::new();
        let mut tokens = 0;
        for _ in 0..cx.opts.repeats.max(1) {
            let (usage, t) = measured(cx, &mock, &mut cmd)?;
            usages.push(usage);
            tokens = t;
        }
        let usage = measure::median(&usages);
        let got = usage.json()["records"].as_u64();
        if got != Some(cx.opts.records) {
            return Err(
                format!("{scenario} {label}: read {got:?} records, expected {records}").into(),
            );
        }
        cx.report
            .push(Row::new(&scenario, label, usage).tokens(tokens));
    }
    Ok(())
}

/// Page 1 (5000 jobs) as the mock sends it, for the decode comparison.
fn save_page(cx: &Ctx, url: &str) -> Result<(), BoxError> {
    let body = cx.rt.block_on(async {
        let raw = crate::clients::Raw::connect(url).await?;
        raw.jobs_page(1, 5000).await
    })?;
    std::fs::write(page_file(&cx.opts.work), &body)?;
    Ok(())
}

fn page_file(work: &Path) -> PathBuf {
    work.join("jobs-page-5000.json")
}

fn p2(cx: &mut Ctx) -> Result<(), BoxError> {
    let mock = mock(cx, &["--rate-limit", "60"])?;
    let secs = cx.opts.limiter_secs.to_string();
    let mut cmd = me(
        cx,
        &[
            "limiter", "--url", &mock.url, "--tasks", "8", "--secs", &secs,
        ],
    );
    let (usage, _) = measured(cx, &mock, &mut cmd)?;
    let counters = cx.rt.block_on(mock.counters())?;
    let row = Row::new("P2 8 tasks, mock at 60/s", "SDK limiter (60/s)", usage)
        .extra("throttled_429", counters["rate_limited"].clone());
    cx.report.push(row);
    Ok(())
}

fn p3(cx: &mut Ctx) -> Result<(), BoxError> {
    let Some(export) = cx.opts.export.clone() else {
        return Ok(());
    };
    for n in [cx.opts.export_records / 10, cx.opts.export_records] {
        let records = n.to_string();
        let mock = mock(
            cx,
            &[
                "--records",
                &records,
                "--rate-limit",
                "0",
                "--export-batch",
                "5000",
            ],
        )?;
        let out = cx.opts.work.join(format!("export-{n}.jsonl"));
        let _ = std::fs::remove_file(&out);
        let _ = std::fs::remove_file(out.with_extension("jsonl.checkpoint"));
        let mut cmd = Command::new(&export);
        cmd.arg(&out).current_dir(&cx.opts.work);
        for (k, v) in sdk_env(&mock.url) {
            cmd.env(k, v);
        }
        let (usage, tokens) = measured(cx, &mock, &mut cmd)?;
        let lines = count_lines(&out)?;
        let _ = std::fs::remove_file(&out);
        if lines != n {
            return Err(format!("P3: the export wrote {lines} lines, expected {n}").into());
        }
        let label = format!("export_jobs example, {n} records");
        cx.report
            .push(Row::new("P3 export to file", &label, usage).tokens(tokens));
    }
    Ok(())
}

/// The `SERVICETITAN_*` variables that point the SDK at a mock with its default credentials.
pub fn sdk_env(url: &str) -> Vec<(&'static str, String)> {
    let c = servicetitan_mock::Credentials::default();
    vec![
        ("SERVICETITAN_CLIENT_ID", c.client_id),
        ("SERVICETITAN_CLIENT_SECRET", c.client_secret),
        ("SERVICETITAN_APP_KEY", c.app_key),
        ("SERVICETITAN_TENANT_ID", c.tenant_id.to_string()),
        ("SERVICETITAN_AUTH_URL", url.to_string()),
        ("SERVICETITAN_API_URL", url.to_string()),
    ]
}

fn count_lines(path: &Path) -> Result<u64, BoxError> {
    use std::io::BufRead;
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut n = 0;
    for line in file.lines() {
        line?;
        n += 1;
    }
    Ok(n)
}

fn p4(cx: &mut Ctx) -> Result<(), BoxError> {
    let mock = mock(cx, &["--rate-limit", "0"])?;
    let mut cmd = me(cx, &["cold", "--url", &mock.url, "--calls", "100"]);
    let (usage, tokens) = measured(cx, &mock, &mut cmd)?;
    cx.report
        .push(Row::new("P4 100 first calls, cold client", "SDK", usage).tokens(tokens));
    Ok(())
}

fn p5(cx: &mut Ctx) -> Result<(), BoxError> {
    let mock = mock(cx, &["--rate-limit", "0"])?;
    let url = mock.url.clone();
    for via in ["sdk", "raw", "raw-sdk-decode"] {
        let mut cmd = me(
            cx,
            &["overhead", "--url", &url, "--via", via, "--n", "2000"],
        );
        let (usage, _) = measured(cx, &mock, &mut cmd)?;
        let per_call = per_rep(
            cx,
            &["overhead", "--url", &url, "--via", via, "--n"],
            50,
            250,
        )?;
        let label = match via {
            "sdk" => "SDK typed call",
            "raw" => "raw reqwest+serde",
            _ => "raw reqwest+SDK decode",
        };
        let row = Row::new("P5 tiny call, sequential", label, usage)
            .extra("instructions_per_call", per_call.into());
        cx.report.push(row);
    }
    Ok(())
}

/// Instructions of one repetition: (count at `hi` reps − count at `lo` reps) / (hi − lo), which
/// removes start-up, token and warm-up. `None` without valgrind.
fn per_rep(cx: &Ctx, args: &[&str], lo: usize, hi: usize) -> Result<Option<u64>, BoxError> {
    per_rep_of(&cx.me, args, lo, hi)
}

/// [`per_rep`] for any program whose last argument is the repetition count.
fn per_rep_of(program: &str, args: &[&str], lo: usize, hi: usize) -> Result<Option<u64>, BoxError> {
    let count = |n: usize| {
        let n = n.to_string();
        let mut all: Vec<&str> = args.to_vec();
        all.push(&n);
        measure::instructions(program, &all)
    };
    match (count(lo)?, count(hi)?) {
        (Some(a), Some(b)) => Ok(Some(b.saturating_sub(a) / (hi - lo) as u64)),
        _ => Ok(None),
    }
}

fn decode(cx: &mut Ctx) -> Result<(), BoxError> {
    let file = page_file(&cx.opts.work).display().to_string();
    for target in ["generated", "slice", "value", "ignored"] {
        let args: [&str; 6] = ["decode", "--file", &file, "--target", target, "--reps"];
        let per_page = per_rep(cx, &args, 1, 3)?;
        let usage = measure::run(&mut me(
            cx,
            &[
                "decode", "--file", &file, "--target", target, "--reps", "10",
            ],
        ))?;
        let label = match target {
            "generated" => "JobResponsePage, SDK decoding (decode::from_bytes)",
            "slice" => "JobResponsePage, serde_json::from_slice",
            "value" => "serde_json::Value",
            _ => "IgnoredAny (parse only)",
        };
        let row = Row::new("decode one 5000-job page", label, usage)
            .extra("instructions_per_page", per_page.into());
        cx.report.push(row);
    }
    // Issue 21: a page just under the default cap whose every record fails to decode; the
    // child's peak RSS (body included) is the figure, to stay below 4 × 64 MiB.
    let usage = measure::run(&mut me(cx, &["malformed", "--mib", "64"]))?;
    cx.report.push(Row::new(
        "malformed page, 64 MiB of [0,0,0,…]",
        "typed (send/.stream) and raw export decoding",
        usage,
    ));
    if let Some(baseline) = cx.opts.baseline_decoder.clone() {
        let per_page = per_rep_of(&baseline, &[&file], 1, 3)?;
        let usage = measure::run(Command::new(&baseline).args([file.as_str(), "10"]))?;
        let row = Row::new(
            "decode one 5000-job page",
            "JobResponsePage at de796d8 (the issue's floor)",
            usage,
        )
        .extra("instructions_per_page", per_page.into());
        cx.report.push(row);
    }
    Ok(())
}
