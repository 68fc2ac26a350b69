//! Bit-for-bit regression: every bundled scenario's projection against a CSV
//! kept in `tests/fixtures/`, written with Rust's shortest round-trip float
//! format so equal text means equal bits.
//!
//! The fixtures record what the model computes, not published figures (those
//! are checked in `tests/calibration.rs`). A change that is meant to move
//! results regenerates them with one command, and the diff shows what moved:
//!
//! ```sh
//! DRGSIM_REGENERATE_FIXTURES=1 cargo test --test fixtures
//! ```

mod common;

use drgsim::fund::YearRow;
use drgsim::projection::{Model, project};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The file names of the bundled scenarios (`common::bundled`).
fn bundled() -> Vec<String> {
    common::bundled()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// The projection of `name` as CSV, every figure in shortest round-trip form.
fn projection_text(name: &str) -> String {
    let m = Model::load(&common::scenario(name), &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
    let p = project(&m);
    let mut s = String::from("fund,year");
    for c in YearRow::NUMERIC_COLUMNS {
        s.push(',');
        s.push_str(c);
    }
    s.push_str(",status\n");
    for f in &p.funds {
        for r in &f.rows {
            write!(s, "{},{}", f.id, r.year).unwrap();
            for x in r.numbers() {
                write!(s, ",{x:?}").unwrap();
            }
            writeln!(s, ",{}", r.status).unwrap();
        }
    }
    s
}

#[test]
fn every_bundled_scenario_matches_its_fixture_bit_for_bit() {
    let regenerate = std::env::var_os("DRGSIM_REGENERATE_FIXTURES").is_some();
    let names = bundled();
    assert!(names.len() >= 12, "bundled scenarios: {names:?}");
    let mut differ = Vec::new();
    for name in &names {
        let text = projection_text(name);
        let file = fixture_dir().join(name.replace(".toml", ".csv"));
        if regenerate {
            std::fs::create_dir_all(fixture_dir()).unwrap();
            std::fs::write(&file, &text).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&file).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; generate with DRGSIM_REGENERATE_FIXTURES=1 cargo test --test fixtures",
                file.display()
            )
        });
        if want != text {
            let line = want
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .map(|i| i + 1)
                .unwrap_or(0);
            differ.push(format!("{name} (first difference at line {line})"));
        }
    }
    assert!(
        differ.is_empty(),
        "projections differ from tests/fixtures/: {differ:?}. If the change is intended, \
         regenerate with DRGSIM_REGENERATE_FIXTURES=1 cargo test --test fixtures and review the diff"
    );
}
