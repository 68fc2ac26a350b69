//! How inpatient care is paid: DRG/DIP under a fixed base rate or a floating
//! point value, with coverage, outliers and behaviour response.
//!
//! - `spec`: checks and compiles the `[funds.<id>.payment]` scenario section
//!   (the data types live in `scenario::payment`).
//! - `groups`, `hospitals`: the CSV tables the group-level model runs on;
//!   `cache`: each parsed once per process.
//! - `rules`: the payment formulas (base rate, point value, outliers, recalibration).
//! - `engine`: the compiled [`PaymentModel`] the year loop calls.
//! - `negotiation`: per-hospital results, comparisons, winners and losers.

pub(crate) mod budget;
pub(crate) mod cache;
pub(crate) mod clearing;
pub(crate) mod corridor_spec;
pub(crate) mod engine;
pub(crate) mod groups;
pub(crate) mod hospitals;
pub(crate) mod negotiation;
pub(crate) mod rules;
pub(crate) mod scale;
pub(crate) mod spec;

pub use crate::scenario::payment::{
    BudgetBasis, LevelParams, PaymentMode, PaymentSpec, Recalibration,
};
pub use engine::{
    BenefitIds, HospitalInfo, HospitalResult, InpatientDemand, InpatientYear, PaymentModel,
    YearInputs,
};
pub use groups::{Group, GroupTable, WeightTable, read_demand_csv};
pub use hospitals::{Hospital, HospitalGroupVolumes, HospitalTable, Level};
pub use negotiation::{
    HospitalReport, HospitalRow, LevelSummary, alliance_summary, compare, hospital_report,
    level_summary, sort_by_change, top_movers,
};

#[cfg(test)]
mod tests;

// Re-exported for users of the crate (the command line, tests, benches).
pub use clearing::{Band, Bands, BaseRule, Corridor, clear, grown_budget, to_fen};
pub use corridor_spec::{clear_file, is_clearing_file, matches};
pub use groups::DEFAULT_COST_CV;
pub use rules::{case_payment, drg_payment, points_per_case};
