//! Checks on a scenario's values: every problem is collected, none stops the
//! others from being found.

use super::Issue;
use super::param::Param;
use super::schema::{FundKind, FundSpec, ScenarioSpec};
use super::store::Years;

/// Allowed range of a dated parameter, checked in every projected year.
#[derive(Clone, Copy, Debug)]
pub struct Range {
    /// Smallest allowed value.
    pub lo: f64,
    /// Largest allowed value.
    pub hi: f64,
    /// What the parameter is, for the message ("a share", "a yearly rate").
    pub what: &'static str,
}

/// A share: 0 ..= 1.
pub const SHARE: Range = Range {
    lo: 0.0,
    hi: 1.0,
    what: "a share between 0 and 1",
};
/// An amount: 0 or more.
pub const NON_NEGATIVE: Range = Range {
    lo: 0.0,
    hi: f64::INFINITY,
    what: "an amount of 0 or more",
};
/// A multiplier on a profile rate: 0 ..= 10.
pub const MULTIPLIER: Range = Range {
    lo: 0.0,
    hi: 10.0,
    what: "a multiplier between 0 and 10",
};
/// A yearly growth rate: above -100 % and at most +100 %.
pub const GROWTH: Range = Range {
    lo: -0.99,
    hi: 1.0,
    what: "a yearly rate between -0.99 and 1 (0.04 = 4 %)",
};

/// Checks that `param` stays within `range` in every year of `years`, and that
/// a growth path never goes below -100 %.
pub fn check_param(issues: &mut Vec<Issue>, path: &str, param: &Param, years: Years, range: Range) {
    if let Param::Growth { growth, .. } = param {
        check_param(issues, &format!("{path}.growth"), growth, years, GROWTH);
    }
    for t in 0..years.len() {
        let y = years.year(t);
        let v = param.at(y, years.base_year);
        if !v.is_finite() || v < range.lo || v > range.hi {
            issues.push(Issue::new(
                path,
                format!("is {v} in {y}; it must be {}", range.what),
            ));
            return;
        }
    }
}

