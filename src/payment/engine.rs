//! The compiled payment model ([`PaymentModel`]) and its yearly evaluation.
//!
//! # Group-level model
//!
//! Cases of band b fall in group g with share `s_gb` (from the group table: see
//! [`GroupTable::band_group_shares`]); a share `a_hg` of group g's cases is
//! treated at hospital h. A case of group g from band b at hospital h costs, fee
//! for service, on average
//!
//! `cost_hgb = mean_cost_g x rho_hg x c_b / M_b`
//!
//! where `c_b` is the demand's cost per case of band b in year t, `M_b =
//! sum_g s_gb mean_cost_g` the table's own cost per case of band b (so the table
//! fixes relative costs and the demand fixes the level, age profile and growth),
//! and `rho_hg = cost_level_h / sum_h' a_h'g cost_level_h'` the hospital's cost
//! level normalised so each group's mean stays `mean_cost_g`.
//!
//! Case cost within a (hospital, group) is lognormal with mean `rho_hg` (relative
//! to the group standard) and the group's CV, which gives the expected outlier
//! quantities in closed form ([`OutlierTails`]). Everything is then linear in the
//! cases of each band for given parameters, so precomputation at compile time
//! ([`PaymentSpec::compile`](super::PaymentSpec::compile)) collapses the (hospital, group, band) sums into per-band
//! coefficients, per hospital and per level:
//!
//! - `cases`, `drg_cases` (non-excluded groups), `ffs`, `ffs_drg` (x c_b),
//! - weight units `sum s_gb a_hg RW_g k_h (1 - p_low + partial_low)` (standard
//!   payments at rate 1, low outliers pro rata), also without `k_h` (for level
//!   coefficient overrides) and under the reference weights (recalibration),
//! - expected high-outlier excess in cost terms (x c_b, yuan) and in weight units
//!   (for points), and plain `sum RW` for the CMI.
//!
//! `pay_year` is then O(levels x bands) = 54 multiply-adds per quantity, with
//! dated parameters (coverage, rate, coefficients, behaviour) applied as scalars:
//!
//! - DRG share of a level's cases: `f_L = hospital_coverage_L x group_coverage x
//!   grouping_rate x (1 - excluded_stays_share - special_review_share)`, applied to
//!   non-excluded groups (coverage shares are expected values: the hospitals and
//!   groups in DRG are taken as representative of their level and of the table);
//! - cases `n_b x (1 + admissions)`, cost `c_b x (1 + length_of_stay) x (1 + cost_per_case)`;
//! - coded weights x `(1 + cmi_drift)`.
//!
//! Rate mode: `DRG payment = r x (1 + drift) x U + m x E` (U weight units, E
//! expected excess in yuan, m marginal share). Point-value mode: `points = 100 x
//! ((1 + drift) x U + m x E_w)`, `point value = B / points`, DRG payment = B.
//! Cases not paid by DRG (excluded groups, ungrouped, excluded stays, special
//! review, hospitals outside DRG) are paid their FFS cost.
//!
//! # Aggregate model
//!
//! `DRG cases = coverage x cases`, `DRG payment = DRG cases x r x CMI x (1 + drift)
//! x coefficient` (rate mode) or the budget (point-value mode, `point value = B /
//! (DRG cases x CMI x (1 + drift) x 100 x coefficient)`); the other
//! `(1 - coverage)` of FFS cost is paid fee for service.

use super::clearing::Corridor;
use super::clearing::clear_hospital;
use super::groups::GroupTable;
use super::hospitals::{HospitalGroupVolumes, HospitalTable, Level};
use super::rules::{self, OutlierTails, POINTS_PER_WEIGHT};
use crate::population::bands::{ByBand, N_BANDS};
use crate::scenario::clearing::ClearingLevel;
use crate::scenario::payment::{BudgetBasis, PaymentMode, WeightBand};
use crate::scenario::{ParamId, ParamValues};

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

/// Hospital as compiled.
#[derive(Clone, Debug, PartialEq)]
pub struct HospitalInfo {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: Level,
    /// Coefficient from the table.
    pub coefficient: f64,
    /// Medical alliance (医共体), empty when none.
    pub alliance: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Coef {
    cases: f64,
    drg_cases: f64,
    ffs: f64,
    ffs_drg: f64,
    units: f64,
    units_nc: f64,
    units_ref: f64,
    units_nc_ref: f64,
    xs_cost: f64,
    xs_w: f64,
    rw: f64,
}

impl Coef {
    fn add(&mut self, o: &Coef) {
        self.cases += o.cases;
        self.drg_cases += o.drg_cases;
        self.ffs += o.ffs;
        self.ffs_drg += o.ffs_drg;
        self.units += o.units;
        self.units_nc += o.units_nc;
        self.units_ref += o.units_ref;
        self.units_nc_ref += o.units_nc_ref;
        self.xs_cost += o.xs_cost;
        self.xs_w += o.xs_w;
        self.rw += o.rw;
    }
}

type Cells = [Coef; N_BANDS];

#[derive(Clone, Debug)]
struct GroupModel {
    levels: [Cells; 3],
    present: [bool; 3],
    hospitals: Vec<HospitalInfo>,
    cells: Vec<Cells>,
    recalibrate: bool,
    n_groups: usize,
    /// Hospital indices ordered by alliance (hospitals without one last, each on its own).
    alliance_order: Vec<usize>,
}

/// Compiled outlier thresholds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OutlierRules {
    pub by_level: [rules::OutlierRule; 3],
    pub by_weight: Vec<WeightBand>,
}

