//! The `run` report: `projection.csv`, `summary.md` and the charts, written into
//! an output directory that only appears once everything is written.

use super::ReportError;
use super::chart::{self, HBand, LineChart, Series, StackedArea, StackedBars};
use super::markdown::{fmt_num, table};
use crate::fund::runway::year_or_never;
use crate::fund::{RunwaySummary, YearRow};
use crate::population::BAND_LABELS;
use crate::projection::{Model, Projection};
use plotters::style::RGBColor;
use std::fmt::Write as _;
use std::path::Path;

/// Amber band: below the warning threshold.
pub const WARNING_COLOR: RGBColor = RGBColor(255, 200, 90);
/// Red band: below the danger threshold.
pub const DANGER_COLOR: RGBColor = RGBColor(235, 90, 80);

/// Decimals used for a CSV column.
fn decimals(column: &str) -> usize {
    if column.ends_with("_share")
        || column.ends_with("_rate")
        || column == "settlement_ratio"
        || column == "cmi"
    {
        6
    } else if column == "members"
        || column.ends_with("cases")
        || column == "active_workers"
        || column == "retirees"
    {
        1
    } else {
        4
    }
}

/// Formats a number for CSV: fixed decimals, empty for NaN.
pub fn csv_num(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        String::new()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else {
        format!("{x:.decimals$}")
    }
}

/// Writes `projection.csv`: one row per fund and year.
pub fn write_projection_csv(path: &Path, projection: &Projection) -> Result<(), ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["fund", "year"];
    header.extend_from_slice(YearRow::NUMERIC_COLUMNS);
    header.push("status");
    let io = |e: csv::Error| ReportError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    };
    w.write_record(&header).map_err(io)?;
    for f in &projection.funds {
        for r in &f.rows {
            let mut rec = vec![f.id.clone(), r.year.to_string()];
            for (c, v) in YearRow::NUMERIC_COLUMNS.iter().zip(r.numbers()) {
                rec.push(csv_num(v, decimals(c)));
            }
            rec.push(r.status.to_string());
            w.write_record(&rec).map_err(io)?;
        }
    }
    let bytes = w.into_inner().map_err(|e| ReportError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })?;
    super::atomic::write_atomic(path, &bytes)
}

/// The runway summary of every fund.
pub fn summaries(model: &Model, projection: &Projection) -> Vec<(String, RunwaySummary)> {
    projection
        .funds
        .iter()
        .filter_map(|f| RunwaySummary::of(&f.rows, &model.thresholds).map(|s| (f.name.clone(), s)))
        .collect()
}

