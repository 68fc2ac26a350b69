//! The payment engine for a chunk of paths at once
//! ([`PaymentModel::pay_year_lanes`]): the group-level sums of
//! `group_model::accumulate` computed in lanes, one lane per path.
//!
//! # Layout
//!
//! A block of `W` paths is held as structure-of-arrays: each dated factor
//! (`Factors`), each band's cases and cost per case, and each of the year's sums
//! (`Sums`) is a `[f64; W]`. The sums run level -> band -> lane: a band's
//! coefficients (`Coef`) are loaded once for the block and the innermost loop is
//! over plain lane arrays, which the compiler vectorises.
//!
//! # Same numbers as one path alone
//!
//! Every lane performs, term for term, the floating-point operations of
//! `accumulate` for its path, in the same order (bands in order within a level,
//! levels in order, each product associated as there): a lane's sums, and so its
//! [`InpatientYear`], equal `pay_year_with` for that path bit for bit
//! (tests/payment_lanes.rs checks every bundled scenario). Two kinds of work
//! are shared without changing any value: products that do not depend on the
//! level (`n = n0 x (1 + admissions)`, `cost = c0 x costf`, `n x cost`) are formed
//! once per band instead of once per level, and sums that the model's mode never
//! reads (`Need`) are not formed at all. The rate or point value (`settle`) and
//! the year's result (`year_from`) are the scalar engine's own, per lane.
//! The aggregate form (no tables) is a few dozen operations a path and runs
//! path by path through `pay_year_with`.

use super::engine::PaymentModel;
use super::group_model::{Cells, GroupModel, Sums};
use super::year::{Factors, InpatientDemand, InpatientYear, YearInputs};
use crate::population::bands::N_BANDS;
use crate::scenario::ParamValues;
use crate::scenario::payment::PaymentMode;
use std::cell::RefCell;

/// Paths per block in a full block; a chunk's remainder runs in blocks of [`TAIL`].
const WIDE: usize = 16;
/// Paths per block for the remainder of a chunk.
const TAIL: usize = 4;

// a block is whole register groups
const _: () = assert!(WIDE % V == 0 && TAIL % V == 0);

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

/// A block's dated factors by lane (the fields of `Factors` that
/// `accumulate` reads). `has_level_coef[l]` is the same for every lane: whether
/// level l has a coefficient override depends on the scenario's parameters, not
/// on their values.
struct LaneFactors<const W: usize> {
    adm: [f64; W],
    costf: [f64; W],
    elig: [f64; W],
    coef_mult: [f64; W],
    deductible: [f64; W],
    has_level_coef: [bool; 3],
    level_coef: [[f64; W]; 3],
    hosp_cov: [[f64; W]; 3],
    reimb: [[f64; W]; 3],
}

/// A block's demand by band and lane, and the products of it that do not
/// depend on the level: `n = n0 x adm`, `cost = c0 x costf`, `n x cost`.
struct LaneDemand<const W: usize> {
    n0: [[f64; W]; N_BANDS],
    c0: [[f64; W]; N_BANDS],
    n: [[f64; W]; N_BANDS],
    cost: [[f64; W]; N_BANDS],
    ncost: [[f64; W]; N_BANDS],
}

thread_local! {
    /// Each thread's block of [`WIDE`] paths, made once (about 18 kB) and
    /// refilled by every call.
    static WIDE_BLOCK: RefCell<Box<Block<WIDE>>> = RefCell::new(Box::new(Block::new()));
    /// Each thread's block of [`TAIL`] paths.
    static TAIL_BLOCK: RefCell<Box<Block<TAIL>>> = RefCell::new(Box::new(Block::new()));
}

/// A block of up to `W` paths: each lane's `Factors` (for `settle` and
/// `year_from`), the same in lanes, the demand in lanes and the sums. Made once
/// per thread and refilled block by block; lanes past the block's paths are zero.
struct Block<const W: usize> {
    f: [Factors; W],
    lf: LaneFactors<W>,
    d: LaneDemand<W>,
    s: LaneSums<W>,
}

