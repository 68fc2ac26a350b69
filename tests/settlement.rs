//! Settlement as the fund pays it: the patient's share of the fee-for-service
//! bill, the fund-side settlement ratio, year-end clearing with corridors
//! (Sanmen 2019 to the fen) and the errors bad corridor input gets.

mod common;
use common::{assert_close, drgsim, run, run_with, scenario, stderr};
use drgsim::payment::{Bands, BaseRule, Corridor, clear, grown_budget, to_fen};
use drgsim::payment::{clear_file, matches};

// ---- Qingyang H1 2025, fund side (published: shared/seeds/qingyang-2025-drg-fund-performance.txt)

#[test]
fn qingyang_h1_2025_fund_side_figures_within_half_a_percent() {
    let (m, p) = run("qingyang-2025h1.toml");
    let r = &p.fund("region").unwrap().rows[0];
    let half = m.spec.scenario.settlement_period_share;
    assert_eq!(half, 0.5);
    assert_close("DRG cases", r.drg_cases * half, 226_479.0, 0.005);
    assert_close(
        "fund payable fee-for-service (万)",
        r.drg_fund_ffs_wan * half,
        51_395.69,
        0.005,
    );
    assert_close(
        "fund paid under DRG (万)",
        r.drg_fund_payment_wan * half,
        50_139.17,
        0.005,
    );
    assert!(
        (r.settlement_ratio - 0.9756).abs() < 0.0005,
        "fund-side settlement ratio {}",
        r.settlement_ratio
    );
    // full cost: 226,479 x 3,949.78 yuan = 89,454万 (DRG cases at fee-for-service prices)
    let drg_ffs_full_wan = r.drg_fund_ffs_wan + (r.drg_payment_wan - r.drg_fund_payment_wan);
    assert_close("full cost (万)", drg_ffs_full_wan * half, 89_454.0, 0.005);
    // the full-cost ratio is the hospital's view: the same loss over a larger base
    let loss_fund = r.drg_fund_ffs_wan - r.drg_fund_payment_wan;
    let loss_full = drg_ffs_full_wan - r.drg_payment_wan;
    assert!((loss_fund - loss_full).abs() < 1e-6 * loss_full.abs().max(1.0));
    assert!(r.settlement_ratio_full_cost > r.settlement_ratio);
}

#[test]
fn fund_plus_patient_is_hospital_payment_on_every_row() {
    for name in [
        "chuxiong-2023.toml",
        "jingzhou-2023.toml",
        "qingyang-2025h1.toml",
        "drg-rate-cut.toml",
        "point-value-volume.toml",
        "qingyang-corridor-5.toml",
    ] {
        let (_, p) = run(name);
        for f in &p.funds {
            for r in &f.rows {
                let lhs = r.inpatient_wan - r.clearing_wan + r.inpatient_patient_wan;
                assert!(
                    (lhs - r.inpatient_hospital_wan).abs() <= 1e-9 * r.inpatient_hospital_wan,
                    "{name} {} {}: fund {} - clearing {} + patient {} != hospital {}",
                    f.id,
                    r.year,
                    r.inpatient_wan,
                    r.clearing_wan,
                    r.inpatient_patient_wan,
                    r.inpatient_hospital_wan
                );
                // and for the DRG cases alone
                let drg_patient = r.drg_payment_wan - r.drg_fund_payment_wan;
                assert!(drg_patient >= -1e-9, "{name}: negative patient share");
            }
        }
    }
}

#[test]
fn drg_rate_cut_saves_the_fund_the_whole_cut() {
    let (_, base) = run("chuxiong-2023.toml");
    let (_, cut) = run("drg-rate-cut.toml");
    let b = &base.fund("resident").unwrap().rows[1];
    let c = &cut.fund("resident").unwrap().rows[1];
    assert_eq!(b.year, 2024);
    let hospital_cut = b.drg_payment_wan - c.drg_payment_wan;
    let fund_saving = b.inpatient_wan - c.inpatient_wan;
    // 5,581 x 1.035 = 5,776.34 -> 5,487.5: -5.0 % of the standard payments; the
    // outlier extra (a share of the excess cost) does not move with the rate, so
    // the cut is a little under 5 % of all DRG payments
    let cut_rate = 1.0 - 5487.5 / (5581.0 * 1.035);
    let share = hospital_cut / b.drg_payment_wan;
    assert!(
        share <= cut_rate + 1e-12 && share > cut_rate - 0.002,
        "cut {share} of DRG payments vs rate cut {cut_rate}"
    );
    assert!(
        (fund_saving - hospital_cut).abs() < 1e-6 * hospital_cut,
        "fund saves {fund_saving}, hospitals lose {hospital_cut}"
    );
    // patients pay the same bill
    assert!((b.inpatient_patient_wan - c.inpatient_patient_wan).abs() < 1e-9);
}

