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

/// Paths per block in a full block; a chunk's remainder runs in blocks of [`TAIL`].
const WIDE: usize = 16;
/// Paths per block for the remainder of a chunk.
const TAIL: usize = 4;

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
/// `accumulate` reads). `level_coef[l]` is `Some` for every lane or none: it
/// depends on the scenario's parameters, not on their values.
struct LaneFactors<const W: usize> {
    adm: [f64; W],
    costf: [f64; W],
    elig: [f64; W],
    coef_mult: [f64; W],
    deductible: [f64; W],
    level_coef: [Option<[f64; W]>; 3],
    hosp_cov: [[f64; W]; 3],
    reimb: [[f64; W]; 3],
}

impl<const W: usize> LaneFactors<W> {
    /// Lanes `0..n` from `f` (the rest zero: their sums are never read).
    fn gather(f: &[Factors; W], n: usize) -> LaneFactors<W> {
        let lane = |get: &dyn Fn(&Factors) -> f64| -> [f64; W] {
            std::array::from_fn(|i| if i < n { get(&f[i]) } else { 0.0 })
        };
        LaneFactors {
            adm: lane(&|f| f.adm),
            costf: lane(&|f| f.costf),
            elig: lane(&|f| f.elig),
            coef_mult: lane(&|f| f.coef_mult),
            deductible: lane(&|f| f.deductible),
            level_coef: std::array::from_fn(|l| {
                f[0].level_coef[l].map(|_| lane(&|f| f.level_coef[l].unwrap_or(0.0)))
            }),
            hosp_cov: std::array::from_fn(|l| lane(&|f| f.hosp_cov[l])),
            reimb: std::array::from_fn(|l| lane(&|f| f.reimb[l])),
        }
    }
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

impl<const W: usize> LaneDemand<W> {
    fn gather(ds: &[InpatientDemand], f: &LaneFactors<W>) -> LaneDemand<W> {
        let mut d = LaneDemand {
            n0: [[0.0; W]; N_BANDS],
            c0: [[0.0; W]; N_BANDS],
            n: [[0.0; W]; N_BANDS],
            cost: [[0.0; W]; N_BANDS],
            ncost: [[0.0; W]; N_BANDS],
        };
        for (i, di) in ds.iter().enumerate() {
            for b in 0..N_BANDS {
                d.n0[b][i] = di.cases_by_band[b];
                d.c0[b][i] = di.cost_per_case_by_band[b];
            }
        }
        for b in 0..N_BANDS {
            for i in 0..W {
                let n = d.n0[b][i] * f.adm[i];
                let cost = d.c0[b][i] * f.costf[i];
                d.n[b][i] = n;
                d.cost[b][i] = cost;
                d.ncost[b][i] = n * cost;
            }
        }
        d
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
#[inline(always)]
fn accumulate_lanes<const W: usize>(
    cells: &Cells,
    level: usize,
    f: &LaneFactors<W>,
    d: &LaneDemand<W>,
    need: Need,
    s: &mut LaneSums<W>,
) {
    let mut share = [0.0; W];
    let mut keep = [0.0; W];
    let mut rd = [0.0; W];
    for i in 0..W {
        let r = f.reimb[level][i];
        share[i] = f.hosp_cov[level][i] * f.elig[i];
        keep[i] = 1.0 - r;
        rd[i] = r * f.deductible[i];
    }
    let lc = &f.level_coef[level];
    let mut dn = [0.0; W];
    let mut dncost = [0.0; W];
    let mut u = [0.0; W];
    for (b, c) in cells.iter().enumerate() {
        let (n, ncost, cost) = (&d.n[b], &d.ncost[b], &d.cost[b]);
        for i in 0..W {
            let nf = ncost[i] * c.ffs;
            let nc = n[i] * c.cases;
            s.cases[i] += nc;
            s.ffs[i] += nf;
            let dni = share[i] * n[i];
            let dnc = dni * cost[i];
            let dcases = dni * c.drg_cases;
            let dffs = dnc * c.ffs_drg;
            s.drg_cases[i] += dcases;
            s.ffs_drg[i] += dffs;
            s.rw[i] += dni * c.rw;
            s.patient[i] += keep[i] * nf + rd[i] * nc;
            s.patient_drg[i] += keep[i] * dffs + rd[i] * dcases;
            dn[i] = dni;
            dncost[i] = dnc;
        }
        if need.units || need.plan {
            match lc {
                Some(k) => {
                    for i in 0..W {
                        u[i] = k[i] * c.units_nc * f.coef_mult[i];
                    }
                }
                None => {
                    for i in 0..W {
                        u[i] = c.units * f.coef_mult[i];
                    }
                }
            }
        }
        if need.units {
            for i in 0..W {
                s.units[i] += dn[i] * u[i];
            }
        }
        if need.units_ref {
            for i in 0..W {
                let uref = match lc {
                    Some(k) => k[i] * c.units_nc_ref,
                    None => c.units_ref,
                };
                s.units_ref[i] += dn[i] * (uref * f.coef_mult[i]);
            }
        }
        if need.plan {
            let (n0, c0) = (&d.n0[b], &d.c0[b]);
            for i in 0..W {
                let sn0 = share[i] * n0[i];
                s.units_plan[i] += sn0 * u[i];
                s.xs_plan[i] += sn0 * c0[i] * c.xs_cost;
            }
        }
        if need.xs_cost {
            for i in 0..W {
                s.xs_cost[i] += dncost[i] * c.xs_cost;
            }
        }
        if need.xs_w {
            for i in 0..W {
                s.xs_w[i] += dn[i] * c.xs_w;
            }
        }
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
        for a in (0..wide).step_by(WIDE) {
            let r = a..a + WIDE;
            self.pay_block::<WIDE>(
                gm,
                need,
                t,
                &ps[r.clone()],
                &ds[r.clone()],
                &xs[r.clone()],
                &mut out[r],
            );
        }
        for a in (wide..n).step_by(TAIL) {
            let r = a..(a + TAIL).min(n);
            self.pay_block::<TAIL>(
                gm,
                need,
                t,
                &ps[r.clone()],
                &ds[r.clone()],
                &xs[r.clone()],
                &mut out[r],
            );
        }
    }

    /// Up to `W` paths of [`PaymentModel::pay_year_lanes`] in the group form.
    #[allow(clippy::too_many_arguments)] // the chunk's slices, as pay_year_lanes takes them
    fn pay_block<const W: usize>(
        &self,
        gm: &GroupModel,
        need: Need,
        t: usize,
        ps: &[&ParamValues],
        ds: &[InpatientDemand],
        xs: &[YearInputs],
        out: &mut [InpatientYear],
    ) {
        let n = ps.len();
        debug_assert!(n <= W);
        let mut f = [Factors::default(); W];
        for i in 0..n {
            f[i] = self.factors_with(t, ps[i], &xs[i]);
        }
        let lf = LaneFactors::gather(&f, n);
        let ld = LaneDemand::gather(ds, &lf);
        let mut s = LaneSums::<W>::ZERO;
        for l in 0..3 {
            if gm.present[l] {
                accumulate_lanes(&gm.levels[l], l, &lf, &ld, need, &mut s);
            }
        }
        for i in 0..n {
            let si = s.lane(i);
            let st = self.settle(t, ps[i], &f[i], &si, gm.recalibrate);
            out[i] = self.year_from(&f[i], &si, st);
        }
    }
}
