//! Chart tests: sizes, titles, edge cases, errors.

use super::heatmap::{cell_edges, contour_segments};
use super::*;
use std::fs;

const PNG_SIG: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Check both files exist, the PNG has the signature and the chart size in
/// its IHDR, and the SVG is an SVG containing `title`.
fn check_outputs(stem: &Path, title: &str) {
    let png = fs::read(with_suffix(stem, ".png")).expect("png exists");
    assert!(png.starts_with(PNG_SIG), "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    assert_eq!((w, h), CHART_SIZE);
    let svg = fs::read_to_string(with_suffix(stem, ".svg")).expect("svg exists");
    assert!(svg.contains("<svg"), "not an SVG");
    assert!(svg.contains(title), "SVG lacks title {title:?}");
    // Nothing but the two charts in the directory (no temp files).
    let parent = stem.parent().expect("parent");
    let stemname = stem
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    for e in fs::read_dir(parent).expect("read_dir") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        if name.starts_with(&stemname) || name.starts_with(&format!(".{stemname}")) {
            assert!(
                name == format!("{stemname}.png") || name == format!("{stemname}.svg"),
                "unexpected file {name}"
            );
        }
    }
}

fn months_chart() -> LineChart {
    LineChart {
        title: "Months payable".into(),
        x_label: "Year".into(),
        y_label: "Months of expenditure".into(),
        series: vec![
            Series {
                label: "Baseline".into(),
                points: (2024..=2040)
                    .map(|y| (y, 14.0 - (y - 2024) as f64 * 1.3))
                    .collect(),
            },
            Series {
                label: "Reform".into(),
                points: (2024..=2040)
                    .map(|y| {
                        (
                            y,
                            if y == 2030 {
                                f64::NAN
                            } else {
                                14.0 - (y - 2024) as f64 * 0.5
                            },
                        )
                    })
                    .collect(),
            },
            Series {
                label: "Empty".into(),
                points: vec![],
            },
        ],
        bands: vec![
            HBand {
                lo: 3.0,
                hi: 6.0,
                label: "warning (3-6 months)".into(),
                color: RGBColor(255, 191, 0),
            },
            HBand {
                lo: f64::NEG_INFINITY,
                hi: 3.0,
                label: "danger (below 3 months)".into(),
                color: RGBColor(220, 30, 30),
            },
        ],
        hlines: vec![(6.0, "6 months".into())],
        ..LineChart::default()
    }
}

#[test]
fn line_chart_with_negative_months() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stem = dir.path().join("months");
    line_chart(&stem, &months_chart()).expect("draw");
    check_outputs(&stem, "Months payable");
}

#[test]
fn line_chart_single_year_and_inf() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stem = dir.path().join("one");
    let c = LineChart {
        title: "Single year".into(),
        x_label: "Year".into(),
        y_label: "Balance".into(),
        series: vec![Series {
            label: "only".into(),
            points: vec![(2025, -5.0), (2025, f64::INFINITY)],
        }],
        bands: vec![],
        hlines: vec![],
        ..LineChart::default()
    };
    line_chart(&stem, &c).expect("draw");
    check_outputs(&stem, "Single year");
}

#[test]
fn line_chart_without_data_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stem = dir.path().join("none");
    let mut c = months_chart();
    c.series = vec![Series {
        label: "nan".into(),
        points: vec![(2025, f64::NAN)],
    }];
    let e = line_chart(&stem, &c).expect_err("no data");
    assert!(matches!(e, ReportError::InvalidChart { .. }), "{e}");
    assert!(!with_suffix(&stem, ".png").exists());
}

#[test]
fn many_scenarios_get_distinct_colours() {
    let colors: Vec<RGBColor> = (0..15).map(series_color).collect();
    for i in 0..colors.len() {
        for j in 0..i {
            assert_ne!(colors[i], colors[j], "series {i} and {j} share a colour");
        }
    }
}

fn stacked_bars() -> StackedBars {
    let years: Vec<i32> = (2024..=2035).collect();
    let n = years.len();
    let v = |base: f64, g: f64| {
        (0..n)
            .map(|i| base * (1.0 + g).powi(i as i32))
            .collect::<Vec<_>>()
    };
    StackedBars {
        x_label: String::new(),
        title: "Revenue and expenditure".into(),
        y_label: "100 million yuan".into(),
        years,
        left: vec![
            ("premiums".into(), v(900.0, 0.02)),
            ("subsidies".into(), v(300.0, 0.03)),
            ("interest".into(), v(40.0, 0.0)),
            ("other".into(), v(10.0, 0.0)),
        ],
        right: vec![
            ("inpatient".into(), v(700.0, 0.06)),
            ("outpatient".into(), v(400.0, 0.05)),
            ("major illness".into(), v(80.0, 0.04)),
            ("other".into(), v(20.0, 0.0)),
        ],
        left_name: "Revenue".into(),
        right_name: "Expenditure".into(),
    }
}

