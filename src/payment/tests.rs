//! Tests of the payment formulas, table validation and the engine, including the
//! Qingyang H1 2025 aggregates computed from the bundled CSV tables.

use super::rules::{self, OutlierRule, OutlierTails};
use super::*;
use crate::population::bands::N_BANDS;
use crate::scenario::{Diagnostic, ParamStore, Years};
use rand::SeedableRng;
use rand_distr::{Distribution, LogNormal};
use std::path::{Path, PathBuf};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

pub(super) fn store(horizon: i32) -> ParamStore {
    ParamStore::new(Years {
        base_year: 2025,
        horizon,
    })
}

pub(super) fn compile(
    toml_text: &str,
    dir: &Path,
    st: &mut ParamStore,
) -> Result<PaymentModel, Vec<Diagnostic>> {
    let spec: PaymentSpec = toml::from_str(toml_text).expect("spec parses");
    let mut issues = Vec::new();
    match spec.compile("funds.resident.payment", dir, st, &mut issues) {
        Some(m) if issues.is_empty() => Ok(m),
        _ => Err(issues),
    }
}

/// Qingyang base demand: the H1 2025 cases and cost per case by band of the group table.
fn qy_demand() -> InpatientDemand {
    let g = GroupTable::load(&scenarios_dir().join("data/qingyang/groups.csv")).unwrap();
    InpatientDemand {
        cases_by_band: g.cases_by_band(),
        cost_per_case_by_band: g.cost_per_case_by_band(),
    }
}

/// The `[funds.region.payment]` section of the bundled Qingyang scenario (read
/// from the file, not a copy), with the keys in `remove` taken out and the keys
/// of the TOML `extra` put in.
fn qy(remove: &[&str], extra: &str) -> String {
    let mut t = crate::scenario::bundled::table("qingyang-2025h1.toml", "funds.region.payment")
        .expect("the bundled Qingyang payment section");
    for k in remove {
        t.remove(*k);
    }
    let extra: toml::Table = toml::from_str(extra).expect("extra keys parse");
    t.extend(extra);
    toml::to_string(&t).expect("section serializes")
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

// ---------------------------------------------------------------- formulas

#[test]
fn standard_payment_and_cmi() {
    assert_eq!(rules::drg_payment(4000.0, 1.5, 0.9), 5400.0);
    assert_eq!(rules::cmi(30.0, 20.0), 1.5);
    assert!(rules::cmi(1.0, 0.0).is_nan());
    assert_eq!(rules::points_per_case(1.2, 0.8), 96.0);
    // rate from a budget: (1,000,000 - 100,000) / 300 units = 3000
    assert_eq!(rules::base_rate_from_budget(1e6, 300.0, 1e5), 3000.0);
}

#[test]
fn point_value_times_points_is_budget() {
    let points = [120.0, 87.5, 310.25, 45.0];
    let total: f64 = points.iter().sum();
    let pv = rules::point_value(2.5e6, total);
    let paid: f64 = points.iter().map(|p| p * pv).sum();
    assert!((paid - 2.5e6).abs() < 1e-6);
    assert!(rules::point_value(1.0, 0.0).is_nan());
}

#[test]
fn outlier_payments_on_hand_worked_cases() {
    let rule = OutlierRule {
        high_multiple: 3.0,
        low_multiple: 0.4,
    };
    // group mean 4,000; standard payment 4,000 x 1.0 x 1.0 = 4,000
    // high: 15,000 > 12,000 -> 4,000 + 0.9 x (15,000 - 12,000) = 6,700
    assert!((rules::case_payment(4000.0, 15_000.0, 4000.0, rule, 0.9) - 6700.0).abs() < 1e-9);
    // low: 1,000 < 1,600 -> 4,000 x 1,000 / 4,000 = 1,000
    assert!((rules::case_payment(4000.0, 1000.0, 4000.0, rule, 0.9) - 1000.0).abs() < 1e-9);
    // normal: 5,000 -> 4,000
    assert_eq!(
        rules::case_payment(4000.0, 5000.0, 4000.0, rule, 0.9),
        4000.0
    );
    // secondary threshold 2x: 9,000 > 8,000 -> 4,000 + 0.5 x 1,000 = 4,500
    let sec = OutlierRule {
        high_multiple: 2.0,
        ..rule
    };
    assert!((rules::case_payment(4000.0, 9000.0, 4000.0, sec, 0.5) - 4500.0).abs() < 1e-9);
}

#[test]
fn lognormal_tails_match_simulation() {
    let rule = OutlierRule {
        high_multiple: 2.0,
        low_multiple: 0.4,
    };
    let (rho, cv) = (1.2, 0.6);
    let t = OutlierTails::lognormal(rho, cv, rule);
    let s2 = (1.0f64 + cv * cv).ln();
    let d = LogNormal::new(rho.ln() - s2 / 2.0, s2.sqrt()).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let n = 400_000;
    let (mut ph, mut xs, mut pl, mut el) = (0.0, 0.0, 0.0, 0.0);
    for _ in 0..n {
        let x: f64 = d.sample(&mut rng);
        if x > 2.0 {
            ph += 1.0;
            xs += x - 2.0;
        }
        if x < 0.4 {
            pl += 1.0;
            el += x;
        }
    }
    let n = n as f64;
    assert!(
        (t.p_high - ph / n).abs() < 0.003,
        "{} vs {}",
        t.p_high,
        ph / n
    );
    assert!((t.excess_high - xs / n).abs() < 0.003);
    assert!((t.p_low - pl / n).abs() < 0.003);
    assert!((t.partial_low - el / n).abs() < 0.002);
    // expected payment factor of a hand-worked case mix: standard x (1 - p_low + E[X; X<l])
    assert!((t.standard_factor() - (1.0 - t.p_low + t.partial_low)).abs() < 1e-12);
    // zero dispersion: a hospital at 2.5x the mean has every case above a 2x threshold
    let z = OutlierTails::lognormal(2.5, 0.0, rule);
    assert_eq!((z.p_high, z.excess_high, z.p_low), (1.0, 0.5, 0.0));
}

#[test]
fn budget_neutral_rate_formula() {
    // old table pays 4,000 x 1,000 units; new table has 1,250 units -> 3,200
    assert_eq!(rules::budget_neutral_rate(4000.0, 1000.0, 1250.0), 3200.0);
}

// ---------------------------------------------------------------- small hand-made region

const SMALL_GROUPS: &str = "code,name,mdc,weight,mean_cost,cost_cv,cases,excluded,age_0-4,age_5-9,age_10-14,age_15-19,age_20-24,age_25-29,age_30-34,age_35-39,age_40-44,age_45-49,age_50-54,age_55-59,age_60-64,age_65-69,age_70-74,age_75-79,age_80-84,age_85+
A1,light,MDCA,0.5,2000,0,600,0,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0,0,0,0,0,0,0,0
B1,heavy,MDCB,2.0,8000,0,300,0,0,0,0,0,0,0,0,0,0,0,0.125,0.125,0.125,0.125,0.125,0.125,0.125,0.125
C1,excluded,MDCC,1.0,4000,0,100,1,0.0556,0.0556,0.0556,0.0556,0.0556,0.0556,0.0556,0.0556,0.0556,0.0556,0.0555,0.0555,0.0555,0.0555,0.0555,0.0555,0.0555,0.0555
";
const SMALL_HOSPITALS: &str = "id,name,level,coefficient,cases,cmi_relative,cost_level
H1,City,tertiary,1.0,600,1.2,1.1
H2,County,secondary,0.8,400,0.8,0.9
";

pub(super) fn small_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("groups.csv"), SMALL_GROUPS).unwrap();
    std::fs::write(d.path().join("hospitals.csv"), SMALL_HOSPITALS).unwrap();
    std::fs::write(
        d.path().join("w2.csv"),
        "code,weight\nA1,0.6\nB1,2.4\nC1,1.0\n",
    )
    .unwrap();
    d
}

