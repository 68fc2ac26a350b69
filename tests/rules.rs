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
    // split as the county published it: fiscal 905, personal 520 (40 of the 75 yuan from the
    // personal part, `premium_share`), not 893 + 532
    let r2021 = p
        .fund("resident")
        .unwrap()
        .rows
        .iter()
        .find(|r| r.year == 2021)
        .unwrap();
    assert!(
        (r2021.premium_yuan - 520.0).abs() < 1e-6,
        "{}",
        r2021.premium_yuan
    );
    assert!(
        (r2021.subsidy_yuan - 905.0).abs() < 1e-6,
        "{}",
        r2021.subsidy_yuan
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
        rows.iter().all(|r| r.balance_wan >= 0.0),
        "the backstop holds the line"
    );
    // topped up to zero is not depleted (not a rounding residue below zero)
    assert!(
        rows.iter()
            .all(|r| r.status != drgsim::fund::Status::Depleted),
        "{:?}",
        rows.iter().map(|r| r.balance_wan).collect::<Vec<_>>()
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
            && l.ends_with("premium_yuan,560.0000,520.0000")),
        "{csv}"
    );
    // one premium and one subsidy line a year from 2021 to 2032: the fund stays above 2 months
    assert_eq!(rows.len(), 2 * 12, "{csv}");
    let summary = std::fs::read_to_string(tmp.path().join("out/summary.md")).unwrap();
    // Chinese by default.
    for s in ["按规则执行", "无政策调整（压力测试）", "## 政策规则"] {
        assert!(summary.contains(s), "{s} not in summary");
    }
    // every firing is a row of the summary's table, its trigger in Chinese
    let fired = summary
        .lines()
        .filter(|l| l.contains("| 筹资调整 |"))
        .collect::<Vec<_>>();
    assert_eq!(fired.len(), rows.len(), "{summary}");
    assert!(fired[0].contains("13.77"), "{}", fired[0]);
    assert!(!summary.contains("months payable"), "{summary}");
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

