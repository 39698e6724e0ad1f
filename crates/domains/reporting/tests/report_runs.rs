//! Report runs against a loopback wiremock server: listing, definitions, multi-page runs as
//! records and as a user's type, the request body sent, and the per-report limit and 409 retry
//! of the transport.

mod support;

use std::time::Duration;

use chrono::{NaiveDate, NaiveTime};
use futures::{StreamExt, TryStreamExt};
use serde_json::{json, Value};
use servicetitan_core::Error;
use servicetitan_reporting::report::ReportParams;
use servicetitan_reporting::Api;
use support::*;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

// ---------------------------------------------------------------------------------------------
// Against the local server

#[derive(serde::Deserialize, Debug, PartialEq)]
#[serde(rename_all = "PascalCase")]
struct Revenue {
    business_unit_name: String,
    total_revenue: f64,
    job_date: NaiveDate,
}

#[tokio::test]
async fn a_multi_page_run_reads_into_a_struct_and_stops_on_has_more_false() {
    let server = server().await;
    mount_definition(&server).await;
    mount_three_pages(&server).await;
    let client = builder(&server).build().unwrap();
    let api = Api::new(&client);

    let rows: Vec<Revenue> = api
        .run_report_as::<Revenue>("operations", 175, valid_params())
        .try_collect()
        .await
        .unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r.business_unit_name.as_str()).collect();
    assert_eq!(
        names,
        ["HVAC", "Plumbing", "Electrical", "Roofing", "Solar"]
    );
    assert_eq!(
        rows[2],
        Revenue {
            business_unit_name: "Electrical".into(),
            total_revenue: 300.25,
            job_date: NaiveDate::from_ymd_opt(2024, 1, 4).unwrap(),
        }
    );
    // Pages 1..=3 exactly once each (page 4 `expect(0)`), each with the same body.
    let requests = data_requests(&server).await;
    assert_eq!(requests.len(), 3);
    for r in &requests {
        assert_eq!(
            r.body_json::<Value>().unwrap(),
            json!({"parameters": [
                {"name": "From", "value": "2024-01-01"},
                {"name": "To", "value": "2024-01-31"}
            ]})
        );
    }
    server.verify().await;
}

#[tokio::test]
async fn rows_are_keyed_by_field_names_and_pages_are_fetched_lazily() {
    let server = server().await;
    mount_definition(&server).await;
    mount_three_pages(&server).await;
    let client = builder(&server).build().unwrap();
    let api = Api::new(&client);

    let rows = api.run_report("operations", 175, valid_params()).stream();
    futures::pin_mut!(rows);
    let first = rows.try_next().await.unwrap().unwrap();
    assert_eq!(
        Value::Object(first),
        json!({"BusinessUnitName": "HVAC", "TotalRevenue": 100.5, "JobDate": "2024-01-02"})
    );
    // One row read: only the first page was requested.
    assert_eq!(data_requests(&server).await.len(), 1);

    let rest: Vec<_> = rows.try_collect().await.unwrap();
    assert_eq!(rest.len(), 4);
    // Page 2 came without `fields`: keyed by the previous page's.
    assert_eq!(
        Value::Object(rest[1].clone()),
        json!({"BusinessUnitName": "Electrical", "TotalRevenue": 300.25, "JobDate": "2024-01-04"})
    );
}

#[tokio::test]
async fn the_request_body_and_page_size_are_sent() {
    let server = server().await;
    mount_definition(&server).await;
    Mock::given(method("POST"))
        .and(path(DATA))
        .and(query_param("page", "1"))
        .and(query_param("pageSize", "500"))
        .and(body_json(json!({"parameters": [
            {"name": "From", "value": "2024-01-01"},
            {"name": "To", "value": "2024-01-31"},
            {"name": "BusinessUnitIds", "value": [1, 2]},
            {"name": "StartTime", "value": "08:00:00"},
            {"name": "IncludeInactive", "value": true}
        ]})))
        .respond_with(page(1, false, true, json!([["HVAC", 1, "2024-01-02"]])))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let api = Api::new(&client);
    let params = valid_params()
        .set("BusinessUnitIds", vec![1, 2])
        .set("StartTime", NaiveTime::from_hms_opt(8, 0, 0).unwrap())
        .set("IncludeInactive", true);
    let pages: Vec<_> = api
        .run_report("operations", 175, params)
        .page_size(500)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].page, Some(1));
    assert!(!pages[0].has_more);
    assert_eq!(
        pages[0].fields,
        ["BusinessUnitName", "TotalRevenue", "JobDate"]
    );
    assert_eq!(pages[0].rows.len(), 1);
    server.verify().await;
}

#[tokio::test]
async fn invalid_parameters_end_the_run_before_any_data_request() {
    let server = server().await;
    mount_definition(&server).await;
    Mock::given(method("POST"))
        .and(path(DATA))
        .respond_with(page(1, false, true, json!([])))
        .expect(0)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let api = Api::new(&client);

    let err = api
        .run_report(
            "operations",
            175,
            ReportParams::new().set("From", "2024-01-01").set("Form", 1),
        )
        .collect_all()
        .await
        .unwrap_err();
    let Error::ReportParameters(params) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(params.problems.len(), 2, "{params}");
    let message = err.to_string();
    assert!(
        message.contains("unknown parameter `Form` (did you mean `From`?)"),
        "{message}"
    );
    assert!(
        message.contains("required parameter `To` (Date (YYYY-MM-DD)) is missing"),
        "{message}"
    );
    server.verify().await;
}

