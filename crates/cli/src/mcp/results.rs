//! Results too large for one tool answer: cut at a record boundary, the rest kept under a handle
//! that `read_result` pages through. Records stay the bytes the API sent (no number re-written).
//!
//! The store is bounded: at most [`MAX_HANDLES`] results and [`MAX_STORED_BYTES`] in all, the
//! oldest dropped first (a dropped handle answers with an error saying to call again).

use serde_json::value::RawValue;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Results kept for `read_result` at once.
pub const MAX_HANDLES: usize = 32;
/// Bytes kept for `read_result` in all.
pub const MAX_STORED_BYTES: usize = 64 << 20;

/// Records, each exactly as received.
pub type Records = Vec<Box<RawValue>>;

/// One part of a result.
#[derive(Debug)]
pub struct Part {
    /// The records of this part.
    pub records: Records,
    /// Where the next part starts, when there is one.
    pub next_offset: Option<usize>,
    /// The handle to read the next part with (when there is one).
    pub handle: Option<String>,
    /// Records in the whole result.
    pub total: usize,
}

impl Part {
    /// The records as one JSON array, exactly as received.
    pub fn array(&self) -> String {
        array(&self.records)
    }

    /// `{"handle", "next_offset", "total_records"}` when the result was cut, else `null`.
    pub fn continuation(&self) -> String {
        match (&self.handle, self.next_offset) {
            (Some(h), Some(next)) => format!(
                r#"{{"handle":{},"next_offset":{next},"total_records":{},"hint":"call read_result with this handle and offset for the rest"}}"#,
                serde_json::Value::String(h.clone()),
                self.total
            ),
            _ => "null".into(),
        }
    }
}

/// `[r1,r2,…]` from raw records.
pub fn array(records: &[Box<RawValue>]) -> String {
    let mut out =
        String::with_capacity(records.iter().map(|r| r.get().len() + 1).sum::<usize>() + 2);
    out.push('[');
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(r.get());
    }
    out.push(']');
    out
}

/// How many records from `offset` fit in `cap` bytes (at least one, so a part always advances).
fn fitting(records: &[Box<RawValue>], offset: usize, cap: usize) -> usize {
    let mut size = 2;
    let mut n = 0;
    for r in &records[offset..] {
        size += r.get().len() + 1;
        if n > 0 && size > cap {
            break;
        }
        n += 1;
    }
    n
}

struct Stored {
    handle: String,
    records: Arc<Records>,
    bytes: usize,
}

/// The cut results of one server.
pub struct ResultStore {
    cap: usize,
    stored: Mutex<VecDeque<Stored>>,
}

impl std::fmt::Debug for ResultStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResultStore")
            .field("cap", &self.cap)
            .finish()
    }
}

impl ResultStore {
    /// A store cutting results at `cap` bytes of records.
    pub fn new(cap: usize) -> Self {
        ResultStore {
            cap: cap.max(1024),
            stored: Mutex::new(VecDeque::new()),
        }
    }

    /// The byte cap.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// The first part of `records`; the whole kept under a new handle when it does not fit.
    pub fn cut(&self, records: Records) -> Part {
        let total = records.len();
        let n = fitting(&records, 0, self.cap);
        if n == total {
            return Part {
                records,
                next_offset: None,
                handle: None,
                total,
            };
        }
        let first: Records = records[..n].to_vec();
        let handle = format!("r-{:016x}", rand::random::<u64>());
        let bytes = records.iter().map(|r| r.get().len()).sum();
        let mut stored = self.stored.lock().unwrap_or_else(|e| e.into_inner());
        stored.push_back(Stored {
            handle: handle.clone(),
            records: Arc::new(records),
            bytes,
        });
        while stored.len() > MAX_HANDLES
            || (stored.len() > 1
                && stored.iter().map(|s| s.bytes).sum::<usize>() > MAX_STORED_BYTES)
        {
            stored.pop_front();
        }
        Part {
            records: first,
            next_offset: Some(n),
            handle: Some(handle),
            total,
        }
    }

    /// The part of a stored result starting at `offset`.
    pub fn read(&self, handle: &str, offset: usize) -> Result<Part, String> {
        let records = {
            let stored = self.stored.lock().unwrap_or_else(|e| e.into_inner());
            stored
                .iter()
                .find(|s| s.handle == handle)
                .map(|s| s.records.clone())
                .ok_or_else(|| {
                    format!(
                        "unknown or expired result handle `{handle}` (at most {MAX_HANDLES} results \
                         are kept); call the tool again"
                    )
                })?
        };
        let total = records.len();
        if offset > total {
            return Err(format!("offset {offset} is past the end ({total} records)"));
        }
        let n = fitting(&records, offset, self.cap);
        let end = offset + n;
        Ok(Part {
            records: records[offset..end].to_vec(),
            next_offset: (end < total).then_some(end),
            handle: (end < total).then(|| handle.to_string()),
            total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(n: usize, size: usize) -> Records {
        (0..n)
            .map(|i| {
                let text = format!(
                    r#"{{"id":{i},"pad":"{}","amount":12.10}}"#,
                    "x".repeat(size)
                );
                RawValue::from_string(text).unwrap()
            })
            .collect()
    }

    #[test]
    fn small_results_are_whole() {
        let store = ResultStore::new(4096);
        let part = store.cut(records(3, 10));
        assert_eq!(
            (part.records.len(), part.handle, part.next_offset),
            (3, None, None)
        );
    }

    #[test]
    fn large_results_are_cut_at_record_boundaries_and_read_back_in_order() {
        let store = ResultStore::new(2048);
        let all = records(50, 200);
        let expected = array(&all);
        let mut part = store.cut(all);
        let mut seen = part.records.clone();
        assert!(part.array().len() <= 2048);
        // Each part is a valid JSON array of whole records, money digits untouched.
        let first: serde_json::Value = serde_json::from_str(&part.array()).unwrap();
        assert!(first.as_array().unwrap().len() < 50);
        assert!(part.array().contains("12.10"));
        while let (Some(handle), Some(next)) = (part.handle.clone(), part.next_offset) {
            part = store.read(&handle, next).unwrap();
            assert!(part.array().len() <= 2048);
            seen.extend(part.records.clone());
        }
        assert_eq!(array(&seen), expected);
    }

    #[test]
    fn a_record_larger_than_the_cap_still_advances() {
        let store = ResultStore::new(1024);
        let part = store.cut(records(2, 3000));
        assert_eq!(part.records.len(), 1);
        let rest = store.read(part.handle.as_deref().unwrap(), 1).unwrap();
        assert_eq!((rest.records.len(), rest.next_offset), (1, None));
    }

    #[test]
    fn unknown_handles_and_bad_offsets_are_errors() {
        let store = ResultStore::new(1024);
        assert!(store.read("r-0", 0).unwrap_err().contains("unknown"));
        let part = store.cut(records(20, 200));
        assert!(store
            .read(part.handle.as_deref().unwrap(), 21)
            .unwrap_err()
            .contains("past the end"));
        for _ in 0..MAX_HANDLES {
            store.cut(records(20, 200));
        }
        assert!(store.read(part.handle.as_deref().unwrap(), 1).is_err());
    }
}
