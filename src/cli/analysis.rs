//! `drgsim sensitivity`, `grid`, `montecarlo` and `solve`: the analyses of
//! [`crate::analysis::runs`] with their CSV, Markdown and charts.
//!
//! Every input is checked (parameter paths, ranges, distributions, the
//! scenario at the range ends) before the output directory is created, and the
//! directory appears only when every file has been written.

use crate::analysis::Axis;
use crate::analysis::levers::{Lever, LeverSet, Part, set_arg};
use crate::analysis::runs::{self, OneWayEntry, Outcome, SolveSpec, Uncertainty};
use crate::analysis::solve::{self, Window};
use crate::projection::Model;
use crate::report::atomic::{OutputDir, OutputPolicy, check_output, write_atomic};
use crate::report::chart::{self, Fan, Heatmap, Tornado, TornadoRow};
use crate::report::labels::{self, Key, Lang, Style};
use crate::report::markdown::{fmt_num, table};
use crate::report::projection::{csv_num, runway_bands};
use crate::report::workbook;
use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Options every analysis command shares.
#[derive(Debug, Args)]
pub struct Common {
    /// Scenario file (default: the bundled Chuxiong scenario, rules as practised with the stress test beside).
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

/// A parameter name without the `funds.<id>.` prefix.
/// A workbook sheet name in the report's language.
fn sheet_title(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

/// "Fund: months payable in YEAR" in the report's language.
fn month_title(model: &Model, fm: &crate::projection::FundModel, year: i32, lang: Lang) -> String {
    let name = labels::fund_name(model, &fm.id, &fm.name, fm.kind, lang);
    match lang {
        Lang::Zh => format!("{name}：{year}年可支付月数"),
        Lang::En => format!("{name}: months payable in {year}"),
    }
}

fn short_name(path: &str) -> String {
    match path.strip_prefix("funds.") {
        Some(rest) => rest.split_once('.').map_or(rest, |(_, r)| r).to_string(),
        None => path.to_string(),
    }
}

fn setting(lever: &Lever, x: f64) -> String {
    if lever.part() == Some(Part::Scale) {
        return format!("x{x:.2}");
    }
    if lever.part() == Some(Part::Shift) {
        // a share or a rate moved by percentage points
        let points = crate::scenario::registry::lookup(lever.param_path()).is_some_and(|d| {
            use crate::scenario::registry::Unit;
            matches!(d.unit, Unit::Share | Unit::Rate | Unit::Change)
        });
        return if points {
            format!("{:+.1}pp", x * 100.0)
        } else {
            format!("{x:+.4}")
        };
    }
    let a = x.abs();
    if a >= 1000.0 {
        fmt_num(x, 0)
    } else if a >= 10.0 {
        fmt_num(x, 1)
    } else if a >= 0.1 {
        format!("{x:.3}")
    } else {
        format!("{x:.4}")
    }
}

fn year_cell(y: Option<i32>) -> String {
    y.map(|y| y.to_string()).unwrap_or_default()
}

fn year_md(y: Option<i32>) -> String {
    y.map(|y| y.to_string()).unwrap_or_else(|| "never".into())
}

/// The one-way entries: built-in defaults, then `[sensitivity.ranges]`, then
/// `--param`, later ones replacing earlier ones for the same path. User ranges
/// that make the scenario invalid are errors; defaults that do are left out
/// (returned as notes).
fn one_way_entries(model: &Model, a: &SensitivityArgs) -> Result<(Vec<OneWayEntry>, Vec<String>)> {
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
        for (p, lo, hi) in runs::default_ranges(model) {
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
        let mut bad = None;
        for x in [low, high] {
            if let Err(e) = set.check(model, &[x]) {
                bad = Some(format!(
                    "{origin}: with `{path}` at {x} the scenario is invalid: {e}"
                ));
                break;
            }
        }
        match bad {
            Some(m) if default => notes.push(format!(
                "left out `{path}` (default range): {}",
                m.lines().last().unwrap_or("").trim()
            )),
            Some(m) => errors.push(m),
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
    let lang = style.lang;
    let model = load(&a.common)?;
    let spec_year = model.spec.sensitivity.as_ref().and_then(|s| s.outcome_year);
    let t = runs::year_index(&model, a.year.or(spec_year))?;
    let year = model.years.year(t);
    let (entries, notes) = one_way_entries(&model, a)?;
    let global = if a.global {
        let unc = Uncertainty::of_model(&model)?;
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
    let ow = runs::one_way(&model, entries, t)?;
    let sobol = match &global {
        Some(unc) => {
            let pb = progress(1, "sobol");
            let r = runs::sobol(&model, unc, a.samples, a.seed.unwrap_or(unc.seed), t)?;
            pb.finish_and_clear();
            Some(r)
        }
        None => None,
    };

    let out = OutputDir::create_with(&a.out, &policy)?;
    let mut csv = String::from(
        "fund,rank,param,low,high,default,outcome_year,ranked_by,swing_ranked,months_base,months_low,months_high,swing_months,first_warning_base,first_warning_low,first_warning_high,depletion_base,depletion_low,depletion_high,cumulative_surplus_base_wan,cumulative_surplus_low_wan,cumulative_surplus_high_wan\n",
    );
    let mut md = format!(
        "# One-way sensitivity: {}\n\nEach parameter moved alone to its low and high setting, every other parameter as in the scenario. Ranked by the swing of months payable in {year} clipped at 0 (a depleted fund counts 0; `ranked_by` and `swing_ranked` in tornado.csv), ties by the swing of the depletion year. Default ranges in natural units: a level x0.9..x1.1, a share or yearly rate +-1 percentage point (pp), DRG/DIP coverage +-5 pp, a growth form's growth +-1 pp. `xF` = the parameter's whole path multiplied by F.\n\n",
        model.name
    );
    for (f, fm) in model.funds.iter().enumerate() {
        let base: &Outcome = &ow.base[f];
        let ranked = ow.ranked(&model, f);
        let mut rows = Vec::new();
        let mut bars = Vec::new();
        for (rank, &i) in ranked.iter().enumerate() {
            let (e, lo, hi) = &ow.rows[i];
            let (lo, hi) = (&lo[f], &hi[f]);
            let swing = (hi.months - lo.months).abs();
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{},{year},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                fm.id,
                rank + 1,
                e.lever.path,
                e.low,
                e.high,
                e.default,
                runs::RANKED_BY,
                csv_num(runs::ranking_swing(lo, hi), 4),
                csv_num(base.months, 4),
                csv_num(lo.months, 4),
                csv_num(hi.months, 4),
                csv_num(swing, 4),
                year_cell(base.first_warning),
                year_cell(lo.first_warning),
                year_cell(hi.first_warning),
                year_cell(base.depletion),
                year_cell(lo.depletion),
                year_cell(hi.depletion),
                csv_num(base.cumulative_surplus_wan, 1),
                csv_num(lo.cumulative_surplus_wan, 1),
                csv_num(hi.cumulative_surplus_wan, 1),
            );
            rows.push(vec![
                (rank + 1).to_string(),
                format!("`{}`", short_name(&e.lever.path)),
                setting(&e.lever, e.low),
                setting(&e.lever, e.high),
                fmt_num(lo.months, 2),
                fmt_num(hi.months, 2),
                fmt_num(swing, 2),
                format!(
                    "{} / {}",
                    year_md(lo.first_warning),
                    year_md(hi.first_warning)
                ),
                format!("{} / {}", year_md(lo.depletion), year_md(hi.depletion)),
                format!(
                    "{} / {}",
                    fmt_num(lo.cumulative_surplus_wan, 0),
                    fmt_num(hi.cumulative_surplus_wan, 0)
                ),
            ]);
            bars.push(TornadoRow {
                label: labels::param_label(&e.lever.path, lang),
                low_outcome: lo.months,
                high_outcome: hi.months,
                low_setting: setting(&e.lever, e.low),
                high_setting: setting(&e.lever, e.high),
            });
        }
        let _ = write!(
            md,
            "## {} (`{}`)\n\nBase case: {} months payable in {year}; first year below warning {}; depletion {}; cumulative surplus {}万.\n\n",
            fm.name,
            fm.id,
            fmt_num(base.months, 2),
            year_md(base.first_warning),
            year_md(base.depletion),
            fmt_num(base.cumulative_surplus_wan, 0)
        );
        md.push_str(&table(
            &[
                "rank",
                "parameter",
                "low",
                "high",
                &format!("months {year} (low)"),
                &format!("months {year} (high)"),
                "swing",
                "below warning (low / high)",
                "depletion (low / high)",
                "cumulative surplus 万 (low / high)",
            ],
            &rows,
        ));
        let _ = writeln!(md, "\n![tornado](tornado_{}.svg)\n", fm.id);
        if base.months.is_finite() && !bars.is_empty() {
            chart::tornado(
                &out.path().join(format!("tornado_{}", fm.id)),
                &Tornado {
                    title: month_title(&model, fm, year, lang),
                    x_label: format!("{} {year}", style.t(Key::MonthsPayable)),
                    base_outcome: base.months,
                    rows: bars,
                    legend: match lang {
                        Lang::Zh => vec!["基准".into(), "参数取低值".into(), "参数取高值".into()],
                        Lang::En => vec![],
                    },
                },
            )?;
        }
    }
    if !notes.is_empty() {
        md.push_str("Notes:\n\n");
        for n in &notes {
            let _ = writeln!(md, "- {n}");
        }
        md.push('\n');
    }
    write_atomic(&out.path().join("tornado.csv"), csv.as_bytes())?;
    if let (Some(sobol), Some(unc)) = (&sobol, &global) {
        let mut scsv = String::from("fund,param,first_order,first_order_se,total,total_se\n");
        let _ = write!(
            md,
            "# Global sensitivity (Sobol' indices)\n\nOver the [uncertainty] distributions (marginals; correlation ignored), outcome months payable in {year}; {} base samples, {} runs per fund. First order = share of the variance due to the parameter alone; total = including its interactions.\n\n",
            a.samples,
            sobol.first().map_or(0, |s| s.n_evals)
        );
        for (f, s) in sobol.iter().enumerate() {
            let fm = &model.funds[f];
            let mut order: Vec<usize> = (0..unc.paths.len()).collect();
            order.sort_by(|&i, &j| s.total[j].total_cmp(&s.total[i]));
            let mut rows = Vec::new();
            for i in order {
                let _ = writeln!(
                    scsv,
                    "{},{},{},{},{},{}",
                    fm.id,
                    unc.paths[i],
                    csv_num(s.first[i], 4),
                    csv_num(s.first_se[i], 4),
                    csv_num(s.total[i], 4),
                    csv_num(s.total_se[i], 4)
                );
                rows.push(vec![
                    format!("`{}`", short_name(&unc.paths[i])),
                    format!("{} ± {}", fmt_num(s.first[i], 3), fmt_num(s.first_se[i], 3)),
                    format!("{} ± {}", fmt_num(s.total[i], 3), fmt_num(s.total_se[i], 3)),
                ]);
            }
            let _ = write!(
                md,
                "## {} (`{}`)\n\nMean {} months, standard deviation {}.\n\n",
                fm.name,
                fm.id,
                fmt_num(s.mean, 2),
                fmt_num(s.variance.sqrt(), 2)
            );
            md.push_str(&table(&["parameter", "first order", "total"], &rows));
            md.push('\n');
        }
        write_atomic(&out.path().join("sobol.csv"), scsv.as_bytes())?;
    }
    write_atomic(&out.path().join("sensitivity.md"), md.as_bytes())?;
    let mut tables = vec![(sheet_title(lang, "敏感性", "tornado"), "tornado.csv")];
    if out.path().join("sobol.csv").exists() {
        tables.push((sheet_title(lang, "Sobol指数", "sobol"), "sobol.csv"));
    }
    let tables: Vec<(&str, &str)> = tables.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    workbook::command_reports(
        out.path(),
        style,
        &labels::scenario_name(&model, lang),
        Some(&model),
        &tables,
        &md,
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
    let lang = style.lang;
    let model = load(&a.common)?;
    let t = runs::year_index(&model, a.year)?;
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
    let g = runs::two_way(&model, (&lx, ax), (&ly, ay), t, Some(&pb))?;
    pb.finish_and_clear();

    let out = OutputDir::create_with(&a.out, &policy)?;
    let mut csv = String::from("fund,year,x_param,x,y_param,y,months_payable\n");
    let mut md = format!(
        "# Two-way table: {}\n\nMonths payable in {year}; rows `{}`, columns `{}`. Warning below {} months, danger below {}.\n\n",
        model.name, lx.path, ly.path, model.thresholds.warning, model.thresholds.danger
    );
    let ny = g.ys.len();
    for (f, fm) in model.funds.iter().enumerate() {
        let m = &g.months[f];
        for (ix, x) in g.xs.iter().enumerate() {
            for (iy, y) in g.ys.iter().enumerate() {
                let _ = writeln!(
                    csv,
                    "{},{year},{},{x},{},{y},{}",
                    fm.id,
                    lx.path,
                    ly.path,
                    csv_num(m[ix * ny + iy], 4)
                );
            }
        }
        let mut headers = vec![format!(
            "{} \\ {}",
            short_name(&lx.path),
            short_name(&ly.path)
        )];
        headers.extend(g.ys.iter().map(|y| setting(&ly, *y)));
        let hdr: Vec<&str> = headers.iter().map(String::as_str).collect();
        let rows: Vec<Vec<String>> =
            g.xs.iter()
                .enumerate()
                .map(|(ix, x)| {
                    std::iter::once(setting(&lx, *x))
                        .chain((0..ny).map(|iy| fmt_num(m[ix * ny + iy], 1)))
                        .collect()
                })
                .collect();
        let _ = write!(md, "## {} (`{}`)\n\n", fm.name, fm.id);
        md.push_str(&table(&hdr, &rows));
        let _ = writeln!(md, "\n![heatmap](heatmap_{}.svg)\n", fm.id);
        chart::heatmap(
            &out.path().join(format!("heatmap_{}", fm.id)),
            &Heatmap {
                title: month_title(&model, fm, year, lang),
                x_label: labels::param_label(&lx.path, lang),
                y_label: labels::param_label(&ly.path, lang),
                xs: g.xs.clone(),
                ys: g.ys.clone(),
                z: (0..ny)
                    .map(|iy| (0..g.xs.len()).map(|ix| m[ix * ny + iy]).collect())
                    .collect(),
                contours: vec![
                    (
                        model.thresholds.warning,
                        format!("{} {}", model.thresholds.warning, style.t(Key::MonthsUnit)),
                    ),
                    (
                        model.thresholds.danger,
                        format!("{} {}", model.thresholds.danger, style.t(Key::MonthsUnit)),
                    ),
                ],
                z_label: style.t(Key::MonthsPayable).into(),
            },
        )?;
    }
    write_atomic(&out.path().join("grid.csv"), csv.as_bytes())?;
    write_atomic(&out.path().join("grid.md"), md.as_bytes())?;
    workbook::command_reports(
        out.path(),
        style,
        &labels::scenario_name(&model, lang),
        Some(&model),
        &[(&sheet_title(lang, "双参数表", "grid"), "grid.csv")],
        &md,
    )?;
    let dir = out.commit()?;
    println!("wrote {}", dir.display());
    Ok(())
}

/// `drgsim montecarlo`: runway bands over the `[uncertainty]` parameters.
pub fn montecarlo(a: &MonteCarloArgs, style: Style) -> Result<()> {
    let policy = output_policy(&a.common, &a.out)?;
    let lang = style.lang;
    let model = load(&a.common)?;
    let unc = Uncertainty::of_model(&model)?;
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
    let mc = runs::monte_carlo(&model, &unc, n, seed, a.threads, Some(&pb))?;
    pb.finish_and_clear();

    let out = OutputDir::create_with(&a.out, &policy)?;
    let mut csv = String::from(
        "fund,year,months_p05,months_p25,months_p50,months_p75,months_p95,months_mean,balance_p05,balance_p25,balance_p50,balance_p75,balance_p95,p_below_warning,p_below_danger,p_depleted\n",
    );
    let mut md = format!(
        "# Monte Carlo runway bands: {}\n\n{n} paths, seed {seed}; each path draws every uncertain parameter from its own random stream, so the result does not depend on the number of threads.\n\n",
        model.name
    );
    let dist_rows: Vec<Vec<String>> = unc
        .paths
        .iter()
        .zip(unc.sampler.specs())
        .map(|(p, s)| {
            vec![
                format!("`{p}`"),
                serde_json::to_string(s).unwrap_or_default(),
            ]
        })
        .collect();
    md.push_str("Uncertain parameters:\n\n");
    md.push_str(&table(&["parameter", "distribution"], &dist_rows));
    if let Some(c) = model
        .spec
        .uncertainty
        .as_ref()
        .and_then(|u| u.correlation.as_ref())
    {
        md.push_str("\nCorrelations:\n\n");
        for (x, y, r) in &c.pairs {
            let _ = writeln!(md, "- `{x}` and `{y}`: {r}");
        }
    }
    md.push('\n');
    for (fb, fm) in mc.funds.iter().zip(&model.funds) {
        let mut rows = Vec::new();
        for (t, y) in mc.years.iter().enumerate() {
            let mq = &fb.months.quantiles[t];
            let bq = &fb.balance.quantiles[t];
            let pw = fb.months.prob_below[t][0];
            let pd = fb.months.prob_below[t][1];
            let pz = fb.balance.prob_below[t][0];
            let _ = writeln!(
                csv,
                "{},{y},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                fb.id,
                csv_num(mq[0], 4),
                csv_num(mq[1], 4),
                csv_num(mq[2], 4),
                csv_num(mq[3], 4),
                csv_num(mq[4], 4),
                csv_num(fb.months.mean[t], 4),
                csv_num(bq[0], 2),
                csv_num(bq[1], 2),
                csv_num(bq[2], 2),
                csv_num(bq[3], 2),
                csv_num(bq[4], 2),
                csv_num(pw, 4),
                csv_num(pd, 4),
                csv_num(pz, 4),
            );
            rows.push(vec![
                y.to_string(),
                fmt_num(mq[0], 1),
                fmt_num(mq[2], 1),
                fmt_num(mq[4], 1),
                fmt_num(bq[2], 0),
                format!("{:.1} %", pw * 100.0),
                format!("{:.1} %", pd * 100.0),
                format!("{:.1} %", pz * 100.0),
            ]);
        }
        let _ = write!(md, "## {} (`{}`)\n\n", fm.name, fm.id);
        md.push_str(&table(
            &[
                "year",
                "months p05",
                "months p50",
                "months p95",
                "balance p50 (万)",
                "P(< warning)",
                "P(< danger)",
                "P(depleted)",
            ],
            &rows,
        ));
        let _ = writeln!(md, "\n![fan](fan_{}.svg)\n", fm.id);
        let col = |j: usize| fb.months.quantiles.iter().map(|q| q[j]).collect();
        chart::fan_chart(
            &out.path().join(format!("fan_{}", fm.id)),
            &Fan {
                title: match lang {
                    Lang::Zh => format!(
                        "{}：可支付月数（{n}条模拟路径）",
                        labels::fund_name(&model, &fm.id, &fm.name, fm.kind, lang)
                    ),
                    Lang::En => format!("{}: months payable, {n} paths", fm.name),
                },
                y_label: style.t(Key::MonthsAxis).into(),
                x_label: style.t(Key::Year).into(),
                legend: match lang {
                    Lang::Zh => vec![
                        "5%–95%模拟路径".into(),
                        "25%–75%模拟路径".into(),
                        "中位数".into(),
                    ],
                    Lang::En => vec![],
                },
                years: mc.years.clone(),
                p05: col(0),
                p25: col(1),
                p50: col(2),
                p75: col(3),
                p95: col(4),
                bands: runway_bands(&model, lang),
            },
        )?;
    }
    write_atomic(&out.path().join("montecarlo.csv"), csv.as_bytes())?;
    write_atomic(&out.path().join("montecarlo.md"), md.as_bytes())?;
    workbook::command_reports(
        out.path(),
        style,
        &labels::scenario_name(&model, lang),
        Some(&model),
        &[(
            &sheet_title(lang, "蒙特卡洛区间", "montecarlo"),
            "montecarlo.csv",
        )],
        &md,
    )?;
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
pub fn solve(a: &SolveArgs, _style: Style) -> Result<()> {
    let policy = output_policy(&a.common, &a.out)?;
    let model = load(&a.common)?;
    let lever = Lever::resolve(&model, &a.param).context("--param")?;
    if !a.target_months.is_finite() {
        bail!("--target-months must be a finite number");
    }
    let window = match a.year {
        Some(y) => Window::year(runs::year_index(&model, Some(y))?),
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
    // Observed years stay as published unless --move-from says otherwise.
    let move_from = match (a.move_from, lever.part()) {
        (Some(y), _) => y,
        (None, None) => model.years.base_year,
        (None, Some(_)) => solve::default_move_from(&model, Some(lever.fund().unwrap_or(&fund_id))),
    };
    let lever = lever
        .moved_from(runs::year_index(&model, Some(move_from)).context("--move-from")?)
        .context("--move-from")?;
    let range = match &a.range {
        Some(r) => parse_range(r, "--range", true)?,
        None => runs::default_range(&lever),
    };
    let set = LeverSet::new(vec![lever.clone()]);
    let mut buf = crate::analysis::levers::Buffers::for_model(&model);
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
        let p = crate::analysis::levers::project_levers(&model, &set, &[x], &mut buf)
            .map_err(|e| why(format!("{e:#}")))?;
        crate::report::bounds::check_projection(p).map_err(|e| why(e.to_string()))?;
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
            let unc = Uncertainty::of_model(&model)?;
            if unc.paths.is_empty() {
                bail!(
                    "--probability needs uncertain parameters: add [uncertainty.params] to the scenario"
                );
            }
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
    let exact = runs::solve(&model, &spec)?;
    let rounded = solve::round_for_notice(&model, &spec, &exact)?;
    let r = runs::Solved {
        value: rounded.value,
        achieved: rounded.achieved,
        ..exact
    };
    let sets = set.to_sets_for(&model, &[r.value]);
    let set_str = sets
        .iter()
        .map(|(p, v)| set_arg(p, v))
        .next()
        .unwrap_or_default();
    let when = window.describe(&model);
    let single_year = (window.from == window.through).then(|| model.years.year(window.from));
    let json = serde_json::json!({
        "param": lever.path,
        "fund": fund_id,
        "value": r.value,
        "value_exact": exact.value,
        "rounded_to": if rounded.rounded_to.is_nan() { None } else { Some(rounded.rounded_to) },
        "rounded_to_text": rounded.rounded_to_text,
        "set": set_str,
        "target_months": a.target_months,
        "year": single_year,
        "from_year": model.years.year(window.from),
        "through_year": model.years.year(window.through),
        "move_from": move_from,
        "achieved_months": r.achieved,
        "achieved_months_exact": exact.achieved,
        "probability": a.probability,
        "paths": spec.probability.as_ref().map(|p| p.1),
        "seed": spec.probability.as_ref().map(|p| p.2),
        "bracket": [range.0, range.1],
        "direction": if r.increasing { "smallest value meeting the target" } else { "largest value meeting the target" },
        "nearest_miss": { "value": if r.miss_value.is_nan() { None } else { Some(r.miss_value) }, "months": if r.miss_achieved.is_nan() { None } else { Some(r.miss_achieved) } },
        "scenario_value": lever.base,
        "evaluations": r.evaluations,
    });
    let measure = match &spec.probability {
        Some((p, n, _, _)) => format!(
            "the {:.0} % quantile over {n} paths of months payable",
            (1.0 - p) * 100.0
        ),
        None => "months payable".into(),
    };
    let md = format!(
        "# Goal seek: {}\n\nFund `{fund_id}`: {} of `{}` keeping {measure} at or above {} {when}{}.\n\n| | |\n| --- | --- |\n| value found | {} |\n| exact value | {} (rounded to {} towards the target) |\n| scenario value | {} |\n| moved from | {move_from} (earlier years as in the scenario) |\n| months achieved | {} |\n| search range | {} .. {} |\n| reproduce with | `--set '{}'` |\n",
        model.name,
        if r.increasing {
            "the smallest value"
        } else {
            "the largest value"
        },
        lever.path,
        a.target_months,
        a.probability
            .map(|p| format!(" with probability {p}"))
            .unwrap_or_default(),
        r.value,
        exact.value,
        rounded.rounded_to_text,
        lever.base,
        fmt_num(r.achieved, 3),
        range.0,
        range.1,
        set_str,
    );
    let out = OutputDir::create_with(&a.out, &policy)?;
    write_atomic(
        &out.path().join("solve.json"),
        serde_json::to_string_pretty(&json)?.as_bytes(),
    )?;
    write_atomic(&out.path().join("solve.md"), md.as_bytes())?;
    let solve_csv = {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "param",
            "default",
            "value",
            "value_exact",
            "rounded_to",
            "from_year",
            "through_year",
            "move_from",
            "months_payable",
        ])?;
        w.write_record([
            lever.path.clone(),
            lever.base.to_string(),
            r.value.to_string(),
            exact.value.to_string(),
            if rounded.rounded_to.is_nan() {
                String::new()
            } else {
                rounded.rounded_to.to_string()
            },
            model.years.year(window.from).to_string(),
            model.years.year(window.through).to_string(),
            move_from.to_string(),
            r.achieved.to_string(),
        ])?;
        w.into_inner()?
    };
    write_atomic(&out.path().join("solve.csv"), &solve_csv)?;
    workbook::command_reports(
        out.path(),
        _style,
        &labels::scenario_name(&model, _style.lang),
        Some(&model),
        &[(&sheet_title(_style.lang, "目标求解", "solve"), "solve.csv")],
        &md,
    )?;
    let dir = out.commit()?;
    println!(
        "{}: {} keeps {measure} >= {} {when} ({:.2} months); --set '{}'",
        lever.path, r.value, a.target_months, r.achieved, set_str
    );
    println!("wrote {}", dir.display());
    Ok(())
}
