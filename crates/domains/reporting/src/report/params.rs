//! Report parameters: typed values ([`ParamValue`]), the [`ReportParams`] builder, and
//! validation against a [`ReportDefinition`](super::ReportDefinition) before anything is sent
//! ([`ParamProblem`], [`ParamsError`]).

mod validate;
mod value;

// Defined in the core so that `Error::ReportParameters` carries them as data.
pub use servicetitan_core::error::{ParamProblem, ParamsError};
pub use value::ParamValue;

use crate::types::{
    ReportDataParameter, ReportDataParameterRequired, ReportDataRequest, ReportDataRequestRequired,
};

/// How dates are sent: `YYYY-MM-DD`.
pub const DATE_FORMAT: &str = "%Y-%m-%d";
/// How times are sent: `HH:MM:SS` (24 h).
pub const TIME_FORMAT: &str = "%H:%M:%S";

/// The parameters of one report run, by name, checked against the report's definition before
/// the run ([`ReportDefinition::validate`](super::ReportDefinition::validate), done by every
/// [`Api::run_report`](crate::Api::run_report)).
///
/// ```
/// use servicetitan_reporting::report::ReportParams;
/// use chrono::NaiveDate;
///
/// let params = ReportParams::new()
///     .set("From", NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())
///     .set("To", "2024-01-31") // a date parameter also takes YYYY-MM-DD text
///     .set("BusinessUnitIds", vec![1, 2]);
/// assert_eq!(params.len(), 3);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportParams {
    values: Vec<(String, ParamValue)>,
}

impl ReportParams {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets parameter `name` (exactly as the report definition spells it) to `value`, replacing
    /// an earlier value of the same name.
    pub fn set(mut self, name: impl Into<String>, value: impl Into<ParamValue>) -> Self {
        let name = name.into();
        let value = value.into();
        match self.values.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.values.push((name, value)),
        }
        self
    }

    /// Sets `name` when `value` is `Some`, leaves the parameters unchanged otherwise.
    pub fn set_opt<V: Into<ParamValue>>(self, name: impl Into<String>, value: Option<V>) -> Self {
        match value {
            Some(v) => self.set(name, v),
            None => self,
        }
    }

    /// The value set for `name`.
    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.values.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The parameters in the order they were first set.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ParamValue)> {
        self.values.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// How many parameters are set.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// `true` when no parameter is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The request body without any validation (values formatted as in
    /// [`ParamValue::to_json`]). Prefer [`ReportDefinition::validate`](super::ReportDefinition::validate).
    pub fn to_request_unchecked(&self) -> ReportDataRequest {
        ReportDataRequest::new(ReportDataRequestRequired {
            parameters: self
                .values
                .iter()
                .map(|(name, value)| {
                    ReportDataParameter::new(ReportDataParameterRequired { name: name.clone() })
                        .value(value.to_json())
                })
                .collect(),
        })
    }
}
