//! The analyses of a compiled model: one-way (tornado), two-way (grid), Monte
//! Carlo runway bands, goal seek and Sobol' indices. Each moves parameters
//! through [`levers`](super::levers) and runs the pure year loop on per-thread
//! buffers; the command line writes the reports.

use super::error::{Result, bail, err};
use super::levers::{Buffers, Lever, LeverSet, project_levers, scenario_key};
use super::window::Window;
use super::{
    Axis, DistSpec, Monotone, Sampler, SobolResult, path_rng, seek_target, sobol_for_sampler,
};
use crate::fund::RunwaySummary;
use crate::projection::{Model, Projection};
use crate::scenario::Param;
use crate::scenario::registry::{self, Tornado};
use crate::scenario::schema::{FundKind, UncertaintySpec};
use indicatif::ProgressBar;
use rayon::prelude::*;

/// Default number of Monte Carlo paths.
pub const DEFAULT_PATHS: u64 = 10_000;
/// Default Monte Carlo seed.
pub const DEFAULT_SEED: u64 = 20_231_231;
/// Quantiles reported by Monte Carlo.
pub const MC_PROBS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// The runway outcomes of one fund in one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// Months payable at the outcome year.
    pub months: f64,
    /// Months payable at the horizon.
    pub horizon_months: f64,
    /// First year below the warning line.
    pub first_warning: Option<i32>,
    /// First year below the danger line.
    pub first_danger: Option<i32>,
    /// First year with a negative balance.
    pub depletion: Option<i32>,
    /// Sum of pooled surpluses, 万元.
    pub cumulative_surplus_wan: f64,
}

/// Outcomes of every fund of `p`, months read at year index `t`.
pub fn outcomes(model: &Model, p: &Projection, t: usize) -> Vec<Outcome> {
    p.funds
        .iter()
        .map(|f| {
            let s = RunwaySummary::of(&f.rows, &model.thresholds);
            let months = f.rows.get(t).map_or(f64::NAN, |r| r.months_payable);
            match s {
                Some(s) => Outcome {
                    months,
                    horizon_months: s.horizon_months,
                    first_warning: s.first_warning,
                    first_danger: s.first_danger,
                    depletion: s.depletion,
                    cumulative_surplus_wan: s.cumulative_surplus_wan,
                },
                None => Outcome {
                    months,
                    horizon_months: f64::NAN,
                    first_warning: None,
                    first_danger: None,
                    depletion: None,
                    cumulative_surplus_wan: f64::NAN,
                },
            }
        })
        .collect()
}

/// Year index of `year` (default: the horizon), or an error naming the range.
pub fn year_index(model: &Model, year: Option<i32>) -> Result<usize> {
    let y = year.unwrap_or(model.years.horizon);
    model.years.index(y).ok_or_else(|| {
        err!(
            "year {y} is outside the projection {}..={}",
            model.years.base_year,
            model.years.horizon
        )
    })
}

// ---------------------------------------------------------------- one-way

/// One parameter of a one-way sensitivity run.
#[derive(Clone, Debug)]
pub struct OneWayEntry {
    /// The lever.
    pub lever: Lever,
    /// Low setting.
    pub low: f64,
    /// High setting.
    pub high: f64,
    /// Whether this came from the built-in defaults (+-10 %).
    pub default: bool,
}

