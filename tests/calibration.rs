//! Every bundled scenario reproduces its base year's published figures
//! (amounts in 万元). Sources: 楚雄州医疗保障局, 楚雄州2023年城乡居民基本医疗保险补助资金绩效评价报告, published 2024-08-30;
//! 荆州市人民政府, 关于全市医保基金监督管理工作情况的报告, 2024-08-29 (荆州市人民政府公报 2024年第二期);
//! 庆阳市医疗保障局, 庆阳市医保局"六个聚焦"优化医保基金绩效管理, 2025-07-21.
#![allow(clippy::needless_range_loop)]

mod common;
use common::{assert_close, run};

#[test]
fn chuxiong_2023_base_year() {
    let (_, p) = run("chuxiong-2023.toml");
    let r = &p.fund("resident").unwrap().rows[0];
    assert_eq!(r.year, 2023);
    assert_close("members", r.members, 2_182_400.0, 0.001);
    assert_close("revenue", r.revenue_wan, 226_339.0, 0.01);
    assert_close("premiums", r.premium_wan, 82_087.98, 0.01);
    assert_close("subsidies", r.subsidy_wan, 138_289.49, 0.01);
    assert_close("central subsidy", r.subsidy_central_wan, 110_521.00, 0.01);
    assert_close("expenditure", r.expenditure_wan, 242_367.0, 0.01);
    assert_close("major illness", r.major_illness_wan, 22_000.0, 0.01);
    assert_close(
        "basic benefits",
        r.inpatient_wan + r.outpatient_wan,
        217_543.51,
        0.01,
    );
    assert_close("balance", r.balance_wan, 140_688.35, 0.01);
    assert_close("surplus", r.surplus_wan, -16_028.06, 0.01);
    assert!(
        (r.surplus_rate - (-0.071)).abs() < 0.001,
        "surplus rate {}",
        r.surplus_rate
    );
    // Published 7.1 months; balance / (expenditure / 12) of the published figures is 6.97.
    assert!(
        (r.months_payable - 6.97).abs() < 0.05,
        "months {}",
        r.months_payable
    );
    assert!(
        (r.members_60plus_share - 0.216).abs() < 0.002,
        "60+ {}",
        r.members_60plus_share
    );
    assert!(
        (r.members_under20_share - 0.199).abs() < 0.002,
        "children {}",
        r.members_under20_share
    );
}

#[test]
fn jingzhou_2023_resident_base_year() {
    let (_, p) = run("jingzhou-2023.toml");
    let r = &p.fund("resident").unwrap().rows[0];
    assert_close("members", r.members, 4_433_000.0, 0.001);
    assert_close("revenue", r.revenue_wan, 471_000.0, 0.01);
    assert_close("expenditure", r.expenditure_wan, 457_200.0, 0.01);
    assert_close("balance", r.balance_wan, 297_100.0, 0.01);
    assert_close("current surplus", r.surplus_wan, 13_800.0, 0.02);
    // Published 7.71 months "expected"; the accounts' own ratio is 29.71 / 45.72 x 12 = 7.80.
    assert!(
        (r.months_payable - 7.80).abs() < 0.1,
        "months {}",
        r.months_payable
    );
}

#[test]
fn jingzhou_2023_employee_base_year() {
    let (_, p) = run("jingzhou-2023.toml");
    let r = &p.fund("employee").unwrap().rows[0];
    assert_close("members", r.members, 729_100.0, 0.001);
    assert_close("revenue", r.revenue_wan, 315_600.0, 0.01);
    assert_close("expenditure", r.expenditure_wan, 283_100.0, 0.01);
    assert_close("balance", r.balance_wan, 233_200.0, 0.01);
    assert_close("months over pooled spending", r.months_payable, 13.88, 0.01);
    assert_close("active/retired", r.active_retired_ratio, 1.73, 0.01);
    assert_close("retiree share", r.retirees / r.members, 0.3668, 0.01);
}

#[test]
fn jingzhou_employee_retirees_cost_4_23_times_active_workers_per_head() {
    let (m, p) = run("jingzhou-2023.toml");
    let f = m.funds.iter().find(|f| f.id == "employee").unwrap();
    let members = &p.fund("employee").unwrap().members_by_band[0];
    // Pooled spending per head, band by band, taken from the model's own base-year
    // totals: spending in a band is proportional to its admissions x cost and visits x cost.
    let pr = &f.profile;
    let r = &p.fund("employee").unwrap().rows[0];
    let ip_per_case_paid = r.inpatient_wan * 1e4 / r.inpatient_ffs_equivalent_wan / 1e4;
    let op_total: f64 = (0..drgsim::population::N_BANDS)
        .map(|b| members[b] * pr.outpatient_visits[b] * pr.outpatient_cost[b])
        .sum();
    let op_paid = r.outpatient_wan * 1e4 / op_total;
    let (mut ret_cost, mut ret_n, mut act_cost, mut act_n) = (0.0, 0.0, 0.0, 0.0);
    for b in 0..drgsim::population::N_BANDS {
        let per_head = pr.admissions[b] * pr.inpatient_cost[b] * ip_per_case_paid
            + pr.outpatient_visits[b] * pr.outpatient_cost[b] * op_paid;
        ret_cost += members[b] * pr.retired_share[b] * per_head;
        ret_n += members[b] * pr.retired_share[b];
        act_cost += members[b] * (1.0 - pr.retired_share[b]) * per_head;
        act_n += members[b] * (1.0 - pr.retired_share[b]);
    }
    let ratio = (ret_cost / ret_n) / (act_cost / act_n);
    assert_close("retiree/active pooled cost per head", ratio, 4.23, 0.01);
}

