//! What the policy rules did in a projection (`firings`), and the same
//! scenario with the rules off (`without_rules`): read back from a compiled
//! model and its projection, above both `rules` and `run`.

use super::model::Model;
use super::run::Projection;

/// What a rule read from last year's books, as data: `rules.csv` words it
/// in English ([`Trigger::english`]), reports in their own language.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Trigger {
    /// A deficit of `wan` 万元 in `year` (premium rule: raise).
    Deficit {
        /// Deficit, 万元 (positive).
        wan: f64,
        /// Year of the deficit.
        year: i32,
    },
    /// `months` payable at the end of `year`; the standard is lowered at `at` or more.
    Months {
        /// Months payable.
        months: f64,
        /// Year whose end is read.
        year: i32,
        /// The rule's threshold.
        at: f64,
    },
    /// `months` payable at the end of `year`; benefits cut below `below`,
    /// restored at `restore` or more.
    Benefit {
        /// Months payable.
        months: f64,
        /// Year whose end is read.
        year: i32,
        /// Cut below.
        below: f64,
        /// Restored at or above.
        restore: f64,
    },
    /// Balance `wan` at the end of `year` before local finance's transfer.
    Balance {
        /// Balance before the transfer, 万元.
        wan: f64,
        /// Year.
        year: i32,
    },
}

impl Trigger {
    /// The `condition` column of `rules.csv` (stable English).
    pub fn english(&self) -> String {
        match *self {
            Trigger::Deficit { wan, year } => format!("deficit of {wan:.2}万 in {year}"),
            Trigger::Months { months, year, at } => {
                format!("{months:.2} months payable at the end of {year} (lowered at {at} or more)")
            }
            Trigger::Benefit {
                months,
                year,
                below,
                restore,
            } => format!(
                "{months:.2} months payable at the end of {year} (cut below {below}, restored at {restore} or more)"
            ),
            Trigger::Balance { wan, year } => {
                format!("balance {wan:.2}万 at the end of {year} before the transfer")
            }
        }
    }
}

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
    /// The same as data, for reports in other languages.
    pub trigger: Trigger,
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
            let mut push = |rule, trigger: Trigger, quantity, before: f64, after: f64| {
                out.push(Firing {
                    fund: f.id.clone(),
                    year: r.year,
                    rule,
                    condition: trigger.english(),
                    trigger,
                    quantity,
                    before,
                    after,
                })
            };
            if let Some(pr) = &rules.premium {
                let state = if last.surplus_wan < 0.0 {
                    Trigger::Deficit {
                        wan: -last.surplus_wan,
                        year: last.year,
                    }
                } else {
                    Trigger::Months {
                        months: last.months_payable,
                        year: last.year,
                        at: p.get(pr.lower_at_months, t),
                    }
                };
                for (q, path, now) in [
                    ("premium_yuan", f.p.premium, r.premium_yuan),
                    ("subsidy_yuan", f.p.subsidy, r.subsidy_yuan),
                ] {
                    let before = p.get(path, t);
                    if now != before {
                        push("premium", state, q, before, now);
                    }
                }
            }
            if let Some(b) = &rules.benefit
                && r.benefit_cut != last.benefit_cut
            {
                let state = Trigger::Benefit {
                    months: last.months_payable,
                    year: last.year,
                    below: p.get(b.below_months, t),
                    restore: p.get(b.restore_at_months, t),
                };
                push(
                    "benefit",
                    state,
                    "benefit_cut",
                    last.benefit_cut,
                    r.benefit_cut,
                );
            }
            if rules.backstop.is_some() && r.fiscal_backstop_wan > 0.0 {
                let state = Trigger::Balance {
                    wan: r.balance_wan - r.fiscal_backstop_wan,
                    year: r.year,
                };
                push(
                    "backstop",
                    state,
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
            let trigger = Trigger::Balance {
                wan: r.balance_wan - r.fiscal_backstop_wan,
                year: r.year,
            };
            out.insert(
                0,
                Firing {
                    fund: f.id.clone(),
                    year: r.year,
                    rule: "backstop",
                    condition: trigger.english(),
                    trigger,
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
