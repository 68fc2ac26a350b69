//! The payment engine in lanes (`lanes`), compiled for AVX and for the
//! x86-64 baseline, against the engine path by path, bit for bit, in every
//! mode, on the small tables of `payment::tests`, in chunks of every size up
//! to `LANES`.

use super::tests::{compile, small_demand, small_dir, store};
use super::*;
use crate::population::LANES;
use crate::population::bands::N_BANDS;
use crate::scenario::ParamValues;

/// Every field of a year as bits, so equal means bit for bit (NaN included).
fn year_bits(y: &InpatientYear) -> Vec<u64> {
    y.numbers().map(f64::to_bits).to_vec()
}

#[test]
fn lanes_in_avx_and_baseline_forms_equal_path_by_path_in_every_mode() {
    // rate given, recalibrated, solved from a budget, point value, fee for
    // service, a level coefficient: each compiled once; chunks of 1 to 9
    // paths (every remainder of the lane count) whose parameters and demand
    // differ lane by lane
    let d = small_dir();
    let specs = [
        "base_rate = 4000\noutliers = {}",
        "base_rate = 4000\nweights = \"w2.csv\"\nrecalibration = \"budget_neutral\"",
        "budget_wan = 300",
        "mode = \"point_value\"\nbudget_wan = 300\noutliers = {}",
        "mode = \"fee_for_service\"",
        "base_rate = 4000\nlevel_coefficients = { secondary = 0.8 }",
    ];
    for spec in specs {
        let mut st = store(2027);
        let text = format!("groups = \"groups.csv\"\nhospitals = \"hospitals.csv\"\n{spec}");
        let m = compile(&text, d.path(), &mut st).unwrap_or_else(|e| panic!("{spec}: {e:?}"));
        let gm = m.grouped.as_ref().expect("group form");
        let n_params = st.paths().count();
        let values: Vec<ParamValues> = (0..9)
            .map(|i| {
                let mut v = st.values().clone();
                for id in 0..n_params {
                    let k = 1.0 + 0.01 * (i as f64) * ((id % 5) as f64 - 2.0) / 2.0;
                    for x in v.row_mut(crate::scenario::ParamId(id)) {
                        *x *= k;
                    }
                }
                v
            })
            .collect();
        let dem: Vec<InpatientDemand> = (0..9)
            .map(|i| {
                let mut x = small_demand();
                for b in 0..N_BANDS {
                    x.cases_by_band[b] *= 1.0 + 0.01 * ((i * 3 + b) % 7) as f64;
                    x.cost_per_case_by_band[b] *= 1.0 - 0.002 * ((i + b) % 5) as f64;
                }
                x
            })
            .collect();
        let xs: Vec<YearInputs> = (0..9)
            .map(|i| match i % 3 {
                0 => YearInputs::NONE,
                1 => YearInputs {
                    budget_yuan: 2.0e6 * (1.0 + 0.1 * i as f64),
                    benefit_cut: 0.02,
                    benefit_floor: 0.5,
                },
                _ => YearInputs {
                    budget_yuan: f64::NAN,
                    benefit_cut: 0.3,
                    benefit_floor: 0.55,
                },
            })
            .collect();
        for t in 0..3 {
            // every chunk size up to `LANES`, and the lanes of a chunk at
            // every position of the nine paths
            for first in 0..9 {
                for n in 1..=LANES.min(9 - first) {
                    let idx = first..first + n;
                    let ps: Vec<&ParamValues> = values[idx.clone()].iter().collect();
                    let ds = DemandLanes::from_paths(&dem[idx.clone()]);
                    let c = lanes::Chunk {
                        t,
                        ps: &ps,
                        same: false,
                        ds: &ds,
                        xs: &xs[idx.clone()],
                    };
                    let mut base = vec![InpatientYear::default(); n];
                    m.grouped_lanes(gm, false, c, &mut base);
                    let mut auto = vec![InpatientYear::default(); n];
                    m.pay_year_lanes(t, &ps, None, &ds, &xs[idx.clone()], &mut auto);
                    for (i, k) in idx.enumerate() {
                        let alone = m.pay_year_with(t, ps[i], &dem[k], &xs[k]);
                        assert_eq!(
                            year_bits(&base[i]),
                            year_bits(&alone),
                            "{spec}: t {t}, lane {i} of {n} from path {first}"
                        );
                        assert_eq!(
                            year_bits(&auto[i]),
                            year_bits(&alone),
                            "{spec}: t {t}, lane {i} of {n} from path {first}"
                        );
                    }
                }
            }
        }
    }
}
