//! The compiled payment model ([`PaymentModel`]): the dated parameters of a
//! year as scalars (`Factors`), the rate or point value settled at region
//! level, and the year's payment.
//!
//! The formulas live with the code that computes them:
//!
//! - `group_model`: the group-level model, compiled into
//!   per-band coefficients per hospital and level, and its yearly sums;
//! - `allocation`: which hospital treats which group's cases;
//! - `aggregate`: the aggregate model (no tables);
//! - `hospital_year`: per-hospital results and clearing;
//! - `benefits`: what patients pay on the bill;
//! - `year`: what the year loop hands in and gets back.
//!
//! Rate mode: `DRG payment = r x (1 + drift) x U + m x E` (U weight units, E
//! expected excess in yuan, m marginal share). Point-value mode: `points = 100 x
//! ((1 + drift) x U + m x E_w)`, `point value = B / points`, DRG payment = B.
//! Cases not paid by DRG (excluded groups, ungrouped, excluded stays, special
//! review, hospitals outside DRG) are paid their FFS cost.

use super::benefits::{BenefitIds, trimmed_share};
use super::group_model::{GroupModel, OutlierRules, Sums, accumulate};
use super::groups::GroupTable;
use super::hospitals::HospitalInfo;
use super::hospitals::{HospitalGroupVolumes, HospitalTable};
use super::rules::{self, POINTS_PER_WEIGHT};
use super::year::{Factors, InpatientDemand, InpatientYear, YearInputs};
use crate::scenario::payment::{BudgetBasis, PaymentMode};
use crate::scenario::{ParamId, ParamValues};
use std::sync::Arc;

/// Registered parameter ids of a compiled payment model.
#[derive(Clone, Debug)]
pub(crate) struct Ids {
    pub base_rate: Option<ParamId>,
    pub budget_wan: Option<ParamId>,
    pub budget_basis: BudgetBasis,
    pub point_value_floor: Option<ParamId>,
    pub point_value_ceiling: Option<ParamId>,
    pub coverage: ParamId,
    pub cmi: ParamId,
    pub coefficient: ParamId,
    pub level_coefficients: [Option<ParamId>; 3],
    pub hospital_coverage: [ParamId; 3],
    pub grouping_rate: ParamId,
    pub group_coverage: ParamId,
    pub excluded_stays: ParamId,
    pub special_review: ParamId,
    pub marginal_share: ParamId,
    pub cmi_drift: ParamId,
    pub admissions: ParamId,
    pub length_of_stay: ParamId,
    pub cost_per_case: ParamId,
}

impl Ids {
    /// Calls `f` with every parameter the payment reads. The destructuring
    /// names every field, so a parameter added to `Ids` does not compile
    /// until it is listed here too (a parameter left out would let paths that
    /// differ in it share the year's factors: `PaymentModel::same_factors`).
    fn each(&self, mut f: impl FnMut(ParamId)) {
        let Ids {
            base_rate,
            budget_wan,
            budget_basis: _,
            point_value_floor,
            point_value_ceiling,
            coverage,
            cmi,
            coefficient,
            level_coefficients,
            hospital_coverage,
            grouping_rate,
            group_coverage,
            excluded_stays,
            special_review,
            marginal_share,
            cmi_drift,
            admissions,
            length_of_stay,
            cost_per_case,
        } = self;
        let optional = [
            base_rate,
            budget_wan,
            point_value_floor,
            point_value_ceiling,
        ];
        for id in optional.into_iter().chain(level_coefficients).flatten() {
            f(*id);
        }
        for id in [
            coverage,
            cmi,
            coefficient,
            grouping_rate,
            group_coverage,
            excluded_stays,
            special_review,
            marginal_share,
            cmi_drift,
            admissions,
            length_of_stay,
            cost_per_case,
        ]
        .into_iter()
        .chain(hospital_coverage)
        {
            f(*id);
        }
    }
}