#[test]
fn point_value_times_points_is_budget_plus_patient_payments() {
    let (m, p) = run("point-value-volume.toml");
    let r = &p.fund("region").unwrap().rows[0];
    let budget_wan = m
        .values()
        .get(m.store.find("funds.region.payment.budget_wan").unwrap(), 0);
    let drg_patient = r.drg_payment_wan - r.drg_fund_payment_wan;
    assert!(
        (r.drg_payment_wan - (budget_wan + drg_patient)).abs() < 1e-6 * r.drg_payment_wan,
        "hospital DRG payment {} vs budget {budget_wan} + patients {drg_patient}",
        r.drg_payment_wan
    );
    // the fund pays exactly its budget
    assert!((r.drg_fund_payment_wan - budget_wan).abs() < 1e-6 * budget_wan);
    // fund-only basis: the point value is set by the fund budget alone
    let q = run_with(
        "point-value-volume.toml",
        &["funds.region.payment.budget_basis=\"fund_only\""],
    );
    let s = &q.fund("region").unwrap().rows[0];
    assert!((s.drg_payment_wan - budget_wan).abs() < 1e-6 * budget_wan);
    assert!(s.point_value < r.point_value);
}

#[test]
fn point_value_floor_holds() {
    let q = run_with(
        "point-value-volume.toml",
        &["funds.region.payment.point_value_floor=44.0"],
    );
    let r = &q.fund("region").unwrap().rows[0];
    assert!((r.point_value - 44.0).abs() < 1e-12, "{}", r.point_value);
}

// ---- Sanmen 2019 clearing, to the fen (shared/seeds/sanmen-2020-work-summary.txt, lines 26-27, 51)

fn sanmen_corridor(surplus_cut: f64) -> Corridor {
    Corridor {
        surplus_retention: Bands::flat(0.85),
        overspend_fund_share: Bands::flat(0.15),
        base_rule: BaseRule::Cleared,
        surplus_cut,
    }
}

#[test]
fn sanmen_2019_employee_clearing_to_the_fen() {
    let c = clear(316_449_463.25, 318_208_435.08, &sanmen_corridor(0.30));
    assert_eq!(to_fen(-c.difference), 1_758_971.83);
    assert!((c.difference_rate - 0.0056).abs() < 0.00005);
    assert_eq!(to_fen(c.fund_covers), 263_845.77);
    assert_eq!(to_fen(c.hospital_returns), 1_495_126.06);
    assert_eq!(to_fen(c.next_base), 316_713_309.02);
    assert_eq!(
        to_fen(grown_budget(c.next_base, 0.07, f64::NAN)),
        338_883_240.66
    );
}

#[test]
fn sanmen_2019_resident_clearing_to_the_fen() {
    let c = clear(354_348_327.95, 351_956_995.10, &sanmen_corridor(0.30));
    assert_eq!(to_fen(c.difference), 2_391_332.85);
    assert!((c.difference_rate - 0.0067).abs() < 0.00005);
    assert_eq!(to_fen(c.retained), 2_032_632.92);
    // published 353,630,928.09: the report rounds the 30 % cut (717,399.855) up
    // first; unrounded the base is 353,630,928.095, within a fen.
    assert!((c.next_base - 353_630_928.09).abs() <= 0.0051);
    assert_eq!(
        to_fen(grown_budget(c.next_base, 0.07, f64::NAN)),
        378_385_093.06
    );
    // 2020 total: 717,268,333.72
    let e = clear(316_449_463.25, 318_208_435.08, &sanmen_corridor(0.30));
    let total =
        grown_budget(c.next_base, 0.07, f64::NAN) + grown_budget(e.next_base, 0.07, f64::NAN);
    assert_eq!(to_fen(total), 717_268_333.72);
}

#[test]
fn sanmen_clearing_file_matches_every_published_figure() {
    let (_, results) = clear_file(&scenario("sanmen-clearing-2019.toml"), &[]).unwrap();
    assert_eq!(results.len(), 2);
    let mut n = 0;
    for r in &results {
        for (k, x, v) in &r.checks {
            assert!(matches(k, *x, *v), "{}.{k}: {x} vs {v}", r.id);
            n += 1;
        }
    }
    assert_eq!(n, 15, "every published figure is checked");
}