/// Checks the scenario as a whole (years, thresholds) and each fund.
pub fn check(spec: &ScenarioSpec, issues: &mut Vec<Issue>) -> Option<Years> {
    let m = &spec.scenario;
    let mut ok = true;
    if !(1990..=2100).contains(&m.base_year) {
        issues.push(Issue::new(
            "scenario.base_year",
            format!("{} is not a plausible base year (1990..=2100)", m.base_year),
        ));
        ok = false;
    }
    let horizon = m.horizon.unwrap_or(m.base_year + 12);
    if horizon < m.base_year {
        issues.push(Issue::new(
            "scenario.horizon",
            format!("horizon {horizon} is before the base year {}; set a later year or leave it out (default base year + 12)", m.base_year),
        ));
        ok = false;
    } else if horizon - m.base_year > 100 {
        issues.push(Issue::new(
            "scenario.horizon",
            format!("horizon {horizon} is more than 100 years after the base year"),
        ));
        ok = false;
    }
    if !(m.danger_months >= 0.0
        && m.warning_months >= m.danger_months
        && m.warning_months.is_finite())
    {
        issues.push(Issue::new(
            "scenario.warning_months",
            format!(
                "thresholds must satisfy 0 <= danger_months ({}) <= warning_months ({})",
                m.danger_months, m.warning_months
            ),
        ));
    }
    if !(m.settlement_period_share > 0.0 && m.settlement_period_share <= 1.0) {
        issues.push(Issue::new(
            "scenario.settlement_period_share",
            format!(
                "{} is not a share of a year in (0, 1] (0.5 = half a year)",
                m.settlement_period_share
            ),
        ));
    }
    if spec.funds.is_empty() {
        issues.push(Issue::new(
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
        check_fund(&format!("funds.{id}"), f, years, issues);
    }
    if !ok {
        return None;
    }
    Some(years)
}

fn check_fund(path: &str, f: &FundSpec, years: Years, issues: &mut Vec<Issue>) {
    let p = |s: &str| format!("{path}.{s}");
    if !f.opening_balance_wan.is_finite() {
        issues.push(Issue::new(
            p("opening_balance_wan"),
            "must be a finite amount in 万元",
        ));
    }
    check_param(
        issues,
        &p("interest_rate"),
        &f.interest_rate,
        years,
        Range {
            lo: -0.2,
            hi: 0.5,
            what: "a yearly interest rate between -0.2 and 0.5",
        },
    );
    if !(f.members.total > 0.0 && f.members.total.is_finite()) {
        issues.push(Issue::new(
            p("members.total"),
            format!("{} members: must be a positive count", f.members.total),
        ));
    }
    let d = &f.demography;
    check_param(
        issues,
        &p("demography.mortality_multiplier"),
        &d.mortality_multiplier,
        years,
        MULTIPLIER,
    );
    check_param(
        issues,
        &p("demography.fertility_multiplier"),
        &d.fertility_multiplier,
        years,
        MULTIPLIER,
    );
    check_param(
        issues,
        &p("demography.entrants"),
        &d.entrants,
        years,
        NON_NEGATIVE,
    );
    check_param(
        issues,
        &p("enrollment.decline"),
        &f.enrollment.decline,
        years,
        Range {
            lo: -0.5,
            hi: 0.9,
            what: "a yearly rate between -0.5 (growth) and 0.9",
        },
    );
    check_param(
        issues,
        &p("enrollment.selectivity"),
        &f.enrollment.selectivity,
        years,
        SHARE,
    );
    check_param(
        issues,
        &p("other_income_wan"),
        &f.other_income_wan,
        years,
        NON_NEGATIVE,
    );
    match (f.kind, &f.premiums, &f.contributions) {
        (FundKind::Resident, Some(r), c) => {
            if c.is_some() {
                issues.push(Issue::new(p("contributions"), "a resident fund is financed by [premiums], not [contributions]; remove this section"));
            }
            check_param(
                issues,
                &p("premiums.premium"),
                &r.premium,
                years,
                NON_NEGATIVE,
            );
            check_param(
                issues,
                &p("premiums.paying_share"),
                &r.paying_share,
                years,
                SHARE,
            );
            check_param(
                issues,
                &p("premiums.subsidy"),
                &r.subsidy,
                years,
                NON_NEGATIVE,
            );
            check_param(
                issues,
                &p("premiums.subsidy_heads_share"),
                &r.subsidy_heads_share,
                years,
                Range {
                    lo: 0.0,
                    hi: 2.0,
                    what: "a ratio of subsidised heads to members between 0 and 2",
                },
            );
            let s = &r.subsidy_split;
            let mut split_ok = true;
            for (name, v) in [
                ("central", s.central),
                ("provincial", s.provincial),
                ("local", s.local),
            ] {
                if !(0.0..=1.0).contains(&v) {
                    issues.push(Issue::new(
                        p(&format!("premiums.subsidy_split.{name}")),
                        format!("{v} is not a share between 0 and 1"),
                    ));
                    split_ok = false;
                }
            }
            let sum = s.central + s.provincial + s.local;
            if split_ok && (sum - 1.0).abs() > 1e-6 {
                issues.push(Issue::new(
                    p("premiums.subsidy_split"),
                    format!("central + provincial + local = {sum}, must be 1"),
                ));
            }
        }
        (FundKind::Employee, p_, Some(c)) => {
            if p_.is_some() {
                issues.push(Issue::new(p("premiums"), "an employee fund is financed by [contributions], not [premiums]; remove this section"));
            }
            check_param(
                issues,
                &p("contributions.wage"),
                &c.wage,
                years,
                NON_NEGATIVE,
            );
            check_param(issues, &p("contributions.rate"), &c.rate, years, SHARE);
            check_param(
                issues,
                &p("contributions.personal_account_share"),
                &c.personal_account_share,
                years,
                SHARE,
            );
            check_param(
                issues,
                &p("contributions.personal_account_use"),
                &c.personal_account_use,
                years,
                Range {
                    lo: 0.0,
                    hi: 2.0,
                    what: "a ratio of spending to inflow between 0 and 2",
                },
            );
        }
        (FundKind::Resident, None, _) => issues.push(Issue::new(
            p("premiums"),
            "a resident fund needs a [premiums] section (premium, subsidy, subsidy_split)",
        )),
        (FundKind::Employee, _, None) => issues.push(Issue::new(
            p("contributions"),
            "an employee fund needs a [contributions] section (wage, rate, personal_account_share)",
        )),
    }
    let s = &f.spending;
    check_param(
        issues,
        &p("spending.admission_growth"),
        &s.admission_growth,
        years,
        GROWTH,
    );
    check_param(
        issues,
        &p("spending.inpatient_cost_growth"),
        &s.inpatient_cost_growth,
        years,
        GROWTH,
    );
    check_param(
        issues,
        &p("spending.inpatient_reimbursement"),
        &s.inpatient_reimbursement,
        years,
        SHARE,
    );
    check_param(
        issues,
        &p("spending.outpatient_visit_growth"),
        &s.outpatient_visit_growth,
        years,
        GROWTH,
    );
    check_param(
        issues,
        &p("spending.outpatient_cost_growth"),
        &s.outpatient_cost_growth,
        years,
        GROWTH,
    );
    check_param(
        issues,
        &p("spending.outpatient_reimbursement"),
        &s.outpatient_reimbursement,
        years,
        SHARE,
    );
    check_param(
        issues,
        &p("spending.major_illness_per_member"),
        &s.major_illness_per_member,
        years,
        NON_NEGATIVE,
    );
    check_param(
        issues,
        &p("spending.other_wan"),
        &s.other_wan,
        years,
        NON_NEGATIVE,
    );
    check_param(
        issues,
        &p("spending.out_of_area_per_member"),
        &s.out_of_area_per_member,
        years,
        NON_NEGATIVE,
    );
    super::rules::check(&p("rules"), &f.rules, years, issues);
    for (year, o) in &f.history {
        let at = p(&format!("history.{year}"));
        if !(1990..=years.horizon).contains(year) {
            issues.push(Issue::new(
                &at,
                format!("{year} is not a year of record (1990..={})", years.horizon),
            ));
        }
        if let Some(m) = o.months {
            if !(m > 0.0 && m <= 12.0) {
                issues.push(Issue::new(
                    format!("{at}.months"),
                    format!("{m} is not a number of months in (0, 12]"),
                ));
            }
        }
        for (c, v, _) in o.figures() {
            let signed = c == "surplus_wan" || c == "balance_wan" || c == "months_payable";
            if !v.is_finite() || v.abs() > 1e9 || (!signed && v < 0.0) {
                issues.push(Issue::new(
                    format!("{at}.{c}"),
                    format!("{v} is not a plausible published figure"),
                ));
            }
        }
    }
}
