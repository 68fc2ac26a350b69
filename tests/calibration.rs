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