/// Monte Carlo draws leave the years of record as published: Sanmen's
/// resident fund has 2020 (base) and 2021 (history) on record, so every
/// quantile of those years is the published figure, and later years spread.
#[test]
fn monte_carlo_draws_leave_years_of_record_as_published() {
    let tmp = common::tmp();
    let scen = common::scenario("sanmen-2020.toml");
    let o = drgsim(
        &[
            "montecarlo",
            scen.to_str().unwrap(),
            "--paths",
            "200",
            "--out",
            "mc",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(tmp.path().join("mc/montecarlo.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (p05, p95) = (col("balance_p05"), col("balance_p95"));
    let mut spread_later = false;
    for line in lines {
        let c: Vec<&str> = line.split(',').collect();
        if c[0] != "resident" {
            continue;
        }
        let year: i32 = c[1].parse().unwrap();
        let (lo, hi): (f64, f64) = (c[p05].parse().unwrap(), c[p95].parse().unwrap());
        if year <= 2021 {
            assert_eq!(lo, hi, "{year}: a draw moved a year of record");
        } else if hi > lo {
            spread_later = true;
        }
    }
    assert!(
        spread_later,
        "the draws must still move the projected years"
    );
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
        &["bad.toml:3", "premium.cap", "run away"],
    );
    bad_rules(
        "[funds.resident.rules.benefit]\nbelow_months = 3\nstep = 1.5\nfloor = 0.5",
        &["bad.toml:5", "benefit.step"],
    );
    bad_rules(
        "[funds.resident.rules.backstop]\nbelow_months = 1",
        &["bad.toml:3", "missing field `cap_wan`"],
    );
    bad_rules(
        "[funds.resident.rules.premium]\ndeficit_raise = 0.05\npremium_share = 1.5",
        &["bad.toml:5", "premium_share", "1.5"],
    );
    bad_rules(
        "[funds.resident.rules.premium]\ndeficit_raise = 0.05\napplies_to = \"subsidy\"\npremium_share = 0.5",
        &["bad.toml:6", "premium_share", "applies_to = \"both\""],
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

/// `solve --probability` with an uncertain parameter that is the one solved
/// for: the draws and the answer both leave the years of record as published.
/// Fengdu has no [uncertainty]; here the only uncertain parameter is the
/// premium itself, scaled by a draw between 0.8 and 1.2. The solved premium
/// replaces the path from 2024 on, so if the draws leave 2023 (the published
/// base year) alone every path is the deterministic projection and the 50 %
/// quantile answer is the deterministic one. A draw that moved 2023 (or a
/// solved value written over 2023) would move the answer by yuan.
#[test]
fn solve_with_probability_keeps_years_of_record_with_a_draw_on_the_solved_parameter() {
    let tmp = common::tmp();
    let file = common::extending(
        tmp.path(),
        "u.toml",
        "fengdu-2023.toml",
        "\n[uncertainty]\nseed = 7\npaths = 16\n\
         [uncertainty.params.\"funds.resident.premiums.premium.scale\"]\n\
         dist = \"uniform\"\nmin = 0.8\nmax = 1.2\n",
    );
    let file = file.to_str().unwrap();
    let args = |out: &'static str, prob: bool| {
        let mut a = vec![
            "solve",
            file,
            "--param",
            "funds.resident.premiums.premium",
            "--target-months",
            "3",
            "--from-year",
            "2026",
            "--through-year",
            "2030",
            "--out",
            out,
        ];
        if prob {
            a.extend(["--probability", "0.5", "--paths", "16"]);
        }
        a
    };
    let det = solve_json(&args("d", false), tmp.path());
    let mc = solve_json(&args("m", true), tmp.path());
    assert_eq!(det["move_from"].as_i64(), Some(2024), "{det}");
    assert_eq!(mc["move_from"].as_i64(), Some(2024), "{mc}");
    let (a, b) = (
        det["value_exact"].as_f64().unwrap(),
        mc["value_exact"].as_f64().unwrap(),
    );
    assert!((a - b).abs() < 0.01, "deterministic {a} vs with draws {b}");
    assert_eq!(det["value"], mc["value"]);
}

/// `solve` reports in Chinese by default: outside code spans (`--set ...`)
/// solve.md and report.html carry no English words, and the rounding is said
/// in Chinese (按元取整, 按0.1个百分点取整); `--lang en` says it in English.
#[test]
fn solve_reports_are_chinese_by_default() {
    let tmp = common::tmp();
    let scen = common::scenario("chuxiong-2023.toml");
    let scen = scen.to_str().unwrap();
    let english = |text: &str| -> Vec<String> {
        let mut out = Vec::new();
        for (i, part) in text.split('`').enumerate() {
            if i % 2 == 1 {
                continue; // a code span
            }
            let mut word = String::new();
            for c in part.chars().chain(std::iter::once(' ')) {
                if c.is_ascii_alphabetic() {
                    word.push(c);
                } else {
                    if word.len() >= 3 && word != "drgsim" {
                        out.push(word.clone());
                    }
                    word.clear();
                }
            }
        }
        out
    };
    for (param, extra, grain) in [
        ("funds.resident.premiums.premium", &[][..], "按元取整"),
        (
            "funds.resident.spending.inpatient_reimbursement",
            &["--probability", "0.8", "--paths", "20"][..],
            "按0.1个百分点取整",
        ),
    ] {
        let mut args = vec![
            "solve",
            scen,
            "--param",
            param,
            "--target-months",
            "2",
            "--through-year",
            "2028",
            "--out",
            "zh",
        ];
        args.extend_from_slice(extra);
        let o = drgsim(&args, tmp.path());
        assert!(o.status.success(), "{}", stderr(&o));
        let md = std::fs::read_to_string(tmp.path().join("zh/solve.md")).unwrap();
        assert!(md.contains(grain), "{md}");
        assert_eq!(english(&md), Vec::<String>::new(), "{md}");
        std::fs::remove_dir_all(tmp.path().join("zh")).unwrap();
    }
    let o = drgsim(
        &[
            "--lang",
            "en",
            "solve",
            scen,
            "--param",
            "funds.resident.premiums.premium",
            "--target-months",
            "2",
            "--through-year",
            "2028",
            "--out",
            "en",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let md = std::fs::read_to_string(tmp.path().join("en/solve.md")).unwrap();
    assert!(md.contains("(rounded to yuan)"), "{md}");
}

#[test]
fn monte_carlo_paths_topped_up_to_zero_are_never_depleted() {
    // The default scenario's backstop tops the balance up to zero; with a cap
    // no path reaches, every path that falls short ends its year at exactly
    // zero. Before `rules::topup` the balance was `before + (0 - before)`
    // rebuilt through the books, a rounding residue either side of zero, and
    // up to 15 % of these paths counted as depleted.
    use drgsim::analysis::{self, Uncertainty};
    let model = drgsim::Model::load(
        &common::scenario("chuxiong-rules.toml"),
        &["funds.resident.rules.backstop.cap_wan=1e9".to_string()],
    )
    .unwrap();
    let mut unc = Uncertainty::of_model(&model).unwrap();
    analysis::keep_observed(&model, &mut unc).unwrap();
    let mc = analysis::monte_carlo(&model, &unc, 2000, 1, Some(2), None).unwrap();
    let f = &mc.funds[0];
    let n = mc.years.len();
    assert!(
        f.months.prob_below[n - 1][1] > 0.9,
        "most paths fall short and are topped up: {:?}",
        f.months.prob_below[n - 1]
    );
    for (t, year) in mc.years.iter().enumerate() {
        assert_eq!(f.balance.prob_below[t][0], 0.0, "{year}: depleted share");
    }
}
