//! The years a goal seek holds its target in ([`Window`]); apart from the
//! goal seek (`solve`) so that `runs` and `solve` need not import each other.

use super::error::{Result, bail, err};
use crate::projection::Model;

/// Years (as indices into the projection) in which the target must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// First year index.
    pub from: usize,
    /// Last year index (inclusive).
    pub through: usize,
}

impl Window {
    /// One year.
    pub fn year(t: usize) -> Window {
        Window {
            from: t,
            through: t,
        }
    }

    /// Every year after the base year through the horizon (the whole
    /// projection when it has one year).
    pub fn after_base(model: &Model) -> Window {
        let n = model.years.len();
        Window {
            from: usize::from(n > 1),
            through: n.saturating_sub(1),
        }
    }

    /// The window `from..=through` in calendar years, checked against the
    /// projection; either end left out: the year after the base year, the horizon.
    pub fn of_years(model: &Model, from: Option<i32>, through: Option<i32>) -> Result<Window> {
        let y = model.years;
        let idx = |year: i32, flag: &str| {
            y.index(year).ok_or_else(|| {
                err!(
                    "{flag} {year} is outside the projection {}..={}",
                    y.base_year,
                    y.horizon
                )
            })
        };
        let d = Window::after_base(model);
        let from = match from {
            Some(v) => idx(v, "--from-year")?,
            None => d.from,
        };
        let through = match through {
            Some(v) => idx(v, "--through-year")?,
            None => d.through,
        };
        if from > through {
            bail!(
                "--from-year {} is after --through-year {}",
                y.year(from),
                y.year(through)
            );
        }
        Ok(Window { from, through })
    }

    /// `2024..=2035` or `2030`.
    pub fn describe(&self, model: &Model) -> String {
        let (a, b) = (model.years.year(self.from), model.years.year(self.through));
        if a == b {
            format!("in {a}")
        } else {
            format!("every year {a}..={b}")
        }
    }
}