pub(super) fn small_demand() -> InpatientDemand {
    let g = GroupTable::parse(Path::new("groups.csv"), SMALL_GROUPS).unwrap();
    InpatientDemand {
        cases_by_band: g.cases_by_band(),
        cost_per_case_by_band: g.cost_per_case_by_band(),
    }
}

#[test]
fn standard_payment_through_the_engine_without_hospitals() {
    // one region, no outliers: DRG cases 900 (A1 600, B1 300), units 600 x 0.5 + 300 x 2.0 = 900
    let d = small_dir();
    let mut st = store(2025);
    let m = compile(
        "groups = \"groups.csv\"\nbase_rate = 3000\ncoefficient = 0.9",
        d.path(),
        &mut st,
    )
    .unwrap();
    let y = m.pay_year(0, st.values(), &small_demand());
    assert!((y.cases - 1000.0).abs() < 1e-6);
    assert!((y.drg_cases - 900.0).abs() < 1e-6);
    assert!((y.cmi - 1.0).abs() < 1e-9);
    assert!((y.drg_payment_yuan - 3000.0 * 900.0 * 0.9).abs() < 1e-3);
    // FFS: A1 600 x 2,000 + B1 300 x 8,000 = 3.6M; C1 100 x 4,000 paid FFS
    assert!((y.drg_ffs_equivalent_yuan - 3.6e6).abs() < 1e-3);
    assert!((y.other_payment_yuan - 4.0e5).abs() < 1e-3);
    assert!((y.total_payment_yuan - (2.43e6 + 4.0e5)).abs() < 1e-3);
    assert!((y.settlement_ratio - 2.43e6 / 3.6e6).abs() < 1e-12);
    assert!(y.point_value.is_nan());
}

#[test]
fn point_value_engine_pays_the_budget_and_hospitals_add_up() {
    let d = small_dir();
    let mut st = store(2025);
    let m = compile(
        "mode = \"point_value\"\ngroups = \"groups.csv\"\nhospitals = \"hospitals.csv\"\nbudget_wan = 250\noutliers = { marginal_share = 0.8 }",
        d.path(),
        &mut st,
    )
    .unwrap();
    let dem = small_demand();
    let y = m.pay_year(0, st.values(), &dem);
    assert!((y.drg_payment_yuan - 2.5e6).abs() < 1e-6);
    let hs = m.hospitals_year(0, st.values(), &dem);
    let paid: f64 = hs.iter().map(|h| h.payment_yuan).sum();
    assert!((paid - 2.5e6).abs() < 1e-3, "{paid}");
    // point value x total points = budget, with points = payment / point value per hospital
    let points: f64 = hs.iter().map(|h| h.payment_yuan / y.point_value).sum();
    assert!((y.point_value * points - 2.5e6).abs() < 1e-3);
    let cases: f64 = hs.iter().map(|h| h.cases).sum();
    assert!((cases - y.cases).abs() < 1e-6);
}

