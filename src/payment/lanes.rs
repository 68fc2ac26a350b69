//! The payment engine for a chunk of paths at once
//! ([`PaymentModel::pay_year_lanes`]): the group-level sums of
//! `group_model::accumulate` computed in lanes, one lane per path.
//!
//! # Layout
//!
//! Paths go `V` at a time, one lane each of a vector register: the lanes'
//! dated factors (`Factors`) and year's sums (`Sums`) are `[f64; V]` held in
//! registers over every level and band, a band's coefficients (`Coef`) are
//! loaded once for the lanes, and each operation runs on all lanes at once.
//!
//! # Same numbers as one path alone
//!
//! Every lane performs, term for term, the floating-point operations of
//! `accumulate` for its path, in the same order (bands in order within a level,
//! levels in order, each product associated as there): a lane's sums, and so its
//! [`InpatientYear`], equal `pay_year_with` for that path bit for bit
//! (tests/payment_lanes.rs checks every bundled scenario). The one saving that
//! changes no value: sums that the model's mode never reads (`Need`) are not
//! formed. The rate or point value (`settle`) and the year's result
//! (`year_from`) are the scalar engine's own, per lane. The aggregate form (no
//! tables) is a few dozen operations a path and runs path by path through
//! `pay_year_with`.

use super::engine::PaymentModel;
use super::group_model::{Cells, Sums};
use super::year::{Factors, InpatientDemand, InpatientYear, YearInputs};
use crate::population::bands::N_BANDS;
use crate::scenario::ParamValues;
use crate::scenario::payment::PaymentMode;

/// Lanes (paths) at a time: one SSE2 vector of f64, the x86-64 baseline.
const V: usize = 2;

/// No demand: the lanes past the last path.
const NO_DEMAND: InpatientDemand = InpatientDemand {
    cases_by_band: [0.0; N_BANDS],
    cost_per_case_by_band: [0.0; N_BANDS],
};

/// Which of the year's sums `settle` and `year_from` read under a model's mode:
/// weight units in every DRG/DIP mode; the recalibration reference only for a
/// given base rate that is recalibrated; the plan sums only for a rate solved
/// from a budget; the cost excess in rate mode and the weight excess in point
/// value mode. The others (cases, costs, weights, patients' shares) always.
#[derive(Clone, Copy, Debug)]
struct Need {
    units: bool,
    units_ref: bool,
    plan: bool,
    xs_cost: bool,
    xs_w: bool,
}

impl Need {
    fn of(m: &PaymentModel, recalibrate: bool) -> Need {
        let rate = m.mode == PaymentMode::DrgRate;
        Need {
            units: m.mode != PaymentMode::FeeForService,
            units_ref: rate && m.ids.base_rate.is_some() && recalibrate,
            plan: rate && m.ids.base_rate.is_none(),
            xs_cost: rate,
            xs_w: m.mode == PaymentMode::PointValue,
        }
    }
}

/// `V` lanes' year sums (the fields of `Sums`), held in registers.
#[derive(Clone, Copy)]
struct Acc {
    cases: [f64; V],
    drg_cases: [f64; V],
    ffs: [f64; V],
    ffs_drg: [f64; V],
    units: [f64; V],
    units_ref: [f64; V],
    units_plan: [f64; V],
    xs_cost: [f64; V],
    xs_plan: [f64; V],
    xs_w: [f64; V],
    rw: [f64; V],
    patient: [f64; V],
    patient_drg: [f64; V],
}

impl Acc {
    const ZERO: Acc = Acc {
        cases: [0.0; V],
        drg_cases: [0.0; V],
        ffs: [0.0; V],
        ffs_drg: [0.0; V],
        units: [0.0; V],
        units_ref: [0.0; V],
        units_plan: [0.0; V],
        xs_cost: [0.0; V],
        xs_plan: [0.0; V],
        xs_w: [0.0; V],
        rw: [0.0; V],
        patient: [0.0; V],
        patient_drg: [0.0; V],
    };

    /// Lane `j`'s sums.
    fn lane(&self, j: usize) -> Sums {
        Sums {
            cases: self.cases[j],
            drg_cases: self.drg_cases[j],
            ffs: self.ffs[j],
            ffs_drg: self.ffs_drg[j],
            units: self.units[j],
            units_ref: self.units_ref[j],
            units_plan: self.units_plan[j],
            xs_cost: self.xs_cost[j],
            xs_plan: self.xs_plan[j],
            xs_w: self.xs_w[j],
            rw: self.rw[j],
            patient: self.patient[j],
            patient_drg: self.patient_drg[j],
        }
    }
}

