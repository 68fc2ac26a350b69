//! The payment engine for a chunk of paths at once
//! ([`PaymentModel::pay_year_lanes`]): the demand's dot products with the
//! group-level coefficients (`group_model::Dots`) computed in lanes, one lane
//! per path.
//!
//! # Layout
//!
//! The chunk's demand comes band by band across the paths ([`DemandLanes`]),
//! so a band's cases and costs of all `LANES` paths are one load each, and each
//! dot product is `LANES` sums side by side (one 256-bit register with AVX,
//! two 128-bit ones on the x86-64 baseline). A band's coefficients are
//! loaded once for all lanes. Each mode's loop is compiled on its own (`Need`:
//! the sums the mode reads, as constants; the level coefficient's presence, a
//! constant too), with no test inside the band loop. On a CPU with AVX the same
//! code runs compiled for AVX (`grouped_lanes_avx`, chosen at run time), else
//! for the x86-64 baseline. The year's factors are then applied to each lane's
//! dot products once (`Sums::add_level`), path by path.
//!
//! # Same numbers as one path alone
//!
//! Every lane performs, term for term, the floating-point operations of
//! `Dots::of` for its path, in the same order (bands in order, from 0), and
//! the factors, the rate or point value (`settle`) and the year's result
//! (`year_from`) are the scalar engine's own: a lane's [`InpatientYear`] equals
//! `pay_year_with` for that path bit for bit (tests/payment_lanes.rs checks
//! every bundled scenario, `payment::tests_lanes` the AVX and baseline forms in
//! every mode). The one saving that changes no value: dot products that the
//! model's mode never reads (`Need`) are not formed. The aggregate form (no
//! tables) is a few dozen operations a path and runs path by path through
//! `pay_year_with`.

use super::engine::{PaymentModel, SameFactors};
use super::group_model::{Cells, Dots, GroupModel, Sums};
use super::year::{InpatientDemand, InpatientYear, YearInputs};
use crate::population::LANES;
use crate::population::bands::N_BANDS;
use crate::scenario::ParamValues;
use crate::scenario::payment::PaymentMode;

/// The inpatient demand of a chunk of up to [`LANES`] paths, band by band
/// across the paths: `cases[b][i]` and `cost[b][i]` are
/// [`InpatientDemand::cases_by_band`] and
/// [`InpatientDemand::cost_per_case_by_band`] of band `b` of path `i`. The
/// year loop fills it as it computes the demand; lanes past the chunk's paths
/// are never read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DemandLanes {
    /// Cases by band, per lane.
    pub cases: [[f64; LANES]; N_BANDS],
    /// Fee-for-service cost per case by band, per lane (yuan).
    pub cost: [[f64; LANES]; N_BANDS],
}

impl DemandLanes {
    /// No demand in any lane.
    pub const NONE: DemandLanes = DemandLanes {
        cases: [[0.0; LANES]; N_BANDS],
        cost: [[0.0; LANES]; N_BANDS],
    };

    /// The demands of up to `LANES` paths, path `i` in lane `i` (the other
    /// lanes without demand).
    ///
    /// # Panics
    /// If `ds` holds more than `LANES` demands (a caller's bug).
    pub fn from_paths(ds: &[InpatientDemand]) -> DemandLanes {
        assert!(ds.len() <= LANES, "at most {LANES} paths a chunk");
        let mut out = DemandLanes::NONE;
        for (i, d) in ds.iter().enumerate() {
            out.set(i, d);
        }
        out
    }

    /// Puts demand `d` in lane `i`.
    pub fn set(&mut self, i: usize, d: &InpatientDemand) {
        for b in 0..N_BANDS {
            self.cases[b][i] = d.cases_by_band[b];
            self.cost[b][i] = d.cost_per_case_by_band[b];
        }
    }

    /// The demand of lane `i`.
    pub fn lane(&self, i: usize) -> InpatientDemand {
        InpatientDemand {
            cases_by_band: std::array::from_fn(|b| self.cases[b][i]),
            cost_per_case_by_band: std::array::from_fn(|b| self.cost[b][i]),
        }
    }
}

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
type L = [f64; LANES];

/// [`Dots`] of `LANES` lanes, one array a dot product.
#[derive(Clone, Copy)]
struct DotLanes {
    cases: L,
    drg_cases: L,
    rw: L,
    xs_w: L,
    units: L,
    units_ref: L,
    ffs: L,
    ffs_drg: L,
    xs_cost: L,
}

impl DotLanes {
    const ZERO: DotLanes = DotLanes {
        cases: [0.0; LANES],
        drg_cases: [0.0; LANES],
        rw: [0.0; LANES],
        xs_w: [0.0; LANES],
        units: [0.0; LANES],
        units_ref: [0.0; LANES],
        ffs: [0.0; LANES],
        ffs_drg: [0.0; LANES],
        xs_cost: [0.0; LANES],
    };

    /// Lane `j`'s dot products (those the mode does not form are 0).
    fn lane(&self, j: usize) -> Dots {
        Dots {
            cases: self.cases[j],
            drg_cases: self.drg_cases[j],
            rw: self.rw[j],
            xs_w: self.xs_w[j],
            units: self.units[j],
            units_ref: self.units_ref[j],
            ffs: self.ffs[j],
            ffs_drg: self.ffs_drg[j],
            xs_cost: self.xs_cost[j],
        }
    }
}

