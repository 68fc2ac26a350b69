//! Fuzzing that stays: generated scenario files and table files, plus the seed
//! corpus in `tests/corpus/`, go through the same verdict every command uses.
//! Each must be refused with a message or project to finite, reportable
//! figures: zero panics, zero hangs, zero `inf`/`NaN` in the output. Bounded:
//! a few dozen cases, a few seconds.

mod common;
use drgsim::projection::project;
use drgsim::report::check_projection;
use drgsim::report::write_projection_csv;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// The verdict on one scenario file, in a thread with a time limit (a hang
/// fails the test instead of stalling the suite).
fn verdict_within(file: &Path, sets: &[String]) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let shown = file.display().to_string();
    let (file, sets) = (file.to_path_buf(), sets.to_vec());
    std::thread::spawn(move || {
        // What `drgsim validate` checks: the scenario, then its analysis sections.
        let loaded = drgsim::projection::Model::load(&file, &sets)
            .map_err(|e| e.to_string())
            .and_then(|m| {
                drgsim::analysis::check_sections(&m)
                    .map(|()| m)
                    .map_err(|e| e.to_string())
            });
        let r = match loaded {
            Err(e) => {
                let msg = format!("{e:#}");
                assert!(!msg.trim().is_empty(), "{}: empty error", file.display());
                Err(msg)
            }
            Ok(model) => {
                let p = project(&model);
                // `drgsim validate` projects the scenario too and refuses one whose
                // figures overflow (e.g. a group weight of 1e308), naming fund, year
                // and column: a clear refusal, not a panic.
                if let Err(e) = check_projection(&p) {
                    let msg = e.to_string();
                    assert!(
                        msg.contains("year") && msg.contains("column"),
                        "{}: overflow refused without saying where: {msg}",
                        file.display()
                    );
                    let _ = tx.send(Err(msg));
                    return;
                }
                let dir = common::tmp();
                let csv = dir.path().join("projection.csv");
                write_projection_csv(&csv, &p).unwrap();
                let text = std::fs::read_to_string(&csv).unwrap();
                // empty cells stand for "not applicable" (a ratio with a zero
                // denominator, months payable with no spending at all): never NaN or inf
                let bad = text.lines().flat_map(|l| l.split(',')).find(|cell| {
                    let c = cell.trim().to_lowercase();
                    matches!(c.as_str(), "nan" | "inf" | "-inf" | "+inf")
                });
                assert!(
                    bad.is_none(),
                    "{}: {bad:?} in projection.csv",
                    file.display()
                );
                Ok(())
            }
        };
        let _ = tx.send(r);
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(r) => r,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{shown}: no verdict in 60 s"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{shown}: the verdict panicked"),
    }
}

fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn seed_corpus_is_refused_clearly_or_finite() {
    let files = corpus();
    assert!(files.len() >= 10, "the corpus is missing: {files:?}");
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let r = verdict_within(f, &[]);
        // the overflow cases must be refused, naming what overflowed
        if name.contains("1e308") && !name.starts_with("opening") {
            let e = r.as_ref().expect_err(&name);
            assert!(
                e.contains("fund resident, year") || e.contains("must"),
                "{name}: {e}"
            );
        }
        if name.starts_with("broken-") || name.starts_with("unknown-") || name.starts_with("bad-") {
            assert!(r.is_err(), "{name} must be refused");
        }
        if name == "baseline.toml" {
            assert!(r.is_ok(), "{name}: {r:?}");
        }
        // a base value dated far beyond the projection is refused by the parameter
        // registry, naming the `from` it must change
        if name == "premium-from-3000.toml" {
            let e = r.as_ref().expect_err(&name);
            assert!(
                e.contains("premium.from") && e.contains("3000"),
                "{name}: {e}"
            );
        }
    }
}

