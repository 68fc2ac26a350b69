//! `[funds.<id>.rules]`: how the people who run a fund react to its state.
//!
//! A projection with no rules is a stress test ("nobody reacts for twelve
//! years"). Real funds react: the financing standard moves with the fund's
//! state, benefits are trimmed when the runway gets short, local finance covers
//! a deficit. Each rule here is read from the fund's state at the end of the
//! previous year (a one-year lag, as budgets and premium notices are set), so a
//! projection stays deterministic and a Monte Carlo path stays a pure function
//! of its draw. Every numeric field is a dated [`Param`], so a rule can tighten
//! over time and every threshold is a lever for the analyses.
//!
//! ```toml
//! # Taizhou 2021 (台州市政府第79次常务会议): a region whose resident fund ran a
//! # deficit may raise its standard 5 %; one holding 2 months or more may lower it 5 %.
//! [funds.resident.rules.premium]
//! deficit_raise = 0.05
//! lower_at_months = 2
//! surplus_lower = 0.05
//! ```

use super::Diagnostic;
use super::param::Param;
use super::registry;
use super::store::Years;
use serde::Deserialize;

/// The rule sections of one fund; each is optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesSpec {
    /// 筹资标准调整: the financing standard (premium and subsidy) moved by the fund's state.
    pub premium: Option<PremiumRuleSpec>,
    /// 待遇调整: reimbursement shares trimmed while the runway is short.
    pub benefit: Option<BenefitRuleSpec>,
    /// 财政兜底: local finance covers a shortfall below a balance line, up to a cap.
    pub backstop: Option<BackstopSpec>,
}

/// How a premium-rule step is applied.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StepMode {
    /// The step applies to the year's own dated standard and does not carry
    /// over: each year the region sits one step above, at, or below the path
    /// (Taizhou: each county against the city's uniform standard).
    #[default]
    OnPath,
    /// Steps compound year on year, within `cap` of the path.
    Cumulative,
}

/// What the premium rule moves.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AppliesTo {
    /// Both the individual premium and the subsidy (the whole 筹资标准).
    #[default]
    Both,
    /// The individual premium only.
    Premium,
    /// The government subsidy only.
    Subsidy,
}

/// `[funds.<id>.rules.premium]`: the financing standard follows the fund's state.
///
/// In year `t` (from `from` on), with `s` the surplus and `m` the months
/// payable at the end of `t - 1`:
/// `step = +deficit_raise` if `s < 0`, else `-surplus_lower` if `m >= lower_at_months`,
/// else 0; the standard is `path(t) x (1 + step)` (`on_path`) or
/// `path(t) x clamp(prod (1 + step), 1 - cap, 1 + cap)` (`cumulative`).
/// With `premium_share = q`, a change `d = (P + S) x (factor - 1)` of the
/// whole standard (premium `P`, subsidy `S` on their paths) is split
/// `P + q d`, `S + (1 - q) d`; without it each part is multiplied by the factor.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PremiumRuleSpec {
    /// First year the rule can move the standard (default: the year after the base year).
    pub from: Option<i32>,
    /// Relative raise the year after a deficit (0.05 = +5 %).
    #[serde(default = "zero")]
    pub deficit_raise: Param,
    /// Months payable at or above which the standard is lowered.
    #[serde(default = "never")]
    pub lower_at_months: Param,
    /// Relative cut the year after the balance covered `lower_at_months` (0.05 = -5 %).
    #[serde(default = "zero")]
    pub surplus_lower: Param,
    /// `on_path` (default) or `cumulative`.
    #[serde(default)]
    pub mode: StepMode,
    /// `cumulative` only: the standard stays within this share of its path (required there).
    pub cap: Option<f64>,
    /// `both` (default), `premium` or `subsidy`.
    #[serde(default)]
    pub applies_to: AppliesTo,
    /// `both` only: the share of the change in the whole standard (yuan)
    /// taken from the individual premium, the rest from the subsidy. Left
    /// out, both parts move by the same percentage. Sanmen 2021: 40 of the
    /// 75 yuan (personal 560 -> 520, fiscal 940 -> 905), 0.5333.
    pub premium_share: Option<Param>,
}

/// `[funds.<id>.rules.benefit]`: benefits trimmed while the runway is short.
///
/// In year `t`, with `m` the months payable at the end of `t - 1`: the cut `c`
/// (percentage points off both reimbursement shares) grows by `step` while
/// `m < below_months` and shrinks by `step` (to 0) once `m >= restore_at_months`;
/// a share never goes below `floor`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenefitRuleSpec {
    /// Months payable below which benefits are trimmed.
    pub below_months: Param,
    /// Percentage points cut per year (0.02 = 2 points).
    pub step: Param,
    /// Lowest reimbursement share the cut may leave (e.g. 0.5).
    pub floor: Param,
    /// Months payable at or above which the cut is restored step by step (default: never).
    #[serde(default = "never")]
    pub restore_at_months: Param,
}

