//! Policy rules evaluated inside the year loop: the fund's managers reacting to
//! its state at the end of the previous year (see [`crate::scenario::rules`]
//! for the file format and the published rules they encode).
//!
//! Everything here is `Copy` and allocation-free: the loop keeps one
//! [`RuleState`] per fund and asks it, year by year, for the factors to apply.

use crate::scenario::rules::{AppliesTo, RulesSpec, StepMode};
use crate::scenario::{Param, ParamId, ParamStore, ParamValues};

/// A fund's rules, compiled: handles of their dated parameters.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rules {
    /// Financing-standard rule.
    pub premium: Option<PremiumRule>,
    /// Benefit-trimming rule.
    pub benefit: Option<BenefitRule>,
    /// Fiscal backstop.
    pub backstop: Option<Backstop>,
}

/// Compiled [`crate::scenario::rules::PremiumRuleSpec`].
#[derive(Clone, Copy, Debug)]
pub struct PremiumRule {
    /// Index of the first year the rule can act.
    pub from_t: usize,
    /// Relative raise after a deficit.
    pub deficit_raise: ParamId,
    /// Months payable at or above which the standard is lowered.
    pub lower_at_months: ParamId,
    /// Relative cut after a comfortable balance.
    pub surplus_lower: ParamId,
    /// On the path or compounding.
    pub mode: StepMode,
    /// Cumulative mode: the factor stays within `1 +- cap`.
    pub cap: f64,
    /// What moves.
    pub applies_to: AppliesTo,
    /// Share of a change of the whole standard taken from the premium (`None`: proportional).
    pub premium_share: Option<ParamId>,
}

/// Compiled [`crate::scenario::rules::BenefitRuleSpec`].
#[derive(Clone, Copy, Debug)]
pub struct BenefitRule {
    /// Months payable below which benefits are trimmed.
    pub below_months: ParamId,
    /// Points cut per year.
    pub step: ParamId,
    /// Lowest share a cut may leave.
    pub floor: ParamId,
    /// Months payable at or above which the cut is restored.
    pub restore_at_months: ParamId,
}

/// Compiled [`crate::scenario::rules::BackstopSpec`].
#[derive(Clone, Copy, Debug)]
pub struct Backstop {
    /// Months payable the balance is topped up to.
    pub below_months: ParamId,
    /// Most paid in a year, 万元.
    pub cap_wan: ParamId,
}

impl Rules {
    /// Registers the rules' parameters under `path` (`funds.<id>.rules`).
    pub fn compile(path: &str, spec: &RulesSpec, store: &mut ParamStore) -> Rules {
        let mut add = |name: &str, p: &Param| store.add(format!("{path}.{name}"), p);
        let premium = spec.premium.as_ref().map(|p| PremiumRule {
            from_t: 0,
            deficit_raise: add("premium.deficit_raise", &p.deficit_raise),
            lower_at_months: add("premium.lower_at_months", &p.lower_at_months),
            surplus_lower: add("premium.surplus_lower", &p.surplus_lower),
            mode: p.mode,
            cap: p.cap.unwrap_or(0.0),
            applies_to: p.applies_to,
            premium_share: p
                .premium_share
                .as_ref()
                .map(|q| add("premium.premium_share", q)),
        });
        let benefit = spec.benefit.as_ref().map(|b| BenefitRule {
            below_months: add("benefit.below_months", &b.below_months),
            step: add("benefit.step", &b.step),
            floor: add("benefit.floor", &b.floor),
            restore_at_months: add("benefit.restore_at_months", &b.restore_at_months),
        });
        let backstop = spec.backstop.as_ref().map(|b| Backstop {
            below_months: add("backstop.below_months", &b.below_months),
            cap_wan: add("backstop.cap_wan", &b.cap_wan),
        });
        let years = store.years();
        let premium = premium.map(|mut r| {
            let from = spec
                .premium
                .as_ref()
                .and_then(|p| p.from)
                .unwrap_or(years.base_year + 1);
            r.from_t = years.index(from).unwrap_or(years.len());
            r
        });
        Rules {
            premium,
            benefit,
            backstop,
        }
    }

    /// Whether any rule is defined.
    pub fn any(&self) -> bool {
        self.premium.is_some() || self.benefit.is_some() || self.backstop.is_some()
    }
}

