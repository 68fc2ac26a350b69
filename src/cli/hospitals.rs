//! `drgsim hospitals`: what each hospital is paid under a scenario, against its
//! own costs and, with `--vs`, against another scenario: the view a negotiator
//! takes to the table.

use anyhow::{Result, bail};
use clap::Args;
use drgsim::payment::hospital_report;
use drgsim::projection::settle;
use drgsim::report;
use drgsim::report::Style;
use drgsim::report::{OutputDir, OutputPolicy, check_output};
use std::path::PathBuf;

/// `drgsim hospitals`.
#[derive(Debug, Args)]
pub struct HospitalsArgs {
    /// Scenario with a group and a hospital table.
    pub scenario: PathBuf,
    /// Compare against this scenario (same hospitals, matched by id).
    #[arg(long)]
    pub vs: Option<PathBuf>,
    /// Fund whose inpatient payment to report (default: the only fund with a hospital table).
    #[arg(long)]
    pub fund: Option<String>,
    /// Year to report (default: the base year).
    #[arg(long)]
    pub year: Option<i32>,
    /// How many winners and losers to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Output directory.
    #[arg(long, default_value = "out-hospitals")]
    pub out: PathBuf,
    /// Write into an output folder that holds other files: drgsim adds its
    /// files (replacing files of the same name) and deletes nothing.
    #[arg(long)]
    pub force: bool,
    /// Overrides applied to the scenario (not to `--vs`).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// Runs the command.
pub fn hospitals(a: &HospitalsArgs, style: Style) -> Result<()> {
    let mut inputs = vec![a.scenario.as_path()];
    inputs.extend(a.vs.as_deref());
    let policy = OutputPolicy::new(a.force, &inputs);
    check_output(&a.out, &policy)?;
    let this = settle(
        crate::cli::load(&a.scenario, &a.sets)?,
        a.fund.as_deref(),
        a.year,
    )?;
    let other = match &a.vs {
        Some(vs) => {
            let o = settle(
                crate::cli::load(vs, &[])?,
                Some(&this.fund)
                    .filter(|_| a.fund.is_some())
                    .map(String::as_str),
                Some(this.year),
            )?;
            let known: std::collections::HashSet<&str> =
                o.results.iter().map(|h| h.id.as_str()).collect();
            let shared = this
                .results
                .iter()
                .filter(|h| known.contains(h.id.as_str()))
                .count();
            if shared == 0 {
                bail!(
                    "{} and {} share no hospital id; --vs compares the same hospitals under two scenarios",
                    a.scenario.display(),
                    vs.display()
                );
            }
            Some(o)
        }
        None => None,
    };
    let report = hospital_report(
        &this.results,
        other.as_ref().map(|o| o.results.as_slice()),
        a.top,
    );
    let out = OutputDir::create_with(&a.out, &policy)?;
    let md = report::write_hospitals(out.path(), &this, other.as_ref(), &report, a.top, style)?;
    let dir = out.commit()?;
    print!("{md}");
    println!("\nwrote {}", dir.display());
    Ok(())
}
