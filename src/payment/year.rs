//! What the year loop hands the payment model each year and what it gets back.

use crate::population::bands::ByBand;

/// What the year loop hands the payment model for year index t.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct InpatientDemand {
    /// Inpatient cases by age band before behaviour response.
    pub cases_by_band: ByBand,
    /// Fee-for-service cost per case by band, yuan, already grown to year t.
    pub cost_per_case_by_band: ByBand,
}

/// One year of inpatient payment (all yuan; costs and payments are the full
/// medical cost, before the fund's reimbursement share).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct InpatientYear {
    /// All inpatient cases after behaviour response.
    pub cases: f64,
    /// Cases paid by DRG/DIP (outliers included).
    pub drg_cases: f64,
    /// All cases at FFS cost.
    pub ffs_equivalent_yuan: f64,
    /// DRG/DIP cases at FFS cost.
    pub drg_ffs_equivalent_yuan: f64,
    /// What DRG/DIP paid.
    pub drg_payment_yuan: f64,
    /// FFS-paid cases: not covered, excluded, reviewed singly.
    pub other_payment_yuan: f64,
    /// `drg_payment_yuan + other_payment_yuan`.
    pub total_payment_yuan: f64,
    /// Coded CMI of DRG cases (drift included).
    pub cmi: f64,
    /// Base rate in force (point-value mode: point value x 100).
    pub base_rate: f64,
    /// Point value (NaN when not under a point-value budget).
    pub point_value: f64,
    /// Full-cost settlement ratio: `drg_payment / drg_ffs_equivalent`.
    pub settlement_ratio: f64,
    /// What patients pay on the fee-for-service bill of all cases (benefit
    /// rules: `(1 - reimbursement_L) x cost + reimbursement_L x deductible` per case).
    pub patient_yuan: f64,
    /// What patients pay on the bill of the DRG/DIP cases.
    pub drg_patient_yuan: f64,
    /// The fund's inpatient payment: `total_payment - patient` (DRG/DIP cases:
    /// standard minus the patient's share; other cases: reimbursement x cost).
    pub fund_yuan: f64,
    /// The fund's payment for DRG/DIP cases: `drg_payment - drg_patient`.
    pub drg_fund_yuan: f64,
    /// What the fund would have paid fee-for-service for the DRG/DIP cases:
    /// `drg_ffs_equivalent - drg_patient`.
    pub drg_fund_ffs_yuan: f64,
    /// Fund-side settlement ratio (结付率 as regions publish it):
    /// `drg_fund / drg_fund_ffs`.
    pub fund_settlement_ratio: f64,
}

impl InpatientYear {
    /// Every figure, in field order (as `YearRow::numbers` for a year row):
    /// compared as bits, equal means bit for bit, NaN included.
    pub fn numbers(&self) -> [f64; 17] {
        [
            self.cases,
            self.drg_cases,
            self.ffs_equivalent_yuan,
            self.drg_ffs_equivalent_yuan,
            self.drg_payment_yuan,
            self.other_payment_yuan,
            self.total_payment_yuan,
            self.cmi,
            self.base_rate,
            self.point_value,
            self.settlement_ratio,
            self.patient_yuan,
            self.drg_patient_yuan,
            self.fund_yuan,
            self.drg_fund_yuan,
            self.drg_fund_ffs_yuan,
            self.fund_settlement_ratio,
        ]
    }
}

/// What the year loop decides each year and hands the payment engine.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct YearInputs {
    /// The fund's DRG/DIP budget set by a budget rule, yuan (NaN: the payment
    /// section's `budget_wan`). Used by point-value mode and a rate solved from a budget.
    pub budget_yuan: f64,
    /// Benefit cut from the policy rules: the fund's share of the bill is
    /// lowered by this much (to no lower than `benefit_floor`), so patients pay more.
    pub benefit_cut: f64,
    /// Floor of that share.
    pub benefit_floor: f64,
}

impl YearInputs {
    /// Nothing decided: the section's budget, no benefit cut.
    pub const NONE: YearInputs = YearInputs {
        budget_yuan: f64::NAN,
        benefit_cut: 0.0,
        benefit_floor: 0.0,
    };
}

/// A year's dated parameters as scalars: `adm = 1 + admissions`, `costf = (1 +
/// length_of_stay) x (1 + cost_per_case)`, `drift = 1 + cmi_drift`, `elig =
/// grouping_rate x group_coverage x max(0, 1 - excluded_stays - special_review)`.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Factors {
    pub(super) adm: f64,
    pub(super) costf: f64,
    pub(super) drift: f64,
    pub(super) elig: f64,
    pub(super) marg: f64,
    pub(super) coef_mult: f64,
    pub(super) level_coef: [Option<f64>; 3],
    pub(super) hosp_cov: [f64; 3],
    /// Fund's share of the FFS bill above the deductible, by level.
    pub(super) reimb: [f64; 3],
    /// Deductible per admission, yuan.
    pub(super) deductible: f64,
    /// Point-value floor and ceiling (NaN: none).
    pub(super) pv_floor: f64,
    pub(super) pv_ceiling: f64,
    /// Budget basis: patients' payments on DRG cases added to the fund budget.
    pub(super) budget_adds_patients: bool,
    /// Fund budget set by the fund's budget rule this year, yuan (NaN: the
    /// payment section's `budget_wan`).
    pub(super) budget_override: f64,
}
