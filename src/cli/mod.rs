//! The command-line interface: argument types and one function per command.
//! `main.rs` only parses and reports errors.

pub mod analysis;
pub mod calibrate;
pub mod clear;
pub mod compare;
pub mod hospitals;
pub mod warnings;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use drgsim::projection::{Model, project};
use drgsim::report;
use drgsim::report::{Lang, Style, Unit};
use drgsim::report::{OutputDir, OutputPolicy, check_output};
use drgsim::scenario::bundled;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The default scenario, run by `drgsim run` with no arguments.
pub const DEFAULT_SCENARIO: &str = "scenarios/chuxiong-rules.toml";

/// drgsim: how long a medical-insurance fund can keep paying, year by year.
#[derive(Debug, Parser)]
#[command(name = "drgsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Language of charts, Markdown, HTML and the workbook: zh (简体中文) or en.
    /// CSV headers stay English snake_case whatever the language.
    #[arg(long, global = true, default_value = "zh", value_name = "zh|en")]
    pub lang: Lang,
    /// Unit of amounts in reports: wan (万元) or yi (亿元). CSV stays in 万元.
    #[arg(long, global = true, default_value = "wan", value_name = "wan|yi")]
    pub unit: Unit,
}

impl Cli {
    /// The report style chosen on the command line.
    pub fn style(&self) -> Style {
        Style {
            lang: self.lang,
            unit: self.unit,
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Project each fund of a scenario to its horizon: projection.csv, summary.md, charts.
    Run(RunArgs),
    /// Run several scenarios and chart their runways side by side.
    Compare(compare::CompareArgs),
    /// Check scenario files and report every problem found.
    Validate(ValidateArgs),
    /// Per-hospital DRG/DIP payment against cost, optionally against another scenario.
    Hospitals(hospitals::HospitalsArgs),
    /// Year-end clearing (年终清算) of budgets against actual spending, with corridors.
    Clear(clear::ClearArgs),
    /// One-way sensitivity (tornado) of the runway; --global adds Sobol' indices.
    Sensitivity(analysis::SensitivityArgs),
    /// Two-way table of months payable over two parameters, with a heat map.
    Grid(analysis::GridArgs),
    /// Monte Carlo runway bands over the scenario's `[uncertainty]` parameters.
    Montecarlo(analysis::MonteCarloArgs),
    /// Goal seek: the value of one parameter that keeps months payable at a target.
    Solve(analysis::SolveArgs),
    /// Group and hospital tables (weights, CMI, coefficients) from case-level settlement records.
    Calibrate(calibrate::CalibrateArgs),
    /// List the scenarios bundled with drgsim.
    Scenarios,
    /// Copy a bundled scenario (and the tables it uses) into a folder for editing.
    Init(InitArgs),
    /// What-if page in the browser: sliders over the levers, live runway and Monte Carlo fan.
    Serve(ServeArgs),
}

/// `drgsim serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Scenario file (default: the bundled Chuxiong 2023 baseline). Fixed while
    /// the server runs: the page cannot name another file.
    pub scenario: Option<PathBuf>,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on. Anything but loopback needs --public.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: std::net::IpAddr,
    /// Allow listening on a non-loopback address (the page has no login).
    #[arg(long)]
    pub public: bool,
}

/// `drgsim init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Bundled scenario name, e.g. `chuxiong-2023` (see `drgsim scenarios`).
    pub name: String,
    /// Folder to copy into (default: the current folder).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// `drgsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (default: the bundled Chuxiong scenario, rules as practised with the stress test beside).
    pub scenario: Option<PathBuf>,
    /// Output directory: a new or empty folder, or a previous drgsim output
    /// (its files are replaced, nothing else in it is touched).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Write into an output folder that holds other files: drgsim adds its
    /// files (replacing files of the same name) and deletes nothing.
    #[arg(long)]
    pub force: bool,
    /// Override a parameter: --set funds.resident.premiums.premium=420 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// `drgsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Overrides to check along with the files.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// The scenario to use: the one given, else `scenarios/chuxiong-rules.toml`
/// in the current folder (a checkout), else the copy embedded in the binary.
pub fn scenario_or_default(given: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = given {
        return Ok(p.to_path_buf());
    }
    let here = PathBuf::from(DEFAULT_SCENARIO);
    if here.exists() {
        return Ok(here);
    }
    bundled::materialize_default().map_err(|e| anyhow::anyhow!("{e}"))
}

/// Loads a scenario, turning its problems into one readable error.
///
/// This is the one verdict every command shares with `drgsim validate`: the
/// scenario must load, its `[sensitivity]` and `[uncertainty]` sections must be
/// valid (even for commands that do not use them), and its baseline projection
/// must be reportable (finite, within [`drgsim::report::MAX_ABS`]).
pub fn load(path: &Path, sets: &[String]) -> Result<Model> {
    let m = verdict(path, sets).map_err(|e| anyhow::anyhow!("{e}"))?;
    drgsim::projection::scale_warnings(&m)
        .iter()
        .for_each(|w| eprintln!("warning: {}: {w}", path.display()));
    Ok(m)
}

/// [`load`] with the error as text (for `validate`, which prefixes file names).
fn verdict(path: &Path, sets: &[String]) -> std::result::Result<Model, String> {
    let m = Model::load(path, sets).map_err(|e| e.to_string())?;
    drgsim::analysis::check_sections(&m)
        .map_err(|e| format!("error in the analysis sections:\n  {e}"))?;
    let projection = project(&m);
    drgsim::report::check_projection(&projection).map_err(|e| e.to_string())?;
    for w in warnings::warnings(&m, &projection) {
        eprintln!("warning: {}: {w}", path.display());
    }
    Ok(m)
}

/// Runs a parsed command line.
pub fn dispatch(cli: Cli) -> Result<()> {
    let style = cli.style();
    match cli.command {
        Command::Run(a) => run(&a, style),
        Command::Compare(a) => compare::compare(&a, style),
        Command::Validate(a) => validate(&a),
        Command::Hospitals(a) => hospitals::hospitals(&a, style),
        Command::Sensitivity(a) => analysis::sensitivity(&a, style),
        Command::Grid(a) => analysis::grid(&a, style),
        Command::Montecarlo(a) => analysis::montecarlo(&a, style),
        Command::Solve(a) => analysis::solve(&a, style),
        Command::Clear(a) => clear::run(&a, style),
        Command::Calibrate(a) => calibrate::calibrate(&a),
        Command::Scenarios => scenarios(),
        Command::Init(a) => init(&a),
        Command::Serve(a) => drgsim::serve::serve(&drgsim::serve::Options {
            scenario: scenario_or_default(a.scenario.as_deref())?,
            bind: a.bind,
            port: a.port,
            public: a.public,
        }),
    }
}

/// `drgsim run`: project, then write the CSV, summary and charts atomically.
pub fn run(a: &RunArgs, style: Style) -> Result<()> {
    let file = scenario_or_default(a.scenario.as_deref())?;
    let policy = OutputPolicy::new(a.force, &[&file]);
    check_output(&a.out, &policy)?;
    let model = load(&file, &a.sets)?;
    let projection = project(&model);
    let out = OutputDir::create_with(&a.out, &policy)?;
    report::write_projection_csv(&out.path().join("projection.csv"), &projection)?;
    report::write_summary(&out.path().join("summary.md"), &model, &projection, style)?;
    let observed = drgsim::report::comparisons(&model, &projection);
    if !observed.is_empty() {
        drgsim::report::write_history_csv(&out.path().join("history.csv"), &observed)?;
    }
    if drgsim::report::has_rules(&model) {
        let fired = drgsim::projection::firings(&model, &projection);
        drgsim::report::write_rules_csv(&out.path().join("rules.csv"), &fired)?;
    }
    report::write_charts(out.path(), &model, &projection, style)?;
    drgsim::report::run_workbook(&out.path().join("report.xlsx"), &model, &projection, style)?;
    drgsim::report::write_run_report(out.path(), &model, &projection, style)?;
    let dir = out.commit()?;
    let mut stdout = std::io::stdout().lock();
    // With policy rules, both views: rules as practised, and the stress test
    // in which nobody reacts (the same scenario with the rules off).
    let views = if drgsim::report::has_rules(&model) {
        let stress = drgsim::projection::without_rules(&model)
            .map(|m| {
                let p = project(&m);
                report::summaries(&m, &p)
            })
            .unwrap_or_default();
        vec![
            (
                " (rules as practised)",
                report::summaries(&model, &projection),
            ),
            (" (no policy change, stress test)", stress),
        ]
    } else {
        vec![("", report::summaries(&model, &projection))]
    };
    for (view, summaries) in views {
        for (name, s) in summaries {
            let _ = writeln!(
                stdout,
                "{name}{view}: {} in {}, {} in {}; depletion: {}",
                months_text(s.base_months),
                s.base_year,
                months_text(s.horizon_months),
                s.horizon,
                drgsim::fund::year_or_never(s.depletion)
            );
        }
    }
    let _ = writeln!(stdout, "wrote {}", dir.display());
    Ok(())
}

/// `drgsim validate`: every problem in every file; non-zero exit if any.
pub fn validate(a: &ValidateArgs) -> Result<()> {
    let mut bad = 0;
    for f in &a.scenarios {
        // A clearing file (`drgsim clear`) is checked as one.
        if drgsim::payment::is_clearing_file(f) {
            match drgsim::payment::clear_file(f, &a.sets) {
                Ok((spec, r)) => println!(
                    "{}: ok (clearing file: {}, {} budget{})",
                    f.display(),
                    spec.clearing.name,
                    r.len(),
                    if r.len() == 1 { "" } else { "s" }
                ),
                Err(e) => {
                    bad += 1;
                    eprintln!("{}: {e}", f.display());
                }
            }
            continue;
        }
        match verdict(f, &a.sets) {
            Ok(m) => println!(
                "{}: ok ({}, {} fund{}, {}–{}){}",
                f.display(),
                m.name,
                m.funds.len(),
                if m.funds.len() == 1 { "" } else { "s" },
                m.years.base_year,
                m.years.horizon,
                drgsim::projection::scale_warnings(&m)
                    .iter()
                    .map(|w| format!("\n  warning: {w}"))
                    .collect::<String>()
            ),
            Err(e) => {
                bad += 1;
                eprintln!("{}: {e}", f.display());
            }
        }
    }
    if bad > 0 {
        anyhow::bail!(
            "{bad} of {} scenario file(s) have problems",
            a.scenarios.len()
        );
    }
    Ok(())
}

/// `drgsim scenarios`: the bundled scenarios, one a line.
pub fn scenarios() -> Result<()> {
    let mut out = std::io::stdout().lock();
    for b in bundled::list() {
        let default = if b.file == bundled::DEFAULT {
            " (default)"
        } else {
            ""
        };
        writeln!(
            out,
            "{:<28} {}{default}",
            b.file.trim_end_matches(".toml"),
            b.name
        )?;
        if !b.description.is_empty() {
            writeln!(out, "{:<28} {}", "", b.description)?;
        }
    }
    writeln!(
        out,
        "\nCopy one out for editing with `drgsim init NAME [DIR]`."
    )?;
    Ok(())
}

/// `drgsim init`: copy a bundled scenario out; never overwrites a file.
pub fn init(a: &InitArgs) -> Result<()> {
    let r = bundled::copy_out(&a.name, &a.dir).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut out = std::io::stdout().lock();
    for f in &r.written {
        writeln!(out, "wrote {}", f.display())?;
    }
    for f in &r.kept {
        writeln!(
            out,
            "kept {} (yours differs from the bundled table)",
            f.display()
        )?;
    }
    let name = a.name.trim_end_matches(".toml");
    writeln!(
        out,
        "edit {0}, then: drgsim run {0}",
        a.dir.join(format!("{name}.toml")).display()
    )?;
    Ok(())
}

/// Months payable as the terminal line shows them: below the depletion line
/// the fund has no months left, and the figure is the shortfall it carries.
fn months_text(months: f64) -> String {
    if months >= 0.0 {
        format!("{months:.1} months payable")
    } else {
        format!("depleted (shortfall of {:.1} months of spending)", -months)
    }
}

#[cfg(test)]
mod tests {
    /// The terminal never prints negative months payable.
    #[test]
    fn months_below_zero_read_as_a_shortfall() {
        assert_eq!(super::months_text(7.04), "7.0 months payable");
        assert_eq!(
            super::months_text(-25.1),
            "depleted (shortfall of 25.1 months of spending)"
        );
    }

    /// `drgsim run` with no scenario runs the library's default bundled scenario.
    #[test]
    fn default_scenario_is_the_bundled_default() {
        assert!(super::DEFAULT_SCENARIO.ends_with(drgsim::scenario::bundled::DEFAULT));
    }
}
