//! One 13-year projection of the default scenario (Chuxiong 2023 baseline),
//! with its years as throughput (ns per path-year = 1e9 / thrpt); a chunk of
//! `LANES` paths through the same year loop into a Monte Carlo-like sink
//! (months payable and balance only), path-years as throughput; and the
//! scenario's load and compile.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use drgsim::fund::YearRow;
use drgsim::population::LANES;
use drgsim::projection::{Model, PathDetail, Projection, RowSink, project_into, project_many_to};
use std::hint::black_box;
use std::path::Path;

/// Months payable and balance of each (path, fund, year), as Monte Carlo keeps them.
struct TwoSeries {
    ny: usize,
    values: Vec<f64>,
}

impl RowSink for TwoSeries {
    #[inline]
    fn row(&mut self, i: usize, fi: usize, t: usize, r: &YearRow, _: &PathDetail<'_>) {
        let at = ((i * 8 + fi) * self.ny + t) * 2;
        self.values[at] = r.months_payable;
        self.values[at + 1] = r.balance_wan;
    }
}

fn bench(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/chuxiong-2023.toml");
    let model = Model::load(&file, &[]).expect("default scenario loads");
    let mut out = Projection::for_model(&model);
    let mut g = c.benchmark_group("projection");
    g.throughput(Throughput::Elements(model.years.len() as u64));
    g.bench_function("project chuxiong-2023 (13 years, buffers reused)", |b| {
        b.iter(|| {
            project_into(black_box(&model), black_box(model.values()), &mut out);
            black_box(out.funds[0].rows[12].months_payable)
        })
    });
    let ny = model.years.len();
    assert!(model.funds.len() <= 8);
    let ps = vec![model.values(); LANES];
    let mut sink = TwoSeries {
        ny,
        values: vec![0.0; LANES * 8 * ny * 2],
    };
    g.throughput(Throughput::Elements((LANES * ny) as u64));
    g.bench_function(
        "chunk of LANES paths, two-series sink (throughput = path-years)",
        |b| {
            b.iter(|| {
                project_many_to(black_box(&model), black_box(&ps), &mut sink);
                black_box(sink.values[2 * ny - 1])
            })
        },
    );
    g.throughput(Throughput::Elements(1));
    g.bench_function("load + compile chuxiong-2023", |b| {
        b.iter(|| Model::load(black_box(&file), &[]).expect("loads"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
