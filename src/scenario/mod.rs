//! Scenario files: dated parameters, `extends`, `--set`, validation with file and line.

pub mod bundled;
pub(crate) mod clearing;
pub(crate) mod dist;
pub(crate) mod error;
pub(crate) mod param;
pub(crate) mod payment;
pub mod registry;
pub(crate) mod rules;
pub(crate) mod schema;
pub(crate) mod source;
pub(crate) mod store;
pub(crate) mod table;
pub(crate) mod validate;

pub use dist::DistSpec;
pub use error::{Diagnostic, Diagnostics, ScenarioError};
pub use param::{Interp, Param};
pub use store::{ParamId, ParamStore, ParamValues, Years};

// Re-exported for users of the crate (the command line, tests, benches).
pub use clearing::is_clearing_file;
pub use schema::UncertaintySpec;
pub use source::RawScenario;