#[test]
fn paired_stacked_bars_renders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stem = dir.path().join("flows");
    paired_stacked_bars(&stem, &stacked_bars()).expect("draw");
    check_outputs(&stem, "Revenue and expenditure");
}

#[test]
fn paired_stacked_bars_mismatch_is_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = stacked_bars();
    c.right[1].1.pop();
    let e = paired_stacked_bars(&dir.path().join("bad"), &c).expect_err("mismatch");
    assert!(e.to_string().contains("outpatient"), "{e}");
}

fn age_bands() -> StackedArea {
    let years: Vec<i32> = (2024..=2060).collect();
    let names: Vec<String> = (0..18)
        .map(|b| {
            if b == 17 {
                "85+".to_string()
            } else {
                format!("{}-{}", b * 5, b * 5 + 4)
            }
        })
        .collect();
    StackedArea {
        x_label: String::new(),
        title: "Members by age band".into(),
        y_label: "Members (10,000)".into(),
        layers: names
            .into_iter()
            .enumerate()
            .map(|(b, name)| {
                let vals = years
                    .iter()
                    .map(|y| {
                        100.0
                            + (b as f64) * 3.0 * (1.0 + (y - 2024) as f64 * 0.01 * (b as f64 - 8.0))
                    })
                    .collect();
                (name, vals)
            })
            .collect(),
        years,
    }
}

#[test]
fn stacked_area_renders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stem = dir.path().join("members");
    stacked_area(&stem, &age_bands()).expect("draw");
    check_outputs(&stem, "Members by age band");
    let svg = fs::read_to_string(with_suffix(&stem, ".svg")).expect("svg");
    assert!(svg.contains("85+") && svg.contains("0-4"), "legend missing");
}

#[test]
fn stacked_area_single_year_and_mismatch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = StackedArea {
        x_label: String::new(),
        title: "One year".into(),
        y_label: "Members".into(),
        years: vec![2025],
        layers: vec![("a".into(), vec![1.0]), ("b".into(), vec![f64::NAN])],
    };
    stacked_area(&dir.path().join("one"), &c).expect("draw");
    let mut bad = c.clone();
    bad.layers[0].1.push(2.0);
    assert!(stacked_area(&dir.path().join("bad"), &bad).is_err());
}

fn fan() -> Fan {
    let years: Vec<i32> = (2024..=2045).collect();
    let med: Vec<f64> = years
        .iter()
        .map(|y| 12.0 - (y - 2024) as f64 * 0.8)
        .collect();
    let off = |k: f64| -> Vec<f64> {
        med.iter()
            .enumerate()
            .map(|(i, m)| m + k * (0.3 + i as f64 * 0.25))
            .collect()
    };
    Fan {
        x_label: String::new(),
        legend: vec![],
        title: "Months payable, Monte Carlo".into(),
        y_label: "Months".into(),
        p05: off(-2.0),
        p25: off(-0.7),
        p50: med.clone(),
        p75: off(0.7),
        p95: off(2.0),
        years,
        bands: months_chart().bands,
    }
}

#[test]
fn fan_chart_renders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stem = dir.path().join("fan");
    fan_chart(&stem, &fan()).expect("draw");
    check_outputs(&stem, "Months payable, Monte Carlo");
}

#[test]
fn fan_chart_mismatch_is_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = fan();
    c.p75.pop();
    let e = fan_chart(&dir.path().join("fan"), &c).expect_err("mismatch");
    assert!(e.to_string().contains("p75"), "{e}");
}

fn tornado_data() -> Tornado {
    Tornado {
        legend: vec![],
        title: "Sensitivity of depletion year".into(),
        x_label: "Depletion year".into(),
        base_outcome: 2034.0,
        rows: vec![
            TornadoRow {
                label: "Medical cost growth".into(),
                low_outcome: 2041.0,
                high_outcome: 2029.0,
                low_setting: "4%".into(),
                high_setting: "8%".into(),
            },
            TornadoRow {
                label: "Contribution rate".into(),
                low_outcome: 2031.0,
                high_outcome: 2038.0,
                low_setting: "7.5%".into(),
                high_setting: "9.5%".into(),
            },
            TornadoRow {
                label: "Fertility".into(),
                low_outcome: 2033.0,
                high_outcome: 2034.5,
                low_setting: "1.0".into(),
                high_setting: "1.4".into(),
            },
        ],
    }
}

