//! Published figures beside the model's: `history.csv` and the *Observed and
//! modelled* section of `summary.md`. Years before the base year are context
//! (the trend the growth assumptions come from); the base year and later show
//! the fit. Part-year flows are annualised (x 12 / months) before comparing.

use super::ReportError;
use super::labels::{self, Key, Style, fill};
use super::markdown::{fmt_num, table};
use crate::projection::{Model, Projection};
use std::path::Path;

/// One published figure against the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Fund id.
    pub fund: String,
    /// Year of record.
    pub year: i32,
    /// `projection.csv` column.
    pub column: &'static str,
    /// As published.
    pub published: f64,
    /// Months the published figure covers (12 for stocks and full years).
    pub months: f64,
    /// Published, annualised when it is a part-year flow.
    pub annualised: f64,
    /// The model's figure, when the year is projected.
    pub model: Option<f64>,
}

impl Comparison {
    /// `model / annualised - 1`, when both exist and the published figure is not 0.
    pub fn gap(&self) -> Option<f64> {
        self.model
            .filter(|_| self.annualised != 0.0)
            .map(|m| m / self.annualised - 1.0)
    }
}

/// Every published figure of every fund, in fund and year order.
pub fn comparisons(model: &Model, projection: &Projection) -> Vec<Comparison> {
    let mut out = Vec::new();
    for fp in &projection.funds {
        let Some(spec) = model.spec.funds.get(&fp.id) else {
            continue;
        };
        for (&year, o) in &spec.history {
            let months = o.months.unwrap_or(12.0);
            let row = fp.rows.iter().find(|r| r.year == year);
            for (column, published, flow) in o.figures() {
                let m = if flow { months } else { 12.0 };
                out.push(Comparison {
                    fund: fp.id.clone(),
                    year,
                    column,
                    published,
                    months: m,
                    annualised: published * 12.0 / m,
                    model: row.and_then(|r| match column {
                        "care_wan" => Some(r.inpatient_wan + r.outpatient_wan),
                        c => r.get(c),
                    }),
                });
            }
        }
    }
    out
}

/// Writes `history.csv`: `fund, year, column, published, months, annualised, model, gap`.
pub fn write_history_csv(path: &Path, rows: &[Comparison]) -> Result<(), ReportError> {
    let io = |e: csv::Error| ReportError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "fund",
        "year",
        "column",
        "published",
        "months",
        "annualised",
        "model",
        "gap",
    ])
    .map_err(io)?;
    let opt = |x: Option<f64>, d: usize| x.map(|v| format!("{v:.d$}")).unwrap_or_default();
    for c in rows {
        w.write_record([
            c.fund.as_str(),
            &c.year.to_string(),
            c.column,
            &format!("{:.4}", c.published),
            &format!("{}", c.months),
            &format!("{:.4}", c.annualised),
            &opt(c.model, 4),
            &opt(c.gap(), 6),
        ])
        .map_err(io)?;
    }
    let bytes = w.into_inner().map_err(|e| ReportError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })?;
    super::atomic::write_atomic(path, &bytes)
}

/// The `summary.md` section in the report's language; empty when the
/// scenario has no history.
pub fn summary_section(model: &Model, projection: &Projection, style: Style) -> String {
    let rows = comparisons(model, projection);
    if rows.is_empty() {
        return String::new();
    }
    let t = |k| style.t(k);
    let mut s = format!("\n## {}\n\n{}\n\n", t(Key::Observed), t(Key::ObservedIntro));
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|c| {
            let d = if c.column == "months_payable" { 1 } else { 0 };
            vec![
                fund_name(model, &c.fund, style),
                c.year.to_string(),
                super::headers::header_label(c.column, style),
                if c.months < 12.0 {
                    fill(&fill(t(Key::MonthsOf), fmt_num(c.published, d)), c.months)
                } else {
                    fmt_num(c.published, d)
                },
                fmt_num(c.annualised, d),
                c.model.map(|m| fmt_num(m, d)).unwrap_or_else(|| "—".into()),
                c.gap()
                    .map(|g| format!("{:+.1} %", g * 100.0))
                    .unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            t(Key::Fund),
            t(Key::Year),
            t(Key::Figure),
            t(Key::Published),
            t(Key::Annualised),
            t(Key::ModelValue),
            t(Key::ModelVsPublished),
        ],
        &body,
    ));
    s
}

/// The name of fund `id` in the report's language (the id when the model
/// has no such fund).
fn fund_name(model: &Model, id: &str, style: Style) -> String {
    model
        .funds
        .iter()
        .find(|f| f.id == id)
        .map_or(id.to_string(), |f| {
            labels::fund_name(model, &f.id, &f.name, f.kind, style.lang)
        })
}
