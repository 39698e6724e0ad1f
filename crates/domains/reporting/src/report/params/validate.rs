//! Checking [`ReportParams`] against a [`ReportDefinition`] before anything is sent.

use chrono::{NaiveDate, NaiveTime};
use serde_json::Value;

use super::value::Repr;
use super::{ParamProblem, ParamValue, ParamsError, ReportParams, DATE_FORMAT, TIME_FORMAT};
use crate::report::ReportDefinition;
use crate::types::{
    DataType, ReportDataParameter, ReportDataParameterRequired, ReportDataRequest,
    ReportDataRequestRequired, ReportParameter,
};

/// How many accepted values an error message lists before eliding the rest.
const LISTED_VALUES: usize = 20;

/// `Date (YYYY-MM-DD)`, `array of Number`, …
fn expected(param: &ReportParameter) -> String {
    let element = match &param.data_type {
        Some(DataType::Date) => "Date (YYYY-MM-DD)".to_owned(),
        Some(DataType::Time) => "Time (HH:MM:SS)".to_owned(),
        Some(t) => t.as_str().to_owned(),
        None => "any value".to_owned(),
    };
    if param.is_array.unwrap_or(false) {
        format!("array of {element}")
    } else {
        element
    }
}

/// A scalar value checked against the parameter's data type and formatted for the API.
fn element(
    name: &str,
    index: Option<usize>,
    data_type: Option<&DataType>,
    value: &ParamValue,
    expected_text: &str,
) -> Result<Value, ParamProblem> {
    let wrong = |found: String| ParamProblem::WrongType {
        name: name.to_owned(),
        index,
        expected: expected_text.to_owned(),
        found,
    };
    let kind = || format!("{} {}", value.kind(), value.shown());
    match (&value.0, data_type) {
        (Repr::Array(_), _) => Err(wrong(format!("a nested array {}", value.shown()))),
        (Repr::NonFinite(v), _) => Err(wrong(format!("the non-finite number {v}"))),
        // Unknown or missing data type: the value as it is.
        (_, None | Some(DataType::Unknown(_))) => Ok(value.to_json()),
        (Repr::String(s), Some(DataType::String)) => Ok(Value::String(s.clone())),
        (Repr::Number(n), Some(DataType::Number)) => Ok(Value::Number(n.clone())),
        (Repr::Boolean(b), Some(DataType::Boolean)) => Ok(Value::Bool(*b)),
        (Repr::Date(d), Some(DataType::Date)) => {
            Ok(Value::String(d.format(DATE_FORMAT).to_string()))
        }
        (Repr::String(s), Some(DataType::Date)) => NaiveDate::parse_from_str(s.trim(), DATE_FORMAT)
            .map(|d| Value::String(d.format(DATE_FORMAT).to_string()))
            .map_err(|_| wrong(format!("text {s:?} that is not a YYYY-MM-DD date"))),
        (Repr::Time(t), Some(DataType::Time)) => {
            Ok(Value::String(t.format(TIME_FORMAT).to_string()))
        }
        (Repr::String(s), Some(DataType::Time)) => NaiveTime::parse_from_str(s.trim(), TIME_FORMAT)
            .or_else(|_| NaiveTime::parse_from_str(s.trim(), "%H:%M"))
            .map(|t| Value::String(t.format(TIME_FORMAT).to_string()))
            .map_err(|_| wrong(format!("text {s:?} that is not an HH:MM:SS time"))),
        _ => Err(wrong(kind())),
    }
}

/// `"5"` and `5` name the same key in a list of accepted values.
fn same_key(a: &Value, b: &Value) -> bool {
    fn plain(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
    a == b || plain(a) == plain(b)
}

/// The value `given` of parameter `param`, checked and formatted.
fn check(param: &ReportParameter, name: &str, given: &ParamValue) -> Result<Value, ParamProblem> {
    let expected_text = expected(param);
    let data_type = param.data_type.as_ref();
    let value = match (&given.0, param.is_array.unwrap_or(false)) {
        (Repr::Array(_), false) => {
            return Err(ParamProblem::ArrayNotAllowed {
                name: name.to_owned(),
                expected: expected_text,
            })
        }
        (Repr::Array(items), true) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| element(name, Some(i), data_type, item, &expected_text))
                .collect::<Result<_, _>>()?,
        ),
        // One value for an array parameter is sent as an array of one.
        (_, true) => Value::Array(vec![element(name, None, data_type, given, &expected_text)?]),
        (_, false) => element(name, None, data_type, given, &expected_text)?,
    };
    accepted(param, name, &value)?;
    Ok(value)
}

