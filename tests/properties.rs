//! Property tests: random but valid scenarios keep the books straight, and
//! the runway moves the right way when one driver moves.

mod common;
use drgsim::projection::{Model, project};
use drgsim::scenario::RawScenario;
use proptest::prelude::*;

fn with(sets: &[(&str, f64)]) -> Model {
    let mut raw = RawScenario::load(&common::scenario("chuxiong-2023.toml"), &[]).unwrap();
    for (p, v) in sets {
        raw.set(p, toml::Value::Float(*v)).unwrap();
    }
    Model::from_raw(raw).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn books_balance_for_any_valid_drivers(
        decline in 0.0..0.08f64,
        selectivity in 0.0..=1.0f64,
        cost_growth in -0.02..0.10f64,
        adm_growth in -0.02..0.05f64,
        coverage in 0.0..=1.0f64,
    ) {
        let m = with(&[
            ("funds.resident.enrollment.decline", decline),
            ("funds.resident.enrollment.selectivity", selectivity),
            ("funds.resident.spending.inpatient_cost_growth", cost_growth),
            ("funds.resident.spending.admission_growth", adm_growth),
            ("funds.resident.payment.hospital_coverage.all", coverage),
        ]);
        let p = project(&m);
        let rows = &p.funds[0].rows;
        let mut prev = m.funds[0].opening_balance_wan;
        for r in rows {
            let tol = 1e-9 * r.balance_wan.abs().max(1.0);
            prop_assert!((r.balance_wan - prev - r.surplus_wan).abs() < tol);
            prop_assert!((r.months_payable * r.pooled_expenditure_wan / 12.0 - r.balance_wan).abs() < 1e-6 * r.balance_wan.abs().max(1.0));
            prop_assert!(r.members > 0.0 && r.members_60plus_share > 0.0 && r.members_60plus_share < 1.0);
            prev = r.balance_wan;
        }
        // with people leaving and few births, membership shrinks every year
        if decline > 0.01 {
            for w in rows.windows(2) {
                prop_assert!(w[1].members < w[0].members);
            }
        }
    }

    /// With the DRG rate following costs (as negotiated rates do over time),
    /// faster cost growth never lengthens the runway.
    #[test]
    fn faster_cost_growth_never_lengthens_the_runway(g in 0.0..0.08f64, dg in 0.001..0.03f64) {
        let a = project(&with(&[
            ("funds.resident.spending.inpatient_cost_growth", g),
            ("funds.resident.payment.base_rate.growth", g),
        ]));
        let b = project(&with(&[
            ("funds.resident.spending.inpatient_cost_growth", g + dg),
            ("funds.resident.payment.base_rate.growth", g + dg),
        ]));
        for (x, y) in a.funds[0].rows.iter().zip(&b.funds[0].rows).skip(1) {
            prop_assert!(y.balance_wan <= x.balance_wan + 1e-9);
        }
    }

    /// At a fixed DRG rate path, the fee-for-service bill growing faster moves
    /// money between the other three: patients pay their share of the larger
    /// bill, so the fund pays the DRG standard minus more, and hospitals carry
    /// the whole gap. The fund's DRG payment falls by exactly what patients add.
    #[test]
    fn at_a_fixed_rate_a_costlier_bill_shifts_to_patients_and_hospitals(g in 0.0..0.08f64, dg in 0.001..0.03f64) {
        let a = project(&with(&[("funds.resident.spending.inpatient_cost_growth", g)]));
        let b = project(&with(&[("funds.resident.spending.inpatient_cost_growth", g + dg)]));
        for (x, y) in a.funds[0].rows.iter().zip(&b.funds[0].rows).skip(1) {
            let patients = |r: &drgsim::fund::YearRow| r.drg_payment_wan - r.drg_fund_payment_wan;
            let extra = patients(y) - patients(x);
            prop_assert!(extra > 0.0);
            let outlier_extra = y.drg_payment_wan - x.drg_payment_wan; // outlier payments follow cost
            prop_assert!(outlier_extra >= -1e-9);
            let fund_change = y.drg_fund_payment_wan - x.drg_fund_payment_wan;
            prop_assert!((fund_change - (outlier_extra - extra)).abs() < 1e-6 * x.drg_payment_wan);
        }
    }

    /// Behaviour off, a base-rate cut of x % lowers the fund's payment by x % of
    /// the standard DRG payments (the patients' share does not move with the
    /// rate), and the hospitals lose exactly what the fund saves.
    #[test]
    fn a_rate_cut_comes_entirely_out_of_the_funds_payment(x in 0.0..0.3f64) {
        let a = project(&with(&[]));
        let b = project(&with(&[("funds.resident.payment.base_rate.base", 5581.0 * (1.0 - x))]));
        for (r0, r1) in a.funds[0].rows.iter().zip(&b.funds[0].rows) {
            let hospital_cut = r0.drg_payment_wan - r1.drg_payment_wan;
            let fund_saving = r0.inpatient_wan - r1.inpatient_wan;
            prop_assert!((fund_saving - hospital_cut).abs() <= 1e-9 * r0.inpatient_wan);
            prop_assert!((r0.inpatient_patient_wan - r1.inpatient_patient_wan).abs() <= 1e-9 * r0.inpatient_patient_wan);
            // x % of the standard part: DRG payment = rate x units + outlier extra
            // (independent of the rate), so the cut is at most x % of the total
            prop_assert!(hospital_cut <= x * r0.drg_payment_wan * (1.0 + 1e-9) + 1e-9);
            prop_assert!(hospital_cut >= x * r0.drg_payment_wan * 0.97 - 1e-9);
        }
    }

    #[test]
    fn a_higher_premium_never_shortens_the_runway(p in 300.0..600.0f64, dp in 1.0..100.0f64) {
        let a = project(&with(&[("funds.resident.premiums.premium", p)]));
        let b = project(&with(&[("funds.resident.premiums.premium", p + dp)]));
        for (x, y) in a.funds[0].rows.iter().zip(&b.funds[0].rows) {
            prop_assert!(y.months_payable >= x.months_payable - 1e-9);
        }
    }
}
