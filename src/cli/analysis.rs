//! `drgsim sensitivity`, `grid`, `montecarlo` and `solve`: the analyses of
//! [`drgsim::analysis::runs`] with their CSV, Markdown and charts.
//!
//! Every input is checked (parameter paths, ranges, distributions, the
//! scenario at the range ends) before the output directory is created, and the
//! directory appears only when every file has been written.

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use drgsim::analysis::{self, Axis, Lever, LeverSet, OneWayEntry, SolveSpec, Uncertainty, Window};
use drgsim::projection::Model;
use drgsim::report;
use drgsim::report::Grid;
use drgsim::report::Style;
use drgsim::report::{OutputDir, OutputPolicy, check_output};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Options every analysis command shares.
#[derive(Debug, Args)]
pub struct Common {
    /// Scenario file (default: the bundled Chuxiong 2023 baseline).
    pub scenario: Option<PathBuf>,
    /// Override a parameter before the analysis: --set PATH=VALUE (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Write into an output folder that holds other files: drgsim adds its
    /// files (replacing files of the same name) and deletes nothing.
    #[arg(long)]
    pub force: bool,
}

/// `drgsim sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    #[command(flatten)]
    common: Common,
    /// Output directory.
    #[arg(long, default_value = "out-sensitivity")]
    pub out: PathBuf,
    /// Also move PATH (default +-10 %: `PATH` scaled by 0.9 and 1.1, or a
    /// constant's value times 0.9 and 1.1), or PATH=LOW:HIGH (repeatable).
    #[arg(
        long = "param",
        value_name = "PATH[=LOW:HIGH]",
        allow_hyphen_values = true
    )]
    pub params: Vec<String>,
    /// Year whose months payable ranks the parameters (default: `[sensitivity]`
    /// outcome_year, else the horizon).
    #[arg(long)]
    pub year: Option<i32>,
    /// Leave out the built-in key parameters; only `[sensitivity.ranges]` and --param.
    #[arg(long)]
    pub no_defaults: bool,
    /// Also compute Sobol' indices over the `[uncertainty]` parameters.
    #[arg(long)]
    pub global: bool,
    /// Base sample size of the Sobol' estimate (n (k + 2) runs).
    #[arg(long, default_value_t = 2048, allow_negative_numbers = true, value_parser = count)]
    pub samples: usize,
    /// Seed of the Sobol' sample (default: `[uncertainty]` seed).
    #[arg(long)]
    pub seed: Option<u64>,
}

/// `drgsim grid`.
#[derive(Debug, Args)]
pub struct GridArgs {
    #[command(flatten)]
    common: Common,
    /// Row parameter and its range: PATH=LOW:HIGH:STEPS.
    #[arg(long, value_name = "PATH=LOW:HIGH:STEPS")]
    pub x: String,
    /// Column parameter and its range: PATH=LOW:HIGH:STEPS.
    #[arg(long, value_name = "PATH=LOW:HIGH:STEPS")]
    pub y: String,
    /// Year whose months payable is tabulated (default: the horizon).
    #[arg(long)]
    pub year: Option<i32>,
    /// Output directory.
    #[arg(long, default_value = "out-grid")]
    pub out: PathBuf,
}

/// `drgsim montecarlo`.
#[derive(Debug, Args)]
pub struct MonteCarloArgs {
    #[command(flatten)]
    common: Common,
    /// Number of paths (default: `[uncertainty]` paths, else 10,000).
    #[arg(long, allow_negative_numbers = true, value_parser = count_u64)]
    pub paths: Option<u64>,
    /// Seed (default: `[uncertainty]` seed, else 20231231).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output directory.
    #[arg(long, default_value = "out-montecarlo")]
    pub out: PathBuf,
}