impl<const W: usize> Block<W> {
    fn new() -> Block<W> {
        let z = [0.0; W];
        Block {
            f: [Factors::default(); W],
            lf: LaneFactors {
                adm: z,
                costf: z,
                elig: z,
                coef_mult: z,
                deductible: z,
                has_level_coef: [false; 3],
                level_coef: [z; 3],
                hosp_cov: [z; 3],
                reimb: [z; 3],
            },
            d: LaneDemand {
                n0: [z; N_BANDS],
                c0: [z; N_BANDS],
                n: [z; N_BANDS],
                cost: [z; N_BANDS],
                ncost: [z; N_BANDS],
            },
            s: LaneSums::ZERO,
        }
    }

    /// Fills lanes `0..n` from the paths' factors and demand (the rest zero)
    /// and zeroes the sums.
    fn load(
        &mut self,
        model: &PaymentModel,
        t: usize,
        ps: &[&ParamValues],
        ds: &[InpatientDemand],
        xs: &[YearInputs],
    ) {
        let n = ps.len();
        debug_assert!(n <= W);
        for i in 0..n {
            self.f[i] = model.factors_with(t, ps[i], &xs[i]);
        }
        let lf = &mut self.lf;
        for l in 0..3 {
            lf.has_level_coef[l] = self.f[0].level_coef[l].is_some();
        }
        for i in 0..n {
            let f = &self.f[i];
            lf.adm[i] = f.adm;
            lf.costf[i] = f.costf;
            lf.elig[i] = f.elig;
            lf.coef_mult[i] = f.coef_mult;
            lf.deductible[i] = f.deductible;
            for l in 0..3 {
                lf.level_coef[l][i] = f.level_coef[l].unwrap_or(0.0);
                lf.hosp_cov[l][i] = f.hosp_cov[l];
                lf.reimb[l][i] = f.reimb[l];
            }
            for b in 0..N_BANDS {
                self.d.n0[b][i] = ds[i].cases_by_band[b];
                self.d.c0[b][i] = ds[i].cost_per_case_by_band[b];
            }
        }
        for i in n..W {
            lf.adm[i] = 0.0;
            lf.costf[i] = 0.0;
            lf.elig[i] = 0.0;
            lf.coef_mult[i] = 0.0;
            lf.deductible[i] = 0.0;
            for l in 0..3 {
                lf.level_coef[l][i] = 0.0;
                lf.hosp_cov[l][i] = 0.0;
                lf.reimb[l][i] = 0.0;
            }
            for b in 0..N_BANDS {
                self.d.n0[b][i] = 0.0;
                self.d.c0[b][i] = 0.0;
            }
        }
        let d = &mut self.d;
        for b in 0..N_BANDS {
            for i in 0..W {
                let n = d.n0[b][i] * lf.adm[i];
                let cost = d.c0[b][i] * lf.costf[i];
                d.n[b][i] = n;
                d.cost[b][i] = cost;
                d.ncost[b][i] = n * cost;
            }
        }
        self.s = LaneSums::ZERO;
    }
}

/// A block's sums by lane (the fields of `Sums`).
#[derive(Clone, Copy)]
struct LaneSums<const W: usize> {
    cases: [f64; W],
    drg_cases: [f64; W],
    ffs: [f64; W],
    ffs_drg: [f64; W],
    units: [f64; W],
    units_ref: [f64; W],
    units_plan: [f64; W],
    xs_cost: [f64; W],
    xs_plan: [f64; W],
    xs_w: [f64; W],
    rw: [f64; W],
    patient: [f64; W],
    patient_drg: [f64; W],
}

impl<const W: usize> LaneSums<W> {
    const ZERO: LaneSums<W> = LaneSums {
        cases: [0.0; W],
        drg_cases: [0.0; W],
        ffs: [0.0; W],
        ffs_drg: [0.0; W],
        units: [0.0; W],
        units_ref: [0.0; W],
        units_plan: [0.0; W],
        xs_cost: [0.0; W],
        xs_plan: [0.0; W],
        xs_w: [0.0; W],
        rw: [0.0; W],
        patient: [0.0; W],
        patient_drg: [0.0; W],
    };

