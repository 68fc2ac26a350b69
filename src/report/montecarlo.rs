//! The reports of `drgsim montecarlo`: `montecarlo.csv` (stable English
//! columns), `montecarlo.md`, one fan chart per fund, `report.xlsx` (a sheet
//! of bands per fund with a native chart) and `report.html`.

use super::ReportError;
use super::chart::{self, Fan};
use super::labels::{Key, Style, fill, scenario_name};
use super::lever::{csv_for_fund, fund_heading, fund_name, sheet};
use super::markdown::table;
use super::params::param_label;
use super::projection::{csv_num, runway_bands};
use crate::analysis::runs::Uncertainty;
use crate::analysis::{EXACT_PATHS, MonteCarlo, QuantileMethod, ZERO_BUCKET_MONTHS, zero_buckets};
use crate::projection::Model;
use std::fmt::Write as _;
use std::path::Path;

/// Columns of `montecarlo.csv`.
pub const MONTECARLO_COLUMNS: &[&str] = &[
    "fund",
    "year",
    "months_p05",
    "months_p25",
    "months_p50",
    "months_p75",
    "months_p95",
    "months_mean",
    "balance_p05",
    "balance_p25",
    "balance_p50",
    "balance_p75",
    "balance_p95",
    "p_below_warning",
    "p_below_danger",
    "p_depleted",
];

/// `montecarlo.csv`: one row per fund and year.
pub fn montecarlo_csv(mc: &MonteCarlo) -> String {
    let mut csv = MONTECARLO_COLUMNS.join(",") + "\n";
    for fb in &mc.funds {
        for (t, y) in mc.years.iter().enumerate() {
            let mq = &fb.months.quantiles[t];
            let bq = &fb.balance.quantiles[t];
            let _ = writeln!(
                csv,
                "{},{y},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                fb.id,
                csv_num(mq[0], 4),
                csv_num(mq[1], 4),
                csv_num(mq[2], 4),
                csv_num(mq[3], 4),
                csv_num(mq[4], 4),
                csv_num(fb.months.mean[t], 4),
                csv_num(bq[0], 2),
                csv_num(bq[1], 2),
                csv_num(bq[2], 2),
                csv_num(bq[3], 2),
                csv_num(bq[4], 2),
                csv_num(fb.months.prob_below[t][0], 4),
                csv_num(fb.months.prob_below[t][1], 4),
                csv_num(fb.balance.prob_below[t][0], 4),
            );
        }
    }
    csv
}

/// `montecarlo.md` in the report's language.
pub fn markdown(model: &Model, unc: &Uncertainty, mc: &MonteCarlo, style: Style) -> String {
    let t = |k| style.t(k);
    let mut md = format!(
        "# {}\n\n{}\n\n",
        fill(t(Key::McTitle), scenario_name(model, style.lang)),
        fill(&fill(t(Key::McIntro), mc.n_paths), mc.seed)
    );
    match mc.method {
        QuantileMethod::Exact => {
            let _ = write!(md, "{}\n\n", fill(t(Key::McExact), mc.n_paths));
        }
        QuantileMethod::Sketch {
            relative_accuracy,
            collapsed,
        } => {
            let text = fill(t(Key::McSketch), relative_accuracy * 100.0);
            let _ = write!(md, "{}\n\n", fill(&text, EXACT_PATHS));
            let zero = zero_buckets(model);
            let per_fund: Vec<String> = model
                .funds
                .iter()
                .zip(zero.chunks(2))
                .map(|(fm, z)| {
                    format!(
                        "{} {} {}",
                        fund_name(model, fm, style),
                        csv_num(z[1] / style.unit.per_wan(), 2 + style.unit.decimals()),
                        style.unit.name(style.lang)
                    )
                })
                .collect();
            let text = fill(t(Key::McSketchZero), ZERO_BUCKET_MONTHS);
            let _ = write!(md, "{}\n\n", fill(&text, per_fund.join(", ")));
            if collapsed {
                let _ = write!(md, "{}\n\n", t(Key::McSketchCollapsed));
            }
        }
    }
    let dist_rows: Vec<Vec<String>> = unc
        .paths
        .iter()
        .zip(unc.sampler.specs())
        .map(|(p, s)| {
            vec![
                param_label(p, style.lang),
                super::labels::dist_phrase(s, style.lang),
            ]
        })
        .collect();
    let _ = write!(md, "### {}\n\n", t(Key::UncertainParams));
    md.push_str(&table(
        &[t(Key::Parameter), t(Key::Distribution)],
        &dist_rows,
    ));
    if let Some(c) = model
        .spec
        .uncertainty
        .as_ref()
        .and_then(|u| u.correlation.as_ref())
    {
        let _ = write!(md, "\n### {}\n\n", t(Key::Correlations));
        for (x, y, r) in &c.pairs {
            let _ = writeln!(
                md,
                "- {} / {}: {r}",
                param_label(x, style.lang),
                param_label(y, style.lang)
            );
        }
    }
    md.push('\n');
    let balance = style.money_label(t(Key::BalanceP50));
    let headers = [
        t(Key::Year),
        t(Key::MonthsP05),
        t(Key::MonthsP50),
        t(Key::MonthsP95),
        balance.as_str(),
        t(Key::PBelowWarning),
        t(Key::PBelowDanger),
        t(Key::PDepleted),
    ];
    for (fb, fm) in mc.funds.iter().zip(&model.funds) {
        let rows: Vec<Vec<String>> = mc
            .years
            .iter()
            .enumerate()
            .map(|(i, y)| {
                let mq = &fb.months.quantiles[i];
                vec![
                    y.to_string(),
                    style.months(mq[0]),
                    style.months(mq[2]),
                    style.months(mq[4]),
                    style.money(fb.balance.quantiles[i][2]),
                    style.percent(fb.months.prob_below[i][0]),
                    style.percent(fb.months.prob_below[i][1]),
                    style.percent(fb.balance.prob_below[i][0]),
                ]
            })
            .collect();
        md.push_str(&fund_heading(model, fm, style));
        md.push_str(&table(&headers, &rows));
        let _ = writeln!(md, "\n![fan](fan_{}.svg)\n", fm.id);
    }
    md
}