/// `drgsim solve`.
#[derive(Debug, Args)]
pub struct SolveArgs {
    #[command(flatten)]
    common: Common,
    /// The parameter to solve for (a lever path, e.g. funds.resident.premiums.premium.scale).
    #[arg(long)]
    pub param: String,
    /// Months payable to keep at or above (0 or more).
    #[arg(long, allow_negative_numbers = true, value_parser = months)]
    pub target_months: f64,
    /// Hold the target at this year only (same as --from-year Y --through-year Y).
    #[arg(long, conflicts_with_all = ["from_year", "through_year"])]
    pub year: Option<i32>,
    /// First year the target must hold (default: the year after the base year).
    #[arg(long)]
    pub from_year: Option<i32>,
    /// Last year the target must hold (default: the horizon).
    #[arg(long)]
    pub through_year: Option<i32>,
    /// First year the parameter is moved (default: the year after the fund's last
    /// year of record, `history`, so published years stay as published).
    #[arg(long)]
    pub move_from: Option<i32>,
    /// Fund whose runway must hold (default: the parameter's fund, or the only fund).
    #[arg(long)]
    pub fund: Option<String>,
    /// Search range LOW:HIGH (default: shares 0:1, otherwise half to twice the scenario's value).
    #[arg(long, value_name = "LOW:HIGH", allow_hyphen_values = true)]
    pub range: Option<String>,
    /// Hold the target with this probability over the `[uncertainty]` paths.
    #[arg(long)]
    pub probability: Option<f64>,
    /// Monte Carlo paths per candidate value (with --probability).
    #[arg(long, default_value_t = 1000, allow_negative_numbers = true, value_parser = count_u64)]
    pub paths: u64,
    /// Monte Carlo seed (default: `[uncertainty]` seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads for Monte Carlo.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output directory.
    #[arg(long, default_value = "out-solve")]
    pub out: PathBuf,
}

/// A count of 1 or more, with a plain message for anything else (`--paths -5`).
fn count(s: &str) -> std::result::Result<usize, String> {
    match s.trim().parse::<i128>() {
        Ok(n) if n >= 1 => usize::try_from(n).map_err(|_| format!("{n} is too large")),
        Ok(n) => Err(format!("{n}: must be a whole number, at least 1")),
        Err(_) => Err(format!("`{s}` is not a whole number; give 1 or more")),
    }
}

/// [`count`] as `u64`.
fn count_u64(s: &str) -> std::result::Result<u64, String> {
    count(s).map(|n| n as u64)
}

/// Months payable: a finite number, 0 or more (`--target-months -5` is refused).
fn months(s: &str) -> std::result::Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        Ok(x) if x.is_finite() => Err(format!(
            "{x}: months payable cannot be negative; give 0 or more (0 = never run out)"
        )),
        _ => Err(format!("`{s}` is not a finite number of months")),
    }
}

fn load(c: &Common) -> Result<Model> {
    let file = super::scenario_or_default(c.scenario.as_deref())?;
    super::load(&file, &c.sets)
}

/// The output-folder policy for an analysis writing to `out`, checked at once
/// so that a refused `--out` is reported before any computation.
fn output_policy(c: &Common, out: &std::path::Path) -> Result<OutputPolicy> {
    let file = super::scenario_or_default(c.scenario.as_deref())?;
    let policy = OutputPolicy::new(c.force, &[&file]);
    check_output(out, &policy)?;
    Ok(policy)
}

/// A progress bar on stderr, hidden when stderr is not a terminal.
pub fn progress(n: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(n);
    if let Ok(style) =
        ProgressStyle::with_template(&format!("{what} [{{bar:40}}] {{pos}}/{{len}} ({{eta}})"))
    {
        pb.set_style(style);
    }
    pb
}

fn parse_num(s: &str, what: &str) -> Result<f64> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| anyhow!("{what}: `{s}` is not a number"))?;
    if !v.is_finite() {
        bail!("{what}: `{s}` is not a finite number");
    }
    Ok(v)
}

