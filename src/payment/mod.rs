//! How inpatient care is paid: DRG/DIP under a fixed base rate or a floating
//! point value, with coverage, outliers and behaviour response.
//!
//! - `spec`: checks and compiles the `[funds.<id>.payment]` scenario section
//!   (the data types live in `scenario::payment`).
//! - `groups`, `hospitals`: the CSV tables the group-level model runs on;
//!   `cache`: each parsed once per process.
//! - `rules`: the payment formulas (base rate, point value, outliers, recalibration).
//! - `engine`: the compiled [`PaymentModel`] the year loop calls, built from
//!   `group_model` (group-level model), `allocation` (hospital x group shares),
//!   `aggregate` (no tables), `hospital_year` (per-hospital results and
//!   clearing), `benefits` (patient's share of the bill) and `year` (what the
//!   year loop hands in and gets back).
//! - `lanes`: the engine for a chunk of paths at once (`pay_year_lanes`).
//! - `negotiation`: per-hospital results, comparisons, winners and losers.

mod aggregate;
mod allocation;
mod benefits;
pub(crate) mod budget;
pub(crate) mod cache;
pub(crate) mod clearing;
pub(crate) mod corridor_spec;
pub(crate) mod engine;
mod group_model;
pub(crate) mod groups;
mod hospital_year;
pub(crate) mod hospitals;
mod lanes;
pub(crate) mod negotiation;
pub(crate) mod rules;
pub(crate) mod scale;
pub(crate) mod spec;
mod year;

pub use crate::scenario::payment::{
    BudgetBasis, LevelParams, PaymentMode, PaymentSpec, Recalibration,
};
pub use benefits::{BenefitIds, patient_share, trimmed_share};
pub use engine::{PaymentModel, SameFactors};
pub use groups::{Group, GroupTable, WeightTable, read_demand_csv};
pub use hospital_year::HospitalResult;
pub use hospitals::{Hospital, HospitalGroupVolumes, HospitalInfo, HospitalTable, Level};
pub use lanes::DemandLanes;
pub use negotiation::{
    HospitalReport, HospitalRow, LevelSummary, alliance_summary, compare, hospital_report,
    level_summary, sort_by_change, top_movers,
};
pub use year::{InpatientDemand, InpatientYear, YearInputs};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_lanes;

// Re-exported for users of the crate (the command line, tests, benches).
pub use clearing::{Band, Bands, BaseRule, Corridor, clear, grown_budget, to_fen};
pub use corridor_spec::{clear_file, is_clearing_file, matches};
pub use groups::DEFAULT_COST_CV;
pub use rules::{case_payment, drg_payment, points_per_case};
