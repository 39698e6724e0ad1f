//! Report helpers against a loopback wiremock server: listing, definitions, parameter validation
//! before any run, multi-page runs as records and as a user's type, the request body sent, and
//! the per-report limit and 409 retry of the transport.

use std::time::Duration;

use chrono::{NaiveDate, NaiveTime};
use futures::{StreamExt, TryStreamExt};
use serde_json::{json, Value};
use servicetitan_core::config::EnvSource;
use servicetitan_core::{Client, ClientBuilder, Error};
use servicetitan_reporting::report::{ParamProblem, ReportDefinition, ReportParams};
use servicetitan_reporting::types::ReportResponse;
use servicetitan_reporting::Api;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const BASE: &str = "/reporting/v2/tenant/1";
const DEFINITION: &str = "/reporting/v2/tenant/1/report-category/operations/reports/175";
const DATA: &str = "/reporting/v2/tenant/1/report-category/operations/reports/175/data";

fn definition_json() -> Value {
    json!({
        "id": 175,
        "name": "Revenue",
        "description": "Revenue by business unit",
        "modifiedOn": "2024-03-01T10:00:00Z",
        "parameters": [
            {"name": "From", "label": "From", "dataType": "Date", "isArray": false, "isRequired": true},
            {"name": "To", "label": "To", "dataType": "Date", "isArray": false, "isRequired": true},
            {"name": "BusinessUnitIds", "label": "Business units", "dataType": "Number",
             "isArray": true, "isRequired": false,
             "acceptValues": {"fields": [{"name": "Value", "label": "Value"}, {"name": "Name", "label": "Name"}],
                              "dynamicSetId": "business-units"}},
            {"name": "IncludeInactive", "label": "Inactive", "dataType": "Boolean", "isArray": false, "isRequired": false},
            {"name": "StartTime", "label": "Start", "dataType": "Time", "isArray": false, "isRequired": false},
            {"name": "Status", "label": "Status", "dataType": "String", "isArray": false, "isRequired": false,
             "acceptValues": {"fields": [{"name": "Value", "label": "Value"}, {"name": "Name", "label": "Name"}],
                              "values": [["Open", "Open jobs"], ["Closed", "Closed jobs"]]}},
            {"name": "Zone", "label": "Zone", "dataType": "Polygon", "isArray": false, "isRequired": false}
        ],
        "fields": [
            {"name": "BusinessUnitName", "label": "Business Unit", "dataType": "String"},
            {"name": "TotalRevenue", "label": "Total Revenue", "dataType": "Number"},
            {"name": "JobDate", "label": "Date", "dataType": "Date"}
        ]
    })
}

fn definition() -> ReportDefinition {
    let response: ReportResponse = serde_json::from_value(definition_json()).unwrap();
    ReportDefinition::from_response("operations", response)
}

fn valid_params() -> ReportParams {
    ReportParams::new()
        .set("From", NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())
        .set("To", "2024-01-31")
}

fn http() -> reqwest::ClientBuilder {
    // No idle-pool timers: with paused tokio time they would make the runtime jump ahead.
    reqwest::Client::builder().pool_idle_timeout(None)
}

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .client_id("id")
        .client_secret("s")
        .app_key("k")
        .tenant_id(1)
        .auth_url(server.uri())
        .api_url(server.uri())
        .env_source(EnvSource::empty())
        .no_dotenv()
        .http_client(http())
        .request_timeout(None)
        .rate_limit(None)
        .report_rate_limit(None)
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "t", "expires_in": 900, "token_type": "Bearer"
        })))
        .mount(&server)
        .await;
    server
}

async fn mount_definition(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(DEFINITION))
        .respond_with(ResponseTemplate::new(200).set_body_json(definition_json()))
        .mount(server)
        .await;
}

fn page(n: i32, has_more: bool, fields: bool, rows: Value) -> ResponseTemplate {
    let mut body = json!({"page": n, "pageSize": 2, "hasMore": has_more, "data": rows});
    if fields {
        body["fields"] = json!([
            {"name": "BusinessUnitName", "label": "Business Unit"},
            {"name": "TotalRevenue", "label": "Total Revenue"},
            {"name": "JobDate", "label": "Date"}
        ]);
    }
    ResponseTemplate::new(200).set_body_json(body)
}