/// `LOW:HIGH` with LOW <= HIGH (strictly below when `strict`).
fn parse_range(s: &str, what: &str, strict: bool) -> Result<(f64, f64)> {
    let (a, b) = s
        .split_once(':')
        .ok_or_else(|| anyhow!("{what}: `{s}` needs the form LOW:HIGH"))?;
    let (lo, hi) = (parse_num(a, what)?, parse_num(b, what)?);
    if lo > hi || (strict && lo == hi) {
        bail!("{what}: the low bound {lo} is above the high bound {hi}");
    }
    Ok((lo, hi))
}

/// The one-way entries: built-in defaults, then `[sensitivity.ranges]`, then
/// `--param`, later ones replacing earlier ones for the same path. User ranges
/// that make the scenario invalid are errors; defaults that do are left out
/// (returned as notes).
fn one_way_entries(
    model: &Model,
    a: &SensitivityArgs,
) -> Result<(Vec<OneWayEntry>, Vec<report::LeftOut>)> {
    let spec = model.spec.sensitivity.clone().unwrap_or_default();
    // (path, range, is a default, where it was asked for)
    type Wanted = (String, Option<(f64, f64)>, bool, String);
    let mut wanted: Vec<Wanted> = Vec::new();
    // A user range for a parameter replaces its default, whichever sub-field it names.
    let param_of = |p: &str| -> String {
        [".scale", ".shift", ".base", ".growth"]
            .iter()
            .find_map(|s| p.strip_suffix(s))
            .unwrap_or(p)
            .to_string()
    };
    let mut put = |path: String, r: Option<(f64, f64)>, default: bool, origin: String| {
        wanted.retain(|w| w.0 != path && !(w.2 && param_of(&w.0) == param_of(&path)));
        wanted.push((path, r, default, origin));
    };
    if !a.no_defaults && spec.defaults.unwrap_or(true) {
        for (p, lo, hi) in analysis::default_ranges(model) {
            put(p, Some((lo, hi)), true, "default".into());
        }
    }
    for (p, r) in &spec.ranges {
        put(
            p.clone(),
            Some((r.low, r.high)),
            false,
            format!("sensitivity.ranges.\"{p}\""),
        );
    }
    for s in &a.params {
        match s.rsplit_once('=') {
            Some((p, r)) => {
                let r = parse_range(r, &format!("--param {s}"), false)?;
                if r.0 == r.1 {
                    eprintln!(
                        "warning: --param {s}: the range is empty, so this parameter shows no swing"
                    );
                }
                put(p.trim().to_string(), Some(r), false, format!("--param {s}"));
            }
            None => put(s.trim().to_string(), None, false, format!("--param {s}")),
        }
    }
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let mut entries = Vec::new();
    for (path, r, default, origin) in wanted {
        let lever = match Lever::resolve(model, &path) {
            Ok(l) => l,
            Err(e) => {
                errors.push(format!("{origin}: {e}"));
                continue;
            }
        };
        let (low, high) = match r {
            Some(r) => r,
            None => {
                let (x, y) = (lever.base * 0.9, lever.base * 1.1);
                (x.min(y), x.max(y))
            }
        };
        if low > high || !low.is_finite() || !high.is_finite() {
            errors.push(format!(
                "{origin}: the low value {low} is above the high value {high} (or not a finite number)"
            ));
            continue;
        }
        let set = LeverSet::new(vec![lever.clone()]);
        // A built-in parameter that cannot be written into this scenario at all
        // (e.g. the aggregate form's `coverage` in a fund with a group table) does
        // not apply here: skipped, as the what-if page skips it, not a note.
        if default && set.check(model, &[lever.base]).is_err() {
            continue;
        }
        let mut bad = None;
        for x in [low, high] {
            if let Err(e) = set.check(model, &[x]) {
                bad = Some((
                    x,
                    format!("{origin}: with `{path}` at {x} the scenario is invalid: {e}"),
                ));
                break;
            }
        }
        match bad {
            Some((at, m)) if default => notes.push(report::LeftOut {
                path: path.clone(),
                at,
                why: m.lines().last().unwrap_or("").trim().to_string(),
            }),
            Some((_, m)) => errors.push(m),
            None => entries.push(OneWayEntry {
                lever,
                low,
                high,
                default,
            }),
        }
    }
    if !errors.is_empty() {
        bail!("{}", errors.join("\n"));
    }
    if entries.is_empty() {
        bail!(
            "no parameter to move: the scenario has no [sensitivity.ranges] and none of the key parameters applies; name one with --param PATH"
        );
    }
    Ok((entries, notes))
}