/// The built-in key parameters of each fund, as `(path, low, high)`: those
/// the parameter registry marks with a tornado range, in natural units
/// ([`Tornado`]): a level scaled +-10 % (`.scale`), a share or yearly rate
/// moved +-1 percentage point (`.shift`, or `.base` of a `{ base, growth }`
/// form; DRG/DIP coverage +-5 points) and kept inside its allowed range, the
/// growth of a `{ base, growth }` form +-1 point (`.growth`; aging speed as
/// the growth of `demography.mortality_multiplier`). Only parameters the
/// scenario registers; a scaled parameter that is zero in every year, a
/// growth lever on a parameter with no growth form and a share already at
/// both ends of its range are left out.
pub fn default_ranges(model: &Model) -> Vec<(String, f64, f64)> {
    let mut out = Vec::new();
    for f in &model.funds {
        for d in registry::PARAMS {
            let applies = match d.applies {
                registry::Applies::All => true,
                registry::Applies::Resident => f.kind == FundKind::Resident,
                registry::Applies::Employee => f.kind == FundKind::Employee,
            };
            if !applies {
                continue;
            }
            let p = format!("funds.{}.{}", f.id, d.path);
            match d.tornado {
                None => {}
                Some(Tornado::GrowthPoints(step)) => {
                    let g = format!("{p}.growth");
                    if let Ok(l) = Lever::resolve(model, &g) {
                        out.push((g, l.base - step, l.base + step));
                    }
                }
                Some(Tornado::Scale(lo, hi)) => {
                    for p in expand_levels(&p) {
                        if let Some(id) = model.store.find(&p)
                            && model.values().row(id).iter().any(|v| *v != 0.0)
                        {
                            out.push((format!("{p}.scale"), lo, hi));
                        }
                    }
                }
                Some(Tornado::Points(step)) => {
                    for p in expand_levels(&p) {
                        let Some(id) = model.store.find(&p) else {
                            continue;
                        };
                        let row = model.values().row(id);
                        let lowest = row.iter().copied().fold(f64::INFINITY, f64::min);
                        let highest = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        // kept inside the allowed range in every year
                        let down = (-step).max(d.min - lowest);
                        let up = step.min(d.max - highest);
                        // nothing to move (or NaN bounds)
                        if down.partial_cmp(&up) != Some(std::cmp::Ordering::Less) {
                            continue;
                        }
                        match model.store.def(id).1 {
                            Param::Growth { base, .. } => {
                                out.push((format!("{p}.base"), base + down, base + up));
                            }
                            _ => out.push((format!("{p}.shift"), down, up)),
                        }
                    }
                }
            }
        }
    }
    out
}

/// A declared path with `{level}` as the `all` entry (the one lever that
/// moves every level); any other path as it is.
fn expand_levels(p: &str) -> Vec<String> {
    vec![p.replace("{level}", "all")]
}

/// Result of [`one_way`].
#[derive(Clone, Debug)]
pub struct OneWay {
    /// Year index of the ranking outcome.
    pub t: usize,
    /// Outcomes of the unmoved scenario, per fund.
    pub base: Vec<Outcome>,
    /// Per entry: (entry, low outcomes per fund, high outcomes per fund).
    pub rows: Vec<(OneWayEntry, Vec<Outcome>, Vec<Outcome>)>,
}

/// Runs the scenario with each entry at its low and at its high setting, the
/// others as in the scenario (`2k + 1` runs, in parallel).
pub fn one_way(model: &Model, entries: Vec<OneWayEntry>, t: usize) -> Result<OneWay> {
    let sets: Vec<LeverSet> = entries
        .iter()
        .map(|e| LeverSet::new(vec![e.lever.clone()]))
        .collect();
    let runs: Vec<Result<Vec<Outcome>>> = (0..2 * entries.len() + 1)
        .into_par_iter()
        .map_init(
            || Buffers::for_model(model),
            |buf, e| {
                if e == 0 {
                    let p = project_levers(model, &LeverSet::new(vec![]), &[], buf)?;
                    return Ok(outcomes(model, p, t));
                }
                let i = (e - 1) / 2;
                let x = if e % 2 == 1 {
                    entries[i].low
                } else {
                    entries[i].high
                };
                let p = project_levers(model, &sets[i], &[x], buf)?;
                Ok(outcomes(model, p, t))
            },
        )
        .collect();
    let mut runs = runs.into_iter();
    let base = runs.next().ok_or_else(|| err!("no run"))??;
    let mut rows = Vec::new();
    for e in entries {
        let lo = runs.next().ok_or_else(|| err!("missing run"))??;
        let hi = runs.next().ok_or_else(|| err!("missing run"))??;
        rows.push((e, lo, hi));
    }
    Ok(OneWay { t, base, rows })
}