#[test]
fn rate_mode_hospitals_add_up_and_level_coefficient_moves_only_its_level() {
    let d = small_dir();
    let dem = small_demand();
    let mut st = store(2025);
    let base = compile(
        "groups = \"groups.csv\"\nhospitals = \"hospitals.csv\"\nbase_rate = 4000\noutliers = {}",
        d.path(),
        &mut st,
    )
    .unwrap();
    let y = base.pay_year(0, st.values(), &dem);
    let hs = base.hospitals_year(0, st.values(), &dem);
    let paid: f64 = hs.iter().map(|h| h.payment_yuan).sum();
    assert!(rel(paid, y.drg_payment_yuan) < 1e-12);
    let mut st2 = store(2025);
    let lifted = compile(
        "groups = \"groups.csv\"\nhospitals = \"hospitals.csv\"\nbase_rate = 4000\noutliers = {}\nlevel_coefficients = { secondary = 0.9 }",
        d.path(),
        &mut st2,
    )
    .unwrap();
    let hs2 = lifted.hospitals_year(0, st2.values(), &dem);
    let rows = compare(&hs2, Some(&hs));
    let t = rows.iter().find(|r| r.result.id == "H1").unwrap();
    let s = rows.iter().find(|r| r.result.id == "H2").unwrap();
    assert!(t.payment_change_yuan.unwrap().abs() < 1e-6);
    // secondary: 0.8 -> 0.9 is +12.5 % on standard payments; outlier extras unchanged
    let pct = s.payment_change_pct.unwrap();
    assert!(pct > 5.0 && pct <= 12.5 + 1e-9, "{pct}");
    assert_eq!(s.result.coefficient, 0.9);
}

#[test]
fn budget_neutral_recalibration_pays_the_old_total() {
    let dir = scenarios_dir();
    let dem = qy_demand();
    let mut st0 = store(2025);
    let old = compile(&qy(&[], ""), &dir, &mut st0).unwrap();
    let y0 = old.pay_year(0, st0.values(), &dem);
    let recal = qy(
        &[],
        "weights = \"data/qingyang/weights-2025-recalibrated.csv\"\nrecalibration = \"budget_neutral\"",
    );
    let mut st1 = store(2025);
    let new = compile(&recal, &dir, &mut st1).unwrap();
    let y1 = new.pay_year(0, st1.values(), &dem);
    assert!(rel(y1.drg_payment_yuan, y0.drg_payment_yuan) < 1e-9);
    assert!(
        (y1.base_rate - 4320.0).abs() > 1.0,
        "the rate was re-solved"
    );
    // the new table alone, at the old rate, would not be neutral
    let plain = qy(
        &[],
        "weights = \"data/qingyang/weights-2025-recalibrated.csv\"",
    );
    let mut st2 = store(2025);
    let y2 = compile(&plain, &dir, &mut st2)
        .unwrap()
        .pay_year(0, st2.values(), &dem);
    assert!(rel(y2.drg_payment_yuan, y0.drg_payment_yuan) > 1e-3);
    // hospitals are redistributed but the total holds
    let hs = new.hospitals_year(0, st1.values(), &dem);
    let paid: f64 = hs.iter().map(|h| h.payment_yuan).sum();
    assert!(rel(paid, y0.drg_payment_yuan) < 1e-9);
}

// ---------------------------------------------------------------- Qingyang calibration

/// Published Qingyang H1 2025 figures (seed report).
const QY_CASES: f64 = 226_479.0;
const QY_FFS_WAN: f64 = 51_395.69;
const QY_PAID_WAN: f64 = 50_139.17;
const QY_RATIO: f64 = 0.9756;
const QY_COST_PER_CASE: f64 = 3_949.78;

#[test]
fn qingyang_h1_2025_aggregates_within_one_percent() {
    let mut st = store(2025);
    // The report's money figures are the fund's (应支付): the fund's share of the
    // FFS bill = 51,395.69万 / (226,479 x 3,949.78 yuan); the fund pays the DRG
    // standard minus the patient's share of the bill.
    let share = QY_FFS_WAN * 1e4 / (QY_CASES * QY_COST_PER_CASE);
    let reimb = st.add("reimbursement", &crate::scenario::Param::Const(share));
    let m = compile(&qy(&[], ""), &scenarios_dir(), &mut st)
        .unwrap()
        .with_benefits(super::BenefitIds {
            reimbursement: [reimb; 3],
            deductible: None,
        });
    assert_eq!(m.n_groups(), 732);
    assert_eq!(m.hospitals().len(), 170);
    let dem = qy_demand();
    let y = m.pay_year(0, st.values(), &dem);
    assert!(rel(y.drg_cases, QY_CASES) < 0.005, "{}", y.drg_cases);
    assert!(rel(y.drg_ffs_equivalent_yuan / y.drg_cases, QY_COST_PER_CASE) < 0.001);
    assert!(
        rel(y.fund_settlement_ratio, QY_RATIO) < 0.001,
        "{}",
        y.fund_settlement_ratio
    );
    assert!(rel(y.drg_fund_ffs_yuan / 1e4, QY_FFS_WAN) < 0.005);
    assert!(rel(y.drg_fund_yuan / 1e4, QY_PAID_WAN) < 0.005);
    // full cost: the same loss over the whole bill, 1 - 1,256.52 / 89,454 = 98.60 %
    assert!(
        rel(
            y.settlement_ratio,
            1.0 - (QY_FFS_WAN - QY_PAID_WAN) / 89_454.0
        ) < 0.001
    );
    let hs = m.hospitals_year(0, st.values(), &dem);
    let surplus = hs.iter().filter(|h| h.surplus_yuan > 0.0).count();
    assert!(
        (124..=126).contains(&surplus),
        "{surplus} hospitals in surplus"
    );
}

