//! `servicetitan::data::DataService` against a local (loopback) wiremock server: local dates in
//! the client's time zone become the right UTC filters on every page, and lists that hide
//! inactive records by default get the `active` the caller asked for on every page.
#![cfg(all(
    feature = "jpm",
    feature = "salestech",
    feature = "inventory",
    feature = "settings"
))]

use serde_json::json;
use servicetitan::data::{Activity, DataService};
use servicetitan::lenient::parse_datetime;
use servicetitan::prelude::*;
use servicetitan::types::{Date, Decimal};
use servicetitan_test_support::{builder, query, requests_to, token_server};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const JOBS: &str = "/jpm/v2/tenant/42/jobs";
const APPOINTMENTS: &str = "/jpm/v2/tenant/42/appointments";
const ESTIMATES: &str = "/sales/v2/tenant/42/estimates";
const PURCHASE_ORDERS: &str = "/inventory/v2/tenant/42/purchase-orders";
const EMPLOYEES: &str = "/settings/v2/tenant/42/employees";
const TECHNICIANS: &str = "/settings/v2/tenant/42/technicians";
const TAG_TYPES: &str = "/settings/v2/tenant/42/tag-types";
const BUSINESS_UNITS: &str = "/settings/v2/tenant/42/business-units";

async fn setup(timezone: &str) -> (MockServer, Client) {
    let server = token_server().await;
    let client = builder(&server).timezone(timezone).build().unwrap();
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
    let requests = requests_to(server, route).await;
    assert_eq!(requests.len(), 2);
    for request in &requests {
        let get = |name: &str| {
            let value = query(request, name);
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
        .appointments_starting_between(day, day, Activity::Any)
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
    assert_active(&server, APPOINTMENTS, "Any").await;
}

#[tokio::test]
async fn a_reversed_range_fails_before_any_request() {
    let (server, client) = setup("America/New_York").await;
    let data = DataService::new(&client);
    let result = data.jobs_completed_between(date(2024, 3, 10), date(2024, 3, 9));
    let Some(err @ Error::InvalidArgument { .. }) = result.err() else {
        panic!("expected InvalidArgument")
    };
    assert_eq!(
        err.to_string(),
        "invalid argument `last`: the date range ends (2024-03-09) before it starts (2024-03-10)"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// The value of query parameter `name` on every request to `route` (at least one).
async fn on_every_page(server: &MockServer, route: &str, name: &str) -> Vec<Option<String>> {
    let requests = requests_to(server, route).await;
    let values: Vec<_> = requests.iter().map(|r| query(r, name)).collect();
    assert!(!values.is_empty(), "no request to {route}");
    values
}

async fn assert_active(server: &MockServer, route: &str, expected: &str) {
    for value in on_every_page(server, route, "active").await {
        assert_eq!(value.as_deref(), Some(expected), "active on {route}");
    }
}

#[tokio::test]
async fn jobs_modified_between_uses_modified_bounds() {
    let (server, client) = setup("America/Chicago").await;
    mount_two_pages(&server, JOBS, (7, 8)).await;
    let data = DataService::new(&client);
    let jobs: Vec<_> = data
        .jobs_modified_between(date(2024, 1, 15), date(2024, 1, 16))
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(jobs.iter().map(|j| j.id).collect::<Vec<_>>(), [7, 8]);
    assert_bounds(
        &server,
        JOBS,
        ("modifiedOnOrAfter", "2024-01-15T06:00:00Z"),
        ("modifiedBefore", "2024-01-17T06:00:00Z"),
    )
    .await;
}

#[tokio::test]
async fn sold_estimates_between_uses_sold_bounds_and_active_any() {
    let (server, client) = setup("America/New_York").await;
    mount_two_pages(&server, ESTIMATES, (11, 12)).await;
    let data = DataService::new(&client);
    let day = date(2024, 3, 10);
    let estimates: Vec<_> = data
        .sold_estimates_between(day, day, Activity::Any)
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(estimates.iter().map(|e| e.id).collect::<Vec<_>>(), [11, 12]);
    assert_bounds(
        &server,
        ESTIMATES,
        ("soldAfter", "2024-03-10T05:00:00Z"),
        ("soldBefore", "2024-03-11T04:00:00Z"),
    )
    .await;
    assert_active(&server, ESTIMATES, "Any").await;
}

#[tokio::test]
async fn total_sales_between_sums_item_totals_of_active_sold_estimates_exactly() {
    let (server, client) = setup("America/Denver").await;
    let pages = [
        (
            1,
            true,
            json!([
                {"id": 1, "items": [{"id": 10, "total": 0.1}, {"id": 11, "total": 0.2}]},
                {"id": 2, "items": null}
            ]),
        ),
        (
            2,
            false,
            json!([
                {"id": 3, "items": [{"id": 12, "total": 1999.99}, {"id": 13, "total": null}]}
            ]),
        ),
    ];
    for (n, more, data) in pages {
        Mock::given(method("GET"))
            .and(path(ESTIMATES))
            .and(query_param("page", n.to_string()))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(
                    json!({"page": n, "pageSize": 2, "hasMore": more, "data": data}),
                ),
            )
            .expect(1)
            .mount(&server)
            .await;
    }
    let data = DataService::new(&client);
    let total = data
        .total_sales_between(date(2024, 6, 1), date(2024, 6, 30))
        .await
        .unwrap();
    assert_eq!(total, "2000.29".parse::<Decimal>().unwrap());
    assert_bounds(
        &server,
        ESTIMATES,
        ("soldAfter", "2024-06-01T06:00:00Z"),
        ("soldBefore", "2024-07-01T06:00:00Z"),
    )
    .await;
    assert_active(&server, ESTIMATES, "True").await;
}

#[tokio::test]
async fn purchase_orders_created_between_uses_created_bounds() {
    let (server, client) = setup("Europe/London").await;
    mount_two_pages(&server, PURCHASE_ORDERS, (21, 22)).await;
    let data = DataService::new(&client);
    let orders: Vec<_> = data
        .purchase_orders_created_between(date(2024, 3, 31), date(2024, 3, 31))
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(orders.iter().map(|o| o.id).collect::<Vec<_>>(), [21, 22]);
    // The day the clocks go forward in London: 23 hours, starting at midnight GMT.
    assert_bounds(
        &server,
        PURCHASE_ORDERS,
        ("createdOnOrAfter", "2024-03-31T00:00:00Z"),
        ("createdBefore", "2024-03-31T23:00:00Z"),
    )
    .await;
    for value in on_every_page(&server, PURCHASE_ORDERS, "active").await {
        assert_eq!(value, None, "the purchase-order list has no active filter");
    }
}

#[tokio::test]
async fn reference_lists_ask_for_inactive_records_too() {
    let (server, client) = setup("America/New_York").await;
    for (route, ids) in [
        (EMPLOYEES, (31, 32)),
        (TECHNICIANS, (33, 34)),
        (TAG_TYPES, (35, 36)),
        (BUSINESS_UNITS, (37, 38)),
    ] {
        mount_two_pages(&server, route, ids).await;
    }
    let data = DataService::new(&client);
    let employees: Vec<_> = data.employees(Activity::Any).try_collect().await.unwrap();
    assert_eq!(employees.iter().map(|r| r.id).collect::<Vec<_>>(), [31, 32]);
    let technicians: Vec<_> = data.technicians(Activity::Any).try_collect().await.unwrap();
    assert_eq!(
        technicians.iter().map(|r| r.id).collect::<Vec<_>>(),
        [33, 34]
    );
    let tag_types: Vec<_> = data.tag_types(Activity::Any).try_collect().await.unwrap();
    assert_eq!(tag_types.iter().map(|r| r.id).collect::<Vec<_>>(), [35, 36]);
    let units: Vec<_> = data
        .business_units(Activity::Any)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(units.iter().map(|r| r.id).collect::<Vec<_>>(), [37, 38]);
    for route in [EMPLOYEES, TECHNICIANS, TAG_TYPES, BUSINESS_UNITS] {
        assert_eq!(on_every_page(&server, route, "active").await.len(), 2);
        assert_active(&server, route, "Any").await;
    }
}

#[tokio::test]
async fn activity_maps_to_the_api_values() {
    let (server, client) = setup("America/New_York").await;
    Mock::given(method("GET"))
        .and(path(TECHNICIANS))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"page": 1, "pageSize": 50, "hasMore": false, "data": []})),
        )
        .mount(&server)
        .await;
    let data = DataService::new(&client);
    for activity in [Activity::Active, Activity::Inactive, Activity::Any] {
        let none: Vec<_> = data.technicians(activity).try_collect().await.unwrap();
        assert!(none.is_empty());
    }
    let sent: Vec<_> = on_every_page(&server, TECHNICIANS, "active").await;
    assert_eq!(
        sent,
        [
            Some("True".into()),
            Some("False".into()),
            Some("Any".into())
        ]
    );
}

#[tokio::test]
async fn a_reversed_sold_range_fails_before_any_request() {
    let (server, client) = setup("America/New_York").await;
    let data = DataService::new(&client);
    let result = data.sold_estimates_between(date(2024, 3, 10), date(2024, 3, 9), Activity::Any);
    assert!(matches!(result, Err(Error::InvalidArgument { .. })));
    let result = data.purchase_orders_created_between(date(2024, 3, 10), date(2024, 3, 9));
    assert!(matches!(result, Err(Error::InvalidArgument { .. })));
    assert!(server.received_requests().await.unwrap().is_empty());
}
