//! Report parameters checked against a report's definition before any run: names, types,
//! arrays, fixed value lists, formatting (no server needed).

mod support;

use chrono::{NaiveDate, NaiveTime};
use serde_json::json;
use servicetitan_core::Error;
use servicetitan_reporting::report::{ParamProblem, ReportParams};
use support::*;

fn problems(params: ReportParams) -> Vec<ParamProblem> {
    definition().validate(&params).unwrap_err().problems
}

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
fn params_errors_become_report_parameters_keeping_each_problem() {
    let err: Error = definition()
        .validate(&ReportParams::new().set("To", true))
        .unwrap_err()
        .into();
    let Error::ReportParameters(params) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (params.report_id, params.report_name.as_deref()),
        (175, Some("Revenue"))
    );
    assert!(
        matches!(&params.problems[..], [ParamProblem::WrongType { name, .. }, ParamProblem::Missing { name: missing, .. }] if name == "To" && missing == "From"),
        "{:?}",
        params.problems
    );
    assert_eq!(
        err.to_string(),
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
