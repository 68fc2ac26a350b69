//! One-way (tornado) sensitivity.

use rayon::prelude::*;

use super::error::{AnalysisError, Result, invalid};

/// One bar of a tornado chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoBar {
    /// Parameter name as given.
    pub name: String,
    /// Position of the parameter in the base vector.
    pub index: usize,
    /// Input value used for the low run.
    pub low_input: f64,
    /// Input value used for the high run.
    pub high_input: f64,
    /// Outcome with the parameter at `low_input`, all others at base.
    pub low_outcome: f64,
    /// Outcome with the parameter at `high_input`, all others at base.
    pub high_outcome: f64,
    /// `|high_outcome - low_outcome|` (NaN if either outcome is NaN).
    pub swing: f64,
}

/// Result of [`tornado`].
#[derive(Debug, Clone, PartialEq)]
pub struct Tornado {
    /// Outcome at the base vector.
    pub base_outcome: f64,
    /// Bars ranked by swing, largest first.
    pub bars: Vec<TornadoBar>,
}

/// One-way sensitivity: for each parameter `i` (entry `i` of `ranges` is
/// `(name, low, high)` for `base[i]`) evaluates `f` with `base[i]` replaced by
/// `low` and by `high`, all other parameters at base.
///
/// Bars are sorted by `swing = |f(high) - f(low)|` descending; the sort is
/// stable, so ties keep the input order and zero-swing parameters come last
/// (after them only NaN swings). The `2k + 1` evaluations run in parallel;
/// the result does not depend on thread count.
///
/// Errors: `ranges.len() != base.len()`, non-finite base or range values.
pub fn tornado<S, F>(base: &[f64], ranges: &[(S, f64, f64)], f: F) -> Result<Tornado>
where
    S: AsRef<str> + Sync,
    F: Fn(&[f64]) -> f64 + Sync,
{
    let outs = evaluate(base, ranges, |x| f(x))?;
    Ok(build(ranges, &outs))
}

/// As [`tornado`] for a model returning several outcomes at once
/// (`f(x)[m]` = outcome `m`): the `2k + 1` runs are shared and one
/// [`Tornado`] per outcome is returned, in outcome order.
///
/// Errors: as [`tornado`], plus runs returning different numbers of outcomes.
pub fn tornado_many<S, F>(base: &[f64], ranges: &[(S, f64, f64)], f: F) -> Result<Vec<Tornado>>
where
    S: AsRef<str> + Sync,
    F: Fn(&[f64]) -> Vec<f64> + Sync,
{
    let outs = evaluate(base, ranges, f)?;
    let m = outs[0].len();
    if let Some(bad) = outs.iter().find(|o| o.len() != m) {
        return Err(AnalysisError::DimensionMismatch {
            what: "tornado_many: outcomes per model run",
            expected: m,
            got: bad.len(),
        });
    }
    Ok((0..m)
        .map(|j| {
            let col: Vec<f64> = outs.iter().map(|o| o[j]).collect();
            build(ranges, &col)
        })
        .collect())
}

/// Runs the `2k + 1` evaluations: 0 = base, `1 + 2i` = low of `i`,
/// `2 + 2i` = high of `i`.
fn evaluate<S, T, F>(base: &[f64], ranges: &[(S, f64, f64)], f: F) -> Result<Vec<T>>
where
    S: AsRef<str> + Sync,
    T: Send,
    F: Fn(&[f64]) -> T + Sync,
{
    if ranges.len() != base.len() {
        return Err(AnalysisError::DimensionMismatch {
            what: "tornado: one (name, low, high) per base parameter",
            expected: base.len(),
            got: ranges.len(),
        });
    }
    if let Some(i) = base.iter().position(|v| !v.is_finite()) {
        return Err(invalid(
            "base",
            format!("parameter #{i} is {}, it must be finite", base[i]),
        ));
    }
    for (i, (name, lo, hi)) in ranges.iter().enumerate() {
        if !lo.is_finite() || !hi.is_finite() {
            return Err(invalid(
                "ranges",
                format!(
                    "`{}` (#{i}): low {lo} and high {hi} must be finite",
                    name.as_ref()
                ),
            ));
        }
    }
    let k = base.len();
    Ok((0..2 * k + 1)
        .into_par_iter()
        .map_init(
            || base.to_vec(),
            |x, e| {
                x.copy_from_slice(base);
                if e > 0 {
                    let i = (e - 1) / 2;
                    x[i] = if e % 2 == 1 { ranges[i].1 } else { ranges[i].2 };
                }
                f(x)
            },
        )
        .collect())
}

fn build<S: AsRef<str>>(ranges: &[(S, f64, f64)], outs: &[f64]) -> Tornado {
    let mut bars: Vec<TornadoBar> = ranges
        .iter()
        .enumerate()
        .map(|(i, (name, lo, hi))| {
            let (l, h) = (outs[1 + 2 * i], outs[2 + 2 * i]);
            TornadoBar {
                name: name.as_ref().to_string(),
                index: i,
                low_input: *lo,
                high_input: *hi,
                low_outcome: l,
                high_outcome: h,
                swing: (h - l).abs(),
            }
        })
        .collect();
    // Descending by swing, NaN last; stable.
    bars.sort_by(|a, b| match (a.swing.is_nan(), b.swing.is_nan()) {
        (false, false) => b.swing.total_cmp(&a.swing),
        (x, y) => x.cmp(&y),
    });
    Tornado {
        base_outcome: outs[0],
        bars,
    }
}
