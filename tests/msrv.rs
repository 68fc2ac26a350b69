//! `rust-version` in Cargo.toml is what the locked dependencies need: the
//! highest `rust-version` any package in Cargo.lock declares (today nalgebra
//! 0.35 and statrs 0.19: 1.89). A lower value promises a toolchain that cannot
//! build the crate; a higher one turns away toolchains that can.

use std::process::Command;

fn version(v: &str) -> Vec<u32> {
    let mut p: Vec<u32> = v.split('.').map(|x| x.parse().unwrap()).collect();
    p.resize(3, 0);
    p
}

#[test]
fn rust_version_matches_the_locked_dependencies() {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = m["packages"].as_array().unwrap();
    let ours = packages
        .iter()
        .find(|p| p["name"] == "drgsim")
        .and_then(|p| p["rust_version"].as_str())
        .expect("drgsim declares rust-version");
    let (need, by) = packages
        .iter()
        .filter(|p| p["name"] != "drgsim")
        .filter_map(|p| Some((version(p["rust_version"].as_str()?), p["name"].to_string())))
        .max()
        .unwrap();
    assert_eq!(
        version(ours),
        need,
        "Cargo.toml says rust-version = {ours}; the locked dependencies need {need:?} ({by})"
    );
}