/// Writes `summary.md`: the figures a committee asks for first, and the assumptions.
pub fn write_summary(
    path: &Path,
    model: &Model,
    projection: &Projection,
) -> Result<(), ReportError> {
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", model.name);
    if !model.description.is_empty() {
        let _ = writeln!(s, "{}\n", model.description);
    }
    let _ = writeln!(
        s,
        "Projection {}–{}; warning below {} months payable, danger below {} months. Amounts in 万元 (10,000 yuan).\n",
        model.years.base_year,
        model.years.horizon,
        model.thresholds.warning,
        model.thresholds.danger
    );
    let _ = writeln!(s, "{}\n", super::rules::view_line(model));
    let headers = [
        "fund",
        "balance base year",
        "months base year",
        "balance horizon",
        "months horizon",
        "first year < warning",
        "first year < danger",
        "depletion",
        "cumulative surplus",
    ];
    let rows: Vec<Vec<String>> = summaries(model, projection)
        .into_iter()
        .map(|(name, r)| {
            vec![
                name,
                fmt_num(r.base_balance_wan, 0),
                fmt_num(r.base_months, 1),
                fmt_num(r.horizon_balance_wan, 0),
                fmt_num(r.horizon_months, 1),
                year_or_never(r.first_warning),
                year_or_never(r.first_danger),
                year_or_never(r.depletion),
                fmt_num(r.cumulative_surplus_wan, 0),
            ]
        })
        .collect();
    s.push_str(&table(&headers, &rows));
    for f in &projection.funds {
        let (Some(first), Some(last)) = (f.rows.first(), f.rows.last()) else {
            continue;
        };
        let _ = writeln!(s, "\n## {}\n", f.name);
        let h = ["", &first.year.to_string(), &last.year.to_string()];
        let line = |label: &str, a: f64, b: f64, d: usize| {
            vec![label.to_string(), fmt_num(a, d), fmt_num(b, d)]
        };
        let mut rows = vec![
            line("members", first.members, last.members, 0),
            line(
                "members aged 60+ (%)",
                first.members_60plus_share * 100.0,
                last.members_60plus_share * 100.0,
                1,
            ),
            line("revenue (万元)", first.revenue_wan, last.revenue_wan, 0),
            line(
                "expenditure (万元)",
                first.expenditure_wan,
                last.expenditure_wan,
                0,
            ),
            line(
                "pooled expenditure (万元)",
                first.pooled_expenditure_wan,
                last.pooled_expenditure_wan,
                0,
            ),
            line(
                "surplus rate (%)",
                first.surplus_rate * 100.0,
                last.surplus_rate * 100.0,
                1,
            ),
            line("balance (万元)", first.balance_wan, last.balance_wan, 0),
            line(
                "months payable",
                first.months_payable,
                last.months_payable,
                1,
            ),
            line(
                "inpatient cases",
                first.inpatient_cases,
                last.inpatient_cases,
                0,
            ),
            line(
                "settlement ratio (%)",
                first.settlement_ratio * 100.0,
                last.settlement_ratio * 100.0,
                1,
            ),
        ];
        if first.retirees > 0.0 {
            rows.insert(
                2,
                line(
                    "active workers per retiree",
                    first.active_retired_ratio,
                    last.active_retired_ratio,
                    2,
                ),
            );
        }
        s.push_str(&table(&h, &rows));
        let _ = writeln!(s, "\nStatus at the horizon: **{}**.", last.status);
    }
    s.push_str(&super::history::summary_section(model, projection));
    s.push_str(&super::rules::summary_section(model, projection));
    s.push_str("\n## Main assumptions\n\n");
    for (id, p) in model.store.paths() {
        let (_, def) = model.store.def(id);
        let row = model.values().row(id);
        let (a, b) = (
            row.first().copied().unwrap_or(f64::NAN),
            row.last().copied().unwrap_or(f64::NAN),
        );
        if a == 0.0 && b == 0.0 {
            continue;
        }
        let form = match def {
            crate::scenario::Param::Const(_) => "constant".to_string(),
            crate::scenario::Param::Growth { .. } => "grows yearly".to_string(),
            crate::scenario::Param::Table { .. } => "dated table".to_string(),
        };
        let _ = writeln!(
            s,
            "- `{p}`: {} in {} → {} in {} ({form})",
            fmt_num(a, 4),
            model.years.base_year,
            fmt_num(b, 4),
            model.years.horizon
        );
    }
    if !model.spec.scenario.sources.is_empty() {
        s.push_str("\n## Sources\n\n");
        for src in &model.spec.scenario.sources {
            let _ = writeln!(s, "- {src}");
        }
    }
    let _ = writeln!(
        s,
        "\nScenario files: {}",
        model
            .raw
            .chain
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" ← ")
    );
    super::atomic::write_atomic(path, s.as_bytes())
}

/// The warning and danger bands of a months-payable chart.
pub fn runway_bands(model: &Model) -> Vec<HBand> {
    vec![
        HBand {
            lo: model.thresholds.danger,
            hi: model.thresholds.warning,
            label: format!("warning (< {} months)", model.thresholds.warning),
            color: WARNING_COLOR,
        },
        HBand {
            lo: f64::NEG_INFINITY,
            hi: model.thresholds.danger,
            label: format!("danger (< {} months)", model.thresholds.danger),
            color: DANGER_COLOR,
        },
    ]
}

