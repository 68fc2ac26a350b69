//! Helpers shared by the integration tests: bundled scenario paths, scenario
//! files that extend a bundled one, the binary run expecting success or a
//! clear refusal, and CSV readers for the outputs. Each test file includes it
//! with `mod common;` and uses what it needs.
#![allow(dead_code)]

pub mod dip;

use drgsim::projection::{Model, Projection, project};
use std::path::{Path, PathBuf};
use std::process::Output;

/// A bundled scenario file (or data file) by its path under `scenarios/`.
pub fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// Every bundled scenario file a `run` takes (`scenarios/*.toml`, not the
/// clearing files `drgsim clear` reads), sorted.
pub fn bundled() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(scenario(""))
        .expect("scenarios/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| !drgsim::scenario::is_clearing_file(p))
        .collect();
    v.sort();
    assert!(v.len() >= 10, "bundled scenarios: {v:?}");
    v
}

/// Loads and projects a bundled scenario.
pub fn run(name: &str) -> (Model, Projection) {
    let m = Model::load(&scenario(name), &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
    let p = project(&m);
    (m, p)
}

/// Loads a bundled scenario with `--set` overrides and projects it.
pub fn run_with(name: &str, sets: &[&str]) -> Projection {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let m = Model::load(&scenario(name), &sets).unwrap_or_else(|e| panic!("{name}: {e}"));
    project(&m)
}

/// |actual / published - 1| <= tol
pub fn assert_close(what: &str, actual: f64, published: f64, tol: f64) {
    let rel = (actual / published - 1.0).abs();
    assert!(
        rel <= tol,
        "{what}: model {actual:.2} vs published {published:.2} ({:.2} % off)",
        rel * 100.0
    );
}

/// A fresh temporary folder, removed when dropped.
pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// Writes `dir/file`: a scenario that extends the bundled `base` with `body`.
pub fn extending(dir: &Path, file: &str, base: &str, body: &str) -> PathBuf {
    let p = dir.join(file);
    let base = scenario(base);
    std::fs::write(
        &p,
        format!("extends = {:?}\n{body}", base.to_str().unwrap()),
    )
    .unwrap();
    p
}

/// Runs the drgsim binary with `args` in `cwd`.
pub fn drgsim(args: &[&str], cwd: &Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_drgsim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run drgsim")
}

/// Runs drgsim, asserting success; returns the output.
pub fn ok(args: &[&str], cwd: &Path) -> Output {
    let o = drgsim(args, cwd);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    o
}

/// Runs drgsim, asserting a clear refusal: non-zero exit, no panic, and every
/// part of `expect` in the error. Returns the error text.
pub fn refused(args: &[&str], cwd: &Path, expect: &[&str]) -> String {
    let o = drgsim(args, cwd);
    let err = stderr(&o);
    assert!(!o.status.success(), "{args:?} should fail");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    for e in expect {
        assert!(err.contains(e), "{args:?}: expected {e:?} in:\n{err}");
    }
    err
}

/// The process's standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The process's standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A CSV file as its header and rows of raw fields (quoted fields unquoted).
pub fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// The index of column `name` in `header`.
pub fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("column {name} missing in {header:?}"))
}

/// The numbers in column `name` of a CSV file, row by row.
pub fn csv_column(path: &Path, name: &str) -> Vec<f64> {
    let (header, rows) = csv_rows(path);
    let i = col(&header, name);
    rows.iter()
        .map(|r| {
            r[i].parse::<f64>()
                .unwrap_or_else(|e| panic!("{name} `{}`: {e}", r[i]))
        })
        .collect()
}
