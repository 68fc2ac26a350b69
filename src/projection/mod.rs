//! The projection: a compiled scenario ([`Model`]) and the pure year loop.

pub mod firings;
pub mod hospitals;
pub mod model;
pub mod rules;
pub mod run;
pub mod scale;

pub use model::{FundModel, Model};
pub use run::{FundProjection, Projection, project, project_into, project_with};