#[test]
fn volume_growth_raises_spending_under_fixed_rate_not_under_point_value() {
    let dir = scenarios_dir();
    let dem = qy_demand();
    let run = |extra: &str, budget: bool| {
        let body = if budget {
            qy(
                &["base_rate"],
                &format!("mode = \"point_value\"\nbudget_wan = 88198\n{extra}"),
            )
        } else {
            qy(&[], extra)
        };
        let mut st = store(2025);
        let m = compile(&body, &dir, &mut st).unwrap();
        m.pay_year(0, st.values(), &dem)
    };
    let vol = "behaviour = { admissions = 0.05 }";
    let (r0, r1) = (run("", false), run(vol, false));
    let (p0, p1) = (run("", true), run(vol, true));
    assert!(rel(r1.drg_payment_yuan, r0.drg_payment_yuan * 1.05) < 1e-9);
    assert!(r1.total_payment_yuan > r0.total_payment_yuan * 1.049);
    assert!(rel(p1.drg_payment_yuan, p0.drg_payment_yuan) < 1e-12);
    assert!(rel(p1.point_value, p0.point_value / 1.05) < 1e-9);
    // point-value mode at the calibrated budget pays about what the rate pays
    // (no benefit rules attached here: patients pay nothing, the budget is the full payment)
    assert!(rel(p0.drg_payment_yuan, r0.drg_payment_yuan) < 0.001);
    // upcoding: +3 % coded CMI raises fixed-rate spending, dilutes the point value
    let up = "behaviour = { cmi_drift = 0.03 }";
    assert!(run(up, false).drg_payment_yuan > r0.drg_payment_yuan * 1.02);
    assert!(rel(run(up, true).drg_payment_yuan, p0.drg_payment_yuan) < 1e-12);
}

#[test]
fn rate_solved_from_budget_overspends_when_volume_responds() {
    let dir = scenarios_dir();
    let dem = qy_demand();
    let body = |extra: &str| qy(&["base_rate"], &format!("budget_wan = 87270\n{extra}"));
    let mut st = store(2025);
    let m = compile(&body(""), &dir, &mut st).unwrap();
    let y = m.pay_year(0, st.values(), &dem);
    assert!(rel(y.drg_payment_yuan, 8.727e8) < 1e-9);
    let mut st = store(2025);
    let m = compile(&body("behaviour = { admissions = 0.05 }"), &dir, &mut st).unwrap();
    let y = m.pay_year(0, st.values(), &dem);
    assert!(y.drg_payment_yuan > 8.727e8 * 1.04);
}

#[test]
fn aging_shifts_spending_through_band_costs() {
    // moving cases from young to old bands moves the case mix to the old groups
    let d = small_dir();
    let mut st = store(2025);
    let m = compile(
        "groups = \"groups.csv\"\nbase_rate = 3000",
        d.path(),
        &mut st,
    )
    .unwrap();
    let dem = small_demand();
    let mut old = dem;
    for b in 0..N_BANDS {
        old.cases_by_band[b] = if b >= 10 {
            dem.cases_by_band[b] * 1.5
        } else {
            dem.cases_by_band[b] * 0.5
        };
    }
    let y0 = m.pay_year(0, st.values(), &dem);
    let y1 = m.pay_year(0, st.values(), &old);
    assert!(y1.cmi > y0.cmi, "heavy group B1 is the old people's group");
}

#[test]
fn aggregate_form_formula() {
    let mut st = store(2026);
    let m = compile(
        "coverage = 0.7\ncmi = 1.1\ncoefficient = 0.95\nbase_rate = { base = 5000, growth = 0.02 }",
        Path::new("."),
        &mut st,
    )
    .unwrap();
    assert!(!m.is_grouped());
    let mut d = InpatientDemand::default();
    d.cases_by_band[12] = 1000.0;
    d.cost_per_case_by_band[12] = 6000.0;
    let y = m.pay_year(1, st.values(), &d);
    assert!((y.drg_cases - 700.0).abs() < 1e-9);
    assert!((y.drg_payment_yuan - 700.0 * 5100.0 * 1.1 * 0.95).abs() < 1e-6);
    assert!((y.other_payment_yuan - 0.3 * 6.0e6).abs() < 1e-6);
    // point value: budget paid whatever the volume
    let mut st = store(2025);
    let p = compile(
        "mode = \"point_value\"\ncoverage = 0.7\ncmi = 1.1\nbudget_wan = 300",
        Path::new("."),
        &mut st,
    )
    .unwrap();
    let y = p.pay_year(0, st.values(), &d);
    assert!((y.drg_payment_yuan - 3.0e6).abs() < 1e-6);
    assert!((y.point_value * 700.0 * 1.1 * 100.0 - 3.0e6).abs() < 1e-6);
    assert!(m.hospitals_year(0, st.values(), &d).is_empty());
}

