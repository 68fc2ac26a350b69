//! Root finding and monotone goal seeking.

use super::error::{AnalysisError, Result, invalid};

/// Number of sub-intervals scanned for a sign change by [`solve_bracketed`].
pub const SCAN_INTERVALS: usize = 32;

/// A root found by [`solve_bracketed`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Root {
    /// The root estimate.
    pub x: f64,
    /// `f(x)`.
    pub fx: f64,
    /// Brent iterations used (0 if a scan point was an exact root).
    pub iterations: usize,
    /// Total function evaluations including the scan.
    pub evaluations: usize,
}

fn check_interval(lo: f64, hi: f64, tol: f64, max_iter: usize) -> Result<()> {
    if !lo.is_finite() || !hi.is_finite() || lo >= hi {
        return Err(invalid(
            "lo/hi",
            format!("need finite lo < hi (got lo = {lo}, hi = {hi})"),
        ));
    }
    if !(tol.is_finite() && tol > 0.0) {
        return Err(invalid(
            "tol",
            format!("must be a positive number (got {tol})"),
        ));
    }
    if max_iter == 0 {
        return Err(invalid("max_iter", "must be at least 1"));
    }
    Ok(())
}

/// Finds `x` in `[lo, hi]` with `f(x) = 0` without assuming monotonicity.
///
/// 1. Scan `f` at `SCAN_INTERVALS + 1 = 33` equally spaced points (ends
///    included); an exact zero is returned at once, NaN/infinite points are
///    skipped.
/// 2. On the first (leftmost) sub-interval whose two ends have finite values of
///    opposite sign, run Brent's method (inverse quadratic interpolation /
///    secant steps, falling back to bisection whenever they would leave the
///    bracket or shrink it too slowly; R. P. Brent, *Algorithms for
///    Minimization without Derivatives*, 1973, ch. 4) until the bracket is
///    narrower than `2 (2 eps |x| + tol / 2)` or `f(x) = 0`.
///
/// Errors: [`AnalysisError::NoSignChange`] (with the best scanned point) when
/// no sub-interval brackets a root, [`AnalysisError::NonFinite`] if every
/// scan point or a Brent iterate is not finite, [`AnalysisError::NoConvergence`]
/// after `max_iter` Brent iterations, and invalid-argument errors.
/// Only the leftmost root is found when there are several.
pub fn solve_bracketed<F: FnMut(f64) -> f64>(
    mut f: F,
    lo: f64,
    hi: f64,
    tol: f64,
    max_iter: usize,
) -> Result<Root> {
    check_interval(lo, hi, tol, max_iter)?;
    let n = SCAN_INTERVALS;
    let xs: Vec<f64> = (0..=n)
        .map(|i| {
            if i == n {
                hi
            } else {
                lo + (hi - lo) * (i as f64 / n as f64)
            }
        })
        .collect();
    let mut fs = Vec::with_capacity(n + 1);
    let mut best: Option<(f64, f64)> = None;
    for (i, &x) in xs.iter().enumerate() {
        let v = f(x);
        if v == 0.0 {
            return Ok(Root {
                x,
                fx: v,
                iterations: 0,
                evaluations: i + 1,
            });
        }
        if v.is_finite() && best.is_none_or(|(_, b)| v.abs() < b.abs()) {
            best = Some((x, v));
        }
        fs.push(v);
    }
    let bracket = (0..n).find(|&i| {
        fs[i].is_finite() && fs[i + 1].is_finite() && (fs[i] < 0.0) != (fs[i + 1] < 0.0)
    });
    let Some(i) = bracket else {
        return Err(match best {
            None => AnalysisError::NonFinite {
                x: lo,
                value: fs[0],
            },
            Some((best_x, best_f)) => AnalysisError::NoSignChange {
                lo,
                hi,
                f_lo: fs[0],
                f_hi: fs[n],
                best_x,
                best_f,
            },
        });
    };
    let mut r = brent(&mut f, xs[i], xs[i + 1], fs[i], fs[i + 1], tol, max_iter)?;
    r.evaluations += n + 1;
    Ok(r)
}