/// Checks `value` against the parameter's fixed list of accepted values, if it has one (a
/// dynamic value set is not fetched: the server checks those).
fn accepted(param: &ReportParameter, name: &str, value: &Value) -> Result<(), ParamProblem> {
    let Some(possible) = &param.accept_values else {
        return Ok(());
    };
    let Some(rows) = possible.values.as_ref().filter(|rows| !rows.is_empty()) else {
        return Ok(());
    };
    if possible.dynamic_set_id.is_some() {
        return Ok(());
    }
    let keys: Vec<&Value> = rows.iter().filter_map(|row| row.first()).collect();
    let given: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for v in given {
        if !keys.iter().any(|k| same_key(k, v)) {
            let mut listed: Vec<String> = rows
                .iter()
                .take(LISTED_VALUES)
                .filter_map(|row| {
                    let key = row.first()?;
                    Some(match row.get(1) {
                        Some(Value::String(label)) => format!("{key} ({label})"),
                        _ => key.to_string(),
                    })
                })
                .collect();
            if rows.len() > LISTED_VALUES {
                listed.push(format!("… {} more", rows.len() - LISTED_VALUES));
            }
            return Err(ParamProblem::NotAccepted {
                name: name.to_owned(),
                value: v.to_string(),
                accepted: listed,
            });
        }
    }
    Ok(())
}

/// The valid name closest to `name`: the same name in another case, or a near spelling.
fn suggest<'a>(name: &str, valid: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    if let Some(same) = valid.iter().find(|v| v.to_lowercase() == lower) {
        return Some(same);
    }
    valid
        .iter()
        .map(|v| (strsim::jaro_winkler(&lower, &v.to_lowercase()), *v))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, v)| v)
}

