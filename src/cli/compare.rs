//! `drgsim compare`: several scenarios' runways on one chart, summaries side by side.

use crate::projection::project;
use crate::report::atomic::OutputDir;
use crate::report::labels::Style;
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
    /// Overrides applied to every scenario.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// Runs every scenario, then writes `compare.md`, `compare.csv` and the charts.
pub fn compare(a: &CompareArgs, style: Style) -> Result<()> {
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
    let out = OutputDir::create(&a.out)?;
    let md = crate::report::compare::write_compare(out.path(), &runs, style)?;
    let dir = out.commit()?;
    print!("{md}");
    println!("\nwrote {}", dir.display());
    Ok(())
}
