//! `drgsim compare`: several scenarios' runways on one chart, summaries side by side.

use anyhow::Result;
use clap::Args;
use drgsim::projection::project;
use drgsim::report::Style;
use drgsim::report::{OutputDir, OutputPolicy, check_output};
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
pub fn compare(a: &CompareArgs, style: Style) -> Result<()> {
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
    let out = OutputDir::create_with(&a.out, &policy)?;
    let md = drgsim::report::write_compare(out.path(), &runs, style)?;
    let dir = out.commit()?;
    print!("{md}");
    println!("\nwrote {}", dir.display());
    Ok(())
}