impl ReportDefinition {
    /// Checks `params` against this report's parameters and builds the request body: every
    /// required parameter is set, every name is one of the report's, every value has the
    /// parameter's data type (a date parameter also takes `YYYY-MM-DD` text, a time parameter
    /// `HH:MM[:SS]` text), arrays only where the parameter is an array (a single value for an
    /// array parameter is sent as an array of one), and values from a fixed list of accepted
    /// values are in it. Dates are sent as `YYYY-MM-DD`, times as `HH:MM:SS`.
    ///
    /// Every problem is reported at once, each naming its parameter.
    pub fn validate(&self, params: &ReportParams) -> Result<ReportDataRequest, ParamsError> {
        let valid: Vec<&str> = self
            .parameters
            .iter()
            .filter_map(|p| p.name.as_deref())
            .collect();
        let mut problems = Vec::new();
        let mut parameters = Vec::new();
        for (name, given) in params.iter() {
            let Some(param) = self.parameter(name) else {
                problems.push(ParamProblem::Unknown {
                    name: name.to_owned(),
                    suggestion: suggest(name, &valid).map(str::to_owned),
                    valid: valid.iter().map(|v| (*v).to_owned()).collect(),
                });
                continue;
            };
            match check(param, name, given) {
                Ok(value) => parameters.push(
                    ReportDataParameter::new(ReportDataParameterRequired {
                        name: name.to_owned(),
                    })
                    .value(value),
                ),
                Err(problem) => problems.push(problem),
            }
        }
        for param in &self.parameters {
            let Some(name) = param.name.as_deref() else {
                continue;
            };
            if param.is_required.unwrap_or(false) && params.get(name).is_none() {
                problems.push(ParamProblem::Missing {
                    name: name.to_owned(),
                    expected: expected(param),
                });
            }
        }
        if problems.is_empty() {
            Ok(ReportDataRequest::new(ReportDataRequestRequired {
                parameters,
            }))
        } else {
            Err(ParamsError {
                report_id: self.id,
                report_name: self.name.clone(),
                problems,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ReportResponse;
    use serde_json::json;

    fn definition(parameters: Value) -> ReportDefinition {
        let response: ReportResponse =
            serde_json::from_value(json!({"id": 9, "parameters": parameters})).unwrap();
        ReportDefinition::from_response("c", response)
    }

    #[test]
    fn conversions_cover_slices_arrays_and_floats() {
        let d = definition(json!([
            {"name": "Ids", "dataType": "Number", "isArray": true},
            {"name": "Ratio", "dataType": "Number", "isArray": false},
            {"name": "Names", "dataType": "String", "isArray": true}
        ]));
        let ids: &[u64] = &[3, 4];
        let params = ReportParams::new()
            .set("Ids", ids)
            .set("Ratio", 0.5f32)
            .set("Names", ["a", "b"])
            .set_opt("Ratio", Some(0.25));
        let request = d.validate(&params).unwrap();
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({"parameters": [
                {"name": "Ids", "value": [3, 4]},
                {"name": "Ratio", "value": 0.25},
                {"name": "Names", "value": ["a", "b"]}
            ]})
        );
        assert_eq!(params.to_request_unchecked(), request);
        assert_eq!(ParamValue::from(ids).kind(), "array");
    }

    #[test]
    fn unchecked_requests_format_dates_and_times_too() {
        let params = ReportParams::new()
            .set("D", NaiveDate::from_ymd_opt(2024, 5, 6).unwrap())
            .set("T", NaiveTime::from_hms_opt(1, 2, 3).unwrap());
        assert_eq!(
            serde_json::to_value(params.to_request_unchecked()).unwrap(),
            json!({"parameters": [{"name": "D", "value": "2024-05-06"}, {"name": "T", "value": "01:02:03"}]})
        );
    }

    #[test]
    fn accepted_keys_match_across_number_and_text_and_long_lists_are_elided() {
        let values: Vec<Value> = (1..=25)
            .map(|i| json!([i.to_string(), format!("U{i}")]))
            .collect();
        let d = definition(json!([
            {"name": "Unit", "dataType": "Number", "isArray": true,
             "acceptValues": {"fields": [], "values": values}}
        ]));
        assert!(d
            .validate(&ReportParams::new().set("Unit", vec![5, 25]))
            .is_ok());
        let err = d
            .validate(&ReportParams::new().set("Unit", vec![5, 26]))
            .unwrap_err();
        let ParamProblem::NotAccepted {
            value, accepted, ..
        } = &err.problems[0]
        else {
            panic!("{err:?}")
        };
        assert_eq!(value, "26");
        assert_eq!(accepted.len(), 21);
        assert_eq!(accepted[0], "\"1\" (U1)");
        assert_eq!(accepted[20], "… 5 more");
    }

    #[test]
    fn values_of_a_dynamic_set_are_left_to_the_server() {
        let d = definition(json!([
            {"name": "Unit", "dataType": "Number", "isArray": false,
             "acceptValues": {"fields": [], "dynamicSetId": "bu", "values": [[1, "North"]]}}
        ]));
        assert!(d.validate(&ReportParams::new().set("Unit", 2)).is_ok());
    }

    #[test]
    fn a_parameter_without_data_type_takes_any_value() {
        let d = definition(json!([{"name": "X", "isRequired": true}]));
        assert!(d.validate(&ReportParams::new().set("X", true)).is_ok());
        assert_eq!(
            d.validate(&ReportParams::new()).unwrap_err().to_string(),
            "report 9: required parameter `X` (any value) is missing"
        );
    }

    #[test]
    fn a_report_without_parameters_says_so() {
        let d = definition(json!([]));
        assert_eq!(
            d.validate(&ReportParams::new().set("X", 1))
                .unwrap_err()
                .problems[0]
                .to_string(),
            "unknown parameter `X`; this report takes no parameters"
        );
    }
}
