//! The payment engine in lanes equals the engine path by path, bit for bit:
//! `PaymentModel::pay_year_lanes` against `pay_year_with` for every bundled
//! scenario's payment models (rate, point value, recalibration, level
//! coefficients, the aggregate form): 37 paths in chunks of every size up to
//! `LANES`, whose parameters, demand, budget override and benefit cut differ
//! lane by lane.

mod common;

use drgsim::payment::{DemandLanes, InpatientDemand, InpatientYear, PaymentMode, YearInputs};
use drgsim::population::LANES;
use drgsim::scenario::{ParamId, ParamValues};

/// Every field of a year as bits, so equal means bit for bit (NaN included).
fn bits(y: &InpatientYear) -> [u64; 17] {
    y.numbers().map(f64::to_bits)
}

/// Lane `i`'s parameter values: every parameter moved by its own small factor
/// (lane 0 unchanged), so lanes differ in every dated factor.
fn lane_values(base: &ParamValues, n_params: usize, i: usize) -> ParamValues {
    let mut v = base.clone();
    for id in 0..n_params {
        let k = 1.0 + 0.004 * (i as f64) * (((id * 7 + i * 3) % 11) as f64 - 5.0) / 5.0;
        for x in v.row_mut(ParamId(id)) {
            *x *= k;
        }
    }
    v
}

/// Lane `i`'s demand: the projection's, cases and costs tilted by band.
fn lane_demand(d: &InpatientDemand, i: usize) -> InpatientDemand {
    let mut d = *d;
    for b in 0..d.cases_by_band.len() {
        d.cases_by_band[b] *= 1.0 + 0.01 * ((i * 5 + b) % 7) as f64;
        d.cost_per_case_by_band[b] *= 1.0 - 0.003 * ((i + 2 * b) % 5) as f64;
    }
    d
}

/// Lane `i`'s year inputs: none, a budget override with a benefit cut above
/// the floor, or a deep cut down to the floor.
fn lane_inputs(i: usize) -> YearInputs {
    match i % 3 {
        0 => YearInputs::NONE,
        1 => YearInputs {
            budget_yuan: 4.0e8 * (1.0 + 0.1 * i as f64),
            benefit_cut: 0.02,
            benefit_floor: 0.5,
        },
        _ => YearInputs {
            budget_yuan: f64::NAN,
            benefit_cut: 0.3,
            benefit_floor: 0.55,
        },
    }
}

