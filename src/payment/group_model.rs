//! The group-level model, compiled once per scenario into per-band
//! coefficients per hospital and per level.
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
//! `pay_year` is then one dot product of the demand with the coefficients per
//! quantity and level (O(levels x bands)), with dated parameters (coverage,
//! rate, coefficients, behaviour) applied as scalars to the sums:
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

use super::allocation::{allocate_shared, override_allocation, volumes_cover_every_group};
use super::benefits::patient_share;
use super::groups::GroupTable;
use super::hospitals::{HospitalGroupVolumes, HospitalInfo, HospitalTable, Level};
use super::rules::{self, OutlierTails};
use super::year::{Factors, InpatientDemand};
use crate::population::bands::N_BANDS;
use crate::scenario::payment::WeightBand;
use std::sync::{Arc, Mutex, PoisonError};

/// Per-band coefficients of one hospital (or one level): each is multiplied by
/// the band's cases `n_b` (and, for costs, by the band's cost per case `c_b`) in
/// [`accumulate`]. With `w = s_gb x a_hg`: `cases = sum_g w`, `ffs = sum_g w x
/// rho_hg x mean_cost_g / M_b`, the `drg_` and weight terms over non-excluded
/// groups only, `units = sum_g w x RW_g x k_h x sf_hg` (`sf` the standard factor
/// of [`OutlierTails`]), `xs_cost`, `xs_w` the expected high-outlier excess.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Coef {
    pub(super) cases: f64,
    pub(super) drg_cases: f64,
    pub(super) ffs: f64,
    pub(super) ffs_drg: f64,
    pub(super) units: f64,
    pub(super) units_nc: f64,
    pub(super) units_ref: f64,
    pub(super) units_nc_ref: f64,
    pub(super) xs_cost: f64,
    pub(super) xs_w: f64,
    pub(super) rw: f64,
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

pub(super) type Cells = [Coef; N_BANDS];

/// The compiled group form: coefficients per hospital and summed per level.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct GroupModel {
    pub(super) levels: [Cells; 3],
    pub(super) present: [bool; 3],
    pub(super) hospitals: Vec<HospitalInfo>,
    pub(super) cells: Vec<Cells>,
    pub(super) recalibrate: bool,
    pub(super) n_groups: usize,
    /// Hospital indices ordered by alliance (hospitals without one last, each on its own).
    pub(super) alliance_order: Vec<usize>,
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

/// A year's sums over bands (and hospitals of a level) for given factors: the
/// quantities the rate, point value and payment are settled on.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Sums {
    pub(super) cases: f64,
    pub(super) drg_cases: f64,
    pub(super) ffs: f64,
    pub(super) ffs_drg: f64,
    pub(super) units: f64,
    pub(super) units_ref: f64,
    pub(super) units_plan: f64,
    pub(super) xs_cost: f64,
    pub(super) xs_plan: f64,
    pub(super) xs_w: f64,
    pub(super) rw: f64,
    pub(super) patient: f64,
    pub(super) patient_drg: f64,
}

/// The demand's dot products with one hospital's (or one level's)
/// coefficients, over bands in band order from 0: with `n_b` the band's cases
/// and `m_b = n_b x c_b` its fee-for-service cost (`c_b` the cost per case),
/// `cases = sum_b n_b C.cases_b`, likewise `drg_cases`, `rw`, `xs_w`, `units`
/// and `units_ref` (`C.units_nc`, `C.units_nc_ref` under a level coefficient),
/// and `ffs = sum_b m_b C.ffs_b`, likewise `ffs_drg` and `xs_cost`.
///
/// Everything the year's factors do to a band is a factor common to all bands
/// (`n = n0 x adm`, `cost = c0 x costf`, the DRG share), so the factors are
/// applied once to these sums ([`Sums::add_level`]), not band by band.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Dots {
    pub(super) cases: f64,
    pub(super) drg_cases: f64,
    pub(super) rw: f64,
    pub(super) xs_w: f64,
    pub(super) units: f64,
    pub(super) units_ref: f64,
    pub(super) ffs: f64,
    pub(super) ffs_drg: f64,
    pub(super) xs_cost: f64,
}

