//! Scenario files: dated parameters, `extends`, validation with file and line.

pub mod param;
pub mod store;

pub use param::{Interp, Param};
pub use store::{ParamId, ParamStore, ParamValues, Years};

/// One problem found in a scenario, located by its dotted path (e.g.
/// `funds.resident.revenue.premium`); the loader adds file and line.
#[derive(Clone, Debug, PartialEq)]
pub struct Issue {
    /// Dotted path of the offending field.
    pub path: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl Issue {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Issue {
            path: path.into(),
            message: message.into(),
        }
    }
}