#[test]
fn drgsim_clear_writes_the_report_and_checks() {
    let tmp = common::tmp();
    let out = tmp.path().join("out");
    let f = scenario("sanmen-clearing-2019.toml");
    let o = drgsim(
        &[
            "clear",
            f.to_str().unwrap(),
            "--check",
            "--out",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(out.join("clearing.csv")).unwrap();
    assert!(
        csv.contains("employee,employee fund (职工医保),316449463.25,318208435.08,0.00,1758971.83")
    );
    assert!(csv.contains("338883240.66"));
    // Chinese by default, with the workbook and the HTML report beside.
    let md = std::fs::read_to_string(out.join("clearing.md")).unwrap();
    assert!(
        md.contains("| 总额预算") && md.contains("与公布数据核对"),
        "{md}"
    );
    assert!(!md.contains("fund_covers |"), "{md}");
    assert!(out.join("report.xlsx").is_file() && out.join("report.html").is_file());
    // a changed rule no longer matches the published figures: --check fails
    let o = drgsim(
        &[
            "clear",
            f.to_str().unwrap(),
            "--check",
            "--set",
            "budgets.employee.overspend_fund_share=0.2",
            "--out",
            tmp.path().join("out2").to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("employee.fund_covers"),
        "{}",
        stderr(&o)
    );
}

fn bad_clearing(body: &str) -> String {
    let tmp = common::tmp();
    let f = tmp.path().join("bad.toml");
    std::fs::write(
        &f,
        format!("[clearing]\nname = \"x\"\nyear = 2019\n\n[budgets.a]\nname = \"a\"\n{body}"),
    )
    .unwrap();
    let o = drgsim(
        &[
            "clear",
            f.to_str().unwrap(),
            "--out",
            tmp.path().join("o").to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(!o.status.success(), "bad input accepted: {body}");
    assert!(
        !tmp.path().join("o").exists(),
        "output written for bad input"
    );
    stderr(&o)
}

const GOOD: &str = "budget = 100.0\nactual = 90.0\nsurplus_retention = 0.85\noverspend_fund_share = 0.15\ngrowth = 0.07\n";

#[test]
fn bad_corridor_input_names_file_line_and_field() {
    // a share above 1, on line 9
    let e = bad_clearing(&GOOD.replace("surplus_retention = 0.85", "surplus_retention = 1.2"));
    assert!(e.contains("bad.toml:9"), "{e}");
    assert!(
        e.contains("budgets.a.surplus_retention") && e.contains("between 0 and 1"),
        "{e}"
    );
    // overlapping bands
    let e = bad_clearing(&GOOD.replace(
        "overspend_fund_share = 0.15",
        "overspend_fund_share = [{ up_to = 0.05, share = 0.0 }, { up_to = 0.03, share = 0.5 }, { share = 1.0 }]",
    ));
    assert!(
        e.contains("bad.toml:10") && e.contains("band 2 of 3"),
        "{e}"
    );
    assert!(e.contains("do not overlap"), "{e}");
    // a negative budget
    let e = bad_clearing(&GOOD.replace("budget = 100.0", "budget = -5.0"));
    assert!(
        e.contains("bad.toml:7") && e.contains("budgets.a.budget"),
        "{e}"
    );
    // a negative share inside a band
    let e = bad_clearing(&GOOD.replace(
        "surplus_retention = 0.85",
        "surplus_retention = [{ up_to = 0.05, share = -0.1 }, { share = 0.5 }]",
    ));
    assert!(
        e.contains("band 1 of 2") && e.contains("between 0 and 1"),
        "{e}"
    );
    // an open band that is not the last
    let e = bad_clearing(&GOOD.replace(
        "surplus_retention = 0.85",
        "surplus_retention = [{ share = 0.85 }, { share = 0.5 }]",
    ));
    assert!(e.contains("only the last band"), "{e}");
    // a typo'd key
    let e = bad_clearing(&format!("{GOOD}surplus_retension = 0.5\n"));
    assert!(e.contains("surplus_retension"), "{e}");
}

// ---- corridor properties at and around the band edges

use drgsim::payment::Band;
use proptest::prelude::*;

fn two_bands(edge: f64, inner: f64, outer: f64) -> Bands {
    Bands::new(&[
        Band {
            up_to: Some(edge),
            share: inner,
        },
        Band {
            up_to: None,
            share: outer,
        },
    ])
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn corridor_bands_meet_at_their_edges(
        budget in 1.0e3..1.0e9f64,
        edge in 0.001..0.5f64,
        inner in 0.0..=1.0f64,
        outer in 0.0..=1.0f64,
        eps in 1e-9..1e-3f64,
    ) {
        let b = two_bands(edge, inner, outer);
        let e = edge * budget;
        // exactly at the edge: the whole inner band at the inner share
        prop_assert!((b.apply(e, budget) - inner * e).abs() <= 1e-9 * e);
        // just inside and just outside: continuous, with the slope of each band
        let d = eps * e;
        prop_assert!((b.apply(e - d, budget) - inner * (e - d)).abs() <= 1e-9 * e);
        prop_assert!((b.apply(e + d, budget) - (inner * e + outer * d)).abs() <= 1e-9 * e);
        // zero difference shares nothing
        prop_assert_eq!(b.apply(0.0, budget), 0.0);
    }

    #[test]
    fn clearing_splits_every_difference_exactly(
        budget in 1.0e3..1.0e9f64,
        rel in -0.3..0.3f64,
        edge in 0.01..0.2f64,
        keep_in in 0.0..=1.0f64,
        keep_out in 0.0..=1.0f64,
        cover_in in 0.0..=1.0f64,
        cover_out in 0.0..=1.0f64,
    ) {
        let actual = budget * (1.0 + rel);
        let c = Corridor {
            surplus_retention: two_bands(edge, keep_in, keep_out),
            overspend_fund_share: two_bands(edge, cover_in, cover_out),
            base_rule: BaseRule::Cleared,
            surplus_cut: 0.3,
        };
        let r = clear(budget, actual, &c);
        let tol = 1e-9 * budget;
        // the final payment lies between budget and actual spending
        prop_assert!(r.final_payment >= budget.min(actual) - tol);
        prop_assert!(r.final_payment <= budget.max(actual) + tol);
        if actual > budget {
            prop_assert!((r.fund_covers + r.hospital_returns - (actual - budget)).abs() <= tol);
            prop_assert_eq!(r.retained, 0.0);
            prop_assert!((r.next_base - (budget + r.fund_covers)).abs() <= tol);
        } else {
            prop_assert!(r.retained <= budget - actual + tol);
            prop_assert_eq!(r.fund_covers, 0.0);
            prop_assert!((r.next_base - (budget - 0.3 * (budget - actual))).abs() <= tol);
        }
        prop_assert!((r.adjustment - (r.final_payment - actual)).abs() <= tol);
    }
}

#[test]
fn a_zero_width_or_reversed_band_is_rejected() {
    for (a, b) in [(0.05, 0.05), (0.05, 0.03), (0.0, 0.1)] {
        let r = Bands::new(&[
            Band {
                up_to: Some(a),
                share: 0.5,
            },
            Band {
                up_to: Some(b),
                share: 0.5,
            },
            Band {
                up_to: None,
                share: 0.5,
            },
        ]);
        assert!(r.is_err(), "{a} then {b} accepted");
    }
}

#[test]
fn bad_settlement_sections_in_a_scenario_are_reported_with_lines() {
    let tmp = common::tmp();
    let f = tmp.path().join("bad.toml");
    let base = scenario("qingyang-2025h1.toml");
    std::fs::write(
        &f,
        format!(
            "extends = {:?}\n\n[funds.region.payment]\npoint_value_floor = 50\npoint_value_ceiling = 40\n\n[funds.region.clearing]\nlevel = \"hospital\"\nsurplus_retention = [{{ up_to = 0.05, share = 1.0 }}, {{ up_to = 0.02, share = 0.5 }}, {{ share = 0.2 }}]\noverspend_fund_share = 1.5\ngrowth = 0.07\n",
            base.to_str().unwrap()
        ),
    )
    .unwrap();
    let o = drgsim(&["validate", f.to_str().unwrap()], tmp.path());
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("bad.toml:4") && e.contains("floor 50 is above the ceiling 40"),
        "{e}"
    );
    assert!(
        e.contains("bad.toml:9") && e.contains("do not overlap"),
        "{e}"
    );
    assert!(
        e.contains("bad.toml:10") && e.contains("between 0 and 1"),
        "{e}"
    );
    assert!(
        e.contains("bad.toml:11") && e.contains("region-level clearing"),
        "{e}"
    );
}

#[test]
fn a_budget_rule_sets_the_point_value_and_the_ceiling_holds() {
    let (_, p) = run("qingyang-point-value-budget.toml");
    let rows = &p.fund("region").unwrap().rows;
    for w in rows.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        // growth 3 % on the cleared base (inside the band the base is the budget)
        if a.point_value < 46.0 - 1e-9 {
            assert!((b.budget_wan - a.budget_wan * 1.03).abs() < 1e-6 * a.budget_wan);
        }
    }
    for r in rows {
        assert!(r.point_value <= 46.0 + 1e-12 && r.point_value >= 40.0 - 1e-12);
        if r.point_value < 46.0 - 1e-9 {
            // inside the band: the fund pays its budget, nothing to clear
            assert!((r.drg_fund_payment_wan - r.budget_wan).abs() < 1e-6 * r.budget_wan);
            assert!(r.clearing_wan.abs() < 1e-6 * r.budget_wan);
        } else {
            // at the ceiling the fund pays less than its budget; hospitals keep 85 %
            let surplus = r.budget_wan - r.drg_fund_payment_wan;
            assert!(surplus > 0.0);
            assert!((r.clearing_wan - 0.85 * surplus).abs() < 1e-6 * r.budget_wan);
        }
    }
    assert!(
        rows.iter().any(|r| r.point_value >= 46.0 - 1e-9),
        "the ceiling binds at some point"
    );
}

#[test]
fn revenue_linked_budget_and_growth_cap() {
    let p = run_with(
        "chuxiong-global-budget.toml",
        &[
            "funds.resident.clearing.budget_rule=\"revenue\"",
            "funds.resident.clearing.reserve_share=0.05",
            "funds.resident.clearing.covered_share=0.7",
        ],
    );
    for r in &p.fund("resident").unwrap().rows {
        assert!((r.budget_wan - r.pooled_revenue_wan * 0.95 * 0.7).abs() < 1e-6 * r.budget_wan);
    }
    let p = run_with(
        "chuxiong-global-budget.toml",
        &[
            "funds.resident.clearing.growth_cap=0.05",
            "funds.resident.clearing.next_base=\"budget\"",
        ],
    );
    let rows = &p.fund("resident").unwrap().rows;
    for w in rows.windows(2) {
        assert!((w[1].budget_wan - w[0].budget_wan * 1.05).abs() < 1e-6 * w[0].budget_wan);
    }
    // books still balance with the clearing in them
    for r in rows {
        assert!(
            (r.pooled_expenditure_wan
                - (r.inpatient_wan
                    + r.outpatient_wan
                    + r.major_illness_wan
                    + r.out_of_area_wan
                    + r.other_spending_wan))
                .abs()
                < 1e-6 * r.pooled_expenditure_wan
        );
    }
}

#[test]
fn alliance_clearing_in_the_hospitals_view_adds_up_to_the_projection() {
    let tmp = common::tmp();
    let out = tmp.path().join("h");
    let f = scenario("qingyang-corridor-5.toml");
    let o = drgsim(
        &[
            "hospitals",
            f.to_str().unwrap(),
            "--set",
            "funds.region.clearing.level=\"alliance\"",
            "--out",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(out.join("hospitals.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == "clearing_wan").unwrap();
    let a = header.iter().position(|h| *h == "alliance").unwrap();
    let mut total = 0.0;
    let mut in_alliance = 0;
    for l in lines {
        let cells: Vec<&str> = l.split(',').collect();
        total += cells[i].parse::<f64>().unwrap();
        if !cells[a].is_empty() {
            in_alliance += 1;
        }
    }
    assert_eq!(
        in_alliance, 161,
        "41 secondary + 120 primary hospitals in county alliances"
    );
    let md = std::fs::read_to_string(out.join("hospitals.md")).unwrap();
    assert!(
        md.contains("按医共体") && md.contains("Xifeng alliance"),
        "{md}"
    );
    let p = run_with(
        "qingyang-corridor-5.toml",
        &["funds.region.clearing.level=\"alliance\""],
    );
    let r = &p.fund("region").unwrap().rows[0];
    // H1 report, rounded to 0.01万 per hospital
    assert!(
        (total * 2.0 - r.clearing_wan).abs() < 170.0 * 0.01,
        "{total} x 2 vs {}",
        r.clearing_wan
    );
    // pooling an alliance's hospitals nets surpluses against losses: a different clearing
    let q = run_with("qingyang-corridor-5.toml", &[]);
    assert!(r.clearing_wan != q.fund("region").unwrap().rows[0].clearing_wan);
}