impl OutlierRules {
    /// The rule for a group of weight `rw` at a hospital of `level`.
    pub fn rule(&self, level: Level, rw: f64) -> rules::OutlierRule {
        let mut r = self.by_level[level.index()];
        if let Some(b) = self.by_weight.iter().rev().find(|b| rw >= b.from_weight) {
            r.high_multiple = b.multiple;
        }
        r
    }
}

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

/// A compiled payment model (see the module docs for the formulas).
#[derive(Clone, Debug)]
pub struct PaymentModel {
    mode: PaymentMode,
    ids: Ids,
    grouped: Option<Box<GroupModel>>,
    benefits: Option<BenefitIds>,
}

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

#[derive(Clone, Copy, Debug, Default)]
struct Sums {
    cases: f64,
    drg_cases: f64,
    ffs: f64,
    ffs_drg: f64,
    units: f64,
    units_ref: f64,
    units_plan: f64,
    xs_cost: f64,
    xs_plan: f64,
    xs_w: f64,
    rw: f64,
    patient: f64,
    patient_drg: f64,
}

#[derive(Clone, Copy, Debug)]
struct Factors {
    adm: f64,
    costf: f64,
    drift: f64,
    elig: f64,
    marg: f64,
    coef_mult: f64,
    level_coef: [Option<f64>; 3],
    hosp_cov: [f64; 3],
    /// Fund's share of the FFS bill above the deductible, by level.
    reimb: [f64; 3],
    /// Deductible per admission, yuan.
    deductible: f64,
    /// Point-value floor and ceiling (NaN: none).
    pv_floor: f64,
    pv_ceiling: f64,
    /// Budget basis: patients' payments on DRG cases added to the fund budget.
    budget_adds_patients: bool,
    /// Fund budget set by the fund's budget rule this year, yuan (NaN: the
    /// payment section's `budget_wan`).
    budget_override: f64,
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

/// Rate / point value settled at region level.
#[derive(Clone, Copy, Debug)]
struct Settled {
    rate: f64,
    point_value: f64,
}

fn accumulate(cells: &Cells, level: usize, f: &Factors, d: &InpatientDemand, s: &mut Sums) {
    let share = f.hosp_cov[level] * f.elig;
    let lc = f.level_coef[level];
    for (b, c) in cells.iter().enumerate() {
        let n0 = d.cases_by_band[b];
        let c0 = d.cost_per_case_by_band[b];
        let n = n0 * f.adm;
        let cost = c0 * f.costf;
        let (u, uref) = match lc {
            Some(k) => (k * c.units_nc, k * c.units_nc_ref),
            None => (c.units, c.units_ref),
        };
        let u = u * f.coef_mult;
        let uref = uref * f.coef_mult;
        s.cases += n * c.cases;
        s.ffs += n * cost * c.ffs;
        let dn = share * n;
        s.drg_cases += dn * c.drg_cases;
        s.ffs_drg += dn * cost * c.ffs_drg;
        s.units += dn * u;
        s.units_ref += dn * uref;
        s.units_plan += share * n0 * u;
        s.xs_cost += dn * cost * c.xs_cost;
        s.xs_plan += share * n0 * c0 * c.xs_cost;
        s.xs_w += dn * c.xs_w;
        s.rw += dn * c.rw;
        s.patient += patient_share(n * cost * c.ffs, n * c.cases, f.reimb[level], f.deductible);
        s.patient_drg += patient_share(
            dn * cost * c.ffs_drg,
            dn * c.drg_cases,
            f.reimb[level],
            f.deductible,
        );
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

impl PaymentModel {
    pub(crate) fn aggregate(mode: PaymentMode, ids: Ids) -> PaymentModel {
        PaymentModel {
            mode,
            ids,
            grouped: None,
            benefits: None,
        }
    }

    /// Attaches the fund's benefit rules. Without them patients pay nothing and
    /// the fund pays the whole hospital payment.
    pub fn with_benefits(mut self, b: BenefitIds) -> PaymentModel {
        self.benefits = Some(b);
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
        let table_w: Vec<f64> = groups.groups.iter().map(|g| g.weight).collect();
        let w: Vec<f64> = weights.map_or_else(|| table_w.clone(), |w| w.to_vec());
        let s = groups.band_group_shares();
        let m = groups.cost_per_case_by_band();
        let hosp: Vec<HospitalInfo>;
        let cost_levels: Vec<f64>;
        let alloc: Vec<f64>; // h-major, n_h x n_g
        let n_g = groups.len();
        match hospitals {
            Some(ht) => {
                hosp = ht
                    .hospitals
                    .iter()
                    .map(|h| HospitalInfo {
                        id: h.id.clone(),
                        name: h.name.clone(),
                        level: h.level,
                        coefficient: h.coefficient,
                        alliance: h.alliance.clone(),
                    })
                    .collect();
                cost_levels = ht.hospitals.iter().map(|h| h.cost_level).collect();
                let mut a = allocate(groups, &table_w, ht);
                if let Some(v) = volumes {
                    override_allocation(&mut a, v, ht.hospitals.len(), n_g);
                }
                alloc = a;
            }
            None => {
                hosp = vec![HospitalInfo {
                    id: "region".into(),
                    name: "whole region".into(),
                    level: Level::Secondary,
                    coefficient: 1.0,
                    alliance: String::new(),
                }];
                cost_levels = vec![1.0];
                alloc = vec![1.0; n_g];
            }
        }
        let n_h = hosp.len();
        // Group mean cost level across hospitals, E_g = sum_h a_hg cost_level_h.
        let mut e = vec![0.0; n_g];
        for h in 0..n_h {
            for (g, eg) in e.iter_mut().enumerate() {
                *eg += alloc[h * n_g + g] * cost_levels[h];
            }
        }
        let mut cells = vec![[Coef::default(); N_BANDS]; n_h];
        for (h, hi) in hosp.iter().enumerate() {
            let k = hi.coefficient;
            let cell = &mut cells[h];
            for (g, grp) in groups.groups.iter().enumerate() {
                let a = alloc[h * n_g + g];
                if a <= 0.0 {
                    continue;
                }
                let rho = if e[g] > 0.0 {
                    cost_levels[h] / e[g]
                } else {
                    1.0
                };
                let tails = rules
                    .as_ref()
                    .map(|r| OutlierTails::lognormal(rho, grp.cost_cv, r.rule(hi.level, w[g])))
                    .unwrap_or_default();
                let sf = if rules.is_some() {
                    tails.standard_factor()
                } else {
                    1.0
                };
                let xs = tails.excess_high;
                let elig = !grp.excluded;
                let rel_cost = rho * grp.mean_cost;
                for (b, c) in cell.iter_mut().enumerate() {
                    let wgt = s[g][b] * a;
                    if wgt <= 0.0 || m[b] <= 0.0 {
                        continue;
                    }
                    c.cases += wgt;
                    let cost = wgt * rel_cost / m[b];
                    c.ffs += cost;
                    if elig {
                        c.drg_cases += wgt;
                        c.ffs_drg += cost;
                        c.units_nc += wgt * w[g] * sf;
                        c.units += wgt * w[g] * k * sf;
                        c.units_nc_ref += wgt * table_w[g] * sf;
                        c.units_ref += wgt * table_w[g] * k * sf;
                        c.xs_cost += wgt * xs * grp.mean_cost / m[b];
                        c.xs_w += wgt * xs * w[g];
                        c.rw += wgt * w[g];
                    }
                }
            }
        }
        let mut alliance_order: Vec<usize> = (0..hosp.len()).collect();
        alliance_order.sort_by(|&a, &b| {
            let (x, y) = (&hosp[a].alliance, &hosp[b].alliance);
            x.is_empty()
                .cmp(&y.is_empty())
                .then_with(|| x.cmp(y))
                .then(a.cmp(&b))
        });
        let mut levels = [[Coef::default(); N_BANDS]; 3];
        let mut present = [false; 3];
        for (hi, c) in hosp.iter().zip(&cells) {
            let l = hi.level.index();
            present[l] = true;
            for b in 0..N_BANDS {
                levels[l][b].add(&c[b]);
            }
        }
        PaymentModel {
            mode,
            ids,
            grouped: Some(Box::new(GroupModel {
                levels,
                present,
                hospitals: hosp,
                cells,
                recalibrate: recalibrate && weights.is_some(),
                n_groups: n_g,
                alliance_order,
            })),
            benefits: None,
        }
    }

    fn factors(&self, t: usize, p: &ParamValues) -> Factors {
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

    fn factors_with(&self, t: usize, p: &ParamValues, x: &YearInputs) -> Factors {
        let mut f = self.factors(t, p);
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
    fn hospital_budget(&self, t: usize, p: &ParamValues, f: &Factors, patient_drg: f64) -> f64 {
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

    fn settle(&self, t: usize, p: &ParamValues, f: &Factors, s: &Sums, recal: bool) -> Settled {
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

    fn region_sums(&self, gm: &GroupModel, f: &Factors, d: &InpatientDemand) -> Sums {
        let mut s = Sums::default();
        for l in 0..3 {
            if gm.present[l] {
                accumulate(&gm.levels[l], l, f, d, &mut s);
            }
        }
        s
    }

    fn year_from(&self, f: &Factors, s: &Sums, st: Settled) -> InpatientYear {
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

    fn pay_aggregate(
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

/// Share `a_hg` of group g's cases treated at hospital h (h-major matrix).
///
/// Each hospital's own case mix tilts the regional mix towards heavy or light
/// groups, `q_hg ∝ p_g x RW_g^theta_h`, with `theta_h` solved (bisection) so the
/// hospital's CMI is `cmi_relative_h x` the regional CMI (clamped to what the
/// group weights can reach). The volumes `cases_h x q_hg` are then raked
/// (iterative proportional fitting, 20 rounds) so groups total their regional
/// cases and hospitals their own, and normalised per group.
fn allocate(groups: &GroupTable, weights: &[f64], ht: &HospitalTable) -> Vec<f64> {
    let n_g = groups.len();
    let n_h = ht.hospitals.len();
    let total: f64 = groups.groups.iter().map(|g| g.cases).sum();
    let p: Vec<f64> = groups.groups.iter().map(|g| g.cases / total).collect();
    let lnw: Vec<f64> = weights.iter().map(|w| w.max(1e-3).ln()).collect();
    let cmi_reg: f64 = p.iter().zip(weights).map(|(p, w)| p * w).sum();
    let tilted_cmi = |theta: f64, q: &mut [f64]| -> f64 {
        let mut num = 0.0;
        let mut den = 0.0;
        for g in 0..n_g {
            let x = p[g] * (theta * lnw[g]).exp();
            q[g] = x;
            num += x * weights[g];
            den += x;
        }
        if den > 0.0 { num / den } else { 0.0 }
    };
    let mut x = vec![0.0; n_h * n_g];
    let mut q = vec![0.0; n_g];
    for (h, hosp) in ht.hospitals.iter().enumerate() {
        let target = hosp.cmi_relative * cmi_reg;
        let (mut lo, mut hi) = (-8.0f64, 8.0f64);
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if tilted_cmi(mid, &mut q) < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        tilted_cmi(0.5 * (lo + hi), &mut q);
        let qs: f64 = q.iter().sum();
        for g in 0..n_g {
            x[h * n_g + g] = if qs > 0.0 {
                hosp.cases * q[g] / qs
            } else {
                0.0
            };
        }
    }
    let v_total: f64 = ht.hospitals.iter().map(|h| h.cases).sum();
    let mut col = vec![0.0; n_g];
    for _ in 0..20 {
        col.iter_mut().for_each(|c| *c = 0.0);
        for h in 0..n_h {
            for g in 0..n_g {
                col[g] += x[h * n_g + g];
            }
        }
        for h in 0..n_h {
            for g in 0..n_g {
                if col[g] > 0.0 {
                    x[h * n_g + g] *= p[g] * v_total / col[g];
                }
            }
        }
        for (h, hosp) in ht.hospitals.iter().enumerate() {
            let row: f64 = x[h * n_g..(h + 1) * n_g].iter().sum();
            if row > 0.0 {
                let f = hosp.cases / row;
                x[h * n_g..(h + 1) * n_g].iter_mut().for_each(|v| *v *= f);
            }
        }
    }
    col.iter_mut().for_each(|c| *c = 0.0);
    for h in 0..n_h {
        for g in 0..n_g {
            col[g] += x[h * n_g + g];
        }
    }
    for h in 0..n_h {
        for g in 0..n_g {
            x[h * n_g + g] = if col[g] > 0.0 {
                x[h * n_g + g] / col[g]
            } else if v_total > 0.0 {
                ht.hospitals[h].cases / v_total
            } else {
                0.0
            };
        }
    }
    x
}

/// Replaces the allocation of every group that has explicit per-hospital volumes
/// by those volumes' shares: `a_hg = cases_hg / sum_h' cases_h'g`.
fn override_allocation(a: &mut [f64], v: &HospitalGroupVolumes, n_h: usize, n_g: usize) {
    let mut col = vec![0.0; n_g];
    for &(_, g, n) in &v.entries {
        col[g] += n;
    }
    for (g, &c) in col.iter().enumerate() {
        if c > 0.0 {
            for h in 0..n_h {
                a[h * n_g + g] = 0.0;
            }
        }
    }
    for &(h, g, n) in &v.entries {
        if col[g] > 0.0 {
            a[h * n_g + g] = n / col[g];
        }
    }
}
