//! Policy rules in the year loop: Taizhou's premium rule on Sanmen's books, the
//! stress view beside it, the rules' report, and bad rule input.

mod common;
use common::{drgsim, run, run_with, stderr};

/// 筹资标准 per head in force: individual premium + subsidy, yuan.
fn standard(p: &drgsim::projection::Projection, year: i32) -> f64 {
    let r = p
        .fund("resident")
        .unwrap()
        .rows
        .iter()
        .find(|r| r.year == year)
        .unwrap();
    r.premium_yuan + r.subsidy_yuan
}

#[test]
fn sanmen_2021_standard_is_1425_yuan_under_the_taizhou_rule() {
    let (_, p) = run("sanmen-2020.toml");
    // 2020 closed with 13.8 months payable (>= 2): the city's 1,500 lowered 5 % (published: 1,425).
    assert!(
        (standard(&p, 2021) - 1425.0).abs() < 1e-9,
        "{}",
        standard(&p, 2021)
    );
    // the base year reproduces the published standard, untouched by the rule
    assert_eq!(standard(&p, 2020), 1340.0);
}

#[test]
fn stress_view_keeps_the_city_standard() {
    let p = run_with("sanmen-2020.toml", &["scenario.policy_rules=false"]);
    assert_eq!(standard(&p, 2021), 1500.0);
    let (_, rules) = run("sanmen-2020.toml");
    // lowering the standard leaves less in the fund than not lowering it
    let bal = |p: &drgsim::projection::Projection| {
        p.fund("resident").unwrap().rows.last().unwrap().balance_wan
    };
    assert!(bal(&rules) < bal(&p));
}

#[test]
fn a_deficit_raises_the_standard_5_percent() {
    // 20,000万 more spending in 2020 turns the year's surplus of 11,837万 into a deficit.
    let p = run_with(
        "sanmen-2020.toml",
        &["funds.resident.spending.other_wan={ values = { 2020 = 20000, 2021 = 43.61 } }"],
    );
    let r2020 = &p.fund("resident").unwrap().rows[0];
    assert!(r2020.surplus_wan < 0.0, "{}", r2020.surplus_wan);
    assert!(
        (standard(&p, 2021) - 1575.0).abs() < 1e-9,
        "{}",
        standard(&p, 2021)
    );
}

#[test]
fn benefit_rule_and_backstop_act_on_a_failing_fund() {
    // Chuxiong with no response runs out of money; with a benefit rule and a backstop it
    // trims benefits and local finance keeps the balance at zero or above.
    let sets = [
        "funds.resident.rules.benefit={ below_months = 3, step = 0.02, floor = 0.5 }",
        "funds.resident.rules.backstop={ below_months = 0, cap_wan = 1e6 }",
    ];
    let p = run_with("chuxiong-2023.toml", &sets);
    let (_, stress) = run("chuxiong-2023.toml");
    let rows = &p.fund("resident").unwrap().rows;
    let stress_rows = &stress.fund("resident").unwrap().rows;
    assert!(
        stress_rows.iter().any(|r| r.balance_wan < 0.0),
        "the stress view depletes"
    );
    assert!(
        rows.iter().all(|r| r.balance_wan >= -1e-6),
        "the backstop holds the line"
    );
    assert!(rows.iter().any(|r| r.fiscal_backstop_wan > 0.0));
    assert!(rows.iter().any(|r| r.benefit_cut > 0.0));
    for (r, s) in rows.iter().zip(stress_rows) {
        // the backstop is revenue of its own: premiums and subsidy are untouched
        assert_eq!(r.premium_wan, s.premium_wan);
        assert!(r.inpatient_wan <= s.inpatient_wan * (1.0 + 1e-12));
        let identity = r.premium_wan
            + r.subsidy_wan
            + r.contributions_pooled_wan
            + r.interest_wan
            + r.other_income_wan
            + r.fiscal_backstop_wan;
        assert!((identity - r.pooled_revenue_wan).abs() < 1e-6);
    }
}

