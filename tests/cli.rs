//! The command line end to end, and every kind of bad input: a clear message
//! naming file, field and line, a non-zero exit, and nothing written.

mod common;
use common::{drgsim, stderr};

#[test]
fn run_writes_the_report() {
    let tmp = common::tmp();
    let out = tmp.path().join("out");
    let scen = common::scenario("chuxiong-2023.toml");
    let o = drgsim(
        &[
            "run",
            scen.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "projection.csv",
        "summary.md",
        "months_payable.svg",
        "months_payable.png",
        "balance.svg",
        "balance.png",
        "revenue_expenditure_resident.png",
        "members_by_age_resident.svg",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let csv = std::fs::read_to_string(out.join("projection.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    for col in [
        "fund",
        "year",
        "members",
        "members_60plus_share",
        "revenue_wan",
        "expenditure_wan",
        "pooled_expenditure_wan",
        "surplus_wan",
        "surplus_rate",
        "balance_wan",
        "months_payable",
        "status",
        "inpatient_cases",
        "cmi",
        "point_value",
        "settlement_ratio",
    ] {
        assert!(header.split(',').any(|c| c == col), "column {col} missing");
    }
    assert_eq!(csv.lines().count(), 1 + 13, "2023..=2035");
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    // Chinese by default: the regulator's terms, no English label left.
    assert!(summary.contains("首次低于预警线") && summary.contains("穿底年份"));
    assert!(summary.contains("主要假设") && !summary.contains("Main assumptions"));
    assert!(out.join("report.xlsx").is_file() && out.join("report.html").is_file());
    // no staging directories left behind
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn run_with_no_arguments_uses_the_default_scenario() {
    let tmp = common::tmp();
    let o = drgsim(&["run"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(tmp.path().join("out/projection.csv").is_file());
    assert!(common::stdout(&o).contains("Chuxiong"));
}

#[test]
fn set_overrides_a_parameter() {
    let tmp = common::tmp();
    let scen = common::scenario("chuxiong-2023.toml");
    let read = |dir: &str, extra: &[&str]| {
        let out = tmp.path().join(dir);
        let mut args = vec![
            "run",
            scen.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = drgsim(&args, tmp.path());
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read_to_string(out.join("projection.csv")).unwrap()
    };
    let a = read("a", &[]);
    let b = read("b", &["--set", "funds.resident.premiums.premium=500"]);
    assert_ne!(a.lines().nth(2), b.lines().nth(2));
    assert_eq!(a, read("c", &[]), "same scenario, same bytes");
}

#[test]
fn compare_and_validate() {
    let tmp = common::tmp();
    let out = tmp.path().join("cmp");
    let a = common::scenario("chuxiong-2023.toml");
    let b = common::scenario("premium-up.toml");
    let o = drgsim(
        &[
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "compare_months_payable.png",
        "compare_balance.svg",
        "compare.md",
        "compare.csv",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(md.contains("Chuxiong baseline") && md.contains("premium"));
    let all: Vec<String> = std::fs::read_dir(common::scenario(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["validate"];
    args.extend(all.iter().map(String::as_str));
    let o = drgsim(&args, tmp.path());
    assert!(
        o.status.success(),
        "bundled scenarios must validate: {}",
        stderr(&o)
    );
}

/// Writes a scenario that extends the bundled baseline with `body`, runs it and
/// checks the failure: message parts present, non-zero exit, nothing written.
fn bad(body: &str, expect: &[&str]) {
    let tmp = common::tmp();
    let file = common::extending(tmp.path(), "bad.toml", "chuxiong-2023.toml", body);
    let out = tmp.path().join("out");
    let (file, out_s) = (file.to_str().unwrap(), out.to_str().unwrap());
    common::refused(&["run", file, "--out", out_s], tmp.path(), expect);
    assert!(!out.exists(), "nothing may be written");
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "no staging left behind"
    );
    common::refused(&["validate", file], tmp.path(), expect);
}

#[test]
fn typo_key_names_file_field_and_line() {
    bad(
        "\n[funds.resident.premiums]\npremum = 400\n",
        &[
            "bad.toml:4",
            "funds.resident.premiums.premum",
            "unknown field",
        ],
    );
}

#[test]
fn bad_history_is_refused() {
    bad(
        "[funds.resident.history.2022]\nmonths = 13\n",
        &["bad.toml:3", "history.2022.months", "(0, 12]"],
    );
    bad(
        "[funds.resident.history.last]\nmembers = 1\n",
        &["bad.toml", "`last` is not a year"],
    );
    bad(
        "[funds.resident.history.2022]\nmembers = -5\n",
        &["history.2022.members", "not a plausible published figure"],
    );
}

#[test]
fn negative_premium_is_refused() {
    bad(
        "[funds.resident.premiums]\npremium = -380\n",
        &[
            "bad.toml:3",
            "funds.resident.premiums.premium",
            "between 0 and",
        ],
    );
}

#[test]
fn share_outside_zero_one_is_refused() {
    bad(
        "[funds.resident.spending]\ninpatient_reimbursement = 1.4\n",
        &["bad.toml:3", "inpatient_reimbursement", "between 0 and 1"],
    );
}

#[test]
fn subsidy_split_must_sum_to_one() {
    bad(
        "[funds.resident.premiums]\nsubsidy_split = { central = 0.8, provincial = 0.14, local = 0.1 }\n",
        &["subsidy_split", "must be 1"],
    );
}

#[test]
fn horizon_before_base_year_is_refused() {
    bad(
        "[scenario]\nhorizon = 2020\n",
        &["bad.toml:3", "scenario.horizon", "before the base year"],
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    bad(
        "[funds.resident.premiums]\npremium = -1\nsubsidy = -2\n[funds.resident.spending]\noutpatient_reimbursement = 3\n",
        &[
            "premiums.premium",
            "premiums.subsidy",
            "outpatient_reimbursement",
            "3 problems",
        ],
    );
}

#[test]
fn missing_profile_file_is_named() {
    bad(
        "[funds.resident.members]\nprofile = \"nowhere.csv\"\n",
        &[
            "bad.toml:3",
            "cannot use the age profile",
            "nowhere.csv: cannot read it",
            "No such file",
        ],
    );
}

#[test]
fn age_shares_must_sum_to_one() {
    let tmp = common::tmp();
    let src = common::scenario("data/profiles/chuxiong-resident-2023.csv");
    let text = std::fs::read_to_string(src)
        .unwrap()
        .replace("0-4,0.048537", "0-4,0.148537");
    std::fs::write(tmp.path().join("p.csv"), text).unwrap();
    let file = tmp.path().join("s.toml");
    std::fs::write(
        &file,
        format!(
            "extends = {:?}\n[funds.resident.members]\nprofile = \"p.csv\"\n",
            common::scenario("chuxiong-2023.toml").to_str().unwrap()
        ),
    )
    .unwrap();
    let o = drgsim(&["validate", file.to_str().unwrap()], tmp.path());
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("p.csv") && err.contains("member_share") && err.contains("sum to 1.1"),
        "{err}"
    );
}

#[test]
fn bad_csv_cell_names_line_and_column() {
    let tmp = common::tmp();
    let src = common::scenario("data/profiles/chuxiong-resident-2023.csv");
    let text = std::fs::read_to_string(src)
        .unwrap()
        .replace(",0.9988,", ",abc,");
    std::fs::write(tmp.path().join("p.csv"), text).unwrap();
    let file = tmp.path().join("s.toml");
    std::fs::write(
        &file,
        format!(
            "extends = {:?}\n[funds.resident.members]\nprofile = \"p.csv\"\n",
            common::scenario("chuxiong-2023.toml").to_str().unwrap()
        ),
    )
    .unwrap();
    let o = drgsim(&["validate", file.to_str().unwrap()], tmp.path());
    let err = stderr(&o);
    assert!(
        err.contains("p.csv:8")
            && err.contains("column `survival`")
            && err.contains("`abc` is not a number"),
        "{err}"
    );
}

#[test]
fn missing_scenario_file_and_extends_cycle() {
    let tmp = common::tmp();
    let o = drgsim(&["run", "no-such.toml", "--out", "o"], tmp.path());
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("cannot read scenario file no-such.toml"),
        "{}",
        stderr(&o)
    );
    std::fs::write(tmp.path().join("a.toml"), "extends = \"b.toml\"\n").unwrap();
    std::fs::write(tmp.path().join("b.toml"), "extends = \"a.toml\"\n").unwrap();
    let o = drgsim(&["run", "a.toml", "--out", "o"], tmp.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("cycle"), "{}", stderr(&o));
    assert!(!tmp.path().join("o").exists());
    std::fs::write(
        tmp.path().join("c.toml"),
        "extends = \"missing-parent.toml\"\n",
    )
    .unwrap();
    let o = drgsim(&["validate", "c.toml"], tmp.path());
    assert!(
        stderr(&o).contains("missing-parent.toml")
            && stderr(&o).contains("named by `extends` in c.toml"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_set_is_refused() {
    let tmp = common::tmp();
    let scen = common::scenario("chuxiong-2023.toml");
    let o = drgsim(
        &[
            "run",
            scen.to_str().unwrap(),
            "--set",
            "funds.resident.premiums.premium=-5",
            "--out",
            "o",
        ],
        tmp.path(),
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("--set: funds.resident.premiums.premium"),
        "{}",
        stderr(&o)
    );
    let o = drgsim(
        &[
            "run",
            scen.to_str().unwrap(),
            "--set",
            "funds.resident.premiums.premum=5",
            "--out",
            "o",
        ],
        tmp.path(),
    );
    assert!(stderr(&o).contains("unknown field"), "{}", stderr(&o));
    assert!(!tmp.path().join("o").exists());
}

#[test]
fn a_reform_in_another_folder_finds_the_baseline_tables() {
    // Table paths resolve against the file that wrote them, not the reform's folder.
    let tmp = common::tmp();
    let file = tmp.path().join("reform.toml");
    let base = common::scenario("chuxiong-2023.toml");
    std::fs::write(
        &file,
        format!(
            "extends = {:?}\n[funds.resident.payment]\nmode = \"fee_for_service\"\n",
            base.to_str().unwrap()
        ),
    )
    .unwrap();
    let o = drgsim(&["run", file.to_str().unwrap(), "--out", "o"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let q = common::scenario("qingyang-2025h1.toml");
    std::fs::write(
        &file,
        format!(
            "extends = {:?}\n[funds.region.payment]\nbase_rate = 4000\n",
            q.to_str().unwrap()
        ),
    )
    .unwrap();
    let o = drgsim(
        &["hospitals", file.to_str().unwrap(), "--out", "h"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn relative_scenario_paths_work_from_the_repository_root() {
    // The README's commands run from the repository with relative paths.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = common::tmp();
    let out = tmp.path().join("o");
    let o = drgsim(&["run", "--out", out.to_str().unwrap()], root);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tmp.path().join("h");
    let o = drgsim(
        &[
            "hospitals",
            "scenarios/qingyang-2025h1.toml",
            "--vs",
            "scenarios/recalibration-neutral.toml",
            "--out",
            out.to_str().unwrap(),
        ],
        root,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = drgsim(
        &[
            "validate",
            "scenarios/drg-coverage-90.toml",
            "scenarios/point-value-volume.toml",
        ],
        root,
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn bundled_scenarios_list_init_and_run_anywhere() {
    let tmp = common::tmp();
    let o = drgsim(&["scenarios"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let list = common::stdout(&o);
    for name in [
        "chuxiong-2023",
        "qingyang-2025h1",
        "point-value-volume",
        "chuxiong-global-budget",
        "sanmen-2020",
    ] {
        assert!(list.contains(name), "{list}");
    }
    // A clearing file (for `drgsim clear`) is not a scenario: not listed, not copied out.
    assert!(!list.contains("sanmen-clearing-2019"), "{list}");
    let o = drgsim(&["init", "sanmen-clearing-2019", "clr"], tmp.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no bundled scenario"), "{}", stderr(&o));
    // init copies the scenario, its extends chain and tables; the copy runs.
    let o = drgsim(&["init", "drg-rate-cut", "mine"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = drgsim(
        &["run", "mine/drg-rate-cut.toml", "--out", "o1"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Never overwrites: a second init into the same folder is refused.
    std::fs::write(tmp.path().join("mine/drg-rate-cut.toml"), "# mine\n").unwrap();
    let o = drgsim(&["init", "drg-rate-cut", "mine"], tmp.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("mine/drg-rate-cut.toml")).unwrap(),
        "# mine\n"
    );
    // With no scenario and no checkout around, the embedded default runs.
    let o = drgsim(&["run", "--out", "o2"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let want = std::fs::read(tmp.path().join("o1/projection.csv")).unwrap();
    assert!(!want.is_empty());
    assert!(tmp.path().join("o2/projection.csv").exists());
}
