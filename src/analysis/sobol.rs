//! Variance-based (Sobol') sensitivity indices by Saltelli sampling.
//!
//! Two independent `n x k` matrices `A`, `B` of uniforms on the unit cube are
//! drawn from the seeded stream [`path_rng`]`(seed, 0)` (plain pseudo-random
//! numbers, no low-discrepancy sequence). For each input `i`, `A_B^(i)` is `A`
//! with column `i` taken from `B`. The model is evaluated on all
//! `n (k + 2)` rows (in parallel with rayon; results do not depend on the
//! thread count), giving `f(A)_j`, `f(B)_j`, `f(A_B^(i))_j`.
//!
//! Outputs are centred by `f0 = mean(f(A), f(B))` and
//! `V = (1/2n) sum_j [(f(A)_j - f0)^2 + (f(B)_j - f0)^2]`. Then
//!
//! * first order, Saltelli et al. (2010), estimator (b) of their Table 2:
//!   `S_i = (1/n) sum_j (f(B)_j - f0) (f(A_B^(i))_j - f(A)_j) / V`
//!   (centring `f(B)` by `f0` does not change the expectation and reduces
//!   the variance of the estimator);
//! * total effect, Jansen (1999), estimator (f) of the same table:
//!   `ST_i = (1/2n) sum_j (f(A)_j - f(A_B^(i))_j)^2 / V`
//!
//! If the output is constant (`V = 0`) all indices are NaN.
//!
//! Standard errors are the standard deviation of the same estimators over
//! `n_bootstrap` bootstrap resamples of the rows `j` (rep `b` uses stream
//! `path_rng(seed, 1 + b)`).
//!
//! The inputs are assumed **independent**: map the unit cube to parameters
//! with each marginal's inverse CDF (e.g. [`Sampler::unit_to_params`], or
//! use [`sobol_for_sampler`]); correlations are ignored by construction.
//!
//! Reference: A. Saltelli et al., "Variance based sensitivity analysis of
//! model output. Design and estimator for the total sensitivity index",
//! Computer Physics Communications 181 (2010) 259-270.
//!
//! [`Sampler::unit_to_params`]: crate::analysis::sampler::Sampler::unit_to_params

use rand::Rng;
use rayon::prelude::*;

use super::error::{Result, invalid};
use super::sampler::{Sampler, open_uniform};
use super::streams::path_rng;

/// Number of bootstrap resamples used by [`sobol_indices`].
pub const DEFAULT_BOOTSTRAP: usize = 100;

/// Sobol' indices for `k` inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolResult {
    /// First-order indices `S_i` (Saltelli 2010).
    pub first: Vec<f64>,
    /// Total-effect indices `ST_i` (Jansen).
    pub total: Vec<f64>,
    /// Bootstrap standard error of each `S_i` (NaN if no bootstrap).
    pub first_se: Vec<f64>,
    /// Bootstrap standard error of each `ST_i` (NaN if no bootstrap).
    pub total_se: Vec<f64>,
    /// Output mean `f0`.
    pub mean: f64,
    /// Output variance `V`.
    pub variance: f64,
    /// Base sample size `n`.
    pub n: usize,
    /// Number of model evaluations, `n (k + 2)`.
    pub n_evals: usize,
}

/// Sobol' indices with `DEFAULT_BOOTSTRAP` bootstrap resamples.
///
/// `sample_unit_to_params(u, params)` maps a point `u` of the open unit cube
/// `(0,1)^k` to the `k` model parameters (write them into `params`); `f(params)` is the scalar
/// model outcome. See the module docs for the estimators.
pub fn sobol_indices<P, F>(
    k: usize,
    n: usize,
    seed: u64,
    sample_unit_to_params: P,
    f: F,
) -> Result<SobolResult>
where
    P: Fn(&[f64], &mut [f64]) + Sync,
    F: Fn(&[f64]) -> f64 + Sync,
{
    sobol_indices_with(k, n, seed, DEFAULT_BOOTSTRAP, sample_unit_to_params, f)
}

