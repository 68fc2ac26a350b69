//! The `[funds.<id>.clearing]` section and the corridor schedules of a
//! clearing as plain data; `payment::budget` and `payment::corridor_spec`
//! check and compile them (see `payment::budget` for the format and formulas).

use super::param::Param;
use serde::Deserialize;
use std::path::Path;

/// One band of a corridor schedule: the share applied to the part of the
/// difference up to `up_to` (fraction of the budget; `None` = open-ended).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Upper edge as a fraction of the budget (e.g. 0.05); absent on the last band.
    pub up_to: Option<f64>,
    /// Share of the difference in this band (hospital's share of a surplus, or
    /// the fund's share of an overspend), 0..=1.
    pub share: f64,
}

/// How the next year's budget base is set from the clearing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaseRule {
    /// Actual spending.
    Actual,
    /// This year's budget.
    Budget,
    /// The cleared budget: budget + the fund's share of an overspend, or budget
    /// minus `surplus_cut` x a surplus (Sanmen).
    #[default]
    Cleared,
}

/// A band schedule as written: one share for the whole difference, or bands.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum BandsSpec {
    /// One share.
    Flat(f64),
    /// Bands by fraction of the budget.
    Bands(Vec<Band>),
}

/// Who is cleared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClearingLevel {
    /// The fund's whole budget (a region or a county alliance holding it).
    #[default]
    Region,
    /// Each hospital: its DRG/DIP payment against its fee-for-service cost.
    Hospital,
    /// Each medical alliance (医共体) of the hospital table.
    Alliance,
}

/// What a region-level budget covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Covers {
    /// The fund's payment for DRG/DIP cases.
    #[default]
    Drg,
    /// The fund's payment for all inpatient care.
    Inpatient,
    /// All pooled spending.
    Pooled,
}

/// How the budget is set each year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetRule {
    /// Growth on last year's cleared base.
    #[default]
    Growth,
    /// Revenue-linked (以收定支).
    Revenue,
    /// As written, year by year.
    Fixed,
}

/// `[funds.<id>.clearing]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearingSpec {
    /// Who is cleared (default region).
    #[serde(default)]
    pub level: ClearingLevel,
    /// What a region-level budget covers (default `drg`).
    #[serde(default)]
    pub covers: Covers,
    /// Budget rule (default `growth`).
    #[serde(default)]
    pub budget_rule: BudgetRule,
    /// Base-year budget (growth) or every year's (fixed), 万元.
    pub budget_wan: Option<Param>,
    /// Growth on the cleared base.
    pub growth: Option<Param>,
    /// Cap on the growth.
    pub growth_cap: Option<Param>,
    /// Reserve share kept back from revenue (revenue rule).
    pub reserve_share: Option<Param>,
    /// Share of pooled revenue for what the budget covers (revenue rule, default 1).
    pub covered_share: Option<Param>,
    /// Hospital's share of a surplus.
    pub surplus_retention: BandsSpec,
    /// Fund's share of an overspend.
    pub overspend_fund_share: BandsSpec,
    /// Next base rule.
    #[serde(default)]
    pub next_base: BaseRule,
    /// Share of a surplus taken off the cleared base.
    #[serde(default)]
    pub surplus_cut: f64,
    /// Whether this budget is one of the fund's responses to its state (a
    /// budget that follows revenue, 以收定支) rather than how hospitals are
    /// paid anyway: then the stress view (`scenario.policy_rules = false`)
    /// drops it with the other rules. Default false.
    #[serde(default)]
    pub policy_rule: bool,
}

/// Whether a TOML document is a clearing file for `drgsim clear` (a
/// `[clearing]` header and `[budgets.*]`, no funds) rather than a scenario.
pub fn is_clearing_doc(doc: &toml::Table) -> bool {
    doc.contains_key("clearing") && doc.contains_key("budgets") && !doc.contains_key("funds")
}

/// Whether `file` is a clearing file (top-level `[clearing]` and `[budgets]`,
/// no `[funds]`) rather than a scenario. Unreadable files are not (the scenario
/// loader reports them).
pub fn is_clearing_file(file: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(file) else {
        return false;
    };
    text.parse::<toml::Table>()
        .is_ok_and(|doc| is_clearing_doc(&doc))
}
