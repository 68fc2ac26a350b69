//! The projection: a compiled scenario ([`Model`]) and the pure year loop.

pub(crate) mod firings;
pub(crate) mod hospitals;
pub(crate) mod model;
pub(crate) mod rules;
pub(crate) mod run;
pub(crate) mod scale;
pub(crate) mod year;

pub use model::{FundModel, Model};
pub use run::{
    FundProjection, PathDetail, Projection, RowSink, project, project_into, project_many,
    project_many_to, project_varying_to, project_with,
};

// Re-exported for users of the crate (the command line, tests, benches).
pub use firings::{firings, without_rules};
pub use hospitals::settle;
pub use scale::scale_warnings;
