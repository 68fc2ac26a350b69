//! Budget rules (总额预算) and year-end clearing inside the projection: the
//! `[funds.<id>.clearing]` section, compiled, and the pure per-year functions
//! the year loop calls.
//!
//! ```toml
//! [funds.resident.clearing]
//! level = "region"            # "region" (the fund's budget), "hospital" (each hospital's DRG
//!                             # payment against its cost), or "alliance" (医共体, by the hospital
//!                             # table's `alliance` column)
//! covers = "drg"              # region level: what the budget covers: "drg" (DRG/DIP cases),
//!                             # "inpatient" (all inpatient) or "pooled" (all pooled spending)
//! budget_rule = "growth"      # "growth" on last year's cleared base, "revenue" (以收定支) or "fixed"
//! budget_wan = 174000         # growth: the base year's budget; fixed: every year's (dated)
//! growth = 0.07               # growth: yearly growth on the cleared base (dated)
//! growth_cap = 0.08           # optional cap on that growth (dated)
//! reserve_share = 0.05        # revenue: budget = pooled revenue x (1 - reserve) x covered_share
//! covered_share = 0.6         # revenue: share of pooled revenue for what the budget covers
//! surplus_retention = [{ up_to = 0.05, share = 0.85 }, { share = 0.5 }]
//! overspend_fund_share = 0.15
//! next_base = "cleared"       # "actual", "budget" or "cleared" (budget + fund's overspend share
//!                             # or budget - surplus_cut x surplus)
//! surplus_cut = 0.3
//! ```
//!
//! Region level, year t (all fund side, yuan):
//!
//! - budget `B_t`: `budget_wan` in the base year, then `grown_budget(base_(t-1),
//!   growth_t, cap_t)` (growth rule); `revenue_t x (1 - reserve_t) x covered_t`
//!   (revenue rule); `budget_wan_t` (fixed);
//! - actual `A_t`: the fund's spending on what the budget covers, paid on
//!   account through the year;
//! - [`super::clearing::clear`]`(B_t, A_t)`: the adjustment is added to
//!   the fund's spending, and `base_t` carries to next year.
//!
//! Under a point-value payment whose budget covers the DRG/DIP cases, the
//! budget rule sets the point value (the budget replaces `payment.budget_wan`).
//!
//! Hospital level: each hospital's fund-side DRG/DIP payment (its standard less
//! the patients' share, paid monthly on account) is its budget, and what the
//! fund would have paid fee-for-service is its actual spending; a surplus
//! (payment above cost) is kept by bands, a loss shared by bands, and the fund
//! recovers or adds the difference at year end. Alliance level: the same on
//! the sums over each alliance's hospitals, the adjustment shared among its
//! hospitals in proportion to their payment.

use super::clearing::{Corridor, clear, clear_hospital, grown_budget, revenue_budget};
use super::corridor_spec::compile_corridor;
use super::hospital_year::HospitalResult;
pub use crate::scenario::clearing::{BudgetRule, ClearingLevel, ClearingSpec, Covers};
use crate::scenario::registry;
use crate::scenario::{Diagnostic, Param, ParamId, ParamStore};

/// Compiled clearing rules of a fund.
#[derive(Clone, Copy, Debug)]
pub struct ClearingModel {
    /// Who is cleared.
    pub level: ClearingLevel,
    /// What a region-level budget covers.
    pub covers: Covers,
    /// Budget rule.
    pub rule: BudgetRule,
    /// Corridor.
    pub corridor: Corridor,
    /// The budget sets the point value (point-value payment, region level,
    /// covering the DRG/DIP cases): the year loop hands it to the payment engine.
    pub sets_point_value: bool,
    budget_wan: Option<ParamId>,
    growth: ParamId,
    growth_cap: Option<ParamId>,
    reserve_share: ParamId,
    covered_share: ParamId,
}

/// What the clearing step of a year hands back to the loop (万元).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ClearingYear {
    /// Budget (NaN at hospital/alliance level).
    pub budget_wan: f64,
    /// Adjustment added to the fund's spending.
    pub adjustment_wan: f64,
    /// Base carried to next year.
    pub next_base_wan: f64,
}