/// What the previous year left behind: the state the rules read.
#[derive(Clone, Copy, Debug)]
pub struct LastYear {
    /// Pooled surplus (revenue - expenditure), 万元.
    pub surplus_wan: f64,
    /// Months payable at year end.
    pub months_payable: f64,
}

/// The factors a year's formulas apply, as set by the rules.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Adjustments {
    /// Multiplier on the individual premium's dated path.
    pub premium_factor: f64,
    /// Multiplier on the subsidy's dated path.
    pub subsidy_factor: f64,
    /// Points taken off the reimbursement shares.
    pub benefit_cut: f64,
    /// Share of a change of the whole standard taken from the premium
    /// (`None`: each part multiplied by its factor), see [`Adjustments::standard`].
    pub premium_share: Option<f64>,
}

impl Adjustments {
    /// No rule acting.
    pub const NONE: Adjustments = Adjustments {
        premium_factor: 1.0,
        subsidy_factor: 1.0,
        benefit_cut: 0.0,
        premium_share: None,
    };

    /// The individual premium and subsidy in force (yuan a head) from their
    /// dated paths `premium` and `subsidy`: each times its factor, or with a
    /// premium share `q` and the common factor `f`, the change of the whole
    /// standard `d = (premium + subsidy) x (f - 1)` split `premium + q d`,
    /// `subsidy + (1 - q) d` ([`crate::scenario::rules::PremiumRuleSpec`]).
    pub fn standard(&self, premium: f64, subsidy: f64) -> (f64, f64) {
        match self.premium_share {
            Some(q) if self.premium_factor != 1.0 => {
                let d = (premium + subsidy) * (self.premium_factor - 1.0);
                (premium + q * d, subsidy + (1.0 - q) * d)
            }
            _ => (premium * self.premium_factor, subsidy * self.subsidy_factor),
        }
    }
}

/// The rules' memory across years (cumulative factors and cuts).
#[derive(Clone, Copy, Debug)]
pub struct RuleState {
    factor: f64,
    cut: f64,
}

impl Default for RuleState {
    fn default() -> Self {
        RuleState {
            factor: 1.0,
            cut: 0.0,
        }
    }
}

impl RuleState {
    /// The adjustments for year index `t`, from the end of year `t - 1`.
    /// The base year (`t = 0`) reproduces published figures: nothing acts.
    /// Inlined into the year loop, so a fund without rules costs a test or two.
    #[inline(always)]
    pub fn step(
        &mut self,
        rules: &Rules,
        p: &ParamValues,
        t: usize,
        last: LastYear,
    ) -> Adjustments {
        let mut adj = Adjustments::NONE;
        if t == 0 {
            return adj;
        }
        if let Some(r) = &rules.premium
            && t >= r.from_t
        {
            let step = if last.surplus_wan < 0.0 {
                p.get(r.deficit_raise, t)
            } else if last.months_payable >= p.get(r.lower_at_months, t) {
                -p.get(r.surplus_lower, t)
            } else {
                0.0
            };
            let factor = match r.mode {
                StepMode::OnPath => 1.0 + step,
                StepMode::Cumulative => {
                    self.factor = (self.factor * (1.0 + step)).clamp(1.0 - r.cap, 1.0 + r.cap);
                    self.factor
                }
            };
            match r.applies_to {
                AppliesTo::Both => {
                    adj.premium_factor = factor;
                    adj.subsidy_factor = factor;
                    adj.premium_share = r.premium_share.map(|q| p.get(q, t));
                }
                AppliesTo::Premium => adj.premium_factor = factor,
                AppliesTo::Subsidy => adj.subsidy_factor = factor,
            }
        }
        if let Some(b) = &rules.benefit {
            let step = p.get(b.step, t);
            if last.months_payable < p.get(b.below_months, t) {
                self.cut += step;
            } else if last.months_payable >= p.get(b.restore_at_months, t) {
                self.cut = (self.cut - step).max(0.0);
            }
            adj.benefit_cut = self.cut;
        }
        adj
    }
}

/// A reimbursement share after a benefit cut: `max(share - cut, min(share, floor))`
/// (a cut never takes a share below the floor, nor raises one already under it).
pub fn cut_share(share: f64, cut: f64, floor: f64) -> f64 {
    (share - cut).max(share.min(floor))
}

