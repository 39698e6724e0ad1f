//! A log sink for tests asserting what a tracing subscriber wrote (secrets never appear).

use std::io::Write;
use std::sync::{Arc, Mutex};

/// Collects everything written to it; clones share the buffer, so one clone goes to the
/// subscriber's `with_writer(move || log.clone())` and the test reads [`CapturedLog::text`].
#[derive(Clone, Default)]
pub struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl CapturedLog {
    /// Everything written so far, as text (lossy: a log line cut mid-character still reads).
    pub fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
