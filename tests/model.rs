//! Properties the model must have, whatever the calibration.

#![allow(clippy::needless_range_loop)]
mod common;
use common::{run, run_with};
use drgsim::fund::months_payable;

const ALL: &[&str] = &[
    "chuxiong-2023.toml",
    "jingzhou-2023.toml",
    "aging-fast.toml",
    "enrollment-decline.toml",
    "drg-rate-cut.toml",
    "drg-coverage-90.toml",
    "premium-up.toml",
    "qingyang-2025h1.toml",
    "recalibration-neutral.toml",
    "secondary-coefficient.toml",
    "fixed-rate-volume.toml",
    "point-value-volume.toml",
    "sanmen-2020.toml",
    "fengdu-2023.toml",
    "fengdu-without-vbp.toml",
];

#[test]
fn accounting_identity_holds_on_every_row() {
    for s in ALL {
        let (m, p) = run(s);
        for f in &p.funds {
            let opening = m
                .funds
                .iter()
                .find(|x| x.id == f.id)
                .unwrap()
                .opening_balance_wan;
            let mut prev = opening;
            for r in &f.rows {
                let tol = 1e-9 * r.balance_wan.abs().max(1.0);
                assert!(
                    (r.balance_wan - (prev + r.pooled_revenue_wan - r.pooled_expenditure_wan))
                        .abs()
                        < tol,
                    "{s} {} {}",
                    f.id,
                    r.year
                );
                assert!(
                    (r.surplus_wan - (r.pooled_revenue_wan - r.pooled_expenditure_wan)).abs() < tol
                );
                let parts = r.premium_wan
                    + r.subsidy_wan
                    + r.contributions_pooled_wan
                    + r.interest_wan
                    + r.other_income_wan
                    + r.fiscal_backstop_wan;
                assert!(
                    (r.pooled_revenue_wan - parts).abs() < tol,
                    "{s} revenue parts"
                );
                let spend = r.inpatient_wan
                    + r.outpatient_wan
                    + r.major_illness_wan
                    + r.out_of_area_wan
                    + r.other_spending_wan;
                assert!(
                    (r.pooled_expenditure_wan - spend).abs() < tol,
                    "{s} spending parts"
                );
                assert!(
                    (r.revenue_wan - r.pooled_revenue_wan - r.personal_account_revenue_wan).abs()
                        < tol
                );
                assert!(
                    (r.expenditure_wan
                        - r.pooled_expenditure_wan
                        - r.personal_account_spending_wan)
                        .abs()
                        < tol
                );
                assert!(
                    (r.subsidy_central_wan + r.subsidy_provincial_wan + r.subsidy_local_wan
                        - r.subsidy_wan)
                        .abs()
                        < tol
                );
                assert!(
                    (r.interest_wan
                        - prev
                            * m.values().get(
                                m.funds
                                    .iter()
                                    .find(|x| x.id == f.id)
                                    .unwrap()
                                    .p
                                    .interest_rate,
                                (r.year - m.years.base_year) as usize
                            ))
                    .abs()
                        < tol
                );
                prev = r.balance_wan;
            }
        }
    }
}

#[test]
fn months_payable_is_balance_over_monthly_pooled_spending() {
    for s in ALL {
        let (m, p) = run(s);
        for f in &p.funds {
            for r in &f.rows {
                let expect = r.balance_wan / (r.pooled_expenditure_wan / 12.0);
                assert!((r.months_payable - expect).abs() < 1e-9 * expect.abs().max(1.0));
                let status = m.thresholds.status(r.balance_wan, r.months_payable);
                assert_eq!(r.status, status);
                if r.balance_wan < 0.0 {
                    assert_eq!(r.status.to_string(), "depleted");
                }
            }
        }
    }
    assert_eq!(months_payable(120.0, 240.0), 6.0);
    assert!(months_payable(-1.0, 0.0).is_infinite());
}

#[test]
fn a_depleted_fund_keeps_its_negative_balance() {
    let (_, p) = run("chuxiong-2023.toml");
    let rows = &p.funds[0].rows;
    let first_neg = rows
        .iter()
        .position(|r| r.balance_wan < 0.0)
        .expect("the baseline depletes within the horizon");
    for w in rows[first_neg..].windows(2) {
        assert!(
            w[1].balance_wan < w[0].balance_wan,
            "deficits keep accumulating, no clamping"
        );
        assert_eq!(w[1].status.to_string(), "depleted");
    }
}