/// Brent's method on a bracket with `fa`, `fb` of opposite sign.
fn brent<F: FnMut(f64) -> f64>(
    f: &mut F,
    mut a: f64,
    mut b: f64,
    mut fa: f64,
    mut fb: f64,
    tol: f64,
    max_iter: usize,
) -> Result<Root> {
    let (mut c, mut fc) = (b, fb);
    let mut d = b - a;
    let mut e = d;
    for iter in 1..=max_iter {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol1 = 2.0 * f64::EPSILON * b.abs() + 0.5 * tol;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol1 || fb == 0.0 {
            return Ok(Root {
                x: b,
                fx: fb,
                iterations: iter - 1,
                evaluations: iter - 1,
            });
        }
        if e.abs() >= tol1 && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * xm * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            }
            p = p.abs();
            let min1 = 3.0 * xm * q - (tol1 * q).abs();
            let min2 = (e * q).abs();
            if 2.0 * p < min1.min(min2) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol1 { d } else { tol1.copysign(xm) };
        fb = f(b);
        if !fb.is_finite() {
            return Err(AnalysisError::NonFinite { x: b, value: fb });
        }
    }
    Err(AnalysisError::NoConvergence {
        iterations: max_iter,
        x: b,
        fx: fb,
    })
}

/// Direction of a monotone function for [`seek_target`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Monotone {
    /// `g` non-decreasing in `x`: find the **smallest** `x` with `g(x) >= target`.
    Increasing,
    /// `g` non-increasing in `x`: find the **largest** `x` with `g(x) >= target`.
    Decreasing,
}

/// Result of a monotone goal seek.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GoalResult {
    /// The value found; always satisfies `g(x) >= target`.
    pub x: f64,
    /// `g(x)`.
    pub value: f64,
    /// The nearest point known to miss the target (within `tol` of `x`), or
    /// NaN if `x` is the range end and the whole range meets the target.
    pub miss_x: f64,
    /// `g(miss_x)` (`< target`), NaN if `miss_x` is NaN.
    pub miss_value: f64,
    /// Function evaluations used.
    pub evaluations: usize,
}

/// Smallest `x` in `[lo, hi]` with `g(x) >= target`, for non-decreasing `g`.
/// See [`seek_target`].
pub fn smallest_x_at_least<G: FnMut(f64) -> f64>(
    g: G,
    lo: f64,
    hi: f64,
    target: f64,
    tol: f64,
    max_iter: usize,
) -> Result<GoalResult> {
    seek_target(g, lo, hi, target, Monotone::Increasing, tol, max_iter)
}

/// Largest `x` in `[lo, hi]` with `g(x) >= target`, for non-increasing `g`.
/// See [`seek_target`].
pub fn largest_x_at_least<G: FnMut(f64) -> f64>(
    g: G,
    lo: f64,
    hi: f64,
    target: f64,
    tol: f64,
    max_iter: usize,
) -> Result<GoalResult> {
    seek_target(g, lo, hi, target, Monotone::Decreasing, tol, max_iter)
}

