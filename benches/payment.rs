//! Benchmarks of the payment engine on the bundled Qingyang region
//! (732 groups, 170 hospitals): one year's payment (the Monte Carlo inner call),
//! one year's per-hospital detail, a 13-year run (base year + 12) of both, and
//! compiling the tables.

use criterion::{Criterion, criterion_group, criterion_main};
use drgsim::payment::{GroupTable, InpatientDemand, PaymentModel, PaymentSpec};
use drgsim::scenario::{ParamStore, Years};
use std::hint::black_box;
use std::path::{Path, PathBuf};

/// Behaviour response added to the bundled section: admissions drift up 5 % by 2030.
const BEHAVIOUR: &str = r#"behaviour = { cmi_drift = { base = 0.0, growth = 0.0 }, admissions = { values = { 2025 = 0.0, 2030 = 0.05 }, interpolate = "linear" } }"#;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn setup() -> (PaymentModel, ParamStore, Vec<InpatientDemand>) {
    // The bundled scenario's own payment section (one source), plus a behaviour response.
    let mut section =
        drgsim::scenario::bundled::table("qingyang-2025h1.toml", "funds.region.payment")
            .expect("the bundled Qingyang payment section");
    section.extend(toml::from_str::<toml::Table>(BEHAVIOUR).expect("behaviour parses"));
    let spec: PaymentSpec = section.try_into().expect("section parses");
    let mut store = ParamStore::new(Years {
        base_year: 2025,
        horizon: 2037,
    });
    let mut issues = Vec::new();
    let model = spec
        .compile("funds.resident.payment", &dir(), &mut store, &mut issues)
        .expect("bundled Qingyang tables compile");
    let g = GroupTable::load(&dir().join("data/qingyang/groups.csv")).expect("groups load");
    let base = InpatientDemand {
        cases_by_band: g.cases_by_band(),
        cost_per_case_by_band: g.cost_per_case_by_band(),
    };
    // 13 years: cases shift to the old bands, cost grows 4 % a year
    let demands = (0..13)
        .map(|t| {
            let mut d = base;
            for b in 0..d.cases_by_band.len() {
                let age_shift = if b >= 12 { 1.03f64 } else { 0.99 };
                d.cases_by_band[b] *= age_shift.powi(t);
                d.cost_per_case_by_band[b] *= 1.04f64.powi(t);
            }
            d
        })
        .collect();
    (model, store, demands)
}

fn bench_payment(c: &mut Criterion) {
    let (model, store, demands) = setup();
    let p = store.values();
    c.bench_function("qingyang pay_year (one year, region)", |b| {
        b.iter(|| model.pay_year(black_box(0), black_box(p), black_box(&demands[0])))
    });
    c.bench_function("qingyang hospitals_year (one year, 170 hospitals)", |b| {
        b.iter(|| model.hospitals_year(black_box(0), black_box(p), black_box(&demands[0])))
    });
    c.bench_function("qingyang 13 years pay_year + hospitals_year", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for (t, d) in demands.iter().enumerate() {
                total += model.pay_year(t, p, d).total_payment_yuan;
                total += model
                    .hospitals_year(t, p, d)
                    .iter()
                    .map(|h| h.payment_yuan)
                    .sum::<f64>();
            }
            black_box(total)
        })
    });
    c.bench_function("qingyang compile tables", |b| {
        b.iter(|| {
            // The bundled scenario's own payment section (one source), plus a behaviour response.
            let mut section =
                drgsim::scenario::bundled::table("qingyang-2025h1.toml", "funds.region.payment")
                    .expect("the bundled Qingyang payment section");
            section.extend(toml::from_str::<toml::Table>(BEHAVIOUR).expect("behaviour parses"));
            let spec: PaymentSpec = section.try_into().expect("section parses");
            let mut store = ParamStore::new(Years {
                base_year: 2025,
                horizon: 2037,
            });
            let mut issues = Vec::new();
            black_box(spec.compile("p", &dir(), &mut store, &mut issues))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench_payment
}
criterion_main!(benches);
