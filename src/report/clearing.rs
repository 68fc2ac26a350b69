//! `clearing.csv` (stable English columns), `clearing.md`, `report.xlsx` and
//! `report.html` of `drgsim clear`.

use super::headers::header_label;
use super::labels::{Key, Lang, Style, Unit, fill};
use super::markdown::{fmt_num, table};
use crate::payment::corridor_spec::{BudgetResult, ClearingFile, matches};
use std::fmt::Write as _;

/// Columns of `clearing.csv` after `budget_id, name` (yuan, rounded to the fen):
/// the result names a clearing file's `published` table may check.
pub const COLUMNS: &[&str] = crate::payment::corridor_spec::RESULT_NAMES;

/// `clearing.csv`: one row per budget.
pub fn clearing_csv(results: &[BudgetResult]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["budget_id", "name"];
    header.extend_from_slice(COLUMNS);
    let _ = w.write_record(&header);
    for r in results {
        let mut row = vec![r.id.clone(), r.name.clone()];
        for c in COLUMNS {
            let v = r.get(c).unwrap_or(f64::NAN);
            row.push(if *c == "difference_rate" {
                format!("{v:.6}")
            } else {
                format!("{v:.2}")
            });
        }
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// `clearing.md` in the report's language: per budget the clearing in the
/// report's unit (`--unit`), and the published figures side by side in yuan
/// to the fen (they are checked to the fen).
pub fn clearing_markdown(spec: &ClearingFile, results: &[BudgetResult], style: Style) -> String {
    let t = |k| style.t(k);
    let mut s = format!(
        "# {}\n\n{}\n\n",
        fill(
            &fill(t(Key::ClearingReportTitle), &spec.clearing.name),
            spec.clearing.year
        ),
        fill(t(Key::ClearingIntro), style.unit.name(style.lang))
    );
    let mut headers = vec![t(Key::Figure).to_string()];
    headers.extend(results.iter().map(|r| r.name.clone()));
    let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = COLUMNS
        .iter()
        .map(|k| {
            // Amounts in the report's unit (万元 to two places, 亿元 to
            // four), labelled with it; the rate as a percentage.
            let (label, _, div) = super::headers::shown(k, style);
            let mut row = vec![label];
            for r in results {
                let v = r.get(k).unwrap_or(f64::NAN);
                row.push(if *k == "difference_rate" {
                    format!("{:.2} %", v * 100.0)
                } else {
                    fmt_num(v / div, 2 + 2 * usize::from(style.unit == Unit::Yi))
                });
            }
            row
        })
        .collect();
    s.push_str(&table(&hdr, &rows));
    let any = results.iter().any(|r| !r.checks.is_empty());
    if any {
        let _ = write!(s, "\n## {}\n\n", t(Key::AgainstPublished));
        let mut rows = Vec::new();
        for r in results {
            for (k, x, v) in &r.checks {
                let (xs, vs, ds) = if k == "difference_rate" {
                    (
                        format!("{:.2} %", x * 100.0),
                        format!("{:.2} %", v * 100.0),
                        format!("{:.4} %", (x - v) * 100.0),
                    )
                } else {
                    (fmt_num(*x, 2), fmt_num(*v, 2), fmt_num(x - v, 2))
                };
                // The unit goes with the figure: amounts are checked in yuan (to the
                // fen), the rate in per cent.
                let figure = match (k == "difference_rate", style.lang) {
                    (true, _) => header_label(k, style),
                    (false, Lang::Zh) => format!("{}（元）", header_label(k, style)),
                    (false, Lang::En) => format!("{} (yuan)", header_label(k, style)),
                };
                rows.push(vec![
                    r.name.clone(),
                    figure,
                    xs,
                    vs,
                    ds,
                    t(
                        if (x - v).abs() < 0.005 || k == "difference_rate" && matches(k, *x, *v) {
                            Key::MatchYes
                        } else if matches(k, *x, *v) {
                            Key::MatchFen
                        } else {
                            Key::MatchNo
                        },
                    )
                    .to_string(),
                ]);
            }
        }
        s.push_str(&table(
            &[
                header_label("budget_id", style).as_str(),
                t(Key::Figure),
                t(Key::Computed),
                t(Key::Published),
                t(Key::Difference),
                t(Key::Matches),
            ],
            &rows,
        ));
    }
    if !spec.clearing.sources.is_empty() {
        let _ = write!(s, "\n{}: ", t(Key::Sources));
        s.push_str(&spec.clearing.sources.join("; "));
        s.push('\n');
    }
    s
}

/// Writes `clearing.csv`, `clearing.md`, `report.xlsx` and `report.html`
/// into `dir`; returns the Markdown.
pub fn write(
    dir: &std::path::Path,
    spec: &ClearingFile,
    results: &[BudgetResult],
    style: Style,
) -> Result<String, super::ReportError> {
    let csv = clearing_csv(results);
    super::finite::write_table(&dir.join("clearing.csv"), &csv)?;
    let md = clearing_markdown(spec, results, style);
    super::finite::write_table(&dir.join("clearing.md"), &md)?;
    super::workbook::write_command_reports(
        dir,
        style,
        &spec.clearing.name,
        None,
        &[(style.t(Key::SheetClearing).to_string(), csv)],
        &md,
    )?;
    Ok(md)
}