    /// Lane `i`'s sums.
    fn lane(&self, i: usize) -> Sums {
        Sums {
            cases: self.cases[i],
            drg_cases: self.drg_cases[i],
            ffs: self.ffs[i],
            ffs_drg: self.ffs_drg[i],
            units: self.units[i],
            units_ref: self.units_ref[i],
            units_plan: self.units_plan[i],
            xs_cost: self.xs_cost[i],
            xs_plan: self.xs_plan[i],
            xs_w: self.xs_w[i],
            rw: self.rw[i],
            patient: self.patient[i],
            patient_drg: self.patient_drg[i],
        }
    }
}

/// Lanes per register group in [`accumulate_lanes`]: one SSE2 vector of f64.
const V: usize = 2;

/// `V` lanes' sums, held in registers over a level's bands.
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

impl<const W: usize> LaneSums<W> {
    /// Lanes `g..g + V`.
    #[inline(always)]
    fn take(&self, g: usize) -> Acc {
        let v = |a: &[f64; W]| -> [f64; V] { std::array::from_fn(|j| a[g + j]) };
        Acc {
            cases: v(&self.cases),
            drg_cases: v(&self.drg_cases),
            ffs: v(&self.ffs),
            ffs_drg: v(&self.ffs_drg),
            units: v(&self.units),
            units_ref: v(&self.units_ref),
            units_plan: v(&self.units_plan),
            xs_cost: v(&self.xs_cost),
            xs_plan: v(&self.xs_plan),
            xs_w: v(&self.xs_w),
            rw: v(&self.rw),
            patient: v(&self.patient),
            patient_drg: v(&self.patient_drg),
        }
    }

    /// Writes back lanes `g..g + V`.
    #[inline(always)]
    fn put(&mut self, g: usize, a: &Acc) {
        for j in 0..V {
            let i = g + j;
            self.cases[i] = a.cases[j];
            self.drg_cases[i] = a.drg_cases[j];
            self.ffs[i] = a.ffs[j];
            self.ffs_drg[i] = a.ffs_drg[j];
            self.units[i] = a.units[j];
            self.units_ref[i] = a.units_ref[j];
            self.units_plan[i] = a.units_plan[j];
            self.xs_cost[i] = a.xs_cost[j];
            self.xs_plan[i] = a.xs_plan[j];
            self.xs_w[i] = a.xs_w[j];
            self.rw[i] = a.rw[j];
            self.patient[i] = a.patient[j];
            self.patient_drg[i] = a.patient_drg[j];
        }
    }
}