/// Sanmen County Medical Security Service Centre, 2020 work summary (2021-01-07).
#[test]
fn sanmen_2020_resident_base_year() {
    let (_, p) = run("sanmen-2020.toml");
    let f = p.fund("resident").unwrap();
    let r = &f.rows[0];
    assert_eq!(r.year, 2020);
    assert_close("members", r.members, 311_881.0, 0.001);
    assert_close("total financing", r.revenue_wan, 42_905.96, 0.01);
    // personal 480 + fiscal 860 = 1,340 yuan a head
    assert_close("premiums", r.premium_wan, 311_881.0 * 480.0 / 1e4, 0.01);
    assert_close("subsidy", r.subsidy_wan, 311_881.0 * 860.0 / 1e4, 0.01);
    assert_close("expenditure", r.expenditure_wan, 31_069.08, 0.01);
    assert_close(
        "inpatient incl. major illness",
        r.inpatient_wan + r.major_illness_wan,
        21_724.78,
        0.01,
    );
    assert_close("major illness", r.major_illness_wan, 1_414.57, 0.01);
    assert_close("outpatient", r.outpatient_wan, 9_300.69, 0.01);
    assert_close("inpatient cases", r.inpatient_cases, 44_275.0, 0.01);
    assert_close("balance", r.balance_wan, 35_657.5, 0.01);
    // revenue - expenditure of the published figures (the file says why not 12,484.52)
    assert_close("surplus", r.surplus_wan, 11_836.88, 0.01);
    // 2021: 298,052 residents paid for the year (published)
    assert_close("members 2021", f.rows[1].members, 298_052.0, 0.01);
}

#[test]
fn sanmen_2020_employee_base_year() {
    let (_, p) = run("sanmen-2020.toml");
    let r = &p.fund("employee").unwrap().rows[0];
    assert_close("members", r.members, 98_166.0, 0.001);
    assert_close("revenue", r.revenue_wan, 43_993.22, 0.01);
    assert_close(
        "pooled spending: care + civil-servant supplement",
        r.pooled_expenditure_wan,
        19_649.24 + 1_243.65,
        0.01,
    );
    assert_close(
        "inpatient incl. major illness",
        r.inpatient_wan + r.major_illness_wan,
        8_780.21,
        0.01,
    );
    assert_close("outpatient", r.outpatient_wan, 10_869.03, 0.01);
    assert_close("inpatient cases", r.inpatient_cases, 12_183.0, 0.01);
    assert_close(
        "personal accounts",
        r.personal_account_spending_wan,
        9_737.26,
        0.01,
    );
    assert_close("surplus", r.surplus_wan, 13_362.85, 0.01);
    assert_close("balance", r.balance_wan, 89_462.85, 0.01);
}

/// 丰都县医疗保障局, 2023 performance self-evaluation: members and January-November
/// in-area pooled spending, annualised x 12/11 in the scenario (the report is silent
/// on December, revenue and balances; the file says what it assumes).
#[test]
fn fengdu_2023_base_year() {
    let (_, p) = run("fengdu-2023.toml");
    let res = &p.fund("resident").unwrap().rows[0];
    let emp = &p.fund("employee").unwrap().rows[0];
    assert_eq!(res.year, 2023);
    assert_close("resident members", res.members, 586_640.0, 0.001);
    assert_close("employee members", emp.members, 57_028.0, 0.001);
    assert_close(
        "resident in-area pooled spending, Jan-Nov",
        (res.inpatient_wan + res.outpatient_wan) * 11.0 / 12.0,
        38_503.49,
        0.01,
    );
    assert_close(
        "employee in-area pooled spending, Jan-Nov",
        (emp.inpatient_wan + emp.outpatient_wan) * 11.0 / 12.0,
        11_148.91,
        0.01,
    );
    // 640 yuan a head of subsidy (published county indicator)
    assert_close("subsidy", res.subsidy_wan, 586_640.0 * 640.0 / 1e4, 0.01);
}

