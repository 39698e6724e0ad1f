//! A `servicetitan-mock` process (its own CPU, not the client's), its counters and reset.

use crate::BoxError;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running mock; killed and reaped when dropped.
pub struct MockProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl MockProcess {
    /// Starts `binary --port 0 <args>` and waits for its "listening on" line.
    pub fn start(binary: &str, args: &[String]) -> Result<MockProcess, BoxError> {
        let mut child = Command::new(binary)
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the mock {binary}: {e}"))?;
        let stdout = child.stdout.take().ok_or("the mock has no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let Some(line) = lines.next() else {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("the mock {binary} {args:?} exited before listening").into());
            };
            if let Some(url) = line?.split("listening on ").nth(1) {
                break url.trim().to_string();
            }
        };
        // Keep draining its stdout so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(MockProcess { child, url })
    }

    /// `GET /_mock/counters`.
    pub async fn counters(&self) -> Result<serde_json::Value, BoxError> {
        Ok(plain_http()?
            .get(format!("{}/_mock/counters", self.url))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// `POST /_mock/reset`: counters to zero before the next scenario.
    pub async fn reset(&self) -> Result<(), BoxError> {
        plain_http()?
            .post(format!("{}/_mock/reset", self.url))
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// The token requests counted so far.
    pub async fn token_requests(&self) -> Result<u64, BoxError> {
        Ok(self.counters().await?["token_requests"]
            .as_u64()
            .unwrap_or(0))
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP client for the mock's control endpoints (with the TLS provider the SDK installs:
/// reqwest is built without one).
fn plain_http() -> Result<reqwest::Client, BoxError> {
    servicetitan::install_crypto_provider();
    Ok(reqwest::Client::builder().build()?)
}