impl OneWay {
    /// Indices of the rows for fund `f` (levers of other funds left out),
    /// ranked by [`ranking_swing`], largest first, ties by the swing of the
    /// depletion year, then of the unclipped months; then input order, NaN last.
    pub fn ranked(&self, model: &Model, f: usize) -> Vec<usize> {
        let id = &model.funds[f].id;
        let mut idx: Vec<usize> = (0..self.rows.len())
            .filter(|&i| self.rows[i].0.lever.fund().is_none_or(|x| x == id))
            .collect();
        let horizon = model.years.horizon;
        let swing = |i: usize| ranking_swing(&self.rows[i].1[f], &self.rows[i].2[f]);
        let dep = |i: usize| depletion_swing(&self.rows[i].1[f], &self.rows[i].2[f], horizon);
        let raw = |i: usize| (self.rows[i].2[f].months - self.rows[i].1[f].months).abs();
        idx.sort_by(|&a, &b| {
            let (x, y) = (swing(a), swing(b));
            match (x.is_nan(), y.is_nan()) {
                (false, false) => y
                    .total_cmp(&x)
                    .then(dep(b).total_cmp(&dep(a)))
                    .then(raw(b).total_cmp(&raw(a))),
                (p, q) => p.cmp(&q),
            }
        });
        idx
    }
}

/// What the tornado ranks on, as `tornado.csv` names it.
pub const RANKED_BY: &str = "months_payable_clipped_at_0";

/// The outcome the tornado ranks on: months payable clipped at 0, so a fund
/// depleted deeper in one setting than another does not outrank a parameter
/// that decides whether it is depleted at all (months below 0 are a debt, not
/// a runway). NaN stays NaN.
pub fn bounded_months(o: &Outcome) -> f64 {
    if o.months.is_nan() {
        f64::NAN
    } else {
        o.months.max(0.0)
    }
}

/// The swing ranked on: `|bounded(high) - bounded(low)|` (`bounded_months`).
pub fn ranking_swing(low: &Outcome, high: &Outcome) -> f64 {
    (bounded_months(high) - bounded_months(low)).abs()
}

/// Tie-break: swing of the depletion year, a fund never depleted counting
/// the year after the horizon.
pub fn depletion_swing(low: &Outcome, high: &Outcome, horizon: i32) -> f64 {
    let y = |o: &Outcome| f64::from(o.depletion.unwrap_or(horizon + 1));
    (y(high) - y(low)).abs()
}

/// Checks the `[sensitivity]` and `[uncertainty]` sections of a compiled
/// scenario: outcome year in the projection, known parameter paths, low not
/// above high, valid distributions and correlations, and a scenario that stays
/// valid at the range ends and distribution tails. Used by `drgsim validate`.
pub fn check_sections(model: &Model) -> Result<()> {
    let mut errors = Vec::new();
    if let Some(s) = &model.spec.sensitivity {
        if let Some(y) = s.outcome_year
            && let Err(e) = year_index(model, Some(y))
        {
            errors.push(format!("sensitivity.outcome_year: {e}"));
        }
        for (p, r) in &s.ranges {
            let at = format!("sensitivity.ranges.\"{p}\"");
            match Lever::resolve(model, p) {
                Err(e) => errors.push(format!("{at}: {e}")),
                Ok(_) if r.low > r.high || !r.low.is_finite() || !r.high.is_finite() => errors.push(format!(
                    "{at}: the low value {} is above the high value {} (or not a finite number)",
                    r.low, r.high
                )),
                Ok(l) => {
                    let set = LeverSet::new(vec![l]);
                    for x in [r.low, r.high] {
                        if let Err(e) = set.check(model, &[x]) {
                            errors.push(format!("{at}: at {x} the scenario is invalid: {e}"));
                            break;
                        }
                    }
                }
            }
        }
    }
    if model.spec.uncertainty.is_some()
        && let Err(e) = Uncertainty::of_model(model)
    {
        errors.push(e.to_string());
    }
    if errors.is_empty() {
        Ok(())
    } else {
        bail!("{}", errors.join("\n  "))
    }
}

// ---------------------------------------------------------------- two-way

