//! One 13-year projection of the default scenario (Chuxiong 2023 baseline),
//! with its years as throughput (ns per path-year = 1e9 / thrpt), and the
//! scenario's load and compile.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use drgsim::projection::{Model, Projection, project_into};
use std::hint::black_box;
use std::path::Path;

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
    g.throughput(Throughput::Elements(1));
    g.bench_function("load + compile chuxiong-2023", |b| {
        b.iter(|| Model::load(black_box(&file), &[]).expect("loads"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