#[test]
fn run_reports_every_firing_in_rules_csv_and_summary() {
    let tmp = common::tmp();
    let scen = common::scenario("sanmen-2020.toml");
    let o = drgsim(&["run", scen.to_str().unwrap(), "--out", "out"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(tmp.path().join("out/rules.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("fund,year,rule,condition,quantity,before,after")
    );
    let rows: Vec<&str> = lines.collect();
    assert!(
        rows.iter().any(|l| l.starts_with("resident,2021,premium,")
            && l.ends_with("premium_yuan,560.0000,532.0000")),
        "{csv}"
    );
    // one premium and one subsidy line a year from 2021 to 2032: the fund stays above 2 months
    assert_eq!(rows.len(), 2 * 12, "{csv}");
    let summary = std::fs::read_to_string(tmp.path().join("out/summary.md")).unwrap();
    // Chinese by default.
    for s in ["按规则执行", "无政策调整（压力测试）", "## 政策规则"] {
        assert!(summary.contains(s), "{s} not in summary");
    }
    // a scenario without rules says it is a stress test and writes no rules.csv
    let base = common::scenario("chuxiong-2023.toml");
    let o = drgsim(
        &["--lang", "en", "run", base.to_str().unwrap(), "--out", "cx"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!tmp.path().join("cx/rules.csv").exists());
    let summary = std::fs::read_to_string(tmp.path().join("cx/summary.md")).unwrap();
    assert!(summary.contains("**stress test**"));
}

#[test]
fn rule_on_monte_carlo_is_identical_across_thread_counts() {
    let tmp = common::tmp();
    let scen = common::scenario("sanmen-2020.toml");
    let run = |threads: &str, out: &str| {
        let o = drgsim(
            &[
                "montecarlo",
                scen.to_str().unwrap(),
                "--paths",
                "300",
                "--threads",
                threads,
                "--out",
                out,
            ],
            tmp.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read_to_string(tmp.path().join(out).join("montecarlo.csv")).unwrap()
    };
    assert_eq!(run("1", "one"), run("2", "two"));
}

/// A Sanmen file whose resident rules section is `rules`; validate must fail naming `expect`.
fn bad_rules(rules: &str, expect: &[&str]) {
    let tmp = common::tmp();
    let file = common::extending(
        tmp.path(),
        "bad.toml",
        "sanmen-2020.toml",
        &format!("\n{rules}\n"),
    );
    let file = file.to_str().unwrap();
    common::refused(&["validate", file], tmp.path(), expect);
    common::refused(&["run", file, "--out", "out"], tmp.path(), expect);
    assert!(!tmp.path().join("out").exists(), "nothing written");
}

#[test]
fn bad_rule_input_is_a_clear_error_with_file_and_line() {
    bad_rules(
        "[funds.resident.rules.premum]\ndeficit_raise = 0.05",
        &["bad.toml:3", "unknown field `premum`"],
    );
    bad_rules(
        "[funds.resident.rules.premium]\nlower_at_months = -1",
        &[
            "bad.toml:4",
            "lower_at_months",
            "between 0 and 600 (months payable)",
        ],
    );
    bad_rules(
        "[funds.resident.rules.premium]\ndeficit_raise = 0.05\nmode = \"cumulative\"",
        &["cap", "run away"],
    );
    bad_rules(
        "[funds.resident.rules.benefit]\nbelow_months = 3\nstep = 1.5\nfloor = 0.5",
        &["bad.toml:5", "benefit.step"],
    );
    bad_rules(
        "[funds.resident.rules.backstop]\nbelow_months = 1",
        &["bad.toml", "cap_wan"],
    );
}

#[test]
fn chuxiong_rules_as_practised_hold_the_runway_longer_than_the_stress_view() {
    let (_, stress) = run("chuxiong-2023.toml");
    let (_, rules) = run("chuxiong-rules.toml");
    let (s, r) = (
        &stress.fund("resident").unwrap().rows,
        &rules.fund("resident").unwrap().rows,
    );
    // the base year is the published one in both views
    assert!((r[0].balance_wan / s[0].balance_wan - 1.0).abs() < 1e-3);
    assert!((r[0].pooled_expenditure_wan / s[0].pooled_expenditure_wan - 1.0).abs() < 1e-3);
    let depletion = |rows: &[drgsim::fund::YearRow]| rows.iter().position(|x| x.balance_wan < 0.0);
    let (ds, dr) = (depletion(s), depletion(r));
    assert!(ds.is_some(), "the stress view runs out");
    assert!(
        dr.is_none_or(|d| d > ds.unwrap()),
        "rules move depletion later: {dr:?} vs {ds:?}"
    );
    // 以收定支: from 2024 the fund's inpatient spending stays within its revenue-linked budget
    for x in &r[1..] {
        assert!(
            x.inpatient_wan <= x.budget_wan * (1.0 + 1e-9),
            "{}: {} > {}",
            x.year,
            x.inpatient_wan,
            x.budget_wan
        );
    }
    assert!(
        r.iter().any(|x| x.fiscal_backstop_wan > 0.0),
        "local finance steps in"
    );
    assert!(r.last().unwrap().balance_wan > s.last().unwrap().balance_wan);
}

fn solve_json(args: &[&str], dir: &std::path::Path) -> serde_json::Value {
    let o = drgsim(args, dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = args[args.iter().position(|a| *a == "--out").unwrap() + 1];
    serde_json::from_str(&std::fs::read_to_string(dir.join(out).join("solve.json")).unwrap())
        .unwrap()
}

fn projection_rows(path: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            h.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// `solve --from-year --through-year`: the answer, as printed, keeps the
/// runway at the target in every year of the window (and only just: the
/// tightest year is within a yuan's worth of it), and the years of record
/// (Chuxiong 2022-2023) keep their published premium.
#[test]
fn solve_over_a_window_meets_the_target_every_year_and_keeps_history() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = common::scenario("chuxiong-2023.toml");
    let scen = scen.to_str().unwrap();
    let j = solve_json(
        &[
            "solve",
            scen,
            "--param",
            "funds.resident.premiums.premium",
            "--target-months",
            "3",
            "--from-year",
            "2026",
            "--through-year",
            "2030",
            "--lang",
            "en",
            "--out",
            "s",
        ],
        tmp.path(),
    );
    assert_eq!(j["from_year"].as_i64(), Some(2026));
    assert_eq!(j["through_year"].as_i64(), Some(2030));
    assert_eq!(j["move_from"].as_i64(), Some(2024));
    let value = j["value"].as_f64().unwrap();
    let exact = j["value_exact"].as_f64().unwrap();
    assert_eq!(value, value.round(), "premium in whole yuan: {j}");
    assert!(value >= exact && value - exact < 1.0, "{j}");
    let o = drgsim(
        &[
            "run",
            scen,
            "--set",
            j["set"].as_str().unwrap(),
            "--lang",
            "en",
            "--out",
            "r",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = projection_rows(&tmp.path().join("r/projection.csv"));
    let (_, p0) = run("chuxiong-2023.toml");
    let b0 = &p0.fund("resident").unwrap().rows;
    let mut tightest = f64::INFINITY;
    for r in &rows {
        let year: i32 = r["year"].parse().unwrap();
        let months: f64 = r["months_payable"].parse().unwrap();
        let premium: f64 = r["premium_yuan"].parse().unwrap();
        if (2026..=2030).contains(&year) {
            assert!(months >= 3.0, "{year}: {months}");
            tightest = tightest.min(months);
        }
        if year <= 2023 {
            let b = b0.iter().find(|b| b.year == year).unwrap();
            assert_eq!(premium, b.premium_yuan, "{year}: a year of record moved");
            let bal: f64 = r["balance_wan"].parse().unwrap();
            assert!((bal - b.balance_wan).abs() < 1e-3, "{year}");
        } else {
            assert_eq!(premium, value, "{year}");
        }
    }
    assert!(tightest < 3.1, "the window's tightest year {tightest}");
    // --move-from the base year moves 2023 too
    let j2 = solve_json(
        &[
            "solve",
            scen,
            "--param",
            "funds.resident.premiums.premium",
            "--target-months",
            "3",
            "--from-year",
            "2026",
            "--through-year",
            "2030",
            "--move-from",
            "2023",
            "--out",
            "s2",
        ],
        tmp.path(),
    );
    assert_eq!(j2["move_from"].as_i64(), Some(2023));
    assert!(
        j2["set"]
            .as_str()
            .unwrap()
            .ends_with(&format!("={}", j2["value"]))
    );
    // a window outside the projection is refused with the range
    let o = drgsim(
        &[
            "solve",
            scen,
            "--param",
            "funds.resident.premiums.premium",
            "--target-months",
            "3",
            "--from-year",
            "2040",
            "--out",
            "s3",
        ],
        tmp.path(),
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--from-year 2040 is outside the projection 2023..=2035"));
}

/// A share is printed to 0.1 percentage point and a factor to 0.1 %, rounded
/// towards the target (down when the runway falls as the share rises).
#[test]
fn solve_rounds_shares_and_factors_as_a_notice_prints_them() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = common::scenario("chuxiong-2023.toml");
    let scen = scen.to_str().unwrap();
    let j = solve_json(
        &[
            "solve",
            scen,
            "--param",
            "funds.resident.spending.inpatient_reimbursement",
            "--target-months",
            "2",
            "--through-year",
            "2028",
            "--out",
            "a",
        ],
        tmp.path(),
    );
    let (v, x) = (
        j["value"].as_f64().unwrap(),
        j["value_exact"].as_f64().unwrap(),
    );
    assert_eq!(j["rounded_to"].as_f64(), Some(0.001), "{j}");
    assert!(v <= x && x - v < 0.001 + 1e-12, "{j}");
    assert!(((v * 1000.0).round() - v * 1000.0).abs() < 1e-9, "{j}");
    assert!(j["achieved_months"].as_f64().unwrap() >= 2.0);
    let j = solve_json(
        &[
            "solve",
            scen,
            "--param",
            "funds.resident.premiums.premium.scale",
            "--target-months",
            "3",
            "--out",
            "b",
        ],
        tmp.path(),
    );
    let (v, x) = (
        j["value"].as_f64().unwrap(),
        j["value_exact"].as_f64().unwrap(),
    );
    assert_eq!(j["rounded_to_text"].as_str(), Some("0.1 %"));
    assert!(v >= x && v - x < 0.001 + 1e-12, "{j}");
    let csv = std::fs::read_to_string(tmp.path().join("b/solve.csv")).unwrap();
    assert!(
        csv.starts_with("param,default,value,value_exact,rounded_to,"),
        "{csv}"
    );
}

/// The two forms of personal accounts are one or the other, with file:line.
#[test]
fn personal_account_forms_are_exclusive() {
    let sets = vec!["funds.employee.contributions.personal_account_share=0.2".to_string()];
    let e = drgsim::projection::Model::load(&common::scenario("jingzhou-2023.toml"), &sets)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("not both") && e.contains("personal_account_share"),
        "{e}"
    );
}

/// The default scenario carries both views: rules as practised, and beside
/// it the stress test, which is chuxiong-2023.toml bit for bit (the
/// revenue-linked budget is one of the responses and goes with the rules).
#[test]
fn default_scenario_stress_view_is_chuxiong_2023_bit_for_bit() {
    assert_eq!(drgsim::scenario::bundled::DEFAULT, "chuxiong-rules.toml");
    let (rules, with_rules) = run("chuxiong-rules.toml");
    let stress = drgsim::projection::without_rules(&rules).unwrap();
    let a = drgsim::projection::project(&stress);
    let (_, b) = run("chuxiong-2023.toml");
    assert_eq!(a.funds.len(), b.funds.len());
    for (x, y) in a.funds.iter().zip(&b.funds) {
        // Debug prints every f64 exactly (NaN included), so equal text = equal bits
        assert_eq!(format!("{:?}", x.rows), format!("{:?}", y.rows), "{}", x.id);
        assert_eq!(
            format!("{:?}", x.members_by_band),
            format!("{:?}", y.members_by_band)
        );
    }
    // and the rules do move the other view
    assert_ne!(
        format!("{:?}", with_rules.funds[0].rows),
        format!("{:?}", a.funds[0].rows)
    );
    // `drgsim run` with no scenario names both views
    let tmp = tempfile::tempdir().unwrap();
    let o = drgsim(&["run", "--out", "o", "--lang", "en"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("(rules as practised)"), "{out}");
    assert!(out.contains("(no policy change, stress test)"), "{out}");
    let md = std::fs::read_to_string(tmp.path().join("o/summary.md")).unwrap();
    assert!(md.contains("no policy change (stress test)"), "{md}");
}
