//! Which hospital treats which group's cases: the share `a_hg` of group g's
//! cases at hospital h, from the hospitals' case counts and relative CMI, or
//! from explicit per-hospital volumes.

use super::groups::GroupTable;
use super::hospitals::{HospitalGroupVolumes, HospitalTable};
use std::sync::{Arc, Mutex, PoisonError};

/// Range searched for the tilt `theta_h`; a CMI the group weights cannot reach
/// in it is clamped to its end.
const THETA_MAX: f64 = 8.0;

/// Rounds of raking.
const RAKING_ROUNDS: usize = 20;

/// The regional case mix tilted by `theta`: `q_g = p_g x RW_g^theta`.
struct Tilt<'a> {
    p: &'a [f64],
    w: &'a [f64],
    lnw: &'a [f64],
}

impl Tilt<'_> {
    /// Fills `q` with the tilted mix at `theta` and returns its CMI
    /// `f(theta) = sum q_g RW_g / sum q_g` and the derivative
    /// `f'(theta) = sum q_g RW_g ln RW_g / sum q_g - f x sum q_g ln RW_g / sum q_g`,
    /// the covariance of `RW` and `ln RW` under the tilted mix (>= 0: `f`
    /// rises with `theta`). `q_g` is computed exactly as the bisection this
    /// solver replaced computed it (`p_g x exp(theta x ln RW_g)`).
    fn eval(&self, theta: f64, q: &mut [f64]) -> (f64, f64) {
        let (mut den, mut s_w, mut s_wl, mut s_l) = (0.0, 0.0, 0.0, 0.0);
        for (((q, p), w), l) in q.iter_mut().zip(self.p).zip(self.w).zip(self.lnw) {
            let x = p * (theta * l).exp();
            *q = x;
            den += x;
            s_w += x * w;
            s_wl += x * w * l;
            s_l += x * l;
        }
        if den > 0.0 {
            let f = s_w / den;
            (f, s_wl / den - f * s_l / den)
        } else {
            (0.0, 0.0)
        }
    }

    /// Solves `f(theta) = target` for `theta` in `[-THETA_MAX, THETA_MAX]`
    /// (clamped to the end the target lies beyond) and leaves the tilted mix
    /// of the solution in `q`.
    ///
    /// Safeguarded Newton: each evaluation narrows a bracket `[lo, hi]` with
    /// `f(lo) < target <= f(hi)`; a Newton step `theta - (f - target) / f'`
    /// that leaves the bracket is replaced by its midpoint (or by the range's
    /// end while that end is untested). Converged when a step is below
    /// `1e-12 x max(1, |theta|)`: Newton converges quadratically, so the
    /// next step would be below the rounding of `theta` (the 60 halvings of
    /// `[-8, 8]` the bisection made stop at 1.4e-17, under the rounding too).
    /// About five evaluations of `f` instead of 61.
    fn solve(&self, target: f64, q: &mut [f64]) -> f64 {
        let (mut lo, mut hi) = (-THETA_MAX, THETA_MAX);
        let mut theta = 0.0f64;
        for _ in 0..200 {
            let (f, df) = self.eval(theta, q);
            if f == target {
                return theta;
            }
            if f < target {
                if theta >= THETA_MAX {
                    return theta;
                }
                lo = theta;
            } else {
                if theta <= -THETA_MAX {
                    return theta;
                }
                hi = theta;
            }
            let newton = theta - (f - target) / df;
            let next = if newton > lo && newton < hi {
                newton
            } else if newton >= hi && hi == THETA_MAX {
                THETA_MAX
            } else if newton <= lo && lo == -THETA_MAX {
                -THETA_MAX
            } else {
                0.5 * (lo + hi)
            };
            let converged = (next - theta).abs() <= 1e-12 * theta.abs().max(1.0);
            theta = next;
            if converged || hi - lo <= f64::EPSILON * theta.abs().max(1.0) {
                break;
            }
        }
        self.eval(theta, q);
        theta
    }
}

