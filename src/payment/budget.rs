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
//! - [`clear`](super::clearing::clear)`(B_t, A_t)`: the adjustment is added to
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

use super::clearing::{BaseRule, Corridor, clear, grown_budget, revenue_budget};
use super::corridor_spec::{BandsSpec, compile_corridor};
use super::engine::HospitalResult;
use crate::scenario::{Issue, Param, ParamId, ParamStore};
use serde::Deserialize;

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
}

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

impl ClearingSpec {
    /// Checks and registers the section's dated parameters under `path`.
    /// `point_value_budget` is the payment section's `budget_wan` when the
    /// payment is by point value: a region-level budget covering the DRG/DIP
    /// cases then sets the point value, starting from that budget unless the
    /// section gives its own.
    pub fn compile(
        &self,
        path: &str,
        point_value_budget: Option<ParamId>,
        store: &mut ParamStore,
        issues: &mut Vec<Issue>,
    ) -> Option<ClearingModel> {
        let sets_point_value = point_value_budget.is_some()
            && self.level == ClearingLevel::Region
            && self.covers == Covers::Drg;
        let fallback = point_value_budget.filter(|_| sets_point_value);
        let mut problems = Vec::new();
        let corridor = compile_corridor(
            &self.surplus_retention,
            &self.overspend_fund_share,
            self.next_base,
            self.surplus_cut,
            &mut problems,
        );
        for (field, m) in problems {
            issues.push(Issue::new(format!("{path}.{field}"), m));
        }
        let region = self.level == ClearingLevel::Region;
        if !region {
            for (field, set) in [
                ("budget_wan", self.budget_wan.is_some()),
                ("growth", self.growth.is_some()),
                ("growth_cap", self.growth_cap.is_some()),
                ("reserve_share", self.reserve_share.is_some()),
                ("covered_share", self.covered_share.is_some()),
            ] {
                if set {
                    issues.push(Issue::new(
                        format!("{path}.{field}"),
                        "budget rules apply to a region-level clearing; at hospital or alliance level each one's DRG/DIP payment is its budget",
                    ));
                }
            }
        } else {
            let need: &[(&str, bool)] = match self.budget_rule {
                BudgetRule::Growth => &[
                    (
                        "budget_wan",
                        self.budget_wan.is_some() || fallback.is_some(),
                    ),
                    ("growth", self.growth.is_some()),
                ],
                BudgetRule::Revenue => &[("reserve_share", self.reserve_share.is_some())],
                BudgetRule::Fixed => &[(
                    "budget_wan",
                    self.budget_wan.is_some() || fallback.is_some(),
                )],
            };
            for (field, set) in need {
                if !set {
                    issues.push(Issue::new(
                        format!("{path}.{field}"),
                        format!(
                            "budget_rule `{}` needs `{field}`",
                            match self.budget_rule {
                                BudgetRule::Growth => "growth",
                                BudgetRule::Revenue => "revenue",
                                BudgetRule::Fixed => "fixed",
                            }
                        ),
                    ));
                }
            }
        }
        let mut reg =
            |field: &str, p: Option<&Param>, default: f64, lo: f64, hi: f64, what: &str| {
                let full = format!("{path}.{field}");
                let par = p.cloned().unwrap_or(Param::Const(default));
                let id = store.add(full.clone(), &par);
                if p.is_some() {
                    for (t, v) in store.values().row(id).iter().enumerate() {
                        if !(v.is_finite() && *v >= lo && *v <= hi) {
                            issues.push(Issue::new(
                                full.clone(),
                                format!("is {v} in {}; {what}", store.years().year(t)),
                            ));
                            break;
                        }
                    }
                }
                id
            };
        let inf = f64::INFINITY;
        let own_budget = self.budget_wan.as_ref().map(|p| {
            reg(
                "budget_wan",
                Some(p),
                0.0,
                f64::MIN_POSITIVE,
                inf,
                "a budget is 万元 and must be above 0",
            )
        });
        let growth = reg(
            "growth",
            self.growth.as_ref(),
            0.0,
            -0.99,
            10.0,
            "a growth rate is above -1 (0.07 = +7 %)",
        );
        let growth_cap = self.growth_cap.as_ref().map(|p| {
            reg(
                "growth_cap",
                Some(p),
                0.0,
                -0.99,
                10.0,
                "a growth cap is above -1",
            )
        });
        let reserve_share = reg(
            "reserve_share",
            self.reserve_share.as_ref(),
            0.0,
            0.0,
            1.0,
            "a share is between 0 and 1",
        );
        let covered_share = reg(
            "covered_share",
            self.covered_share.as_ref(),
            1.0,
            0.0,
            1.0,
            "a share is between 0 and 1",
        );
        let budget_wan = own_budget.or(fallback);
        Some(ClearingModel {
            sets_point_value,
            level: self.level,
            covers: self.covers,
            rule: self.budget_rule,
            corridor: corridor?,
            budget_wan,
            growth,
            growth_cap,
            reserve_share,
            covered_share,
        })
    }
}

impl ClearingModel {
    /// The region-level budget of year index `t`, 万元, before spending is known:
    /// base year `budget_wan`; then the growth rule on `prev_base_wan`, the
    /// revenue rule on `pooled_revenue_wan`, or the fixed value.
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
    pub fn clear_region(&self, budget_wan: f64, actual_wan: f64) -> ClearingYear {
        let c = clear(budget_wan, actual_wan, &self.corridor);
        ClearingYear {
            budget_wan,
            adjustment_wan: c.adjustment,
            next_base_wan: c.next_base,
        }
    }
}

/// One hospital's (or alliance's) clearing, fund side: `on_account` is its
/// DRG/DIP fund payment (its budget), `cost` what the fund would have paid
/// fee-for-service. Returns the adjustment `final - on_account`.
pub fn clear_hospital(on_account: f64, cost: f64, c: &Corridor) -> f64 {
    if on_account <= 0.0 {
        return 0.0;
    }
    clear(on_account, cost, c).final_payment - on_account
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
