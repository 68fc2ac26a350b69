//! `payment.demand_level = "tables"`: the level of inpatient demand from the
//! group table's cases and costs instead of the fund's age profile.

mod common;
use common::{drgsim, stderr};
use drgsim::payment::GroupTable;
use drgsim::projection::{Model, project};
use std::path::Path;

fn table_cases(p: &Path) -> f64 {
    GroupTable::load(p)
        .unwrap()
        .groups
        .iter()
        .map(|g| g.cases)
        .sum()
}

fn load(scenario: &Path, sets: &[&str]) -> Result<Model, String> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    Model::load(scenario, &sets).map_err(|e| e.to_string())
}

/// Copy of the Qingyang group table with every group's cases x `k`.
fn scaled_table(dir: &Path, k: f64) -> std::path::PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/qingyang/groups.csv");
    let mut rdr = csv::Reader::from_path(&src).unwrap();
    let header = rdr.headers().unwrap().clone();
    let ci = header.iter().position(|h| h == "cases").unwrap();
    let out = dir.join("groups.csv");
    let mut w = csv::Writer::from_path(&out).unwrap();
    w.write_record(&header).unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        let row: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if i == ci {
                    (v.parse::<f64>().unwrap() * k).to_string()
                } else {
                    v.to_string()
                }
            })
            .collect();
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    out
}

#[test]
fn qingyang_with_tables_level_demand_reports_the_tables_case_count() {
    let scen = common::scenario("qingyang-2025h1.toml");
    let groups = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/qingyang/groups.csv");
    let n = table_cases(&groups);
    let profile = project(&load(&scen, &[]).unwrap()).funds[0].rows[0].inpatient_cases;
    for months in [6.0, 12.0] {
        let m = load(
            &scen,
            &[
                "funds.region.payment.demand_level=\"tables\"",
                &format!("funds.region.payment.tables_months={months}"),
            ],
        )
        .unwrap();
        let p = project(&m);
        let cases = p.funds[0].rows[0].inpatient_cases;
        let want = n * 12.0 / months;
        assert!(
            (cases / want - 1.0).abs() < 1e-9,
            "tables_months {months}: {cases} cases, tables give {want}"
        );
        // Aging and growth still move the later years.
        assert_ne!(p.funds[0].rows[1].inpatient_cases, cases);
    }
    // The profile's level is another figure: the switch is what moved it.
    assert!((profile / n - 1.0).abs() > 0.01, "{profile} vs {n}");
}

#[test]
fn tables_at_thirty_times_the_scale_pay_thirty_times_with_the_same_settlement_ratio() {
    let tmp = tempfile::tempdir().unwrap();
    let base = common::scenario("qingyang-2025h1.toml");
    let mut rows = Vec::new();
    for k in [1.0, 30.0] {
        let d = tmp.path().join(format!("k{k}"));
        std::fs::create_dir_all(&d).unwrap();
        scaled_table(&d, k);
        let scen = d.join("swap.toml");
        std::fs::write(
            &scen,
            format!(
                "extends = {:?}\n[funds.region.payment]\ngroups = \"groups.csv\"\ndemand_level = \"tables\"\ntables_months = 6\n",
                base.to_str().unwrap()
            ),
        )
        .unwrap();
        let p = project(&load(&scen, &[]).unwrap());
        rows.push(p.funds[0].rows[0]);
        // No scale warning: the level is the table's.
        let o = drgsim(&["validate", scen.to_str().unwrap()], tmp.path());
        assert!(o.status.success(), "{}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(!out.contains("cases at"), "{out}");
    }
    let (a, b) = (&rows[0], &rows[1]);
    assert!((b.inpatient_cases / a.inpatient_cases / 30.0 - 1.0).abs() < 1e-9);
    assert!((b.drg_payment_wan / a.drg_payment_wan / 30.0 - 1.0).abs() < 1e-9);
    assert!((b.settlement_ratio / a.settlement_ratio - 1.0).abs() < 1e-9);
}

#[test]
fn tables_level_needs_a_group_table_and_months_in_range() {
    let scen = common::scenario("qingyang-2025h1.toml");
    let e = load(
        &scen,
        &[
            "funds.region.payment.demand_level=\"tables\"",
            "funds.region.payment.tables_months=0",
        ],
    )
    .unwrap_err();
    assert!(e.contains("funds.region.payment.tables_months"), "{e}");
    let e = load(&scen, &["funds.region.payment.tables_months=6"]).unwrap_err();
    assert!(e.contains("demand_level"), "{e}");
    let e = load(&scen, &["funds.region.payment.demand_level=\"table\""]).unwrap_err();
    assert!(e.contains("demand_level"), "{e}");
    // Jingzhou's payment is the aggregate form (no group table).
    let agg = common::scenario("jingzhou-2023.toml");
    let e = load(&agg, &["funds.resident.payment.demand_level=\"tables\""]).unwrap_err();
    assert!(
        e.contains("funds.resident.payment.demand_level") && e.contains("give `groups`"),
        "{e}"
    );
}
