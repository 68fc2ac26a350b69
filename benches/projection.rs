//! One 12-year projection of the default scenario (Chuxiong 2023 baseline).

use criterion::{Criterion, criterion_group, criterion_main};
use drgsim::projection::{Model, Projection, project_into};
use std::hint::black_box;
use std::path::Path;

fn bench(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/chuxiong-2023.toml");
    let model = Model::load(&file, &[]).expect("default scenario loads");
    let mut out = Projection::for_model(&model);
    c.bench_function("project chuxiong-2023 (13 years, buffers reused)", |b| {
        b.iter(|| {
            project_into(black_box(&model), black_box(model.values()), &mut out);
            black_box(out.funds[0].rows[12].months_payable)
        })
    });
    c.bench_function("load + compile chuxiong-2023", |b| {
        b.iter(|| Model::load(black_box(&file), &[]).expect("loads"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
