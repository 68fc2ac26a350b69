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
pub mod table;
pub mod validate;

pub use dist::DistSpec;
pub use error::{Diagnostic, Diagnostics, ScenarioError};
pub use param::{Interp, Param};
pub use store::{ParamId, ParamStore, ParamValues, Years};
