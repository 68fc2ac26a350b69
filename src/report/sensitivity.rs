//! The reports of `drgsim sensitivity`: `tornado.csv` (stable English
//! columns), `sobol.csv` with `--global`, `sensitivity.md`, one tornado chart
//! per fund, `report.xlsx` and `report.html`, every label in the report's
//! language and amounts in its unit.

use super::ReportError;
use super::chart::{self, Tornado, TornadoRow};
use super::labels::{Key, Style, fill};
use super::lever::{csv_for_fund, fund_heading, month_title, setting, sheet, year_cell};
use super::markdown::{fmt_num, table};
use super::params::param_label;
use super::projection::csv_num;
use crate::analysis::runs::{self, OneWay, Outcome};
use crate::analysis::sobol::SobolResult;
use crate::projection::Model;
use std::fmt::Write as _;
use std::path::Path;

/// Columns of `tornado.csv`.
pub const TORNADO_COLUMNS: &[&str] = &[
    "fund",
    "rank",
    "param",
    "low",
    "high",
    "default",
    "outcome_year",
    "ranked_by",
    "swing_ranked",
    "months_base",
    "months_low",
    "months_high",
    "swing_months",
    "first_warning_base",
    "first_warning_low",
    "first_warning_high",
    "depletion_base",
    "depletion_low",
    "depletion_high",
    "cumulative_surplus_base_wan",
    "cumulative_surplus_low_wan",
    "cumulative_surplus_high_wan",
];

/// Columns of `sobol.csv`.
pub const SOBOL_COLUMNS: &[&str] = &[
    "fund",
    "param",
    "first_order",
    "first_order_se",
    "total",
    "total_se",
];

/// A built-in parameter left out of the tornado because its default range
/// makes the scenario invalid.
#[derive(Clone, Debug, PartialEq)]
pub struct LeftOut {
    /// The parameter path.
    pub path: String,
    /// The setting (low or high end of the default range) at which the
    /// scenario stops being valid.
    pub at: f64,
    /// Why (the scenario validator's message, in English as the validator
    /// gives it; the report words around it follow `--lang`).
    pub why: String,
}

/// The Sobol' part of a sensitivity report (`--global`).
pub struct Global<'a> {
    /// Indices per fund.
    pub results: &'a [SobolResult],
    /// The uncertain parameters' paths, in the indices' order.
    pub paths: &'a [String],
    /// Base sample size.
    pub samples: usize,
}

/// `tornado.csv`: one row per fund and parameter, ranked on the bounded
/// outcome it names (`ranked_by`, `swing_ranked`).
pub fn tornado_csv(model: &Model, ow: &OneWay, year: i32) -> String {
    let mut csv = TORNADO_COLUMNS.join(",") + "\n";
    for (f, fm) in model.funds.iter().enumerate() {
        let base: &Outcome = &ow.base[f];
        for (rank, &i) in ow.ranked(model, f).iter().enumerate() {
            let (e, lo, hi) = &ow.rows[i];
            let (lo, hi) = (&lo[f], &hi[f]);
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{},{year},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                fm.id,
                rank + 1,
                e.lever.path,
                e.low,
                e.high,
                e.default,
                runs::RANKED_BY,
                csv_num(runs::ranking_swing(lo, hi), 4),
                csv_num(base.months, 4),
                csv_num(lo.months, 4),
                csv_num(hi.months, 4),
                csv_num((hi.months - lo.months).abs(), 4),
                year_cell(base.first_warning),
                year_cell(lo.first_warning),
                year_cell(hi.first_warning),
                year_cell(base.depletion),
                year_cell(lo.depletion),
                year_cell(hi.depletion),
                csv_num(base.cumulative_surplus_wan, 1),
                csv_num(lo.cumulative_surplus_wan, 1),
                csv_num(hi.cumulative_surplus_wan, 1),
            );
        }
    }
    csv
}

/// `sobol.csv`: one row per fund and uncertain parameter, by total index.
pub fn sobol_csv(model: &Model, g: &Global) -> String {
    let mut csv = SOBOL_COLUMNS.join(",") + "\n";
    for (f, s) in g.results.iter().enumerate() {
        for i in total_order(s) {
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{}",
                model.funds[f].id,
                g.paths[i],
                csv_num(s.first[i], 4),
                csv_num(s.first_se[i], 4),
                csv_num(s.total[i], 4),
                csv_num(s.total_se[i], 4)
            );
        }
    }
    csv
}

/// Parameter indices by decreasing total index.
fn total_order(s: &SobolResult) -> Vec<usize> {
    let mut order: Vec<usize> = (0..s.total.len()).collect();
    order.sort_by(|&i, &j| s.total[j].total_cmp(&s.total[i]));
    order
}

