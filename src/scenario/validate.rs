//! Checks on a scenario's values: every problem is collected, none stops the
//! others from being found. Ranges come from the parameter [`registry`];
//! the relations between values (years, thresholds, sections, the subsidy
//! split's sum) are checked here.

use super::Diagnostic;
use super::param::Param;
use super::registry::{self, Applies};
use super::schema::{FundKind, FundSpec, ScenarioSpec};
use super::source::RawScenario;
use super::store::Years;
use serde::Deserialize;

/// Checks the scenario as a whole (years, thresholds) and each fund.
pub fn check(
    spec: &ScenarioSpec,
    raw: &RawScenario,
    issues: &mut Vec<Diagnostic>,
) -> Option<Years> {
    let m = &spec.scenario;
    let mut ok = true;
    if !(1990..=2100).contains(&m.base_year) {
        issues.push(Diagnostic::field(
            "scenario.base_year",
            format!("{} is not a plausible base year (1990..=2100)", m.base_year),
        ));
        ok = false;
    }
    let horizon = m.horizon.unwrap_or(m.base_year + 12);
    if horizon < m.base_year {
        issues.push(Diagnostic::field(
            "scenario.horizon",
            format!("horizon {horizon} is before the base year {}; set a later year or leave it out (default base year + 12)", m.base_year),
        ));
        ok = false;
    } else if horizon - m.base_year > 100 {
        issues.push(Diagnostic::field(
            "scenario.horizon",
            format!("horizon {horizon} is more than 100 years after the base year"),
        ));
        ok = false;
    }
    if !(m.danger_months >= 0.0
        && m.warning_months >= m.danger_months
        && m.warning_months.is_finite())
    {
        issues.push(Diagnostic::field(
            "scenario.warning_months",
            format!(
                "thresholds must satisfy 0 <= danger_months ({}) <= warning_months ({})",
                m.danger_months, m.warning_months
            ),
        ));
    }
    if !(m.settlement_period_share > 0.0 && m.settlement_period_share <= 1.0) {
        issues.push(Diagnostic::field(
            "scenario.settlement_period_share",
            format!(
                "{} is not a share of a year in (0, 1] (0.5 = half a year)",
                m.settlement_period_share
            ),
        ));
    }
    if spec.funds.is_empty() {
        issues.push(Diagnostic::field(
            "funds",
            "the scenario has no fund; add a [funds.resident] or [funds.employee] section",
        ));
    }
    // With bad years the funds are still checked over the default span, so
    // their problems are reported in the same run.
    let years = if ok {
        Years {
            base_year: m.base_year,
            horizon,
        }
    } else {
        Years {
            base_year: m.base_year,
            horizon: m.base_year + 12,
        }
    };
    for (id, f) in &spec.funds {
        check_fund(raw, &format!("funds.{id}"), f, years, issues);
    }
    if !ok {
        return None;
    }
    Some(years)
}

