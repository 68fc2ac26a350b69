//! Years of record beside the model (issue 8, "History, not one year"): every
//! scenario with a `history` section shows the fit in `history.csv` and in
//! `summary.md`, part-year flows annualised by the tool, never by hand.

mod common;
use common::{csv_rows, drgsim, stderr};

/// `drgsim run` of a bundled scenario into `out` (Chinese, the default).
fn run_out(file: &str, dir: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>, String) {
    let scen = common::scenario(file);
    let o = drgsim(&["run", scen.to_str().unwrap(), "--out", "out"], dir);
    assert!(o.status.success(), "{file}: {}", stderr(&o));
    let (h, rows) = csv_rows(&dir.join("out/history.csv"));
    let md = std::fs::read_to_string(dir.join("out/summary.md")).unwrap();
    std::fs::remove_dir_all(dir.join("out")).unwrap();
    (h, rows, md)
}

#[test]
fn history_fit_is_shown_for_every_region_with_years_of_record() {
    let tmp = common::tmp();
    for (file, years) in [
        ("chuxiong-2023.toml", &[2022, 2023][..]),
        ("jingzhou-2023.toml", &[2022, 2023][..]),
        ("sanmen-2020.toml", &[2019, 2020, 2021][..]),
        ("fengdu-2023.toml", &[2023][..]),
    ] {
        let (h, rows, md) = run_out(file, tmp.path());
        let col = |n: &str| common::col(&h, n);
        let (year, model) = (col("year"), col("model"));
        for y in years {
            assert!(
                rows.iter().any(|r| r[year] == y.to_string()),
                "{file}: no published figure for {y} in history.csv"
            );
        }
        // the base year and after are compared with the model; years before are context
        let base = years
            .iter()
            .copied()
            .filter(|y| {
                rows.iter()
                    .any(|r| r[year] == y.to_string() && !r[model].is_empty())
            })
            .count();
        assert!(base >= 1, "{file}: no year compared with the model");
        assert!(
            md.contains("## 观测值与模型值"),
            "{file}: no history section"
        );
        for y in years {
            assert!(
                md.contains(&format!("| {y} |")),
                "{file}: {y} not in the summary's history table"
            );
        }
    }
}

/// Fengdu publishes January-November: the tool annualises x 12 / 11 and
/// compares that with the model's full year (within 1 %), and says so.
#[test]
fn part_year_base_period_is_annualised_by_the_tool() {
    let tmp = common::tmp();
    let (h, rows, md) = run_out("fengdu-2023.toml", tmp.path());
    let col = |n: &str| common::col(&h, n);
    let care: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[col("column")] == "care_wan")
        .collect();
    assert_eq!(care.len(), 2, "resident and employee care_wan");
    for r in care {
        let published = if r[col("fund")] == "resident" {
            38_503.49
        } else {
            11_148.91
        };
        let f = |c: &str| r[col(c)].parse::<f64>().unwrap();
        assert_eq!(f("months"), 11.0);
        assert!((f("published") - published).abs() < 0.01, "{r:?}");
        assert!(
            (f("annualised") - published * 12.0 / 11.0).abs() < 0.01,
            "{r:?}"
        );
        assert!((f("model") / f("annualised") - 1.0).abs() < 0.01, "{r:?}");
    }
    assert!(
        md.contains("（11个月）"),
        "the summary says the figure covers 11 months"
    );
}
