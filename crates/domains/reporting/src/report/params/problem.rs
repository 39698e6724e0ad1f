//! What can be wrong with the parameters of a report run: [`ParamProblem`], [`ParamsError`],
//! defined in the core so that [`servicetitan_core::Error::ReportParameters`] carries them as
//! data; re-exported here where the report flow's users look for them.

pub use servicetitan_core::error::{ParamProblem, ParamsError};