/// Proof, from [`PaymentModel::same_factors`], that the paths handed to
/// [`PaymentModel::pay_year_lanes`] differ in no parameter the payment reads,
/// so the year's factors are evaluated once for a chunk, not per path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SameFactors(());

/// A compiled payment model (see the module docs for the formulas).
#[derive(Clone, Debug)]
pub struct PaymentModel {
    pub(super) mode: PaymentMode,
    pub(super) ids: Ids,
    pub(super) grouped: Option<Arc<GroupModel>>,
    pub(super) benefits: Option<BenefitIds>,
    /// Every parameter the payment reads, sorted ([`Self::reads`]): what
    /// [`Self::same_factors`] looks the varying rows up in.
    reads: Vec<ParamId>,
}

/// Rate / point value settled at region level.
#[derive(Clone, Copy, Debug)]
pub(super) struct Settled {
    pub(super) rate: f64,
    pub(super) point_value: f64,
}

pub(super) fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

impl PaymentModel {
    pub(crate) fn aggregate(mode: PaymentMode, ids: Ids) -> PaymentModel {
        PaymentModel {
            mode,
            ids,
            grouped: None,
            benefits: None,
            reads: Vec::new(),
        }
        .with_reads()
    }

    /// The group form: compiles the tables ([`GroupModel::compile`]).
    #[allow(clippy::too_many_arguments)] // internal constructor, called once from the spec
    pub(crate) fn grouped(
        mode: PaymentMode,
        ids: Ids,
        groups: &GroupTable,
        hospitals: Option<&HospitalTable>,
        volumes: Option<&HospitalGroupVolumes>,
        weights: Option<&[f64]>,
        recalibrate: bool,
        rules: Option<OutlierRules>,
    ) -> PaymentModel {
        let gm = GroupModel::compile(groups, hospitals, volumes, weights, recalibrate, rules);
        PaymentModel {
            mode,
            ids,
            grouped: Some(gm),
            benefits: None,
            reads: Vec::new(),
        }
        .with_reads()
    }

    /// Attaches the fund's benefit rules. Without them patients pay nothing and
    /// the fund pays the whole hospital payment.
    pub fn with_benefits(mut self, b: BenefitIds) -> PaymentModel {
        self.benefits = Some(b);
        self.with_reads()
    }

    /// Lists the parameters the payment reads (`reads`): every one of its
    /// [`Ids`] (`Ids::each`, exhaustive) and of its benefit rules.
    fn with_reads(mut self) -> PaymentModel {
        let mut reads = Vec::new();
        self.ids.each(|id| reads.push(id));
        if let Some(BenefitIds {
            reimbursement,
            deductible,
        }) = &self.benefits
        {
            reads.extend(reimbursement.iter().chain(deductible));
        }
        reads.sort_unstable();
        reads.dedup();
        self.reads = reads;
        self
    }

    /// Payment mode.
    pub fn mode(&self) -> PaymentMode {
        self.mode
    }

    /// Whether the model runs on group and hospital tables.
    pub fn is_grouped(&self) -> bool {
        self.grouped.is_some()
    }

    /// Number of groups (0 in the aggregate form).
    pub fn n_groups(&self) -> usize {
        self.grouped.as_ref().map_or(0, |g| g.n_groups)
    }

    /// Hospitals as compiled (empty in the aggregate form; one pseudo-hospital
    /// `region` when the group form has no hospital table).
    pub fn hospitals(&self) -> &[HospitalInfo] {
        self.grouped.as_ref().map_or(&[], |g| &g.hospitals)
    }