/// Boundary of the feasible set `{x in [lo, hi] : g(x) >= target}` for a
/// monotone `g`: its left end for [`Monotone::Increasing`], its right end for
/// [`Monotone::Decreasing`].
///
/// **Guarantee:** the returned `x` is always feasible (`g(x) >= target`,
/// evaluated, not interpolated) and, unless it is the range end because the
/// whole range is feasible, a point `miss_x` with `|x - miss_x| <= tol` and
/// `g(miss_x) < target` was evaluated. So for an increasing `g`,
/// `g(x - tol) < target`.
///
/// Method: keep a bracket `[miss, hit]`; each step proposes the
/// Illinois-modified false-position point of `h = g - target` and falls back to
/// bisection when the bracket has not halved over two steps; points are kept
/// at least `min(tol, width/2)/2` inside the bracket so it always shrinks.
///
/// Errors: [`AnalysisError::TargetUnreachable`] (with the best value, at
/// the favourable end) if `g` misses the target on the whole range,
/// [`AnalysisError::NonFinite`] if `g` returns NaN, [`AnalysisError::NoConvergence`]
/// after `max_iter` steps, and invalid-argument errors.
pub fn seek_target<G: FnMut(f64) -> f64>(
    mut g: G,
    lo: f64,
    hi: f64,
    target: f64,
    dir: Monotone,
    tol: f64,
    max_iter: usize,
) -> Result<GoalResult> {
    check_interval(lo, hi, tol, max_iter)?;
    if !target.is_finite() {
        return Err(invalid("target", format!("must be finite (got {target})")));
    }
    // Work in t where g is increasing: x = t (Increasing) or x = -t (Decreasing).
    let sgn = match dir {
        Monotone::Increasing => 1.0,
        Monotone::Decreasing => -1.0,
    };
    let (t_lo, t_hi) = if sgn > 0.0 { (lo, hi) } else { (-hi, -lo) };
    let mut evals = 0;
    let mut eval = |t: f64| -> Result<f64> {
        let x = sgn * t;
        let v = g(x);
        evals += 1;
        if v.is_nan() {
            return Err(AnalysisError::NonFinite { x, value: v });
        }
        Ok(v)
    };
    let v_lo = eval(t_lo)?;
    if v_lo >= target {
        return Ok(GoalResult {
            x: sgn * t_lo,
            value: v_lo,
            miss_x: f64::NAN,
            miss_value: f64::NAN,
            evaluations: 1,
        });
    }
    let v_hi = eval(t_hi)?;
    if v_hi < target {
        let (best_x, best_value) = if v_hi >= v_lo {
            (sgn * t_hi, v_hi)
        } else {
            (sgn * t_lo, v_lo)
        };
        return Err(AnalysisError::TargetUnreachable {
            lo,
            hi,
            target,
            best_x,
            best_value,
        });
    }
    // Invariant: g(a) < target <= g(b), a < b.
    let (mut a, mut b) = (t_lo, t_hi);
    let (mut ha, mut hb) = (v_lo - target, v_hi - target);
    let (mut va, mut vb) = (v_lo, v_hi);
    let mut last_side = 0i8;
    let mut width_before = [b - a, b - a];
    for _ in 0..max_iter {
        if b - a <= tol {
            return Ok(GoalResult {
                x: sgn * b,
                value: vb,
                miss_x: sgn * a,
                miss_value: va,
                evaluations: evals,
            });
        }
        let w = b - a;
        let mut t = if hb.is_finite() && ha.is_finite() && hb > ha {
            (a * hb - b * ha) / (hb - ha)
        } else {
            a + 0.5 * w
        };
        if !(t > a && t < b) || w > 0.5 * width_before[0] {
            t = a + 0.5 * w;
        }
        let margin = 0.5 * tol.min(0.5 * w);
        t = t.clamp(a + margin, b - margin);
        width_before = [width_before[1], w];
        let v = eval(t)?;
        let h = v - target;
        if v >= target {
            b = t;
            hb = h;
            vb = v;
            if last_side == 1 {
                ha *= 0.5; // Illinois: halve the stale end's weight
            }
            last_side = 1;
        } else {
            a = t;
            ha = h;
            va = v;
            if last_side == -1 {
                hb *= 0.5;
            }
            last_side = -1;
        }
    }
    if b - a <= tol {
        return Ok(GoalResult {
            x: sgn * b,
            value: vb,
            miss_x: sgn * a,
            miss_value: va,
            evaluations: evals,
        });
    }
    Err(AnalysisError::NoConvergence {
        iterations: max_iter,
        x: sgn * b,
        fx: vb - target,
    })
}
