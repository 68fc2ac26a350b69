//! Sensitivity, two-way tables, Monte Carlo and goal seek: the library bridge
//! (levers) against recompiled scenarios, and the four commands end to end,
//! bad input included (clear error, nothing written).

mod common;
use common::{col, csv_rows, drgsim, stderr};
use drgsim::analysis::Window;
use drgsim::analysis::{self, Uncertainty};
use drgsim::analysis::{Buffers, Lever, LeverSet, project_levers};
use drgsim::analysis::{DistSpec, quantile};
use drgsim::projection::{Model, project};
use drgsim::scenario::UncertaintySpec;

fn chuxiong() -> Model {
    Model::load(&common::scenario("chuxiong-2023.toml"), &[]).unwrap()
}

/// Same numbers (bit for bit, NaN equal to NaN) in every row of every fund.
fn same(a: &drgsim::projection::Projection, b: &drgsim::projection::Projection) -> bool {
    a.funds.len() == b.funds.len()
        && a.funds.iter().zip(&b.funds).all(|(x, y)| {
            x.rows.len() == y.rows.len()
                && x.rows.iter().zip(&y.rows).all(|(r, s)| {
                    r.year == s.year
                        && r.status == s.status
                        && r.numbers()
                            .iter()
                            .zip(s.numbers())
                            .all(|(u, v)| u.to_bits() == v.to_bits())
                })
        })
}

/// Moving a lever on the fast path gives exactly the projection of the
/// scenario recompiled with its `--set` equivalent, for every kind of lever.
#[test]
fn fast_levers_equal_recompiled_scenarios() {
    let m = chuxiong();
    let cases: &[(&str, f64)] = &[
        ("funds.resident.spending.inpatient_cost_growth", 0.05),
        ("funds.resident.premiums.premium", 420.0),
        ("funds.resident.premiums.premium.scale", 1.07),
        ("funds.resident.premiums.premium.values.2030", 500.0),
        ("funds.resident.premiums.premium.growth_after", 0.05),
        ("funds.resident.payment.base_rate.base", 5300.0),
        ("funds.resident.payment.base_rate.growth", 0.02),
        ("funds.resident.payment.base_rate.shift", -0.01),
        (
            "funds.resident.demography.mortality_multiplier.growth",
            -0.03,
        ),
        ("funds.resident.enrollment.decline.shift", 0.01),
        ("funds.resident.opening_balance_wan", 100000.0),
    ];
    for &(path, x) in cases {
        let set = LeverSet::new(vec![Lever::resolve(&m, path).unwrap()]);
        let mut buf = Buffers::for_model(&m);
        let fast = project_levers(&m, &set, &[x], &mut buf).unwrap().clone();
        let sets: Vec<String> = set
            .to_sets(&[x])
            .iter()
            .map(|(p, v)| drgsim::analysis::set_arg(p, v))
            .collect();
        let slow = project(&Model::load(&common::scenario("chuxiong-2023.toml"), &sets).unwrap());
        assert!(same(&fast, &slow), "{path} = {x} via {sets:?}");
        let base = project(&m);
        assert!(!same(&fast, &base), "{path} = {x} moved nothing");
    }
    // several levers on one parameter compose
    let set = LeverSet::resolve(
        &m,
        &[
            "funds.resident.premiums.premium.scale".into(),
            "funds.resident.premiums.premium.values.2035".into(),
        ],
    )
    .unwrap();
    let mut buf = Buffers::for_model(&m);
    let fast = project_levers(&m, &set, &[1.1, 700.0], &mut buf)
        .unwrap()
        .clone();
    let sets: Vec<String> = set
        .to_sets(&[1.1, 700.0])
        .iter()
        .map(|(p, v)| drgsim::analysis::set_arg(p, v))
        .collect();
    let slow = project(&Model::load(&common::scenario("chuxiong-2023.toml"), &sets).unwrap());
    assert!(same(&fast, &slow));
}

#[test]
fn unknown_and_misfit_paths_are_explained() {
    let m = chuxiong();
    let e = Lever::resolve(&m, "funds.resident.premiums.premum")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown parameter") && e.contains("`funds.resident.premiums.premium`"),
        "{e}"
    );
    let e = Lever::resolve(&m, "funds.resident.spending.inpatient_cost_growth.base")
        .unwrap_err()
        .to_string();
    assert!(e.contains("a constant"), "{e}");
    let e = Lever::resolve(&m, "funds.nosuch.premiums.premium")
        .unwrap_err()
        .to_string();
    assert!(e.contains("no fund `nosuch`"), "{e}");
}

