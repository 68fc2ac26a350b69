//! `drgsim clear`: year-end clearing (年终清算) of one or more budgets against
//! actual spending under corridor rules, with the next year's base and budget,
//! checked against published figures when the file gives them.

use anyhow::{Result, bail};
use clap::Args;
use drgsim::payment::{clear_file, matches};
use drgsim::report::Style;
use drgsim::report::fmt_num;
use drgsim::report::{OutputDir, OutputPolicy, check_output};
use std::path::PathBuf;

/// `drgsim clear`.
#[derive(Debug, Args)]
pub struct ClearArgs {
    /// Clearing file (e.g. scenarios/sanmen-clearing-2019.toml).
    pub file: PathBuf,
    /// Output directory: clearing.csv, clearing.md, report.xlsx, report.html.
    #[arg(long, default_value = "out-clearing")]
    pub out: PathBuf,
    /// Write into an output folder that holds other files: drgsim adds its
    /// files (replacing files of the same name) and deletes nothing.
    #[arg(long)]
    pub force: bool,
    /// Exit non-zero when a computed figure differs from a `published` one by more than a fen (0.01 yuan).
    #[arg(long)]
    pub check: bool,
    /// Override a value: --set budgets.employee.growth=0.05 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// Runs the command.
pub fn run(a: &ClearArgs, style: Style) -> Result<()> {
    let policy = OutputPolicy::new(a.force, &[a.file.as_path()]);
    check_output(&a.out, &policy)?;
    let (spec, results) = clear_file(&a.file, &a.sets).map_err(|e| anyhow::anyhow!("{e}"))?;
    let out = OutputDir::create_with(&a.out, &policy)?;
    let md = drgsim::report::write_clearing(out.path(), &spec, &results, style)?;
    let dir = out.commit()?;
    print!("{md}");
    println!("\nwrote {}", dir.display());
    let misses: Vec<String> = results
        .iter()
        .flat_map(|r| {
            r.checks
                .iter()
                .filter(|(k, x, v)| !matches(k, *x, *v))
                .map(move |(k, x, v)| {
                    format!(
                        "{}.{k}: computed {} published {}",
                        r.id,
                        fmt_num(*x, 2),
                        fmt_num(*v, 2)
                    )
                })
        })
        .collect();
    if a.check && !misses.is_empty() {
        bail!(
            "{} figure(s) differ from the published ones:\n  {}",
            misses.len(),
            misses.join("\n  ")
        );
    }
    Ok(())
}