/// As [`sobol_indices`] with an explicit number of bootstrap resamples
/// (`0` skips the bootstrap; standard errors are then NaN).
///
/// Errors: `k == 0`, `n < 2`, or a non-finite model output (the message
/// gives the offending parameters).
pub fn sobol_indices_with<P, F>(
    k: usize,
    n: usize,
    seed: u64,
    n_bootstrap: usize,
    sample_unit_to_params: P,
    f: F,
) -> Result<SobolResult>
where
    P: Fn(&[f64], &mut [f64]) + Sync,
    F: Fn(&[f64]) -> f64 + Sync,
{
    if k == 0 {
        return Err(invalid("k", "need at least one input"));
    }
    if n < 2 {
        return Err(invalid(
            "n",
            format!("base sample size must be >= 2 (got {n}); use thousands"),
        ));
    }
    let n_evals = n
        .checked_mul(k + 2)
        .ok_or_else(|| invalid("n", "n * (k + 2) overflows"))?;

    // A and B, row-major n x k each, from one sequential stream.
    let mut rng = path_rng(seed, 0);
    let a: Vec<f64> = (0..n * k).map(|_| open_uniform(&mut rng)).collect();
    let b: Vec<f64> = (0..n * k).map(|_| open_uniform(&mut rng)).collect();

    let y: Vec<f64> = (0..n_evals)
        .into_par_iter()
        .map_init(
            || (vec![0.0; k], vec![0.0; k]),
            |(unit, params), r| {
                let (block, j) = (r / n, r % n);
                let (ra, rb) = (&a[j * k..(j + 1) * k], &b[j * k..(j + 1) * k]);
                match block {
                    0 => unit.copy_from_slice(ra),
                    1 => unit.copy_from_slice(rb),
                    _ => {
                        unit.copy_from_slice(ra);
                        unit[block - 2] = rb[block - 2];
                    }
                }
                sample_unit_to_params(unit, params);
                let v = f(params);
                if v.is_finite() {
                    Ok(v)
                } else {
                    Err((v, params.clone()))
                }
            },
        )
        .collect::<std::result::Result<_, _>>()
        .map_err(|(v, p)| {
            invalid(
                "f",
                format!(
                    "model returned {v} at parameters {p:?}; Sobol' indices need finite outputs"
                ),
            )
        })?;

    let (fa, rest) = y.split_at(n);
    let (fb, fab) = rest.split_at(n);
    let all: Vec<usize> = (0..n).collect();
    let est = estimate(k, fa, fb, fab, n, &all);

    let (mut first_se, mut total_se) = (vec![f64::NAN; k], vec![f64::NAN; k]);
    if n_bootstrap >= 2 {
        let reps: Vec<Estimate> = (0..n_bootstrap)
            .into_par_iter()
            .map_init(
                || vec![0usize; n],
                |idx, rep| {
                    let mut rng = path_rng(seed, 1 + rep as u64);
                    for x in idx.iter_mut() {
                        *x = (rng.next_u64() % n as u64) as usize;
                    }
                    estimate(k, fa, fb, fab, n, idx)
                },
            )
            .collect();
        for i in 0..k {
            first_se[i] = sd(reps.iter().map(|e| e.first[i]));
            total_se[i] = sd(reps.iter().map(|e| e.total[i]));
        }
    }
    Ok(SobolResult {
        first: est.first,
        total: est.total,
        first_se,
        total_se,
        mean: est.mean,
        variance: est.variance,
        n,
        n_evals,
    })
}

struct Estimate {
    first: Vec<f64>,
    total: Vec<f64>,
    mean: f64,
    variance: f64,
}

/// Saltelli/Jansen estimators over the rows listed in `idx`.
fn estimate(k: usize, fa: &[f64], fb: &[f64], fab: &[f64], n: usize, idx: &[usize]) -> Estimate {
    let m = idx.len() as f64;
    let f0 = idx.iter().map(|&j| fa[j] + fb[j]).sum::<f64>() / (2.0 * m);
    let var = idx
        .iter()
        .map(|&j| (fa[j] - f0).powi(2) + (fb[j] - f0).powi(2))
        .sum::<f64>()
        / (2.0 * m);
    let mut first = vec![f64::NAN; k];
    let mut total = vec![f64::NAN; k];
    for i in 0..k {
        let fi = &fab[i * n..(i + 1) * n];
        let (mut s, mut t) = (0.0, 0.0);
        for &j in idx {
            s += (fb[j] - f0) * (fi[j] - fa[j]);
            t += (fa[j] - fi[j]).powi(2);
        }
        if var > 0.0 {
            first[i] = s / m / var;
            total[i] = t / (2.0 * m) / var;
        }
    }
    Estimate {
        first,
        total,
        mean: f0,
        variance: var,
    }
}

/// Sample standard deviation (n - 1 denominator).
fn sd(xs: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = xs.clone().count() as f64;
    if n < 2.0 {
        return f64::NAN;
    }
    let mean = xs.clone().sum::<f64>() / n;
    (xs.map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// [`sobol_indices`] over the marginals of `sampler` (each unit coordinate
/// mapped by that parameter's inverse CDF; any correlation is ignored, see
/// the module docs). Parameters with a collapsed distribution get indices 0.
pub fn sobol_for_sampler<F>(sampler: &Sampler, n: usize, seed: u64, f: F) -> Result<SobolResult>
where
    F: Fn(&[f64]) -> f64 + Sync,
{
    let marginals = sampler.marginals();
    sobol_indices(
        sampler.dim(),
        n,
        seed,
        |u, out| {
            for ((x, &ui), m) in out.iter_mut().zip(u).zip(marginals) {
                *x = m.quantile(ui);
            }
        },
        f,
    )
}