/// A year's fiscal backstop: the transfer and the year-end balance after it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Topup {
    /// Local finance's transfer, 万元: `min(cap, max(0, below_months x
    /// spending / 12 - balance))`.
    pub transfer_wan: f64,
    /// The balance after the transfer, 万元: exactly the line
    /// `below_months x spending / 12` when the cap does not bind, `balance +
    /// cap` when it does, `balance` when there is no shortfall.
    pub balance_wan: f64,
}

/// The fiscal backstop (财政兜底) for a year, where `balance` is the
/// year-end balance before the transfer (万元). A transfer the cap does not
/// bind lands the balance exactly on the line, not on `balance + (line -
/// balance)`, which rounds to a few units in the last place either side: a
/// fund topped up to zero (`below_months = 0`) then ends the year at 0, never
/// at a rounding residue below it that would count as depleted.
pub fn topup(b: &Backstop, p: &ParamValues, t: usize, balance: f64, spending: f64) -> Topup {
    let line = p.get(b.below_months, t) * spending / 12.0;
    let need = (line - balance).max(0.0);
    let cap = p.get(b.cap_wan, t);
    if need > cap {
        Topup {
            transfer_wan: cap,
            balance_wan: balance + cap,
        }
    } else if need > 0.0 {
        Topup {
            transfer_wan: need,
            balance_wan: line,
        }
    } else {
        Topup {
            transfer_wan: need,
            balance_wan: balance,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Years;
    use crate::scenario::rules::{BackstopSpec, BenefitRuleSpec, PremiumRuleSpec};

    fn store() -> ParamStore {
        ParamStore::new(Years {
            base_year: 2020,
            horizon: 2030,
        })
    }

    fn taizhou(mode: StepMode, cap: Option<f64>) -> RulesSpec {
        RulesSpec {
            premium: Some(PremiumRuleSpec {
                from: None,
                deficit_raise: Param::Const(0.05),
                lower_at_months: Param::Const(2.0),
                surplus_lower: Param::Const(0.05),
                mode,
                cap,
                applies_to: AppliesTo::Both,
                premium_share: None,
            }),
            ..RulesSpec::default()
        }
    }

    const DEFICIT: LastYear = LastYear {
        surplus_wan: -1.0,
        months_payable: 13.0,
    };
    const RICH: LastYear = LastYear {
        surplus_wan: 1.0,
        months_payable: 13.0,
    };
    const THIN: LastYear = LastYear {
        surplus_wan: 1.0,
        months_payable: 1.5,
    };

    #[test]
    fn taizhou_rule_raises_after_a_deficit_and_lowers_at_two_months() {
        let mut s = store();
        let r = Rules::compile(
            "funds.resident.rules",
            &taizhou(StepMode::OnPath, None),
            &mut s,
        );
        let p = s.values();
        let mut st = RuleState::default();
        assert_eq!(
            st.step(&r, p, 0, DEFICIT),
            Adjustments::NONE,
            "base year untouched"
        );
        assert_eq!(st.step(&r, p, 1, DEFICIT).premium_factor, 1.05);
        // Sanmen 2021: 1,500 x 0.95 = 1,425 yuan
        assert_eq!(1500.0 * st.step(&r, p, 1, RICH).premium_factor, 1425.0);
        assert_eq!(st.step(&r, p, 1, THIN).premium_factor, 1.0);
        // exactly at the threshold counts ("2个月(含)以上")
        let at = LastYear {
            surplus_wan: 0.0,
            months_payable: 2.0,
        };
        assert_eq!(st.step(&r, p, 1, at).subsidy_factor, 0.95);
        // on the path, steps do not compound
        assert_eq!(st.step(&r, p, 2, RICH).premium_factor, 0.95);
    }

    #[test]
    fn premium_share_splits_the_change_of_the_whole_standard() {
        // Sanmen 2021: the city's 940 + 560 lowered 5 %, 40 of the 75 yuan from the premium
        let adj = Adjustments {
            premium_factor: 0.95,
            subsidy_factor: 0.95,
            premium_share: Some(40.0 / 75.0),
            ..Adjustments::NONE
        };
        let (prem, sub) = adj.standard(560.0, 940.0);
        assert!(
            (prem - 520.0).abs() < 1e-9 && (sub - 905.0).abs() < 1e-9,
            "{prem} {sub}"
        );
        // without a share both parts move by the factor (893 + 532)
        let (prem, sub) = Adjustments {
            premium_share: None,
            ..adj
        }
        .standard(560.0, 940.0);
        assert!((prem - 532.0).abs() < 1e-9 && (sub - 893.0).abs() < 1e-9);
        // no step: the paths as they are, whatever the share
        let none = Adjustments {
            premium_share: Some(0.3),
            ..Adjustments::NONE
        };
        assert_eq!(none.standard(560.0, 940.0), (560.0, 940.0));
    }

    #[test]
    fn cumulative_steps_compound_within_the_cap() {
        let mut s = store();
        let r = Rules::compile(
            "funds.resident.rules",
            &taizhou(StepMode::Cumulative, Some(0.08)),
            &mut s,
        );
        let p = s.values();
        let mut st = RuleState::default();
        assert_eq!(st.step(&r, p, 1, DEFICIT).premium_factor, 1.05);
        assert_eq!(st.step(&r, p, 2, DEFICIT).premium_factor, 1.08, "capped");
        let f = st.step(&r, p, 3, RICH).premium_factor;
        assert!((f - 1.08 * 0.95).abs() < 1e-12, "{f}");
    }

    #[test]
    fn benefit_cut_grows_while_short_and_is_restored_above_the_line() {
        let mut s = store();
        let spec = RulesSpec {
            benefit: Some(BenefitRuleSpec {
                below_months: Param::Const(3.0),
                step: Param::Const(0.02),
                floor: Param::Const(0.5),
                restore_at_months: Param::Const(6.0),
            }),
            ..RulesSpec::default()
        };
        let r = Rules::compile("funds.resident.rules", &spec, &mut s);
        let p = s.values();
        let mut st = RuleState::default();
        assert_eq!(st.step(&r, p, 1, THIN).benefit_cut, 0.02);
        assert_eq!(st.step(&r, p, 2, THIN).benefit_cut, 0.04);
        let mid = LastYear {
            surplus_wan: 0.0,
            months_payable: 4.0,
        };
        assert_eq!(
            st.step(&r, p, 3, mid).benefit_cut,
            0.04,
            "held between the lines"
        );
        assert_eq!(st.step(&r, p, 4, RICH).benefit_cut, 0.02);
        assert_eq!(st.step(&r, p, 5, RICH).benefit_cut, 0.0);
        assert_eq!(st.step(&r, p, 6, RICH).benefit_cut, 0.0, "never negative");
        assert_eq!(cut_share(0.62, 0.04, 0.5), 0.58);
        assert_eq!(cut_share(0.52, 0.04, 0.5), 0.5, "floor");
        assert_eq!(cut_share(0.45, 0.04, 0.5), 0.45, "already under the floor");
    }

    #[test]
    fn backstop_covers_the_gap_up_to_the_cap() {
        let mut s = store();
        let spec = RulesSpec {
            backstop: Some(BackstopSpec {
                below_months: Param::Const(1.0),
                cap_wan: Param::Const(500.0),
            }),
            ..RulesSpec::default()
        };
        let r = Rules::compile("funds.resident.rules", &spec, &mut s);
        let b = r.backstop.unwrap();
        let p = s.values();
        // line = 1 month of 12,000 = 1,000
        assert_eq!(topup(&b, p, 1, 1_200.0, 12_000.0).transfer_wan, 0.0);
        assert_eq!(topup(&b, p, 1, 800.0, 12_000.0).transfer_wan, 200.0);
        assert_eq!(
            topup(&b, p, 1, -300.0, 12_000.0).transfer_wan,
            500.0,
            "capped"
        );
        // uncapped, the balance lands on the line exactly; capped, short of it
        assert_eq!(topup(&b, p, 1, 800.0, 12_000.0).balance_wan, 1_000.0);
        assert_eq!(topup(&b, p, 1, -300.0, 12_000.0).balance_wan, 200.0);
        assert_eq!(topup(&b, p, 1, 1_200.0, 12_000.0).balance_wan, 1_200.0);
    }
}
