//! The analyses on the default scenario (Chuxiong 2023, 13 projected years):
//! Monte Carlo at 2,000 (one web-page update), 10,000 and 100,000 paths, a
//! 21 x 21 two-way table, a full tornado, and the tail checks of the
//! `[uncertainty]` section (start-up).
//!
//! The Monte Carlo benches declare their path-years as throughput, so
//! criterion prints `thrpt` in elements per second: ns per path-year is
//! 1e9 / thrpt (CPU of all threads together; multiply by the cores for CPU
//! per path-year). The CPU per path-year of one 200,000-path run on 1 and 2
//! threads is printed besides (`/proc/self/stat`, 10 ms ticks), for this
//! scenario and for the command line's default (`chuxiong-rules.toml`).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use drgsim::analysis::Axis;
use drgsim::analysis::{self, OneWayEntry, Uncertainty};
use drgsim::analysis::{Lever, LeverSet};
use drgsim::projection::Model;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/chuxiong-2023.toml");
    let model = Model::load(&file, &[]).expect("default scenario loads");
    let unc = Uncertainty::of_model(&model).expect("[uncertainty]");
    let t = model.years.len() - 1;
    let mut g = c.benchmark_group("analysis");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    let years = model.years.len() as u64;
    // 200,000 paths: above `EXACT_PATHS`, the streaming sketch
    for n in [2_000u64, 10_000, 100_000, 200_000] {
        g.throughput(Throughput::Elements(n * years));
        g.bench_function(format!("monte carlo {n} paths x {years} years"), |b| {
            b.iter(|| {
                let mc = drgsim::analysis::monte_carlo(&model, &unc, n, 1, None, None).unwrap();
                black_box(mc.funds[0].months.quantiles[t][2])
            })
        });
    }
    // The figure: CPU (user + system, all threads) per path-year of
    // one run, from /proc/self/stat, printed beside criterion's wall-clock
    // throughput; for Chuxiong 2023 (no response, the benches above) and for
    // the command line's default scenario (the same region with its rules:
    // budget cleared every year, benefit trimming, fiscal backstop).
    let rules = Model::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/chuxiong-rules.toml"),
        &[],
    )
    .expect("default scenario loads");
    let rules_unc = Uncertainty::of_model(&rules).expect("[uncertainty]");
    for (name, m, u) in [
        ("chuxiong-2023", &model, &unc),
        ("chuxiong-rules", &rules, &rules_unc),
    ] {
        for (n, threads) in [(200_000u64, 1usize), (200_000, 2)] {
            if let Some(ns) = cpu_ns_per_path_year(
                || {
                    drgsim::analysis::monte_carlo(m, u, n, 1, Some(threads), None).unwrap();
                },
                n * years,
            ) {
                println!(
                    "monte carlo {name} {n} paths x {years} years, {threads} thread(s): {ns:.0} ns CPU per path-year"
                );
            }
        }
    }
    // Monte Carlo outside the year loop, per path: the correlated draw of
    // the six uncertain parameters (own ChaCha stream, Gaussian copula,
    // inverse CDFs) and the levers written into a copy of the model's values.
    {
        let set = LeverSet::new(unc.levers.clone());
        let mut xs = vec![0.0; unc.sampler.dim()];
        let mut values = model.values().clone();
        let paths = 10_000u64;
        g.throughput(Throughput::Elements(paths));
        g.bench_function("monte carlo draws: sample per path", |b| {
            b.iter(|| {
                for p in 0..paths {
                    let mut rng = analysis::path_rng(1, p);
                    unc.sampler.sample_into(&mut rng, &mut xs).unwrap();
                }
                black_box(xs[0])
            })
        });
        let base = set.base_values();
        g.bench_function("monte carlo draws: levers applied per path", |b| {
            b.iter(|| {
                for p in 0..paths {
                    for (x, b) in xs.iter_mut().zip(&base) {
                        *x = b + 1e-6 * p as f64;
                    }
                    set.apply(&model, &xs, &mut values);
                }
                black_box(&values);
            })
        });
    }
    g.throughput(Throughput::Elements(1));
    g.bench_function("uncertainty tail checks (6 distributions)", |b| {
        b.iter(|| black_box(Uncertainty::of_model(&model).unwrap().n_paths))
    });
    let x = Lever::resolve(&model, "funds.resident.payment.base_rate.scale").unwrap();
    let y = Lever::resolve(&model, "funds.resident.enrollment.decline").unwrap();
    g.bench_function("two-way table 21 x 21", |b| {
        b.iter(|| {
            let r = analysis::two_way(
                &model,
                (&x, Axis::new(0.9, 1.1, 21)),
                (&y, Axis::new(0.0, 0.04, 21)),
                t,
                None,
            )
            .unwrap();
            black_box(r.months[0][220])
        })
    });
    let mut ranges = analysis::default_ranges(&model);
    ranges.push(("funds.resident.enrollment.selectivity".into(), 0.0, 1.0));
    let entries: Vec<OneWayEntry> = ranges
        .iter()
        .map(|(p, low, high)| OneWayEntry {
            lever: Lever::resolve(&model, p).unwrap(),
            low: *low,
            high: *high,
            default: true,
        })
        .collect();
    g.bench_function(format!("tornado {} parameters", entries.len()), |b| {
        b.iter(|| black_box(analysis::one_way(&model, entries.clone(), t).unwrap().base[0].months))
    });
    // The cost of policy rules: Sanmen (two funds, 13 years) with the Taizhou premium
    // rule acting every year, and the default Chuxiong scenario (revenue-linked budget
    // cleared every year, benefit trimming, fiscal backstop), each against the same
    // file with the rules switched off (Chuxiong's stress view is chuxiong-2023).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for (region, file, label, sets) in [
        ("Sanmen", "sanmen-2020.toml", "rules on", vec![]),
        (
            "Sanmen",
            "sanmen-2020.toml",
            "rules off",
            vec!["scenario.policy_rules=false".to_string()],
        ),
        ("Chuxiong", "chuxiong-rules.toml", "rules on", vec![]),
        (
            "Chuxiong",
            "chuxiong-rules.toml",
            "rules off",
            vec!["scenario.policy_rules=false".to_string()],
        ),
    ] {
        let m = Model::load(&dir.join(file), &sets).expect("scenario loads");
        let u = Uncertainty::of_model(&m).expect("[uncertainty]");
        let t = m.years.len() - 1;
        g.bench_function(format!("monte carlo {region} 10,000 paths, {label}"), |b| {
            b.iter(|| {
                let mc = drgsim::analysis::monte_carlo(&m, &u, 10_000, 1, None, None).unwrap();
                black_box(mc.funds[0].months.quantiles[t][2])
            })
        });
    }
    g.finish();
}

/// CPU time of this process (user + system of all threads), nanoseconds:
/// fields 14 and 15 of `/proc/self/stat`, in clock ticks of 10 ms (Linux).
fn process_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // the fields after the command name, which is in parentheses
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks * 10_000_000)
}

/// CPU nanoseconds per path-year of `run` (`path_years` of them), or `None`
/// where `/proc` is missing.
fn cpu_ns_per_path_year(run: impl FnOnce(), path_years: u64) -> Option<f64> {
    let before = process_cpu_ns()?;
    run();
    let after = process_cpu_ns()?;
    Some((after - before) as f64 / path_years as f64)
}

criterion_group!(benches, bench);
criterion_main!(benches);
