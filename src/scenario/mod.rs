//! Scenario files: dated parameters, `extends`, `--set`, validation with file and line.

pub mod bundled;
pub mod clearing;
pub mod dist;
pub mod error;
pub mod param;
pub mod payment;
pub mod registry;
pub mod rules;
pub mod schema;
pub mod source;
pub mod store;
pub mod validate;

pub use dist::DistSpec;
pub use error::{Diagnostic, ScenarioError};
pub use param::{Interp, Param};
pub use store::{ParamId, ParamStore, ParamValues, Years};

/// One problem found in a scenario, located by its dotted path (e.g.
/// `funds.resident.premiums.premium`); the loader adds file and line.
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