#[test]
fn tornado_renders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stem = dir.path().join("tornado");
    tornado(&stem, &tornado_data()).expect("draw");
    check_outputs(&stem, "Sensitivity of depletion year");
    let svg = fs::read_to_string(with_suffix(&stem, ".svg")).expect("svg");
    assert!(svg.contains("Medical cost growth") && svg.contains("9.5%"));
}

#[test]
fn tornado_label_of_the_narrower_bar_on_one_side_stays_readable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stem = dir.path().join("tornado");
    let mut c = tornado_data();
    // Both settings right of the base, far apart: the narrower bar's label
    // goes inside the wider bar, in white.
    c.rows.push(TornadoRow {
        label: "Admissions".into(),
        low_outcome: 2040.0,
        high_outcome: 2036.0,
        low_setting: "lowA".into(),
        high_setting: "highA".into(),
    });
    // One setting at the base, the other far right: the one at the base is
    // labelled on the empty (left) side, in the usual colour.
    c.rows.push(TornadoRow {
        label: "Subsidy".into(),
        low_outcome: 2041.0,
        high_outcome: 2034.0,
        low_setting: "lowS".into(),
        high_setting: "highS".into(),
    });
    tornado(&stem, &c).expect("draw");
    let svg = fs::read_to_string(with_suffix(&stem, ".svg")).expect("svg");
    let text_of = |label: &str| {
        // The SVG backend writes a text element's content on its own line.
        let end = svg.find(&format!(">\n{label}\n<")).expect(label);
        let start = svg[..end].rfind("<text").expect("text element");
        svg[start..end].to_string()
    };
    let white = |t: &str| t.contains("fill=\"#FFFFFF\"");
    assert!(white(&text_of("highA")), "{}", text_of("highA"));
    assert!(!white(&text_of("lowA")), "{}", text_of("lowA"));
    assert!(!white(&text_of("highS")), "{}", text_of("highS"));
    // highS is drawn right-aligned (left of the base), lowS left-aligned.
    assert!(
        text_of("highS").contains("text-anchor=\"end\""),
        "{}",
        text_of("highS")
    );
    assert!(
        !text_of("lowS").contains("text-anchor=\"end\""),
        "{}",
        text_of("lowS")
    );
}

#[test]
fn tornado_rejects_empty_and_nan_base() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = tornado_data();
    c.base_outcome = f64::NAN;
    assert!(tornado(&dir.path().join("a"), &c).is_err());
    c.base_outcome = 1.0;
    c.rows.clear();
    assert!(tornado(&dir.path().join("b"), &c).is_err());
}

fn grid() -> Heatmap {
    let xs: Vec<f64> = (0..15).map(|i| 0.06 + i as f64 * 0.005).collect();
    let ys: Vec<f64> = (0..12).map(|j| 0.03 + j as f64 * 0.005).collect();
    let z = ys
        .iter()
        .map(|y| {
            xs.iter()
                .map(|x| (x - 0.06) * 400.0 - (y - 0.03) * 300.0 + 2.0)
                .collect()
        })
        .collect();
    Heatmap {
        title: "Months payable by rate and cost growth".into(),
        x_label: "Contribution rate".into(),
        y_label: "Cost growth".into(),
        xs,
        ys,
        z,
        contours: vec![(6.0, "6 months".into()), (3.0, "3 months".into())],
        z_label: "Months payable".into(),
    }
}

#[test]
fn heatmap_renders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stem = dir.path().join("grid");
    heatmap(&stem, &grid()).expect("draw");
    check_outputs(&stem, "Months payable by rate and cost growth");
}

#[test]
fn heatmap_shape_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = grid();
    c.z[3].pop();
    assert!(heatmap(&dir.path().join("a"), &c).is_err());
    let mut c = grid();
    c.z.pop();
    assert!(heatmap(&dir.path().join("b"), &c).is_err());
    let mut c = grid();
    c.xs.swap(0, 1);
    assert!(heatmap(&dir.path().join("c"), &c).is_err());
}

#[test]
fn contour_segments_follow_crossings() {
    // 2x2 grid: left column below 5, right column above.
    let z = vec![vec![1.0, 9.0], vec![2.0, 8.0]];
    let xe = cell_edges(&[0.0, 1.0]);
    let ye = cell_edges(&[0.0, 1.0]);
    let segs = contour_segments(&z, &xe, &ye, 5.0);
    assert_eq!(
        segs,
        vec![[(0.5, -0.5), (0.5, 0.5)], [(0.5, 0.5), (0.5, 1.5)]]
    );
    assert!(contour_segments(&z, &xe, &ye, 100.0).is_empty());
}

