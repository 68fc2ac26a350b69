//! Benchmarks of the payment engine on the bundled Qingyang region
//! (732 groups, 170 hospitals): one year's payment (the Monte Carlo inner call),
//! one year's per-hospital detail, a 13-year run (base year + 12) of both, and
//! compiling the tables; and the work of `drgsim hospitals` at provincial scale
//! (3,337 hospitals x 100 groups, 40 groups per hospital, generated with a fixed
//! seed): load and compile the scenario, project it, one year's per-hospital
//! settlement, the compute of `drgsim hospitals` with and without `--vs`, and
//! the writing of its report files apart. And the Monte Carlo inner call on
//! the default scenario: 16 paths in chunks of `LANES` (the year loop's
//! chunk) through `pay_year_lanes` beside the same 16 paths one by one through
//! `pay_year_with`, per path-year.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use drgsim::payment::{
    DemandLanes, GroupTable, InpatientDemand, InpatientYear, PaymentModel, PaymentSpec, YearInputs,
};
use drgsim::population::LANES;
use drgsim::scenario::{ParamId, ParamStore, ParamValues, Years};
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

/// Paths in the lanes bench.
const PATHS: usize = 16;

/// `pay_year_lanes` on the default scenario (Chuxiong, 732 groups, rate mode):
/// 16 paths whose parameters differ (every parameter moved by up to 2 %) and
/// whose demand is the projection's, all 13 years, in chunks of `LANES`;
/// beside it the same paths one by one through `pay_year_with`. Throughput
/// is in path-years.
fn bench_lanes(c: &mut Criterion) {
    use drgsim::projection::{Model, project};
    let m = Model::load(&dir().join("chuxiong-rules.toml"), &[]).expect("default scenario loads");
    let p = project(&m);
    let n_params = m.store.paths().count();
    let values: Vec<ParamValues> = (0..PATHS)
        .map(|i| {
            let mut v = m.values().clone();
            for id in 0..n_params {
                let k = 1.0 + 0.02 * ((id * 7 + i * 3) % 11) as f64 / 10.0;
                for x in v.row_mut(ParamId(id)) {
                    *x *= k;
                }
            }
            v
        })
        .collect();
    let ps: Vec<&ParamValues> = values.iter().collect();
    let model = &m.funds[0].payment;
    let demand = &p.funds[0].demand;
    let years = demand.len();
    let ds: Vec<Vec<InpatientDemand>> = demand.iter().map(|d| vec![*d; PATHS]).collect();
    let lanes: Vec<Vec<DemandLanes>> = ds
        .iter()
        .map(|d| d.chunks(LANES).map(DemandLanes::from_paths).collect())
        .collect();
    let xs = vec![YearInputs::NONE; PATHS];
    let mut out = vec![InpatientYear::default(); PATHS];
    let mut g = c.benchmark_group("default scenario, 16 paths x 13 years (per path-year)");
    g.throughput(Throughput::Elements((PATHS * years) as u64));
    g.bench_function("pay_year_lanes", |b| {
        b.iter(|| {
            for (t, d) in lanes.iter().enumerate() {
                for (k, dl) in d.iter().enumerate() {
                    let r = k * LANES..((k + 1) * LANES).min(PATHS);
                    model.pay_year_lanes(
                        t,
                        black_box(&ps[r.clone()]),
                        None,
                        black_box(dl),
                        &xs[r.clone()],
                        &mut out[r],
                    );
                }
            }
            black_box(&out);
        })
    });
    g.bench_function("pay_year_with, path by path", |b| {
        b.iter(|| {
            for (t, d) in ds.iter().enumerate() {
                for i in 0..PATHS {
                    out[i] = model.pay_year_with(t, black_box(ps[i]), black_box(&d[i]), &xs[i]);
                }
            }
            black_box(&out);
        })
    });
    g.finish();
}

