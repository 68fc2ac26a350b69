//! Absurd inputs are rejected by the parameter registry's ranges with the
//! path and the file or `--set` that gave them (issue 13's list).

mod common;

use drgsim::projection::Model;

/// The problems of loading `scenario` with `sets`, as text; panics if it loads.
fn problems(scenario: &str, sets: &[&str]) -> String {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match Model::load(&common::scenario(scenario), &sets) {
        Ok(_) => panic!("{scenario} with {sets:?} loaded; it should be rejected"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn huge_amounts_are_rejected_with_their_path() {
    for (set, path) in [
        (
            "funds.resident.premiums.premium=1e308",
            "funds.resident.premiums.premium",
        ),
        (
            "funds.resident.premiums.subsidy=1e308",
            "funds.resident.premiums.subsidy",
        ),
        (
            "funds.resident.members.total=1e308",
            "funds.resident.members.total",
        ),
        (
            "funds.resident.opening_balance_wan=1e308",
            "funds.resident.opening_balance_wan",
        ),
        (
            "funds.resident.spending.other_wan=1e308",
            "funds.resident.spending.other_wan",
        ),
        (
            "funds.resident.spending.other_wan={ base = 1e308, growth = 0.03 }",
            "funds.resident.spending.other_wan",
        ),
        (
            "funds.resident.premiums.premium={ values = { 2023 = 380, 2025 = 1e308 } }",
            "funds.resident.premiums.premium",
        ),
        (
            "funds.resident.payment.base_rate=1e308",
            "funds.resident.payment.base_rate",
        ),
    ] {
        let e = problems("chuxiong-2023.toml", &[set]);
        assert!(e.contains(&format!("--set: {path}: is ")), "{set}: {e}");
        assert!(e.contains("; it must be "), "{set}: {e}");
        assert!(e.len() < 400, "a short message: {e}");
    }
}

#[test]
fn point_value_budget_and_weight_bands_are_bounded() {
    let e = problems(
        "point-value-volume.toml",
        &["funds.region.payment.budget_wan=1e308"],
    );
    assert!(e.contains("payment.budget_wan: is 1e308"), "{e}");
    let e = problems(
        "qingyang-2025h1.toml",
        &["funds.region.payment.base_rate=0"],
    );
    assert!(
        e.contains("payment.base_rate: is 0 in 2025; it must be above 0"),
        "{e}"
    );
}

#[test]
fn growth_dated_far_beyond_the_horizon_is_an_error() {
    let e = problems(
        "chuxiong-2023.toml",
        &["funds.resident.premiums.premium={ base = 380, growth = 0.02, from = 3000 }"],
    );
    assert!(
        e.contains("funds.resident.premiums.premium.from: `from = 3000` is outside"),
        "{e}"
    );
    // Within the projection it is fine.
    let sets = vec![
        "funds.resident.premiums.premium={ base = 400, growth = 0.02, from = 2025 }".to_string(),
    ];
    Model::load(&common::scenario("chuxiong-2023.toml"), &sets).unwrap();
}

#[test]
fn a_range_problem_in_a_file_names_file_and_line() {
    let dir = common::tmp();
    let base = common::scenario("chuxiong-2023.toml");
    let f = dir.path().join("reform.toml");
    std::fs::write(
        &f,
        format!(
            "extends = {:?}\n\n[funds.resident.premiums]\npremium = 2e6\n",
            base.display().to_string()
        ),
    )
    .unwrap();
    let e = Model::load(&f, &[]).unwrap_err().to_string();
    assert!(
        e.contains("reform.toml:4: funds.resident.premiums.premium: is 2000000 in 2023; it must be between 0 and 10000 (yuan)"),
        "{e}"
    );
}
