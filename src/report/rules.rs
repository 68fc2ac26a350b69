//! What the policy rules did: `rules.csv` (one line per rule, year and
//! quantity moved) and the summary section that sets "rules as practised"
//! beside the stress view in which nobody reacts.

use super::ReportError;
use super::labels::{self, Key, Style};
use super::markdown::{fmt_num, table};
use crate::fund::RunwaySummary;
use crate::projection::firings::{Firing, firings, without_rules};
use crate::projection::{Model, Projection, project};
use std::fmt::Write as _;
use std::path::Path;

/// Whether any fund of `model` has a rule that acts.
pub fn has_rules(model: &Model) -> bool {
    model.funds.iter().any(|f| f.rules.any())
}

/// Writes `rules.csv`: `fund, year, rule, condition, quantity, before, after`.
pub fn write_rules_csv(path: &Path, firings: &[Firing]) -> Result<(), ReportError> {
    let io = |e: csv::Error| ReportError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "fund",
        "year",
        "rule",
        "condition",
        "quantity",
        "before",
        "after",
    ])
    .map_err(io)?;
    for f in firings {
        w.write_record([
            f.fund.as_str(),
            &f.year.to_string(),
            f.rule,
            &f.condition,
            f.quantity,
            &format!("{:.4}", f.before),
            &format!("{:.4}", f.after),
        ])
        .map_err(io)?;
    }
    let bytes = w.into_inner().map_err(|e| ReportError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    })?;
    super::finite::write_table(path, &String::from_utf8_lossy(&bytes))
}

/// Which view a run is, for the top of `summary.md`.
pub fn view_line(model: &Model) -> &'static str {
    if has_rules(model) {
        "View: **rules as practised** — the policy rules in the scenario file react to each year's books (see *Policy rules* below, and `rules.csv`). Neither view is a forecast."
    } else if model.funds.iter().any(|f| {
        let r = &model.spec.funds[&f.id].rules;
        r.premium.is_some() || r.benefit.is_some() || r.backstop.is_some()
    }) {
        "View: **stress test** — the scenario's policy rules are switched off (`policy_rules = false`): nobody reacts to the fund's state."
    } else {
        "View: **stress test** — the scenario has no policy rules: nobody reacts to the fund's state, premiums follow their dated paths. Not a forecast."
    }
}

/// The `summary.md` section on the rules: both views side by side, then each firing.
/// Empty when no fund has a rule.
pub fn summary_section(model: &Model, projection: &Projection, style: Style) -> String {
    if !has_rules(model) {
        return String::new();
    }
    let t = |k| style.t(k);
    let mut s = format!("\n## {}\n\n", t(Key::PolicyRules));
    let stress = without_rules(model).map(|m| (project(&m), m));
    let surplus = style.money_label(t(Key::CumulativeSurplus));
    let headers = [
        t(Key::Fund),
        t(Key::View),
        t(Key::MonthsHorizon),
        t(Key::FirstWarning),
        t(Key::FirstDanger),
        t(Key::Depletion),
        surplus.as_str(),
    ];
    let mut rows = Vec::new();
    let mut add = |m: &Model, p: &Projection, view: &str| {
        for f in &p.funds {
            if let Some(r) = RunwaySummary::of(&f.rows, &m.thresholds) {
                rows.push(vec![
                    labels::fund_name(m, &f.id, &f.name, f.kind, style.lang),
                    view.to_string(),
                    style.months(r.horizon_months),
                    style.year_or_never(r.first_warning),
                    style.year_or_never(r.first_danger),
                    style.year_or_never(r.depletion),
                    style.money(r.cumulative_surplus_wan),
                ]);
            }
        }
    };
    add(model, projection, t(Key::RulesPractised));
    if let Ok((p, m)) = &stress {
        // A budget section stays on in the stress view: it is how hospitals are
        // paid, not a reaction to the fund's state; say so where there is one.
        if m.funds.iter().any(|f| f.clearing.is_some()) {
            add(m, p, t(Key::RulesOffKept));
        } else {
            add(m, p, t(Key::NoPolicyChange));
        }
    }
    s.push_str(&table(&headers, &rows));
    let fired = firings(model, projection);
    if fired.is_empty() {
        let _ = write!(s, "\n{}\n", t(Key::NoRuleFired));
        return s;
    }
    let _ = write!(s, "\n{}\n\n", t(Key::RuleFirings));
    let rows: Vec<Vec<String>> = fired
        .iter()
        .map(|f| {
            vec![
                model
                    .funds
                    .iter()
                    .find(|m| m.id == f.fund)
                    .map_or(f.fund.clone(), |m| {
                        labels::fund_name(model, &m.id, &m.name, m.kind, style.lang)
                    }),
                f.year.to_string(),
                labels::rule_word(f.rule, style),
                super::headers::header_label(f.quantity, style),
                fmt_num(f.before, 2),
                fmt_num(f.after, 2),
                labels::rule_condition(&f.cause, style),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            t(Key::Fund),
            t(Key::Year),
            t(Key::Rule),
            t(Key::Quantity),
            t(Key::Before),
            t(Key::After),
            t(Key::Because),
        ],
        &rows,
    ));
    let _ = writeln!(s);
    s
}
