//! Which hospital treats which group's cases: the share `a_hg` of group g's
//! cases at hospital h, from the hospitals' case counts and relative CMI, or
//! from explicit per-hospital volumes.

use super::groups::GroupTable;
use super::hospitals::{HospitalGroupVolumes, HospitalTable};

/// Share `a_hg` of group g's cases treated at hospital h (h-major matrix).
///
/// Each hospital's own case mix tilts the regional mix towards heavy or light
/// groups, `q_hg ∝ p_g x RW_g^theta_h`, with `theta_h` solved (bisection) so the
/// hospital's CMI is `cmi_relative_h x` the regional CMI (clamped to what the
/// group weights can reach). The volumes `cases_h x q_hg` are then raked
/// (iterative proportional fitting, 20 rounds) so groups total their regional
/// cases and hospitals their own, and normalised per group.
pub(super) fn allocate(groups: &GroupTable, weights: &[f64], ht: &HospitalTable) -> Vec<f64> {
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
