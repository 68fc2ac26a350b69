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
    /// What triggered it, in words (last year's state against the threshold;
    /// English, the `condition` column of `rules.csv`).
    pub condition: String,
    /// The same trigger as figures, for reports in the reader's language.
    pub cause: Cause,
    /// The quantity moved: `premium_yuan`, `subsidy_yuan`, `benefit_cut` or `fiscal_backstop_wan`.
    pub quantity: &'static str,
    /// Its value without the rule (the dated path, last year's cut, or 0).
    pub before: f64,
    /// Its value with the rule.
    pub after: f64,
}

/// What made a rule act: last year's state against the rule's threshold.
#[derive(Clone, Debug, PartialEq)]
pub enum Cause {
    /// A premium rule after a current-year deficit of `wan` (万元) in `year`.
    Deficit {
        /// The deficit, positive, in 万元.
        wan: f64,
        /// The year of the deficit.
        year: i32,
    },
    /// A premium rule on months payable at the end of `year` (lowered at
    /// `lower_at` months or more).
    Cushion {
        /// Months payable at the end of `year`.
        months: f64,
        /// The year.
        year: i32,
        /// The rule's threshold for lowering premiums.
        lower_at: f64,
    },
    /// A benefit rule on months payable at the end of `year` (cut below
    /// `below`, restored at `restore_at` or more).
    Runway {
        /// Months payable at the end of `year`.
        months: f64,
        /// The year.
        year: i32,
        /// Cut below this many months.
        below: f64,
        /// Restored at this many months or more.
        restore_at: f64,
    },
    /// A fiscal backstop: the balance (万元) at the end of `year` before the transfer.
    Shortfall {
        /// Balance before the transfer, in 万元.
        balance_wan: f64,
        /// The year.
        year: i32,
    },
}

impl Cause {
    /// The cause in English words (the `condition` column of `rules.csv`).
    pub fn english(&self) -> String {
        match *self {
            Cause::Deficit { wan, year } => format!("deficit of {wan:.2}万 in {year}"),
            Cause::Cushion {
                months,
                year,
                lower_at,
            } => format!(
                "{months:.2} months payable at the end of {year} (lowered at {lower_at} or more)"
            ),
            Cause::Runway {
                months,
                year,
                below,
                restore_at,
            } => format!(
                "{months:.2} months payable at the end of {year} (cut below {below}, restored at {restore_at} or more)"
            ),
            Cause::Shortfall { balance_wan, year } => {
                format!("balance {balance_wan:.2}万 at the end of {year} before the transfer")
            }
        }
    }
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
            let mut push = |rule, cause: &Cause, quantity, before: f64, after: f64| {
                out.push(Firing {
                    fund: f.id.clone(),
                    year: r.year,
                    rule,
                    condition: cause.english(),
                    cause: cause.clone(),
                    quantity,
                    before,
                    after,
                })
            };
            if let Some(pr) = &rules.premium {
                let state = if last.surplus_wan < 0.0 {
                    Cause::Deficit {
                        wan: -last.surplus_wan,
                        year: last.year,
                    }
                } else {
                    Cause::Cushion {
                        months: last.months_payable,
                        year: last.year,
                        lower_at: p.get(pr.lower_at_months, t),
                    }
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
                let state = Cause::Runway {
                    months: last.months_payable,
                    year: last.year,
                    below: p.get(b.below_months, t),
                    restore_at: p.get(b.restore_at_months, t),
                };
                push(
                    "benefit",
                    &state,
                    "benefit_cut",
                    last.benefit_cut,
                    r.benefit_cut,
                );
            }
            if rules.backstop.is_some() && r.fiscal_backstop_wan > 0.0 {
                let state = Cause::Shortfall {
                    balance_wan: r.balance_wan - r.fiscal_backstop_wan,
                    year: r.year,
                };
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
            let cause = Cause::Shortfall {
                balance_wan: r.balance_wan - r.fiscal_backstop_wan,
                year: r.year,
            };
            out.insert(
                0,
                Firing {
                    fund: f.id.clone(),
                    year: r.year,
                    rule: "backstop",
                    condition: cause.english(),
                    cause,
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
