//! The chunked year loop (`projection::project_many`, `LANES` paths a chunk, year
//! by year) against paths projected one at a time, on every bundled scenario:
//! with its `[uncertainty]` draws (kept off the years of record, as Monte
//! Carlo runs them) and with every built-in sensitivity lever (scale, shift,
//! base and growth levers) moved at random, bit for bit.
//!
//! The one-path reference the chunk is held to is the fixtures
//! (tests/fixtures.rs, written by the scalar loop before the chunked one and
//! unchanged since) and, for the cohort step, the scalar step kept in
//! `population::membership`'s tests.

use drgsim::analysis::{
    Buffers, Lever, LeverSet, Uncertainty, default_ranges, keep_observed, path_rng, project_levers,
    project_levers_many, project_levers_many_to,
};
use drgsim::fund::YearRow;
use drgsim::projection::{Model, PathDetail, Projection, RowSink};
use std::path::Path;

/// Every number of a projection, as text that differs when any bit differs
/// (`{:?}` of an `f64` round-trips; NaNs compare equal here, as they should).
fn fingerprint(p: &Projection) -> String {
    format!("{:?}", p.funds)
}

fn scenarios() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "bundled scenarios: {}", files.len());
    files
}

/// A two-series sink as Monte Carlo's: months payable and balance of each
/// (path, fund, year), as bits, and how many rows arrived.
struct TwoSeries {
    values: std::collections::BTreeMap<(usize, usize, usize), (u64, u64)>,
    rows: usize,
}

impl RowSink for TwoSeries {
    fn row(&mut self, i: usize, fi: usize, t: usize, r: &YearRow, _: &PathDetail<'_>) {
        self.rows += 1;
        let v = (r.months_payable.to_bits(), r.balance_wan.to_bits());
        assert!(
            self.values.insert((i, fi, t), v).is_none(),
            "row ({i}, {fi}, {t}) handed twice"
        );
    }
}

/// Projects `points` both ways and asserts they agree path by path, and
/// that a two-series sink gets the full projection's months and balance.
fn check(model: &Model, set: &LeverSet, points: &[Vec<f64>], what: &str) {
    let mut many: Vec<Buffers> = (0..points.len())
        .map(|_| Buffers::for_model(model))
        .collect();
    let xs: Vec<&[f64]> = points.iter().map(|p| p.as_slice()).collect();
    project_levers_many(model, set, &xs, &mut many).unwrap();
    let mut one = Buffers::for_model(model);
    let mut differ = 0;
    for (i, x) in points.iter().enumerate() {
        let single = fingerprint(project_levers(model, set, x, &mut one).unwrap());
        assert_eq!(
            single,
            fingerprint(&many[i].proj),
            "{what}: path {i} of {} differs between the chunk and a path alone",
            points.len()
        );
        if i > 0 && fingerprint(&many[i].proj) != fingerprint(&many[0].proj) {
            differ += 1;
        }
    }
    // the draws must actually move the paths apart, or the test checks nothing
    assert!(differ > 0, "{what}: every path is the same");
    let mut sink = TwoSeries {
        values: Default::default(),
        rows: 0,
    };
    let mut bufs: Vec<Buffers> = (0..points.len())
        .map(|_| Buffers::for_model(model))
        .collect();
    project_levers_many_to(model, set, &xs, &mut bufs, &mut sink).unwrap();
    let mut expected = 0;
    for (i, b) in many.iter().enumerate() {
        for (fi, f) in b.proj.funds.iter().enumerate() {
            for (t, r) in f.rows.iter().enumerate() {
                expected += 1;
                assert_eq!(
                    sink.values.get(&(i, fi, t)),
                    Some(&(r.months_payable.to_bits(), r.balance_wan.to_bits())),
                    "{what}: path {i} fund {fi} year {t}: the sink's months and balance differ from the full projection's"
                );
            }
        }
    }
    assert_eq!(sink.rows, expected, "{what}: one row a path, fund and year");
}

#[test]
fn chunked_year_loop_equals_paths_projected_alone_on_every_bundled_scenario() {
    // 37 paths: full chunks of `LANES` and a partial one
    const N: usize = 37;
    let mut with_draws = 0;
    let mut loaded = 0;
    for file in scenarios() {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        // overlays (a reform over a baseline) are not scenarios of their own
        let Ok(model) = Model::load(&file, &[]) else {
            continue;
        };
        loaded += 1;
        if let Ok(mut unc) = Uncertainty::of_model(&model)
            && !unc.levers.is_empty()
        {
            keep_observed(&model, &mut unc).unwrap();
            let set = LeverSet::new(unc.levers.clone());
            let points: Vec<Vec<f64>> = (0..N as u64)
                .map(|path| {
                    let mut x = vec![0.0; unc.sampler.dim()];
                    unc.sampler
                        .sample_into(&mut path_rng(7, path), &mut x)
                        .unwrap();
                    x
                })
                .collect();
            check(&model, &set, &points, &format!("{name} [uncertainty]"));
            with_draws += 1;
        }
        // every built-in lever of the scenario at once, each uniform on its range
        let ranges = default_ranges(&model);
        let levers: Vec<Lever> = ranges
            .iter()
            .map(|(p, _, _)| Lever::resolve(&model, p).unwrap())
            .collect();
        let set = LeverSet::new(levers);
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let points: Vec<Vec<f64>> = (0..N)
            .map(|_| {
                ranges
                    .iter()
                    .map(|(_, lo, hi)| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        lo + (hi - lo) * ((state >> 11) as f64 / (1u64 << 53) as f64)
                    })
                    .collect()
            })
            .collect();
        check(&model, &set, &points, &format!("{name} sensitivity levers"));
    }
    assert!(loaded >= 10, "scenarios loaded: {loaded}");
    assert!(with_draws >= 3, "scenarios with draws: {with_draws}");
}