/// `sensitivity.md` in the report's language: per fund the base case and the
/// ranked table, then the notes and (with `--global`) the Sobol' indices.
pub fn markdown(
    model: &Model,
    ow: &OneWay,
    year: i32,
    notes: &[LeftOut],
    global: Option<&Global>,
    style: Style,
) -> String {
    let t = |k| style.t(k);
    let mut md = format!(
        "# {}\n\n{}\n\n",
        fill(
            t(Key::SensitivityTitle),
            super::labels::scenario_name(model, style.lang)
        ),
        fill(t(Key::SensitivityIntro), year)
    );
    let headers = [
        t(Key::Rank).to_string(),
        t(Key::Parameter).to_string(),
        t(Key::Low).to_string(),
        t(Key::High).to_string(),
        fill(t(Key::MonthsAtLow), year),
        fill(t(Key::MonthsAtHigh), year),
        t(Key::Swing).to_string(),
        t(Key::WarningLowHigh).to_string(),
        t(Key::DepletionLowHigh).to_string(),
        style.money_label(t(Key::SurplusLowHigh)),
    ];
    let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
    for (f, fm) in model.funds.iter().enumerate() {
        let base = &ow.base[f];
        let mut rows = Vec::new();
        for (rank, &i) in ow.ranked(model, f).iter().enumerate() {
            let (e, lo, hi) = &ow.rows[i];
            let (lo, hi) = (&lo[f], &hi[f]);
            rows.push(vec![
                (rank + 1).to_string(),
                param_label(&e.lever.path, style.lang),
                setting(&e.lever, e.low),
                setting(&e.lever, e.high),
                style.months(lo.months),
                style.months(hi.months),
                fmt_num(runs::ranking_swing(lo, hi), 1),
                format!(
                    "{} / {}",
                    style.year_or_never(lo.first_warning),
                    style.year_or_never(hi.first_warning)
                ),
                format!(
                    "{} / {}",
                    style.year_or_never(lo.depletion),
                    style.year_or_never(hi.depletion)
                ),
                format!(
                    "{} / {}",
                    style.money(lo.cumulative_surplus_wan),
                    style.money(hi.cumulative_surplus_wan)
                ),
            ]);
        }
        md.push_str(&fund_heading(model, fm, style));
        let base_line = [
            year.to_string(),
            style.months(base.months),
            style.year_or_never(base.first_warning),
            style.year_or_never(base.depletion),
            format!(
                "{} {}",
                style.money(base.cumulative_surplus_wan),
                style.unit.name(style.lang)
            ),
        ]
        .iter()
        .fold(t(Key::BaseCase).to_string(), |s, v| fill(&s, v));
        let _ = write!(md, "{base_line}\n\n");
        md.push_str(&table(&hdr, &rows));
        let _ = writeln!(md, "\n![tornado](tornado_{}.svg)\n", fm.id);
    }
    if !notes.is_empty() {
        let _ = write!(md, "### {}\n\n", t(Key::Notes));
        for n in notes {
            let what = [
                param_label(&n.path, style.lang),
                fmt_num(n.at, 4),
                n.why.clone(),
            ]
            .iter()
            .fold(t(Key::LeftOut).to_string(), |a, v| fill(&a, v));
            let _ = writeln!(md, "- {what}");
        }
        md.push('\n');
    }
    if let Some(g) = global {
        let runs = g.results.first().map_or(0, |s| s.n_evals);
        let intro = [year.to_string(), g.samples.to_string(), runs.to_string()]
            .iter()
            .fold(t(Key::SobolIntro).to_string(), |s, v| fill(&s, v));
        let _ = write!(md, "# {}\n\n{intro}\n\n", t(Key::SobolTitle));
        for (f, s) in g.results.iter().enumerate() {
            let fm = &model.funds[f];
            let rows: Vec<Vec<String>> = total_order(s)
                .into_iter()
                .map(|i| {
                    vec![
                        param_label(&g.paths[i], style.lang),
                        format!("{} ± {}", fmt_num(s.first[i], 3), fmt_num(s.first_se[i], 3)),
                        format!("{} ± {}", fmt_num(s.total[i], 3), fmt_num(s.total_se[i], 3)),
                    ]
                })
                .collect();
            md.push_str(&fund_heading(model, fm, style));
            let sd = fill(
                &fill(t(Key::SobolMeanSd), fmt_num(s.mean, 1)),
                fmt_num(s.variance.sqrt(), 1),
            );
            let _ = write!(md, "{sd}\n\n");
            md.push_str(&table(
                &[t(Key::Parameter), t(Key::FirstOrder), t(Key::TotalEffect)],
                &rows,
            ));
            md.push('\n');
        }
    }
    md
}