/// `drgsim sensitivity`: tornado per fund (and Sobol' indices with `--global`).
pub fn sensitivity(a: &SensitivityArgs, style: Style) -> Result<()> {
    let policy = output_policy(&a.common, &a.out)?;
    let model = load(&a.common)?;
    let spec_year = model.spec.sensitivity.as_ref().and_then(|s| s.outcome_year);
    let t = analysis::year_index(&model, a.year.or(spec_year))?;
    let year = model.years.year(t);
    let (entries, notes) = one_way_entries(&model, a)?;
    let global = if a.global {
        let mut unc = Uncertainty::of_model(&model)?;
        // the draws leave the years of record as published
        analysis::keep_observed(&model, &mut unc)?;
        if unc.paths.is_empty() {
            bail!("--global needs uncertain parameters: add [uncertainty.params] to the scenario");
        }
        if a.samples < 2 {
            bail!("--samples must be at least 2");
        }
        Some(unc)
    } else {
        None
    };
    let ow = analysis::one_way(&model, entries, t)?;
    let sobol = match &global {
        Some(unc) => {
            let pb = progress(1, "sobol");
            let r = analysis::sobol(&model, unc, a.samples, a.seed.unwrap_or(unc.seed), t)?;
            pb.finish_and_clear();
            Some(r)
        }
        None => None,
    };

    let out = OutputDir::create_with(&a.out, &policy)?;
    let global = match (&sobol, &global) {
        (Some(results), Some(unc)) => Some(report::Global {
            results,
            paths: &unc.paths,
            samples: a.samples,
        }),
        _ => None,
    };
    report::write_sensitivity(
        out.path(),
        &model,
        &ow,
        year,
        &notes,
        global.as_ref(),
        style,
    )?;
    let dir = out.commit()?;
    for (f, fm) in model.funds.iter().enumerate() {
        if let Some(&i) = ow.ranked(&model, f).first() {
            let (e, lo, hi) = &ow.rows[i];
            println!(
                "{}: {:.1} months in {year}; widest swing `{}` ({:.1} .. {:.1})",
                fm.id, ow.base[f].months, e.lever.path, lo[f].months, hi[f].months
            );
        }
    }
    println!("wrote {}", dir.display());
    Ok(())
}

fn parse_axis(model: &Model, s: &str, flag: &str) -> Result<(Lever, Axis)> {
    let (path, r) = s
        .rsplit_once('=')
        .ok_or_else(|| anyhow!("{flag} {s}: needs the form PATH=LOW:HIGH:STEPS"))?;
    let parts: Vec<&str> = r.split(':').collect();
    let [lo, hi, steps] = parts.as_slice() else {
        bail!("{flag} {s}: needs the form PATH=LOW:HIGH:STEPS");
    };
    let what = format!("{flag} {s}");
    let (lo, hi) = (parse_num(lo, &what)?, parse_num(hi, &what)?);
    let steps: usize = steps
        .trim()
        .parse()
        .map_err(|_| anyhow!("{what}: STEPS `{steps}` is not a whole number"))?;
    if lo >= hi {
        bail!("{what}: the low bound {lo} must be below the high bound {hi}");
    }
    if !(2..=201).contains(&steps) {
        bail!("{what}: STEPS must be between 2 and 201 (got {steps})");
    }
    let lever = Lever::resolve(model, path).with_context(|| what.clone())?;
    Ok((lever, Axis::new(lo, hi, steps)))
}

