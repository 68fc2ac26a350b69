//! What a budget director asks of a goal seek: a window of years in which the
//! target must hold, levers that leave the published (observed) years as
//! published, and an answer rounded the way a notice prints it.
//!
//! - **Window** ([`Window`]): the runway measure is the lowest months payable
//!   over the years `from..=through`, so the answer meets the target in every
//!   year of the window ([`super::runs::runway_measure`]).
//! - **Observed years** ([`default_move_from`]): a year with a
//!   `[funds.<id>.history.YEAR]` section is a year of record; by default the
//!   lever moves only the years after the last one (never before the base
//!   year), so the base year's published accounts stay reproduced.
//! - **Rounding** ([`notice_grain`], [`round_for_notice`]): premiums and
//!   subsidies in whole yuan, rates and shares to 0.1 percentage point, a
//!   scaling factor to 0.1 %, amounts in 万元 to 0.01万, base rates and point
//!   values to 0.01 yuan. The exact answer is rounded *towards feasibility*
//!   (up when the runway rises with the lever, down when it falls) and checked
//!   again; should the rounded value still miss (a non-monotone runway), the
//!   next grain is taken, and failing that the exact value is kept.

use super::error::Result;
use super::levers::{Lever, Part};
use super::runs::{SolveSpec, Solved, solve_outcome};
use crate::projection::Model;
use crate::scenario::Param;
use crate::scenario::registry::{self, Unit};

pub use super::window::Window;

/// The last year of record (`history`) of fund `fund` (of any fund when `None`).
pub fn last_observed(model: &Model, fund: Option<&str>) -> Option<i32> {
    model
        .spec
        .funds
        .iter()
        .filter(|(id, _)| fund.is_none_or(|f| f == id.as_str()))
        .filter_map(|(_, f)| f.history.keys().next_back().copied())
        .max()
}

/// The first year a lever moves by default: the year after the last year of
/// record of its fund, never before the base year nor after the horizon.
pub fn default_move_from(model: &Model, fund: Option<&str>) -> i32 {
    let y = model.years;
    last_observed(model, fund)
        .map_or(y.base_year, |o| o.saturating_add(1))
        .clamp(y.base_year, y.horizon)
}

/// The grain a notice prints a lever's value in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grain {
    /// Step, in the lever's own units.
    pub step: f64,
    /// In words (`yuan`, `0.1 percentage point`, `0.1 %`).
    pub text: &'static str,
}

const PP: Grain = Grain {
    step: 0.001,
    text: "0.1 percentage point",
};

/// The notice grain of `lever` (module docs): by what the lever's value is.
/// A `.scale` is a factor (0.1 %); a `.shift` of a growth form, `.growth` and
/// `.growth_after` are yearly rates (0.1 pp); otherwise the parameter's unit.
pub fn notice_grain(lever: &Lever) -> Grain {
    let unit = registry::lookup(lever.param_path()).map(|d| d.unit);
    let growth_shift = matches!(
        (lever.part(), lever.definition()),
        (Some(Part::Shift), Some(Param::Growth { .. }))
    );
    match lever.part() {
        Some(Part::Scale) => Grain {
            step: 0.001,
            text: "0.1 %",
        },
        Some(Part::Growth | Part::GrowthAfter) => PP,
        _ if growth_shift => PP,
        _ => match unit {
            Some(Unit::Yuan) => Grain {
                step: 1.0,
                text: "yuan",
            },
            Some(Unit::Wan) => Grain {
                step: 0.01,
                text: "0.01万元",
            },
            Some(Unit::YuanPerPoint) => Grain {
                step: 0.01,
                text: "0.01 yuan",
            },
            Some(Unit::Persons) => Grain {
                step: 1.0,
                text: "person",
            },
            Some(Unit::Months | Unit::CalendarMonths) => Grain {
                step: 0.1,
                text: "0.1 month",
            },
            Some(Unit::Share | Unit::Rate | Unit::Change) => PP,
            Some(Unit::Factor) | None => Grain {
                step: 0.001,
                text: "0.001",
            },
        },
    }
}

/// `x` rounded to a multiple of `step`, up or down. The quotient is rounded to
/// 9 digits first so that an exact multiple (`380.0000000001`) stays itself.
fn round_dir(x: f64, step: f64, up: bool) -> f64 {
    let q = x / step;
    let q9 = (q * 1e9).round() / 1e9;
    let k = if up { q9.ceil() } else { q9.floor() };
    // Printing the multiple in decimal removes the `0.30000000000000004` tails.
    let v = k * step;
    let digits = (-step.log10()).ceil().max(0.0) as usize;
    format!("{v:.digits$}").parse().unwrap_or(v)
}

/// Rounds the answer `s` of `spec` to its `notice_grain` towards
/// feasibility and checks the rounded value still meets the target (module
/// docs). A value outside the parameter's allowed range is not taken. The
/// answer returned has `value` and `achieved` rounded, the exact ones in
/// `value_exact` and `achieved_exact`, and `rounded_to` NaN when no rounded
/// value met the target (then `value` is the exact one).
pub fn round_for_notice(model: &Model, spec: &SolveSpec, s: &Solved) -> Result<Solved> {
    let g = notice_grain(&spec.lever);
    let allowed = |x: f64| {
        spec.lever.part() != Some(Part::Whole)
            || registry::lookup(spec.lever.param_path()).is_none_or(|d| d.allows(x))
    };
    let first = round_dir(s.value, g.step, s.increasing);
    let sign = if s.increasing { 1.0 } else { -1.0 };
    let exact = Solved {
        value_exact: s.value,
        achieved_exact: s.achieved,
        rounded_to_text: g.text,
        ..s.clone()
    };
    for k in 0..3 {
        let x = round_dir(first + sign * k as f64 * g.step, g.step, s.increasing);
        if !allowed(x) {
            break;
        }
        let achieved = solve_outcome(model, spec, x)?;
        if achieved >= spec.target_months {
            return Ok(Solved {
                value: x,
                achieved,
                rounded_to: g.step,
                ..exact
            });
        }
    }
    Ok(Solved {
        rounded_to: f64::NAN,
        ..exact
    })
}

#[cfg(test)]
mod tests {
    use super::round_dir;

    #[test]
    fn rounds_towards_the_side_asked_and_keeps_exact_multiples() {
        assert_eq!(round_dir(402.3, 1.0, true), 403.0);
        assert_eq!(round_dir(402.3, 1.0, false), 402.0);
        assert_eq!(round_dir(380.000_000_000_1, 1.0, true), 380.0);
        assert_eq!(round_dir(0.123_41, 0.001, true), 0.124);
        assert_eq!(round_dir(0.123_41, 0.001, false), 0.123);
        assert_eq!(round_dir(1.049_2, 0.001, true), 1.05);
        assert_eq!(round_dir(-0.012_1, 0.001, true), -0.012);
        assert_eq!(round_dir(-0.012_1, 0.001, false), -0.013);
    }
}
