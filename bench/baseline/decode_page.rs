//! The decode comparison's baseline: one saved 5000-job page decoded `REPS` times
//! into `servicetitan::jpm::types::JobResponsePage` as the SDK was when the issue was measured
//! (commit de796d8: date-times through an owned `String`, decimals through f64 and text).
//! `bench/baseline.sh` copies this file into that revision's `crates/servicetitan/examples/`
//! and builds it there; it is not part of this workspace.
//!
//! Usage: `decode_page FILE REPS`; prints `{"reps": n, "records": n}` like
//! `servicetitan-bench decode`.

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args.next().expect("usage: decode_page FILE REPS");
    let reps: usize = args
        .next()
        .and_then(|r| r.parse().ok())
        .expect("usage: decode_page FILE REPS");
    let body = std::fs::read(&file).expect("the page file can be read");
    let mut records = 0;
    for _ in 0..reps {
        let page: servicetitan::jpm::types::JobResponsePage =
            serde_json::from_slice(&body).expect("the page decodes");
        records = page.data.len();
        std::hint::black_box(page);
    }
    println!("{{\"reps\": {reps}, \"records\": {records}}}");
}
