//! The client-side limiter on its own, in real time: 8 tasks acquire from one 60/s limiter for
//! N seconds (default 30), each "call" taking 2 ms, on a 2-worker runtime; prints the rate
//! achieved and the p50/p99/max wait. (Issue 15's P2 without the server: what the limiter
//! itself delivers; the benchmark against the mock adds the HTTP round trips and counts 429s.)
//!
//! ```sh
//! cargo run --release -p servicetitan-core --example limiter_rate -- 30
//! ```

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use servicetitan_core::limit::RateLimiter;
use tokio::time::Instant;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let secs: u64 = match std::env::args().nth(1) {
        Some(arg) => arg.parse().expect("seconds as a whole number"),
        None => 30,
    };
    let limiter = Arc::new(RateLimiter::per_second(
        NonZeroU32::new(60).expect("60 > 0"),
    ));
    let waits = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let end = start + Duration::from_secs(secs);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (limiter, waits) = (limiter.clone(), waits.clone());
            tokio::spawn(async move {
                while Instant::now() < end {
                    let waited = limiter.acquire().await;
                    waits.lock().unwrap_or_else(|p| p.into_inner()).push(waited);
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a task panicked");
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut waits = waits.lock().unwrap_or_else(|p| p.into_inner()).clone();
    waits.sort();
    let n = waits.len();
    println!(
        "{n} grants in {elapsed:.2} s = {:.2}/s; wait p50 {:?}, p99 {:?}, max {:?}",
        n as f64 / elapsed,
        waits[n / 2],
        waits[n * 99 / 100],
        waits[n - 1]
    );
}