impl Dots {
    /// The dot products of demand `d` with `cells` (see the type's docs);
    /// `nc` picks the weight units without the hospital coefficient (a level
    /// coefficient replaces it).
    pub(super) fn of(cells: &Cells, nc: bool, d: &InpatientDemand) -> Dots {
        let mut o = Dots::default();
        for (b, c) in cells.iter().enumerate() {
            let n = d.cases_by_band[b];
            let m = n * d.cost_per_case_by_band[b];
            let (u, uref) = if nc {
                (c.units_nc, c.units_nc_ref)
            } else {
                (c.units, c.units_ref)
            };
            o.cases += n * c.cases;
            o.drg_cases += n * c.drg_cases;
            o.rw += n * c.rw;
            o.xs_w += n * c.xs_w;
            o.units += n * u;
            o.units_ref += n * uref;
            o.ffs += m * c.ffs;
            o.ffs_drg += m * c.ffs_drg;
            o.xs_cost += m * c.xs_cost;
        }
        o
    }
}

impl Sums {
    /// Adds one hospital's (or one level's) year at hospital level index
    /// `level`, from its dot products `o` ([`Dots`]) and the year's factors:
    /// with `a = adm`, `k = costf`, `f_L = hospital_coverage_L x elig` (the
    /// DRG share), `dn = f_L x a`, `u = coefficient` (`k_L x coefficient`
    /// under a level coefficient):
    ///
    /// `cases += a cases_o`, `ffs += (a k) ffs_o`, `drg_cases += dn drg_o`,
    /// `ffs_drg += (dn k) ffs_drg_o`, `units += (dn u) units_o`, `units_ref +=
    /// (dn u) units_ref_o`, `units_plan += (f_L u) units_o` (the plan counts
    /// cases before behaviour), `xs_cost += (dn k) xs_cost_o`, `xs_plan += f_L
    /// xs_cost_o`, `xs_w += dn xs_w_o`, `rw += dn rw_o`, and the patients'
    /// shares of the level's bill, of all cases and of DRG cases
    /// ([`patient_share`], linear in the bill and the cases).
    #[inline(always)]
    pub(super) fn add_level(&mut self, o: &Dots, level: usize, f: &Factors) {
        let share = f.hosp_cov[level] * f.elig;
        let u = match f.level_coef[level] {
            Some(k) => k * f.coef_mult,
            None => f.coef_mult,
        };
        let dn = share * f.adm;
        let cases = f.adm * o.cases;
        let ffs = (f.adm * f.costf) * o.ffs;
        let drg_cases = dn * o.drg_cases;
        let ffs_drg = (dn * f.costf) * o.ffs_drg;
        self.cases += cases;
        self.ffs += ffs;
        self.drg_cases += drg_cases;
        self.ffs_drg += ffs_drg;
        self.units += (dn * u) * o.units;
        self.units_ref += (dn * u) * o.units_ref;
        self.units_plan += (share * u) * o.units;
        self.xs_cost += (dn * f.costf) * o.xs_cost;
        self.xs_plan += share * o.xs_cost;
        self.xs_w += dn * o.xs_w;
        self.rw += dn * o.rw;
        let (reimb, ded) = (f.reimb[level], f.deductible);
        self.patient += patient_share(ffs, cases, reimb, ded);
        self.patient_drg += patient_share(ffs_drg, drg_cases, reimb, ded);
    }
}

/// Adds the sums of one hospital (or one level) with coefficients `cells` at
/// hospital level index `level` for the year's factors and demand: the
/// demand's dot products with the coefficients ([`Dots::of`]), then the
/// factors ([`Sums::add_level`]).
pub(super) fn accumulate(
    cells: &Cells,
    level: usize,
    f: &Factors,
    d: &InpatientDemand,
    s: &mut Sums,
) {
    let o = Dots::of(cells, f.level_coef[level].is_some(), d);
    s.add_level(&o, level, f);
}