/// `accumulate` for a block of lanes: adds level `level`'s sums with
/// coefficients `cells` to `s`, lane by lane (the formulas are on
/// `accumulate` and in the `group_model` module docs; with `share = f_L =
/// hospital_coverage_L x elig`, `dn = share x n`):
///
/// `cases += n x C.cases`, `ffs += (n x cost) x C.ffs`, `drg_cases += dn x
/// C.drg_cases`, `ffs_drg += (dn x cost) x C.ffs_drg`, `units += dn x u`,
/// `units_ref += dn x u_ref`, `units_plan += (share x n0) x u`, `xs_cost +=
/// (dn x cost) x C.xs_cost`, `xs_plan += ((share x n0) x c0) x C.xs_cost`,
/// `xs_w += dn x C.xs_w`, `rw += dn x C.rw`, and the patients' shares
/// `(1 - reimb_L) x ffs + (reimb_L x deductible) x cases` of all cases and of
/// DRG cases (`benefits::patient_share`), where `u = (k_L x C.units_nc) x
/// coefficient` under a level coefficient `k_L`, else `C.units x coefficient`.
///
/// The lanes go [`V`] at a time (one vector register), their sums held in
/// registers over the level's bands: each sum still adds band after band, in
/// band order, from where the previous level left it.
#[inline(always)]
fn accumulate_lanes<const W: usize>(
    cells: &Cells,
    level: usize,
    f: &LaneFactors<W>,
    d: &LaneDemand<W>,
    need: Need,
    s: &mut LaneSums<W>,
) {
    let (lc, kl) = (f.has_level_coef[level], &f.level_coef[level]);
    for g in (0..W).step_by(V) {
        let v = |a: &[f64; W]| -> [f64; V] { std::array::from_fn(|j| a[g + j]) };
        let (cov, elig, reimb, ded) = (
            v(&f.hosp_cov[level]),
            v(&f.elig),
            v(&f.reimb[level]),
            v(&f.deductible),
        );
        let (cm, k) = (v(&f.coef_mult), v(kl));
        let share: [f64; V] = std::array::from_fn(|j| cov[j] * elig[j]);
        let keep: [f64; V] = std::array::from_fn(|j| 1.0 - reimb[j]);
        let rd: [f64; V] = std::array::from_fn(|j| reimb[j] * ded[j]);
        let mut a = s.take(g);
        for (b, c) in cells.iter().enumerate() {
            let (n, cost, ncost) = (v(&d.n[b]), v(&d.cost[b]), v(&d.ncost[b]));
            let mut dn = [0.0; V];
            let mut dnc = [0.0; V];
            for j in 0..V {
                let nf = ncost[j] * c.ffs;
                let nc = n[j] * c.cases;
                a.cases[j] += nc;
                a.ffs[j] += nf;
                dn[j] = share[j] * n[j];
                dnc[j] = dn[j] * cost[j];
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
                let (n0, c0) = (v(&d.n0[b]), v(&d.c0[b]));
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
        s.put(g, &a);
    }
}

impl PaymentModel {
    /// [`pay_year_with`](Self::pay_year_with) for a chunk of paths at once:
    /// `out[i]` is, bit for bit, `pay_year_with(t, ps[i], &ds[i], &xs[i])`.
    /// The year loop hands its chunk of paths here in one call; the group form
    /// runs in blocks of 16 paths (the remainder in blocks of 4), the sums in
    /// lanes (see the module docs).
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
        let wide = n - n % WIDE;
        if wide > 0 {
            WIDE_BLOCK.with_borrow_mut(|block| {
                for a in (0..wide).step_by(WIDE) {
                    let r = a..a + WIDE;
                    let (p, d, x) = (&ps[r.clone()], &ds[r.clone()], &xs[r.clone()]);
                    self.pay_block(block, gm, need, t, p, d, x, &mut out[r]);
                }
            });
        }
        if wide < n {
            TAIL_BLOCK.with_borrow_mut(|block| {
                for a in (wide..n).step_by(TAIL) {
                    let r = a..(a + TAIL).min(n);
                    let (p, d, x) = (&ps[r.clone()], &ds[r.clone()], &xs[r.clone()]);
                    self.pay_block(block, gm, need, t, p, d, x, &mut out[r]);
                }
            });
        }
    }

    /// Up to `W` paths of [`PaymentModel::pay_year_lanes`] in the group form.
    #[allow(clippy::too_many_arguments)] // the chunk's slices, as pay_year_lanes takes them
    fn pay_block<const W: usize>(
        &self,
        block: &mut Block<W>,
        gm: &GroupModel,
        need: Need,
        t: usize,
        ps: &[&ParamValues],
        ds: &[InpatientDemand],
        xs: &[YearInputs],
        out: &mut [InpatientYear],
    ) {
        block.load(self, t, ps, ds, xs);
        for l in 0..3 {
            if gm.present[l] {
                accumulate_lanes(&gm.levels[l], l, &block.lf, &block.d, need, &mut block.s);
            }
        }
        for (i, o) in out.iter_mut().enumerate() {
            let (f, si) = (&block.f[i], block.s.lane(i));
            let st = self.settle(t, ps[i], f, &si, gm.recalibrate);
            *o = self.year_from(f, &si, st);
        }
    }
}