/// Keys a user edits, with the table they live in.
const KEYS: &[(&str, &str)] = &[
    ("funds.resident", "opening_balance_wan"),
    ("funds.resident", "interest_rate"),
    ("funds.resident", "other_income_wan"),
    ("funds.resident.members", "total"),
    ("funds.resident.premiums", "premium"),
    ("funds.resident.premiums", "subsidy"),
    ("funds.resident.spending", "other_wan"),
    ("funds.resident.spending", "admission_growth"),
    ("funds.resident.spending", "inpatient_reimbursement"),
    ("funds.resident.payment", "base_rate"),
    ("funds.resident.payment", "grouping_rate"),
    ("funds.resident.payment", "mode"),
    ("scenario", "horizon"),
    ("scenario", "base_year"),
    ("sensitivity", "outcome_year"),
    ("uncertainty", "paths"),
    ("uncertainty", "seed"),
];

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("1e308".to_string()),
        Just("-1e308".to_string()),
        Just("1e-308".to_string()),
        Just("inf".to_string()),
        Just("nan".to_string()),
        (-1e6f64..1e6).prop_map(|x| format!("{x:?}")),
        (-5i64..5000).prop_map(|x| x.to_string()),
        (0.0f64..1.0).prop_map(|x| format!("{x:?}")),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => number(),
        1 => (number(), number()).prop_map(|(b, g)| format!("{{ base = {b}, growth = {g} }}")),
        1 => (number(), number(), 1900i64..4000)
            .prop_map(|(b, g, f)| format!("{{ base = {b}, growth = {g}, from = {f} }}")),
        1 => (number(), number()).prop_map(|(a, b)| format!("{{ values = {{ 2023 = {a}, 2026 = {b} }} }}")),
        1 => "[a-z\"]{0,6}".prop_map(|s| format!("\"{}\"", s.replace('"', ""))),
        1 => Just("true".to_string()),
        1 => Just("[1, 2]".to_string()),
    ]
}

fn body() -> impl Strategy<Value = String> {
    prop::collection::vec((0..KEYS.len(), value()), 1..5).prop_map(|kv| {
        let mut s = String::new();
        for (k, v) in kv {
            let (table, key) = KEYS[k];
            s.push_str(&format!("[{table}]\n{key} = {v}\n"));
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generated_scenarios_are_refused_or_finite(body in body()) {
        let dir = common::tmp();
        // a duplicated table header is itself a TOML error: that is a fine verdict too
        let file = common::extending(dir.path(), "fuzz.toml", "chuxiong-2023.toml", &body);
        let _ = verdict_within(&file, &[]);
    }

    #[test]
    fn generated_group_tables_are_refused_or_finite(
        rows in prop::collection::vec((number(), number(), number(), "[A-Z]{1,3}[0-9]{0,2}"), 0..6)
    ) {
        let dir = common::tmp();
        let mut csv = String::from("code,name,mdc,weight,mean_cost,cost_cv,cases,excluded\n");
        for (w, c, n, code) in rows {
            csv.push_str(&format!("{code},g,MDCA,{w},{c},0.3,{n},0\n"));
        }
        std::fs::write(dir.path().join("groups.csv"), csv).unwrap();
        let file = common::extending(dir.path(), "fuzz.toml", "chuxiong-2023.toml", "[funds.resident.payment]\ngroups = \"groups.csv\"\n");
        let _ = verdict_within(&file, &[]);
    }
}

/// Months payable with no pooled spending at all is undefined: the file shows
/// an empty cell, never `inf` (issue: never a file with inf).
#[test]
fn undefined_ratios_are_empty_cells_never_inf() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/chuxiong-2023.toml");
    let model = drgsim::projection::Model::load(&file, &[]).unwrap();
    let mut p = project(&model);
    let row = &mut p.funds[0].rows[1];
    row.pooled_expenditure_wan = 0.0;
    row.months_payable = f64::INFINITY;
    row.active_retired_ratio = f64::INFINITY;
    row.retirees = 0.0;
    check_projection(&p).expect("both are allowed to be infinite in memory");
    let dir = common::tmp();
    let csv = dir.path().join("projection.csv");
    write_projection_csv(&csv, &p).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let cells: Vec<&str> = lines.nth(1).unwrap().split(',').collect();
    for col in ["months_payable", "active_retired_ratio"] {
        let i = header.iter().position(|h| *h == col).unwrap();
        assert_eq!(cells[i], "", "{col}");
    }
    assert!(!text.contains("inf"), "{text}");
}
