//! How inpatient care is paid: DRG/DIP under a fixed base rate or a floating
//! point value, with coverage, outliers and behaviour response.
//!
//! - [`spec`]: checks and compiles the `[funds.<id>.payment]` scenario section
//!   (the data types live in `scenario::payment`).
//! - [`groups`], [`hospitals`]: the CSV tables the group-level model runs on.
//! - [`rules`]: the payment formulas (base rate, point value, outliers, recalibration).
//! - [`engine`]: the compiled [`PaymentModel`] the year loop calls.
//! - [`negotiation`]: per-hospital results, comparisons, winners and losers.

pub mod budget;
pub mod clearing;
pub mod corridor_spec;
pub mod engine;
pub mod groups;
pub mod hospitals;
pub mod negotiation;
pub mod rules;
pub mod scale;
pub mod spec;

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
