//! Property tests: random but valid scenarios keep the books straight, and
//! the runway moves the right way when one driver moves.

mod common;
use drgsim::projection::{Model, project};
use drgsim::scenario::source::RawScenario;
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

    #[test]
    fn faster_cost_growth_never_lengthens_the_runway(g in 0.0..0.08f64, dg in 0.001..0.03f64) {
        let a = project(&with(&[("funds.resident.spending.inpatient_cost_growth", g)]));
        let b = project(&with(&[("funds.resident.spending.inpatient_cost_growth", g + dg)]));
        for (x, y) in a.funds[0].rows.iter().zip(&b.funds[0].rows).skip(1) {
            prop_assert!(y.balance_wan <= x.balance_wan + 1e-9);
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