#[test]
fn pay_year_lanes_equals_pay_year_with_bit_for_bit_in_every_bundled_scenario() {
    let mut modes = Vec::new();
    let mut checked = 0;
    for path in common::bundled() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (m, p) = common::run(&name);
        let n_params = m.store.paths().count();
        let n_years = m.years.len();
        let values: Vec<ParamValues> = (0..37)
            .map(|i| lane_values(m.values(), n_params, i))
            .collect();
        for (fm, fp) in m.funds.iter().zip(&p.funds) {
            let model = &fm.payment;
            modes.push((model.mode(), model.is_grouped()));
            for t in [0, n_years / 2, n_years - 1] {
                // 37 paths in chunks of every size up to `LANES`, each chunk
                // starting where the last ended
                for size in 1..=LANES {
                    let xs: Vec<YearInputs> = (0..37).map(lane_inputs).collect();
                    let ds: Vec<InpatientDemand> =
                        (0..37).map(|i| lane_demand(&fp.demand[t], i)).collect();
                    for first in (0..37).step_by(size) {
                        let idx = first..(first + size).min(37);
                        let ps: Vec<&ParamValues> = values[idx.clone()].iter().collect();
                        let lanes = DemandLanes::from_paths(&ds[idx.clone()]);
                        let mut out = vec![InpatientYear::default(); idx.len()];
                        model.pay_year_lanes(t, &ps, None, &lanes, &xs[idx.clone()], &mut out);
                        for (i, k) in idx.enumerate() {
                            let alone = model.pay_year_with(t, ps[i], &ds[k], &xs[k]);
                            assert_eq!(
                                bits(&out[i]),
                                bits(&alone),
                                "{name}, fund {}, year {t}, path {k} in a chunk of {size}:\n{:?}\n{:?}",
                                fm.id,
                                out[i],
                                alone
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 1000, "{checked} lanes checked");
    for want in [
        (PaymentMode::DrgRate, true),
        (PaymentMode::PointValue, true),
        (PaymentMode::DrgRate, false),
    ] {
        assert!(
            modes.contains(&want),
            "no bundled scenario with {want:?}: {modes:?}"
        );
    }
}

#[test]
fn lanes_differ_when_their_parameters_differ() {
    // guards the test above: lanes that were all alike would prove nothing
    let (m, p) = common::run("chuxiong-2023.toml");
    let n_params = m.store.paths().count();
    let values: Vec<ParamValues> = (0..LANES)
        .map(|i| lane_values(m.values(), n_params, i))
        .collect();
    let ps: Vec<&ParamValues> = values.iter().collect();
    let ds: Vec<InpatientDemand> = (0..LANES)
        .map(|i| lane_demand(&p.funds[0].demand[3], i))
        .collect();
    let xs = vec![YearInputs::NONE; LANES];
    let mut out = vec![InpatientYear::default(); LANES];
    m.funds[0]
        .payment
        .pay_year_lanes(3, &ps, None, &DemandLanes::from_paths(&ds), &xs, &mut out);
    for i in 1..LANES {
        assert_ne!(out[i].fund_yuan, out[0].fund_yuan, "lane {i}");
    }
}

#[test]
#[should_panic(expected = "one input and output per path")]
fn pay_year_lanes_refuses_slices_of_different_lengths() {
    let (m, p) = common::run("chuxiong-2023.toml");
    let ps = vec![m.values(); 3];
    let ds = DemandLanes::from_paths(&[p.funds[0].demand[0]; 2]);
    let xs = vec![YearInputs::NONE; 2];
    let mut out = vec![InpatientYear::default(); 3];
    m.funds[0]
        .payment
        .pay_year_lanes(0, &ps, None, &ds, &xs, &mut out);
}

#[test]
#[should_panic(expected = "paths a chunk")]
fn pay_year_lanes_refuses_more_paths_than_lanes() {
    let (m, p) = common::run("chuxiong-2023.toml");
    let ps = vec![m.values(); LANES + 1];
    let ds = DemandLanes::from_paths(&[p.funds[0].demand[0]; 1]);
    let xs = vec![YearInputs::NONE; LANES + 1];
    let mut out = vec![InpatientYear::default(); LANES + 1];
    m.funds[0]
        .payment
        .pay_year_lanes(0, &ps, None, &ds, &xs, &mut out);
}

#[test]
fn same_factors_is_refused_when_a_varying_parameter_is_one_the_payment_reads() {
    let (m, _) = common::run("chuxiong-rules.toml");
    let pay = &m.funds[0].payment;
    let id = |path: &str| m.store.find(path).unwrap_or_else(|| panic!("{path}"));
    assert!(pay.same_factors(&[]).is_some(), "nothing varies");
    let premium = id("funds.resident.premiums.premium");
    let cost_growth = id("funds.resident.spending.inpatient_cost_growth");
    assert!(
        pay.same_factors(&[premium, cost_growth]).is_some(),
        "the default Monte Carlo moves no payment parameter"
    );
    // every parameter of the payment section, and the inpatient benefits
    let mut refused = 0;
    for (p, path) in m.store.paths() {
        if path.starts_with("funds.resident.payment.")
            || path == "funds.resident.spending.inpatient_reimbursement"
            || path == "funds.resident.spending.inpatient_deductible"
        {
            assert!(pay.same_factors(&[premium, p]).is_none(), "{path}");
            refused += 1;
        }
    }
    assert!(refused >= 15, "{refused} payment parameters checked");
    let outpatient = id("funds.resident.spending.outpatient_reimbursement");
    assert!(
        pay.same_factors(&[outpatient]).is_some(),
        "outpatient benefits are not the inpatient payment's"
    );
}

#[test]
fn shared_factors_give_each_path_its_own_year_bit_for_bit() {
    // paths that share every parameter but differ in demand, budget and
    // benefit cut: the chunk's factors evaluated once equal each path's own
    let mut checked = 0;
    for path in common::bundled() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (m, p) = common::run(&name);
        for (fm, fp) in m.funds.iter().zip(&p.funds) {
            let model = &fm.payment;
            let same = model.same_factors(&[]);
            assert!(same.is_some(), "{name}: nothing varies");
            for t in [0, m.years.len() / 2, m.years.len() - 1] {
                let ps = vec![m.values(); LANES];
                let ds: Vec<InpatientDemand> =
                    (0..LANES).map(|i| lane_demand(&fp.demand[t], i)).collect();
                let xs: Vec<YearInputs> = (0..LANES).map(lane_inputs).collect();
                let mut out = vec![InpatientYear::default(); LANES];
                let lanes = DemandLanes::from_paths(&ds);
                model.pay_year_lanes(t, &ps, same, &lanes, &xs, &mut out);
                for i in 0..LANES {
                    let alone = model.pay_year_with(t, ps[i], &ds[i], &xs[i]);
                    assert_eq!(bits(&out[i]), bits(&alone), "{name}, year {t}, lane {i}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100, "{checked} lanes checked");
}