#[tokio::test]
async fn a_known_definition_is_not_read_again() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(DEFINITION))
        .respond_with(ResponseTemplate::new(200).set_body_json(definition_json()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(DATA))
        .respond_with(page(1, false, true, json!([["HVAC", 1, "2024-01-02"]])))
        .expect(2)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let api = Api::new(&client);

    // A run that is never polled requests nothing.
    drop(api.run_report("operations", 175, valid_params()).stream());
    assert!(server.received_requests().await.unwrap().is_empty());

    let definition = api.report_definition("operations", 175).await.unwrap();
    assert_eq!(definition.parameter_names().len(), 7);
    let rows = definition
        .run(&api, valid_params())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let rows = api
        .run_report("operations", 175, valid_params())
        .with_definition(definition.clone())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    server.verify().await;
}

#[tokio::test]
async fn a_row_that_does_not_fit_the_type_names_its_position_across_pages() {
    let server = server().await;
    mount_definition(&server).await;
    Mock::given(method("POST"))
        .and(path(DATA))
        .and(query_param("page", "1"))
        .respond_with(page(
            1,
            true,
            true,
            json!([["A", 1, "2024-01-01"], ["B", 2, "2024-01-01"]]),
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(DATA))
        .and(query_param("page", "2"))
        .respond_with(page(
            2,
            false,
            true,
            json!([["C", 3, "2024-01-01"], ["D", "n/a", "2024-01-01"]]),
        ))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let api = Api::new(&client);
    let results: Vec<Result<Revenue, Error>> = api
        .run_report_as::<Revenue>("operations", 175, valid_params())
        .collect()
        .await;
    assert_eq!(results.len(), 4);
    assert!(results[..3].iter().all(Result::is_ok));
    let err = results[3].as_ref().unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("report row 3 into"), "{text}");
    assert!(text.contains("\"TotalRevenue\":\"n/a\""), "{text}");
}

#[tokio::test]
async fn categories_reports_and_dynamic_values_are_listed_across_pages() {
    let server = server().await;
    for (n, more, items) in [
        (1, true, json!([{"id": "operations", "name": "Operations"}])),
        (2, false, json!([{"id": "marketing", "name": "Marketing"}])),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("{BASE}/report-categories")))
            .and(query_param("page", n.to_string()))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(
                    json!({"page": n, "pageSize": 1, "hasMore": more, "data": items}),
                ),
            )
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path(format!("{BASE}/report-category/operations/reports")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "page": 1, "pageSize": 50, "hasMore": false,
            "data": [{"id": 175, "name": "Revenue", "description": null}, {"id": 176, "name": "Jobs"}]
        })))
        .mount(&server)
        .await;
    for (n, more, fields, rows) in [
        (1, true, true, json!([[1, "North"]])),
        (2, false, false, json!([[2, "South"]])),
    ] {
        let mut body = json!({"page": n, "pageSize": 1, "hasMore": more, "data": rows});
        if fields {
            body["fields"] =
                json!([{"name": "Value", "label": "Value"}, {"name": "Name", "label": "Name"}]);
        }
        Mock::given(method("GET"))
            .and(path(format!("{BASE}/dynamic-value-sets/business-units")))
            .and(query_param("page", n.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    let client = builder(&server).build().unwrap();
    let api = Api::new(&client);

    let categories: Vec<_> = api.report_categories().try_collect().await.unwrap();
    let ids: Vec<&str> = categories.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["operations", "marketing"]);

    let reports: Vec<_> = api.reports_in("operations").try_collect().await.unwrap();
    let ids: Vec<i64> = reports.iter().map(|r| r.id).collect();
    assert_eq!(ids, [175, 176]);

    let values: Vec<_> = api
        .dynamic_values("business-units")
        .try_collect()
        .await
        .unwrap();
    let values: Vec<Value> = values.into_iter().map(Value::Object).collect();
    assert_eq!(
        values,
        [
            json!({"Value": 1, "Name": "North"}),
            json!({"Value": 2, "Name": "South"})
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Through the transport: per-report limit and 409 retry

#[tokio::test(start_paused = true)]
async fn each_page_of_a_run_goes_through_the_per_report_limit() {
    let server = server().await;
    mount_definition(&server).await;
    mount_three_pages(&server).await;
    let client = builder(&server).report_rate_limit(Some(5)).build().unwrap();
    client.access_token().await.unwrap();
    let api = Api::new(&client);

    let start = tokio::time::Instant::now();
    let rows = api
        .run_report("operations", 175, valid_params())
        .synchronous(true)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(rows.len(), 5);
    // 5 runs/min: the three pages are 12 s apart.
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_secs(24) && elapsed < Duration::from_secs(25),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_page_answered_409_is_retried() {
    let server = server().await;
    mount_definition(&server).await;
    Mock::given(method("POST"))
        .and(path(DATA))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({
            "type": "conflict", "title": "The report is already running", "status": 409
        })))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(DATA))
        .respond_with(page(1, false, true, json!([["HVAC", 1, "2024-01-02"]])))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let api = Api::new(&client);
    let rows = api
        .run_report("operations", 175, valid_params())
        .collect_all()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    server.verify().await;
}
