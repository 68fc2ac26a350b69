//! drgsim: runway projections for China's public medical-insurance funds.
//!
//! The model, module by module:
//! - [`scenario`]: scenario files, dated parameters, validation.
//! - [`population`]: age bands, cohort aging (Leslie-type matrices), enrollment.
//! - [`payment`]: how inpatient care is paid (DRG/DIP, coverage, behaviour).
//! - [`fund`]: yearly accounting of one fund, runway and status.
//! - [`projection`]: the pure year loop tying them together.
//! - [`analysis`]: sensitivity, Monte Carlo, goal seek.
//! - [`report`]: CSV, charts, Markdown.
//! - [`serve`]: the what-if page (`drgsim serve`): sliders over the levers, a live Monte Carlo fan.
//! - [`calibrate`]: group and hospital tables from case-level settlement records.

#![warn(missing_docs)]
// Numeric code indexes several per-band arrays in step; index loops read clearer there.
#![allow(clippy::needless_range_loop)]

pub mod analysis;
pub mod calibrate;
pub mod fund;
pub mod payment;
pub mod population;
pub mod projection;
pub mod report;
pub mod scenario;
pub mod serve;

// What a user of the crate needs, at the root: load a scenario, project it,
// analyse it, and the errors and report settings on the way.
pub use analysis::{AnalysisError, MonteCarlo, monte_carlo};
pub use projection::{Model, Projection, project};
pub use report::ReportError;
pub use report::labels::{Lang, Style, Unit};
pub use scenario::{Diagnostic, Diagnostics, ScenarioError};