// ---------------------------------------------------------------- validation

fn errs_groups(text: &str) -> String {
    GroupTable::parse(Path::new("g.csv"), text)
        .unwrap_err()
        .to_string()
}

#[test]
fn group_table_errors_name_file_line_and_column() {
    let header = SMALL_GROUPS.lines().next().unwrap();
    let row = SMALL_GROUPS.lines().nth(1).unwrap();
    // missing required column
    let no_cost = SMALL_GROUPS.replace(",mean_cost", ",cost");
    let e = errs_groups(&no_cost);
    assert!(
        e.contains("g.csv:1: column `mean_cost`: missing column"),
        "{e}"
    );
    // a missing optional column takes its stated default
    let no_cv = SMALL_GROUPS.replace(",cost_cv", ",cv");
    let t = GroupTable::parse(Path::new("g.csv"), &no_cv).unwrap();
    assert!(
        t.assumed[0].contains("no `cost_cv` column"),
        "{:?}",
        t.assumed
    );
    assert!(
        t.groups
            .iter()
            .all(|g| g.cost_cv == super::groups::DEFAULT_COST_CV)
    );
    // duplicate code
    let e = errs_groups(&format!("{header}\n{row}\n{row}\n"));
    assert!(
        e.contains("g.csv:3: column `code`: duplicate group code `A1`"),
        "{e}"
    );
    // negative weight and cost
    let neg = row.replacen(",0.5,2000,", ",-0.5,-2000,", 1);
    let e = errs_groups(&format!("{header}\n{neg}\n"));
    assert!(
        e.contains("g.csv:2: column `weight`: negative value -0.5"),
        "{e}"
    );
    assert!(
        e.contains("g.csv:2: column `mean_cost`: negative value -2000"),
        "{e}"
    );
    // shares not summing to one
    let bad = row.replacen(",0.1,0.1,", ",0.3,0.1,", 1);
    let e = errs_groups(&format!("{header}\n{bad}\n"));
    assert!(
        e.contains("g.csv:2: column `age_0-4..age_85+`: age shares sum to 1.2"),
        "{e}"
    );
    // not a number
    let nan = row.replacen(",600,", ",many,", 1);
    let e = errs_groups(&format!("{header}\n{nan}\n"));
    assert!(
        e.contains("g.csv:2: column `cases`: `many` is not a number"),
        "{e}"
    );
}

#[test]
fn hospital_table_errors_name_file_line_and_column() {
    let e = HospitalTable::parse(
        Path::new("h.csv"),
        "id,name,level,coefficient,cases,cmi_relative,cost_level\nH1,a,tertiary,1,10,1,1\nH1,b,quaternary,1,10,1,1\nH3,c,primary,-1,10,1,1\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("h.csv:3: column `id`: duplicate hospital id `H1`"),
        "{e}"
    );
    assert!(
        e.contains("h.csv:3: column `level`: unknown level `quaternary`"),
        "{e}"
    );
    assert!(
        e.contains("h.csv:4: column `coefficient`: negative value -1"),
        "{e}"
    );
    let e = HospitalTable::parse(Path::new("h.csv"), "id,name,level\nH1,a,tertiary\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("h.csv:1: column `coefficient`: missing column"),
        "{e}"
    );
    assert!(e.contains("column `cost_level`"), "{e}");
}

#[test]
fn weight_table_must_cover_the_groups() {
    let g = GroupTable::parse(Path::new("g.csv"), SMALL_GROUPS).unwrap();
    let w = WeightTable::parse(Path::new("w.csv"), "code,weight\nA1,1\nZZ,2\n").unwrap();
    let e = w.aligned(Path::new("w.csv"), &g).unwrap_err().to_string();
    assert!(
        e.contains("no weight for group `B1`")
            && e.contains("group `ZZ` is not in the group table"),
        "{e}"
    );
}

#[test]
fn spec_problems_are_all_reported_with_paths() {
    let d = small_dir();
    std::fs::write(d.path().join("bad.csv"), "id,name,level,coefficient,cases,cmi_relative,cost_level\nH1,a,tertiary,1,10,1,1\nH2,b,quaternary,1,10,1,1\n").unwrap();
    let mut st = store(2027);
    let issues = compile(
        "groups = \"groups.csv\"\nhospitals = \"bad.csv\"\ngrouping_rate = { values = { 2025 = 0.9, 2027 = 1.2 } }\noutliers = { low_multiple = 1.5 }\ncmi = 1.0",
        d.path(),
        &mut st,
    )
    .unwrap_err();
    let text: Vec<String> = issues.iter().map(Diagnostic::chain).collect();
    let text = text.join("\n");
    for want in [
        "funds.resident.payment.base_rate: mode `drg_rate` needs",
        "funds.resident.payment.cmi: `cmi` belongs to the aggregate form",
        "funds.resident.payment.grouping_rate: is 1.2 in 2027",
        "funds.resident.payment.outliers.low_multiple",
        "funds.resident.payment.hospitals:",
        "bad.csv:3: column `level`: unknown level `quaternary`",
    ] {
        assert!(text.contains(want), "missing `{want}` in\n{text}");
    }
    // aggregate form without coverage/cmi, and a group-only field
    let mut st = store(2025);
    let issues = compile("base_rate = 4000\noutliers = {}", Path::new("."), &mut st).unwrap_err();
    assert_eq!(issues.len(), 3, "{issues:?}");
    // missing file
    let mut st = store(2025);
    let issues = compile("groups = \"nope.csv\"\nbase_rate = 1", d.path(), &mut st).unwrap_err();
    let e = issues[0].chain();
    assert!(e.contains("nope.csv") && e.contains("cannot read"), "{e}");
    // the I/O error is kept as the cause, not flattened into the message
    let table = std::error::Error::source(&issues[0]).expect("the table problem");
    let io = table.source().expect("the I/O error");
    assert!(io.downcast_ref::<std::io::Error>().is_some(), "{io:?}");
    // unknown field rejected by serde
    assert!(toml::from_str::<PaymentSpec>("bse_rate = 1").is_err());
}

