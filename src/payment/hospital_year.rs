//! Per-hospital results of a year (the `hospitals` report) and the year-end
//! clearing of hospitals or alliances against a corridor.

use super::clearing::{Corridor, clear_hospital};
use super::engine::PaymentModel;
use super::group_model::{Sums, accumulate};
use super::hospitals::Level;
use super::year::{InpatientDemand, YearInputs};
use crate::scenario::ParamValues;
use crate::scenario::clearing::ClearingLevel;

/// One hospital's year (the `hospitals` report).
#[derive(Clone, Debug, PartialEq)]
pub struct HospitalResult {
    /// Hospital id.
    pub id: String,
    /// Hospital name.
    pub name: String,
    /// Level.
    pub level: Level,
    /// Coefficient in force.
    pub coefficient: f64,
    /// All inpatient cases.
    pub cases: f64,
    /// Cases paid by DRG/DIP.
    pub drg_cases: f64,
    /// Coded CMI of its DRG cases.
    pub cmi: f64,
    /// DRG cases at FFS cost, yuan.
    pub ffs_equivalent_yuan: f64,
    /// DRG/DIP payment, yuan.
    pub payment_yuan: f64,
    /// FFS payment for its other cases, yuan.
    pub other_payment_yuan: f64,
    /// `payment - ffs_equivalent` (DRG cases; FFS-paid cases break even).
    pub surplus_yuan: f64,
    /// Full-cost settlement ratio: `payment / ffs_equivalent`.
    pub settlement_ratio: f64,
    /// Patients' share of the fee-for-service bill of its DRG cases, yuan.
    pub patient_yuan: f64,
    /// The fund's DRG payment to it: `payment - patient`, yuan.
    pub fund_payment_yuan: f64,
    /// What the fund would have paid fee-for-service: `ffs_equivalent - patient`, yuan.
    pub fund_ffs_yuan: f64,
    /// Fund-side settlement ratio (结付率): `fund_payment / fund_ffs`.
    pub fund_settlement_ratio: f64,
    /// Alliance (医共体), empty when none.
    pub alliance: String,
    /// Year-end clearing adjustment on the fund's DRG payment, yuan (0 without a
    /// hospital- or alliance-level clearing; see `budget::clear_hospitals`).
    pub clearing_yuan: f64,
}

impl PaymentModel {
    /// Sum over hospitals (or alliances) of the year-end clearing adjustments,
    /// yuan, fund side: each one's DRG/DIP fund payment (paid on account) is
    /// cleared against what the fund would have paid fee-for-service under the
    /// corridor `c` (`clear_hospital`). Does not allocate. 0 in the aggregate
    /// form (no hospitals).
    pub fn hospital_clearing(
        &self,
        t: usize,
        p: &ParamValues,
        d: &InpatientDemand,
        x: &YearInputs,
        level: ClearingLevel,
        c: &Corridor,
    ) -> f64 {
        let Some(gm) = &self.grouped else {
            return 0.0;
        };
        let f = self.factors_with(t, p, x);
        let region = self.region_sums(gm, &f, d);
        let st = self.settle(t, p, &f, &region, gm.recalibrate);
        let by_alliance = level == ClearingLevel::Alliance;
        let mut total = 0.0;
        let (mut on_account, mut cost) = (0.0, 0.0);
        let order = &gm.alliance_order;
        for (k, &h) in order.iter().enumerate() {
            let hi = &gm.hospitals[h];
            let mut s = Sums::default();
            accumulate(&gm.cells[h], hi.level.index(), &f, d, &mut s);
            let y = self.year_from(&f, &s, st);
            on_account += y.drg_fund_yuan;
            cost += y.drg_fund_ffs_yuan;
            let group_ends = !by_alliance
                || hi.alliance.is_empty()
                || order
                    .get(k + 1)
                    .is_none_or(|&n| gm.hospitals[n].alliance != hi.alliance);
            if group_ends {
                total += clear_hospital(on_account, cost, c);
                on_account = 0.0;
                cost = 0.0;
            }
        }
        total
    }

    /// Per-hospital detail for year index `t` (allocates; the `hospitals` report).
    /// Empty in the aggregate form. Hospital payments add up to the region's
    /// DRG payment of [`PaymentModel::pay_year`].
    pub fn hospitals_year(
        &self,
        t: usize,
        p: &ParamValues,
        d: &InpatientDemand,
    ) -> Vec<HospitalResult> {
        self.hospitals_year_with(t, p, d, &YearInputs::NONE)
    }

    /// [`PaymentModel::hospitals_year`] with the year's inputs (see
    /// [`PaymentModel::pay_year_with`]).
    pub fn hospitals_year_with(
        &self,
        t: usize,
        p: &ParamValues,
        d: &InpatientDemand,
        x: &YearInputs,
    ) -> Vec<HospitalResult> {
        let Some(gm) = &self.grouped else {
            return Vec::new();
        };
        let f = self.factors_with(t, p, x);
        let region = self.region_sums(gm, &f, d);
        // rate / point value are settled at region level and apply to every hospital
        let st = self.settle(t, p, &f, &region, gm.recalibrate);
        gm.hospitals
            .iter()
            .zip(&gm.cells)
            .map(|(hi, cells)| {
                let l = hi.level.index();
                let mut s = Sums::default();
                accumulate(cells, l, &f, d, &mut s);
                let y = self.year_from(&f, &s, st);
                let coefficient = f.level_coef[l].unwrap_or(hi.coefficient) * f.coef_mult;
                HospitalResult {
                    id: hi.id.clone(),
                    name: hi.name.clone(),
                    level: hi.level,
                    coefficient,
                    cases: y.cases,
                    drg_cases: y.drg_cases,
                    cmi: y.cmi,
                    ffs_equivalent_yuan: y.drg_ffs_equivalent_yuan,
                    payment_yuan: y.drg_payment_yuan,
                    other_payment_yuan: y.other_payment_yuan,
                    surplus_yuan: y.drg_payment_yuan - y.drg_ffs_equivalent_yuan,
                    settlement_ratio: y.settlement_ratio,
                    patient_yuan: y.drg_patient_yuan,
                    fund_payment_yuan: y.drg_fund_yuan,
                    fund_ffs_yuan: y.drg_fund_ffs_yuan,
                    fund_settlement_ratio: y.fund_settlement_ratio,
                    alliance: hi.alliance.clone(),
                    clearing_yuan: 0.0,
                }
            })
            .collect()
    }
}
