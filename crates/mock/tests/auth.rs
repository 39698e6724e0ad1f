//! The token endpoint and the checks on every call, as the API does them.

mod support;

use serde_json::Value;
use servicetitan_mock::{MockConfig, MockServer};
use std::time::Duration;
use support::Harness;

async fn token_request(mock: &MockServer, form: &[(&str, &str)]) -> (u16, Value) {
    let r = support::http()
        .post(format!("{}/connect/token", mock.auth_url()))
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn the_token_endpoint_checks_grant_and_client() {
    let mock = MockServer::start(MockConfig::default().token_lifetime(Duration::from_secs(123)))
        .await
        .unwrap();
    let c = mock.credentials().clone();
    let ok = token_request(
        &mock,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &c.client_id),
            ("client_secret", &c.client_secret),
        ],
    )
    .await;
    assert_eq!(ok.0, 200);
    assert_eq!(ok.1["expires_in"], 123);
    assert_eq!(ok.1["token_type"], "Bearer");
    let wrong_secret = token_request(
        &mock,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &c.client_id),
            ("client_secret", "nope"),
        ],
    )
    .await;
    assert_eq!(wrong_secret, (400, wrong_secret.1.clone()));
    assert_eq!(wrong_secret.1["error"], "invalid_client");
    let wrong_grant = token_request(
        &mock,
        &[
            ("grant_type", "password"),
            ("client_id", &c.client_id),
            ("client_secret", &c.client_secret),
        ],
    )
    .await;
    assert_eq!(wrong_grant.1["error"], "unsupported_grant_type");
    let hub = token_request(
        &mock,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &c.client_id),
            ("client_secret", &c.client_secret),
            ("tenant", &c.tenant_id.to_string()),
        ],
    )
    .await;
    assert_eq!(hub.0, 200, "Enterprise Hub's tenant field is accepted");
    let hub_other = token_request(
        &mock,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &c.client_id),
            ("client_secret", &c.client_secret),
            ("tenant", "999"),
        ],
    )
    .await;
    assert_eq!(hub_other.0, 400);
    let counters = mock.counters();
    assert_eq!((counters.token_requests, counters.tokens_issued), (5, 2));
}

#[tokio::test]
async fn calls_need_a_live_token_and_the_app_key() {
    let h = Harness::start(
        MockConfig::default()
            .records(3)
            .token_lifetime(Duration::from_secs(1)),
    )
    .await;
    let url = h.api("jpm/v2", "jobs");
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(
        status(h.request(reqwest::Method::GET, &url).send().await.unwrap()),
        200
    );
    // servicepytan sends the token without a scheme; ServiceTitan accepts that, so does the mock.
    let bare = h
        .http
        .get(&url)
        .header("Authorization", h.token.as_str())
        .header("ST-App-Key", &h.mock.credentials().app_key)
        .send()
        .await
        .unwrap();
    assert_eq!(status(bare), 200);
    let no_token = h
        .http
        .get(&url)
        .header("ST-App-Key", &h.mock.credentials().app_key)
        .send()
        .await
        .unwrap();
    assert_eq!(status(no_token), 401);
    let unknown = h
        .http
        .get(&url)
        .bearer_auth("forged")
        .header("ST-App-Key", &h.mock.credentials().app_key)
        .send()
        .await
        .unwrap();
    assert_eq!(status(unknown), 401);
    let no_key = h.http.get(&url).bearer_auth(&h.token).send().await.unwrap();
    assert_eq!(no_key.status(), 401);
    let body: Value = no_key.json().await.unwrap();
    assert!(
        body["title"].as_str().unwrap().contains("ST-App-Key"),
        "{body}"
    );
    let other_tenant = format!("{}/jpm/v2/tenant/42/jobs", h.mock.url());
    assert_eq!(
        status(
            h.request(reqwest::Method::GET, &other_tenant)
                .send()
                .await
                .unwrap()
        ),
        404
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let expired = h.request(reqwest::Method::GET, &url).send().await.unwrap();
    assert_eq!(expired.status(), 401);
    let body: Value = expired.json().await.unwrap();
    assert!(body["title"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn a_hub_token_for_one_tenant_is_refused_for_another() {
    let config = MockConfig::default()
        .records(3)
        .extra_tenants(vec![7654321]);
    let mock = MockServer::start(config).await.unwrap();
    let c = mock.credentials().clone();
    let (_, t) = token_request(
        &mock,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &c.client_id),
            ("client_secret", &c.client_secret),
            ("tenant", "7654321"),
        ],
    )
    .await;
    let token = t["access_token"].as_str().unwrap();
    let get = |tenant: i64| {
        support::http()
            .get(format!("{}/jpm/v2/tenant/{tenant}/jobs", mock.url()))
            .bearer_auth(token)
            .header("ST-App-Key", &c.app_key)
            .send()
    };
    assert_eq!(get(7654321).await.unwrap().status(), 200);
    assert_eq!(get(c.tenant_id).await.unwrap().status(), 403);
}
