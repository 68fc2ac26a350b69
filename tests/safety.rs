//! The hard edges a newcomer hits: output folders that hold the user's files,
//! interrupted runs, values too large to draw or to write.

mod common;
use common::{drgsim, stderr};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Hidden staging folders (`.NAME.tmp-*`) in `dir`.
fn staging_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n.contains(".tmp-"))
        .collect()
}

/// A folder holding a user's workbook and notes, as in the issue.
fn users_folder(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    // bytes that are not text, so a rewrite through a string would show
    let xlsx: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    std::fs::write(dir.join("2024-budget.xlsx"), xlsx).unwrap();
    std::fs::write(dir.join("sub/notes.txt"), "预算说明\n").unwrap();
    snapshot(dir)
}

fn scen() -> String {
    common::scenario("chuxiong-2023.toml")
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn users_files_in_the_output_folder_survive_byte_for_byte() {
    let tmp = common::tmp();
    let dir = tmp.path().join("mybudget");
    let before = users_folder(&dir);
    let o = drgsim(&["run", &scen(), "--out", "mybudget"], tmp.path());
    let err = stderr(&o);
    assert!(!o.status.success(), "must refuse a folder of the user's");
    assert!(
        err.contains("mybudget") && err.contains("2024-budget.xlsx") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(snapshot(&dir), before);
    assert!(staging_in(tmp.path()).is_empty());

    // --force adds drgsim's files and deletes nothing
    let o = drgsim(
        &["run", &scen(), "--out", "mybudget", "--force"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let after = snapshot(&dir);
    for (k, v) in &before {
        assert_eq!(after.get(k), Some(v), "{} changed", k.display());
    }
    assert!(after.contains_key(Path::new("projection.csv")));
    assert!(after.contains_key(Path::new(".drgsim-manifest.json")));

    // now a drgsim folder: a re-run is accepted without --force and keeps the user's files
    let o = drgsim(
        &[
            "run",
            &scen(),
            "--out",
            "mybudget",
            "--set",
            "scenario.horizon=2030",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let again = snapshot(&dir);
    for (k, v) in &before {
        assert_eq!(again.get(k), Some(v), "{} changed", k.display());
    }
    assert!(staging_in(tmp.path()).is_empty());
}

#[test]
fn rerun_into_own_output_replaces_only_its_files() {
    let tmp = common::tmp();
    let o = drgsim(&["run", &scen(), "--out", "o"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(tmp.path().join("o/my-comments.md"), "keep me").unwrap();
    let o = drgsim(&["run", &scen(), "--out", "o"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("o/my-comments.md")).unwrap(),
        "keep me"
    );
    // a different command into the same folder replaces run's files with its own
    let o = drgsim(&["compare", &scen(), &scen(), "--out", "o"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!tmp.path().join("o/projection.csv").exists());
    assert!(tmp.path().join("o/compare.csv").is_file());
    assert!(tmp.path().join("o/my-comments.md").is_file());
}

#[test]
fn scenario_folder_and_working_directory_are_never_written_into() {
    let tmp = common::tmp();
    let myscen = tmp.path().join("myscen");
    std::fs::create_dir_all(myscen.join("data")).unwrap();
    std::fs::write(myscen.join("data/groups.csv"), "code,weight\nA,1.0\n").unwrap();
    std::fs::write(
        myscen.join("chuxiong-2023.toml"),
        format!("extends = {:?}\n", scen()),
    )
    .unwrap();
    let before = snapshot(tmp.path());
    let file = "myscen/chuxiong-2023.toml";
    for force in [false, true] {
        let mut args = vec!["run", file, "--out", "myscen"];
        if force {
            args.push("--force");
        }
        let o = drgsim(&args, tmp.path());
        assert!(!o.status.success());
        assert!(stderr(&o).contains("holds the input"), "{}", stderr(&o));
        let cwd = tmp.path().to_str().unwrap().to_string();
        for out in [".", cwd.as_str()] {
            let mut args = vec!["run", file, "--out", out];
            if force {
                args.push("--force");
            }
            let o = drgsim(&args, tmp.path());
            assert!(!o.status.success(), "--out {out} must be refused");
            assert!(stderr(&o).contains("working directory"), "{}", stderr(&o));
        }
    }
    assert_eq!(snapshot(tmp.path()), before);
}

/// Starts `drgsim run` with a slow commit and waits until its staging folder exists.
fn start_slow_run(cwd: &Path, out: &str) -> std::process::Child {
    let child = Command::new(env!("CARGO_BIN_EXE_drgsim"))
        .args(["run", &scen(), "--out", out])
        .current_dir(cwd)
        .env("DRGSIM_TEST_SLOW_COMMIT_MS", "30000")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while staging_in(cwd).is_empty() {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "no staging folder appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // the staging folder exists; give the writers a moment to put files in it
    std::thread::sleep(Duration::from_millis(300));
    child
}

fn kill(child: &std::process::Child, signal: &str) {
    let st = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
}

#[test]
fn interrupt_during_a_slow_write_leaves_no_staging_folder() {
    let tmp = common::tmp();
    // a previous output that must come through unchanged
    let o = drgsim(
        &[
            "run",
            &scen(),
            "--out",
            "o",
            "--set",
            "scenario.horizon=2030",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let before = snapshot(&tmp.path().join("o"));
    for signal in ["-INT", "-TERM"] {
        let child = start_slow_run(tmp.path(), "o");
        kill(&child, signal);
        let t0 = Instant::now();
        let out = child.wait_with_output().unwrap();
        assert!(t0.elapsed() < Duration::from_secs(20), "did not stop");
        assert!(!out.status.success(), "{signal}: must exit non-zero");
        assert!(
            staging_in(tmp.path()).is_empty(),
            "{signal}: staging left: {:?}",
            staging_in(tmp.path())
        );
        assert_eq!(snapshot(&tmp.path().join("o")), before, "{signal}");
    }
    // a new folder interrupted: nothing at all
    let child = start_slow_run(tmp.path(), "fresh");
    kill(&child, "-INT");
    child.wait_with_output().unwrap();
    assert!(!tmp.path().join("fresh").exists());
    assert!(staging_in(tmp.path()).is_empty());
}

#[test]
fn staging_folder_of_a_killed_run_is_cleaned_by_the_next_run() {
    let tmp = common::tmp();
    let child = start_slow_run(tmp.path(), "o");
    kill(&child, "-KILL");
    child.wait_with_output().unwrap();
    let stale = staging_in(tmp.path());
    assert_eq!(stale.len(), 1, "SIGKILL cannot be caught: {stale:?}");
    let o = drgsim(&["run", &scen(), "--out", "o"], tmp.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains(&stale[0]), "{}", stderr(&o));
    assert!(staging_in(tmp.path()).is_empty());
    assert!(tmp.path().join("o/projection.csv").is_file());
}

/// Runs drgsim with a time bound: a hang is a test failure, not a stuck suite.
fn drgsim_within(args: &[&str], cwd: &Path, limit: Duration) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_drgsim"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if t0.elapsed() > limit {
            let _ = child.kill();
            panic!("drgsim {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn overflowing_values_are_an_error_naming_fund_year_column_never_inf_or_a_hang() {
    let tmp = common::tmp();
    for set in [
        // the hang in the stacked-bar chart
        "funds.resident.spending.other_wan={ base = 1e308, growth = 0.03 }",
        "funds.resident.spending.other_wan=1e308",
        "funds.resident.premiums.premium={ values = { 2023 = 380, 2025 = 1e308 } }",
    ] {
        let o = drgsim_within(
            &["run", &scen(), "--out", "o", "--set", set],
            tmp.path(),
            Duration::from_secs(60),
        );
        let err = stderr(&o);
        assert!(!o.status.success(), "{set}: must fail");
        // Refused where it is first seen: the parameter registry's range names the
        // input; a value inside every range that still overflows is caught after
        // projection, naming fund, year and column.
        let clear = |e: &str| {
            (e.contains("fund resident, year ") && e.contains("column "))
                || (e.contains(set.split('=').next().unwrap()) && e.contains("must be between"))
        };
        assert!(clear(&err), "{set}: {err}");
        assert!(!tmp.path().join("o").exists(), "{set}: nothing written");
        assert!(staging_in(tmp.path()).is_empty());
        // one verdict: validate refuses it too, with the same message
        let v = drgsim(&["validate", &scen(), "--set", set], tmp.path());
        assert!(!v.status.success(), "{set}: validate must agree");
        assert!(clear(&stderr(&v)), "{}", stderr(&v));
    }
}

#[test]
fn broken_analysis_section_is_refused_by_validate_and_run_alike() {
    let tmp = common::tmp();
    for (name, body) in [
        (
            "sens.toml",
            "[sensitivity.ranges]\n\"funds.resident.no_such_param\" = { low = 0.9, high = 1.1 }\n",
        ),
        (
            "unc.toml",
            "[uncertainty.params.\"funds.resident.spending.inpatient_cost_growth.shift\"]\nsd = -1.0\n",
        ),
    ] {
        let file = tmp.path().join(name);
        std::fs::write(&file, format!("extends = {:?}\n{body}", scen())).unwrap();
        let f = file.to_str().unwrap();
        let v = drgsim(&["validate", f], tmp.path());
        let r = drgsim(&["run", f, "--out", "o"], tmp.path());
        assert!(!v.status.success(), "{name}: validate must refuse");
        assert!(!r.status.success(), "{name}: run must refuse like validate");
        assert!(stderr(&r).contains("analysis sections"), "{}", stderr(&r));
        assert!(!tmp.path().join("o").exists());
    }
}

#[test]
fn arguments_negative_where_meaningful_plain_refusal_elsewhere() {
    let tmp = common::tmp();
    let s = scen();
    // negative ranges parse (whatever the solver then finds)
    let o = drgsim(
        &[
            "solve",
            &s,
            "--param",
            "funds.resident.spending.inpatient_cost_growth.shift",
            "--target-months",
            "3",
            "--range",
            "-0.05:0.05",
            "--out",
            "solve",
        ],
        tmp.path(),
    );
    assert!(
        !stderr(&o).contains("unexpected argument"),
        "{}",
        stderr(&o)
    );
    let o = drgsim(
        &[
            "run",
            &s,
            "--set",
            "funds.resident.spending.admission_growth=-0.01",
            "--out",
            "neg",
        ],
        tmp.path(),
    );
    assert!(
        !stderr(&o).contains("unexpected argument"),
        "{}",
        stderr(&o)
    );
    for (args, expect) in [
        (
            vec!["montecarlo", s.as_str(), "--paths", "-5"],
            "must be a whole number, at least 1",
        ),
        (
            vec![
                "solve",
                s.as_str(),
                "--param",
                "funds.resident.premiums.premium.scale",
                "--target-months",
                "-5",
            ],
            "cannot be negative",
        ),
        (
            vec![
                "run",
                s.as_str(),
                "--set",
                "funds.resident.premiums.premium=1e999",
            ],
            "not a finite number",
        ),
        (
            vec!["run", s.as_str(), "--set", "funds.nosuchfund.x=1"],
            "no fund `nosuchfund`; its funds are: resident",
        ),
    ] {
        let o = drgsim(&args, tmp.path());
        assert!(!o.status.success(), "{args:?}");
        assert!(stderr(&o).contains(expect), "{args:?}: {}", stderr(&o));
        assert!(
            !stderr(&o).contains("unexpected argument"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn monte_carlo_beyond_the_path_limit_is_refused_up_front() {
    let tmp = common::tmp();
    let o = drgsim_within(
        &[
            "montecarlo",
            &scen(),
            "--paths",
            "1000000000000000",
            "--out",
            "mc",
        ],
        tmp.path(),
        Duration::from_secs(60),
    );
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(err.contains("use at most 1000000000 paths"), "{err}");
    assert!(!tmp.path().join("mc").exists());
    assert!(staging_in(tmp.path()).is_empty());
}

#[test]
fn suspicious_inputs_warn_and_absurd_ones_are_refused_in_validate_and_run() {
    let tmp = common::tmp();
    let file = tmp.path().join("empty-range.toml");
    std::fs::write(
        &file,
        format!(
            "extends = {:?}\n[sensitivity.ranges]\n\"funds.resident.interest_rate\" = {{ low = 0.01, high = 0.01 }}\n",
            scen()
        ),
    )
    .unwrap();
    let o = drgsim(&["validate", file.to_str().unwrap()], tmp.path());
    assert!(
        o.status.success(),
        "a warning is not an error: {}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("is empty"), "{}", stderr(&o));
    let set = "funds.resident.premiums.premium={ base = 380, growth = 0.02, from = 3000 }";
    for cmd in ["validate", "run"] {
        let o = drgsim(
            &[cmd, &scen(), "--set", set, "--out", "o"][..if cmd == "run" { 6 } else { 4 }],
            tmp.path(),
        );
        let err = stderr(&o);
        // A base dated far beyond the projection is refused by the parameter
        // registry (both commands alike), naming the `from` to change.
        assert!(!o.status.success(), "{cmd} must refuse it: {err}");
        assert!(
            err.contains("premium.from") && err.contains("from = 3000"),
            "{cmd}: {err}"
        );
    }
}

#[test]
fn solve_over_an_overflowing_range_is_refused() {
    let tmp = common::tmp();
    let o = drgsim_within(
        &[
            "solve",
            &scen(),
            "--param",
            "funds.resident.premiums.subsidy.scale",
            "--target-months",
            "6",
            "--range",
            "0:1e308",
            "--out",
            "s",
        ],
        tmp.path(),
        Duration::from_secs(120),
    );
    let err = stderr(&o);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("an end of the search range") && err.contains("1e308"),
        "{err}"
    );
    assert!(!tmp.path().join("s").exists());
}
