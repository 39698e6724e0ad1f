//! What a mock server received.

use std::time::Duration;

use wiremock::{MockServer, Request};

/// How many requests the server received on path `p`.
pub async fn hits(server: &MockServer, p: &str) -> usize {
    requests_to(server, p).await.len()
}

/// The requests the server received on `route`, in order.
pub async fn requests_to(server: &MockServer, route: &str) -> Vec<Request> {
    let all = server
        .received_requests()
        .await
        .expect("request recording is on");
    all.into_iter().filter(|r| r.url.path() == route).collect()
}

/// The value of query parameter `name` on `request`, if it has one.
pub fn query(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Seconds, for readable assertions on virtual time.
pub fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}
