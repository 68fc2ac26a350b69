//! The `run` report: `projection.csv`, `summary.md` and the charts, written into
//! an output directory that only appears once everything is written.

use super::ReportError;
use super::chart::{self, HBand, LineChart, Series, StackedArea, StackedBars};
use super::labels::{self, Key, Lang, Style, status_word};
use super::markdown::{fmt_num, table};
use crate::fund::{RunwaySummary, YearRow};
use crate::population::BAND_LABELS;
use crate::projection::{FundProjection, Model, Projection};
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
        || column.starts_with("settlement_ratio")
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
///
/// A cell is empty where its figure is undefined: a ratio with a zero
/// denominator (NaN), and the two ratios [`check_projection`](super::check_projection)
/// lets be infinite (`months_payable` with no pooled spending at all,
/// `active_retired_ratio` with no retirees). The file never holds `inf` or `NaN`.
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
                // undefined (see above): empty, never `inf`
                let v = if v.is_finite() { v } else { f64::NAN };
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

/// A fund's name in the report's language.
pub fn fund_label(model: &Model, f: &FundProjection, lang: Lang) -> String {
    labels::fund_name(model, &f.id, &f.name, f.kind, lang)
}

/// The headline table (one row per fund), as text cells: the committee's figures.
pub fn summary_table(
    model: &Model,
    projection: &Projection,
    style: Style,
) -> (Vec<String>, Vec<Vec<String>>) {
    let money = |k: Key| style.money_label(style.t(k));
    let headers = vec![
        style.t(Key::Fund).to_string(),
        money(Key::BalanceBaseYear),
        style.t(Key::MonthsBaseYear).to_string(),
        money(Key::BalanceHorizon),
        style.t(Key::MonthsHorizon).to_string(),
        style.t(Key::FirstWarning).to_string(),
        style.t(Key::FirstDanger).to_string(),
        style.t(Key::Depletion).to_string(),
        money(Key::CumulativeSurplus),
        style.t(Key::StatusAtHorizon).to_string(),
    ];
    let rows = projection
        .funds
        .iter()
        .filter_map(|f| {
            let r = RunwaySummary::of(&f.rows, &model.thresholds)?;
            let status = f.rows.last().map(|l| l.status)?;
            Some(vec![
                fund_label(model, f, style.lang),
                style.money(r.base_balance_wan),
                style.months(r.base_months),
                style.money(r.horizon_balance_wan),
                style.months(r.horizon_months),
                style.year_or_never(r.first_warning),
                style.year_or_never(r.first_danger),
                style.year_or_never(r.depletion),
                style.money(r.cumulative_surplus_wan),
                status_word(status, style.lang).to_string(),
            ])
        })
        .collect();
    (headers, rows)
}

/// The columns of the per-fund first-year / last-year table in `summary.md`.
pub const FUND_TABLE_COLUMNS: &[&str] = &[
    "members",
    "members_60plus_share",
    "active_retired_ratio",
    "revenue_wan",
    "expenditure_wan",
    "pooled_expenditure_wan",
    "surplus_rate",
    "balance_wan",
    "months_payable",
    "inpatient_cases",
    "settlement_ratio",
    "settlement_ratio_full_cost",
    "inpatient_patient_wan",
    "clearing_wan",
    "budget_wan",
];

/// One parameter of the scenario for the assumptions table: label, path,
/// base-year value, horizon value, form.
pub fn assumptions(model: &Model, style: Style) -> Vec<[String; 5]> {
    let mut out = Vec::new();
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
            crate::scenario::Param::Const(_) => style.t(Key::Constant),
            crate::scenario::Param::Growth { .. } => style.t(Key::GrowsYearly),
            crate::scenario::Param::Table { .. } => style.t(Key::DatedTable),
        };
        out.push([
            super::params::param_label(p, style.lang),
            p.to_string(),
            fmt_num(a, 4),
            fmt_num(b, 4),
            form.to_string(),
        ]);
    }
    out
}

/// Which view a run is (rules as practised, or a stress test in which nobody
/// reacts), in the report's language.
pub fn view_note(model: &Model, lang: Lang) -> String {
    match lang {
        Lang::En => super::rules::view_line(model).to_string(),
        Lang::Zh => {
            if super::rules::has_rules(model) {
                "口径：**按现行政策规则**——方案文件中的政策规则逐年根据基金收支作出反应（见 rules.csv）。两种口径都不是预测。".into()
            } else {
                "口径：**压力测试**——不考虑任何应对（筹资调整、待遇调整、财政兜底），保费按既定路径。不是预测。".into()
            }
        }
    }
}

