//! Cohort aging as matrix work.
//!
//! The classic **Leslie matrix** advances a population by one age class per step:
//! births in the first row, survival on the sub-diagonal,
//!
//! ```text
//!     | f0  f1  f2 ... |
//! L = | s0  0   0  ... |      x(t+1) = L x(t)
//!     | 0   s1  0  ... |
//! ```
//!
//! drgsim steps one *year* at a time over *five-year* bands, so each band keeps
//! four fifths of its survivors and passes one fifth to the next band (ages spread
//! evenly within a band); the open band 85+ keeps all its survivors. With `s_b`
//! the one-year survival and `f_b` the births per person in band `b`:
//!
//! ```text
//! A[b][b]   = s_b * 4/5          (b < 85+)
//! A[b+1][b] = s_b * 1/5
//! A[85+][85+] = s_85+
//! A[0][b]  += f_b                (newborns enter 0-4)
//! ```
//!
//! (a stage-structured Leslie matrix, sometimes called an Usher matrix).

use super::bands::{BAND_WIDTH, ByBand, N_BANDS};
use nalgebra::{DMatrix, DVector, SMatrix, SVector};

/// Transition matrix over the age bands (stack-allocated).
pub type BandMatrix = SMatrix<f64, N_BANDS, N_BANDS>;
/// A population vector over the age bands (stack-allocated).
pub type BandVector = SVector<f64, N_BANDS>;

/// The classic Leslie matrix from fertility per class (`n` values) and survival
/// from each class to the next (`n - 1` values).
///
/// Returns `None` when the lengths do not fit.
pub fn leslie(fertility: &[f64], survival: &[f64]) -> Option<DMatrix<f64>> {
    let n = fertility.len();
    if n == 0 || survival.len() + 1 != n {
        return None;
    }
    let mut m = DMatrix::zeros(n, n);
    for (j, f) in fertility.iter().enumerate() {
        m[(0, j)] = *f;
    }
    for (i, s) in survival.iter().enumerate() {
        m[(i + 1, i)] = *s;
    }
    Some(m)
}

/// Applies `m` to `x0` for `steps` steps; returns `x(0) ..= x(steps)`.
pub fn project(m: &DMatrix<f64>, x0: &DVector<f64>, steps: usize) -> Vec<DVector<f64>> {
    let mut out = Vec::with_capacity(steps + 1);
    out.push(x0.clone());
    for _ in 0..steps {
        let next = m * out.last().expect("non-empty");
        out.push(next);
    }
    out
}

/// The dominant eigenvalue of a Leslie matrix (its long-run growth factor), by
/// power iteration from a flat start.
pub fn growth_rate(m: &DMatrix<f64>, iterations: usize) -> f64 {
    let n = m.nrows();
    let mut x = DVector::from_element(n, 1.0);
    let mut lambda = 0.0;
    for _ in 0..iterations {
        let y = m * &x;
        let norm = y.iter().map(|v| v.abs()).sum::<f64>();
        let prev = x.iter().map(|v| v.abs()).sum::<f64>();
        if norm == 0.0 || prev == 0.0 {
            return 0.0;
        }
        lambda = norm / prev;
        x = y / norm;
    }
    lambda
}

/// Fills `a` with the one-year transition over five-year bands (see the module
/// docs for the formula).
pub fn band_transition(survival: &ByBand, fertility: &ByBand, a: &mut BandMatrix) {
    let pass = 1.0 / BAND_WIDTH as f64;
    a.fill(0.0);
    for b in 0..N_BANDS - 1 {
        a[(b, b)] = survival[b] * (1.0 - pass);
        a[(b + 1, b)] = survival[b] * pass;
    }
    a[(N_BANDS - 1, N_BANDS - 1)] = survival[N_BANDS - 1];
    for b in 0..N_BANDS {
        a[(0, b)] += fertility[b];
    }
}

