//! The file form of clearing rules: a band schedule written as one share or a
//! list of bands, a corridor, and the standalone clearing file `drgsim clear`
//! reads (one or more budgets cleared once, e.g. Sanmen 2019).
//!
//! ```toml
//! [clearing]
//! name = "Sanmen 2019 global-budget clearing"
//! year = 2019
//!
//! [budgets.employee]
//! name = "employee fund (职工医保)"
//! budget = 316449463.25                 # yuan
//! actual = 318208435.08
//! surplus_retention = 0.85              # or [{ up_to = 0.05, share = 0.85 }, { share = 0.5 }]
//! overspend_fund_share = 0.15
//! next_base = "cleared"                 # "actual", "budget" or "cleared"
//! surplus_cut = 0.30                    # cleared base after a surplus: budget - 0.30 x surplus
//! growth = 0.07
//! published = { fund_covers = 263845.77, next_budget = 338883240.66 }
//! ```

use super::clearing::{Bands, BaseRule, Cleared, Corridor, clear, grown_budget, to_fen};
pub use crate::scenario::clearing::{BandsSpec, is_clearing_file};
use crate::scenario::error::ScenarioError;
use crate::scenario::source::RawScenario;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The checked schedule of a [`BandsSpec`], or the problem (prefixed with the
/// band when there are several).
pub fn compile_bands(spec: &BandsSpec) -> Result<Bands, String> {
    {
        match spec {
            BandsSpec::Flat(s) => {
                if s.is_finite() && (0.0..=1.0).contains(s) {
                    Ok(Bands::flat(*s))
                } else {
                    Err(format!("share {s} must lie between 0 and 1"))
                }
            }
            BandsSpec::Bands(b) => {
                Bands::new(b).map_err(|(i, m)| format!("band {} of {}: {m}", i + 1, b.len()))
            }
        }
    }
}

/// Compiles corridor rules; problems are pushed as `(field, message)`.
pub fn compile_corridor(
    surplus_retention: &BandsSpec,
    overspend_fund_share: &BandsSpec,
    next_base: BaseRule,
    surplus_cut: f64,
    problems: &mut Vec<(&'static str, String)>,
) -> Option<Corridor> {
    let sr = compile_bands(surplus_retention)
        .map_err(|m| problems.push(("surplus_retention", m)))
        .ok();
    let of = compile_bands(overspend_fund_share)
        .map_err(|m| problems.push(("overspend_fund_share", m)))
        .ok();
    if !(surplus_cut.is_finite() && (0.0..=1.0).contains(&surplus_cut)) {
        problems.push((
            "surplus_cut",
            format!("share {surplus_cut} must lie between 0 and 1"),
        ));
        return None;
    }
    Some(Corridor {
        surplus_retention: sr?,
        overspend_fund_share: of?,
        base_rule: next_base,
        surplus_cut,
    })
}

/// A standalone clearing file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearingFile {
    /// What is cleared.
    pub clearing: ClearingHeader,
    /// The budgets, by id.
    pub budgets: BTreeMap<String, BudgetClearing>,
}

/// `[clearing]` of a clearing file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearingHeader {
    /// Title.
    pub name: String,
    /// Year cleared.
    pub year: i32,
    /// Where the figures come from.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// One budget cleared once (amounts in yuan).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetClearing {
    /// Display name.
    pub name: String,
    /// Budget for the year (总额预算), yuan.
    pub budget: f64,
    /// Actual spending, yuan.
    pub actual: f64,
    /// Hospital's share of a surplus.
    pub surplus_retention: BandsSpec,
    /// Fund's share of an overspend.
    pub overspend_fund_share: BandsSpec,
    /// Next base rule (default `cleared`).
    #[serde(default)]
    pub next_base: BaseRule,
    /// Share of a surplus taken off the cleared base (default 0).
    #[serde(default)]
    pub surplus_cut: f64,
    /// Growth of the next budget over the base.
    pub growth: f64,
    /// Cap on that growth (none by default).
    pub growth_cap: Option<f64>,
    /// Published figures to check against (yuan), by result name.
    #[serde(default)]
    pub published: BTreeMap<String, f64>,
}

/// Result names a `published` table may use.
pub const RESULT_NAMES: &[&str] = &[
    "budget",
    "actual",
    "surplus",
    "overspend",
    "difference_rate",
    "retained",
    "fund_covers",
    "hospital_returns",
    "final_payment",
    "adjustment",
    "next_base",
    "next_budget",
];

/// One budget's clearing.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetResult {
    /// Budget id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The clearing.
    pub cleared: Cleared,
    /// Next year's budget.
    pub next_budget: f64,
    /// `(name, computed rounded to the fen, published)` for each published figure.
    pub checks: Vec<(String, f64, f64)>,
}