/// `[funds.<id>.rules.backstop]`: local finance tops the balance up.
///
/// After the year's books, if the balance is below `below_months` of the
/// year's pooled spending, local finance pays the gap, at most `cap_wan`; the
/// transfer is its own revenue line (`fiscal_backstop_wan`), never part of premiums.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackstopSpec {
    /// Months payable the balance is topped up to (0 = only a negative balance is covered).
    #[serde(default = "zero")]
    pub below_months: Param,
    /// Most local finance pays in a year, 万元.
    pub cap_wan: Param,
}

fn zero() -> Param {
    Param::Const(0.0)
}

/// A threshold that is never reached.
fn never() -> Param {
    Param::Const(f64::INFINITY)
}

/// Checks a rule's dated field against its declaration in the registry.
fn check_param(issues: &mut Vec<Diagnostic>, path: &str, p: &Param, years: Years) {
    registry::check_dated(issues, path, registry::must_lookup(path), p, years);
}

/// Checks one fund's rules; `path` is `funds.<id>.rules`.
pub fn check(path: &str, r: &RulesSpec, years: Years, issues: &mut Vec<Diagnostic>) {
    if let Some(p) = &r.premium {
        let at = format!("{path}.premium");
        check_param(
            issues,
            &format!("{at}.deficit_raise"),
            &p.deficit_raise,
            years,
        );
        check_threshold(
            issues,
            &format!("{at}.lower_at_months"),
            &p.lower_at_months,
            years,
        );
        check_param(
            issues,
            &format!("{at}.surplus_lower"),
            &p.surplus_lower,
            years,
        );
        if let Some(from) = p.from
            && (from <= years.base_year || from > years.horizon)
        {
            issues.push(Diagnostic::field(
                    format!("{at}.from"),
                    format!(
                        "{from} is outside {}..={}: a rule reads last year's state, so it can start at the earliest the year after the base year",
                        years.base_year + 1,
                        years.horizon
                    ),
                ));
        }
        if let Some(q) = &p.premium_share {
            check_param(issues, &format!("{at}.premium_share"), q, years);
            if p.applies_to != AppliesTo::Both {
                issues.push(Diagnostic::field(
                    format!("{at}.premium_share"),
                    "splits a change of the whole standard between premium and subsidy, so it needs `applies_to = \"both\"` (the default)",
                ));
            }
        }
        match (p.mode, p.cap) {
            (StepMode::Cumulative, None) => issues.push(Diagnostic::field(
                format!("{at}.cap"),
                "a cumulative rule needs a `cap` (e.g. 0.15: the standard stays within 15 % of its path); steps with no cap run away",
            )),
            (StepMode::OnPath, Some(_)) => issues.push(Diagnostic::field(
                format!("{at}.cap"),
                "`cap` applies to `mode = \"cumulative\"` only; an on-path step never moves more than one step",
            )),
            (_, Some(c)) if !(c > 0.0 && c <= 1.0) => issues.push(Diagnostic::field(
                format!("{at}.cap"),
                format!("{c} is not a share in (0, 1]"),
            )),
            _ => {}
        }
    }
    if let Some(b) = &r.benefit {
        let at = format!("{path}.benefit");
        check_param(
            issues,
            &format!("{at}.below_months"),
            &b.below_months,
            years,
        );
        check_param(issues, &format!("{at}.step"), &b.step, years);
        check_param(issues, &format!("{at}.floor"), &b.floor, years);
        check_threshold(
            issues,
            &format!("{at}.restore_at_months"),
            &b.restore_at_months,
            years,
        );
        for t in 0..years.len() {
            let y = years.year(t);
            let (below, restore) = (
                b.below_months.at(y, years.base_year),
                b.restore_at_months.at(y, years.base_year),
            );
            if restore < below {
                issues.push(Diagnostic::field(
                    format!("{at}.restore_at_months"),
                    format!("is {restore} in {y}, below `below_months` ({below}): benefits would be cut and restored in the same state"),
                ));
                break;
            }
        }
    }
    if let Some(b) = &r.backstop {
        let at = format!("{path}.backstop");
        check_param(
            issues,
            &format!("{at}.below_months"),
            &b.below_months,
            years,
        );
        check_param(issues, &format!("{at}.cap_wan"), &b.cap_wan, years);
    }
}

/// A months threshold that may be left out (never reached).
fn check_threshold(issues: &mut Vec<Diagnostic>, path: &str, p: &Param, years: Years) {
    if !matches!(p, Param::Const(v) if v.is_infinite() && *v > 0.0) {
        check_param(issues, path, p, years);
    }
}
