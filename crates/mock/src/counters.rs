//! Counters and a bounded request log, read by tests (`MockServer::counters`) and over HTTP at
//! `GET /_mock/counters` and `GET /_mock/requests`.

use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

/// What the mock has answered so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// `POST /connect/token` requests, granted or not.
    pub token_requests: u64,
    /// Tokens issued.
    pub tokens_issued: u64,
    /// Requests to API paths (everything but the token endpoint and `/_mock`).
    pub api_requests: u64,
    /// API requests per tenant (from the path).
    pub per_tenant: BTreeMap<i64, u64>,
    /// API requests per `operationId`.
    pub per_operation: BTreeMap<String, u64>,
    /// 429s sent (rate limit, report limit and injected ones).
    pub rate_limited: u64,
    /// 5xx sent by fault injection.
    pub server_errors: u64,
    /// Answers per status code.
    pub per_status: BTreeMap<u16, u64>,
}

/// One answered request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    /// Sequence number from 1.
    pub seq: u64,
    /// Milliseconds since the server started.
    pub at_ms: u64,
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// The operation, when the path matched one.
    pub operation: Option<String>,
    /// The tenant in the path.
    pub tenant: Option<i64>,
    /// Status answered.
    pub status: u16,
}

/// The shared counters and log.
#[derive(Debug)]
pub struct Recorder {
    started: Instant,
    capacity: usize,
    inner: Mutex<(Counters, VecDeque<LogEntry>, u64)>,
}

impl Recorder {
    /// A recorder keeping at most `capacity` log entries.
    pub fn new(capacity: usize) -> Recorder {
        Recorder {
            started: Instant::now(),
            capacity,
            inner: Mutex::new((Counters::default(), VecDeque::new(), 0)),
        }
    }

    /// Updates the counters.
    pub fn count(&self, f: impl FnOnce(&mut Counters)) {
        f(&mut self.inner.lock().unwrap_or_else(|e| e.into_inner()).0)
    }

    /// Logs an answered request.
    pub fn log(
        &self,
        method: &str,
        path: &str,
        operation: Option<&str>,
        tenant: Option<i64>,
        status: u16,
    ) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *g.0.per_status.entry(status).or_default() += 1;
        g.2 += 1;
        let entry = LogEntry {
            seq: g.2,
            at_ms: self.started.elapsed().as_millis() as u64,
            method: method.to_string(),
            path: path.to_string(),
            operation: operation.map(String::from),
            tenant,
            status,
        };
        if self.capacity > 0 {
            if g.1.len() == self.capacity {
                g.1.pop_front();
            }
            g.1.push_back(entry);
        }
    }

    /// A copy of the counters.
    pub fn counters(&self) -> Counters {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .clone()
    }

    /// A copy of the log, oldest first.
    pub fn requests(&self) -> Vec<LogEntry> {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.1.iter().cloned().collect()
    }

    /// Zeroes the counters and empties the log.
    pub fn reset(&self) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.0 = Counters::default();
        g.1.clear();
    }
}