/// Three pages (page 2 without a `fields` list), and a fourth that must never be requested.
async fn mount_three_pages(server: &MockServer) {
    let rows = [
        json!([
            ["HVAC", 100.5, "2024-01-02"],
            ["Plumbing", 200, "2024-01-03"]
        ]),
        json!([
            ["Electrical", 300.25, "2024-01-04"],
            ["Roofing", 0, "2024-01-05"]
        ]),
        json!([["Solar", 50, "2024-01-06"]]),
    ];
    for (i, rows) in rows.into_iter().enumerate() {
        let n = i as i32 + 1;
        Mock::given(method("POST"))
            .and(path(DATA))
            .and(query_param("page", n.to_string()))
            .respond_with(page(n, n < 3, n != 2, rows))
            .expect(1)
            .mount(server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(DATA))
        .and(query_param("page", "4"))
        .respond_with(page(4, false, true, json!([])))
        .expect(0)
        .mount(server)
        .await;
}

async fn data_requests(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == DATA)
        .collect()
}

fn problems(params: ReportParams) -> Vec<ParamProblem> {
    definition().validate(&params).unwrap_err().problems
}

// ---------------------------------------------------------------------------------------------
// Validation (no server needed)

#[test]
fn missing_required_parameters_are_named_with_their_type() {
    let problems = problems(ReportParams::new().set("To", "2024-01-31"));
    assert_eq!(
        problems,
        vec![ParamProblem::Missing {
            name: "From".into(),
            expected: "Date (YYYY-MM-DD)".into()
        }]
    );
    assert_eq!(
        problems[0].to_string(),
        "required parameter `From` (Date (YYYY-MM-DD)) is missing"
    );
}

#[test]
fn wrong_types_are_named() {
    let problems = problems(
        valid_params()
            .set("IncludeInactive", "yes")
            .set("Status", 3)
            .set("From", 20240101),
    );
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "parameter `From` expects Date (YYYY-MM-DD), got Number 20240101",
            "parameter `IncludeInactive` expects Boolean, got String \"yes\"",
            "parameter `Status` expects String, got Number 3",
        ]
    );
}

#[test]
fn array_elements_of_the_wrong_type_are_named_by_position() {
    let problems = problems(valid_params().set("BusinessUnitIds", vec!["1"]));
    assert_eq!(
        problems,
        vec![ParamProblem::WrongType {
            name: "BusinessUnitIds".into(),
            index: Some(0),
            expected: "array of Number".into(),
            found: "String \"1\"".into(),
        }]
    );
}

#[test]
fn arrays_only_where_the_parameter_is_an_array() {
    let problems = problems(valid_params().set("Status", vec!["Open", "Closed"]));
    assert_eq!(
        problems,
        vec![ParamProblem::ArrayNotAllowed {
            name: "Status".into(),
            expected: "String".into()
        }]
    );
    assert_eq!(
        problems[0].to_string(),
        "parameter `Status` takes a single value (String), not an array"
    );
}

#[test]
fn unknown_names_are_rejected_with_a_suggestion_and_the_valid_names() {
    let problems = problems(
        valid_params()
            .set("BusinessUnitId", vec![1])
            .set("status", "Open")
            .set("Colour", "red"),
    );
    let valid: Vec<String> = [
        "From",
        "To",
        "BusinessUnitIds",
        "IncludeInactive",
        "StartTime",
        "Status",
        "Zone",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(
        problems,
        vec![
            ParamProblem::Unknown {
                name: "BusinessUnitId".into(),
                suggestion: Some("BusinessUnitIds".into()),
                valid: valid.clone()
            },
            ParamProblem::Unknown {
                name: "status".into(),
                suggestion: Some("Status".into()),
                valid: valid.clone()
            },
            ParamProblem::Unknown {
                name: "Colour".into(),
                suggestion: None,
                valid
            },
        ]
    );
    assert_eq!(
        problems[0].to_string(),
        "unknown parameter `BusinessUnitId` (did you mean `BusinessUnitIds`?); valid parameters: \
         From, To, BusinessUnitIds, IncludeInactive, StartTime, Status, Zone"
    );
}

#[test]
fn date_and_time_text_must_be_well_formed() {
    let problems = problems(
        ReportParams::new()
            .set("From", "01/02/2024")
            .set("To", "2024-01-31")
            .set("StartTime", "7 am"),
    );
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "parameter `From` expects Date (YYYY-MM-DD), got text \"01/02/2024\" that is not a YYYY-MM-DD date",
            "parameter `StartTime` expects Time (HH:MM:SS), got text \"7 am\" that is not an HH:MM:SS time",
        ]
    );
}