/// Every published figure a bundled scenario records under `history` for a
/// projected year is reproduced: within 1 %, months payable within 2 %
/// (regions divide by total, not pooled, spending or by an expected figure),
/// and the one documented exception, Sanmen's resident surplus, off by the
/// assistance-paid premiums the report counts in it (645.65万).
#[test]
fn published_history_is_reproduced() {
    let mut checked = 0;
    for s in [
        "chuxiong-2023.toml",
        "jingzhou-2023.toml",
        "sanmen-2020.toml",
        "fengdu-2023.toml",
    ] {
        let (m, p) = run(s);
        for c in drgsim::report::comparisons(&m, &p) {
            let (Some(model), Some(gap)) = (c.model, c.gap()) else {
                continue;
            };
            checked += 1;
            let what = format!("{s} {} {} {}", c.fund, c.year, c.column);
            if s == "sanmen-2020.toml" && c.fund == "resident" && c.column == "surplus_wan" {
                assert!(
                    (c.annualised - model - 645.65).abs() < 5.0,
                    "{what}: {model} vs {}",
                    c.annualised
                );
            } else if c.column == "months_payable" {
                assert!(gap.abs() <= 0.02, "{what}: {model} vs {}", c.annualised);
            } else {
                assert_close(&what, model, c.annualised, 0.01);
            }
        }
    }
    assert!(checked >= 25, "only {checked} figures compared");
}

/// Jingzhou pays by DIP with a floating point value: in every year the fund's
/// DIP payment is its budget (no float band is set), and the point value is
/// the budget plus the patients' payments on the same cases over the points.
#[test]
fn jingzhou_dip_point_value_pays_the_budget() {
    let (m, p) = run("jingzhou-2023.toml");
    for f in ["resident", "employee"] {
        let fm = m.funds.iter().find(|x| x.id == f).unwrap();
        let budget = m
            .store
            .find(&format!("funds.{f}.payment.budget_wan"))
            .unwrap();
        let rows = &p.fund(f).unwrap().rows;
        for (t, r) in rows.iter().enumerate() {
            let b = m.values().get(budget, t);
            assert_close(
                &format!("{f} {} DIP fund payment", r.year),
                r.drg_fund_payment_wan,
                b,
                1e-9,
            );
            assert!(r.point_value.is_finite() && r.point_value > 0.0);
        }
        // the budget grows 3.5 % a year; the point value floats with the points
        let b0 = m.values().get(budget, 0);
        let b1 = m.values().get(budget, 1);
        assert_close("budget growth", b1 / b0, 1.035, 1e-12);
        assert_ne!(
            rows[1].point_value,
            rows[0].point_value * 1.035,
            "{}",
            fm.id
        );
    }
}

/// Against its counterfactual without DIP's effects, the baseline shows the
/// published before/after figures (2024-08-29 report): admissions -5.46 %,
/// cost per case -10.83 %, total inpatient cost -15.70 %, hospitals'
/// settlement ratio +12.12 %, each within 1 % of the published change.
#[test]
fn jingzhou_dip_effects_match_the_published_figures() {
    let (_, with) = run("jingzhou-2023.toml");
    let (_, without) = run("jingzhou-without-dip.toml");
    for f in ["resident", "employee"] {
        let a = &with.fund(f).unwrap().rows[0];
        let b = &without.fund(f).unwrap().rows[0];
        let change = |x: f64, y: f64| x / y - 1.0;
        let cpc = |r: &drgsim::fund::YearRow| r.inpatient_ffs_equivalent_wan / r.inpatient_cases;
        assert_close(
            "admissions",
            change(a.inpatient_cases, b.inpatient_cases),
            -0.0546,
            0.01,
        );
        assert_close("cost per case", change(cpc(a), cpc(b)), -0.1083, 0.01);
        assert_close(
            "total inpatient cost",
            change(
                a.inpatient_ffs_equivalent_wan,
                b.inpatient_ffs_equivalent_wan,
            ),
            -0.1570,
            0.01,
        );
        assert_close(
            "settlement ratio",
            change(a.settlement_ratio_full_cost, b.settlement_ratio_full_cost),
            0.1212,
            0.01,
        );
        // DIP is worth runway: without it the fund spends more
        assert!(b.pooled_expenditure_wan > a.pooled_expenditure_wan);
    }
}

/// Personal accounts after the 2021 reform: the employee fund credits the
/// workers' own 2 % and a fixed 724.7 yuan per retiree, worked by hand from
/// the model's own head counts and contribution base.
#[test]
fn jingzhou_personal_accounts_follow_the_2021_form() {
    let (m, p) = run("jingzhou-2023.toml");
    let wage = m.store.find("funds.employee.contributions.wage").unwrap();
    for (t, r) in p.fund("employee").unwrap().rows.iter().enumerate() {
        let w = m.values().get(wage, t);
        let want = (r.active_workers * w * 0.02 + r.retirees * 724.7) / 1e4;
        assert_close(
            &format!("{} credit", r.year),
            r.personal_account_revenue_wan,
            want,
            1e-12,
        );
        let contributions = r.active_workers * w * 0.10 / 1e4;
        assert_close(
            &format!("{} pooled", r.year),
            r.contributions_pooled_wan,
            contributions - want,
            1e-12,
        );
    }
    // 2023: accounts received 28.31亿 - 20.16亿 = 8.15亿 (published totals)
    let r0 = &p.fund("employee").unwrap().rows[0];
    assert_close(
        "2023 credit",
        r0.personal_account_revenue_wan,
        81_500.0,
        0.01,
    );
}