impl GroupModel {
    /// Compiles the tables: allocation of each group's cases to hospitals
    /// (`allocate`, not computed when per-hospital volumes give every group), the cost level `rho_hg`, the outlier tails and the
    /// per-band coefficients (see the module docs).
    pub(super) fn compile_uncached(
        groups: &GroupTable,
        hospitals: Option<&HospitalTable>,
        volumes: Option<&HospitalGroupVolumes>,
        weights: Option<&[f64]>,
        recalibrate: bool,
        rules: Option<OutlierRules>,
    ) -> GroupModel {
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
                let mut a = match volumes {
                    // every column is replaced by the volumes' shares
                    Some(v) if volumes_cover_every_group(v, n_g) => {
                        vec![0.0; ht.hospitals.len() * n_g]
                    }
                    _ => allocate_shared(groups, &table_w, ht).to_vec(),
                };
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
        GroupModel {
            levels,
            present,
            hospitals: hosp,
            cells,
            recalibrate: recalibrate && weights.is_some(),
            n_groups: n_g,
            alliance_order,
        }
    }
}

/// What [`GroupModel::compile`] reads, kept to recognise a repeated compile.
#[derive(Debug)]
pub(super) struct CompileKey {
    groups: GroupTable,
    hospitals: Option<HospitalTable>,
    volumes: Option<HospitalGroupVolumes>,
    weights: Option<Vec<f64>>,
    recalibrate: bool,
    rules: Option<OutlierRules>,
}

/// Compiled group models with the inputs they were compiled from, most
/// recently used first, at most [`KEEP`].
pub(super) struct CompileCache(Mutex<Vec<(CompileKey, Arc<GroupModel>)>>);

/// The process's compiled group models.
static COMPILED: CompileCache = CompileCache(Mutex::new(Vec::new()));

/// How many compiled group models a process keeps (a scenario and its `--vs`,
/// a sensitivity run's variants of the weights or outlier rules).
const KEEP: usize = 4;

impl GroupModel {
    /// [`GroupModel::compile_uncached`], computed once per process for the same
    /// inputs. Analysis recompiles the scenario for every lever setting, a dozen
    /// times or more a command, and the tables rarely change between them: at
    /// provincial scale (3,337 hospitals x 100 groups) the allocation and
    /// outlier tails are most of a compile. The result is a pure function of
    /// the inputs, compared in full (not by a hash), so a hit returns exactly
    /// what a compile would.
    pub(super) fn compile(
        groups: &GroupTable,
        hospitals: Option<&HospitalTable>,
        volumes: Option<&HospitalGroupVolumes>,
        weights: Option<&[f64]>,
        recalibrate: bool,
        rules: Option<OutlierRules>,
    ) -> Arc<GroupModel> {
        COMPILED.get(groups, hospitals, volumes, weights, recalibrate, rules)
    }
}

impl CompileCache {
    /// An empty cache.
    #[cfg(test)]
    pub(super) fn new() -> CompileCache {
        CompileCache(Mutex::new(Vec::new()))
    }

    /// The model compiled from these inputs: kept, or compiled and kept.
    pub(super) fn get(
        &self,
        groups: &GroupTable,
        hospitals: Option<&HospitalTable>,
        volumes: Option<&HospitalGroupVolumes>,
        weights: Option<&[f64]>,
        recalibrate: bool,
        rules: Option<OutlierRules>,
    ) -> Arc<GroupModel> {
        let same = |k: &CompileKey| {
            k.recalibrate == recalibrate
                && k.weights.as_deref() == weights
                && k.rules == rules
                && k.groups == *groups
                && k.hospitals.as_ref() == hospitals
                && k.volumes.as_ref() == volumes
        };
        {
            let mut cache = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(i) = cache.iter().position(|(k, _)| same(k)) {
                let hit = cache.remove(i);
                let gm = Arc::clone(&hit.1);
                cache.insert(0, hit);
                return gm;
            }
        }
        let gm = Arc::new(GroupModel::compile_uncached(
            groups,
            hospitals,
            volumes,
            weights,
            recalibrate,
            rules.clone(),
        ));
        let key = CompileKey {
            groups: groups.clone(),
            hospitals: hospitals.cloned(),
            volumes: volumes.cloned(),
            weights: weights.map(<[f64]>::to_vec),
            recalibrate,
            rules,
        };
        let mut cache = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        cache.insert(0, (key, Arc::clone(&gm)));
        cache.truncate(KEEP);
        gm
    }
}
