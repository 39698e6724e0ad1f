//! Shared by the sync tests: a mock ServiceTitan and clients for it.
#![allow(dead_code)]

pub mod scenarios;

use servicetitan_core::config::EnvSource;
use servicetitan_core::Client;
use servicetitan_mock::{MockConfig, MockServer};

/// A quiet mock with `records` per collection and no rate limit.
pub async fn mock(records: u64) -> MockServer {
    MockServer::start(mock_config(records))
        .await
        .expect("mock starts")
}

/// The mock's settings for these tests.
pub fn mock_config(records: u64) -> MockConfig {
    MockConfig::default()
        .port(0)
        .records(records)
        .export_batch(50)
        .rate_limit(None)
}

/// A client for `server` (nothing from the environment).
pub fn client(server: &MockServer) -> Client {
    client_with(server, &server.credentials().client_secret.clone())
}

/// A client for `server` with `secret` as its client secret.
pub fn client_with(server: &MockServer, secret: &str) -> Client {
    let c = server.credentials();
    Client::builder()
        .client_id(c.client_id.clone())
        .client_secret(secret.to_owned())
        .app_key(c.app_key.clone())
        .tenant_id(c.tenant_id)
        .auth_url(server.auth_url())
        .api_url(server.api_url())
        .env_source(EnvSource::empty())
        .no_dotenv()
        .build()
        .expect("client")
}

/// A fresh database named for `name` on the test server (`SERVICETITAN_TEST_POSTGRES_URL`,
/// started by the suites); its URL. Each test has its own, so they run in parallel.
pub async fn database(name: &str) -> String {
    let url = std::env::var("SERVICETITAN_TEST_POSTGRES_URL").expect(
        "SERVICETITAN_TEST_POSTGRES_URL must point at a PostgreSQL server (see .ci/suites/sync.sh)",
    );
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let db = format!("st_sync_{name}_{}", std::process::id());
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {db}"))
        .await
        .unwrap();
    client
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .await
        .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{db}")
}