fn series(label: &str, rows: &[YearRow], f: impl Fn(&YearRow) -> f64) -> Series {
    Series {
        label: label.to_string(),
        points: rows.iter().map(|r| (r.year, f(r))).collect(),
    }
}

/// Writes the run charts into `dir`, each as SVG and PNG.
pub fn write_charts(dir: &Path, model: &Model, projection: &Projection) -> Result<(), ReportError> {
    chart::line_chart(
        &dir.join("months_payable"),
        &LineChart {
            title: format!("{}: months payable", model.name),
            x_label: "year".into(),
            y_label: "months of pooled spending".into(),
            series: projection
                .funds
                .iter()
                .map(|f| series(&f.name, &f.rows, |r| r.months_payable))
                .collect(),
            bands: runway_bands(model),
            hlines: vec![(0.0, "depleted".into())],
        },
    )?;
    chart::line_chart(
        &dir.join("balance"),
        &LineChart {
            title: format!("{}: pooled-fund balance", model.name),
            x_label: "year".into(),
            y_label: "balance, 10,000 yuan".into(),
            series: projection
                .funds
                .iter()
                .map(|f| series(&f.name, &f.rows, |r| r.balance_wan))
                .collect(),
            bands: vec![],
            hlines: vec![(0.0, "depleted".into())],
        },
    )?;
    for f in &projection.funds {
        let years: Vec<i32> = f.rows.iter().map(|r| r.year).collect();
        let col = |g: fn(&YearRow) -> f64| f.rows.iter().map(g).collect::<Vec<f64>>();
        let mut left = Vec::new();
        if f.rows.iter().any(|r| r.premium_wan > 0.0) {
            left.push(("premiums".to_string(), col(|r| r.premium_wan)));
            left.push(("subsidies".to_string(), col(|r| r.subsidy_wan)));
        }
        if f.rows.iter().any(|r| r.contributions_pooled_wan > 0.0) {
            left.push((
                "pooled contributions".to_string(),
                col(|r| r.contributions_pooled_wan),
            ));
        }
        left.push(("interest".to_string(), col(|r| r.interest_wan)));
        left.push(("other income".to_string(), col(|r| r.other_income_wan)));
        if f.rows.iter().any(|r| r.fiscal_backstop_wan > 0.0) {
            left.push((
                "fiscal backstop".to_string(),
                col(|r| r.fiscal_backstop_wan),
            ));
        }
        let mut right = vec![
            ("inpatient".to_string(), col(|r| r.inpatient_wan)),
            ("outpatient".to_string(), col(|r| r.outpatient_wan)),
            ("major illness".to_string(), col(|r| r.major_illness_wan)),
        ];
        if f.rows.iter().any(|r| r.out_of_area_wan > 0.0) {
            right.push(("out-of-area care".to_string(), col(|r| r.out_of_area_wan)));
        }
        right.push(("other spending".to_string(), col(|r| r.other_spending_wan)));
        chart::paired_stacked_bars(
            &dir.join(format!("revenue_expenditure_{}", f.id)),
            &StackedBars {
                title: format!("{}: pooled revenue vs expenditure", f.name),
                y_label: "10,000 yuan".into(),
                years: years.clone(),
                left,
                right,
                left_name: "revenue".into(),
                right_name: "expenditure".into(),
            },
        )?;
        let layers = BAND_LABELS
            .iter()
            .enumerate()
            .map(|(b, l)| {
                (
                    l.to_string(),
                    f.members_by_band.iter().map(|m| m[b]).collect(),
                )
            })
            .collect();
        chart::stacked_area(
            &dir.join(format!("members_by_age_{}", f.id)),
            &StackedArea {
                title: format!("{}: members by age band", f.name),
                y_label: "members".into(),
                years,
                layers,
            },
        )?;
    }
    Ok(())
}
