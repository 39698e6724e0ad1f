//! Shared setup of the `st` process tests: a mock ServiceTitan served on a loopback port by a
//! runtime of the test process (so it outlives each `st` run, as a real server would), and
//! `st` commands with a clean environment pointed at it, each bounded in time.
#![allow(dead_code)] // each test file uses part of it

use assert_cmd::Command;
use servicetitan_mock::{MockConfig, MockServer};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long any one `st` run may take before the test fails.
pub const RUN_LIMIT: Duration = Duration::from_secs(60);

/// A mock kept running by its own runtime.
pub struct Mock {
    pub server: MockServer,
    _runtime: tokio::runtime::Runtime,
}

impl Mock {
    pub fn start(config: MockConfig) -> Mock {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(MockServer::start(config.port(0))).unwrap();
        Mock {
            server,
            _runtime: runtime,
        }
    }

    /// The `SERVICETITAN_*` variables that point a client at this mock.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let c = self.server.credentials();
        vec![
            ("SERVICETITAN_AUTH_URL", self.server.auth_url()),
            ("SERVICETITAN_API_URL", self.server.api_url()),
            ("SERVICETITAN_CLIENT_ID", c.client_id.clone()),
            ("SERVICETITAN_CLIENT_SECRET", c.client_secret.clone()),
            ("SERVICETITAN_APP_KEY", c.app_key.clone()),
            ("SERVICETITAN_TENANT_ID", c.tenant_id.to_string()),
        ]
    }

    /// `st` with this mock's credentials in the environment, run in `dir`.
    pub fn st(&self, dir: &Path) -> Command {
        let mut cmd = st(dir);
        cmd.envs(self.env());
        cmd
    }
}

/// `st` with an empty environment (no `SERVICETITAN_*`, no `.env`: runs in `dir`).
pub fn st(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("st").unwrap();
    cmd.env_clear().current_dir(dir).timeout(RUN_LIMIT);
    cmd
}

/// The path of the built `st` binary.
pub fn st_path() -> PathBuf {
    assert_cmd::cargo::cargo_bin("st")
}

/// A fresh temporary directory.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Standard output of a finished command, as text.
pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error of a finished command, as text.
pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
