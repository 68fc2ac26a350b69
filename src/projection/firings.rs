//! What the policy rules did in a projection (`firings`), and the same
//! scenario with the rules off (`without_rules`): read back from a compiled
//! model and its projection, above both `rules` and `run`.

use super::model::Model;
use super::run::Projection;

/// One rule acting in one year on one quantity: a line of `rules.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct Firing {
    /// Fund id.
    pub fund: String,
    /// Year the change is in force.
    pub year: i32,
    /// `premium`, `benefit` or `backstop`.
    pub rule: &'static str,
    /// What triggered it, in words (last year's state against the threshold).
    pub condition: String,
    /// The quantity moved: `premium_yuan`, `subsidy_yuan`, `benefit_cut` or `fiscal_backstop_wan`.
    pub quantity: &'static str,
    /// Its value without the rule (the dated path, last year's cut, or 0).
    pub before: f64,
    /// Its value with the rule.
    pub after: f64,
}

/// Every rule that moved something in a projection of `model` with its own
/// values, year by year (read back from the rows against the dated paths).
pub fn firings(model: &Model, projection: &Projection) -> Vec<Firing> {
    let p = model.values();
    let mut out = Vec::new();
    for (f, fp) in model.funds.iter().zip(&projection.funds) {
        let rules = &f.rules;
        for t in 1..fp.rows.len() {
            let (last, r) = (&fp.rows[t - 1], &fp.rows[t]);
            let mut push = |rule, condition: &str, quantity, before: f64, after: f64| {
                out.push(Firing {
                    fund: f.id.clone(),
                    year: r.year,
                    rule,
                    condition: condition.to_string(),
                    quantity,
                    before,
                    after,
                })
            };
            if let Some(pr) = &rules.premium {
                let state = if last.surplus_wan < 0.0 {
                    format!("deficit of {:.2}万 in {}", -last.surplus_wan, last.year)
                } else {
                    format!(
                        "{:.2} months payable at the end of {} (lowered at {} or more)",
                        last.months_payable,
                        last.year,
                        p.get(pr.lower_at_months, t)
                    )
                };
                for (q, path, now) in [
                    ("premium_yuan", f.p.premium, r.premium_yuan),
                    ("subsidy_yuan", f.p.subsidy, r.subsidy_yuan),
                ] {
                    let before = p.get(path, t);
                    if now != before {
                        push("premium", &state, q, before, now);
                    }
                }
            }
            if let Some(b) = &rules.benefit
                && r.benefit_cut != last.benefit_cut
            {
                let state = format!(
                    "{:.2} months payable at the end of {} (cut below {}, restored at {} or more)",
                    last.months_payable,
                    last.year,
                    p.get(b.below_months, t),
                    p.get(b.restore_at_months, t)
                );
                push(
                    "benefit",
                    &state,
                    "benefit_cut",
                    last.benefit_cut,
                    r.benefit_cut,
                );
            }
            if rules.backstop.is_some() && r.fiscal_backstop_wan > 0.0 {
                let state = format!(
                    "balance {:.2}万 at the end of {} before the transfer",
                    r.balance_wan - r.fiscal_backstop_wan,
                    r.year
                );
                push(
                    "backstop",
                    &state,
                    "fiscal_backstop_wan",
                    0.0,
                    r.fiscal_backstop_wan,
                );
            }
        }
        // The base year's backstop is a firing too (rows[0] has no predecessor).
        if let (Some(_), Some(r)) = (&rules.backstop, fp.rows.first())
            && r.fiscal_backstop_wan > 0.0
        {
            out.insert(
                0,
                Firing {
                    fund: f.id.clone(),
                    year: r.year,
                    rule: "backstop",
                    condition: format!(
                        "balance {:.2}万 at the end of {} before the transfer",
                        r.balance_wan - r.fiscal_backstop_wan,
                        r.year
                    ),
                    quantity: "fiscal_backstop_wan",
                    before: 0.0,
                    after: r.fiscal_backstop_wan,
                },
            );
        }
    }
    out
}

/// The same scenario with every rule switched off (`policy_rules = false`):
/// the stress view beside "rules as practised".
pub fn without_rules(model: &Model) -> Result<Model, crate::scenario::ScenarioError> {
    let mut raw = model.raw.clone();
    raw.set("scenario.policy_rules", toml::Value::Boolean(false))
        .map_err(|e| {
            crate::scenario::ScenarioError::Invalid(vec![
                crate::scenario::Diagnostic::command_line("scenario.policy_rules", e),
            ])
        })?;
    Model::from_raw(raw)
}