#[test]
fn dated_parameters_are_registered_by_path() {
    let mut st = store(2030);
    let d = small_dir();
    compile(
        "groups = \"groups.csv\"\nbase_rate = 3000\nbehaviour = { admissions = { values = { 2025 = 0.0, 2030 = 0.05 }, interpolate = \"linear\" } }",
        d.path(),
        &mut st,
    )
    .unwrap();
    let id = st
        .find("funds.resident.payment.behaviour.admissions")
        .unwrap();
    assert!((st.values().get(id, 5) - 0.05).abs() < 1e-12);
    assert!(st.find("funds.resident.payment.base_rate").is_some());
    assert!(
        st.find("funds.resident.payment.hospital_coverage.primary")
            .is_some()
    );
}

// ---------------------------------------------------------------- negotiation view

#[test]
fn movers_levels_and_csv() {
    let dir = scenarios_dir();
    let dem = qy_demand();
    let mut st0 = store(2025);
    let base = compile(&qy(&[], ""), &dir, &mut st0).unwrap();
    let mut st1 = store(2025);
    let sec = compile(
        &qy(&[], "level_coefficients = { secondary = 0.95 }"),
        &dir,
        &mut st1,
    )
    .unwrap();
    let h0 = base.hospitals_year(0, st0.values(), &dem);
    let h1 = sec.hospitals_year(0, st1.values(), &dem);
    let rows = compare(&h1, Some(&h0));
    let (win, lose) = top_movers(&rows, 10);
    assert!(!win.is_empty());
    assert!(win.iter().all(|r| r.result.level == Level::Secondary));
    assert!(
        lose.is_empty(),
        "raising one level's coefficient at a fixed rate takes from no one"
    );
    for w in win.windows(2) {
        assert!(w[0].payment_change_yuan >= w[1].payment_change_yuan);
    }
    let levels = level_summary(&rows);
    assert_eq!(levels.len(), 3);
    assert_eq!(levels.iter().map(|l| l.hospitals).sum::<usize>(), 170);
    assert!(levels[0].payment_change_yuan.unwrap().abs() < 1e-6);
}

#[test]
fn level_params_all_applies_to_every_level_unless_given() {
    let d = small_dir();
    let mut st = store(2025);
    compile(
        "groups = \"groups.csv\"\nhospitals = \"hospitals.csv\"\nbase_rate = 1\nhospital_coverage = { all = 0.7, primary = 0.5 }",
        d.path(),
        &mut st,
    )
    .unwrap();
    let v = |p: &str| st.values().get(st.find(p).unwrap(), 0);
    assert_eq!(v("funds.resident.payment.hospital_coverage.tertiary"), 0.7);
    assert_eq!(v("funds.resident.payment.hospital_coverage.primary"), 0.5);
}

#[test]
fn demand_file_matches_the_group_table_and_bom_is_accepted() {
    let d = read_demand_csv(&scenarios_dir().join("data/qingyang/demand-2025h1.csv")).unwrap();
    let g = qy_demand();
    for b in 0..N_BANDS {
        assert!((d.cases_by_band[b] - g.cases_by_band[b]).abs() < 0.06);
        assert!((d.cost_per_case_by_band[b] - g.cost_per_case_by_band[b]).abs() < 0.006);
    }
    let bom = format!("\u{feff}{SMALL_HOSPITALS}");
    assert_eq!(
        HospitalTable::parse(Path::new("h.csv"), &bom)
            .unwrap()
            .hospitals
            .len(),
        2
    );
}

#[test]
fn coverage_shares_move_cases_to_fee_for_service() {
    let d = small_dir();
    let dem = small_demand();
    let mut st = store(2025);
    let m = compile(
        "groups = \"groups.csv\"\nbase_rate = 3000\ngroup_coverage = 0.5\ngrouping_rate = 0.9\nexcluded_stays_share = 0.1",
        d.path(),
        &mut st,
    )
    .unwrap();
    let y = m.pay_year(0, st.values(), &dem);
    // 900 eligible cases x 0.5 x 0.9 x 0.9 = 364.5 DRG cases
    assert!((y.drg_cases - 364.5).abs() < 1e-6);
    assert!((y.drg_payment_yuan - 3000.0 * 364.5).abs() < 1e-3);
    // the rest paid at cost: 4.0M total cost - 3.6M x 0.405
    assert!((y.other_payment_yuan - (4.0e6 - 3.6e6 * 0.405)).abs() < 1e-3);
}