/// `x <- A x` for the transition `A` of [`band_transition`], using its shape
/// instead of a dense 18 x 18 product: only the first row (births) is full,
/// every other row has two entries,
///
/// ```text
/// y[0]   = (s_0 4/5 + f_0) x[0] + f_1 x[1] + ... + f_17 x[17]
/// y[b]   = s_(b-1) 1/5 x[b-1] + s_b 4/5 x[b]        (0 < b < 85+)
/// y[85+] = s_84 1/5 x[84] + s_85+ x[85+]
/// ```
///
/// 52 multiply-adds instead of 324, and no matrix to rebuild each year. The
/// terms are added in the order of nalgebra's column-by-column product, so
/// for finite `x` the result is the dense `band_transition` then `A * x` bit
/// for bit (the dense product only adds exact zeros besides; tested below).
/// The year loop runs the same step across a chunk of paths
/// (`MembershipLanes::step`); this one-path form is the tests' reference.
#[cfg(test)]
pub fn band_step(survival: &ByBand, fertility: &ByBand, x: &mut BandVector) {
    let pass = 1.0 / BAND_WIDTH as f64;
    let stay = 1.0 - pass;
    let mut births = (survival[0] * stay + fertility[0]) * x[0];
    for b in 1..N_BANDS {
        births += fertility[b] * x[b];
    }
    // From the oldest band down, so each x[b - 1] is still last year's.
    let last = N_BANDS - 1;
    x[last] = survival[last - 1] * pass * x[last - 1] + survival[last] * x[last];
    for b in (1..last).rev() {
        x[b] = survival[b - 1] * pass * x[b - 1] + survival[b] * stay * x[b];
    }
    x[0] = births;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_step_equals_the_dense_product_bit_for_bit() {
        let mut a = BandMatrix::zeros();
        let mut rng_state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            rng_state ^= rng_state << 13;
            rng_state ^= rng_state >> 7;
            rng_state ^= rng_state << 17;
            (rng_state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..200 {
            let mut s = [0.0; N_BANDS];
            let mut f = [0.0; N_BANDS];
            let mut x = BandVector::zeros();
            for b in 0..N_BANDS {
                s[b] = 0.9 + 0.1 * next();
                f[b] = if (3..10).contains(&b) {
                    0.05 * next()
                } else {
                    0.0
                };
                x[b] = 1e6 * next();
            }
            band_transition(&s, &f, &mut a);
            let dense = a * x;
            band_step(&s, &f, &mut x);
            for b in 0..N_BANDS {
                assert_eq!(dense[b].to_bits(), x[b].to_bits(), "band {b}");
            }
        }
    }

    /// Anton & Rorres, *Elementary Linear Algebra: Applications Version*,
    /// "Leslie Matrix Models of Population Growth", Example 1: three five-year
    /// age classes, 1000 females in each; published x(1), x(2), x(3) and the
    /// dominant eigenvalue 3/2 with eigenvector proportional to (1, 1/3, 1/18).
    #[test]
    fn textbook_leslie_example() {
        let l = leslie(&[0.0, 4.0, 3.0], &[0.5, 0.25]).unwrap();
        let x0 = DVector::from_vec(vec![1000.0, 1000.0, 1000.0]);
        let xs = project(&l, &x0, 3);
        let expect = [
            [7000.0, 500.0, 250.0],
            [2750.0, 3500.0, 125.0],
            [14375.0, 1375.0, 875.0],
        ];
        for (k, e) in expect.iter().enumerate() {
            for i in 0..3 {
                assert!((xs[k + 1][i] - e[i]).abs() < 1e-9, "x({}) [{i}]", k + 1);
            }
        }
        let lambda = growth_rate(&l, 200);
        assert!((lambda - 1.5).abs() < 1e-9, "dominant eigenvalue {lambda}");
        let mut x = DVector::from_element(3, 1.0);
        for _ in 0..200 {
            x = &l * &x;
            x /= x[0];
        }
        assert!((x[1] - 1.0 / 3.0).abs() < 1e-9 && (x[2] - 1.0 / 18.0).abs() < 1e-9);
    }

    #[test]
    fn leslie_rejects_bad_lengths() {
        assert!(leslie(&[1.0, 2.0], &[0.5, 0.5]).is_none());
        assert!(leslie(&[], &[]).is_none());
    }

    #[test]
    fn band_transition_conserves_people_without_deaths_or_births() {
        let mut a = BandMatrix::zeros();
        band_transition(&[1.0; N_BANDS], &[0.0; N_BANDS], &mut a);
        let x = BandVector::from_element(100.0);
        let y = a * x;
        assert!((y.sum() - x.sum()).abs() < 1e-9);
        // a fifth of each band moves up: the youngest band shrinks, the open band grows
        assert!((y[0] - 80.0).abs() < 1e-12);
        assert!((y[N_BANDS - 1] - 120.0).abs() < 1e-12);
    }

    #[test]
    fn cohort_reaches_the_next_band_in_five_years_on_average() {
        // A cohort entering 0-4 with no deaths: mean years spent in the band = 5.
        let mut a = BandMatrix::zeros();
        band_transition(&[1.0; N_BANDS], &[0.0; N_BANDS], &mut a);
        let mut x = BandVector::zeros();
        x[0] = 1.0;
        let mut years_in_first = 0.0;
        for _ in 0..500 {
            years_in_first += x[0];
            x = a * x;
        }
        assert!((years_in_first - 5.0).abs() < 1e-6);
    }
}
