//! The safety net under every report: figures that are not finite, or too
//! large for any fund, are an error naming the fund, year and column, never a
//! file with `inf` or a 309-digit number; chart axes are computed from finite,
//! bounded data so drawing always ends.
//!
//! The allowed range of each input parameter is the scenario's business; this
//! module only checks what comes out of a projection.

use crate::fund::YearRow;
use crate::projection::Projection;

/// Largest magnitude a reported figure may have: 10^15 (in 万元 that is
/// 10^19 yuan, some hundred times the world's yearly output; in persons or
/// cases, over 10^5 times the world's population). Anything larger comes from
/// an input that cannot be meant, and cannot be drawn on an axis either.
pub const MAX_ABS: f64 = 1e15;

/// A projected figure that cannot be reported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "fund {fund}, year {year}, column {column}: {value} {why}; the projection cannot be reported. Check the inputs that feed it (the scenario's amounts, growth rates and --set values){more}"
)]
pub struct BadFigure {
    /// Fund id.
    pub fund: String,
    /// Calendar year.
    pub year: i32,
    /// Column of `projection.csv`.
    pub column: &'static str,
    /// The value.
    pub value: f64,
    /// What is wrong with it.
    pub why: &'static str,
    /// How many further figures are bad, as text ("" when none).
    pub more: String,
}

/// Columns that may legitimately be empty (NaN) or infinite, and when.
///
/// * ratios with a zero denominator are left empty (NaN): shares of no members,
///   the base rate of a fund paid fee for service,
///   CMI and settlement ratio with no cases, point value under a fixed rate;
/// * `months_payable` is ±inf when pooled spending is exactly 0;
/// * `active_retired_ratio` is +inf when there are no retirees.
fn allowed(column: &str, value: f64, row: &YearRow) -> bool {
    let ratio = matches!(
        column,
        "members_60plus_share"
            | "members_under20_share"
            | "active_retired_ratio"
            | "surplus_rate"
            | "cmi"
            | "point_value"
            | "settlement_ratio"
            | "settlement_ratio_full_cost"
            | "spending_per_member_yuan"
            | "base_rate"
            // empty when the fund has no budget rule
            | "budget_wan"
    );
    if value.is_nan() {
        return ratio;
    }
    match column {
        "months_payable" => row.pooled_expenditure_wan == 0.0,
        "active_retired_ratio" => row.retirees == 0.0 && value > 0.0,
        _ => false,
    }
}

/// Check every figure of `projection`: finite (or empty/infinite where the
/// column allows it, see above) and within ±[`MAX_ABS`]. The first bad figure
/// (in fund, year, column order) is reported, with a count of the others.
pub fn check_projection(projection: &Projection) -> Result<(), BadFigure> {
    let mut first: Option<BadFigure> = None;
    let mut others = 0usize;
    for f in &projection.funds {
        for r in &f.rows {
            for (&column, value) in YearRow::NUMERIC_COLUMNS.iter().zip(r.numbers()) {
                let why = if value.is_finite() {
                    if value.abs() <= MAX_ABS {
                        continue;
                    }
                    "is beyond any fund's scale (the limit is 1e15)"
                } else if allowed(column, value, r) {
                    continue;
                } else if value.is_nan() {
                    "is not a number (an amount overflowed)"
                } else {
                    "is infinite (an amount overflowed)"
                };
                if first.is_none() {
                    first = Some(BadFigure {
                        fund: f.id.clone(),
                        year: r.year,
                        column,
                        value,
                        why,
                        more: String::new(),
                    });
                } else {
                    others += 1;
                }
            }
        }
    }
    match first {
        None => Ok(()),
        Some(mut b) => {
            if others > 0 {
                b.more = format!(" ({others} more figure(s) are out of range too)");
            }
            Err(b)
        }
    }
}

/// Axis range over `values` (optionally including 0), padded by 5 %: always
/// finite with `lo < hi`, whatever the data. Values that are not finite or
/// beyond ±[`MAX_ABS`] are left out (the chart draws them as gaps), so the
/// plotting library never sees an overflowing range.
pub fn axis_range(values: impl Iterator<Item = f64>, include_zero: bool) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values.filter(|v| v.is_finite() && v.abs() <= MAX_ABS) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(lo.abs()).max(1.0) {
        let d = (hi.abs() * 0.1).max(1.0);
        return (lo - d, hi + d);
    }
    let pad = (hi - lo) * 0.05;
    let lo = if lo == 0.0 { 0.0 } else { lo - pad };
    (lo, hi + pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_range_is_finite_for_any_data() {
        for data in [
            vec![],
            vec![f64::NAN],
            vec![1e308, -1e308],
            vec![f64::MAX, f64::INFINITY],
            vec![5.0, 5.0],
            vec![1.0, 2.0, 1e300],
        ] {
            let (lo, hi) = axis_range(data.iter().copied(), true);
            assert!(lo.is_finite() && hi.is_finite() && lo < hi, "{data:?}");
            assert!(hi - lo <= 3.0 * MAX_ABS, "{data:?}");
        }
        assert_eq!(axis_range([0.0, 10.0].into_iter(), true), (0.0, 10.5));
    }
}
