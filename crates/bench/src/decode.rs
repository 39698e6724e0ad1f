//! The decode comparison: one saved jobs page (5000 records) decoded `reps` times into the
//! generated type, into `serde_json::Value`, or only scanned (`IgnoredAny`: the JSON parser's own
//! cost, the floor no typed decoding can beat). Instructions are counted from outside
//! (`valgrind --tool=cachegrind`, see `orchestrate`), so this only does the work.

use crate::BoxError;
use servicetitan::jpm::types::JobResponsePage;
use servicetitan::paging::Page;
use std::path::Path;

/// What the page is decoded into, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// `servicetitan::jpm::types::JobResponsePage` through `servicetitan::decode::from_bytes`,
    /// as `send()`, `.stream()` and every generated call decode it.
    Generated,
    /// The same type through plain `serde_json::from_slice` (as the P1 floor decodes it): the
    /// records are then read one by one from their raw text.
    Slice,
    /// `serde_json::Value`.
    Value,
    /// `serde::de::IgnoredAny`: parse only.
    Ignored,
}

/// Decodes the page `reps` times; prints the records of the last decode.
pub fn run(file: &Path, target: Target, reps: usize) -> Result<(), BoxError> {
    let body = std::fs::read(file)?;
    let mut records = 0usize;
    for _ in 0..reps {
        records = match target {
            Target::Generated => {
                let page: JobResponsePage = servicetitan::decode::from_bytes(&body)?;
                let n = page.item_count();
                std::hint::black_box(page);
                n
            }
            Target::Slice => {
                let page: JobResponsePage = serde_json::from_slice(&body)?;
                let n = page.item_count();
                std::hint::black_box(page);
                n
            }
            Target::Value => {
                let v: serde_json::Value = serde_json::from_slice(&body)?;
                v["data"].as_array().map_or(0, Vec::len)
            }
            Target::Ignored => {
                let v: serde::de::IgnoredAny = serde_json::from_slice(&body)?;
                std::hint::black_box(v);
                0
            }
        };
    }
    println!("{}", serde_json::json!({"reps": reps, "records": records}));
    Ok(())
}
