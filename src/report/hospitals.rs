//! The reports of `drgsim hospitals`: `hospitals.csv` (stable English
//! columns), `hospitals.md` (totals, by level, by alliance, year-end clearing,
//! top movers), the change-by-hospital chart, `report.xlsx` and `report.html`,
//! every label in the report's language. Hospital amounts follow `--unit`:
//! 万元 with two decimals, or 亿元 with four (a hospital's figures in 亿元 to
//! two places would round to nothing); `hospitals.csv` stays in 万元.

use super::ReportError;
use super::chart::{self, Bars};
use super::labels::{Key, Style, fill, scenario_name};
use super::lever::sheet;
use super::markdown::{fmt_num, table};
use crate::payment::HospitalResult;
use crate::payment::budget::ClearingLevel;
use crate::payment::hospitals::Level;
use crate::payment::negotiation::{HospitalReport, HospitalRow, LevelSummary, top_movers};
use crate::projection::Model;
use crate::projection::hospitals::Settlement;
use std::fmt::Write as _;
use std::path::Path;

/// A hospital level in the report's language.
pub fn level_word(level: Level, style: Style) -> &'static str {
    style.t(match level {
        Level::Tertiary => Key::Tertiary,
        Level::Secondary => Key::Secondary,
        Level::Primary => Key::Primary,
    })
}

/// Yuan as 万元 with two decimals (CSV).
fn wan(y: f64) -> String {
    format!("{:.2}", y / 1e4)
}

/// Decimals of a hospital amount in the report's unit: 万元 to two places,
/// 亿元 to four.
fn amount_decimals(style: Style) -> usize {
    match style.unit {
        super::labels::Unit::Wan => 2,
        super::labels::Unit::Yi => 4,
    }
}

/// Yuan in the report's unit with thousands separators (Markdown).
fn wan_md(style: Style, y: f64) -> String {
    fmt_num(style.money_value(y / 1e4), amount_decimals(style))
}

/// "label（万元）" / "label (100 million yuan)": the report's unit.
fn in_wan(style: Style, k: Key) -> String {
    style.money_label(style.t(k))
}

/// The settlement period: the scenario's name for it in the base year, else
/// the year with its share.
pub fn period(m: &Model, year: i32, style: Style) -> String {
    match (
        &m.spec.scenario.settlement_period,
        year == m.years.base_year,
    ) {
        (Some(p), true) => p.clone(),
        _ if m.spec.scenario.settlement_period_share < 1.0 => fill(
            &fill(style.t(Key::PeriodShare), year),
            m.spec.scenario.settlement_period_share,
        ),
        _ => year.to_string(),
    }
}

/// Columns of `hospitals.csv` (without a comparison).
pub const HOSPITAL_COLUMNS: &[&str] = &[
    "hospital",
    "name",
    "level",
    "alliance",
    "coefficient",
    "cases",
    "drg_cases",
    "cmi",
    "ffs_equivalent_wan",
    "payment_wan",
    "surplus_wan",
    "patient_wan",
    "fund_ffs_wan",
    "fund_payment_wan",
    "clearing_wan",
    "final_fund_payment_wan",
    "surplus_after_clearing_wan",
    "settlement_ratio",
    "settlement_ratio_full_cost",
];

/// Columns `hospitals.csv` adds when any row has a comparison (`--vs`).
pub const CHANGE_COLUMNS: &[&str] = &["payment_change_wan", "payment_change_pct"];

