//! Who pays what on the fee-for-service bill: the fund's reimbursement share
//! by hospital level above a deductible, and the patient's share.

use crate::scenario::ParamId;

/// Handles of the fund's inpatient benefit rules (registered by the fund, not
/// the payment section): the fund's share of the fee-for-service bill by
/// hospital level and the deductible per admission.
#[derive(Clone, Copy, Debug)]
pub struct BenefitIds {
    /// Fund's share of the bill above the deductible, by level (tertiary, secondary, primary).
    pub reimbursement: [ParamId; 3],
    /// Deductible (起付线) per admission, yuan.
    pub deductible: Option<ParamId>,
}

/// A reimbursement share after a benefit cut: `max(share - cut, min(share,
/// floor))` (the policy rules' trimming; a cut never takes a share below the
/// floor, nor raises one already under it).
pub fn trimmed_share(share: f64, cut: f64, floor: f64) -> f64 {
    (share - cut).max(share.min(floor))
}

/// Patients' share of the fee-for-service bill of `cases` cases costing `ffs`
/// in all, at a level whose fund reimbursement is `reimb` above a deductible
/// `deductible` per admission:
///
/// `patient = (1 - reimb) x ffs + reimb x deductible x cases`
///
/// (per case `D + (1 - reimb)(cost - D)`, evaluated at the mean, so cases
/// cheaper than the deductible are not treated apart). The patient pays this on
/// the itemised bill whether the hospital is paid by DRG/DIP or not (PRIMER §3,
/// "Who pays what").
pub fn patient_share(ffs: f64, cases: f64, reimb: f64, deductible: f64) -> f64 {
    (1.0 - reimb) * ffs + reimb * deductible * cases
}