/// A two-way table of months payable: `months[f][ix * ny + iy]`.
#[derive(Clone, Debug)]
pub struct TwoWay {
    /// x values.
    pub xs: Vec<f64>,
    /// y values.
    pub ys: Vec<f64>,
    /// Per fund, row-major by x.
    pub months: Vec<Vec<f64>>,
}

/// Months payable at year index `t` over the grid `x x y` of two levers.
pub fn two_way(
    model: &Model,
    x: (&Lever, Axis),
    y: (&Lever, Axis),
    t: usize,
    progress: Option<&ProgressBar>,
) -> Result<TwoWay> {
    let xs =
        x.1.values("x")
            .map_err(|e| e.context(format!("--x {}", x.0.path)))?;
    let ys =
        y.1.values("y")
            .map_err(|e| e.context(format!("--y {}", y.0.path)))?;
    let set = LeverSet::new(vec![x.0.clone(), y.0.clone()]);
    let ny = ys.len();
    let cells: Vec<Result<Vec<f64>>> = (0..xs.len() * ny)
        .into_par_iter()
        .map_init(
            || Buffers::for_model(model),
            |buf, r| {
                let p = project_levers(model, &set, &[xs[r / ny], ys[r % ny]], buf)?;
                if let Some(pb) = progress {
                    pb.inc(1);
                }
                Ok(p.funds
                    .iter()
                    .map(|f| f.rows.get(t).map_or(f64::NAN, |r| r.months_payable))
                    .collect())
            },
        )
        .collect();
    let mut months = vec![Vec::with_capacity(cells.len()); model.funds.len()];
    for c in cells {
        for (f, v) in c?.into_iter().enumerate() {
            months[f].push(v);
        }
    }
    Ok(TwoWay { xs, ys, months })
}

// ---------------------------------------------------------------- uncertainty

/// The `[uncertainty]` section resolved against a model.
#[derive(Clone, Debug)]
pub struct Uncertainty {
    /// Paths, in the sampler's order.
    pub paths: Vec<String>,
    /// The levers moved by the draws.
    pub levers: Vec<Lever>,
    /// Marginals and correlation.
    pub sampler: Sampler,
    /// Seed from the scenario (or the default).
    pub seed: u64,
    /// Paths from the scenario (or the default).
    pub n_paths: u64,
}

impl Uncertainty {
    /// The model's `[uncertainty]` section, checked: known paths, valid
    /// distributions and correlations, and a scenario that stays valid at the
    /// far ends (quantiles 1e-6 and 1 - 1e-6) of each distribution.
    pub fn of_model(model: &Model) -> Result<Uncertainty> {
        let spec = model.spec.uncertainty.clone().unwrap_or_default();
        Uncertainty::from_spec(model, &spec)
    }

