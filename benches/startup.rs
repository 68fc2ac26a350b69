//! Start-up of the default scenario at 732 groups (the bundled Chuxiong
//! table) and at 15,000 groups (a DIP-sized table spread from it,
//! `tests/common/dip.rs`): reading, checking and compiling the scenario, its
//! `[sensitivity]` ranges and `[uncertainty]` tails, and the baseline
//! projection.
//!
//! - `validate process`: `drgsim validate` as a fresh process, so every
//!   table is read cold (the target: under 100 ms at 15,000 groups).
//! - `group table parse`: parsing the group CSV alone.
//! - `load + checks, tables cached`: the same work in one process after a
//!   first run, i.e. what each repeated check costs once the tables are
//!   parsed and the group model is compiled.

use criterion::{Criterion, criterion_group, criterion_main};
use drgsim::payment::GroupTable;
use drgsim::projection::{Model, project};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

#[path = "../tests/common/dip.rs"]
mod dip;

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dip15k = dip::write_dip_scenario(&scenarios(), tmp.path(), 15_000, 20251203)
        .expect("DIP-sized tables");
    let cases: [(&str, PathBuf, PathBuf); 2] = [
        (
            "732 groups",
            scenarios().join("chuxiong-rules.toml"),
            scenarios().join("data/chuxiong/groups.csv"),
        ),
        ("15,000 groups", dip15k, tmp.path().join("groups.csv")),
    ];
    let mut g = c.benchmark_group("startup");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_millis(500));
    for (name, scenario, groups) in &cases {
        g.bench_function(format!("validate process, {name}"), |b| {
            b.iter(|| {
                let out = Command::new(env!("CARGO_BIN_EXE_drgsim"))
                    .arg("validate")
                    .arg(scenario)
                    .output()
                    .expect("drgsim runs");
                assert!(out.status.success(), "{out:?}");
                black_box(out.stdout.len())
            })
        });
        let text = std::fs::read_to_string(groups).expect("group table");
        g.bench_function(format!("group table parse, {name}"), |b| {
            b.iter(|| black_box(GroupTable::parse(groups, &text).expect("parses").len()))
        });
        g.bench_function(format!("load + checks, tables cached, {name}"), |b| {
            b.iter(|| {
                let m = Model::load(scenario, &[]).expect("loads");
                drgsim::analysis::check_sections(&m).expect("valid sections");
                black_box(project(&m).funds[0].rows[0].balance_wan)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
