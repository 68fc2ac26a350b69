//! `drgsim compare`: several scenarios' runways on one chart, summaries side by side.

use crate::fund::runway::year_or_never;
use crate::projection::project;
use crate::report::atomic::{OutputDir, OutputPolicy, check_output, write_atomic};
use crate::report::chart::{self, LineChart, Series};
use crate::report::markdown::{fmt_num, table};
use crate::report::projection::{csv_num, runway_bands, summaries};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// `drgsim compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Two or more scenario files.
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<PathBuf>,
    /// Output directory.
    #[arg(long, default_value = "out-compare")]
    pub out: PathBuf,
    /// Write into an output folder that holds other files: drgsim adds its
    /// files (replacing files of the same name) and deletes nothing.
    #[arg(long)]
    pub force: bool,
    /// Overrides applied to every scenario.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// Runs every scenario, then writes `compare.md`, `compare.csv` and the charts.
pub fn compare(a: &CompareArgs) -> Result<()> {
    let inputs: Vec<&std::path::Path> = a.scenarios.iter().map(|p| p.as_path()).collect();
    let policy = OutputPolicy::new(a.force, &inputs);
    check_output(&a.out, &policy)?;
    let mut runs = Vec::new();
    let mut errors = Vec::new();
    for f in &a.scenarios {
        match crate::cli::load(f, &a.sets) {
            Ok(m) => {
                let p = project(&m);
                runs.push((m, p));
            }
            Err(e) => errors.push(format!("{}: {e}", f.display())),
        }
    }
    if !errors.is_empty() {
        anyhow::bail!("{}", errors.join("\n"));
    }
    let (first, _) = &runs[0];
    let thresholds = first.thresholds;
    let mut months = Vec::new();
    let mut balance = Vec::new();
    let mut rows = Vec::new();
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "scenario",
        "fund",
        "base_year",
        "base_months",
        "horizon",
        "horizon_balance_wan",
        "horizon_months",
        "first_warning",
        "first_danger",
        "depletion",
        "cumulative_surplus_wan",
    ])?;
    for (m, p) in &runs {
        let multi = p.funds.len() > 1;
        for f in &p.funds {
            let label = if multi {
                format!("{} ({})", m.name, f.id)
            } else {
                m.name.clone()
            };
            months.push(Series {
                label: label.clone(),
                points: f.rows.iter().map(|r| (r.year, r.months_payable)).collect(),
            });
            balance.push(Series {
                label,
                points: f.rows.iter().map(|r| (r.year, r.balance_wan)).collect(),
            });
        }
        for (fund, s) in summaries(m, p) {
            rows.push(vec![
                m.name.clone(),
                fund.clone(),
                fmt_num(s.base_months, 1),
                fmt_num(s.horizon_balance_wan, 0),
                fmt_num(s.horizon_months, 1),
                year_or_never(s.first_warning),
                year_or_never(s.first_danger),
                year_or_never(s.depletion),
                fmt_num(s.cumulative_surplus_wan, 0),
            ]);
            let opt = |y: Option<i32>| y.map(|y| y.to_string()).unwrap_or_default();
            csv.write_record([
                m.name.clone(),
                fund.clone(),
                s.base_year.to_string(),
                csv_num(s.base_months, 4),
                s.horizon.to_string(),
                csv_num(s.horizon_balance_wan, 2),
                csv_num(s.horizon_months, 4),
                opt(s.first_warning),
                opt(s.first_danger),
                opt(s.depletion),
                csv_num(s.cumulative_surplus_wan, 2),
            ])?;
        }
    }
    let out = OutputDir::create_with(&a.out, &policy)?;
    chart::line_chart(
        &out.path().join("compare_months_payable"),
        &LineChart {
            title: "Months payable by scenario".into(),
            x_label: "year".into(),
            y_label: "months of pooled spending".into(),
            series: months,
            bands: runway_bands(first),
            hlines: vec![(0.0, "depleted".into())],
        },
    )?;
    chart::line_chart(
        &out.path().join("compare_balance"),
        &LineChart {
            title: "Pooled-fund balance by scenario".into(),
            x_label: "year".into(),
            y_label: "balance, 10,000 yuan".into(),
            series: balance,
            bands: vec![],
            hlines: vec![(0.0, "depleted".into())],
        },
    )?;
    let mut md = format!(
        "# Scenario comparison\n\nWarning below {} months, danger below {} months (thresholds of the first scenario). Amounts in 万元.\n\n",
        thresholds.warning, thresholds.danger
    );
    md.push_str(&table(
        &[
            "scenario",
            "fund",
            "months base year",
            "balance horizon",
            "months horizon",
            "first < warning",
            "first < danger",
            "depletion",
            "cumulative surplus",
        ],
        &rows,
    ));
    md.push_str("\nFiles:\n\n");
    for (m, _) in &runs {
        md.push_str(&format!("- {}: {}\n", m.name, m.raw.file.display()));
    }
    write_atomic(&out.path().join("compare.md"), md.as_bytes())?;
    write_atomic(&out.path().join("compare.csv"), &csv.into_inner()?)?;
    let dir = out.commit()?;
    print!("{md}");
    println!("\nwrote {}", dir.display());
    Ok(())
}