#[test]
fn qingyang_hospitals_keep_their_volume_and_case_mix() {
    let dir = scenarios_dir();
    let table = HospitalTable::load(&dir.join("data/qingyang/hospitals.csv")).unwrap();
    let mut st = store(2025);
    let m = compile(&qy(&[], ""), &dir, &mut st).unwrap();
    let hs = m.hospitals_year(0, st.values(), &qy_demand());
    let total: f64 = hs.iter().map(|h| h.cases).sum();
    let table_total: f64 = table.hospitals.iter().map(|h| h.cases).sum();
    let region_cmi = {
        let y = m.pay_year(0, st.values(), &qy_demand());
        y.cmi
    };
    let mut worst_cases: f64 = 0.0;
    let mut worst_cmi: f64 = 0.0;
    for (h, t) in hs.iter().zip(&table.hospitals) {
        assert_eq!(h.id, t.id);
        worst_cases = worst_cases.max(rel(h.cases / total, t.cases / table_total));
        worst_cmi = worst_cmi.max(rel(h.cmi / region_cmi, t.cmi_relative));
    }
    println!("worst volume error {worst_cases:.4}, worst relative-CMI error {worst_cmi:.4}");
    assert!(worst_cases < 0.01, "{worst_cases}");
    assert!(worst_cmi < 0.06, "{worst_cmi}");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Under a point-value budget the DRG payment is the budget and the hospitals'
        /// payments add up to it, whatever the volume, drift, coverage or dispersion.
        #[test]
        fn point_value_pays_budget(budget in 1.0f64..1e5, adm in -0.5f64..1.0, drift in -0.2f64..0.5,
                                   cov in 0.05f64..1.0, marg in 0.0f64..1.0, scale in 0.1f64..10.0) {
            let d = small_dir();
            let mut st = store(2025);
            let m = compile(&format!(
                "mode = \"point_value\"\ngroups = \"groups.csv\"\nhospitals = \"hospitals.csv\"\nbudget_wan = {budget}\n\
                 hospital_coverage = {{ all = {cov} }}\noutliers = {{ marginal_share = {marg} }}\n\
                 behaviour = {{ admissions = {adm}, cmi_drift = {drift} }}"), d.path(), &mut st).unwrap();
            let mut dem = small_demand();
            dem.cases_by_band.iter_mut().for_each(|n| *n *= scale);
            let y = m.pay_year(0, st.values(), &dem);
            prop_assert!(rel(y.drg_payment_yuan, budget * 1e4) < 1e-9);
            let hs = m.hospitals_year(0, st.values(), &dem);
            let paid: f64 = hs.iter().map(|h| h.payment_yuan).sum();
            prop_assert!(rel(paid, budget * 1e4) < 1e-9);
            prop_assert!(rel(y.total_payment_yuan, y.drg_payment_yuan + y.other_payment_yuan) < 1e-12);
        }

        /// Under a fixed rate, payment is linear in cases: scaling volume scales payment.
        #[test]
        fn fixed_rate_is_linear_in_volume(rate in 100.0f64..10_000.0, scale in 0.1f64..10.0, k in 0.5f64..1.5) {
            let d = small_dir();
            let mut st = store(2025);
            let m = compile(&format!(
                "groups = \"groups.csv\"\nhospitals = \"hospitals.csv\"\nbase_rate = {rate}\n\
                 level_coefficients = {{ secondary = {k} }}\noutliers = {{}}"), d.path(), &mut st).unwrap();
            let dem = small_demand();
            let mut big = dem;
            big.cases_by_band.iter_mut().for_each(|n| *n *= scale);
            let y0 = m.pay_year(0, st.values(), &dem);
            let y1 = m.pay_year(0, st.values(), &big);
            prop_assert!(rel(y1.drg_payment_yuan, y0.drg_payment_yuan * scale) < 1e-9);
            prop_assert!(rel(y1.settlement_ratio, y0.settlement_ratio) < 1e-9);
        }
    }
}

#[test]
fn outlier_thresholds_by_weight_band() {
    // one region, zero dispersion, hospital at the group mean: no case is an outlier
    // unless the threshold is below 1x... thresholds must exceed 1, so use a dispersed table
    let groups = SMALL_GROUPS
        .replace(",0.5,2000,0,", ",0.5,2000,0.8,")
        .replace(",2.0,8000,0,", ",2.0,8000,0.8,");
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("groups.csv"), groups).unwrap();
    let dem = small_demand();
    let run = |outliers: &str| {
        let mut st = store(2025);
        let m = compile(
            &format!("groups = \"groups.csv\"\nbase_rate = 4000\noutliers = {outliers}"),
            d.path(),
            &mut st,
        )
        .unwrap();
        m.pay_year(0, st.values(), &dem).drg_payment_yuan
    };
    // pseudo-hospital is secondary: level threshold 2.0 for both groups
    let by_level = run("{ high_multiple = { tertiary = 3.0, secondary = 2.0, primary = 2.0 } }");
    let same = run("{ high_multiple_by_weight = [{ from_weight = 0, multiple = 2.0 }] }");
    assert!(rel(same, by_level) < 1e-12);
    // heavy group (RW 2.0) at 3x pays less excess than at 2x
    let banded = run(
        "{ high_multiple_by_weight = [{ from_weight = 0, multiple = 2.0 }, { from_weight = 1.5, multiple = 3.0 }] }",
    );
    assert!(banded < by_level);
    // validation
    let mut st = store(2025);
    let issues = compile(
        "groups = \"groups.csv\"\nbase_rate = 1\noutliers = { high_multiple_by_weight = [{ from_weight = 1, multiple = 0.5 }] }",
        d.path(),
        &mut st,
    )
    .unwrap_err();
    assert_eq!(issues.len(), 2, "{issues:?}");
    assert!(
        issues[0]
            .path
            .ends_with("outliers.high_multiple_by_weight[0]")
    );
}