/// `drgsim grid`: months payable over two parameters.
pub fn grid(a: &GridArgs, style: Style) -> Result<()> {
    let policy = output_policy(&a.common, &a.out)?;
    let model = load(&a.common)?;
    let t = analysis::year_index(&model, a.year)?;
    let year = model.years.year(t);
    let (lx, ax) = parse_axis(&model, &a.x, "--x")?;
    let (ly, ay) = parse_axis(&model, &a.y, "--y")?;
    if lx.path == ly.path {
        bail!("--x and --y name the same parameter `{}`", lx.path);
    }
    let set = LeverSet::new(vec![lx.clone(), ly.clone()]);
    for x in [ax.lo, ax.hi] {
        for y in [ay.lo, ay.hi] {
            set.check(&model, &[x, y]).with_context(|| {
                format!(
                    "with `{}` at {x} and `{}` at {y} the scenario is invalid",
                    lx.path, ly.path
                )
            })?;
        }
    }
    let pb = progress((ax.steps * ay.steps) as u64, "grid");
    let g = analysis::two_way(&model, (&lx, ax), (&ly, ay), t, Some(&pb))?;
    pb.finish_and_clear();

    let out = OutputDir::create_with(&a.out, &policy)?;
    let table = Grid {
        x: &lx,
        y: &ly,
        table: &g,
        year,
    };
    report::write_grid(out.path(), &model, &table, style)?;
    let dir = out.commit()?;
    println!("wrote {}", dir.display());
    Ok(())
}

/// `drgsim montecarlo`: runway bands over the `[uncertainty]` parameters.
pub fn montecarlo(a: &MonteCarloArgs, style: Style) -> Result<()> {
    let policy = output_policy(&a.common, &a.out)?;
    let model = load(&a.common)?;
    let mut unc = Uncertainty::of_model(&model)?;
    // the draws leave the years of record as published (a draw on enrollment
    // decline must not move a published year's membership)
    analysis::keep_observed(&model, &mut unc)?;
    if unc.paths.is_empty() {
        bail!(
            "the scenario declares no uncertain parameters: add [uncertainty.params.\"<path>\"] sections (see README)"
        );
    }
    let n = a.paths.unwrap_or(unc.n_paths);
    let seed = a.seed.unwrap_or(unc.seed);
    if n == 0 {
        bail!("--paths must be at least 1");
    }
    if a.threads == Some(0) {
        bail!("--threads must be at least 1 (omit it to use all cores)");
    }
    let pb = progress(n, "paths");
    let mc = drgsim::analysis::monte_carlo(&model, &unc, n, seed, a.threads, Some(&pb))?;
    pb.finish_and_clear();

    let out = OutputDir::create_with(&a.out, &policy)?;
    report::write_montecarlo(out.path(), &model, &unc, &mc, style)?;
    let dir = out.commit()?;
    for fb in &mc.funds {
        let t = mc.years.len() - 1;
        println!(
            "{}: months payable in {}: median {:.1} (90 % band {:.1} .. {:.1}); P(depleted) {:.1} %",
            fb.id,
            mc.years[t],
            fb.months.quantiles[t][2],
            fb.months.quantiles[t][0],
            fb.months.quantiles[t][4],
            fb.balance.prob_below[t][0] * 100.0
        );
    }
    println!("wrote {}", dir.display());
    Ok(())
}

