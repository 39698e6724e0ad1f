#!/usr/bin/env bash
# "Add servicetitan to your project", followed by a project outside the workspace: a scratch
# crate in a temp dir with a path dependency on crates/servicetitan (only `jpm`), the spec
# documents from SERVICETITAN_SPECS_DIR (the shared copies: no manifest there), built and run:
# its main calls Jobs_Get against a local wiremock server and checks the answer.
#
# Usage: .ci/outside-project.sh SPECS_DIR. Reuses the workspace's target dir (and its Cargo.lock
# versions), so only the scratch crate and what its feature set changes are compiled.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
specs="$(cd "${1:?usage: outside-project.sh SPECS_DIR}" && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

mkdir -p "$scratch/src"
cat > "$scratch/Cargo.toml" <<TOML
[package]
name = "outside-project"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
servicetitan = { path = "$repo/crates/servicetitan", features = ["jpm"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
wiremock = "0.6"
serde_json = "1"

[workspace]
TOML
cat > "$scratch/src/main.rs" <<'RUST'
use servicetitan::config::EnvSource;
use servicetitan::prelude::*;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"access_token": "tok", "expires_in": 900, "token_type": "Bearer"}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/jpm/v2/tenant/42/jobs/5"))
        .and(header("ST-App-Key", "ak.key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": 5, "summary": "outside"})))
        .mount(&server)
        .await;
    let client = Client::builder()
        .client_id("cid")
        .client_secret("secret")
        .app_key("ak.key")
        .tenant_id(42)
        .auth_url(server.uri())
        .api_url(server.uri())
        .env_source(EnvSource::empty())
        .no_dotenv()
        .build()?;
    let job = client.jpm().jobs_get(5).send().await?.into_inner();
    assert_eq!((job.id, job.summary.as_deref()), (5, Some("outside")));
    println!("outside project: Jobs_Get answered job {}", job.id);
    Ok(())
}
RUST
cp "$repo/Cargo.lock" "$scratch/Cargo.lock"
cd "$scratch"
SERVICETITAN_SPECS_DIR="$specs" cargo run --quiet
