//! `drgsim clear`: year-end clearing (年终清算) of one or more budgets against
//! actual spending under corridor rules, with the next year's base and budget,
//! checked against published figures when the file gives them.

use crate::payment::corridor_spec::{clear_file, matches};
use crate::report::atomic::{OutputDir, write_atomic};
use crate::report::markdown::fmt_num;
use anyhow::{Result, bail};
use clap::Args;
use std::path::PathBuf;

/// `drgsim clear`.
#[derive(Debug, Args)]
pub struct ClearArgs {
    /// Clearing file (e.g. scenarios/sanmen-clearing-2019.toml).
    pub file: PathBuf,
    /// Output directory: clearing.csv, clearing.md.
    #[arg(long, default_value = "out-clearing")]
    pub out: PathBuf,
    /// Exit non-zero when a computed figure differs from a `published` one by more than a fen (0.01 yuan).
    #[arg(long)]
    pub check: bool,
    /// Override a value: --set budgets.employee.growth=0.05 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// Runs the command.
pub fn run(a: &ClearArgs) -> Result<()> {
    let (spec, results) = clear_file(&a.file, &a.sets).map_err(|e| anyhow::anyhow!("{e}"))?;
    let md = crate::report::clearing::clearing_markdown(&spec, &results);
    let out = OutputDir::create(&a.out)?;
    write_atomic(
        &out.path().join("clearing.csv"),
        crate::report::clearing::clearing_csv(&results).as_bytes(),
    )?;
    write_atomic(&out.path().join("clearing.md"), md.as_bytes())?;
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