/// `hospitals.csv`: one row per hospital in the order given; `settlement_ratio`
/// is fund-side (结付率).
pub fn hospitals_csv(rows: &[HospitalRow]) -> Result<String, csv::Error> {
    let vs = rows.iter().any(|r| r.payment_change_yuan.is_some());
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = HOSPITAL_COLUMNS.to_vec();
    if vs {
        header.extend(CHANGE_COLUMNS);
    }
    w.write_record(&header)?;
    for r in rows {
        let h = &r.result;
        let mut rec = vec![
            h.id.clone(),
            h.name.clone(),
            h.level.to_string(),
            h.alliance.clone(),
            format!("{:.4}", h.coefficient),
            format!("{:.1}", h.cases),
            format!("{:.1}", h.drg_cases),
            format!("{:.4}", h.cmi),
            wan(h.ffs_equivalent_yuan),
            wan(h.payment_yuan),
            wan(h.surplus_yuan),
            wan(h.patient_yuan),
            wan(h.fund_ffs_yuan),
            wan(h.fund_payment_yuan),
            wan(h.clearing_yuan),
            wan(h.fund_payment_yuan + h.clearing_yuan),
            wan(h.surplus_yuan + h.clearing_yuan),
            format!("{:.4}", h.fund_settlement_ratio),
            format!("{:.4}", h.settlement_ratio),
        ];
        if vs {
            rec.push(r.payment_change_yuan.map(wan).unwrap_or_default());
            rec.push(
                r.payment_change_pct
                    .map(|p| format!("{p:.2}"))
                    .unwrap_or_default(),
            );
        }
        w.write_record(&rec)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Markdown table of the summary by level.
pub fn levels_markdown(levels: &[LevelSummary], style: Style) -> String {
    let rows: Vec<(String, &LevelSummary)> = levels
        .iter()
        .map(|l| (level_word(l.level, style).to_string(), l))
        .collect();
    summary_markdown(Key::Level, &rows, style)
}

/// Markdown table of the summary by alliance.
pub fn alliances_markdown(alliances: &[(String, LevelSummary)], style: Style) -> String {
    let rows: Vec<(String, &LevelSummary)> =
        alliances.iter().map(|(n, l)| (n.clone(), l)).collect();
    summary_markdown(Key::Alliance, &rows, style)
}

fn summary_markdown(what: Key, rows: &[(String, &LevelSummary)], style: Style) -> String {
    let vs = rows.iter().any(|(_, l)| l.payment_change_yuan.is_some());
    let cleared = rows.iter().any(|(_, l)| l.clearing_yuan != 0.0);
    let t = |k| style.t(k).to_string();
    let mut headers = vec![
        t(what),
        t(Key::HospitalCount),
        t(Key::InSurplus),
        t(Key::DrgCases),
        t(Key::Cmi),
        in_wan(style, Key::FfsEquivalent),
        in_wan(style, Key::Payment),
        in_wan(style, Key::Surplus),
        in_wan(style, Key::FundFfs),
        in_wan(style, Key::FundOnAccount),
        t(Key::FundRatio),
        t(Key::FullRatio),
    ];
    if cleared {
        headers.extend([
            in_wan(style, Key::ClearingAdjustment),
            in_wan(style, Key::SurplusAfterClearing),
            t(Key::InSurplusAfterClearing),
        ]);
    }
    if vs {
        headers.push(in_wan(style, Key::PaymentChange));
    }
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|(name, l)| {
            let mut r = vec![
                name.clone(),
                l.hospitals.to_string(),
                l.in_surplus.to_string(),
                fmt_num(l.drg_cases, 0),
                format!("{:.3}", l.cmi),
                wan_md(style, l.ffs_equivalent_yuan),
                wan_md(style, l.payment_yuan),
                wan_md(style, l.surplus_yuan),
                wan_md(style, l.fund_ffs_yuan),
                wan_md(style, l.fund_payment_yuan),
                format!("{:.2} %", l.fund_settlement_ratio * 100.0),
                format!("{:.2} %", l.settlement_ratio * 100.0),
            ];
            if cleared {
                r.extend([
                    wan_md(style, l.clearing_yuan),
                    wan_md(style, l.surplus_yuan + l.clearing_yuan),
                    l.in_surplus_after_clearing.to_string(),
                ]);
            }
            if vs {
                r.push(
                    l.payment_change_yuan
                        .map(|y| wan_md(style, y))
                        .unwrap_or_default(),
                );
            }
            r
        })
        .collect();
    let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
    table(&hdr, &body)
}

/// Markdown tables of the top `n` winners and losers (see [`top_movers`]).
pub fn movers_markdown(rows: &[HospitalRow], n: usize, style: Style) -> String {
    let (winners, losers) = top_movers(rows, n);
    let vs = rows.iter().any(|r| r.payment_change_yuan.is_some());
    let t = |k| style.t(k).to_string();
    let headers: Vec<String> = if vs {
        vec![
            t(Key::Hospital),
            t(Key::Level),
            t(Key::Cases),
            t(Key::Cmi),
            in_wan(style, Key::Payment),
            in_wan(style, Key::PaymentChange),
            t(Key::PaymentChangePct),
            t(Key::FundRatio),
        ]
    } else {
        vec![
            t(Key::Hospital),
            t(Key::Level),
            t(Key::Cases),
            t(Key::Cmi),
            in_wan(style, Key::FfsEquivalent),
            in_wan(style, Key::Payment),
            in_wan(style, Key::Surplus),
            t(Key::FundRatio),
        ]
    };
    let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut out = String::new();
    for (title, list) in [(Key::Winners, winners), (Key::Losers, losers)] {
        let _ = write!(out, "### {}\n\n", style.t(title));
        if list.is_empty() {
            let _ = write!(out, "{}\n\n", style.t(Key::NoneWord));
            continue;
        }
        let body: Vec<Vec<String>> = list
            .iter()
            .map(|r| {
                let h = &r.result;
                let head = vec![
                    format!("{} {}", h.id, h.name),
                    level_word(h.level, style).to_string(),
                    fmt_num(h.drg_cases, 0),
                    format!("{:.3}", h.cmi),
                ];
                let tail = if vs {
                    vec![
                        wan_md(style, h.payment_yuan),
                        r.payment_change_yuan
                            .map(|y| wan_md(style, y))
                            .unwrap_or_default(),
                        r.payment_change_pct
                            .map(|p| format!("{p:+.2} %"))
                            .unwrap_or_default(),
                    ]
                } else {
                    vec![
                        wan_md(style, h.ffs_equivalent_yuan),
                        wan_md(style, h.payment_yuan),
                        wan_md(style, h.surplus_yuan),
                    ]
                };
                head.into_iter()
                    .chain(tail)
                    .chain([format!("{:.2} %", h.fund_settlement_ratio * 100.0)])
                    .collect()
            })
            .collect();
        out.push_str(&table(&hdr, &body));
        out.push('\n');
    }
    out
}

struct Totals {
    drg_cases: f64,
    ffs: f64,
    pay: f64,
    fund_ffs: f64,
    fund_pay: f64,
    cmi: f64,
    in_surplus: usize,
}

fn totals(s: &Settlement) -> Totals {
    let sum = |f: fn(&HospitalResult) -> f64| -> f64 { s.results.iter().map(f).sum() };
    let drg_cases = sum(|h| h.drg_cases);
    Totals {
        drg_cases,
        ffs: sum(|h| h.ffs_equivalent_yuan),
        pay: sum(|h| h.payment_yuan),
        fund_ffs: sum(|h| h.fund_ffs_yuan),
        fund_pay: sum(|h| h.fund_payment_yuan),
        cmi: sum(|h| h.cmi * h.drg_cases) / drg_cases,
        in_surplus: s.results.iter().filter(|h| h.surplus_yuan > 0.0).count(),
    }
}

/// `hospitals.md` in the report's language.
pub fn markdown(
    this: &Settlement,
    other: Option<&Settlement>,
    report: &HospitalReport,
    top: usize,
    style: Style,
) -> String {
    let t = |k| style.t(k);
    let mut s = format!(
        "# {}\n\n",
        fill(
            t(Key::HospitalsTitle),
            scenario_name(&this.model, style.lang)
        )
    );
    let intro = [
        this.fund.clone(),
        period(&this.model, this.year, style),
        style.unit.name(style.lang).to_string(),
        format!("{:.2}", this.reimbursement * 100.0),
    ]
    .iter()
    .fold(t(Key::HospitalsIntro).to_string(), |a, v| fill(&a, v));
    let _ = write!(s, "{intro}\n\n");
    let mut rows = Vec::new();
    let mut line = |st: &Settlement| {
        let x = totals(st);
        rows.push(vec![
            scenario_name(&st.model, style.lang),
            fmt_num(x.drg_cases, 0),
            fmt_num(x.cmi, 4),
            fmt_num(x.ffs / x.drg_cases, 2),
            wan_md(style, x.ffs),
            wan_md(style, x.pay),
            wan_md(style, x.fund_ffs),
            wan_md(style, x.fund_pay),
            format!("{:.2} %", 100.0 * x.fund_pay / x.fund_ffs),
            format!("{:.2} %", 100.0 * x.pay / x.ffs),
            fill(&fill(t(Key::OutOf), x.in_surplus), st.results.len()),
        ]);
    };
    line(this);
    if let Some(o) = other {
        line(o);
    }
    let headers = [
        t(Key::Scenario).to_string(),
        t(Key::DrgCases).to_string(),
        t(Key::Cmi).to_string(),
        t(Key::FfsPerCase).to_string(),
        in_wan(style, Key::FfsEquivalent),
        in_wan(style, Key::DrgPaid),
        in_wan(style, Key::FundFfs),
        in_wan(style, Key::FundDrg),
        t(Key::FundRatio).to_string(),
        t(Key::FullRatio).to_string(),
        t(Key::InSurplus).to_string(),
    ];
    let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
    s.push_str(&table(&hdr, &rows));
    let _ = write!(s, "\n## {}\n\n", t(Key::ByLevel));
    s.push_str(&levels_markdown(&report.levels, style));
    if !report.alliances.is_empty() {
        let _ = write!(s, "\n## {}\n\n", t(Key::ByAlliance));
        s.push_str(&alliances_markdown(&report.alliances, style));
    }
    if let Some(c) = this
        .model
        .funds
        .iter()
        .find(|f| f.id == this.fund)
        .and_then(|f| f.clearing)
        && c.level != ClearingLevel::Region
    {
        let x = totals(this);
        let clearing: f64 = this.results.iter().map(|h| h.clearing_yuan).sum();
        let after = this
            .results
            .iter()
            .filter(|h| h.surplus_yuan + h.clearing_yuan > 0.0)
            .count();
        let level = t(match c.level {
            ClearingLevel::Alliance => Key::AllianceLevel,
            _ => Key::HospitalLevel,
        });
        let text = [
            style.unit.name(style.lang).to_string(),
            wan_md(style, x.fund_pay),
            wan_md(style, clearing),
            wan_md(style, x.fund_pay + clearing),
            format!("{:.2}", 100.0 * (x.fund_pay + clearing) / x.fund_ffs),
            x.in_surplus.to_string(),
            after.to_string(),
        ]
        .iter()
        .fold(t(Key::ClearingText).to_string(), |a, v| fill(&a, v));
        let _ = write!(s, "\n## {}\n\n{text}\n", fill(t(Key::ClearingTitle), level));
    }
    let _ = write!(s, "\n## {}\n\n", fill(t(Key::TopMovers), top));
    s.push_str(&movers_markdown(&report.rows, top, style));
    s
}

/// The change-by-hospital chart: one bar per hospital sorted from the largest
/// gain to the largest loss, the extremes named.
fn change_chart(
    dir: &Path,
    this: &Settlement,
    other: Option<&Settlement>,
    report: &HospitalReport,
    style: Style,
) -> Result<(), ReportError> {
    let t = |k| style.t(k);
    let name = |m: &Model| scenario_name(m, style.lang);
    let (title, y_label, mut bars): (String, &str, Vec<(String, f64)>) = match other {
        Some(o) => (
            fill(
                &fill(t(Key::ChangeByHospital), name(&this.model)),
                name(&o.model),
            ),
            t(Key::ChangeAxis),
            report
                .rows
                .iter()
                .map(|r| {
                    (
                        r.result.id.clone(),
                        r.payment_change_pct.unwrap_or(f64::NAN),
                    )
                })
                .collect(),
        ),
        None => (
            fill(t(Key::SurplusByHospital), name(&this.model)),
            t(Key::SurplusAxis),
            report
                .rows
                .iter()
                .map(|r| {
                    (
                        r.result.id.clone(),
                        100.0 * r.result.surplus_yuan / r.result.ffs_equivalent_yuan,
                    )
                })
                .collect(),
        ),
    };
    bars.sort_by(|x, y| y.1.total_cmp(&x.1));
    // The named extremes say what they are: when every hospital gains, the
    // bottom five are the smallest gains, not losses (and the other way round).
    let finite = || bars.iter().map(|b| b.1).filter(|v| v.is_finite());
    let top = if finite().fold(f64::NEG_INFINITY, f64::max) < 0.0 {
        t(Key::SmallestLosses)
    } else {
        t(Key::LargestGains)
    };
    let bottom = if finite().fold(f64::INFINITY, f64::min) > 0.0 {
        t(Key::SmallestGains)
    } else {
        t(Key::LargestLosses)
    };
    let (labels, values) = bars.into_iter().unzip();
    chart::bar_chart(
        &dir.join("hospitals_change"),
        &Bars {
            title,
            y_label: y_label.into(),
            labels,
            values,
            x_label: t(Key::HospitalsRanked).into(),
            extremes: 5,
            extreme_titles: (top.into(), bottom.into()),
        },
    )
}

/// Writes every file of a hospitals report into `dir`; returns the Markdown.
pub fn write(
    dir: &Path,
    this: &Settlement,
    other: Option<&Settlement>,
    report: &HospitalReport,
    top: usize,
    style: Style,
) -> Result<String, ReportError> {
    let csv_path = dir.join("hospitals.csv");
    let csv = hospitals_csv(&report.rows).map_err(|e| ReportError::Write {
        path: csv_path.clone(),
        source: std::io::Error::other(e.to_string()),
    })?;
    super::finite::write_table(&csv_path, &csv)?;
    let md = markdown(this, other, report, top, style);
    super::finite::write_table(&dir.join("hospitals.md"), &md)?;
    change_chart(dir, this, other, report, style)?;
    super::workbook::write_command_reports(
        dir,
        style,
        &scenario_name(&this.model, style.lang),
        None,
        &[(sheet(style, Key::SheetHospitals, None), csv)],
        &md,
    )?;
    Ok(md)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_words_in_both_languages() {
        assert_eq!(level_word(Level::Tertiary, Style::ZH), "三级");
        assert_eq!(level_word(Level::Primary, Style::EN), "primary");
    }
}
