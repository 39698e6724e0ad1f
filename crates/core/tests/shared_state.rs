//! The shared-state seam (issue 24): a store's limiter replaces the in-process one where the
//! transport waits for a permit (every attempt), hears the 429s, and its error ends a call
//! before anything is sent; its token provider wraps the client-credentials flow of each scope;
//! `SERVICETITAN_REDIS_URL` without a connector fails the build, the URL masked.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use servicetitan_core::auth::TokenProvider;
use servicetitan_core::futures::future::BoxFuture;
use servicetitan_core::shared_state::{Scope, SharedLimiter, SharedState};
use servicetitan_core::Error;
use servicetitan_test_support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[derive(Debug, Default)]
struct Probe {
    acquires: AtomicUsize,
    fail: AtomicBool,
    throttled: Mutex<Vec<(Option<String>, Option<Duration>)>>,
    scopes: Mutex<Vec<Scope>>,
}

#[derive(Debug)]
struct Limiter(Arc<Probe>);

impl SharedLimiter for Limiter {
    fn acquire<'a>(&'a self, _: Option<&'a str>) -> BoxFuture<'a, Result<Duration, Error>> {
        Box::pin(async move {
            if self.0.fail.load(Ordering::SeqCst) {
                return Err(Error::Other("the store is down".into()));
            }
            self.0.acquires.fetch_add(1, Ordering::SeqCst);
            Ok(Duration::ZERO)
        })
    }

    fn throttled(&self, report: Option<&str>, retry_after: Option<Duration>) {
        let entry = (report.map(str::to_owned), retry_after);
        self.0.throttled.lock().unwrap().push(entry);
    }
}

#[derive(Debug)]
struct Store(Arc<Probe>);

impl SharedState for Store {
    fn limiter(&self, scope: &Scope) -> Arc<dyn SharedLimiter> {
        self.0.scopes.lock().unwrap().push(scope.clone());
        Arc::new(Limiter(self.0.clone()))
    }

    fn token_provider(&self, _: &Scope, fetch: Arc<dyn TokenProvider>) -> Arc<dyn TokenProvider> {
        fetch
    }
}

#[tokio::test]
async fn the_stores_limiter_paces_every_attempt_and_hears_429s() {
    let server = token_server().await;
    Mock::given(method("GET"))
        .and(path(format!("/jpm/v2/tenant/{TENANT}/jobs/1")))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": 1})))
        .mount(&server)
        .await;
    let probe = Arc::new(Probe::default());
    let client = builder(&server)
        .rate_limit(Some(60))
        .shared_state(Arc::new(Store(probe.clone())))
        .build()
        .unwrap();
    get_job(&client, 1).await.unwrap();
    assert_eq!(
        probe.acquires.load(Ordering::SeqCst),
        2,
        "one permit per attempt"
    );
    assert_eq!(
        *probe.throttled.lock().unwrap(),
        [(None, Some(Duration::ZERO))]
    );
    let scopes = probe.scopes.lock().unwrap();
    assert_eq!(scopes.len(), 1);
    assert_eq!(scopes[0].tenant_id, TENANT);
    assert_eq!(scopes[0].requests_per_second, Some(60));
    assert!(!format!("{:?}", scopes[0]).contains(APP_KEY));
}

#[tokio::test]
async fn a_store_error_ends_the_call_before_anything_is_sent() {
    let server = token_server().await;
    let probe = Arc::new(Probe::default());
    probe.fail.store(true, Ordering::SeqCst);
    let client = builder(&server)
        .shared_state(Arc::new(Store(probe)))
        .build()
        .unwrap();
    let err = get_job(&client, 1).await.unwrap_err().to_string();
    assert!(err.contains("the store is down"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_redis_url_without_a_connector_fails_the_build_masked() {
    let server = token_server().await;
    let err = builder(&server)
        .redis("redis://:hunter2@127.0.0.1:1/0")
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("SERVICETITAN_REDIS_URL") && err.contains("`redis` feature"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
}
