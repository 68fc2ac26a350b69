//! The aggregate model (no group or hospital tables).
//!
//! # Aggregate model
//!
//! `DRG cases = coverage x cases`, `DRG payment = DRG cases x r x CMI x (1 + drift)
//! x coefficient` (rate mode) or the budget (point-value mode, `point value = B /
//! (DRG cases x CMI x (1 + drift) x 100 x coefficient)`); the other
//! `(1 - coverage)` of FFS cost is paid fee for service.

use super::benefits::patient_share;
use super::engine::{PaymentModel, ratio};
use super::hospitals::Level;
use super::rules::{self, POINTS_PER_WEIGHT};
use super::year::{Factors, InpatientDemand, InpatientYear};
use crate::population::bands::N_BANDS;
use crate::scenario::ParamValues;
use crate::scenario::payment::PaymentMode;

impl PaymentModel {
    /// One year under the aggregate model (see the module docs).
    pub(super) fn pay_aggregate(
        &self,
        t: usize,
        p: &ParamValues,
        f: &Factors,
        d: &InpatientDemand,
    ) -> InpatientYear {
        let i = &self.ids;
        let mut n0 = 0.0;
        let mut ffs = 0.0;
        for b in 0..N_BANDS {
            n0 += d.cases_by_band[b];
            ffs += d.cases_by_band[b] * d.cost_per_case_by_band[b];
        }
        let cases = n0 * f.adm;
        let ffs = ffs * f.adm * f.costf;
        let ffs_mode = self.mode == PaymentMode::FeeForService;
        let cov = if ffs_mode { 0.0 } else { p.get(i.coverage, t) };
        let cmi0 = p.get(i.cmi, t);
        let cmi = cmi0 * f.drift;
        let coef = p.get(i.coefficient, t);
        let drg_cases = cov * cases;
        let drg_ffs = cov * ffs;
        let units = drg_cases * cmi0 * coef; // weight units before coding drift
        // no levels in the aggregate form: the fund-wide reimbursement (all levels alike)
        let reimb = f.reimb[Level::Secondary.index()];
        let patient = patient_share(ffs, cases, reimb, f.deductible);
        let drg_patient = patient_share(drg_ffs, drg_cases, reimb, f.deductible);
        let (rate, pv, pay) = match self.mode {
            PaymentMode::DrgRate => {
                let rate = match i.base_rate {
                    Some(id) => p.get(id, t),
                    None => rules::base_rate_from_budget(
                        self.hospital_budget(t, p, f, drg_patient),
                        cov * n0 * cmi0 * coef,
                        0.0,
                    ),
                };
                (rate, f64::NAN, rate * units * f.drift)
            }
            PaymentMode::PointValue => {
                let b = self.hospital_budget(t, p, f, drg_patient);
                let points = POINTS_PER_WEIGHT * units * f.drift;
                let pv = rules::point_value(b, points);
                let pv = rules::clamp_point_value(pv, f.pv_floor, f.pv_ceiling);
                (
                    pv * POINTS_PER_WEIGHT,
                    pv,
                    if points > 0.0 { pv * points } else { 0.0 },
                )
            }
            PaymentMode::FeeForService => (f64::NAN, f64::NAN, 0.0),
        };
        let other = ffs - drg_ffs;
        let drg_patient = if ffs_mode { 0.0 } else { drg_patient };
        InpatientYear {
            patient_yuan: patient,
            drg_patient_yuan: drg_patient,
            fund_yuan: pay + other - patient,
            drg_fund_yuan: pay - drg_patient,
            drg_fund_ffs_yuan: drg_ffs - drg_patient,
            fund_settlement_ratio: ratio(pay - drg_patient, drg_ffs - drg_patient),
            cases,
            drg_cases,
            ffs_equivalent_yuan: ffs,
            drg_ffs_equivalent_yuan: drg_ffs,
            drg_payment_yuan: pay,
            other_payment_yuan: other,
            total_payment_yuan: pay + other,
            cmi: if ffs_mode { f64::NAN } else { cmi },
            base_rate: rate,
            point_value: pv,
            settlement_ratio: ratio(pay, drg_ffs),
        }
    }
}