fn point_uncertainty(m: &Model) -> (Uncertainty, Vec<String>) {
    let mut spec = UncertaintySpec::default();
    let points = [
        ("funds.resident.spending.inpatient_cost_growth", 0.04),
        ("funds.resident.premiums.premium.scale", 1.1),
        ("funds.resident.enrollment.decline.shift", 0.005),
        (
            "funds.resident.demography.mortality_multiplier.growth",
            -0.02,
        ),
    ];
    for (p, v) in points {
        spec.params.insert(p.into(), DistSpec::point(v));
    }
    // a degenerate normal and triangular collapse to their value too
    spec.params.insert(
        "funds.resident.spending.admission_growth".into(),
        DistSpec::normal(0.02, 0.0),
    );
    spec.params.insert(
        "funds.resident.payment.hospital_coverage.all".into(),
        DistSpec::triangular(0.8, 0.8, 0.8),
    );
    let unc = Uncertainty::from_spec(m, &spec).unwrap();
    let xs: Vec<f64> = unc
        .sampler
        .marginals()
        .iter()
        .map(|mg| mg.quantile(0.5))
        .collect();
    let set = LeverSet::new(unc.levers.clone());
    let sets = set
        .to_sets(&xs)
        .iter()
        .map(|(p, v)| drgsim::analysis::set_arg(p, v))
        .collect();
    (unc, sets)
}

#[test]
fn monte_carlo_with_point_distributions_equals_the_deterministic_projection() {
    let m = chuxiong();
    let (unc, sets) = point_uncertainty(&m);
    let det = project(&Model::load(&common::scenario("chuxiong-2023.toml"), &sets).unwrap());
    assert!(!same(&det, &project(&m)));
    let mc = drgsim::analysis::monte_carlo(&m, &unc, 50, 7, None, None).unwrap();
    let f = &mc.funds[0];
    for (t, row) in det.funds[0].rows.iter().enumerate() {
        for q in &f.months.quantiles[t] {
            assert_eq!(*q, row.months_payable, "year {}", row.year);
        }
        for q in &f.balance.quantiles[t] {
            assert_eq!(*q, row.balance_wan, "year {}", row.year);
        }
        let below = |x: f64, th: f64| if x < th { 1.0 } else { 0.0 };
        assert_eq!(f.months.prob_below[t][0], below(row.months_payable, 6.0));
        assert_eq!(f.balance.prob_below[t][0], below(row.balance_wan, 0.0));
    }
}

