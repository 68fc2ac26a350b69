//! The payment engine for a chunk of paths at once
//! ([`PaymentModel::pay_year_lanes`]): the group-level sums of
//! `group_model::accumulate` computed in lanes, one lane per path.
//!
//! # Layout
//!
//! Paths go `V` at a time, one lane each of a vector register: the lanes'
//! dated factors (`LaneFactors`) and year's sums (`Acc`) are `[f64; V]` held
//! in registers over every level and band, a band's coefficients (`Coef`) are
//! loaded once for the lanes, and each operation runs on all lanes at once.
//! Each mode's loop is compiled on its own (`Need`: the sums the mode reads,
//! as constants; the level coefficient's presence, a constant too), with no
//! test inside the band loop. On a CPU with AVX the same code runs compiled
//! for AVX (`grouped_lanes_avx`, chosen at run time), else for the x86-64
//! baseline.
//!
//! # Same numbers as one path alone
//!
//! Every lane performs, term for term, the floating-point operations of
//! `accumulate` for its path, in the same order (bands in order within a level,
//! levels in order, each product associated as there): a lane's sums, and so its
//! [`InpatientYear`], equal `pay_year_with` for that path bit for bit
//! (tests/payment_lanes.rs checks every bundled scenario, `payment::tests` the
//! AVX and baseline forms in every mode). The one saving that changes no value:
//! sums that the model's mode never reads (`Need`) are not formed. The rate or
//! point value (`settle`) and the year's result (`year_from`) are the scalar
//! engine's own, per lane. The aggregate form (no tables) is a few dozen
//! operations a path and runs path by path through `pay_year_with`.

use super::engine::PaymentModel;
use super::group_model::{Cells, GroupModel, Sums};
use super::year::{Factors, InpatientDemand, InpatientYear, YearInputs};
use crate::population::bands::N_BANDS;
use crate::scenario::ParamValues;
use crate::scenario::payment::PaymentMode;

/// Lanes (paths) at a time: one 128-bit vector of f64 (SSE2, the x86-64
/// baseline, or AVX's VEX form). Four lanes (AVX 256-bit) ran no faster: the
/// sums and factors of four lanes do not fit in the sixteen registers.
const V: usize = 2;

/// No demand: the lanes past the last path.
const NO_DEMAND: InpatientDemand = InpatientDemand {
    cases_by_band: [0.0; N_BANDS],
    cost_per_case_by_band: [0.0; N_BANDS],
};

/// Which of the year's sums `settle` and `year_from` read under a model's
/// mode, as constants so that each mode's band loop is compiled on its own,
/// with no test inside it and no register for a sum the mode never reads:
/// weight units in every DRG/DIP mode; the recalibration reference only for a
/// given base rate that is recalibrated; the plan sums only for a rate solved
/// from a budget; the cost excess in rate mode and the weight excess in point
/// value mode. The others (cases, costs, weights, patients' shares) always.
trait Need {
    const UNITS: bool;
    const UNITS_REF: bool;
    const PLAN: bool;
    const XS_COST: bool;
    const XS_W: bool;
}

/// Fee for service: none of the DRG/DIP sums.
enum Ffs {}
/// Rate mode, base rate given.
enum Rate {}
/// Rate mode, given base rate recalibrated budget-neutrally.
enum RateRecal {}
/// Rate mode, rate solved from a budget.
enum RateBudget {}
/// Point-value mode.
enum Points {}

impl Need for Ffs {
    const UNITS: bool = false;
    const UNITS_REF: bool = false;
    const PLAN: bool = false;
    const XS_COST: bool = false;
    const XS_W: bool = false;
}
impl Need for Rate {
    const UNITS: bool = true;
    const UNITS_REF: bool = false;
    const PLAN: bool = false;
    const XS_COST: bool = true;
    const XS_W: bool = false;
}
impl Need for RateRecal {
    const UNITS: bool = true;
    const UNITS_REF: bool = true;
    const PLAN: bool = false;
    const XS_COST: bool = true;
    const XS_W: bool = false;
}
impl Need for RateBudget {
    const UNITS: bool = true;
    const UNITS_REF: bool = false;
    const PLAN: bool = true;
    const XS_COST: bool = true;
    const XS_W: bool = false;
}
impl Need for Points {
    const UNITS: bool = true;
    const UNITS_REF: bool = false;
    const PLAN: bool = false;
    const XS_COST: bool = false;
    const XS_W: bool = true;
}

