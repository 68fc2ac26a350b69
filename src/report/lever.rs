//! How the analysis reports write a lever's setting, a year and a fund's
//! months-payable title (shared by sensitivity, grid, Monte Carlo and solve).

use super::labels::{self, Key, Style, fill};
use super::markdown::fmt_num;
use crate::analysis::levers::{Lever, Part};
use crate::projection::{FundModel, Model};

/// A lever setting as a person reads it: `x1.10` for a scaled path, `+1.0pp`
/// for a shifted share or rate (`+0.0100` for another shifted number), otherwise the value with sensible decimals.
pub fn setting(lever: &Lever, x: f64) -> String {
    if lever.part() == Some(Part::Scale) {
        return format!("x{x:.2}");
    }
    if lever.part() == Some(Part::Shift) {
        // a share or a rate moved by percentage points
        let points = crate::scenario::registry::lookup(lever.param_path()).is_some_and(|d| {
            use crate::scenario::registry::Unit;
            matches!(d.unit, Unit::Share | Unit::Rate | Unit::Change)
        });
        return if points {
            format!("{:+.1}pp", x * 100.0)
        } else {
            format!("{x:+.4}")
        };
    }
    let a = x.abs();
    if a >= 1000.0 {
        fmt_num(x, 0)
    } else if a >= 10.0 {
        fmt_num(x, 1)
    } else if a >= 0.1 {
        format!("{x:.3}")
    } else {
        format!("{x:.4}")
    }
}

/// A year for a CSV cell (empty for "never").
pub fn year_cell(y: Option<i32>) -> String {
    y.map(|y| y.to_string()).unwrap_or_default()
}

/// A fund's name in the report's language.
pub fn fund_name(model: &Model, fm: &FundModel, style: Style) -> String {
    labels::fund_name(model, &fm.id, &fm.name, fm.kind, style.lang)
}

/// "Fund: months payable in YEAR" in the report's language.
pub fn month_title(model: &Model, fm: &FundModel, year: i32, style: Style) -> String {
    fill(
        &fill(style.t(Key::MonthsInYear), fund_name(model, fm, style)),
        year,
    )
}

/// A fund's section heading: `## 城乡居民医保统筹基金 (`resident`)`.
pub fn fund_heading(model: &Model, fm: &FundModel, style: Style) -> String {
    format!("## {} (`{}`)\n\n", fund_name(model, fm, style), fm.id)
}

/// The rows of a CSV text whose `fund` column is `fund` (with the header):
/// one fund's table for a workbook sheet with its own chart.
pub fn csv_for_fund(csv: &str, fund: &str) -> String {
    let mut lines = csv.lines();
    let mut out = lines.next().map(|h| format!("{h}\n")).unwrap_or_default();
    for l in lines.filter(|l| l.split(',').next() == Some(fund)) {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// A workbook sheet name for `fund` under the sheet word `key`.
pub fn sheet(style: Style, key: Key, fund: Option<&str>) -> String {
    match fund {
        Some(f) => format!("{}_{f}", style.t(key)),
        None => style.t(key).to_string(),
    }
}