    #[inline]
    pub(super) fn factors(&self, t: usize, p: &ParamValues) -> Factors {
        let i = &self.ids;
        let g = |id| p.get(id, t);
        Factors {
            adm: 1.0 + g(i.admissions),
            costf: (1.0 + g(i.length_of_stay)) * (1.0 + g(i.cost_per_case)),
            drift: 1.0 + g(i.cmi_drift),
            elig: g(i.grouping_rate)
                * g(i.group_coverage)
                * (1.0 - g(i.excluded_stays) - g(i.special_review)).max(0.0),
            marg: g(i.marginal_share),
            coef_mult: g(i.coefficient),
            level_coef: i.level_coefficients.map(|o| o.map(g)),
            hosp_cov: i.hospital_coverage.map(g),
            reimb: self.benefits.map_or([1.0; 3], |b| b.reimbursement.map(g)),
            deductible: self.benefits.and_then(|b| b.deductible).map_or(0.0, g),
            pv_floor: i.point_value_floor.map_or(f64::NAN, g),
            pv_ceiling: i.point_value_ceiling.map_or(f64::NAN, g),
            budget_adds_patients: i.budget_basis == BudgetBasis::FundAndPatients,
            budget_override: f64::NAN,
        }
    }

    /// [`SameFactors`] when no parameter in `varying` (those that may differ
    /// between the paths of a call) is one the payment reads, its benefit
    /// rules included; `None` otherwise.
    pub fn same_factors(&self, varying: &[ParamId]) -> Option<SameFactors> {
        let reads = varying.iter().any(|v| self.reads.binary_search(v).is_ok());
        (!reads).then_some(SameFactors(()))
    }

    #[inline]
    pub(super) fn factors_with(&self, t: usize, p: &ParamValues, x: &YearInputs) -> Factors {
        self.with_inputs(self.factors(t, p), x)
    }

    /// The year's factors `f` with what the year loop decided for the path:
    /// the budget of a budget rule and a benefit cut.
    #[inline]
    pub(super) fn with_inputs(&self, mut f: Factors, x: &YearInputs) -> Factors {
        f.budget_override = x.budget_yuan;
        if x.benefit_cut > 0.0 {
            f.reimb = f
                .reimb
                .map(|r| trimmed_share(r, x.benefit_cut, x.benefit_floor));
        }
        f
    }

    /// The budget that sets the point value (or solves the rate), yuan:
    /// `B_fund + P_drg` (patients' own payments on the same cases, the common
    /// form of regional rules) or `B_fund` alone (`budget_basis = "fund_only"`).
    pub(super) fn hospital_budget(
        &self,
        t: usize,
        p: &ParamValues,
        f: &Factors,
        patient_drg: f64,
    ) -> f64 {
        let b = if f.budget_override.is_nan() {
            self.budget_yuan(t, p)
        } else {
            f.budget_override
        };
        if f.budget_adds_patients {
            b + patient_drg
        } else {
            b
        }
    }

    fn budget_yuan(&self, t: usize, p: &ParamValues) -> f64 {
        self.ids
            .budget_wan
            .map_or(f64::NAN, |id| p.get(id, t) * 1e4)
    }

    pub(super) fn settle(
        &self,
        t: usize,
        p: &ParamValues,
        f: &Factors,
        s: &Sums,
        recal: bool,
    ) -> Settled {
        match self.mode {
            PaymentMode::DrgRate => {
                let rate = match self.ids.base_rate {
                    Some(id) => {
                        let r = p.get(id, t);
                        if recal {
                            rules::budget_neutral_rate(r, s.units_ref, s.units)
                        } else {
                            r
                        }
                    }
                    None => rules::base_rate_from_budget(
                        self.hospital_budget(t, p, f, s.patient_drg),
                        s.units_plan,
                        f.marg * s.xs_plan,
                    ),
                };
                Settled {
                    rate,
                    point_value: f64::NAN,
                }
            }
            PaymentMode::PointValue => {
                let points = POINTS_PER_WEIGHT * (f.drift * s.units + f.marg * s.xs_w);
                let pv = rules::point_value(self.hospital_budget(t, p, f, s.patient_drg), points);
                let pv = rules::clamp_point_value(pv, f.pv_floor, f.pv_ceiling);
                Settled {
                    rate: pv * POINTS_PER_WEIGHT,
                    point_value: pv,
                }
            }
            PaymentMode::FeeForService => Settled {
                rate: f64::NAN,
                point_value: f64::NAN,
            },
        }
    }