#[test]
fn non_finite_numbers_and_nested_arrays_are_refused() {
    let problems = problems(valid_params().set(
        "BusinessUnitIds",
        servicetitan_reporting::report::ParamValue::array([
            servicetitan_reporting::report::ParamValue::from(f64::NAN),
            vec![1, 2].into(),
        ]),
    ));
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        ["parameter `BusinessUnitIds` element 0 expects array of Number, got the non-finite number NaN"]
    );
    let problems = problems_of_nested();
    assert_eq!(
        problems,
        ["parameter `BusinessUnitIds` element 0 expects array of Number, got a nested array [1,2]"]
    );
}

fn problems_of_nested() -> Vec<String> {
    problems(valid_params().set("BusinessUnitIds", vec![vec![1, 2]]))
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn values_outside_a_fixed_list_are_refused_with_the_accepted_values() {
    let problems = problems(valid_params().set("Status", "Pending"));
    assert_eq!(
        problems[0].to_string(),
        "parameter `Status` does not accept \"Pending\"; accepted values: \"Open\" (Open jobs), \
         \"Closed\" (Closed jobs)"
    );
    assert!(definition()
        .validate(&valid_params().set("Status", "Closed"))
        .is_ok());
}

#[test]
fn values_are_formatted_the_way_the_api_expects() {
    let request = definition()
        .validate(
            &ReportParams::new()
                .set("From", NaiveDate::from_ymd_opt(2024, 2, 3).unwrap())
                .set("To", " 2024-2-9 ")
                .set("StartTime", NaiveTime::from_hms_opt(7, 5, 0).unwrap())
                .set("BusinessUnitIds", 7) // one value for an array parameter
                .set("IncludeInactive", false)
                .set("Zone", json!(1.5).as_f64().unwrap()) // unknown data type: as given
                .set_opt("Status", None::<&str>),
        )
        .unwrap();
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({"parameters": [
            {"name": "From", "value": "2024-02-03"},
            {"name": "To", "value": "2024-02-09"},
            {"name": "StartTime", "value": "07:05:00"},
            {"name": "BusinessUnitIds", "value": [7]},
            {"name": "IncludeInactive", "value": false},
            {"name": "Zone", "value": 1.5}
        ]})
    );
    let request = definition()
        .validate(&valid_params().set("StartTime", "16:30"))
        .unwrap();
    assert_eq!(request.parameters[2].value, Some(json!("16:30:00")));
}

#[test]
fn setting_a_name_again_replaces_the_value() {
    let params = valid_params()
        .set("From", "2023-12-01")
        .set("From", "2023-12-02");
    assert_eq!(params.len(), 2);
    let request = definition().validate(&params).unwrap();
    assert_eq!(request.parameters[0].value, Some(json!("2023-12-02")));
}

#[test]
fn params_errors_become_invalid_request_naming_the_report() {
    let err: Error = definition()
        .validate(&ReportParams::new().set("To", true))
        .unwrap_err()
        .into();
    let Error::InvalidRequest(message) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        message,
        "report 175 (\"Revenue\"): parameter `To` expects Date (YYYY-MM-DD), got Boolean true; \
         required parameter `From` (Date (YYYY-MM-DD)) is missing"
    );
}

#[test]
fn definition_exposes_parameters_and_fields() {
    let d = definition();
    assert_eq!(d.category, "operations");
    assert_eq!(d.id, 175);
    assert_eq!(d.name.as_deref(), Some("Revenue"));
    assert!(d.modified_on.is_some());
    let required: Vec<_> = d
        .required_parameters()
        .filter_map(|p| p.name.as_deref())
        .collect();
    assert_eq!(required, ["From", "To"]);
    assert_eq!(d.parameter("BusinessUnitIds").unwrap().is_array, Some(true));
    assert_eq!(
        d.parameter("BusinessUnitIds")
            .unwrap()
            .accept_values
            .as_ref()
            .unwrap()
            .dynamic_set_id
            .as_deref(),
        Some("business-units")
    );
    assert!(d.parameter("from").is_none());
    assert_eq!(
        d.field_names(),
        ["BusinessUnitName", "TotalRevenue", "JobDate"]
    );
    assert_eq!(d.parameter_names().len(), 7);
}

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
    let Error::InvalidRequest(message) = &err else {
        panic!("{err:?}")
    };
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
