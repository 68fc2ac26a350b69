//! `drgsim calibrate` on generated records: the two streaming passes over a CSV
//! file and over a Parquet file (snappy, row groups of 2^20 rows) of the same
//! 1 million records drawn from the bundled Qingyang tables (732 groups,
//! 170 hospitals). Set `DRGSIM_BENCH_RECORDS` for another size (e.g. 10000000).

use criterion::{Criterion, criterion_group, criterion_main};
use drgsim::calibrate::{Mapping, Options, calibrate};
use drgsim::calibrate::{synth::SynthOptions, synth::write_records, synth::write_records_parquet};
use drgsim::payment::{GroupTable, HospitalTable};
use std::path::Path;

fn bench(c: &mut Criterion) {
    let n: u64 = std::env::var("DRGSIM_BENCH_RECORDS")
        .ok()
        .and_then(|s| s.parse().ok())
        // `cargo test` runs each bench once as a smoke test: a small file then.
        .unwrap_or(if std::env::args().any(|a| a == "--bench") {
            1_000_000
        } else {
            10_000
        });
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/qingyang");
    let g = GroupTable::load(&d.join("groups.csv")).unwrap();
    let h = HospitalTable::load(&d.join("hospitals.csv")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("records.csv");
    let o = SynthOptions {
        records: n,
        ..Default::default()
    };
    write_records(
        &g,
        Some(&h),
        &o,
        std::io::BufWriter::new(std::fs::File::create(&file).unwrap()),
    )
    .unwrap();
    let pq = tmp.path().join("records.parquet");
    write_records_parquet(&g, Some(&h), &o, std::fs::File::create(&pq).unwrap()).unwrap();
    let mut grp = c.benchmark_group("calibrate");
    grp.sample_size(10);
    for (kind, f) in [("csv", file), ("parquet", pq)] {
        let files = vec![f];
        grp.bench_function(format!("{kind}_{n}_records"), |b| {
            b.iter(|| {
                calibrate(&files, &Mapping::default(), &Options::default(), None, None).unwrap()
            })
        });
    }
    grp.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