#[test]
fn faster_aging_never_raises_months_payable() {
    let (_, base) = run("chuxiong-2023.toml");
    let (_, fast) = run("aging-fast.toml");
    let b = &base.funds[0].rows;
    let f = &fast.funds[0].rows;
    assert_eq!(b[0].months_payable, f[0].months_payable, "same base year");
    for (x, y) in b.iter().zip(f).skip(1) {
        assert!(
            y.months_payable <= x.months_payable + 1e-12,
            "{}: {} > {}",
            x.year,
            y.months_payable,
            x.months_payable
        );
        assert!(y.members_60plus_share > x.members_60plus_share);
    }
    // also for every mortality path from slow to fast improvement
    let mut prev: Option<Vec<f64>> = None;
    for g in [0.0, -0.01, -0.02, -0.04, -0.06] {
        let p = run_with(
            "chuxiong-2023.toml",
            &[&format!(
                "funds.resident.demography.mortality_multiplier={{ base = 1.0, growth = {g} }}"
            )],
        );
        let months: Vec<f64> = p.funds[0].rows.iter().map(|r| r.months_payable).collect();
        if let Some(prev) = &prev {
            for (a, b) in prev.iter().zip(&months) {
                assert!(
                    b <= &(a + 1e-12),
                    "faster mortality improvement raised months payable"
                );
            }
        }
        prev = Some(months);
    }
}

#[test]
fn selective_decline_differs_visibly_from_uniform_decline() {
    let uni = run_with(
        "chuxiong-2023.toml",
        &[
            "funds.resident.enrollment.decline=0.034",
            "funds.resident.enrollment.selectivity=0",
        ],
    );
    let sel = run_with(
        "chuxiong-2023.toml",
        &[
            "funds.resident.enrollment.decline=0.034",
            "funds.resident.enrollment.selectivity=1",
        ],
    );
    let (u, s) = (
        uni.funds[0].rows.last().unwrap(),
        sel.funds[0].rows.last().unwrap(),
    );
    // about the same number of members leave ...
    assert!(
        (u.members / s.members - 1.0).abs() < 0.03,
        "{} vs {}",
        u.members,
        s.members
    );
    // ... but the selective fund is older, dearer per member and shorter of runway
    assert!(s.members_60plus_share > u.members_60plus_share + 0.02);
    assert!(s.spending_per_member_yuan > u.spending_per_member_yuan * 1.02);
    assert!(
        s.months_payable < u.months_payable - 1.0,
        "{} vs {}",
        s.months_payable,
        u.months_payable
    );
}

#[test]
fn reforms_move_the_runway_the_right_way() {
    let horizon = |s: &str| run(s).1.funds[0].rows.last().unwrap().months_payable;
    let base = horizon("chuxiong-2023.toml");
    assert!(horizon("premium-up.toml") > base);
    assert!(
        horizon("drg-rate-cut.toml") > base,
        "a lower base rate lowers fund spending"
    );
    assert!(
        horizon("drg-coverage-90.toml") > base,
        "DRG settles below FFS cost, so more coverage saves"
    );
    assert!(horizon("enrollment-decline.toml") < base);
    assert!(horizon("aging-fast.toml") < base);
}

#[test]
fn employee_fund_ages_into_retirement() {
    let (_, p) = run("jingzhou-2023.toml");
    let rows = &p.fund("employee").unwrap().rows;
    assert!(rows.last().unwrap().active_retired_ratio < rows[0].active_retired_ratio);
    let r = &rows[0];
    assert!(
        r.expenditure_wan > r.pooled_expenditure_wan,
        "personal accounts are outside the pool"
    );
}

#[test]
fn same_scenario_same_numbers() {
    let (_, a) = run("jingzhou-2023.toml");
    let (_, b) = run("jingzhou-2023.toml");
    for (fa, fb) in a.funds.iter().zip(&b.funds) {
        for (ra, rb) in fa.rows.iter().zip(&fb.rows) {
            let bits = |r: &drgsim::fund::YearRow| {
                r.numbers()
                    .iter()
                    .map(|x| x.to_bits())
                    .collect::<Vec<u64>>()
            };
            assert_eq!(bits(ra), bits(rb), "bit for bit");
        }
    }
}
