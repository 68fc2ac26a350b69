//! `clearing.csv` and `clearing.md` of `drgsim clear`.

use super::markdown::{fmt_num, table};
use crate::payment::corridor_spec::{BudgetResult, ClearingFile, matches};

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

/// `clearing.md`: per budget the clearing, and published figures side by side.
pub fn clearing_markdown(spec: &ClearingFile, results: &[BudgetResult]) -> String {
    let mut s = format!(
        "# {} ({})\n\nAmounts in yuan, rounded to the fen. Surplus = budget - actual; \
         the hospital (alliance) keeps `retained` of a surplus, the fund covers `fund_covers` \
         of an overspend and the hospital returns the rest; final payment = actual + retained \
         or budget + fund_covers; next budget = next base x (1 + growth).\n\n",
        spec.clearing.name, spec.clearing.year
    );
    let labels = [
        ("budget", "budget (总额预算)"),
        ("actual", "actual spending"),
        ("surplus", "surplus (结余)"),
        ("overspend", "overspend (超支)"),
        ("difference_rate", "surplus / overspend rate"),
        ("retained", "kept by hospitals (结余留用)"),
        ("fund_covers", "covered by the fund (超支补助)"),
        ("hospital_returns", "returned by hospitals"),
        ("final_payment", "final payment"),
        ("adjustment", "clearing adjustment"),
        ("next_base", "next year's base (基数)"),
        ("next_budget", "next year's budget"),
    ];
    let mut headers = vec!["figure".to_string()];
    headers.extend(results.iter().map(|r| r.name.clone()));
    let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = labels
        .iter()
        .map(|(k, label)| {
            let mut row = vec![label.to_string()];
            for r in results {
                let v = r.get(k).unwrap_or(f64::NAN);
                row.push(if *k == "difference_rate" {
                    format!("{:.2} %", v * 100.0)
                } else {
                    fmt_num(v, 2)
                });
            }
            row
        })
        .collect();
    s.push_str(&table(&hdr, &rows));
    let any = results.iter().any(|r| !r.checks.is_empty());
    if any {
        s.push_str("\n## Against the published figures\n\n");
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
                rows.push(vec![
                    r.name.clone(),
                    k.clone(),
                    xs,
                    vs,
                    ds,
                    if (x - v).abs() < 0.005 || k == "difference_rate" && matches(k, *x, *v) {
                        "yes"
                    } else if matches(k, *x, *v) {
                        "within a fen"
                    } else {
                        "NO"
                    }
                    .to_string(),
                ]);
            }
        }
        s.push_str(&table(
            &[
                "budget",
                "figure",
                "computed",
                "published",
                "difference",
                "matches",
            ],
            &rows,
        ));
    }
    if !spec.clearing.sources.is_empty() {
        s.push_str("\nSources: ");
        s.push_str(&spec.clearing.sources.join("; "));
        s.push('\n');
    }
    s
}