#[test]
fn per_hospital_group_volumes_replace_the_tilted_mix() {
    let d = small_dir();
    // all heavy cases at the county hospital
    std::fs::write(
        d.path().join("v.csv"),
        "hospital,group,cases\nH2,B1,300\nH1,A1,400\nH2,A1,200\n",
    )
    .unwrap();
    let mut st = store(2025);
    let m = compile(
        "groups = \"groups.csv\"\nhospitals = \"hospitals.csv\"\nhospital_groups = \"v.csv\"\nbase_rate = 1000",
        d.path(),
        &mut st,
    )
    .unwrap();
    let hs = m.hospitals_year(0, st.values(), &small_demand());
    let h1 = hs.iter().find(|h| h.id == "H1").unwrap();
    let h2 = hs.iter().find(|h| h.id == "H2").unwrap();
    assert!((h1.drg_cases - 400.0).abs() < 1e-6 && (h1.cmi - 0.5).abs() < 1e-9);
    assert!((h2.drg_cases - 500.0).abs() < 1e-6);
    // bad rows are named by line and column
    let g = GroupTable::parse(Path::new("g.csv"), SMALL_GROUPS).unwrap();
    let h = HospitalTable::parse(Path::new("h.csv"), SMALL_HOSPITALS).unwrap();
    let e = HospitalGroupVolumes::parse(
        Path::new("v.csv"),
        "hospital,group,cases\nH9,A1,1\nH1,Q7,1\nH1,A1,-2\nH1,B1,1\nH1,B1,2\n",
        &h,
        &g,
    )
    .unwrap_err()
    .to_string();
    for want in [
        "v.csv:2: column `hospital`: unknown hospital `H9`",
        "v.csv:3: column `group`: unknown group `Q7`",
        "v.csv:4: column `cases`: negative value -2",
        "v.csv:6: column `group`: duplicate row",
    ] {
        assert!(e.contains(want), "missing `{want}` in {e}");
    }
}

#[test]
fn hospital_report_in_one_call() {
    let dir = scenarios_dir();
    let dem = qy_demand();
    let mut st0 = store(2025);
    let base = compile(&qy(&[], ""), &dir, &mut st0).unwrap();
    let mut st1 = store(2025);
    let recal = compile(
        &qy(
            &[],
            "weights = \"data/qingyang/weights-2025-recalibrated.csv\"\nrecalibration = \"budget_neutral\"",
        ),
        &dir,
        &mut st1,
    )
    .unwrap();
    let h0 = base.hospitals_year(0, st0.values(), &dem);
    let h1 = recal.hospitals_year(0, st1.values(), &dem);
    let r = hospital_report(&h1, Some(&h0), 10);
    assert_eq!(r.rows.len(), 170);
    // budget-neutral: gains and losses cancel
    let net: f64 = r.rows.iter().filter_map(|x| x.payment_change_yuan).sum();
    assert!(net.abs() < 1.0, "{net}");
    assert!(!r.winners.is_empty() && !r.losers.is_empty());
    assert!(
        r.rows.first().unwrap().payment_change_yuan >= r.rows.last().unwrap().payment_change_yuan
    );
    assert_eq!(r.winners[0], r.rows[0]);
    assert_eq!(r.losers[0], *r.rows.last().unwrap());
    assert_eq!(r.levels.len(), 3);
    assert_eq!(r.levels[0].hospitals, 9, "tertiary hospitals");
}

#[test]
fn a_repeated_compile_reuses_the_group_model_and_a_changed_table_does_not() {
    use super::group_model::{CompileCache, GroupModel};
    let cache = CompileCache::new();
    let dir = scenarios_dir().join("data/qingyang");
    let groups = GroupTable::load(&dir.join("groups.csv")).unwrap();
    let mut hosp = HospitalTable::load(&dir.join("hospitals.csv")).unwrap();
    let a = cache.get(&groups, Some(&hosp), None, None, false, None);
    let b = cache.get(&groups, Some(&hosp), None, None, false, None);
    assert!(
        std::sync::Arc::ptr_eq(&a, &b),
        "same inputs: the compiled model is reused"
    );
    let fresh = GroupModel::compile_uncached(&groups, Some(&hosp), None, None, false, None);
    assert_eq!(*a, fresh, "a reused model is exactly what a compile gives");
    hosp.hospitals[0].cases *= 2.0;
    let c = cache.get(&groups, Some(&hosp), None, None, false, None);
    assert!(
        !std::sync::Arc::ptr_eq(&a, &c),
        "a changed table is compiled again"
    );
    let fresh = GroupModel::compile_uncached(&groups, Some(&hosp), None, None, false, None);
    assert_eq!(*c, fresh);
    assert_ne!(*a, *c, "the change moves the allocation");
}