#[test]
fn bar_chart_many_bars() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stem = dir.path().join("hospitals");
    let mut values: Vec<f64> = (0..170).map(|i| (i as f64 - 60.0) * 0.7).collect();
    values.sort_by(|a, b| b.total_cmp(a));
    let c = Bars {
        title: "Payment change by hospital".into(),
        y_label: "Change (%)".into(),
        labels: (0..170)
            .map(|i| format!("Hospital {i:03} long name"))
            .collect(),
        values,
        ..Bars::default()
    };
    bar_chart(&stem, &c).expect("draw");
    check_outputs(&stem, "Payment change by hospital");
}

#[test]
fn bar_chart_mismatch_and_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = Bars {
        title: "x".into(),
        y_label: "y".into(),
        labels: vec!["a".into()],
        values: vec![1.0, 2.0],
        ..Bars::default()
    };
    assert!(matches!(
        bar_chart(&dir.path().join("a"), &c),
        Err(ReportError::InvalidChart { .. })
    ));
    let c = Bars {
        title: "x".into(),
        y_label: "y".into(),
        labels: vec![],
        values: vec![],
        ..Bars::default()
    };
    assert!(bar_chart(&dir.path().join("b"), &c).is_err());
}

#[test]
fn charts_go_into_output_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fin = dir.path().join("report");
    let out = super::super::atomic::OutputDir::create(&fin).expect("create");
    line_chart(&out.path().join("months"), &months_chart()).expect("draw");
    out.commit().expect("commit");
    check_outputs(&fin.join("months"), "Months payable");
}

fn many_scenarios() -> LineChart {
    LineChart {
        title: "Balance".into(),
        x_label: "Year".into(),
        y_label: "Yuan".into(),
        series: (0..15)
            .map(|k| Series {
                label: format!("Scenario {k}"),
                points: (2024..2100)
                    .map(|y| (y, 1e12 - (y - 2024) as f64 * 1e10 * k as f64))
                    .collect(),
            })
            .collect(),
        bands: vec![],
        hlines: vec![(0.0, "depleted".into())],
        ..LineChart::default()
    }
}

#[test]
fn edge_cases_render_without_panicking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // Negative parts stack below zero.
    let mut c = stacked_bars();
    c.left[2].1 = vec![-50.0; c.years.len()];
    c.right[3].1[0] = f64::NAN;
    paired_stacked_bars(&d.join("neg"), &c).expect("negative parts");
    check_outputs(&d.join("neg"), "Revenue and expenditure");
    // Single-cell and all-NaN heat maps.
    let h = Heatmap {
        title: "One cell".into(),
        x_label: "x".into(),
        y_label: "y".into(),
        xs: vec![0.08],
        ys: vec![0.05],
        z: vec![vec![f64::NAN]],
        contours: vec![(3.0, "3 months".into())],
        z_label: "Months".into(),
    };
    heatmap(&d.join("cell"), &h).expect("one cell");
    // Many tornado rows, one with a missing outcome.
    let mut t = tornado_data();
    t.rows = (0..30)
        .map(|i| TornadoRow {
            label: format!("Parameter {i}"),
            low_outcome: 2034.0 - (30 - i) as f64 * 0.2,
            high_outcome: if i == 5 {
                f64::NAN
            } else {
                2034.0 + (30 - i) as f64 * 0.1
            },
            low_setting: "low".into(),
            high_setting: "high".into(),
        })
        .collect();
    tornado(&d.join("many"), &t).expect("many rows");
    let svg = fs::read_to_string(with_suffix(&d.join("many"), ".svg")).expect("svg");
    assert!(svg.contains("Parameter 29"), "last row label missing");
    // Few short bars use horizontal labels.
    let b = Bars {
        title: "Few bars".into(),
        y_label: "Change".into(),
        labels: vec!["A".into(), "B".into(), "C".into()],
        values: vec![3.0, f64::NAN, -2.0],
        ..Bars::default()
    };
    bar_chart(&d.join("few"), &b).expect("few bars");
    check_outputs(&d.join("few"), "Few bars");
    // Many scenarios, huge balances.
    let l = many_scenarios();
    line_chart(&d.join("balance"), &l).expect("many series");
    check_outputs(&d.join("balance"), "Balance");
}

#[test]
fn unwritable_output_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("file");
    fs::write(&file, "x").expect("write");
    let e = line_chart(&file.join("months"), &months_chart()).expect_err("parent is a file");
    assert!(e.to_string().contains("choose another --out"), "{e}");
}