/// `drgsim solve`: the value of one parameter that keeps the runway at a target.
pub fn solve(a: &SolveArgs, style: Style) -> Result<()> {
    let policy = output_policy(&a.common, &a.out)?;
    let model = load(&a.common)?;
    let lever = Lever::resolve(&model, &a.param).context("--param")?;
    if !a.target_months.is_finite() {
        bail!("--target-months must be a finite number");
    }
    let window = match a.year {
        Some(y) => Window::year(analysis::year_index(&model, Some(y))?),
        None => Window::of_years(&model, a.from_year, a.through_year)?,
    };
    let fund_id = match (&a.fund, lever.fund()) {
        (Some(f), _) => f.clone(),
        (None, Some(f)) => f.to_string(),
        (None, None) if model.funds.len() == 1 => model.funds[0].id.clone(),
        (None, None) => bail!(
            "`{}` is not a parameter of one fund and the scenario has {} funds; choose one with --fund ({})",
            lever.path,
            model.funds.len(),
            model
                .funds
                .iter()
                .map(|f| f.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let fund = model
        .funds
        .iter()
        .position(|f| f.id == fund_id)
        .ok_or_else(|| anyhow!("--fund {fund_id}: no such fund in the scenario"))?;
    // Years of record stay as published unless --move-from says otherwise.
    let move_from = match (a.move_from, lever.part()) {
        (Some(y), _) => y,
        (None, None) => model.years.base_year,
        (None, Some(_)) => {
            analysis::default_move_from(&model, Some(lever.fund().unwrap_or(&fund_id)))
        }
    };
    let lever = lever
        .moved_from(analysis::year_index(&model, Some(move_from)).context("--move-from")?)
        .context("--move-from")?;
    let range = match &a.range {
        Some(r) => parse_range(r, "--range", true)?,
        None => analysis::default_range(&lever),
    };
    let set = LeverSet::new(vec![lever.clone()]);
    let mut buf = drgsim::analysis::Buffers::for_model(&model);
    for x in [range.0, range.1] {
        let shown = if x != 0.0 && !(1e-4..1e9).contains(&x.abs()) {
            format!("{x:e}")
        } else {
            x.to_string()
        };
        let why = |e: String| {
            anyhow!(
                "with `{}` at {shown} (an end of the search range) the scenario is invalid; choose --range LOW:HIGH: {e}",
                lever.path
            )
        };
        set.check(&model, &[x]).map_err(|e| why(format!("{e:#}")))?;
        // a range end whose projection overflows cannot give a reportable answer
        let p = drgsim::analysis::project_levers(&model, &set, &[x], &mut buf)
            .map_err(|e| why(format!("{e:#}")))?;
        drgsim::report::check_projection(p).map_err(|e| why(e.to_string()))?;
    }
    let probability = match a.probability {
        None => None,
        Some(p) => {
            if !(p > 0.0 && p < 1.0) {
                bail!("--probability must be between 0 and 1 (got {p})");
            }
            if a.paths == 0 {
                bail!("--paths must be at least 1");
            }
            let mut unc = Uncertainty::of_model(&model)?;
            if unc.paths.is_empty() {
                bail!(
                    "--probability needs uncertain parameters: add [uncertainty.params] to the scenario"
                );
            }
            // the draws, like the solved lever, leave the years of record as published
            analysis::keep_observed(&model, &mut unc)?;
            let seed = a.seed.unwrap_or(unc.seed);
            Some((p, a.paths, seed, unc))
        }
    };
    let spec = SolveSpec {
        lever: lever.clone(),
        fund,
        target_months: a.target_months,
        window,
        range,
        probability,
        threads: a.threads,
    };
    let exact = analysis::solve(&model, &spec)?;
    let r = analysis::round_for_notice(&model, &spec, &exact)?;
    let set_str = report::solve_set_string(&model, &spec, &r);
    let when = window.describe(&model);
    let measure = match &spec.probability {
        Some((p, n, _, _)) => format!(
            "the {} % quantile over {n} paths of months payable",
            analysis::quantile_percent(*p)
        ),
        None => "months payable".into(),
    };
    let out = OutputDir::create_with(&a.out, &policy)?;
    report::write_solve(out.path(), &model, &spec, &r, style)?;
    let dir = out.commit()?;
    println!(
        "{}: {} keeps {measure} >= {} {when} ({:.2} months); --set '{}'",
        lever.path, r.value, a.target_months, r.achieved, set_str
    );
    println!("wrote {}", dir.display());
    Ok(())
}