/// `Dots::of` for `LANES` lanes at once (the formulas are on `Dots`): each
/// dot product adds band after band, in band order, from 0; only those `N`
/// needs are formed, and `NC` picks the weight units without the hospital
/// coefficient (a level coefficient replaces it).
#[inline(always)]
fn dots_lanes<N: Need, const NC: bool>(cells: &Cells, d: &DemandLanes) -> DotLanes {
    let mut o = DotLanes::ZERO;
    for (b, c) in cells.iter().enumerate() {
        let (n, cost) = (&d.cases[b], &d.cost[b]);
        let (u, uref) = if NC {
            (c.units_nc, c.units_nc_ref)
        } else {
            (c.units, c.units_ref)
        };
        for j in 0..LANES {
            let m = n[j] * cost[j];
            o.cases[j] += n[j] * c.cases;
            o.drg_cases[j] += n[j] * c.drg_cases;
            o.rw[j] += n[j] * c.rw;
            o.ffs[j] += m * c.ffs;
            o.ffs_drg[j] += m * c.ffs_drg;
            if N::XS_W {
                o.xs_w[j] += n[j] * c.xs_w;
            }
            if N::UNITS || N::PLAN {
                o.units[j] += n[j] * u;
            }
            if N::UNITS_REF {
                o.units_ref[j] += n[j] * uref;
            }
            if N::XS_COST || N::PLAN {
                o.xs_cost[j] += m * c.xs_cost;
            }
        }
    }
    o
}

impl PaymentModel {
    /// [`pay_year_with`](Self::pay_year_with) for a chunk of up to
    /// [`LANES`] paths at once: `out[i]` is, bit for bit,
    /// `pay_year_with(t, ps[i], &ds.lane(i), &xs[i])`. The year loop hands
    /// its chunk of paths here in one call; the group form runs the paths in
    /// the lanes of vector registers (see the module docs). With `same`
    /// ([`PaymentModel::same_factors`]: the paths differ in no parameter the
    /// payment reads) the year's factors are evaluated once, from `ps[0]`,
    /// for the whole chunk.
    ///
    /// # Panics
    /// If `ps`, `xs` and `out` differ in length or hold more than `LANES`
    /// paths (a caller's bug).
    pub fn pay_year_lanes(
        &self,
        t: usize,
        ps: &[&ParamValues],
        same: Option<SameFactors>,
        ds: &DemandLanes,
        xs: &[YearInputs],
        out: &mut [InpatientYear],
    ) {
        let n = ps.len();
        assert!(
            xs.len() == n && out.len() == n,
            "one input and output per path"
        );
        assert!(n <= LANES, "at most {LANES} paths a chunk");
        let Some(gm) = &self.grouped else {
            for i in 0..n {
                out[i] = self.pay_year_with(t, ps[i], &ds.lane(i), &xs[i]);
            }
            return;
        };
        #[cfg(target_arch = "x86_64")]
        let avx = std::arch::is_x86_feature_detected!("avx");
        #[cfg(not(target_arch = "x86_64"))]
        let avx = false;
        let c = Chunk {
            t,
            ps,
            same: same.is_some(),
            ds,
            xs,
        };
        self.grouped_lanes(gm, avx, c, out);
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

    /// `grouped_lanes_body` compiled for AVX: the four lanes in one 256-bit
    /// register. AVX brings no fused multiply-add (that is FMA, not enabled
    /// here) and Rust never contracts `a x b + c` on its own, so every
    /// operation rounds as in the SSE2 form: the same numbers on every CPU.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    fn grouped_lanes_avx<N: Need>(&self, gm: &GroupModel, c: Chunk, out: &mut [InpatientYear]) {
        self.grouped_lanes_body::<N>(gm, c, out)
    }

    /// The group form for a mode that reads the sums `N`: the dot products
    /// of every level in lanes, then each path's factors, sums (levels in
    /// order), rate or point value and year.
    #[inline(always)]
    fn grouped_lanes_body<N: Need>(&self, gm: &GroupModel, c: Chunk, out: &mut [InpatientYear]) {
        let lc = self.ids.level_coefficients.map(|o| o.is_some());
        let mut dots = [DotLanes::ZERO; 3];
        for l in 0..3 {
            if gm.present[l] {
                dots[l] = if lc[l] {
                    dots_lanes::<N, true>(&gm.levels[l], c.ds)
                } else {
                    dots_lanes::<N, false>(&gm.levels[l], c.ds)
                };
            }
        }
        // The chunk's factors once when its paths share the payment's
        // parameters, else each path's own.
        let shared = match c.ps.first() {
            Some(p) if c.same => Some(self.factors(c.t, p)),
            _ => None,
        };
        for (j, (p, x)) in c.ps.iter().zip(c.xs).enumerate() {
            let f = match shared {
                Some(f) => self.with_inputs(f, x),
                None => self.factors_with(c.t, p, x),
            };
            let mut s = Sums::default();
            for l in 0..3 {
                if gm.present[l] {
                    s.add_level(&dots[l].lane(j), l, &f);
                }
            }
            let st = self.settle(c.t, p, &f, &s, gm.recalibrate);
            out[j] = self.year_from(&f, &s, st);
        }
    }
}

/// A chunk of paths for one year: path `i`'s parameters `ps[i]`, demand
/// `ds.lane(i)` and year inputs `xs[i]` (`ps` and `xs` of equal lengths, at
/// most `LANES`).
#[derive(Clone, Copy)]
pub(super) struct Chunk<'a> {
    pub(super) t: usize,
    pub(super) ps: &'a [&'a ParamValues],
    /// The paths differ in no parameter the payment reads (`SameFactors`).
    pub(super) same: bool,
    pub(super) ds: &'a DemandLanes,
    pub(super) xs: &'a [YearInputs],
}
