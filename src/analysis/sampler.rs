//! Joint sampling of uncertain parameters with a Gaussian copula.
//!
//! Draw for one parameter vector of length `k`:
//!
//! 1. `z ~ N(0, I_k)` (independent standard normals);
//! 2. `y = L z` where `L L^T = R` is the Cholesky factor of the correlation
//!    matrix `R`;
//! 3. `u_i = Phi(y_i)` (uniform marginals, dependence of the copula);
//! 4. `x_i = F_i^-1(u_i)` by each marginal's (truncated) inverse CDF.
//!
//! `R` is the correlation of the *normal scores*; the Pearson correlation of
//! the `x_i` is close to it for near-normal marginals and somewhat smaller in
//! magnitude otherwise. Without a correlation matrix step 1-3 are replaced by
//! drawing the uniforms directly (`u = (m + 0.5) / 2^53` with `m` the top 53
//! bits of a `u64`), which is faster and exact in the tails.
//!
//! Parameters with a collapsed distribution ignore their uniform and return
//! their value exactly.

use nalgebra::DMatrix;
use rand::{Rng, RngExt};
use rand_distr::StandardNormal;

use super::dist::{DistSpec, Marginal, std_normal_cdf};
use super::error::{AnalysisError, Result};

/// Tolerance for symmetry / unit-diagonal checks of the correlation matrix.
const CORR_TOL: f64 = 1e-9;

/// Samples parameter vectors from marginals and an optional correlation.
#[derive(Debug, Clone)]
pub struct Sampler {
    specs: Vec<DistSpec>,
    marginals: Vec<Marginal>,
    /// Lower-triangular Cholesky factor of the correlation matrix.
    chol: Option<DMatrix<f64>>,
}

impl Sampler {
    /// Validates every spec and the correlation matrix.
    ///
    /// The matrix must be `k x k` (`k = specs.len()`), finite, symmetric
    /// (to 1e-9), with unit diagonal, entries in `[-1, 1]`, and positive
    /// definite (checked by Cholesky). Errors say which check failed.
    pub fn new(specs: Vec<DistSpec>, correlation: Option<DMatrix<f64>>) -> Result<Sampler> {
        let mut marginals = Vec::with_capacity(specs.len());
        for (index, s) in specs.iter().enumerate() {
            match s.compile() {
                Ok(m) => marginals.push(m),
                Err(errors) => return Err(AnalysisError::InvalidSpec { index, errors }),
            }
        }
        let chol = match correlation {
            None => None,
            Some(r) => Some(cholesky_of_correlation(r, specs.len())?),
        };
        Ok(Sampler {
            specs,
            marginals,
            chol,
        })
    }

    /// Number of parameters `k`.
    pub fn dim(&self) -> usize {
        self.marginals.len()
    }

    /// The specs this sampler was built from.
    pub fn specs(&self) -> &[DistSpec] {
        &self.specs
    }

    /// The compiled marginals.
    pub fn marginals(&self) -> &[Marginal] {
        &self.marginals
    }

    /// `true` if a correlation matrix is in use.
    pub fn is_correlated(&self) -> bool {
        self.chol.is_some()
    }

    /// Draws one parameter vector into `out` (length must be `dim()`).
    /// Does not allocate.
    pub fn sample_into<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut [f64]) -> Result<()> {
        let k = self.dim();
        if out.len() != k {
            return Err(AnalysisError::DimensionMismatch {
                what: "Sampler::sample_into output slice",
                expected: k,
                got: out.len(),
            });
        }
        match &self.chol {
            None => {
                for (x, m) in out.iter_mut().zip(&self.marginals) {
                    *x = m.quantile(open_uniform(rng));
                }
            }
            Some(l) => {
                for z in out.iter_mut() {
                    *z = rng.sample(StandardNormal);
                }
                // In place y = L z: row i uses z_0..=z_i, so go from the last row up.
                for i in (0..k).rev() {
                    let mut y = 0.0;
                    for j in 0..=i {
                        y += l[(i, j)] * out[j];
                    }
                    out[i] = y;
                }
                for (x, m) in out.iter_mut().zip(&self.marginals) {
                    *x = m.quantile(std_normal_cdf(*x));
                }
            }
        }
        Ok(())
    }

    /// Maps a point of the unit cube to parameters by each marginal's
    /// inverse CDF, ignoring any correlation (used by variance-based
    /// sensitivity analysis, which assumes independent inputs).
    pub fn unit_to_params(&self, unit: &[f64], out: &mut [f64]) -> Result<()> {
        let k = self.dim();
        if unit.len() != k || out.len() != k {
            return Err(AnalysisError::DimensionMismatch {
                what: "Sampler::unit_to_params slices",
                expected: k,
                got: if unit.len() != k {
                    unit.len()
                } else {
                    out.len()
                },
            });
        }
        for ((x, &u), m) in out.iter_mut().zip(unit).zip(&self.marginals) {
            *x = m.quantile(u);
        }
        Ok(())
    }
}

/// A uniform on the open interval (0, 1): `(m + 0.5) / 2^53`.
pub fn open_uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

fn cholesky_of_correlation(r: DMatrix<f64>, k: usize) -> Result<DMatrix<f64>> {
    let bad = |m: String| Err(AnalysisError::InvalidCorrelation(m));
    if r.nrows() != r.ncols() {
        return bad(format!(
            "matrix is {}x{}, it must be square",
            r.nrows(),
            r.ncols()
        ));
    }
    if r.nrows() != k {
        return bad(format!(
            "matrix is {0}x{0} but there are {k} parameters; give one row and column per parameter",
            r.nrows()
        ));
    }
    for i in 0..k {
        for j in 0..k {
            let v = r[(i, j)];
            if !v.is_finite() {
                return bad(format!("entry ({i}, {j}) is {v}, it must be finite"));
            }
            if !(-1.0..=1.0).contains(&v) {
                return bad(format!("entry ({i}, {j}) = {v} is outside [-1, 1]"));
            }
            if (v - r[(j, i)]).abs() > CORR_TOL {
                return bad(format!(
                    "not symmetric: entry ({i}, {j}) = {v} but ({j}, {i}) = {}",
                    r[(j, i)]
                ));
            }
        }
        if (r[(i, i)] - 1.0).abs() > CORR_TOL {
            return bad(format!(
                "diagonal entry ({i}, {i}) = {} must be 1",
                r[(i, i)]
            ));
        }
    }
    match r.cholesky() {
        Some(c) => Ok(c.unpack()),
        None => bad(
            "not positive definite (the correlations are mutually inconsistent, or two \
             parameters are perfectly correlated); reduce the off-diagonal magnitudes"
                .to_string(),
        ),
    }
}