fn check_fund(
    raw: &RawScenario,
    path: &str,
    f: &FundSpec,
    years: Years,
    issues: &mut Vec<Diagnostic>,
) {
    let p = |s: &str| format!("{path}.{s}");
    // Every declared parameter the file gives, against its declared range.
    // `payment.*` and `clearing.*` are checked where their sections compile,
    // `rules.*` with the rules (`rules::check`).
    for d in registry::PARAMS {
        if d.path.starts_with("payment.")
            || d.path.starts_with("clearing.")
            || d.path.starts_with("rules.")
        {
            continue;
        }
        let present = match d.applies {
            Applies::All => true,
            Applies::Resident => f.kind == FundKind::Resident && f.premiums.is_some(),
            Applies::Employee => f.kind == FundKind::Employee && f.contributions.is_some(),
        };
        if !present {
            continue;
        }
        // `{level}` stands for each hospital level and `all`.
        let paths: Vec<String> = if d.path.contains("{level}") {
            registry::LEVELS
                .iter()
                .map(|l| p(&d.path.replace("{level}", l)))
                .collect()
        } else {
            vec![p(d.path)]
        };
        for full in paths {
            let Some(value) = raw.get(&full) else {
                continue;
            };
            if d.lever {
                // A value that does not parse was reported by the deserializer.
                if let Ok(param) = Param::deserialize(value.clone()) {
                    registry::check_dated(issues, &full, d, &param, years);
                }
            } else if let Ok(v) = f64::deserialize(value.clone()) {
                registry::check_plain(issues, &full, d, v);
            }
        }
    }
    match (f.kind, &f.premiums, &f.contributions) {
        (FundKind::Resident, Some(r), c) => {
            if c.is_some() {
                issues.push(Diagnostic::field(p("contributions"), "a resident fund is financed by [premiums], not [contributions]; remove this section"));
            }
            let s = &r.subsidy_split;
            let split_ok = [s.central, s.provincial, s.local]
                .iter()
                .all(|v| (0.0..=1.0).contains(v));
            let sum = s.central + s.provincial + s.local;
            if split_ok && (sum - 1.0).abs() > 1e-6 {
                issues.push(Diagnostic::field(
                    p("premiums.subsidy_split"),
                    format!("central + provincial + local = {sum}, must be 1"),
                ));
            }
        }
        (FundKind::Employee, p_, Some(c)) => {
            if p_.is_some() {
                issues.push(Diagnostic::field(p("premiums"), "an employee fund is financed by [contributions], not [premiums]; remove this section"));
            }
            match (c.personal_account_share.is_some(), c.reform_accounts()) {
                (true, true) => issues.push(Diagnostic::field(
                    p("contributions.personal_account_share"),
                    "give either personal_account_share (a share of contributions) or the 2021 form (personal_account_rate, retiree_account_yuan), not both",
                )),
                (false, false) => issues.push(Diagnostic::field(
                    p("contributions.personal_account_share"),
                    "missing: give personal_account_share (a share of contributions credited to personal accounts), or the 2021 form (personal_account_rate = 0.02, retiree_account_yuan = yuan per retiree)",
                )),
                _ => {}
            }
        }
        (FundKind::Resident, None, _) => issues.push(Diagnostic::field(
            p("premiums"),
            "a resident fund needs a [premiums] section (premium, subsidy, subsidy_split)",
        )),
        (FundKind::Employee, _, None) => issues.push(Diagnostic::field(
            p("contributions"),
            "an employee fund needs a [contributions] section (wage, rate, personal_account_share or personal_account_rate and retiree_account_yuan)",
        )),
    }
    if f.spending.inpatient_reimbursement_by_level.any() && f.payment.groups.is_none() {
        issues.push(Diagnostic::field(
            p("spending.inpatient_reimbursement_by_level"),
            "reimbursement by hospital level needs the group form (`payment.groups` and a hospital table); use `inpatient_reimbursement` in the aggregate form",
        ));
    }
    super::rules::check(&p("rules"), &f.rules, years, issues);
    for (year, o) in &f.history {
        let at = p(&format!("history.{year}"));
        if !(1990..=years.horizon).contains(year) {
            issues.push(Diagnostic::field(
                &at,
                format!("{year} is not a year of record (1990..={})", years.horizon),
            ));
        }
        if let Some(m) = o.months
            && !(m > 0.0 && m <= 12.0)
        {
            issues.push(Diagnostic::field(
                format!("{at}.months"),
                format!("{m} is not a number of months in (0, 12]"),
            ));
        }
        for (c, v, _) in o.figures() {
            let signed = c == "surplus_wan" || c == "balance_wan" || c == "months_payable";
            if !v.is_finite() || v.abs() > 1e9 || (!signed && v < 0.0) {
                issues.push(Diagnostic::field(
                    format!("{at}.{c}"),
                    format!("{v} is not a plausible published figure"),
                ));
            }
        }
    }
}
