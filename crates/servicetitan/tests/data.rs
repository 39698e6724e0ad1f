//! `servicetitan::data::DataService` against a local (loopback) wiremock server: local dates in
//! the client's time zone become the right UTC filters on every page.
#![cfg(feature = "jpm")]

use serde_json::json;
use servicetitan::config::EnvSource;
use servicetitan::data::DataService;
use servicetitan::lenient::parse_datetime;
use servicetitan::prelude::*;
use servicetitan::types::Date;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const JOBS: &str = "/jpm/v2/tenant/42/jobs";
const APPOINTMENTS: &str = "/jpm/v2/tenant/42/appointments";

async fn setup(timezone: &str) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "tok", "expires_in": 900, "token_type": "Bearer"}),
        ))
        .mount(&server)
        .await;
    let client = Client::builder()
        .client_id("cid.test")
        .client_secret("cs.secret")
        .app_key("ak.key")
        .tenant_id(42)
        .timezone(timezone)
        .auth_url(server.uri())
        .api_url(server.uri())
        .env_source(EnvSource::empty())
        .no_dotenv()
        .rate_limit(None)
        .build()
        .unwrap();
    (server, client)
}

/// Two pages of records with ids `ids.0` and `ids.1` on `route`.
async fn mount_two_pages(server: &MockServer, route: &str, ids: (i64, i64)) {
    for (n, id, more) in [(1, ids.0, true), (2, ids.1, false)] {
        Mock::given(method("GET"))
            .and(path(route))
            .and(query_param("page", n.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"page": n, "pageSize": 1, "hasMore": more, "data": [{"id": id}]}),
            ))
            .expect(1)
            .mount(server)
            .await;
    }
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).unwrap()
}

/// Asserts every request to `route` carried `after_name`/`before_name` with these instants.
async fn assert_bounds(
    server: &MockServer,
    route: &str,
    (after_name, after): (&str, &str),
    (before_name, before): (&str, &str),
) {
    let requests: Vec<Request> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == route)
        .collect();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        let get = |name: &str| {
            let pairs = request.url.query_pairs();
            let value = pairs
                .into_iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned());
            parse_datetime(&value.unwrap_or_else(|| panic!("{name} missing on {}", request.url)))
        };
        assert_eq!(get(after_name), parse_datetime(after), "{after_name}");
        assert_eq!(get(before_name), parse_datetime(before), "{before_name}");
    }
}

#[tokio::test]
async fn jobs_completed_between_spring_forward_day_in_new_york() {
    let (server, client) = setup("America/New_York").await;
    mount_two_pages(&server, JOBS, (1, 2)).await;
    let data = DataService::new(&client);
    let day = date(2024, 3, 10);
    let jobs: Vec<_> = data
        .jobs_completed_between(day, day)
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(jobs.iter().map(|j| j.id).collect::<Vec<_>>(), [1, 2]);
    assert_bounds(
        &server,
        JOBS,
        ("completedOnOrAfter", "2024-03-10T05:00:00Z"),
        ("completedBefore", "2024-03-11T04:00:00Z"),
    )
    .await;
}

#[tokio::test]
async fn jobs_created_between_a_range_ending_on_the_fall_back_day() {
    let (server, client) = setup("America/New_York").await;
    mount_two_pages(&server, JOBS, (3, 4)).await;
    let data = DataService::new(&client);
    let jobs: Vec<_> = data
        .jobs_created_between(date(2024, 11, 1), date(2024, 11, 3))
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(jobs.len(), 2);
    assert_bounds(
        &server,
        JOBS,
        ("createdOnOrAfter", "2024-11-01T04:00:00Z"),
        ("createdBefore", "2024-11-04T05:00:00Z"),
    )
    .await;
}

#[tokio::test]
async fn appointments_starting_between_uses_the_configured_zone() {
    let (server, client) = setup("America/Los_Angeles").await;
    mount_two_pages(&server, APPOINTMENTS, (5, 6)).await;
    let data = DataService::new(&client);
    let day = date(2024, 7, 4);
    let appointments: Vec<_> = data
        .appointments_starting_between(day, day)
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        appointments.iter().map(|a| a.id).collect::<Vec<_>>(),
        [5, 6]
    );
    assert_bounds(
        &server,
        APPOINTMENTS,
        ("startsOnOrAfter", "2024-07-04T07:00:00Z"),
        ("startsBefore", "2024-07-05T07:00:00Z"),
    )
    .await;
}

#[tokio::test]
async fn a_reversed_range_fails_before_any_request() {
    let (server, client) = setup("America/New_York").await;
    let data = DataService::new(&client);
    let result = data.jobs_completed_between(date(2024, 3, 10), date(2024, 3, 9));
    assert!(matches!(result, Err(Error::InvalidRequest(_))));
    assert!(server.received_requests().await.unwrap().is_empty());
}
