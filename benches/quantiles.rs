//! Quantile summaries of Monte Carlo columns: inserting values into the
//! streaming sketch (`analysis::Sketch`, relative accuracy 1e-4) one by one
//! and a chunk at a time (`add_slice`, what the Monte Carlo does), and exact
//! type-7 quantiles by selection.
//!
//! Each bench declares its values as throughput, so criterion prints `thrpt`
//! in elements per second: ns per value is 1e9 / thrpt. The values are a
//! realistic months-payable column (0.5 to 40 months, one in ten overdrawn
//! down to -20) and a balance column crossing zero (-50,000 to 200,000 万元),
//! 100,000 each from a fixed logistic-map sequence.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use drgsim::analysis::{RELATIVE_ACCURACY, Sketch, quantiles_by_selection};
use std::hint::black_box;
use std::time::Duration;

const N: usize = 100_000;

fn columns() -> [(&'static str, Vec<f64>); 2] {
    let mut x = 0.123_456_789_f64;
    let mut next = move || {
        x = 3.999 * x * (1.0 - x);
        x
    };
    let months = (0..N)
        .map(|i| {
            let u = next();
            if i % 10 == 0 {
                -20.0 * u
            } else {
                0.5 + 39.5 * u
            }
        })
        .collect();
    let balance = (0..N).map(|_| -50_000.0 + 250_000.0 * next()).collect();
    [("months", months), ("balance", balance)]
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("quantiles");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    g.throughput(Throughput::Elements(N as u64));
    for (name, values) in columns() {
        g.bench_function(format!("sketch insert, {name} column"), |b| {
            b.iter(|| {
                let mut s = Sketch::new(RELATIVE_ACCURACY);
                for &v in &values {
                    s.add(v);
                }
                black_box(s.count())
            })
        });
        // the Monte Carlo's streaming path: the same sketch, a column of
        // 512 paths (one chunk) at a time
        g.bench_function(format!("sketch add_slice, {name} column"), |b| {
            b.iter(|| {
                let mut s = Sketch::new(RELATIVE_ACCURACY);
                for chunk in values.chunks(512) {
                    s.add_slice(chunk);
                }
                black_box(s.count())
            })
        });
        let probs = [0.05, 0.25, 0.5, 0.75, 0.95];
        let mut buf = values.clone();
        g.bench_function(
            format!("exact quantiles by selection, {name} column"),
            |b| {
                b.iter(|| {
                    buf.copy_from_slice(&values);
                    black_box(quantiles_by_selection(&mut buf, &probs)[2])
                })
            },
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