/// The outcome a tornado chart draws: months payable in the outcome year
/// clipped at the depletion line (what `tornado.csv` ranks on), or, where the
/// fund is depleted in the base case and at every setting (all bars would be
/// 0), the depletion year (the ranking's tie-break; never depleted within the
/// horizon counts as the year after it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TornadoOutcome {
    /// Months payable clipped at 0 ([`runs::bounded_months`]).
    ClippedMonths,
    /// Depletion year ([`runs::depletion_swing`]'s year).
    DepletionYear,
}

/// The tornado of fund `f` as drawn: the outcome shown and the chart's data,
/// `None` when the base case is not a number or no parameter moves the fund.
pub fn tornado_spec(
    model: &Model,
    ow: &OneWay,
    f: usize,
    year: i32,
    style: Style,
) -> Option<(TornadoOutcome, Tornado)> {
    let fm = &model.funds[f];
    let ranked = ow.ranked(model, f);
    let clipped = |o: &Outcome| runs::bounded_months(o);
    let all_zero = clipped(&ow.base[f]) == 0.0
        && ranked.iter().all(|&i| {
            let (_, lo, hi) = &ow.rows[i];
            clipped(&lo[f]) == 0.0 && clipped(&hi[f]) == 0.0
        });
    let horizon = model.years.horizon;
    let dep = |o: &Outcome| f64::from(o.depletion.unwrap_or(horizon + 1));
    let (kind, value): (TornadoOutcome, &dyn Fn(&Outcome) -> f64) = if all_zero {
        (TornadoOutcome::DepletionYear, &dep)
    } else {
        (TornadoOutcome::ClippedMonths, &clipped)
    };
    let base = value(&ow.base[f]);
    let rows: Vec<TornadoRow> = ranked
        .into_iter()
        .map(|i| {
            let (e, lo, hi) = &ow.rows[i];
            TornadoRow {
                label: param_label(&e.lever.path, style.lang),
                low_outcome: value(&lo[f]),
                high_outcome: value(&hi[f]),
                low_setting: setting(&e.lever, e.low),
                high_setting: setting(&e.lever, e.high),
            }
        })
        .collect();
    if !base.is_finite() || rows.is_empty() {
        return None;
    }
    let (title, x_label, extra) = match kind {
        TornadoOutcome::ClippedMonths => (
            month_title(model, fm, year, style),
            fill(style.t(Key::TornadoAxis), year),
            style.t(Key::DepletionLine),
        ),
        TornadoOutcome::DepletionYear => (
            fill(
                style.t(Key::DepletionTitle),
                super::lever::fund_name(model, fm, style),
            ),
            fill(style.t(Key::TornadoDepletionAxis), horizon + 1),
            "",
        ),
    };
    let mut legend = vec![
        style.t(Key::BaseLegend).to_string(),
        style.t(Key::LowLegend).to_string(),
        style.t(Key::HighLegend).to_string(),
    ];
    if !extra.is_empty() {
        legend.push(extra.to_string());
    }
    Some((
        kind,
        Tornado {
            title,
            x_label,
            base_outcome: base,
            rows,
            legend,
        },
    ))
}

/// The tornado chart of fund `f`, if its base case is finite.
fn tornado_chart(
    dir: &Path,
    model: &Model,
    ow: &OneWay,
    f: usize,
    year: i32,
    style: Style,
) -> Result<(), ReportError> {
    match tornado_spec(model, ow, f, year, style) {
        Some((_, t)) => chart::tornado(&dir.join(format!("tornado_{}", model.funds[f].id)), &t),
        None => Ok(()),
    }
}

/// Writes every file of a sensitivity report into `dir` (an output folder
/// not yet committed).
pub fn write(
    dir: &Path,
    model: &Model,
    ow: &OneWay,
    year: i32,
    notes: &[LeftOut],
    global: Option<&Global>,
    style: Style,
) -> Result<(), ReportError> {
    for f in 0..model.funds.len() {
        tornado_chart(dir, model, ow, f, year, style)?;
    }
    let tornado = tornado_csv(model, ow, year);
    super::finite::write_table(&dir.join("tornado.csv"), &tornado)?;
    // One tornado sheet per fund, each with its own bar chart.
    let mut tables: Vec<(String, String)> = model
        .funds
        .iter()
        .map(|fm| {
            (
                sheet(style, Key::SheetTornado, Some(&fm.id)),
                csv_for_fund(&tornado, &fm.id),
            )
        })
        .collect();
    if let Some(g) = global {
        let sobol = sobol_csv(model, g);
        super::finite::write_table(&dir.join("sobol.csv"), &sobol)?;
        tables.push((sheet(style, Key::SheetSobol, None), sobol));
    }
    let md = markdown(model, ow, year, notes, global, style);
    super::finite::write_table(&dir.join("sensitivity.md"), &md)?;
    super::workbook::write_command_reports(
        dir,
        style,
        &super::labels::scenario_name(model, style.lang),
        Some(model),
        &tables,
        &md,
    )
}