    /// As [`Uncertainty::of_model`] for a given section.
    pub fn from_spec(model: &Model, spec: &UncertaintySpec) -> Result<Uncertainty> {
        let paths: Vec<String> = spec.params.keys().cloned().collect();
        let specs: Vec<DistSpec> = spec.params.values().cloned().collect();
        let mut levers = Vec::new();
        let mut errors = Vec::new();
        for p in &paths {
            match Lever::resolve(model, p) {
                Ok(l) => levers.push(l),
                Err(e) => errors.push(format!("uncertainty.params.\"{p}\": {e}")),
            }
        }
        for (p, s) in paths.iter().zip(&specs) {
            if let Err(es) = s.validate() {
                errors.push(format!(
                    "uncertainty.params.\"{p}\": invalid {} distribution: {}",
                    s.kind(),
                    es.join("; ")
                ));
            }
        }
        let k = paths.len();
        let mut corr = None;
        if let Some(c) = &spec.correlation
            && !c.pairs.is_empty()
        {
            let mut m = nalgebra::DMatrix::identity(k, k);
            for (a, b, rho) in &c.pairs {
                let ia = paths.iter().position(|p| p == a);
                let ib = paths.iter().position(|p| p == b);
                match (ia, ib) {
                    (Some(i), Some(j)) if i != j => {
                        if !(-1.0..=1.0).contains(rho) {
                            errors.push(format!(
                                "uncertainty.correlation: {rho} for (`{a}`, `{b}`) is not a correlation between -1 and 1"
                            ));
                        }
                        m[(i, j)] = *rho;
                        m[(j, i)] = *rho;
                    }
                    (Some(_), Some(_)) => errors.push(format!(
                        "uncertainty.correlation: a parameter cannot be paired with itself (`{a}`)"
                    )),
                    _ => {
                        for (x, i) in [(a, ia), (b, ib)] {
                            if i.is_none() {
                                errors.push(format!(
                                    "uncertainty.correlation: `{x}` is not one of the [uncertainty.params]"
                                ));
                            }
                        }
                    }
                }
            }
            corr = Some(m);
        }
        if spec.paths == Some(0) {
            errors.push("uncertainty.paths: must be at least 1".into());
        }
        if !errors.is_empty() {
            bail!("{}", errors.join("\n  "));
        }
        let sampler = Sampler::new(specs, corr).map_err(|e| match e {
            super::AnalysisError::InvalidSpec { index, errors } => err!(
                "uncertainty.params.\"{}\": {}",
                paths[index],
                errors.join("; ")
            ),
            other => other.context("[uncertainty]"),
        })?;
        // The far ends of every distribution, each a compile of the
        // scenario, checked in parallel; the first failure in order is
        // reported (as when they were checked one by one).
        let scenario = scenario_key(model);
        let tails: Vec<(&Lever, f64, f64)> = levers
            .iter()
            .zip(sampler.marginals())
            .flat_map(|(l, m)| [1e-6, 1.0 - 1e-6].map(|u| (l, u, m.quantile(u))))
            .collect();
        tails
            .par_iter()
            .map(|&(l, u, x)| {
                LeverSet::new(vec![l.clone()])
                    .check_keyed(model, scenario, &[x])
                    .map_err(|e| {
                        e.context(format!(
                            "uncertainty.params.\"{}\": at {x} (the {} % quantile of its distribution) the scenario is invalid; bound the distribution with `lower`/`upper`",
                            l.path,
                            if u < 0.5 { "0.0001" } else { "99.9999" }
                        ))
                    })
            })
            .collect::<Vec<Result<()>>>()
            .into_iter()
            .collect::<Result<Vec<()>>>()?;
        Ok(Uncertainty {
            paths,
            levers,
            sampler,
            seed: spec.seed.unwrap_or(DEFAULT_SEED),
            n_paths: spec.paths.unwrap_or(DEFAULT_PATHS),
        })
    }
}

pub(super) fn in_pool<T: Send>(
    threads: Option<usize>,
    job: impl FnOnce() -> T + Send,
) -> Result<T> {
    match threads {
        None => Ok(job()),
        Some(0) => bail!("--threads must be at least 1 (omit it to use all cores)"),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| err!("could not start {n} threads: {e}"))?;
            Ok(pool.install(job))
        }
    }
}

/// Runs `n` paths: path `i` draws the uncertain parameters from
/// [`path_rng`]`(seed, i)`, appends `extra` (fixed levers after the uncertain
/// ones in `set`), projects, and maps the projection with `f`. Results are in
/// path order and the same for any thread count.
#[allow(clippy::too_many_arguments)]
pub fn mc_paths<T: Send>(
    model: &Model,
    unc: &Uncertainty,
    set: &LeverSet,
    extra: &[f64],
    n: u64,
    seed: u64,
    threads: Option<usize>,
    progress: Option<&ProgressBar>,
    f: impl Fn(&Projection) -> T + Sync,
) -> Result<Vec<T>> {
    if n == 0 {
        bail!("the number of paths must be at least 1");
    }
    crate::analysis::montecarlo::check_memory(n, std::mem::size_of::<T>() as u64)?;
    let k = unc.sampler.dim();
    let job = || -> Result<Vec<T>> {
        (0..n)
            .into_par_iter()
            .map_init(
                || {
                    let mut xs = vec![0.0; k + extra.len()];
                    xs[k..].copy_from_slice(extra);
                    (xs, Buffers::for_model(model))
                },
                |(xs, buf), path| {
                    let mut rng = path_rng(seed, path);
                    unc.sampler.sample_into(&mut rng, &mut xs[..k])?;
                    let p = project_levers(model, set, xs, buf)?;
                    if let Some(pb) = progress {
                        pb.inc(1);
                    }
                    Ok(f(p))
                },
            )
            .collect()
    };
    in_pool(threads, job)?
}

