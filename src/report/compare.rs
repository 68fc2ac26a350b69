//! The `compare` report: several scenarios' runways on one chart each
//! (months payable, balance), the summary figures side by side in
//! `compare.md` / `compare.csv`, and `report.xlsx` / `report.html`.

use super::ReportError;
use super::chart::{self, LineChart, Series};
use super::labels::{self, Key, Lang, Style};
use super::markdown::table;
use super::projection::{csv_num, fund_label, runway_bands, summaries};
use crate::projection::{Model, Projection};
use std::path::Path;

fn csv_err(dir: &Path) -> impl Fn(csv::Error) -> ReportError + '_ {
    move |e| ReportError::Write {
        path: dir.join("compare.csv"),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Writes the comparison of `runs` into `dir`; returns the Markdown.
pub fn write_compare(
    dir: &Path,
    runs: &[(Model, Projection)],
    style: Style,
) -> Result<String, ReportError> {
    let lang = style.lang;
    let cerr = csv_err(dir);
    let (first, _) = &runs[0];
    let thresholds = first.thresholds;
    let mut months = Vec::new();
    let mut balance = Vec::new();
    let mut rows = Vec::new();
    // (depletion year, series label) of every fund whose balance goes below zero.
    let mut depleted: Vec<(i32, String)> = Vec::new();
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
    ])
    .map_err(&cerr)?;
    for (m, p) in runs {
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
            if let Some(r) = f.rows.iter().find(|r| r.balance_wan < 0.0) {
                depleted.push((r.year, label.clone()));
            }
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
        for f in &p.funds {
            if let Some(s) = crate::fund::RunwaySummary::of(&f.rows, &m.thresholds) {
                rows.push(vec![
                    labels::scenario_name(m, lang),
                    fund_label(m, f, lang),
                    style.months(s.base_months),
                    style.money(s.horizon_balance_wan),
                    style.months(s.horizon_months),
                    style.year_or_never(s.first_warning),
                    style.year_or_never(s.first_danger),
                    style.year_or_never(s.depletion),
                    style.money(s.cumulative_surplus_wan),
                ]);
            }
        }
        for (fund, s) in summaries(m, p) {
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
            ])
            .map_err(&cerr)?;
        }
    }
    let months = merge_identical(months, lang);
    let balance = merge_identical(balance, lang);
    let negative = balance.iter().any(|s| s.points.iter().any(|p| p.1 < 0.0));
    chart::line_chart(
        &dir.join("compare_months_payable"),
        &LineChart {
            title: match lang {
                Lang::Zh => "各方案可支付月数".into(),
                Lang::En => "Months payable by scenario".into(),
            },
            x_label: style.t(Key::Year).into(),
            y_label: style.t(Key::MonthsAxis).into(),
            series: months,
            bands: runway_bands(first, lang),
            markers: depletion_markers(&depleted, lang),
            ..LineChart::default()
        },
    )?;
    chart::line_chart(
        &dir.join("compare_balance"),
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
    let mut md = match lang {
        Lang::Zh => format!(
            "# 方案比较\n\n可支付月数低于 {} 个月为预警、低于 {} 个月为危险（取第一个方案的阈值）。金额单位：{}。\n\n",
            thresholds.warning,
            thresholds.danger,
            style.unit.name(lang)
        ),
        Lang::En => format!(
            "# Scenario comparison\n\nWarning below {} months, danger below {} months (thresholds of the first scenario). Amounts in {}.\n\n",
            thresholds.warning,
            thresholds.danger,
            style.unit.name(lang)
        ),
    };
    let headers = [
        style.t(Key::Scenario).to_string(),
        style.t(Key::Fund).to_string(),
        style.t(Key::MonthsBaseYear).to_string(),
        style.money_label(style.t(Key::BalanceHorizon)),
        style.t(Key::MonthsHorizon).to_string(),
        style.t(Key::FirstWarning).to_string(),
        style.t(Key::FirstDanger).to_string(),
        style.t(Key::Depletion).to_string(),
        style.money_label(style.t(Key::CumulativeSurplus)),
    ];
    let h: Vec<&str> = headers.iter().map(String::as_str).collect();
    md.push_str(&table(&h, &rows));
    md.push_str(&format!("\n{}:\n\n", style.t(Key::ScenarioFiles)));
    for (m, _) in runs {
        md.push_str(&format!("- {}: {}\n", m.name, m.raw.file.display()));
    }
    super::finite::write_table(&dir.join("compare.md"), &md)?;
    let csv_bytes = csv.into_inner().map_err(|e| cerr(e.into_error().into()))?;
    super::finite::write_table(
        &dir.join("compare.csv"),
        &String::from_utf8_lossy(&csv_bytes),
    )?;
    crate::report::workbook::command_reports(
        dir,
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
    Ok(md)
}

/// One dashed marker per depletion year with how many of the compared lines
/// run dry that year ("2 个方案穿底 2028"); the table beside the chart names them,
/// so the marker stays short enough not to cover the lines.
fn depletion_markers(depleted: &[(i32, String)], lang: Lang) -> Vec<(i32, String)> {
    let mut years: Vec<i32> = depleted.iter().map(|d| d.0).collect();
    years.sort_unstable();
    years.dedup();
    years
        .into_iter()
        .map(|y| {
            let n = depleted.iter().filter(|d| d.0 == y).count();
            let text = match (lang, n) {
                (Lang::Zh, _) => format!("{n} 个方案穿底 {y}"),
                (Lang::En, 1) => format!("1 line depleted {y}"),
                (Lang::En, _) => format!("{n} lines depleted {y}"),
            };
            (y, text)
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_marker_per_depletion_year_counting_the_lines() {
        let d = vec![
            (2028, "A".to_string()),
            (2027, "B".to_string()),
            (2028, "C".to_string()),
        ];
        let m = depletion_markers(&d, Lang::Zh);
        assert_eq!(
            m,
            vec![
                (2027, "1 个方案穿底 2027".to_string()),
                (2028, "2 个方案穿底 2028".to_string())
            ]
        );
        let e = depletion_markers(&d, Lang::En);
        assert_eq!(e[1].1, "2 lines depleted 2028");
        assert!(depletion_markers(&[], Lang::En).is_empty());
    }
}