/// `accumulate` for `V` lanes: adds level `level`'s sums with coefficients
/// `cells` to `a`, lane by lane (the formulas are on `accumulate` and in the
/// `group_model` module docs; with `n = n0 x adm`, `cost = c0 x costf`, `share =
/// f_L = hospital_coverage_L x elig`, `dn = share x n`):
///
/// `cases += n x C.cases`, `ffs += (n x cost) x C.ffs`, `drg_cases += dn x
/// C.drg_cases`, `ffs_drg += (dn x cost) x C.ffs_drg`, `units += dn x u`,
/// `units_ref += dn x u_ref`, `units_plan += (share x n0) x u`, `xs_cost +=
/// (dn x cost) x C.xs_cost`, `xs_plan += ((share x n0) x c0) x C.xs_cost`,
/// `xs_w += dn x C.xs_w`, `rw += dn x C.rw`, and the patients' shares
/// `(1 - reimb_L) x ffs + (reimb_L x deductible) x cases` of all cases and of
/// DRG cases (`benefits::patient_share`), where `u = (k_L x C.units_nc) x
/// coefficient` under a level coefficient `k_L`, else `C.units x coefficient`.
/// Each sum adds band after band, in band order, from where the previous level
/// left it.
#[inline(always)]
fn accumulate_lanes(
    cells: &Cells,
    level: usize,
    f: &[Factors; V],
    d: [&InpatientDemand; V],
    need: Need,
    a: &mut Acc,
) {
    use std::array::from_fn;
    // whether level `level` has a coefficient override depends on the
    // scenario's parameters, not on their values: the same in every lane
    let lc = f[0].level_coef[level].is_some();
    let k: [f64; V] = from_fn(|j| f[j].level_coef[level].unwrap_or(0.0));
    let cm: [f64; V] = from_fn(|j| f[j].coef_mult);
    let (adm, costf): ([f64; V], [f64; V]) = (from_fn(|j| f[j].adm), from_fn(|j| f[j].costf));
    let share: [f64; V] = from_fn(|j| f[j].hosp_cov[level] * f[j].elig);
    let keep: [f64; V] = from_fn(|j| 1.0 - f[j].reimb[level]);
    let rd: [f64; V] = from_fn(|j| f[j].reimb[level] * f[j].deductible);
    for (b, c) in cells.iter().enumerate() {
        let n0: [f64; V] = from_fn(|j| d[j].cases_by_band[b]);
        let c0: [f64; V] = from_fn(|j| d[j].cost_per_case_by_band[b]);
        let mut dn = [0.0; V];
        let mut dnc = [0.0; V];
        for j in 0..V {
            let n = n0[j] * adm[j];
            let cost = c0[j] * costf[j];
            let nf = n * cost * c.ffs;
            let nc = n * c.cases;
            a.cases[j] += nc;
            a.ffs[j] += nf;
            dn[j] = share[j] * n;
            dnc[j] = dn[j] * cost;
            let dcases = dn[j] * c.drg_cases;
            let dffs = dnc[j] * c.ffs_drg;
            a.drg_cases[j] += dcases;
            a.ffs_drg[j] += dffs;
            a.rw[j] += dn[j] * c.rw;
            a.patient[j] += keep[j] * nf + rd[j] * nc;
            a.patient_drg[j] += keep[j] * dffs + rd[j] * dcases;
        }
        let mut u = [0.0; V];
        if need.units || need.plan {
            if lc {
                for j in 0..V {
                    u[j] = k[j] * c.units_nc * cm[j];
                }
            } else {
                for j in 0..V {
                    u[j] = c.units * cm[j];
                }
            }
        }
        if need.units {
            for j in 0..V {
                a.units[j] += dn[j] * u[j];
            }
        }
        if need.units_ref {
            for j in 0..V {
                let uref = if lc {
                    k[j] * c.units_nc_ref
                } else {
                    c.units_ref
                };
                a.units_ref[j] += dn[j] * (uref * cm[j]);
            }
        }
        if need.plan {
            for j in 0..V {
                let sn0 = share[j] * n0[j];
                a.units_plan[j] += sn0 * u[j];
                a.xs_plan[j] += sn0 * c0[j] * c.xs_cost;
            }
        }
        if need.xs_cost {
            for j in 0..V {
                a.xs_cost[j] += dnc[j] * c.xs_cost;
            }
        }
        if need.xs_w {
            for j in 0..V {
                a.xs_w[j] += dn[j] * c.xs_w;
            }
        }
    }
}

impl PaymentModel {
    /// [`pay_year_with`](Self::pay_year_with) for a chunk of paths at once:
    /// `out[i]` is, bit for bit, `pay_year_with(t, ps[i], &ds[i], &xs[i])`.
    /// The year loop hands its chunk of paths here in one call; the group form
    /// runs two paths at a time, in the lanes of a vector register (see the module docs).
    ///
    /// # Panics
    /// If the four slices differ in length (a caller's bug).
    pub fn pay_year_lanes(
        &self,
        t: usize,
        ps: &[&ParamValues],
        ds: &[InpatientDemand],
        xs: &[YearInputs],
        out: &mut [InpatientYear],
    ) {
        let n = ps.len();
        assert!(
            ds.len() == n && xs.len() == n && out.len() == n,
            "one demand, input and output per path"
        );
        let Some(gm) = &self.grouped else {
            for i in 0..n {
                out[i] = self.pay_year_with(t, ps[i], &ds[i], &xs[i]);
            }
            return;
        };
        let need = Need::of(self, gm.recalibrate);
        for g in (0..n).step_by(V) {
            let m = (n - g).min(V);
            let mut f = [Factors::default(); V];
            let mut d = [&NO_DEMAND; V];
            for j in 0..m {
                f[j] = self.factors_with(t, ps[g + j], &xs[g + j]);
                d[j] = &ds[g + j];
            }
            let mut a = Acc::ZERO;
            for l in 0..3 {
                if gm.present[l] {
                    accumulate_lanes(&gm.levels[l], l, &f, d, need, &mut a);
                }
            }
            for j in 0..m {
                let s = a.lane(j);
                let st = self.settle(t, ps[g + j], &f[j], &s, gm.recalibrate);
                out[g + j] = self.year_from(&f[j], &s, st);
            }
        }
    }
}
