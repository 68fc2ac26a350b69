//! The payment engine through the scenarios and the `hospitals` command:
//! Qingyang's published H1 2025 settlement, the reforms, and bad tables.

mod common;
use common::{assert_close, csv_column, csv_rows, drgsim, run, stderr};

#[test]
fn qingyang_h1_2025_settlement_is_reproduced_by_the_hospitals_view() {
    let tmp = common::tmp();
    let out = tmp.path().join("h");
    let scen = common::scenario("qingyang-2025h1.toml");
    let o = drgsim(
        &[
            "hospitals",
            scen.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = out.join("hospitals.csv");
    let (header, rows) = csv_rows(&csv);
    assert_eq!(rows.len(), 170, "170 hospitals");
    for c in [
        "hospital",
        "level",
        "cases",
        "cmi",
        "ffs_equivalent_wan",
        "payment_wan",
        "surplus_wan",
        "patient_wan",
        "fund_ffs_wan",
        "fund_payment_wan",
        "clearing_wan",
        "final_fund_payment_wan",
        "surplus_after_clearing_wan",
        "settlement_ratio",
        "settlement_ratio_full_cost",
    ] {
        assert!(header.iter().any(|h| h == c), "column {c}");
    }
    let drg_cases: f64 = csv_column(&csv, "drg_cases").iter().sum();
    let ffs: f64 = csv_column(&csv, "fund_ffs_wan").iter().sum::<f64>();
    let paid: f64 = csv_column(&csv, "fund_payment_wan").iter().sum::<f64>();
    let full: f64 = csv_column(&csv, "ffs_equivalent_wan").iter().sum::<f64>();
    assert_close("DRG cases", drg_cases, 226_479.0, 0.005);
    assert_close("fund payable fee-for-service", ffs, 51_395.69, 0.005);
    assert_close("fund paid under DRG", paid, 50_139.17, 0.005);
    assert_close("settlement ratio (fund side)", paid / ffs, 0.9756, 0.001);
    assert_close("full cost", full, 89_454.0, 0.005);
    assert_close("cost per case", full * 1e4 / drg_cases, 3_949.78, 0.001);
    // fund + patient = hospital payment, hospital by hospital
    for ((p, pat), f) in csv_column(&csv, "payment_wan")
        .iter()
        .zip(csv_column(&csv, "patient_wan"))
        .zip(csv_column(&csv, "fund_payment_wan"))
    {
        assert!((f + pat - p).abs() <= 0.011, "{f} + {pat} != {p}");
    }
    let in_surplus = csv_column(&csv, "surplus_wan")
        .iter()
        .filter(|s| **s > 0.0)
        .count();
    assert!(
        (in_surplus as i64 - 125).abs() <= 1,
        "{in_surplus} of 170 in surplus, published 125"
    );
    for f in [
        "hospitals.md",
        "hospitals_change.svg",
        "hospitals_change.png",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let md = std::fs::read_to_string(out.join("hospitals.md")).unwrap();
    // Chinese by default: the period as the scenario names it, level words in Chinese.
    assert!(
        md.contains("H1 2025") && md.contains("增幅最大") && md.contains("二级"),
        "{md}"
    );
    assert!(!md.contains("Winners") && !md.contains("secondary"), "{md}");
}

#[test]
fn vs_reports_the_change_per_hospital() {
    let tmp = common::tmp();
    let out = tmp.path().join("h");
    let a = common::scenario("secondary-coefficient.toml");
    let b = common::scenario("qingyang-2025h1.toml");
    let o = drgsim(
        &[
            "hospitals",
            a.to_str().unwrap(),
            "--vs",
            b.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = out.join("hospitals.csv");
    let (header, rows) = csv_rows(&csv);
    let li = header.iter().position(|c| c == "level").unwrap();
    let change = csv_column(&csv, "payment_change_wan");
    let pct = csv_column(&csv, "payment_change_pct");
    let pay = csv_column(&csv, "payment_wan");
    for (k, r) in rows.iter().enumerate() {
        if r[li] != "secondary" {
            assert!(
                change[k].abs() < 0.01,
                "only secondary hospitals move at a fixed rate"
            );
        } else {
            let before = pay[k] - change[k];
            assert!((pct[k] - 100.0 * change[k] / before).abs() < 0.02);
        }
    }
    assert!(
        change.windows(2).all(|w| w[0] >= w[1]),
        "sorted from winners to losers"
    );
}

#[test]
fn volume_raises_fund_spending_at_a_fixed_rate_but_not_under_a_point_value_budget() {
    let base = run("qingyang-2025h1.toml").1.funds[0].rows[0];
    let fixed = run("fixed-rate-volume.toml").1.funds[0].rows[0];
    let point = run("point-value-volume.toml").1.funds[0].rows[0];
    assert_close(
        "cases +5 %",
        fixed.inpatient_cases,
        base.inpatient_cases * 1.05,
        1e-9,
    );
    assert_close(
        "cases +5 %",
        point.inpatient_cases,
        base.inpatient_cases * 1.05,
        1e-9,
    );
    assert_close(
        "fixed rate: DRG paid +5 %",
        fixed.drg_payment_wan,
        base.drg_payment_wan * 1.05,
        1e-6,
    );
    // the fund pays its budget (the baseline's fund DRG payment); hospitals are
    // paid that plus the patients' own payments, which grow with the cases
    assert_close(
        "point value: fund's DRG payment = budget",
        point.drg_fund_payment_wan,
        base.drg_fund_payment_wan,
        1e-5,
    );
    let patients = |r: &drgsim::fund::YearRow| r.drg_payment_wan - r.drg_fund_payment_wan;
    assert_close(
        "point value: hospital DRG payment = budget + patients",
        point.drg_payment_wan,
        base.drg_fund_payment_wan + patients(&point),
        1e-5,
    );
    assert_close(
        "patients pay on 5 % more cases",
        patients(&point),
        patients(&base) * 1.05,
        1e-6,
    );
    assert!(fixed.inpatient_wan > base.inpatient_wan * 1.045);
    assert!(
        point.inpatient_wan < base.inpatient_wan * 1.005,
        "only the fee-for-service part grows"
    );
    assert!(base.point_value.is_nan() && point.point_value > 0.0);
    assert!(
        point.settlement_ratio < base.settlement_ratio - 0.04,
        "the risk moves to hospitals"
    );
}

#[test]
fn budget_neutral_recalibration_pays_the_old_total() {
    let base = run("qingyang-2025h1.toml").1.funds[0].rows[0];
    let recal = run("recalibration-neutral.toml").1.funds[0].rows[0];
    assert_close(
        "DRG payment",
        recal.drg_payment_wan,
        base.drg_payment_wan,
        1e-9,
    );
    assert!(
        (recal.cmi - base.cmi).abs() > 1e-3,
        "the new table moves the weights"
    );
    assert!(
        (recal.base_rate - base.base_rate).abs() > 1.0,
        "so the rate moves"
    );
}

#[test]
fn qingyang_projection_carries_the_payment_columns() {
    let (_, p) = run("qingyang-2025h1.toml");
    let rows = &p.funds[0].rows;
    assert_close(
        "annual cases = 2 x H1",
        rows[0].inpatient_cases,
        2.0 * 235_194.0,
        0.001,
    );
    // aging shifts the case mix toward the groups the old use
    assert!(rows.last().unwrap().cmi > rows[0].cmi);
}

#[test]
fn hospitals_needs_a_hospital_table_and_writes_nothing_otherwise() {
    let tmp = common::tmp();
    let out = tmp.path().join("h");
    let a = common::scenario("chuxiong-2023.toml");
    let o = drgsim(
        &[
            "hospitals",
            a.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no fund has a hospital table"));
    assert!(!out.exists());
}

#[test]
fn a_bad_group_table_names_file_row_and_column() {
    let tmp = common::tmp();
    let src = std::fs::read_to_string(common::scenario("data/qingyang/groups.csv")).unwrap();
    let mut lines: Vec<String> = src.lines().map(String::from).collect();
    // make the third data row's weight negative
    let header: Vec<&str> = lines[0].split(',').collect();
    let wi = header.iter().position(|h| *h == "weight").unwrap();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(lines[3].as_bytes());
    let mut rec: Vec<String> = rdr
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    rec[wi] = "-1.5".into();
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(&rec).unwrap();
    lines[3] = String::from_utf8(w.into_inner().unwrap())
        .unwrap()
        .trim_end()
        .to_string();
    std::fs::write(tmp.path().join("groups.csv"), lines.join("\n")).unwrap();
    let scen = tmp.path().join("s.toml");
    std::fs::write(
        &scen,
        format!(
            "extends = {:?}\n[funds.region.payment]\ngroups = \"groups.csv\"\n",
            common::scenario("qingyang-2025h1.toml").to_str().unwrap()
        ),
    )
    .unwrap();
    let out = tmp.path().join("h");
    let o = drgsim(
        &[
            "hospitals",
            scen.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("groups.csv") && err.contains("weight") && err.contains(":4"),
        "{err}"
    );
    assert!(!out.exists());
}
