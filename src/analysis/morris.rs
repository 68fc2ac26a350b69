//! Morris elementary-effects screening (Morris 1991, with the `mu*` measure
//! of Campolongo, Cariboni & Saltelli 2007).
//!
//! Design: `r` trajectories on a `p`-level grid of the unit cube
//! `{0, 1/(p-1), ..., 1}` with step `Delta = p / (2 (p - 1))`. Each trajectory
//! starts at a random grid point, then moves one factor at a time (random
//! order) by `+Delta` or `-Delta` (random sign, forced to stay inside
//! `[0, 1]`), giving `k + 1` points and one elementary effect per factor:
//!
//! `EE_i = (f(x + s e_i Delta) - f(x)) / (s Delta)`, `s = +-1`,
//!
//! measured in unit-cube units. Over the `r` trajectories:
//! `mu_i = mean(EE_i)`, `mu*_i = mean(|EE_i|)`, `sigma_i = sd(EE_i)`
//! (`r - 1` denominator). Large `mu*` = influential; large `sigma` =
//! non-linear or interacting. Cost `r (k + 1)` model runs, evaluated in
//! parallel; trajectory `t` is generated from stream `path_rng(seed, t)`, so
//! results do not depend on thread count.
//!
//! The grid includes the unit-cube faces 0 and 1: with unbounded marginals,
//! map `u` into a central range (e.g. `quantile(0.005 + 0.99 u)`) in
//! `unit_to_params`, or the extreme levels map to very large values.

use rand::Rng;
use rayon::prelude::*;

use super::error::{Result, invalid};
use super::streams::path_rng;

/// Morris screening measures per factor.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisResult {
    /// Mean elementary effect `mu_i`.
    pub mu: Vec<f64>,
    /// Mean absolute elementary effect `mu*_i`.
    pub mu_star: Vec<f64>,
    /// Standard deviation of the elementary effects `sigma_i` (NaN if `r < 2`).
    pub sigma: Vec<f64>,
    /// Number of trajectories.
    pub r: usize,
    /// Grid levels.
    pub levels: usize,
    /// Model runs, `r (k + 1)`.
    pub n_evals: usize,
}

/// Morris elementary effects for `k` factors, `r` trajectories on a grid of
/// `levels` (even, >= 2; 4 is customary). See the module docs.
///
/// Errors: `k == 0`, `r == 0`, odd or too few levels, non-finite outputs.
pub fn morris<P, F>(
    k: usize,
    r: usize,
    levels: usize,
    seed: u64,
    unit_to_params: P,
    f: F,
) -> Result<MorrisResult>
where
    P: Fn(&[f64], &mut [f64]) + Sync,
    F: Fn(&[f64]) -> f64 + Sync,
{
    if k == 0 {
        return Err(invalid("k", "need at least one factor"));
    }
    if r == 0 {
        return Err(invalid(
            "r",
            "need at least one trajectory (10-50 is typical)",
        ));
    }
    if levels < 2 || !levels.is_multiple_of(2) {
        return Err(invalid(
            "levels",
            format!("must be even and >= 2 (got {levels}); 4 is customary"),
        ));
    }
    let n_evals = r
        .checked_mul(k + 1)
        .ok_or_else(|| invalid("r", "r * (k + 1) overflows"))?;
    let step = 1.0 / (levels - 1) as f64;
    let jump = levels / 2; // Delta = jump * step = p / (2 (p - 1))
    let delta = jump as f64 * step;

    // Per trajectory: (order of factors, signed steps, k + 1 outputs).
    type Traj = (Vec<usize>, Vec<f64>, Vec<f64>);
    let trajs: Vec<std::result::Result<Traj, String>> = (0..r)
        .into_par_iter()
        .map(|t| {
            let mut rng = path_rng(seed, t as u64);
            let mut below = |m: u64| (rng.next_u64() % m) as usize;
            // Grid indices of the start point.
            let mut idx: Vec<usize> = (0..k).map(|_| below(levels as u64)).collect();
            let mut order: Vec<usize> = (0..k).collect();
            for i in (1..k).rev() {
                order.swap(i, below(i as u64 + 1));
            }
            let mut signs = vec![0.0; k];
            let mut unit = vec![0.0; k];
            let mut params = vec![0.0; k];
            let mut outs = Vec::with_capacity(k + 1);
            let mut eval =
                |idx: &[usize], outs: &mut Vec<f64>| -> std::result::Result<(), String> {
                    for (u, &g) in unit.iter_mut().zip(idx) {
                        *u = g as f64 * step;
                    }
                    unit_to_params(&unit, &mut params);
                    let v = f(&params);
                    if !v.is_finite() {
                        return Err(format!("model returned {v} at parameters {params:?}"));
                    }
                    outs.push(v);
                    Ok(())
                };
            eval(&idx, &mut outs)?;
            for &i in &order {
                let up_ok = idx[i] + jump < levels;
                let down_ok = idx[i] >= jump;
                let up = match (up_ok, down_ok) {
                    (true, true) => below(2) == 0,
                    (up, _) => up,
                };
                if up {
                    idx[i] += jump;
                    signs[i] = 1.0;
                } else {
                    idx[i] -= jump;
                    signs[i] = -1.0;
                }
                eval(&idx, &mut outs)?;
            }
            Ok((order, signs, outs))
        })
        .collect();

    let mut ee = vec![Vec::with_capacity(r); k];
    for tr in trajs {
        let (order, signs, outs) =
            tr.map_err(|m| invalid("f", format!("{m}; Morris screening needs finite outputs")))?;
        for (step_no, &i) in order.iter().enumerate() {
            ee[i].push((outs[step_no + 1] - outs[step_no]) / (signs[i] * delta));
        }
    }
    let rf = r as f64;
    let mu: Vec<f64> = ee.iter().map(|e| e.iter().sum::<f64>() / rf).collect();
    let mu_star = ee
        .iter()
        .map(|e| e.iter().map(|x| x.abs()).sum::<f64>() / rf)
        .collect();
    let sigma = ee
        .iter()
        .zip(&mu)
        .map(|(e, m)| {
            if r < 2 {
                f64::NAN
            } else {
                (e.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (rf - 1.0)).sqrt()
            }
        })
        .collect();
    Ok(MorrisResult {
        mu,
        mu_star,
        sigma,
        r,
        levels,
        n_evals,
    })
}