/// Writes `summary.md`: the figures a committee asks for first, and the assumptions.
pub fn write_summary(
    path: &Path,
    model: &Model,
    projection: &Projection,
    style: Style,
) -> Result<(), ReportError> {
    let lang = style.lang;
    let mut s = String::new();
    let _ = writeln!(s, "# {}\n", labels::scenario_name(model, lang));
    if !model.description.is_empty() && lang == Lang::En {
        let _ = writeln!(s, "{}\n", model.description);
    }
    let _ = writeln!(
        s,
        "{}",
        match lang {
            Lang::Zh => format!(
                "预测期 {}–{} 年；可支付月数低于 {} 个月为预警，低于 {} 个月为危险。金额单位：{}。\n",
                model.years.base_year,
                model.years.horizon,
                model.thresholds.warning,
                model.thresholds.danger,
                style.unit.name(lang)
            ),
            Lang::En => format!(
                "Projection {}–{}; warning below {} months payable, danger below {} months. Amounts in {}.\n",
                model.years.base_year,
                model.years.horizon,
                model.thresholds.warning,
                model.thresholds.danger,
                style.unit.name(lang)
            ),
        }
    );
    let _ = writeln!(s, "{}\n", view_note(model, lang));
    let (headers, rows) = summary_table(model, projection, style);
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    s.push_str(&table(&h, &rows));
    for f in &projection.funds {
        let (Some(first), Some(last)) = (f.rows.first(), f.rows.last()) else {
            continue;
        };
        let _ = writeln!(s, "\n## {}\n", fund_label(model, f, lang));
        let (y0, y1) = (first.year.to_string(), last.year.to_string());
        let h = [style.t(Key::Indicator), y0.as_str(), y1.as_str()];
        let rows: Vec<Vec<String>> = FUND_TABLE_COLUMNS
            .iter()
            .filter(|c| **c != "active_retired_ratio" || first.retirees > 0.0)
            .filter(|c| {
                // Columns that do not apply to this fund (no budget, no clearing) are left out.
                let v = |r: &YearRow| r.get(c).unwrap_or(f64::NAN);
                [v(first), v(last)]
                    .iter()
                    .any(|x| x.is_finite() && *x != 0.0)
            })
            .filter_map(|c| super::headers::column(c))
            .map(|c| {
                let v = |r: &YearRow| r.get(c.key).unwrap_or(f64::NAN);
                vec![
                    c.header(style),
                    c.text(style, v(first)),
                    c.text(style, v(last)),
                ]
            })
            .collect();
        let mut rows = rows;
        // Below zero the balance is a shortfall: say how large, in the report's unit.
        if last.balance_wan < 0.0 {
            let gap = |r: &YearRow| style.money((-r.balance_wan).max(0.0));
            rows.push(vec![
                style.money_label(style.t(Key::CumulativeDeficit)),
                gap(first),
                gap(last),
            ]);
        }
        s.push_str(&table(&h, &rows));
        let sep = if lang == Lang::Zh { "：" } else { ": " };
        let _ = writeln!(
            s,
            "\n{}{sep}**{}**",
            style.t(Key::StatusAtHorizon),
            status_word(last.status, lang)
        );
    }
    s.push_str(&super::history::summary_section(model, projection, style));
    s.push_str(&super::rules::summary_section(model, projection, style));
    let _ = writeln!(s, "\n## {}\n", style.t(Key::Assumptions));
    for [label, p, a, b, form] in assumptions(model, style) {
        let _ = writeln!(
            s,
            "- {label} (`{p}`): {a} ({}) → {b} ({}), {form}",
            model.years.base_year, model.years.horizon
        );
    }
    if !model.spec.scenario.sources.is_empty() {
        let _ = writeln!(s, "\n## {}\n", style.t(Key::Sources));
        for src in &model.spec.scenario.sources {
            let _ = writeln!(s, "- {src}");
        }
    }
    let _ = writeln!(
        s,
        "\n{}: {}",
        style.t(Key::ScenarioFiles),
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
pub fn runway_bands(model: &Model, lang: Lang) -> Vec<HBand> {
    vec![
        HBand {
            lo: model.thresholds.danger,
            hi: model.thresholds.warning,
            label: labels::fill(Key::WarningBand.get(lang), model.thresholds.warning),
            color: WARNING_COLOR,
        },
        HBand {
            lo: f64::NEG_INFINITY,
            hi: model.thresholds.danger,
            label: labels::fill(Key::DangerBand.get(lang), model.thresholds.danger),
            color: DANGER_COLOR,
        },
    ]
}

fn series(label: String, rows: &[YearRow], f: impl Fn(&YearRow) -> f64) -> Series {
    Series {
        label,
        points: rows.iter().map(|r| (r.year, f(r))).collect(),
    }
}

/// The months-payable chart of a run: months clipped at zero (a depleted fund
/// has none left; the shortfall shows on the balance chart), each fund's
/// depletion year marked.
pub fn months_chart(model: &Model, projection: &Projection, style: Style) -> LineChart {
    let lang = style.lang;
    let multi = projection.funds.len() > 1;
    LineChart {
        title: format!(
            "{}{}{}",
            labels::scenario_name(model, lang),
            if lang == Lang::Zh { "：" } else { ": " },
            style.t(Key::MonthsPayable)
        ),
        x_label: style.t(Key::Year).into(),
        y_label: style.t(Key::MonthsAxis).into(),
        series: projection
            .funds
            .iter()
            .map(|f| {
                series(fund_label(model, f, lang), &f.rows, |r| {
                    if r.balance_wan < 0.0 {
                        0.0
                    } else {
                        r.months_payable.max(0.0)
                    }
                })
            })
            .collect(),
        bands: runway_bands(model, lang),
        hlines: vec![],
        markers: projection
            .funds
            .iter()
            .filter_map(|f| {
                let y = f.rows.iter().find(|r| r.balance_wan < 0.0)?.year;
                let who = if multi {
                    format!("{} ", fund_label(model, f, lang))
                } else {
                    String::new()
                };
                Some((y, format!("{who}{} {y}", style.t(Key::DepletedIn))))
            })
            .collect(),
        shade_negative: None,
    }
}

/// The balance chart of a run: the balance in the report's unit, with the
/// cumulative shortfall below zero shaded.
pub fn balance_chart(model: &Model, projection: &Projection, style: Style) -> LineChart {
    let lang = style.lang;
    let any_negative = projection
        .funds
        .iter()
        .any(|f| f.rows.iter().any(|r| r.balance_wan < 0.0));
    LineChart {
        title: format!(
            "{}{}{}",
            labels::scenario_name(model, lang),
            if lang == Lang::Zh { "：" } else { ": " },
            style.t(Key::Balance)
        ),
        x_label: style.t(Key::Year).into(),
        y_label: style.money_label(style.t(Key::Balance)),
        series: projection
            .funds
            .iter()
            .map(|f| {
                series(fund_label(model, f, lang), &f.rows, |r| {
                    style.money_value(r.balance_wan)
                })
            })
            .collect(),
        bands: vec![],
        hlines: vec![],
        markers: vec![],
        shade_negative: any_negative.then(|| style.money_label(style.t(Key::CumulativeDeficit))),
    }
}

/// The revenue / expenditure bars of one fund.
pub fn revenue_chart(model: &Model, f: &FundProjection, style: Style) -> StackedBars {
    let lang = style.lang;
    let years: Vec<i32> = f.rows.iter().map(|r| r.year).collect();
    let col = |g: fn(&YearRow) -> f64| {
        f.rows
            .iter()
            .map(|r| style.money_value(g(r)))
            .collect::<Vec<f64>>()
    };
    let name = |k: Key| style.t(k).to_string();
    let mut left = Vec::new();
    if f.rows.iter().any(|r| r.premium_wan > 0.0) {
        left.push((name(Key::Premiums), col(|r| r.premium_wan)));
        left.push((name(Key::Subsidies), col(|r| r.subsidy_wan)));
    }
    if f.rows.iter().any(|r| r.contributions_pooled_wan > 0.0) {
        left.push((
            name(Key::PooledContributions),
            col(|r| r.contributions_pooled_wan),
        ));
    }
    left.push((name(Key::Interest), col(|r| r.interest_wan)));
    left.push((name(Key::OtherIncome), col(|r| r.other_income_wan)));
    if f.rows.iter().any(|r| r.fiscal_backstop_wan > 0.0) {
        left.push((name(Key::FiscalBackstop), col(|r| r.fiscal_backstop_wan)));
    }
    let mut right = vec![
        (name(Key::Inpatient), col(|r| r.inpatient_wan)),
        (name(Key::Outpatient), col(|r| r.outpatient_wan)),
        (name(Key::MajorIllness), col(|r| r.major_illness_wan)),
    ];
    if f.rows.iter().any(|r| r.out_of_area_wan > 0.0) {
        right.push((name(Key::OutOfArea), col(|r| r.out_of_area_wan)));
    }
    right.push((name(Key::OtherSpending), col(|r| r.other_spending_wan)));
    StackedBars {
        x_label: style.t(Key::Year).into(),
        title: format!(
            "{}{}{}",
            fund_label(model, f, lang),
            if lang == Lang::Zh { "：" } else { ": " },
            style.t(Key::RevenueVsExpenditure)
        ),
        y_label: style.unit.name(lang).into(),
        years,
        left,
        right,
        left_name: name(Key::Revenue),
        right_name: name(Key::Expenditure),
    }
}

/// Members by age band of one fund.
pub fn members_chart(model: &Model, f: &FundProjection, style: Style) -> StackedArea {
    let lang = style.lang;
    let layers = BAND_LABELS
        .iter()
        .enumerate()
        .map(|(b, l)| {
            (
                if lang == Lang::Zh {
                    format!("{l}岁")
                } else {
                    l.to_string()
                },
                f.members_by_band.iter().map(|m| m[b]).collect(),
            )
        })
        .collect();
    StackedArea {
        x_label: style.t(Key::Year).into(),
        title: format!(
            "{}{}{}",
            fund_label(model, f, lang),
            if lang == Lang::Zh { "：" } else { ": " },
            style.t(Key::MembersByAge)
        ),
        y_label: style.t(Key::Members).into(),
        years: f.rows.iter().map(|r| r.year).collect(),
        layers,
    }
}

/// The file stems of a run's charts, in report order, with the chart title.
pub fn chart_stems(projection: &Projection) -> Vec<String> {
    let mut v = vec!["months_payable".to_string(), "balance".to_string()];
    for f in &projection.funds {
        v.push(format!("revenue_expenditure_{}", f.id));
        v.push(format!("members_by_age_{}", f.id));
    }
    v
}

/// The run charts as `(stem, SVG text)`, in [`chart_stems`] order, drawn in
/// memory (for reports built without a folder, e.g. `drgsim serve`).
pub fn chart_svgs(
    model: &Model,
    projection: &Projection,
    style: Style,
) -> Result<Vec<(String, String)>, ReportError> {
    let mut v = vec![
        (
            "months_payable".to_string(),
            chart::line_chart_svg(&months_chart(model, projection, style))?,
        ),
        (
            "balance".to_string(),
            chart::line_chart_svg(&balance_chart(model, projection, style))?,
        ),
    ];
    for f in &projection.funds {
        v.push((
            format!("revenue_expenditure_{}", f.id),
            chart::paired_stacked_bars_svg(&revenue_chart(model, f, style))?,
        ));
        v.push((
            format!("members_by_age_{}", f.id),
            chart::stacked_area_svg(&members_chart(model, f, style))?,
        ));
    }
    Ok(v)
}

/// Writes the run charts into `dir`, each as SVG and PNG.
pub fn write_charts(
    dir: &Path,
    model: &Model,
    projection: &Projection,
    style: Style,
) -> Result<(), ReportError> {
    chart::line_chart(
        &dir.join("months_payable"),
        &months_chart(model, projection, style),
    )?;
    chart::line_chart(
        &dir.join("balance"),
        &balance_chart(model, projection, style),
    )?;
    for f in &projection.funds {
        chart::paired_stacked_bars(
            &dir.join(format!("revenue_expenditure_{}", f.id)),
            &revenue_chart(model, f, style),
        )?;
        chart::stacked_area(
            &dir.join(format!("members_by_age_{}", f.id)),
            &members_chart(model, f, style),
        )?;
    }
    Ok(())
}