// ---------------------------------------------------------------- goal seek

/// What a goal seek asks for.
#[derive(Clone, Debug)]
pub struct SolveSpec {
    /// The lever to move.
    pub lever: Lever,
    /// Fund index whose runway must hold.
    pub fund: usize,
    /// Months payable to keep at or above.
    pub target_months: f64,
    /// The years in which the target must hold ([`Window::after_base`]:
    /// every year after the base year).
    pub window: Window,
    /// Search range.
    pub range: (f64, f64),
    /// Monte Carlo: (probability, paths, seed, uncertainty).
    pub probability: Option<(f64, u64, u64, Uncertainty)>,
    /// Threads for Monte Carlo.
    pub threads: Option<usize>,
}

/// A goal-seek answer.
#[derive(Clone, Debug)]
pub struct Solved {
    /// Value found (always meets the target).
    pub value: f64,
    /// Outcome there (months, or the months quantile at 1 - probability).
    pub achieved: f64,
    /// The nearest value found to miss the target (NaN if the whole range meets it).
    pub miss_value: f64,
    /// Outcome at `miss_value`.
    pub miss_achieved: f64,
    /// Whether the outcome rises with the value (smallest value returned) or falls (largest).
    pub increasing: bool,
    /// Evaluations used.
    pub evaluations: usize,
    /// The exact value the search found (`value` once rounded for a notice,
    /// [`super::solve::round_for_notice`]).
    pub value_exact: f64,
    /// Outcome at `value_exact`.
    pub achieved_exact: f64,
    /// The grain `value` was rounded to (NaN: not rounded).
    pub rounded_to: f64,
    /// The grain in words (empty: not rounded).
    pub rounded_to_text: &'static str,
}

/// The runway measure a goal seek holds: the lowest months payable over the
/// window's years (NaN when the window is outside the projection).
pub fn runway_measure(p: &Projection, fund: usize, w: Window) -> f64 {
    let rows = &p.funds[fund].rows;
    match rows.get(w.from..=w.through) {
        Some(r) if !r.is_empty() => r
            .iter()
            .map(|r| r.months_payable)
            .fold(f64::INFINITY, f64::min),
        _ => f64::NAN,
    }
}

/// The quantile a goal seek with probability `p` holds, in percent, as text:
/// `1 - p` in percent rounded to six decimals and written without trailing
/// zeros (`0.9` gives "10", not "9.999999999999998"; `0.975` gives "2.5").
pub fn quantile_percent(p: f64) -> String {
    let q = ((1.0 - p) * 100.0 * 1e6).round() / 1e6;
    format!("{q}")
}

/// The outcome a goal seek evaluates at `x`: the runway measure, or with a
/// probability `P` its `1 - P` quantile over the Monte Carlo paths (common
/// random numbers: the same draws for every `x`).
pub fn solve_outcome(model: &Model, s: &SolveSpec, x: f64) -> Result<f64> {
    match &s.probability {
        None => {
            let set = LeverSet::new(vec![s.lever.clone()]);
            let mut buf = Buffers::for_model(model);
            let p = project_levers(model, &set, &[x], &mut buf)?;
            Ok(runway_measure(p, s.fund, s.window))
        }
        Some((prob, n, seed, unc)) => {
            let mut levers = unc.levers.clone();
            levers.push(s.lever.clone());
            let set = LeverSet::new(levers);
            let mut v = mc_paths(model, unc, &set, &[x], *n, *seed, s.threads, None, |p| {
                runway_measure(p, s.fund, s.window)
            })?;
            v.sort_by(f64::total_cmp);
            Ok(super::quantile(&v, 1.0 - prob))
        }
    }
}

