//! Two-way sensitivity tables.

use rayon::prelude::*;

use super::error::{Result, invalid};

/// An evenly spaced axis `linspace(lo, hi, steps)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    /// First value.
    pub lo: f64,
    /// Last value.
    pub hi: f64,
    /// Number of points: `>= 2` with `lo < hi`, or `1` with `lo == hi`.
    pub steps: usize,
}

impl Axis {
    /// Creates an axis (validated by [`Axis::values`]).
    pub fn new(lo: f64, hi: f64, steps: usize) -> Axis {
        Axis { lo, hi, steps }
    }

    /// The points `lo + (hi - lo) i / (steps - 1)`, with the last point
    /// exactly `hi`. Errors name the axis (`name`) and the problem.
    pub fn values(&self, name: &'static str) -> Result<Vec<f64>> {
        let Axis { lo, hi, steps } = *self;
        if !lo.is_finite() || !hi.is_finite() {
            return Err(invalid(
                name,
                format!("lo ({lo}) and hi ({hi}) must be finite"),
            ));
        }
        if steps == 0 {
            return Err(invalid(name, "steps must be >= 1"));
        }
        if steps == 1 {
            if lo != hi {
                return Err(invalid(
                    name,
                    format!(
                        "one step needs lo == hi (got {lo} and {hi}); use steps >= 2 for a range"
                    ),
                ));
            }
            return Ok(vec![lo]);
        }
        if lo >= hi {
            return Err(invalid(
                name,
                format!(
                    "lo ({lo}) must be < hi ({hi}) when steps >= 2 (or use steps = 1 with lo == hi)"
                ),
            ));
        }
        let d = (steps - 1) as f64;
        Ok((0..steps)
            .map(|i| {
                if i + 1 == steps {
                    hi
                } else {
                    lo + (hi - lo) * (i as f64 / d)
                }
            })
            .collect())
    }
}

/// A two-way table from [`grid2`].
#[derive(Debug, Clone, PartialEq)]
pub struct Grid2<T> {
    /// x values (rows).
    pub xs: Vec<f64>,
    /// y values (columns).
    pub ys: Vec<f64>,
    /// Row-major values: `values[ix * ys.len() + iy] = f(xs[ix], ys[iy])`.
    pub values: Vec<T>,
}

impl<T> Grid2<T> {
    /// Value at row `ix`, column `iy` (None if out of range).
    pub fn get(&self, ix: usize, iy: usize) -> Option<&T> {
        if ix < self.xs.len() && iy < self.ys.len() {
            self.values.get(ix * self.ys.len() + iy)
        } else {
            None
        }
    }
}

/// Evaluates `f(x, y)` on the grid `x.values() x y.values()` in parallel.
/// The result is in row-major order and independent of the thread count.
pub fn grid2<T, F>(x: Axis, y: Axis, f: F) -> Result<Grid2<T>>
where
    T: Send,
    F: Fn(f64, f64) -> T + Sync,
{
    let xs = x.values("x")?;
    let ys = y.values("y")?;
    let ny = ys.len();
    let values = (0..xs.len() * ny)
        .into_par_iter()
        .map(|r| f(xs[r / ny], ys[r % ny]))
        .collect();
    Ok(Grid2 { xs, ys, values })
}
