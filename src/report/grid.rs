//! The reports of `drgsim grid`: `grid.csv` (long format, stable English
//! columns), `grid.md` (one table per fund, rows the first parameter, columns
//! the second), one heat map per fund, `report.xlsx` and `report.html`.

use super::ReportError;
use super::chart::{self, Heatmap};
use super::labels::{Key, Style, fill, scenario_name};
use super::lever::{fund_heading, month_title, setting, sheet};
use super::params::param_label;
use super::projection::csv_num;
use crate::analysis::levers::Lever;
use crate::analysis::runs::TwoWay;
use crate::projection::Model;
use std::fmt::Write as _;
use std::path::Path;

/// Columns of `grid.csv`.
pub const GRID_COLUMNS: &[&str] = &[
    "fund",
    "year",
    "x_param",
    "x",
    "y_param",
    "y",
    "months_payable",
];

/// A two-way table with its two parameters and the outcome year.
pub struct Grid<'a> {
    /// Row parameter.
    pub x: &'a Lever,
    /// Column parameter.
    pub y: &'a Lever,
    /// Months payable over the grid.
    pub table: &'a TwoWay,
    /// Year whose months payable is tabulated.
    pub year: i32,
}

/// `grid.csv`: one row per fund and grid point.
pub fn grid_csv(model: &Model, g: &Grid) -> String {
    let mut csv = GRID_COLUMNS.join(",") + "\n";
    let ny = g.table.ys.len();
    for (f, fm) in model.funds.iter().enumerate() {
        let m = &g.table.months[f];
        for (ix, x) in g.table.xs.iter().enumerate() {
            for (iy, y) in g.table.ys.iter().enumerate() {
                let _ = writeln!(
                    csv,
                    "{},{},{},{x},{},{y},{}",
                    fm.id,
                    g.year,
                    g.x.path,
                    g.y.path,
                    csv_num(m[ix * ny + iy], 4)
                );
            }
        }
    }
    csv
}

/// `grid.md` in the report's language; months below zero read `0.0（穿底）`.
pub fn markdown(model: &Model, g: &Grid, style: Style) -> String {
    let (xl, yl) = (
        param_label(&g.x.path, style.lang),
        param_label(&g.y.path, style.lang),
    );
    let intro = [
        g.year.to_string(),
        xl.clone(),
        yl.clone(),
        model.thresholds.warning.to_string(),
        model.thresholds.danger.to_string(),
    ]
    .iter()
    .fold(style.t(Key::GridIntro).to_string(), |s, v| fill(&s, v));
    let mut md = format!(
        "# {}\n\n{intro}\n\n",
        fill(style.t(Key::GridTitle), scenario_name(model, style.lang))
    );
    let ny = g.table.ys.len();
    let mut headers = vec![format!("{xl} \\ {yl}")];
    headers.extend(g.table.ys.iter().map(|y| setting(g.y, *y)));
    let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
    for (f, fm) in model.funds.iter().enumerate() {
        let m = &g.table.months[f];
        let rows: Vec<Vec<String>> = g
            .table
            .xs
            .iter()
            .enumerate()
            .map(|(ix, x)| {
                std::iter::once(setting(g.x, *x))
                    .chain((0..ny).map(|iy| style.months(m[ix * ny + iy])))
                    .collect()
            })
            .collect();
        md.push_str(&fund_heading(model, fm, style));
        md.push_str(&super::markdown::table(&hdr, &rows));
        let _ = writeln!(md, "\n![heatmap](heatmap_{}.svg)\n", fm.id);
    }
    md
}

/// Writes every file of a grid report into `dir`.
pub fn write(dir: &Path, model: &Model, g: &Grid, style: Style) -> Result<(), ReportError> {
    let ny = g.table.ys.len();
    for (f, fm) in model.funds.iter().enumerate() {
        let m = &g.table.months[f];
        let contour = |v: f64| (v, format!("{v} {}", style.t(Key::MonthsUnit)));
        chart::heatmap(
            &dir.join(format!("heatmap_{}", fm.id)),
            &Heatmap {
                title: month_title(model, fm, g.year, style),
                x_label: param_label(&g.x.path, style.lang),
                y_label: param_label(&g.y.path, style.lang),
                xs: g.table.xs.clone(),
                ys: g.table.ys.clone(),
                z: (0..ny)
                    .map(|iy| (0..g.table.xs.len()).map(|ix| m[ix * ny + iy]).collect())
                    .collect(),
                contours: vec![
                    contour(model.thresholds.warning),
                    contour(model.thresholds.danger),
                ],
                z_label: style.t(Key::MonthsPayable).into(),
            },
        )?;
    }
    let csv = grid_csv(model, g);
    super::finite::write_table(&dir.join("grid.csv"), &csv)?;
    let md = markdown(model, g, style);
    super::finite::write_table(&dir.join("grid.md"), &md)?;
    super::workbook::write_command_reports(
        dir,
        style,
        &scenario_name(model, style.lang),
        Some(model),
        &[(sheet(style, Key::SheetGrid, None), csv)],
        &md,
    )
}
