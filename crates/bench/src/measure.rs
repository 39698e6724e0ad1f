//! A child process's own wall time, CPU time and peak RSS (`wait4`'s `rusage`), and its stdout.

use crate::BoxError;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Instant;

/// What one child cost.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Usage {
    /// Wall-clock seconds from spawn to exit.
    pub wall_s: f64,
    /// User + system CPU seconds.
    pub cpu_s: f64,
    /// Peak resident set, MiB.
    pub rss_mib: f64,
    /// What it printed on stdout (one JSON line for our children).
    #[serde(skip)]
    pub stdout: String,
}

impl Usage {
    /// The child's JSON line, parsed.
    pub fn json(&self) -> serde_json::Value {
        let line = self.stdout.lines().rev().find(|l| l.starts_with('{'));
        line.and_then(|l| serde_json::from_str(l).ok())
            .unwrap_or(serde_json::Value::Null)
    }
}

/// The median of each figure over several runs of one child (wall, CPU and peak RSS are each
/// the median of their own; stdout is the last run's). Two cores shared with the mock make a
/// single run's CPU time move by ±15 %.
pub fn median(runs: &[Usage]) -> Usage {
    let mid = |f: fn(&Usage) -> f64| {
        let mut v: Vec<f64> = runs.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    Usage {
        wall_s: mid(|u| u.wall_s),
        cpu_s: mid(|u| u.cpu_s),
        rss_mib: mid(|u| u.rss_mib),
        stdout: runs.last().map(|u| u.stdout.clone()).unwrap_or_default(),
    }
}

/// Runs `cmd` to completion; an exit status other than 0 is an error naming the command.
pub fn run(cmd: &mut Command) -> Result<Usage, BoxError> {
    let what = format!("{cmd:?}");
    let started = Instant::now();
    let mut child = cmd.stdout(Stdio::piped()).stdin(Stdio::null()).spawn()?;
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout)?;
    }
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that `wait4` fills in; `pid` is our own unreaped child
    // (std's `Child` is never waited on after this, so it is reaped exactly once).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall_s = started.elapsed().as_secs_f64();
    if reaped != pid {
        return Err(format!(
            "wait4 failed for {what}: {}",
            std::io::Error::last_os_error()
        )
        .into());
    }
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        return Err(format!("{what} failed (wait status {status}); stdout: {stdout}").into());
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok(Usage {
        wall_s,
        cpu_s: secs(usage.ru_utime) + secs(usage.ru_stime),
        // Linux reports ru_maxrss in KiB.
        rss_mib: usage.ru_maxrss as f64 / 1024.0,
        stdout,
    })
}

/// Instructions a command executes, counted by `valgrind --tool=cachegrind` (`None` when valgrind
/// is not installed). Its stdout is discarded.
pub fn instructions(program: &str, args: &[&str]) -> Result<Option<u64>, BoxError> {
    if Command::new("valgrind").arg("--version").output().is_err() {
        return Ok(None);
    }
    let out = tempfile_path("cachegrind.out");
    let output = Command::new("valgrind")
        .args(["--tool=cachegrind", "--cache-sim=no"])
        .arg(format!("--cachegrind-out-file={out}"))
        .arg(program)
        .args(args)
        .stdin(Stdio::null())
        .output()?;
    let _ = std::fs::remove_file(&out);
    if !output.status.success() {
        return Err(format!(
            "valgrind {program} {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    // "==123== I   refs:      1,234,567"
    let stderr = String::from_utf8_lossy(&output.stderr);
    let refs = stderr
        .lines()
        .find_map(|l| {
            l.split_once("I   refs:")
                .or_else(|| l.split_once("I refs:"))
        })
        .map(|(_, n)| n.trim().replace(',', ""))
        .and_then(|n| n.parse().ok());
    refs.map(Some)
        .ok_or_else(|| format!("no instruction count in valgrind's output: {stderr}").into())
}

fn tempfile_path(name: &str) -> String {
    std::env::temp_dir()
        .join(format!("st-bench-{}-{name}", std::process::id()))
        .display()
        .to_string()
}