/// Share `a_hg` of group g's cases treated at hospital h (h-major matrix).
///
/// Each hospital's own case mix tilts the regional mix towards heavy or light
/// groups, `q_hg ∝ p_g x RW_g^theta_h`, with `theta_h` solved (safeguarded
/// Newton, `Tilt::solve`) so the hospital's CMI is `cmi_relative_h x` the
/// regional CMI (clamped to what the group weights can reach). Hospitals with
/// the same `cmi_relative` share one solve. The volumes `cases_h x q_hg` are
/// then raked (iterative proportional fitting, 20 rounds) so groups total
/// their regional cases and hospitals their own, and normalised per group.
pub(super) fn allocate(groups: &GroupTable, weights: &[f64], ht: &HospitalTable) -> Vec<f64> {
    let n_g = groups.len();
    let n_h = ht.hospitals.len();
    let total: f64 = groups.groups.iter().map(|g| g.cases).sum();
    let p: Vec<f64> = groups.groups.iter().map(|g| g.cases / total).collect();
    let lnw: Vec<f64> = weights.iter().map(|w| w.max(1e-3).ln()).collect();
    let cmi_reg: f64 = p.iter().zip(weights).map(|(p, w)| p * w).sum();
    let tilt = Tilt {
        p: &p,
        w: weights,
        lnw: &lnw,
    };
    let mut x = vec![0.0; n_h * n_g];
    let mut q = vec![0.0; n_g];
    // hospitals in order of cmi_relative: equal ones share one solve
    let mut order: Vec<usize> = (0..n_h).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&ht.hospitals[a], &ht.hospitals[b]);
        x.cmi_relative.total_cmp(&y.cmi_relative).then(a.cmp(&b))
    });
    let mut solved: Option<(u64, f64)> = None; // (cmi_relative bits, sum of q)
    for h in order {
        let hosp = &ht.hospitals[h];
        let key = hosp.cmi_relative.to_bits();
        let qs = match solved {
            Some((k, qs)) if k == key => qs,
            _ => {
                tilt.solve(hosp.cmi_relative * cmi_reg, &mut q);
                let qs: f64 = q.iter().sum();
                solved = Some((key, qs));
                qs
            }
        };
        for (xv, m) in x[h * n_g..(h + 1) * n_g].iter_mut().zip(&q) {
            *xv = if qs > 0.0 { hosp.cases * m / qs } else { 0.0 };
        }
    }
    rake(&mut x, &p, ht, n_g);
    let v_total: f64 = ht.hospitals.iter().map(|h| h.cases).sum();
    let mut col = vec![0.0; n_g];
    column_sums(&x, n_g, &mut col);
    for (h, row) in x.chunks_exact_mut(n_g.max(1)).enumerate().take(n_h) {
        for (v, &c) in row.iter_mut().zip(&col) {
            *v = if c > 0.0 {
                *v / c
            } else if v_total > 0.0 {
                ht.hospitals[h].cases / v_total
            } else {
                0.0
            };
        }
    }
    x
}

/// What [`allocate`] reads, as bits: each group's cases and weight, each
/// hospital's cases and `cmi_relative`.
#[derive(PartialEq)]
struct AllocKey {
    groups: Vec<(u64, u64)>,
    hospitals: Vec<(u64, u64)>,
}

impl AllocKey {
    fn new(groups: &GroupTable, weights: &[f64], ht: &HospitalTable) -> AllocKey {
        AllocKey {
            groups: groups
                .groups
                .iter()
                .zip(weights)
                .map(|(g, w)| (g.cases.to_bits(), w.to_bits()))
                .collect(),
            hospitals: ht
                .hospitals
                .iter()
                .map(|h| (h.cases.to_bits(), h.cmi_relative.to_bits()))
                .collect(),
        }
    }
}

/// [`allocate`], computed once per process for the same inputs (the last two
/// kept). The compiled-model cache misses when anything else of the tables
/// or the outlier rules differs (a `--vs` scenario with other coefficients or
/// cost levels, a sensitivity setting of an outlier threshold); the
/// allocation reads only group cases and weights and hospital cases and
/// relative CMI, compared bit for bit, so a hit is exactly what a new
/// allocation would give.
pub(super) fn allocate_shared(
    groups: &GroupTable,
    weights: &[f64],
    ht: &HospitalTable,
) -> Arc<Vec<f64>> {
    static KEPT: Mutex<Vec<(AllocKey, Arc<Vec<f64>>)>> = Mutex::new(Vec::new());
    let key = AllocKey::new(groups, weights, ht);
    {
        let mut kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(i) = kept.iter().position(|(k, _)| *k == key) {
            let hit = kept.remove(i);
            let a = Arc::clone(&hit.1);
            kept.insert(0, hit);
            return a;
        }
    }
    let a = Arc::new(allocate(groups, weights, ht));
    let mut kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
    kept.insert(0, (key, Arc::clone(&a)));
    kept.truncate(2);
    a
}

/// Whether per-hospital volumes give every one of the `n_g` groups (some
/// cases in it), so that [`override_allocation`] replaces the whole
/// allocation and the CMI-tilted one need not be computed.
pub(super) fn volumes_cover_every_group(v: &HospitalGroupVolumes, n_g: usize) -> bool {
    let mut col = vec![0.0; n_g];
    for &(_, g, n) in &v.entries {
        col[g] += n;
    }
    col.iter().all(|&c| c > 0.0)
}

