#![allow(dead_code)]
use drgsim::projection::{Model, Projection, project};
use std::path::{Path, PathBuf};

pub fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

pub fn run(name: &str) -> (Model, Projection) {
    let m = Model::load(&scenario(name), &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
    let p = project(&m);
    (m, p)
}

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

/// Runs the drgsim binary with `args` in `cwd`.
pub fn drgsim(args: &[&str], cwd: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_drgsim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run drgsim")
}

/// The process's standard error as text.
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