/// One value per lane.
type L = [f64; V];

/// The dated factors of `V` lanes that the band loop reads, one array a
/// factor (lane `j` from `Factors` of path `j`): `share_L = hosp_cov_L x elig`,
/// `keep_L = 1 - reimb_L`, `rd_L = reimb_L x deductible`, `k_L` the level
/// coefficient (0 without one).
struct LaneFactors {
    adm: L,
    costf: L,
    cm: L,
    share: [L; 3],
    keep: [L; 3],
    rd: [L; 3],
    k: [L; 3],
}

impl LaneFactors {
    #[inline(always)]
    fn of(f: &[Factors; V]) -> LaneFactors {
        use std::array::from_fn;
        LaneFactors {
            adm: from_fn(|j| f[j].adm),
            costf: from_fn(|j| f[j].costf),
            cm: from_fn(|j| f[j].coef_mult),
            share: from_fn(|l| from_fn(|j| f[j].hosp_cov[l] * f[j].elig)),
            keep: from_fn(|l| from_fn(|j| 1.0 - f[j].reimb[l])),
            rd: from_fn(|l| from_fn(|j| f[j].reimb[l] * f[j].deductible)),
            k: from_fn(|l| from_fn(|j| f[j].level_coef[l].unwrap_or(0.0))),
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
/// coefficient` under a level coefficient `k_L` (`LC`), else `C.units x
/// coefficient`, and `u_ref` likewise from the reference weights. Each sum adds
/// band after band, in band order, from where the previous level left it;
/// only the sums `N` needs are formed.
#[inline(always)]
fn accumulate_lanes<N: Need, const LC: bool>(
    cells: &Cells,
    level: usize,
    f: &LaneFactors,
    d: &[&InpatientDemand; V],
    a: &mut Acc,
) {
    let (share, keep, rd, k) = (f.share[level], f.keep[level], f.rd[level], f.k[level]);
    for (b, c) in cells.iter().enumerate() {
        for j in 0..V {
            let n0 = d[j].cases_by_band[b];
            let c0 = d[j].cost_per_case_by_band[b];
            let n = n0 * f.adm[j];
            let cost = c0 * f.costf[j];
            let nf = n * cost * c.ffs;
            let nc = n * c.cases;
            let dn = share[j] * n;
            let dnc = dn * cost;
            let dcases = dn * c.drg_cases;
            let dffs = dnc * c.ffs_drg;
            a.cases[j] += nc;
            a.ffs[j] += nf;
            a.drg_cases[j] += dcases;
            a.ffs_drg[j] += dffs;
            a.rw[j] += dn * c.rw;
            a.patient[j] += keep[j] * nf + rd[j] * nc;
            a.patient_drg[j] += keep[j] * dffs + rd[j] * dcases;
            if N::UNITS || N::PLAN {
                let u = if LC {
                    k[j] * c.units_nc * f.cm[j]
                } else {
                    c.units * f.cm[j]
                };
                if N::UNITS {
                    a.units[j] += dn * u;
                }
                if N::PLAN {
                    let sn0 = share[j] * n0;
                    a.units_plan[j] += sn0 * u;
                    a.xs_plan[j] += sn0 * c0 * c.xs_cost;
                }
            }
            if N::UNITS_REF {
                let uref = if LC {
                    k[j] * c.units_nc_ref
                } else {
                    c.units_ref
                };
                a.units_ref[j] += dn * (uref * f.cm[j]);
            }
            if N::XS_COST {
                a.xs_cost[j] += dnc * c.xs_cost;
            }
            if N::XS_W {
                a.xs_w[j] += dn * c.xs_w;
            }
        }
    }
}

impl PaymentModel {
    /// [`pay_year_with`](Self::pay_year_with) for a chunk of paths at once:
    /// `out[i]` is, bit for bit, `pay_year_with(t, ps[i], &ds[i], &xs[i])`.
    /// The year loop hands its chunk of paths here in one call; the group form
    /// runs `V` paths at a time, in the lanes of vector registers (see the module docs).
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
        #[cfg(target_arch = "x86_64")]
        let avx = std::arch::is_x86_feature_detected!("avx");
        #[cfg(not(target_arch = "x86_64"))]
        let avx = false;
        self.grouped_lanes(gm, avx, Chunk { t, ps, ds, xs }, out);
    }

    /// The group form of [`pay_year_lanes`](Self::pay_year_lanes), compiled
    /// for AVX when `avx` (the CPU has it) and for the x86-64 baseline (SSE2)
    /// otherwise, and for each mode with the sums it reads (`Need`).
    pub(super) fn grouped_lanes(
        &self,
        gm: &GroupModel,
        avx: bool,
        c: Chunk,
        out: &mut [InpatientYear],
    ) {
        match (self.mode, self.ids.base_rate.is_some(), gm.recalibrate) {
            (PaymentMode::FeeForService, _, _) => self.grouped_in::<Ffs>(gm, avx, c, out),
            (PaymentMode::DrgRate, true, false) => self.grouped_in::<Rate>(gm, avx, c, out),
            (PaymentMode::DrgRate, true, true) => self.grouped_in::<RateRecal>(gm, avx, c, out),
            (PaymentMode::DrgRate, false, _) => self.grouped_in::<RateBudget>(gm, avx, c, out),
            (PaymentMode::PointValue, _, _) => self.grouped_in::<Points>(gm, avx, c, out),
        }
    }

    fn grouped_in<N: Need>(&self, gm: &GroupModel, avx: bool, c: Chunk, out: &mut [InpatientYear]) {
        #[cfg(target_arch = "x86_64")]
        if avx {
            // SAFETY: `grouped_lanes_avx` needs AVX; `avx` is set only when
            // the CPU has it (`pay_year_lanes`).
            return unsafe { self.grouped_lanes_avx::<N>(gm, c, out) };
        }
        let _ = avx;
        self.grouped_lanes_body::<N>(gm, c, out)
    }

    /// `grouped_lanes_body` compiled for AVX. The lanes stay two a register
    /// (four measured no faster: more sums than registers); the gain is AVX's
    /// three-operand instructions (fewer register copies). AVX brings no fused
    /// multiply-add (that is FMA, not enabled here) and Rust never contracts
    /// `a x b + c` on its own, so every operation rounds as in the SSE2 form:
    /// the same numbers on every CPU.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    fn grouped_lanes_avx<N: Need>(&self, gm: &GroupModel, c: Chunk, out: &mut [InpatientYear]) {
        self.grouped_lanes_body::<N>(gm, c, out)
    }

    /// The group form for a mode that reads the sums `N`: `V` paths at a
    /// time, their factors, their sums level after level, then each path's
    /// rate or point value and year.
    #[inline(always)]
    fn grouped_lanes_body<N: Need>(&self, gm: &GroupModel, c: Chunk, out: &mut [InpatientYear]) {
        let n = c.ps.len();
        let lc = self.ids.level_coefficients.map(|o| o.is_some());
        for g in (0..n).step_by(V) {
            let m = (n - g).min(V);
            let mut f = [Factors::default(); V];
            let mut d = [&NO_DEMAND; V];
            for j in 0..m {
                f[j] = self.factors_with(c.t, c.ps[g + j], &c.xs[g + j]);
                d[j] = &c.ds[g + j];
            }
            let lf = LaneFactors::of(&f);
            let mut a = Acc::ZERO;
            for l in 0..3 {
                if gm.present[l] {
                    if lc[l] {
                        accumulate_lanes::<N, true>(&gm.levels[l], l, &lf, &d, &mut a);
                    } else {
                        accumulate_lanes::<N, false>(&gm.levels[l], l, &lf, &d, &mut a);
                    }
                }
            }
            for j in 0..m {
                let s = a.lane(j);
                let st = self.settle(c.t, c.ps[g + j], &f[j], &s, gm.recalibrate);
                out[g + j] = self.year_from(&f[j], &s, st);
            }
        }
    }
}

/// A chunk of paths for one year: path `i`'s parameters `ps[i]`, demand
/// `ds[i]` and year inputs `xs[i]` (equal lengths).
#[derive(Clone, Copy)]
pub(super) struct Chunk<'a> {
    pub(super) t: usize,
    pub(super) ps: &'a [&'a ParamValues],
    pub(super) ds: &'a [InpatientDemand],
    pub(super) xs: &'a [YearInputs],
}