/// Iterative proportional fitting of the hospital x group volumes `x`
/// (row-major, `n_g` columns), [`RAKING_ROUNDS`] rounds: columns scaled to
/// the regional cases `p_g x V` (`V` all hospitals' cases), then rows to each
/// hospital's cases. Every sum runs in row order (columns over hospitals,
/// rows over groups), so the result does not depend on how it is computed.
fn rake(x: &mut [f64], p: &[f64], ht: &HospitalTable, n_g: usize) {
    if n_g == 0 {
        return;
    }
    let v_total: f64 = ht.hospitals.iter().map(|h| h.cases).sum();
    let mut col = vec![0.0; n_g];
    let mut factor = vec![0.0; n_g];
    for _ in 0..RAKING_ROUNDS {
        column_sums(x, n_g, &mut col);
        for ((f, &c), &p) in factor.iter_mut().zip(&col).zip(p) {
            // x * 1.0 == x: a column with nothing in it stays as it is
            *f = if c > 0.0 { p * v_total / c } else { 1.0 };
        }
        for (row, hosp) in x.chunks_exact_mut(n_g).zip(&ht.hospitals) {
            for (v, f) in row.iter_mut().zip(&factor) {
                *v *= f;
            }
            let sum: f64 = row.iter().sum();
            if sum > 0.0 {
                let f = hosp.cases / sum;
                row.iter_mut().for_each(|v| *v *= f);
            }
        }
    }
}