#[test]
fn montecarlo_same_seed_same_output_with_1_and_2_threads_and_quantiles_ordered() {
    let tmp = common::tmp();
    let scen = common::scenario("chuxiong-2023.toml");
    let run = |threads: &str, seed: &str, out: &str| {
        let o = drgsim(
            &[
                "montecarlo",
                scen.to_str().unwrap(),
                "--paths",
                "400",
                "--seed",
                seed,
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
    let one = run("1", "11", "one");
    let two = run("2", "11", "two");
    assert_eq!(one, two);
    assert_ne!(one, run("2", "12", "other"), "the seed matters");
    for f in ["montecarlo.md", "fan_resident.svg", "fan_resident.png"] {
        assert!(tmp.path().join("one").join(f).is_file(), "{f}");
    }
    let (h, rows) = csv_rows(&tmp.path().join("one/montecarlo.csv"));
    for c in [
        "fund",
        "year",
        "months_p05",
        "months_p25",
        "months_p50",
        "months_p75",
        "months_p95",
        "balance_p05",
        "balance_p50",
        "balance_p95",
        "p_below_warning",
        "p_below_danger",
        "p_depleted",
    ] {
        col(&h, c);
    }
    assert_eq!(rows.len(), 13);
    let num = |r: &Vec<String>, c: &str| r[col(&h, c)].parse::<f64>().unwrap();
    let mut spread = 0.0;
    for r in &rows {
        let q: Vec<f64> = ["p05", "p25", "p50", "p75", "p95"]
            .iter()
            .map(|p| num(r, &format!("months_{p}")))
            .collect();
        assert!(q.windows(2).all(|w| w[0] <= w[1]), "{q:?}");
        spread += q[4] - q[0];
        assert!(num(r, "balance_p05") <= num(r, "balance_p50"));
        assert!(num(r, "balance_p50") <= num(r, "balance_p95"));
        let (w, d, z) = (
            num(r, "p_below_warning"),
            num(r, "p_below_danger"),
            num(r, "p_depleted"),
        );
        assert!(z <= d && d <= w && w <= 1.0, "{r:?}");
    }
    assert!(spread > 0.0, "the uncertainty spreads the runway");
}

#[test]
fn goal_seek_meets_the_target_and_a_value_just_beyond_does_not() {
    let tmp = common::tmp();
    let scen = common::scenario("chuxiong-2023.toml");
    let o = drgsim(
        &[
            "solve",
            scen.to_str().unwrap(),
            "--param",
            "funds.resident.premiums.subsidy",
            "--target-months",
            "6",
            "--year",
            "2030",
            "--out",
            "s",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("s/solve.json")).unwrap())
            .unwrap();
    let value = j["value_exact"].as_f64().unwrap();
    let achieved = j["achieved_months"].as_f64().unwrap();
    assert!(achieved >= 6.0, "{j}");
    assert!(
        j["achieved_months_exact"].as_f64().unwrap() < 6.01,
        "the smallest subsidy, not any: {j}"
    );
    // the answer as a notice prints it: whole yuan, at or above the exact value
    let printed = j["value"].as_f64().unwrap();
    assert_eq!(printed, printed.round(), "{j}");
    assert!(printed >= value && printed - value < 1.0, "{j}");
    assert_eq!(j["rounded_to"].as_f64(), Some(1.0));
    assert_eq!(j["year"].as_i64(), Some(2030));
    // Chuxiong's years of record are 2022 and 2023: the subsidy moves from 2024
    assert_eq!(j["move_from"].as_i64(), Some(2024));
    assert_eq!(j["bracket"].as_array().unwrap().len(), 2);
    // a value just below misses
    let m = chuxiong();
    let lever = Lever::resolve(&m, "funds.resident.premiums.subsidy")
        .unwrap()
        .moved_from(1)
        .unwrap();
    let spec = analysis::SolveSpec {
        lever,
        fund: 0,
        target_months: 6.0,
        window: Window::year(7),
        range: (320.0, 1280.0),
        probability: None,
        threads: None,
    };
    assert!(analysis::solve_outcome(&m, &spec, value).unwrap() >= 6.0);
    assert!(analysis::solve_outcome(&m, &spec, value - 1e-3).unwrap() < 6.0);
    // `run --set <set>` reproduces the months achieved
    let set = j["set"].as_str().unwrap();
    let o = drgsim(
        &["run", scen.to_str().unwrap(), "--set", set, "--out", "r"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = csv_rows(&tmp.path().join("r/projection.csv"));
    let r2030 = rows.iter().find(|r| r[col(&h, "year")] == "2030").unwrap();
    let months: f64 = r2030[col(&h, "months_payable")].parse().unwrap();
    assert!((months - achieved).abs() < 1e-3, "{months} vs {achieved}");
}

#[test]
fn goal_seek_through_the_horizon_with_a_scaled_path_reproduces_with_set() {
    let m = chuxiong();
    let lever = Lever::resolve(&m, "funds.resident.premiums.premium.scale").unwrap();
    let spec = analysis::SolveSpec {
        lever: lever.clone(),
        fund: 0,
        target_months: 3.0,
        window: Window::after_base(&m),
        range: analysis::default_range(&lever),
        probability: None,
        threads: None,
    };
    let r = analysis::solve(&m, &spec).unwrap();
    assert!(r.achieved >= 3.0 && r.increasing);
    assert!(r.miss_achieved < 3.0 && r.miss_value < r.value);
    assert!((r.value - r.miss_value).abs() <= 1e-6);
    let sets: Vec<String> = LeverSet::new(vec![lever])
        .to_sets(&[r.value])
        .iter()
        .map(|(p, v)| drgsim::analysis::set_arg(p, v))
        .collect();
    let p = project(&Model::load(&common::scenario("chuxiong-2023.toml"), &sets).unwrap());
    assert_eq!(
        analysis::runway_measure(&p, 0, Window::after_base(&m)),
        r.achieved
    );
}

#[test]
fn goal_seek_with_probability_uses_common_random_numbers() {
    let m = chuxiong();
    let unc = Uncertainty::of_model(&m).unwrap();
    let lever = Lever::resolve(&m, "funds.resident.premiums.subsidy.scale").unwrap();
    let spec = analysis::SolveSpec {
        lever,
        fund: 0,
        target_months: 3.0,
        window: Window::year(5),
        range: (0.5, 3.0),
        probability: Some((0.9, 200, 5, unc)),
        threads: None,
    };
    let r = analysis::solve(&m, &spec).unwrap();
    assert!(r.achieved >= 3.0 && r.miss_achieved < 3.0, "{r:?}");
    // the same value gives the same probability outcome every time
    assert_eq!(
        analysis::solve_outcome(&m, &spec, r.value).unwrap(),
        r.achieved
    );
    // and needs more subsidy than the deterministic answer
    let det = analysis::SolveSpec {
        probability: None,
        ..spec.clone()
    };
    let d = analysis::solve(&m, &det).unwrap();
    assert!(r.value > d.value, "{} vs {}", r.value, d.value);
    let mut v = vec![3.0, 1.0, 2.0];
    v.sort_by(f64::total_cmp);
    assert_eq!(quantile(&v, 0.5), 2.0);
}

#[test]
fn solve_reports_when_no_value_works() {
    let tmp = common::tmp();
    let scen = common::scenario("chuxiong-2023.toml");
    let o = drgsim(
        &[
            "solve",
            scen.to_str().unwrap(),
            "--param",
            "funds.resident.premiums.premium.scale",
            "--target-months",
            "100",
            "--out",
            "s",
        ],
        tmp.path(),
    );
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("no value of") && e.contains("--range"), "{e}");
    assert!(!tmp.path().join("s").exists());
}

#[test]
fn tornado_ranks_an_ignored_parameter_last_with_zero_swing() {
    let tmp = common::tmp();
    // paid fee for service, the fund ignores the DRG base rate
    let scen = common::extending(
        tmp.path(),
        "s.toml",
        "chuxiong-2023.toml",
        "[funds.resident.payment]\nmode = \"fee_for_service\"\n",
    );
    let o = drgsim(
        &[
            "sensitivity",
            scen.to_str().unwrap(),
            "--param",
            "funds.resident.payment.base_rate=4000:7000",
            "--param",
            "funds.resident.interest_rate",
            "--out",
            "t",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "tornado.csv",
        "sensitivity.md",
        "tornado_resident.svg",
        "tornado_resident.png",
    ] {
        assert!(tmp.path().join("t").join(f).is_file(), "{f}");
    }
    let md = std::fs::read_to_string(tmp.path().join("t/sensitivity.md")).unwrap();
    // The Markdown (Chinese by default) names the parameter by its label, not its path.
    let label =
        drgsim::report::param_label("funds.resident.payment.base_rate", drgsim::report::Lang::Zh);
    assert!(
        md.contains(&label) && md.contains("2030年可支付月数"),
        "{md}"
    );
    assert!(!md.contains("payment.base_rate"), "{md}");
    let (h, rows) = csv_rows(&tmp.path().join("t/tornado.csv"));
    let last = rows.last().unwrap();
    assert_eq!(last[col(&h, "param")], "funds.resident.payment.base_rate");
    assert_eq!(last[col(&h, "swing_months")].parse::<f64>().unwrap(), 0.0);
    // ranked on months payable clipped at 0, and the file says so
    let swings: Vec<f64> = rows
        .iter()
        .map(|r| r[col(&h, "swing_ranked")].parse().unwrap())
        .collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{swings:?}");
    // the fund is depleted by 2030 in most settings: the top of the tornado is
    // what moves the runway above zero or the depletion year
    let top = &rows[0];
    assert!(
        swings[0] > 0.0 || top[col(&h, "depletion_low")] != top[col(&h, "depletion_high")],
        "{top:?}"
    );
    assert!(
        rows.iter()
            .all(|r| r[col(&h, "ranked_by")] == "months_payable_clipped_at_0")
    );
    for r in &rows {
        let m = |c: &str| r[col(&h, c)].parse::<f64>().unwrap().max(0.0);
        let want = (m("months_high") - m("months_low")).abs();
        let got: f64 = r[col(&h, "swing_ranked")].parse().unwrap();
        assert!((got - want).abs() < 1e-3, "{r:?}");
    }
    assert!(rows.len() >= 10, "defaults and named parameters");
    // the scenario's [sensitivity] outcome year is used
    assert!(rows.iter().all(|r| r[col(&h, "outcome_year")] == "2030"));
    let names: Vec<&str> = rows.iter().map(|r| r[col(&h, "param")].as_str()).collect();
    for p in [
        "funds.resident.demography.mortality_multiplier.growth",
        "funds.resident.spending.inpatient_cost_growth.shift",
        "funds.resident.premiums.premium.scale",
        "funds.resident.enrollment.selectivity",
        "funds.resident.interest_rate",
    ] {
        assert!(names.contains(&p), "{p} in {names:?}");
    }
}

#[test]
fn sensitivity_global_writes_sobol_indices() {
    let tmp = common::tmp();
    let scen = common::scenario("chuxiong-2023.toml");
    let o = drgsim(
        &[
            "sensitivity",
            scen.to_str().unwrap(),
            "--global",
            "--samples",
            "256",
            "--out",
            "g",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = csv_rows(&tmp.path().join("g/sobol.csv"));
    assert_eq!(rows.len(), 6);
    let total: Vec<f64> = rows
        .iter()
        .map(|r| r[col(&h, "total")].parse().unwrap())
        .collect();
    assert!(total.windows(2).all(|w| w[0] >= w[1]));
    assert!(total[0] > 0.1, "{total:?}");
    let md = std::fs::read_to_string(tmp.path().join("g/sensitivity.md")).unwrap();
    assert!(md.contains("Sobol"));
}

#[test]
fn grid_writes_table_and_heatmap() {
    let tmp = common::tmp();
    let scen = common::scenario("chuxiong-2023.toml");
    let o = drgsim(
        &[
            "grid",
            scen.to_str().unwrap(),
            "--x",
            "funds.resident.payment.base_rate.scale=0.9:1.1:5",
            "--y",
            "funds.resident.enrollment.decline=0:0.04:3",
            "--year",
            "2026",
            "--out",
            "g",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = csv_rows(&tmp.path().join("g/grid.csv"));
    assert_eq!(rows.len(), 15);
    let m = |r: &Vec<String>| r[col(&h, "months_payable")].parse::<f64>().unwrap();
    // a lower base rate leaves more months (first row x = 0.9 vs last x = 1.1, same y)
    assert!(m(&rows[0]) > m(&rows[12]));
    for f in ["grid.md", "heatmap_resident.svg", "heatmap_resident.png"] {
        assert!(tmp.path().join("g").join(f).is_file(), "{f}");
    }
}

fn bad(args: &[&str], scenario_text: Option<&str>, expect: &[&str]) {
    let tmp = common::tmp();
    let scen = match scenario_text {
        Some(t) => common::extending(tmp.path(), "s.toml", "chuxiong-2023.toml", t),
        None => common::scenario("chuxiong-2023.toml"),
    };
    let mut full = vec![args[0], scen.to_str().unwrap()];
    full.extend_from_slice(&args[1..]);
    full.extend_from_slice(&["--out", "o"]);
    let o = drgsim(&full, tmp.path());
    assert!(!o.status.success(), "{args:?} succeeded");
    let e = stderr(&o);
    for x in expect {
        assert!(e.contains(x), "{args:?}: `{x}` not in {e}");
    }
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "s.toml")
        .collect();
    assert!(left.is_empty(), "{args:?} wrote {left:?}");
}

#[test]
fn bad_input_is_a_clear_error_and_writes_nothing() {
    bad(
        &["sensitivity", "--param", "funds.resident.premiums.premum"],
        None,
        &["unknown parameter", "funds.resident.premiums.premium"],
    );
    bad(
        &[
            "sensitivity",
            "--param",
            "funds.resident.premiums.premium=440:360",
        ],
        None,
        &["low bound 440 is above the high bound 360"],
    );
    bad(
        &[
            "grid",
            "--x",
            "funds.resident.payment.base_rate.scale=1.1:0.9:5",
            "--y",
            "funds.resident.enrollment.decline=0:0.04:3",
        ],
        None,
        &["low bound 1.1 must be below the high bound 0.9"],
    );
    bad(
        &[
            "grid",
            "--x",
            "funds.resident.spending.inpatient_reimbursement=0.5:1.5:5",
            "--y",
            "funds.resident.enrollment.decline=0:0.04:3",
        ],
        None,
        &["funds.resident.spending.inpatient_reimbursement", "share"],
    );
    bad(&["montecarlo", "--paths", "0"], None, &["at least 1"]);
    bad(
        &["montecarlo"],
        Some(
            "[uncertainty.params.\"funds.resident.spending.admission_growth\"]\ndist = \"normal\"\nmean = 0.01\nsd = -1\n",
        ),
        &["funds.resident.spending.admission_growth", "sd"],
    );
    bad(
        &["montecarlo"],
        Some(
            "[uncertainty.params.\"funds.resident.spending.admission_grwth\"]\ndist = \"uniform\"\nmin = 0\nmax = 0.02\n",
        ),
        &["unknown parameter", "admission_growth"],
    );
    bad(
        &["montecarlo"],
        Some("[uncertainty]\npathz = 3\n"),
        &["s.toml:3", "unknown field `pathz`"],
    );
    bad(
        &["montecarlo"],
        Some(
            "[uncertainty.params.\"funds.resident.spending.inpatient_reimbursement\"]\ndist = \"normal\"\nmean = 0.9\nsd = 0.1\n",
        ),
        &["funds.resident.spending.inpatient_reimbursement", "lower"],
    );
    bad(
        &[
            "solve",
            "--param",
            "funds.resident.premiums.subsidy",
            "--target-months",
            "6",
            "--range",
            "900:700",
        ],
        None,
        &["low bound 900 is above the high bound 700"],
    );
    bad(
        &[
            "solve",
            "--param",
            "funds.resident.premiums.subsidy",
            "--target-months",
            "6",
            "--year",
            "2050",
        ],
        None,
        &["2050", "outside"],
    );
}

#[test]
fn validate_checks_the_analysis_sections() {
    let tmp = common::tmp();
    let scen = common::extending(
        tmp.path(),
        "s.toml",
        "chuxiong-2023.toml",
        "[sensitivity.ranges]\n\"funds.resident.premiums.premum\" = { low = 1, high = 2 }\n\"funds.resident.payment.base_rate.scale\" = { low = 1.2, high = 0.8 }\n[uncertainty.params.\"funds.resident.spending.admission_growth\"]\ndist = \"beta\"\nalpha = -1\nbeta = 2\n",
    );
    let o = drgsim(&["validate", scen.to_str().unwrap()], tmp.path());
    assert!(!o.status.success());
    let e = stderr(&o);
    for x in [
        "unknown parameter `funds.resident.premiums.premum`",
        "low value 1.2 is above the high value 0.8",
        "`alpha` must be > 0",
    ] {
        assert!(e.contains(x), "`{x}` not in {e}");
    }
    for f in [
        "chuxiong-2023.toml",
        "jingzhou-2023.toml",
        "premium-up.toml",
    ] {
        let o = drgsim(
            &["validate", common::scenario(f).to_str().unwrap()],
            tmp.path(),
        );
        assert!(o.status.success(), "{f}: {}", stderr(&o));
    }
}

/// The chunked Monte Carlo (columns, quantiles by selection, means in path
/// order) against a reference built path by path: every path projected on
/// its own, outcomes sorted, type-7 quantiles read from the sorted column.
/// More paths than one chunk, and a count that leaves a partial last chunk.
#[test]
fn chunked_monte_carlo_equals_a_path_by_path_sorted_reference_for_any_thread_count() {
    let m = chuxiong();
    let unc = Uncertainty::of_model(&m).unwrap();
    let n = drgsim::analysis::CHUNK as u64 * 2 + 37;
    let seed = 11;
    let set = LeverSet::new(unc.levers.clone());
    let per_path =
        analysis::mc_paths(&m, &unc, &set, &[], n, seed, Some(1), None, |p| p.clone()).unwrap();
    let one = drgsim::analysis::monte_carlo(&m, &unc, n, seed, Some(1), None).unwrap();
    let two = drgsim::analysis::monte_carlo(&m, &unc, n, seed, Some(2), None).unwrap();
    let ny = m.years.len();
    for (fi, (a, b)) in one.funds.iter().zip(&two.funds).enumerate() {
        for (x, y) in [(&a.months, &b.months), (&a.balance, &b.balance)] {
            assert_eq!(x.quantiles, y.quantiles);
            assert_eq!(x.prob_below, y.prob_below);
            let bits = |v: &[f64]| v.iter().map(|m| m.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&x.mean), bits(&y.mean), "means bit for bit");
        }
        for t in 0..ny {
            for (s, summary) in [(0, &a.months), (1, &a.balance)] {
                let mut col: Vec<f64> = per_path
                    .iter()
                    .map(|p| {
                        let r = &p.funds[fi].rows[t];
                        if s == 0 {
                            r.months_payable
                        } else {
                            r.balance_wan
                        }
                    })
                    .filter(|v| !v.is_nan())
                    .collect();
                let path_order_sum: f64 = col.iter().sum();
                col.sort_by(f64::total_cmp);
                for (j, &p) in analysis::MC_PROBS.iter().enumerate() {
                    assert_eq!(
                        summary.quantiles[t][j].to_bits(),
                        quantile(&col, p).to_bits(),
                        "fund {fi} series {s} year {t} p {p}"
                    );
                }
                assert_eq!(summary.n_valid[t], col.len());
                assert_eq!(summary.mean[t], path_order_sum / col.len() as f64);
                for (j, &th) in summary.thresholds.iter().enumerate() {
                    let below = col.partition_point(|&v| v < th) as f64 / col.len() as f64;
                    assert_eq!(summary.prob_below[t][j], below);
                }
            }
        }
    }
    // the quantiles move with the draws: not every year has a zero-width band
    let f = &one.funds[0].months;
    assert!(f.quantiles.iter().any(|q| q[0] < q[4]));
}

/// The built-in tornado ranges are in natural units (registry `Tornado`):
/// levels +-10 %, growth rates and shares +-1 percentage point, DRG coverage
/// +-5 points kept inside 0..1, a growth form's growth +-1 point.
#[test]
fn tornado_default_ranges_are_in_natural_units() {
    let m = chuxiong();
    let r = analysis::default_ranges(&m);
    let get = |p: &str| {
        r.iter()
            .find(|x| x.0 == p)
            .map(|x| (x.1, x.2))
            .unwrap_or_else(|| panic!("{p} not in {r:?}"))
    };
    assert_eq!(get("funds.resident.premiums.premium.scale"), (0.9, 1.1));
    assert_eq!(
        get("funds.resident.spending.inpatient_cost_growth.shift"),
        (-0.01, 0.01)
    );
    // mortality multiplier { base = 1.0, growth = -0.01 }: growth -0.02..0
    let (a, b) = get("funds.resident.demography.mortality_multiplier.growth");
    assert!((a + 0.02).abs() < 1e-12 && b.abs() < 1e-12, "{a} {b}");
    // Jingzhou's DIP coverage 0.75: +-5 points; near 1 it is kept inside the range
    let jz = |sets: &[String]| {
        analysis::default_ranges(
            &Model::load(&common::scenario("jingzhou-2023.toml"), sets).unwrap(),
        )
    };
    let find = |r: &[(String, f64, f64)], p: &str| {
        r.iter().find(|x| x.0 == p).map(|x| (x.1, x.2)).unwrap()
    };
    assert_eq!(
        find(&jz(&[]), "funds.resident.payment.coverage.shift"),
        (-0.05, 0.05)
    );
    let near = jz(&["funds.resident.payment.coverage=0.98".to_string()]);
    let (a, b) = find(&near, "funds.resident.payment.coverage.shift");
    assert!(a == -0.05 && (b - 0.02).abs() < 1e-12, "{a} {b}");
    // a resident fund has no contribution rate to move
    assert!(
        !r.iter().any(|x| x.0.contains("resident.contributions")),
        "{r:?}"
    );
    // the bounded outcome: a fund depleted in both settings has no ranking swing
    let o = |months: f64| analysis::Outcome {
        months,
        horizon_months: months,
        first_warning: None,
        first_danger: None,
        depletion: None,
        cumulative_surplus_wan: 0.0,
    };
    assert_eq!(analysis::ranking_swing(&o(-20.0), &o(-5.0)), 0.0);
    assert_eq!(analysis::ranking_swing(&o(-20.0), &o(4.0)), 4.0);
}

/// The texts drawn in an SVG chart: (the element's attributes, its text).
fn svg_texts(path: &std::path::Path) -> Vec<(String, String)> {
    let svg = std::fs::read_to_string(path).unwrap();
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let (attrs, body) = t.split_once('>')?;
            Some((
                attrs.to_string(),
                body.split("</text>").next()?.trim().to_string(),
            ))
        })
        .collect()
}

#[test]
fn tornado_charts_draw_no_negative_months_and_name_their_outcome() {
    let tmp = common::tmp();
    // chuxiong-2023 is depleted by its outcome year at every setting: the
    // chart compares depletion years; the default scenario is not: months
    // payable clipped at 0.
    let chux = common::scenario("chuxiong-2023.toml");
    let cases: [(&[&str], &str, &str); 3] = [
        (&[chux.to_str().unwrap()], "zh", "穿底年份"),
        (&[], "zh", "低于0按0计"),
        (&[], "en", "clipped at 0"),
    ];
    for (i, (scen, lang, axis)) in cases.iter().enumerate() {
        let out = format!("t{i}");
        let mut args = vec!["--lang", lang, "sensitivity"];
        args.extend_from_slice(scen);
        args.extend(["--out", out.as_str()]);
        let o = drgsim(&args, tmp.path());
        assert!(o.status.success(), "{}", stderr(&o));
        let svgs: Vec<_> = std::fs::read_dir(tmp.path().join(&out))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let n = p.file_name().unwrap().to_string_lossy();
                n.starts_with("tornado_") && n.ends_with(".svg")
            })
            .collect();
        assert!(!svgs.is_empty(), "{out}");
        let mut named = false;
        for p in &svgs {
            let texts = svg_texts(p);
            // Axis ticks are centred under the axis (the settings at the bar
            // ends, which may be negative rates, are anchored to one side).
            for (attrs, t) in &texts {
                if let (true, Ok(x)) = (
                    attrs.contains("text-anchor=\"middle\""),
                    t.replace(',', "").parse::<f64>(),
                ) {
                    assert!(x >= 0.0, "{}: tick {t}", p.display());
                }
            }
            let texts: Vec<String> = texts.into_iter().map(|t| t.1).collect();
            named |= texts.iter().any(|t| t.contains(axis));
            if *lang == "en" {
                assert!(
                    texts
                        .iter()
                        .all(|t| !t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
                    "{texts:?}"
                );
            }
        }
        assert!(named, "{out}: no axis saying `{axis}`");
        // the Markdown's swing column is the ranked (clipped) swing
        let (h, rows) = csv_rows(&tmp.path().join(&out).join("tornado.csv"));
        for r in &rows {
            let clipped = |c: &str| r[col(&h, c)].parse::<f64>().unwrap().max(0.0);
            let want = (clipped("months_high") - clipped("months_low")).abs();
            let got: f64 = r[col(&h, "swing_ranked")].parse().unwrap();
            assert!((got - want).abs() < 1e-3);
        }
    }
}

/// The aggregate form's `coverage` cannot be written into a fund that runs on
/// group tables: the default tornado skips it there (as the what-if page does)
/// instead of listing it under "left out" with the validator's English message.
#[test]
fn default_tornado_skips_parameters_that_do_not_apply_to_the_fund() {
    let tmp = common::tmp();
    let scen = common::scenario("qingyang-2025h1.toml");
    let o = drgsim(
        &["sensitivity", scen.to_str().unwrap(), "--out", "q"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (h, rows) = csv_rows(&tmp.path().join("q/tornado.csv"));
    assert!(rows.len() >= 5, "{} rows", rows.len());
    let params: Vec<&str> = rows.iter().map(|r| r[col(&h, "param")].as_str()).collect();
    assert!(
        params.iter().all(|p| !p.contains("payment.coverage")),
        "{params:?}"
    );
    let md = std::fs::read_to_string(tmp.path().join("q/sensitivity.md")).unwrap();
    assert!(!md.contains("未纳入"), "{md}");
}
