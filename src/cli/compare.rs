//! `drgsim compare`: several scenarios' runways on one chart, summaries side by side.

use crate::fund::runway::year_or_never;
use crate::projection::project;
use crate::report::atomic::{OutputDir, write_atomic};
use crate::report::chart::{self, LineChart, Series};
use crate::report::labels::{self, Key, Lang, Style};
use crate::report::markdown::{fmt_num, table};
use crate::report::projection::{csv_num, fund_label, runway_bands, summaries};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// `drgsim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Two or more scenario files.
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<PathBuf>,
    /// Output directory.
    #[arg(long, default_value = "out-compare")]
    pub out: PathBuf,
    /// Overrides applied to every scenario.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// Runs every scenario, then writes `compare.md`, `compare.csv` and the charts.
pub fn compare(a: &CompareArgs, style: Style) -> Result<()> {
    let lang = style.lang;
    let mut runs = Vec::new();
    let mut errors = Vec::new();
    for f in &a.scenarios {
        match crate::cli::load(f, &a.sets) {
            Ok(m) => {
                let p = project(&m);
                runs.push((m, p));
            }
            Err(e) => errors.push(format!("{}: {e}", f.display())),
        }
    }
    if !errors.is_empty() {
        anyhow::bail!("{}", errors.join("\n"));
    }
    let (first, _) = &runs[0];
    let thresholds = first.thresholds;
    let mut months = Vec::new();
    let mut balance = Vec::new();
    let mut rows = Vec::new();
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "scenario",
        "fund",
        "base_year",
        "base_months",
        "horizon",
        "horizon_balance_wan",
        "horizon_months",
        "first_warning",
        "first_danger",
        "depletion",
        "cumulative_surplus_wan",
    ])?;
    for (m, p) in &runs {
        let multi = p.funds.len() > 1;
        let scenario = labels::scenario_name(m, lang);
        for f in &p.funds {
            let label = if multi {
                format!("{scenario}（{}）", fund_label(m, f, lang))
            } else {
                scenario.clone()
            };
            let label = if lang == Lang::En {
                label.replace('（', " (").replace('）', ")")
            } else {
                label
            };
            months.push(Series {
                label: label.clone(),
                points: f
                    .rows
                    .iter()
                    .map(|r| {
                        let clipped = if r.balance_wan < 0.0 {
                            0.0
                        } else {
                            r.months_payable.max(0.0)
                        };
                        (r.year, clipped)
                    })
                    .collect(),
            });
            balance.push(Series {
                label,
                points: f
                    .rows
                    .iter()
                    .map(|r| (r.year, style.money_value(r.balance_wan)))
                    .collect(),
            });
        }
        for (fund, s) in summaries(m, p) {
            rows.push(vec![
                m.name.clone(),
                fund.clone(),
                fmt_num(s.base_months, 1),
                fmt_num(s.horizon_balance_wan, 0),
                fmt_num(s.horizon_months, 1),
                year_or_never(s.first_warning),
                year_or_never(s.first_danger),
                year_or_never(s.depletion),
                fmt_num(s.cumulative_surplus_wan, 0),
            ]);
            let opt = |y: Option<i32>| y.map(|y| y.to_string()).unwrap_or_default();
            csv.write_record([
                m.name.clone(),
                fund.clone(),
                s.base_year.to_string(),
                csv_num(s.base_months, 4),
                s.horizon.to_string(),
                csv_num(s.horizon_balance_wan, 2),
                csv_num(s.horizon_months, 4),
                opt(s.first_warning),
                opt(s.first_danger),
                opt(s.depletion),
                csv_num(s.cumulative_surplus_wan, 2),
            ])?;
        }
    }
    let out = OutputDir::create(&a.out)?;
    let months = merge_identical(months, lang);
    let balance = merge_identical(balance, lang);
    let negative = balance.iter().any(|s| s.points.iter().any(|p| p.1 < 0.0));
    chart::line_chart(
        &out.path().join("compare_months_payable"),
        &LineChart {
            title: match lang {
                Lang::Zh => "各方案可支付月数".into(),
                Lang::En => "Months payable by scenario".into(),
            },
            x_label: style.t(Key::Year).into(),
            y_label: style.t(Key::MonthsAxis).into(),
            series: months,
            bands: runway_bands(first, lang),
            ..LineChart::default()
        },
    )?;
    chart::line_chart(
        &out.path().join("compare_balance"),
        &LineChart {
            title: match lang {
                Lang::Zh => "各方案统筹基金累计结余".into(),
                Lang::En => "Pooled-fund balance by scenario".into(),
            },
            x_label: style.t(Key::Year).into(),
            y_label: style.money_label(style.t(Key::Balance)),
            series: balance,
            shade_negative: negative.then(|| style.money_label(style.t(Key::CumulativeDeficit))),
            ..LineChart::default()
        },
    )?;
    let mut md = format!(
        "# Scenario comparison\n\nWarning below {} months, danger below {} months (thresholds of the first scenario). Amounts in 万元.\n\n",
        thresholds.warning, thresholds.danger
    );
    md.push_str(&table(
        &[
            "scenario",
            "fund",
            "months base year",
            "balance horizon",
            "months horizon",
            "first < warning",
            "first < danger",
            "depletion",
            "cumulative surplus",
        ],
        &rows,
    ));
    md.push_str("\nFiles:\n\n");
    for (m, _) in &runs {
        md.push_str(&format!("- {}: {}\n", m.name, m.raw.file.display()));
    }
    write_atomic(&out.path().join("compare.md"), md.as_bytes())?;
    write_atomic(&out.path().join("compare.csv"), &csv.into_inner()?)?;
    crate::report::workbook::command_reports(
        out.path(),
        style,
        if lang == Lang::Zh {
            "方案比较"
        } else {
            "Scenario comparison"
        },
        None,
        &[(
            if lang == Lang::Zh {
                "方案比较"
            } else {
                "compare"
            },
            "compare.csv",
        )],
        &md,
    )?;
    let dir = out.commit()?;
    print!("{md}");
    println!("\nwrote {}", dir.display());
    Ok(())
}

/// Draw each unchanged line once: a series whose points equal an earlier
/// series' is dropped and its name added to the earlier one's label
/// ("A = B"), so a fund that a reform leaves alone is not drawn over itself.
pub fn merge_identical(series: Vec<Series>, lang: Lang) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    for s in series {
        match out.iter_mut().find(|o| o.points == s.points) {
            Some(o) => {
                let sep = if lang == Lang::Zh { " ＝ " } else { " = " };
                o.label = format!("{}{sep}{}", o.label, s.label);
            }
            None => out.push(s),
        }
    }
    out
}