/// Replaces the allocation of every group that has explicit per-hospital volumes
/// by those volumes' shares: `a_hg = cases_hg / sum_h' cases_h'g`.
pub(super) fn override_allocation(a: &mut [f64], v: &HospitalGroupVolumes, n_h: usize, n_g: usize) {
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

/// Column sums of the hospital x group matrix `x` (row-major, `n_g` columns)
/// into `col`, each summed over hospitals in row order.
fn column_sums(x: &[f64], n_g: usize, col: &mut [f64]) {
    col.iter_mut().for_each(|c| *c = 0.0);
    if n_g == 0 {
        return;
    }
    for row in x.chunks_exact(n_g) {
        for (c, v) in col.iter_mut().zip(row) {
            *c += v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payment::hospitals::{Hospital, Level};
    use rand::{RngExt, SeedableRng};
    use std::path::Path;

    /// The allocation as computed before the Newton solve: `theta_h` by 60
    /// bisection steps on `[-8, 8]`, kept to check the solver against.
    fn allocate_bisection(groups: &GroupTable, weights: &[f64], ht: &HospitalTable) -> Vec<f64> {
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
            column_sums(&x, n_g, &mut col);
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
        column_sums(&x, n_g, &mut col);
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

    fn qingyang() -> (GroupTable, HospitalTable) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/qingyang");
        (
            GroupTable::load(&dir.join("groups.csv")).unwrap(),
            HospitalTable::load(&dir.join("hospitals.csv")).unwrap(),
        )
    }

    /// The provincial tables of `benches/payment.rs`: every 7th Qingyang
    /// group (100) and 3,337 hospitals drawn with the bench's seed.
    fn provincial() -> (GroupTable, HospitalTable) {
        let (g, _) = qingyang();
        let groups = GroupTable {
            groups: g.groups.into_iter().step_by(7).take(100).collect(),
            assumed: Vec::new(),
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3337);
        let hospitals = (0..3337)
            .map(|i| {
                let level = match i {
                    0..300 => Level::Tertiary,
                    300..1500 => Level::Secondary,
                    _ => Level::Primary,
                };
                let coefficient = rng.random_range(0.8..1.2);
                let cases = f64::from(rng.random_range(100..8000));
                let cmi_relative: f64 = rng.random_range(0.6..1.4);
                let cost_level = rng.random_range(0.7..1.5);
                Hospital {
                    id: format!("H{i:05}"),
                    name: format!("hospital {i}"),
                    level,
                    coefficient,
                    cases,
                    // four decimals, as the bench writes them
                    cmi_relative: (cmi_relative * 1e4).round() / 1e4,
                    cost_level,
                    alliance: String::new(),
                }
            })
            .collect();
        (groups, HospitalTable { hospitals })
    }

    fn weights(g: &GroupTable) -> Vec<f64> {
        g.groups.iter().map(|g| g.weight).collect()
    }

    /// Largest difference between two allocations relative to the larger
    /// share of the pair (shares are in [0, 1]; exact zeros must match).
    fn max_rel_diff(a: &[f64], b: &[f64]) -> f64 {
        assert_eq!(a.len(), b.len());
        a.iter()
            .zip(b)
            .map(|(x, y)| {
                let m = x.abs().max(y.abs());
                if m == 0.0 { 0.0 } else { (x - y).abs() / m }
            })
            .fold(0.0, f64::max)
    }

    fn check_against_bisection(g: &GroupTable, w: &[f64], h: &HospitalTable) -> f64 {
        let new = allocate(g, w, h);
        let old = allocate_bisection(g, w, h);
        let d = max_rel_diff(&new, &old);
        eprintln!("allocation: max relative difference from the bisection {d:e}");
        assert!(
            d < 1e-12,
            "new allocation differs from the bisection by {d:e}"
        );
        // shares of every group with cases sum to one over hospitals
        let n_g = g.len();
        for (j, grp) in g.groups.iter().enumerate() {
            let s: f64 = (0..h.hospitals.len()).map(|i| new[i * n_g + j]).sum();
            if grp.cases > 0.0 {
                assert!((s - 1.0).abs() < 1e-9, "group {j}: shares sum to {s}");
            }
        }
        d
    }

    #[test]
    fn newton_allocation_matches_the_bisection_on_the_bundled_tables() {
        let (g, h) = qingyang();
        check_against_bisection(&g, &weights(&g), &h);
        // and under the bundled recalibrated weights
        let wpath = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/data/qingyang/weights-2025-recalibrated.csv");
        let wt = crate::payment::WeightTable::load(&wpath).unwrap();
        check_against_bisection(&g, &wt.aligned(&wpath, &g).unwrap(), &h);
    }

    #[test]
    fn newton_allocation_matches_the_bisection_at_provincial_scale() {
        let (g, h) = provincial();
        check_against_bisection(&g, &weights(&g), &h);
    }

    #[test]
    fn newton_allocation_matches_the_bisection_at_the_edges() {
        let (g, mut h) = qingyang();
        // CMI out of reach both ways (clamped at theta = -8 and 8), the
        // regional CMI itself (theta = 0), and duplicates sharing a solve
        let cmis = [1e-3, 0.05, 1.0, 1.0, 40.0, 1e3, 0.7, 0.7];
        for (hosp, c) in h.hospitals.iter_mut().zip(cmis) {
            hosp.cmi_relative = c;
        }
        check_against_bisection(&g, &weights(&g), &h);
        // every weight equal: f is flat, the tilt does nothing
        let flat = vec![1.3; g.len()];
        check_against_bisection(&g, &flat, &h);
        // weights below the 1e-3 floor of the log and a hospital with no cases
        let mut w = weights(&g);
        w[0] = 0.0;
        w[1] = 1e-6;
        h.hospitals[3].cases = 0.0;
        check_against_bisection(&g, &w, &h);
    }

    #[test]
    fn a_shared_allocation_is_exactly_a_new_one() {
        let (g, mut h) = qingyang();
        let w = weights(&g);
        let a = allocate_shared(&g, &w, &h);
        assert!(Arc::ptr_eq(&a, &allocate_shared(&g, &w, &h)));
        assert_eq!(*a, allocate(&g, &w, &h));
        // cost level and coefficient do not enter the allocation; cases do
        h.hospitals[0].cost_level *= 2.0;
        h.hospitals[0].coefficient *= 2.0;
        assert!(Arc::ptr_eq(&a, &allocate_shared(&g, &w, &h)));
        h.hospitals[0].cases += 1.0;
        let b = allocate_shared(&g, &w, &h);
        assert!(!Arc::ptr_eq(&a, &b));
        assert_eq!(*b, allocate(&g, &w, &h));
    }

    #[test]
    fn volumes_for_every_group_replace_the_whole_allocation() {
        let (g, h) = qingyang();
        let (n_h, n_g) = (h.hospitals.len(), g.len());
        // hospital h treats groups h, h + n_h, ...: every group has a row
        let entries: Vec<(usize, usize, f64)> = (0..n_g)
            .map(|j| (j % n_h, j, 1.0 + (j % 5) as f64))
            .collect();
        let mut v = HospitalGroupVolumes { entries };
        assert!(volumes_cover_every_group(&v, n_g));
        let mut full = allocate(&g, &weights(&g), &h);
        override_allocation(&mut full, &v, n_h, n_g);
        let mut zeros = vec![0.0; n_h * n_g];
        override_allocation(&mut zeros, &v, n_h, n_g);
        assert_eq!(full, zeros, "the tilted allocation leaves no trace");
        // a group without cases in the volumes keeps its tilted allocation
        v.entries[5].2 = 0.0;
        assert!(!volumes_cover_every_group(&v, n_g));
        v.entries.pop();
        assert!(!volumes_cover_every_group(&v, n_g));
    }
}
