//! What can be wrong with the parameters of a report run: [`ParamProblem`], [`ParamsError`].
//!
//! Defined in the core (though only the reporting module's report flow produces them) so that
//! [`Error::ReportParameters`](crate::Error::ReportParameters) keeps the problems as data, not as
//! flattened text: a caller (the MCP server, a form) can point at each parameter.

use std::fmt;

/// One thing wrong with the parameters of a report run.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ParamProblem {
    /// A required parameter was not set.
    Missing {
        /// The parameter.
        name: String,
        /// What it expects (`Date`, `array of Number`, …).
        expected: String,
    },
    /// A parameter the report does not have.
    Unknown {
        /// The name as given.
        name: String,
        /// The closest valid name, when one is close (e.g. a different case).
        suggestion: Option<String>,
        /// Every parameter name the report accepts.
        valid: Vec<String>,
    },
    /// A value of the wrong data type.
    WrongType {
        /// The parameter.
        name: String,
        /// The element's position, for an array value.
        index: Option<usize>,
        /// What the parameter expects.
        expected: String,
        /// What was given.
        found: String,
    },
    /// An array for a parameter that takes a single value.
    ArrayNotAllowed {
        /// The parameter.
        name: String,
        /// What the parameter expects.
        expected: String,
    },
    /// A value outside the parameter's fixed list of accepted values.
    NotAccepted {
        /// The parameter.
        name: String,
        /// The value given.
        value: String,
        /// The accepted values (`key (label)`), possibly elided.
        accepted: Vec<String>,
    },
}

impl ParamProblem {
    /// The parameter the problem is about, as given.
    pub fn name(&self) -> &str {
        match self {
            ParamProblem::Missing { name, .. }
            | ParamProblem::Unknown { name, .. }
            | ParamProblem::WrongType { name, .. }
            | ParamProblem::ArrayNotAllowed { name, .. }
            | ParamProblem::NotAccepted { name, .. } => name,
        }
    }
}

impl fmt::Display for ParamProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamProblem::Missing { name, expected } => {
                write!(f, "required parameter `{name}` ({expected}) is missing")
            }
            ParamProblem::Unknown {
                name,
                suggestion,
                valid,
            } => {
                write!(f, "unknown parameter `{name}`")?;
                if let Some(s) = suggestion {
                    write!(f, " (did you mean `{s}`?)")?;
                }
                if valid.is_empty() {
                    f.write_str("; this report takes no parameters")
                } else {
                    write!(f, "; valid parameters: {}", valid.join(", "))
                }
            }
            ParamProblem::WrongType {
                name,
                index,
                expected,
                found,
            } => {
                write!(f, "parameter `{name}`")?;
                if let Some(i) = index {
                    write!(f, " element {i}")?;
                }
                write!(f, " expects {expected}, got {found}")
            }
            ParamProblem::ArrayNotAllowed { name, expected } => write!(
                f,
                "parameter `{name}` takes a single value ({expected}), not an array"
            ),
            ParamProblem::NotAccepted {
                name,
                value,
                accepted,
            } => write!(
                f,
                "parameter `{name}` does not accept {value}; accepted values: {}",
                accepted.join(", ")
            ),
        }
    }
}

/// The parameters of a report run do not fit the report's definition; carried to the user as
/// [`Error::ReportParameters`](crate::Error::ReportParameters).
#[derive(Clone, Debug, PartialEq)]
pub struct ParamsError {
    /// The report's id.
    pub report_id: i64,
    /// The report's name, when known.
    pub report_name: Option<String>,
    /// Every problem found (at least one).
    pub problems: Vec<ParamProblem>,
}

impl fmt::Display for ParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "report {}", self.report_id)?;
        if let Some(name) = &self.report_name {
            write!(f, " ({name:?})")?;
        }
        f.write_str(": ")?;
        let problems: Vec<String> = self.problems.iter().map(ToString::to_string).collect();
        f.write_str(&problems.join("; "))
    }
}

impl std::error::Error for ParamsError {}

impl From<ParamsError> for crate::Error {
    fn from(err: ParamsError) -> Self {
        crate::Error::ReportParameters(Box::new(err))
    }
}