/// Finds the value of the lever that keeps the runway at or above the target:
/// the smallest such value when the runway rises with it (premium, subsidy),
/// the largest when it falls (base rate, coverage). Bracketing search with a
/// guaranteed feasible answer; an error when no value in the range works.
pub fn solve(model: &Model, s: &SolveSpec) -> Result<Solved> {
    let (lo, hi) = s.range;
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        bail!("the search range needs LOW < HIGH (got {lo}:{hi})");
    }
    let err = std::cell::RefCell::new(None);
    let mut g = |x: f64| match solve_outcome(model, s, x) {
        Ok(v) => v,
        Err(e) => {
            err.borrow_mut().get_or_insert(e);
            f64::NAN
        }
    };
    let (g_lo, g_hi) = (g(lo), g(hi));
    if let Some(e) = err.borrow_mut().take() {
        return Err(e);
    }
    let increasing = g_hi >= g_lo;
    let dir = if increasing {
        Monotone::Increasing
    } else {
        Monotone::Decreasing
    };
    let tol = (hi - lo) * 1e-7;
    let r = seek_target(&mut g, lo, hi, s.target_months, dir, tol, 200);
    if let Some(e) = err.into_inner() {
        return Err(e);
    }
    let r = r.map_err(|e| match e {
        super::AnalysisError::TargetUnreachable {
            best_x, best_value, ..
        } => err!(
            "no value of `{}` in [{lo}, {hi}] keeps {} at or above {}: the best is {:.2} months at {best_x}. Widen the range with --range LOW:HIGH or lower the target.",
            s.lever.path,
            match &s.probability {
                Some((p, n, _, _)) => format!(
                    "the {} % quantile over {n} paths of months payable",
                    quantile_percent(*p)
                ),
                None => "months payable".into(),
            },
            s.target_months,
            best_value
        ),
        other => other,
    })?;
    Ok(Solved {
        value: r.x,
        achieved: r.value,
        miss_value: r.miss_x,
        miss_achieved: r.miss_value,
        increasing,
        evaluations: r.evaluations + 2,
        value_exact: r.x,
        achieved_exact: r.value,
        rounded_to: f64::NAN,
        rounded_to_text: "",
    })
}

/// Default search range of a lever: the registry's range for a share moved
/// whole (0..1); a factor 0.5..2; otherwise half to twice the scenario's value
/// (a rate of zero: -0.1..0.1).
pub fn default_range(lever: &Lever) -> (f64, f64) {
    let b = lever.base;
    let seek = registry::lookup(&lever.path).and_then(|d| d.seek);
    match seek {
        Some(r) if lever.part() == Some(super::levers::Part::Whole) => r,
        _ if b > 0.0 => (0.5 * b, 2.0 * b),
        _ if b < 0.0 => (2.0 * b, 0.5 * b),
        _ => (-0.1, 0.1),
    }
}

// ---------------------------------------------------------------- Sobol

/// Sobol' indices of the months payable at year index `t` of each fund over
/// the uncertain parameters (marginals only; correlation is ignored).
pub fn sobol(
    model: &Model,
    unc: &Uncertainty,
    n: usize,
    seed: u64,
    t: usize,
) -> Result<Vec<SobolResult>> {
    let set = LeverSet::new(unc.levers.clone());
    (0..model.funds.len())
        .map(|f| {
            sobol_for_sampler(&unc.sampler, n, seed, |xs| {
                let mut buf = Buffers::for_model(model);
                match project_levers(model, &set, xs, &mut buf) {
                    Ok(p) => p.funds[f]
                        .rows
                        .get(t)
                        .map_or(f64::NAN, |r| r.months_payable),
                    Err(_) => f64::NAN,
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::quantile_percent;

    #[test]
    fn quantile_percent_is_written_without_float_noise() {
        assert_eq!(quantile_percent(0.9), "10");
        assert_eq!(quantile_percent(0.975), "2.5");
        assert_eq!(quantile_percent(0.5), "50");
        assert_eq!(quantile_percent(0.999), "0.1");
    }
}
