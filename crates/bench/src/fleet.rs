//! One worker of a fleet sharing a tenant budget and token through Redis: the child
//! the fleet tests (`tests/redis_fleet.rs`) and the benchmark spawn N times. Prints one JSON line.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use servicetitan::prelude::*;
use servicetitan::redis::{RedisOptions, RedisState, SecretString};
use servicetitan_mock::Credentials;

use crate::BoxError;

/// What a worker does.
#[derive(Debug, clap::Args)]
pub struct Worker {
    /// The mock's base URL.
    #[arg(long)]
    pub url: String,
    /// Tenants, shared round-robin by the tasks (Enterprise Hub credentials: one token each).
    #[arg(long, value_delimiter = ',', default_value = "1234567")]
    pub tenants: Vec<i64>,
    /// Concurrent tasks.
    #[arg(long, default_value_t = 8)]
    pub tasks: usize,
    /// How long to call.
    #[arg(long, default_value_t = 20.0)]
    pub secs: f64,
    /// Requests per second per tenant (the budget).
    #[arg(long, default_value_t = 60)]
    pub rate: u32,
    /// Share the budget and token through this Redis (`none`: each process on its own;
    /// `env`: SERVICETITAN_REDIS_URL through the configuration chain).
    #[arg(long, default_value = "env")]
    pub redis: String,
    /// Strict mode: calls fail while Redis is lost.
    #[arg(long)]
    pub strict: bool,
    /// Key namespace in Redis.
    #[arg(long, default_value = "servicetitan")]
    pub namespace: String,
}

fn epoch_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn client(w: &Worker) -> Result<Client, BoxError> {
    servicetitan::redis::install();
    let c = Credentials::default();
    let mut builder = Client::builder()
        .no_dotenv()
        .client_id(c.client_id)
        .client_secret(c.client_secret)
        .app_key(c.app_key)
        .tenant_id(w.tenants[0])
        .enterprise_hub(true)
        .auth_url(&w.url)
        .api_url(&w.url)
        .rate_limit(Some(w.rate));
    match w.redis.as_str() {
        "none" => {}
        // SERVICETITAN_REDIS_URL through the chain, as `st` reads it.
        "env" => {}
        url if w.strict || w.namespace != "servicetitan" => {
            let options = RedisOptions {
                strict: w.strict,
                namespace: w.namespace.clone(),
                ..RedisOptions::default()
            };
            let url = SecretString::from(url.to_owned());
            builder = builder.shared_state(Arc::new(RedisState::connect(&url, options)?));
        }
        url => builder = builder.redis(url),
    }
    Ok(builder.build()?)
}

/// Runs the worker; prints `{started_ms, ended_ms, ok: {tenant: n}, errors, first_error,
/// p50_ms, p99_ms}` (latencies of whole calls, limiter waits included).
pub async fn worker(w: Worker) -> Result<(), BoxError> {
    let client = client(&w)?;
    let started_ms = epoch_ms();
    let deadline = Instant::now() + Duration::from_secs_f64(w.secs);
    let mut handles = Vec::new();
    for task in 0..w.tasks {
        let tenant = w.tenants[task % w.tenants.len()];
        let client = client.tenant(tenant);
        handles.push(tokio::spawn(async move {
            let (mut ok, mut errors, mut first_error, mut times) = (0u64, 0u64, None, Vec::new());
            while Instant::now() < deadline {
                let t0 = Instant::now();
                match client.jpm().jobs_get_list().page_size(1).send().await {
                    Ok(_) => ok += 1,
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert_with(|| e.to_string());
                    }
                }
                times.push(t0.elapsed());
            }
            (tenant, ok, errors, first_error, times)
        }));
    }
    let mut ok: BTreeMap<i64, u64> = BTreeMap::new();
    let (mut errors, mut first_error, mut times) = (0, None, Vec::new());
    for handle in handles {
        let (tenant, n, e, first, t) = handle.await?;
        *ok.entry(tenant).or_default() += n;
        errors += e;
        first_error = first_error.or(first);
        times.extend(t);
    }
    times.sort();
    let pct = |p: f64| {
        times
            .get(((times.len() as f64 - 1.0) * p).round() as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    println!(
        "{}",
        serde_json::json!({
            "started_ms": started_ms,
            "ended_ms": epoch_ms(),
            "ok": ok,
            "errors": errors,
            "first_error": first_error,
            "p50_ms": pct(0.5),
            "p99_ms": pct(0.99),
        })
    );
    Ok(())
}