/// Writes a provincial-scale table set (100 of the Qingyang groups, 3,337
/// hospitals, 40 groups each) and a scenario over it into `dir`.
fn provincial(out: &Path) -> PathBuf {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3337);
    let text = std::fs::read_to_string(dir_q().join("groups.csv")).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    let joined = lines.join("\n");
    let mut rdr = csv::Reader::from_reader(joined.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rdr
        .records()
        .map(|r| r.unwrap())
        .step_by(7)
        .take(100)
        .collect();
    let mut w = csv::Writer::from_path(out.join("groups.csv")).unwrap();
    w.write_record(&header).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
    let mut h = String::from("id,name,level,coefficient,cases,cmi_relative,cost_level,alliance\n");
    let mut v = String::from("hospital,group,cases\n");
    for i in 0..3337 {
        let level = match i {
            0..300 => "tertiary",
            300..1500 => "secondary",
            _ => "primary",
        };
        h.push_str(&format!(
            "H{i:05},hospital {i},{level},{:.3},{},{:.4},{:.4},\n",
            rng.random_range(0.8..1.2),
            rng.random_range(100..8000),
            rng.random_range(0.6..1.4),
            rng.random_range(0.7..1.5)
        ));
        for k in 0..40 {
            let g = (i * 7 + k * 13) % rows.len();
            v.push_str(&format!(
                "H{i:05},{},{}\n",
                &rows[g][0],
                rng.random_range(1..300)
            ));
        }
    }
    std::fs::write(out.join("hospitals.csv"), h).unwrap();
    std::fs::write(out.join("hospital_groups.csv"), v).unwrap();
    let scen = out.join("provincial.toml");
    std::fs::write(
        &scen,
        format!(
            "extends = {:?}\n[funds.region.payment]\ngroups = \"groups.csv\"\nhospitals = \"hospitals.csv\"\nhospital_groups = \"hospital_groups.csv\"\ndemand_level = \"tables\"\n",
            dir().join("qingyang-2025h1.toml").to_str().unwrap()
        ),
    )
    .unwrap();
    scen
}

fn dir_q() -> PathBuf {
    dir().join("data/qingyang")
}

fn bench_provincial(c: &mut Criterion) {
    use drgsim::payment::hospital_report;
    use drgsim::projection::{Model, project, settle};
    let tmp = tempfile::tempdir().unwrap();
    let scen = provincial(tmp.path());
    // the same tables under a second scenario file, as `hospitals --vs` reads them
    let vs = tmp.path().join("provincial-b.toml");
    std::fs::write(&vs, format!("extends = {:?}\n", scen.to_str().unwrap())).unwrap();
    let mut g = c.benchmark_group("provincial 3337 hospitals x 100 groups");
    g.sample_size(10);
    g.bench_function("load and compile the scenario", |b| {
        b.iter(|| black_box(Model::load(&scen, &[]).unwrap()))
    });
    let m = Model::load(&scen, &[]).unwrap();
    g.bench_function("project 13 years", |b| b.iter(|| black_box(project(&m))));
    let p = project(&m);
    let d = p.funds[0].demand[0];
    g.bench_function("hospitals_year (one year, every hospital)", |b| {
        b.iter(|| black_box(m.funds[0].payment.hospitals_year(0, m.values(), &d)))
    });
    // the compute of `drgsim hospitals` (no files): load, project, settle,
    // rank; and with `--vs` the second scenario too
    g.bench_function("hospitals compute (load, settle, report rows)", |b| {
        b.iter(|| {
            let s = settle(Model::load(&scen, &[]).unwrap(), None, None).unwrap();
            black_box(hospital_report(&s.results, None, 10))
        })
    });
    g.bench_function("hospitals --vs compute (both scenarios)", |b| {
        b.iter(|| {
            let s = settle(Model::load(&scen, &[]).unwrap(), None, None).unwrap();
            let o = settle(Model::load(&vs, &[]).unwrap(), None, Some(s.year)).unwrap();
            black_box(hospital_report(&s.results, Some(&o.results), 10))
        })
    });
    // the files of `drgsim hospitals` (CSV, Markdown, charts, workbook, HTML)
    let s = settle(Model::load(&scen, &[]).unwrap(), None, None).unwrap();
    let r = hospital_report(&s.results, None, 10);
    let out = tempfile::tempdir().unwrap();
    g.bench_function("hospitals report files (write only)", |b| {
        b.iter(|| {
            black_box(
                drgsim::report::write_hospitals(
                    out.path(),
                    &s,
                    None,
                    &r,
                    10,
                    drgsim::report::Style::ZH,
                )
                .unwrap(),
            )
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench_lanes, bench_payment, bench_provincial
}
criterion_main!(benches);