/// Render every sample chart into `$DRGSIM_CHART_DIR` for visual review:
/// `DRGSIM_CHART_DIR=/tmp/charts cargo test sample_gallery -- --ignored`.
#[test]
#[ignore = "writes sample charts for visual review"]
fn sample_gallery() {
    let dir = PathBuf::from(std::env::var("DRGSIM_CHART_DIR").expect("set DRGSIM_CHART_DIR"));
    fs::create_dir_all(&dir).expect("mkdir");
    line_chart(&dir.join("months"), &months_chart()).expect("months");
    paired_stacked_bars(&dir.join("flows"), &stacked_bars()).expect("flows");
    stacked_area(&dir.join("members"), &age_bands()).expect("members");
    fan_chart(&dir.join("fan"), &fan()).expect("fan");
    tornado(&dir.join("tornado"), &tornado_data()).expect("tornado");
    heatmap(&dir.join("grid"), &grid()).expect("grid");
    let mut values: Vec<f64> = (0..170).map(|i| (i as f64 - 60.0) * 0.7).collect();
    values.sort_by(|a, b| b.total_cmp(a));
    let bars = Bars {
        title: "Payment change by hospital".into(),
        y_label: "Change (%)".into(),
        labels: (0..170)
            .map(|i| format!("Hospital {i:03} long name"))
            .collect(),
        values,
        ..Bars::default()
    };
    bar_chart(&dir.join("hospitals"), &bars).expect("bars");
    line_chart(&dir.join("balance"), &many_scenarios()).expect("balance");
}

#[test]
fn year_ticks_are_round() {
    assert_eq!(year_ticks(2024, 2026, 15), vec![2024.0, 2025.0, 2026.0]);
    let t = year_ticks(2024, 2100, 15);
    assert!(
        t.len() <= 15 && t.iter().all(|y| *y as i32 % 10 == 0),
        "{t:?}"
    );
    assert_eq!(year_ticks(2025, 2025, 15), vec![2025.0]);
    // Extreme years neither overflow nor produce too many ticks.
    assert!(year_ticks(i32::MIN, i32::MAX, 15).len() <= 16);
    assert_eq!(truncate_label("abcdef", 4), "abc…");
    assert_eq!(truncate_label("abc", 4), "abc");
}

#[test]
fn value_range_includes_zero_and_pads() {
    let (lo, hi) = value_range([5.0, 10.0, f64::NAN].into_iter(), true);
    assert_eq!(lo, 0.0);
    assert!(hi > 10.0);
    let (lo, hi) = value_range([-3.0, f64::INFINITY].into_iter(), true);
    assert!(lo < -3.0 && hi >= 0.0);
    let (lo, hi) = value_range(std::iter::empty(), true);
    assert!(lo < hi);
}

/// The hospital change chart reads from 10 to 5,000 hospitals: few bars are
/// labelled under each bar; many become a ranked distribution with the
/// largest gains and losses named beside the plot. Both keep the PNG size.
#[test]
fn bar_chart_reads_from_10_to_5000_hospitals() {
    let dir = tempfile::tempdir().expect("tempdir");
    for n in [10usize, 5000] {
        let stem = dir.path().join(format!("hospitals_{n}"));
        let mut values: Vec<f64> = (0..n)
            .map(|i| ((i * 7919) % n) as f64 / n as f64 * 20.0 - 8.0)
            .collect();
        values.sort_by(|a, b| b.total_cmp(a));
        let c = Bars {
            title: format!("{n} hospitals"),
            y_label: "change, %".into(),
            x_label: "hospitals, ranked by change".into(),
            labels: (0..n).map(|i| format!("H{i:04}")).collect(),
            values,
            extremes: 5,
            extreme_titles: ("largest gains".into(), "largest losses".into()),
        };
        bar_chart(&stem, &c).expect("draw");
        check_outputs(&stem, &format!("{n} hospitals"));
        let svg = fs::read_to_string(with_suffix(&stem, ".svg")).expect("svg");
        // The top and bottom hospitals are named either way.
        assert!(svg.contains("H0000"), "{n}: largest gain not named");
        let last = format!("H{:04}", n - 1);
        assert!(svg.contains(&last), "{n}: largest loss not named");
        if n > super::bars::BAR_LABEL_LIMIT {
            assert!(svg.contains("largest gains") && svg.contains("largest losses"));
            // Not every hospital: the middle of the ranking is not labelled.
            assert!(!svg.contains("H2500"), "{n}: every bar labelled");
        }
    }
}