/// Checks a [`ClearingSpec`] and registers its dated parameters under `path`.
/// `point_value_budget` is the payment section's `budget_wan` when the
/// payment is by point value: a region-level budget covering the DRG/DIP
/// cases then sets the point value, starting from that budget unless the
/// section gives its own.
pub fn compile_clearing(
    spec: &ClearingSpec,
    path: &str,
    point_value_budget: Option<ParamId>,
    store: &mut ParamStore,
    issues: &mut Vec<Diagnostic>,
) -> Option<ClearingModel> {
    let sets_point_value = point_value_budget.is_some()
        && spec.level == ClearingLevel::Region
        && spec.covers == Covers::Drg;
    let fallback = point_value_budget.filter(|_| sets_point_value);
    let mut problems = Vec::new();
    let corridor = compile_corridor(
        &spec.surplus_retention,
        &spec.overspend_fund_share,
        spec.next_base,
        spec.surplus_cut,
        &mut problems,
    );
    for (field, m) in problems {
        issues.push(Diagnostic::field(format!("{path}.{field}"), m));
    }
    let region = spec.level == ClearingLevel::Region;
    if !region {
        for (field, set) in [
            ("budget_wan", spec.budget_wan.is_some()),
            ("growth", spec.growth.is_some()),
            ("growth_cap", spec.growth_cap.is_some()),
            ("reserve_share", spec.reserve_share.is_some()),
            ("covered_share", spec.covered_share.is_some()),
        ] {
            if set {
                issues.push(Diagnostic::field(
                    format!("{path}.{field}"),
                    "budget rules apply to a region-level clearing; at hospital or alliance level each one's DRG/DIP payment is its budget",
                ));
            }
        }
    } else {
        let need: &[(&str, bool)] = match spec.budget_rule {
            BudgetRule::Growth => &[
                (
                    "budget_wan",
                    spec.budget_wan.is_some() || fallback.is_some(),
                ),
                ("growth", spec.growth.is_some()),
            ],
            BudgetRule::Revenue => &[("reserve_share", spec.reserve_share.is_some())],
            BudgetRule::Fixed => &[(
                "budget_wan",
                spec.budget_wan.is_some() || fallback.is_some(),
            )],
        };
        for (field, set) in need {
            if !set {
                issues.push(Diagnostic::field(
                    format!("{path}.{field}"),
                    format!(
                        "budget_rule `{}` needs `{field}`",
                        match spec.budget_rule {
                            BudgetRule::Growth => "growth",
                            BudgetRule::Revenue => "revenue",
                            BudgetRule::Fixed => "fixed",
                        }
                    ),
                ));
            }
        }
    }
    // Registers `field` (or its declared default when absent) and checks
    // the given values against the parameter registry.
    let mut reg = |field: &str, p: Option<&Param>| {
        let full = format!("{path}.{field}");
        let d = registry::decl(&format!("clearing.{field}"));
        let par = p.cloned().unwrap_or(Param::Const(d.default.unwrap_or(0.0)));
        if p.is_some() {
            registry::check_dated(issues, &full, d, &par, store.years());
        }
        store.add(full, &par)
    };
    let own_budget = spec.budget_wan.as_ref().map(|p| reg("budget_wan", Some(p)));
    let growth = reg("growth", spec.growth.as_ref());
    let growth_cap = spec.growth_cap.as_ref().map(|p| reg("growth_cap", Some(p)));
    let reserve_share = reg("reserve_share", spec.reserve_share.as_ref());
    let covered_share = reg("covered_share", spec.covered_share.as_ref());
    let budget_wan = own_budget.or(fallback);
    Some(ClearingModel {
        sets_point_value,
        level: spec.level,
        covers: spec.covers,
        rule: spec.budget_rule,
        corridor: corridor?,
        budget_wan,
        growth,
        growth_cap,
        reserve_share,
        covered_share,
    })
}

impl ClearingModel {
    /// The region-level budget of year index `t`, 万元, before spending is known:
    /// base year `budget_wan`; then the growth rule on `prev_base_wan`, the
    /// revenue rule on `pooled_revenue_wan`, or the fixed value.
    #[inline]
    pub fn budget_wan(
        &self,
        t: usize,
        p: &crate::scenario::ParamValues,
        prev_base_wan: f64,
        pooled_revenue_wan: f64,
    ) -> f64 {
        let fixed = |t| self.budget_wan.map_or(f64::NAN, |id| p.get(id, t));
        match self.rule {
            BudgetRule::Growth if t == 0 => fixed(0),
            BudgetRule::Growth => grown_budget(
                prev_base_wan,
                p.get(self.growth, t),
                self.growth_cap.map_or(f64::NAN, |id| p.get(id, t)),
            ),
            BudgetRule::Revenue => revenue_budget(
                pooled_revenue_wan,
                p.get(self.reserve_share, t),
                p.get(self.covered_share, t),
            ),
            BudgetRule::Fixed => fixed(t),
        }
    }

    /// Clears a region-level year: `actual_wan` against `budget_wan`.
    #[inline]
    pub fn clear_region(&self, budget_wan: f64, actual_wan: f64) -> ClearingYear {
        let c = clear(budget_wan, actual_wan, &self.corridor);
        ClearingYear {
            budget_wan,
            adjustment_wan: c.adjustment,
            next_base_wan: c.next_base,
        }
    }
}

/// Sets each hospital's `clearing_yuan` for the `hospitals` report: per
/// hospital ([`clear_hospital`] on its fund payment and fund-side cost), or per
/// alliance on the alliance's sums with the adjustment shared among its
/// hospitals in proportion to their fund payment (hospitals without an
/// alliance are cleared alone). The adjustments add up to what
/// [`PaymentModel::hospital_clearing`](super::PaymentModel::hospital_clearing) puts in the projection.
pub fn clear_hospitals(results: &mut [HospitalResult], level: ClearingLevel, c: &Corridor) {
    match level {
        ClearingLevel::Region => {}
        ClearingLevel::Hospital => {
            for h in results.iter_mut() {
                h.clearing_yuan = clear_hospital(h.fund_payment_yuan, h.fund_ffs_yuan, c);
            }
        }
        ClearingLevel::Alliance => {
            let mut names: Vec<String> = results.iter().map(|h| h.alliance.clone()).collect();
            names.sort();
            names.dedup();
            for name in names {
                let members = |h: &&mut HospitalResult| {
                    if name.is_empty() {
                        false
                    } else {
                        h.alliance == name
                    }
                };
                let (pay, cost) = results
                    .iter_mut()
                    .filter(members)
                    .fold((0.0, 0.0), |(p, c), h| {
                        (p + h.fund_payment_yuan, c + h.fund_ffs_yuan)
                    });
                let adj = clear_hospital(pay, cost, c);
                for h in results.iter_mut().filter(members) {
                    h.clearing_yuan = if pay > 0.0 {
                        adj * h.fund_payment_yuan / pay
                    } else {
                        0.0
                    };
                }
            }
            for h in results.iter_mut().filter(|h| h.alliance.is_empty()) {
                h.clearing_yuan = clear_hospital(h.fund_payment_yuan, h.fund_ffs_yuan, c);
            }
        }
    }
}