impl BudgetResult {
    /// A result by name (see [`RESULT_NAMES`]).
    pub fn get(&self, name: &str) -> Option<f64> {
        let c = &self.cleared;
        Some(match name {
            "budget" => c.budget,
            "actual" => c.actual,
            "surplus" => c.difference.max(0.0),
            "overspend" => (-c.difference).max(0.0),
            "difference_rate" => c.difference_rate,
            "retained" => c.retained,
            "fund_covers" => c.fund_covers,
            "hospital_returns" => c.hospital_returns,
            "final_payment" => c.final_payment,
            "adjustment" => c.adjustment,
            "next_base" => c.next_base,
            "next_budget" => self.next_budget,
            _ => return None,
        })
    }
}

/// Reads, checks and clears a clearing file. Every problem is reported with
/// file, line and field.
pub fn clear_file(
    file: &Path,
    sets: &[String],
) -> Result<(ClearingFile, Vec<BudgetResult>), ScenarioError> {
    let raw = RawScenario::load(file, sets)?;
    let spec: ClearingFile =
        match serde_path_to_error::deserialize(toml::Value::Table(raw.doc.clone())) {
            Ok(s) => s,
            Err(e) => {
                let path = e.path().to_string();
                let msg = e.into_inner().to_string();
                let msg = msg.lines().next().unwrap_or("").trim().to_string();
                return Err(ScenarioError::Invalid(vec![raw.diagnostic(&path, msg)]));
            }
        };
    let mut diags = Vec::new();
    let mut out = Vec::new();
    for (id, b) in &spec.budgets {
        let p = |f: &str| format!("budgets.{id}.{f}");
        let before = diags.len();
        for (field, v) in [("budget", b.budget), ("actual", b.actual)] {
            if !(v.is_finite() && v >= 0.0) {
                diags.push(raw.diagnostic(
                    &p(field),
                    format!("{field} is {v}; it is an amount in yuan and must be 0 or more"),
                ));
            }
        }
        if b.budget == 0.0 {
            diags.push(raw.diagnostic(
                &p("budget"),
                "a budget of 0 cannot be cleared (corridor bands are fractions of it)",
            ));
        }
        if !(b.growth.is_finite() && b.growth > -1.0) {
            diags.push(raw.diagnostic(
                &p("growth"),
                format!("growth {} must be above -1 (0.07 = +7 %)", b.growth),
            ));
        }
        if let Some(c) = b.growth_cap
            && !(c.is_finite() && c > -1.0)
        {
            diags.push(raw.diagnostic(&p("growth_cap"), format!("cap {c} must be above -1")));
        }
        for key in b.published.keys() {
            if !RESULT_NAMES.contains(&key.as_str()) {
                diags.push(raw.diagnostic(
                    &p(&format!("published.{key}")),
                    format!(
                        "unknown figure `{key}`; expected one of {}",
                        RESULT_NAMES.join(", ")
                    ),
                ));
            }
        }
        let mut problems = Vec::new();
        let corridor = compile_corridor(
            &b.surplus_retention,
            &b.overspend_fund_share,
            b.next_base,
            b.surplus_cut,
            &mut problems,
        );
        for (field, m) in problems {
            diags.push(raw.diagnostic(&p(field), m));
        }
        if diags.len() > before {
            continue;
        }
        let Some(corridor) = corridor else { continue };
        out.push(result(id, b, &corridor));
    }
    if !diags.is_empty() {
        return Err(ScenarioError::Invalid(diags));
    }
    Ok((spec, out))
}

fn result(id: &str, b: &BudgetClearing, c: &Corridor) -> BudgetResult {
    let cleared = clear(b.budget, b.actual, c);
    let next_budget = grown_budget(
        cleared.next_base,
        b.growth,
        b.growth_cap.unwrap_or(f64::NAN),
    );
    let mut r = BudgetResult {
        id: id.to_string(),
        name: b.name.clone(),
        cleared,
        next_budget,
        checks: Vec::new(),
    };
    r.checks = b
        .published
        .iter()
        .filter_map(|(k, &v)| {
            let x = r.get(k)?;
            let x = if k == "difference_rate" { x } else { to_fen(x) };
            Some((k.clone(), x, v))
        })
        .collect();
    r
}

/// Whether a computed figure matches a published one: within a fen (0.01 yuan)
/// for amounts, to the published rounding (0.01 %) for a rate.
///
/// Amounts are computed unrounded and rounded to the fen for display. Published
/// accounts round some intermediate amounts and not others (Sanmen 2019: the
/// resident base 353,630,928.09 subtracts the 30 % cut rounded to 717,399.86,
/// while the employee 2020 budget 338,883,240.66 is 1.07 x the unrounded base
/// 316,713,309.0245), so no one rounding convention gives every figure to the
/// fen; the unrounded computation is within a fen of each.
pub fn matches(name: &str, computed: f64, published: f64) -> bool {
    if name == "difference_rate" {
        (computed - published).abs() < 0.00005
    } else {
        (computed - published).abs() <= 0.01 + 1e-6
    }
}