/// Writes every file of a Monte Carlo report into `dir`.
pub fn write(
    dir: &Path,
    model: &Model,
    unc: &Uncertainty,
    mc: &MonteCarlo,
    style: Style,
) -> Result<(), ReportError> {
    for (fb, fm) in mc.funds.iter().zip(&model.funds) {
        // Months payable below zero mean a depleted fund: the chart stops at 0
        // (the table gives P(depleted) and the balance quantiles the shortfall).
        let col = |j: usize| {
            fb.months
                .quantiles
                .iter()
                .map(|q| if q[j] < 0.0 { 0.0 } else { q[j] })
                .collect()
        };
        chart::fan_chart(
            &dir.join(format!("fan_{}", fm.id)),
            &Fan {
                title: fill(
                    &fill(style.t(Key::McFanTitle), fund_name(model, fm, style)),
                    mc.n_paths,
                ),
                y_label: style.t(Key::MonthsAxis).into(),
                x_label: style.t(Key::Year).into(),
                legend: vec![
                    style.t(Key::Band90).into(),
                    style.t(Key::Band50).into(),
                    style.t(Key::Median).into(),
                ],
                years: mc.years.clone(),
                p05: col(0),
                p25: col(1),
                p50: col(2),
                p75: col(3),
                p95: col(4),
                bands: runway_bands(model, style.lang),
            },
        )?;
    }
    let csv = montecarlo_csv(mc);
    super::finite::write_table(&dir.join("montecarlo.csv"), &csv)?;
    let md = markdown(model, unc, mc, style);
    super::finite::write_table(&dir.join("montecarlo.md"), &md)?;
    // The uncertain parameters first (name and distribution as phrases),
    // then one sheet per fund, so that each carries its own chart of the bands.
    let mut params = csv::Writer::from_writer(Vec::new());
    let _ = params.write_record(["param", "distribution"]);
    for (p, s) in unc.paths.iter().zip(unc.sampler.specs()) {
        let _ = params.write_record([p.as_str(), &super::labels::dist_phrase(s, style.lang)]);
    }
    let params = String::from_utf8(params.into_inner().unwrap_or_default()).unwrap_or_default();
    let mut tables: Vec<(String, String)> =
        vec![(style.t(Key::UncertainParams).to_string(), params)];
    tables.extend(mc.funds.iter().map(|fb| {
        (
            sheet(style, Key::SheetMonteCarlo, Some(&fb.id)),
            csv_for_fund(&csv, &fb.id),
        )
    }));
    super::workbook::write_command_reports(
        dir,
        style,
        &scenario_name(model, style.lang),
        Some(model),
        &tables,
        &md,
    )
}