    /// DRG payment of sums under a settled rate / point value.
    fn drg_pay(&self, f: &Factors, s: &Sums, st: Settled) -> f64 {
        match self.mode {
            PaymentMode::DrgRate => {
                if s.units > 0.0 || s.xs_cost > 0.0 {
                    st.rate * f.drift * s.units + f.marg * s.xs_cost
                } else {
                    0.0
                }
            }
            PaymentMode::PointValue => {
                let points = POINTS_PER_WEIGHT * (f.drift * s.units + f.marg * s.xs_w);
                if points > 0.0 {
                    st.point_value * points
                } else {
                    0.0
                }
            }
            PaymentMode::FeeForService => 0.0,
        }
    }

    pub(super) fn region_sums(&self, gm: &GroupModel, f: &Factors, d: &InpatientDemand) -> Sums {
        let mut s = Sums::default();
        for l in 0..3 {
            if gm.present[l] {
                accumulate(&gm.levels[l], l, f, d, &mut s);
            }
        }
        s
    }

    #[inline]
    pub(super) fn year_from(&self, f: &Factors, s: &Sums, st: Settled) -> InpatientYear {
        let ffs_mode = self.mode == PaymentMode::FeeForService;
        let cmi = rules::cmi(f.drift * s.rw, s.drg_cases);
        let (drg_cases, drg_ffs) = if ffs_mode {
            (0.0, 0.0)
        } else {
            (s.drg_cases, s.ffs_drg)
        };
        let drg_payment = self.drg_pay(f, s, st);
        let other = s.ffs - drg_ffs;
        let drg_patient = if ffs_mode { 0.0 } else { s.patient_drg };
        InpatientYear {
            patient_yuan: s.patient,
            drg_patient_yuan: drg_patient,
            fund_yuan: drg_payment + other - s.patient,
            drg_fund_yuan: drg_payment - drg_patient,
            drg_fund_ffs_yuan: drg_ffs - drg_patient,
            fund_settlement_ratio: ratio(drg_payment - drg_patient, drg_ffs - drg_patient),
            cases: s.cases,
            drg_cases,
            ffs_equivalent_yuan: s.ffs,
            drg_ffs_equivalent_yuan: drg_ffs,
            drg_payment_yuan: drg_payment,
            other_payment_yuan: other,
            total_payment_yuan: drg_payment + other,
            cmi,
            base_rate: st.rate,
            point_value: st.point_value,
            settlement_ratio: ratio(drg_payment, drg_ffs),
        }
    }

    /// One year of inpatient payment for year index `t`. Does not allocate;
    /// O(levels x bands) in the group form, O(bands) in the aggregate form.
    pub fn pay_year(&self, t: usize, p: &ParamValues, d: &InpatientDemand) -> InpatientYear {
        self.pay_year_with(t, p, d, &YearInputs::NONE)
    }

    /// [`PaymentModel::pay_year`] with what the year loop decides each year:
    /// the fund's budget from a budget rule and a benefit cut from the policy
    /// rules ([`YearInputs`]).
    pub fn pay_year_with(
        &self,
        t: usize,
        p: &ParamValues,
        d: &InpatientDemand,
        x: &YearInputs,
    ) -> InpatientYear {
        let f = self.factors_with(t, p, x);
        match &self.grouped {
            Some(gm) => {
                let s = self.region_sums(gm, &f, d);
                let st = self.settle(t, p, &f, &s, gm.recalibrate);
                self.year_from(&f, &s, st)
            }
            None => self.pay_aggregate(t, p, &f, d),
        }
    }
}
