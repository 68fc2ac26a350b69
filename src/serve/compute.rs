//! One update of the what-if page: the scenario with the page's levers
//! applied (as `--set` applies them), its projection, the Monte Carlo fan and,
//! for payment levers, what each hospital level is paid against the baseline.

use super::levers::{self, Lever};
use crate::analysis::levers::Lever as McLever;
use crate::analysis::runs::Uncertainty;
use crate::analysis::{MonteCarlo, monte_carlo};
use crate::payment::HospitalResult;
use crate::payment::hospitals::Level;
use crate::payment::negotiation::hospital_report;
use crate::projection::hospitals::hospitals_in_year;
use crate::projection::{Model, Projection, project};
use crate::scenario::source::{RawScenario, parse_set};
use anyhow::{Result, anyhow, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fewest and most Monte Carlo paths one update may ask for.
pub const PATHS_RANGE: (u64, u64) = (100, 10_000);
/// Paths when the request does not say.
pub const DEFAULT_PATHS: u64 = 2_000;
/// Winners and losers listed.
pub const TOP: usize = 10;

/// What the page sends.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Lever values by key (numbers; `scenario.policy_rules` true/false).
    #[serde(default)]
    pub set: BTreeMap<String, serde_json::Value>,
    /// Monte Carlo paths (default 2,000; 100..=10,000).
    pub paths: Option<u64>,
    /// Year the probabilities are given for (default: the horizon).
    pub year: Option<i32>,
    /// Language of downloaded reports: `zh` (default) or `en`.
    pub lang: Option<String>,
}

/// A request checked against the levers: `--set` arguments in key order.
#[derive(Clone, Debug)]
pub struct Checked {
    /// `path=value` arguments, as `drgsim run --set` takes them.
    pub sets: Vec<String>,
    /// The (path, value) pairs written (a year-table lever writes each year).
    pub changed: Vec<(String, toml::Value)>,
    /// Paths for the fan.
    pub paths: u64,
    /// Year of the probabilities.
    pub year: Option<i32>,
    /// Whether a payment lever moved.
    pub payment_moved: bool,
}

/// Checks every value (key known, value in range, paths in range); all
/// problems in one message, each naming its parameter.
pub fn check(levers: &[Lever], req: &Request) -> Result<Checked> {
    let mut errors = Vec::new();
    let mut sets = Vec::new();
    let mut changed = Vec::new();
    let mut payment_moved = false;
    for (k, v) in &req.set {
        match levers::check(levers, k, v) {
            Ok(val) => {
                let lever = levers.iter().find(|l| &l.key == k).expect("checked");
                let same = match &val {
                    toml::Value::Float(x) => *x == lever.value,
                    toml::Value::Boolean(b) => *b == (lever.value == 1.0),
                    _ => false,
                };
                if !same {
                    payment_moved |= lever.payment;
                    for (path, v) in levers::expand(lever, &val) {
                        sets.push(levers::set_arg(&path, &v));
                        changed.push((path, v));
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
    let paths = req.paths.unwrap_or(DEFAULT_PATHS);
    if !(PATHS_RANGE.0..=PATHS_RANGE.1).contains(&paths) {
        errors.push(format!(
            "`paths` = {paths}: it must be between {} and {}",
            PATHS_RANGE.0, PATHS_RANGE.1
        ));
    }
    if !errors.is_empty() {
        bail!("{}", errors.join("\n"));
    }
    Ok(Checked {
        sets,
        changed,
        paths,
        year: req.year,
        payment_moved,
    })
}

/// The scenario with `sets` applied exactly as `drgsim run --set` applies
/// them, compiled and checked (valid scenario, reportable projection).
pub fn model_with(base: &RawScenario, sets: &[String]) -> Result<(Model, Projection)> {
    let mut raw = base.clone();
    for s in sets {
        let (path, value) = parse_set(s).map_err(|e| anyhow!("{e}"))?;
        raw.set(&path, value).map_err(|e| anyhow!("{path}: {e}"))?;
    }
    let model = Model::from_raw(raw).map_err(|e| anyhow!("{e}"))?;
    let projection = project(&model);
    crate::report::bounds::check_projection(&projection).map_err(|e| anyhow!("{e}"))?;
    Ok((model, projection))
}

/// The Monte Carlo fan of a model: `n` paths over the scenario's
/// `[uncertainty]` parameters with its seed, on one thread (the server runs
/// one computation per core). `unc` is the section as resolved and checked
/// against the scenario when the server started (every distribution's far
/// quantiles keep the scenario valid); its levers are resolved again against
/// `model`, so a draw moves the parameter as the page set it. `None` when the
/// scenario declares no uncertainty.
///
/// This is the page's only call into the Monte Carlo kernel.
pub fn fan(model: &Model, unc: Option<&Uncertainty>, n: u64) -> Result<Option<MonteCarlo>> {
    let Some(unc) = unc.filter(|u| !u.paths.is_empty()) else {
        return Ok(None);
    };
    let mut unc = unc.clone();
    unc.levers = unc
        .paths
        .iter()
        .map(|p| McLever::resolve(model, p))
        .collect::<Result<_, _>>()?;
    Ok(Some(monte_carlo(model, &unc, n, unc.seed, Some(1), None)?))
}

/// The fan of one fund: quantiles 5, 25, 50, 75, 95 % by year.
#[derive(Clone, Debug, Serialize)]
pub struct FanOut {
    /// 5 %.
    pub p05: Vec<f64>,
    /// 25 %.
    pub p25: Vec<f64>,
    /// Median.
    pub p50: Vec<f64>,
    /// 75 %.
    pub p75: Vec<f64>,
    /// 95 %.
    pub p95: Vec<f64>,
    /// P(months < warning) by year.
    pub p_warning: Vec<f64>,
    /// P(months < danger) by year.
    pub p_danger: Vec<f64>,
    /// P(balance < 0) by year.
    pub p_depleted: Vec<f64>,
}

/// One fund in the response.
#[derive(Clone, Debug, Serialize)]
pub struct FundOut {
    /// Fund id.
    pub id: String,
    /// Months payable by year.
    pub months: Vec<f64>,
    /// Balance by year, 万元.
    pub balance_wan: Vec<f64>,
    /// First year the balance is negative.
    pub depletion: Option<i32>,
    /// First year below the warning line.
    pub first_warning: Option<i32>,
    /// Monte Carlo fan.
    pub fan: Option<FanOut>,
}

/// One hospital level's change against the baseline.
#[derive(Clone, Debug, Serialize)]
pub struct LevelOut {
    /// `tertiary`, `secondary`, `primary`.
    pub level: &'static str,
    /// Hospitals.
    pub hospitals: usize,
    /// DRG/DIP payment now and in the baseline, 万元.
    pub payment_wan: f64,
    /// Baseline payment, 万元.
    pub baseline_payment_wan: f64,
    /// Full-cost settlement ratio (payment / FFS equivalent), now.
    pub settlement_ratio: f64,
    /// Baseline.
    pub baseline_settlement_ratio: f64,
    /// Fund-side settlement ratio (结付率), now.
    pub fund_settlement_ratio: f64,
    /// Baseline.
    pub baseline_fund_settlement_ratio: f64,
}

/// One hospital among the largest movers.
#[derive(Clone, Debug, Serialize)]
pub struct MoverOut {
    /// Hospital name.
    pub name: String,
    /// Level.
    pub level: &'static str,
    /// Change in payment, 万元.
    pub change_wan: f64,
    /// Settlement ratio now.
    pub settlement_ratio: f64,
}

/// Hospitals of the fund with a hospital table, base year.
#[derive(Clone, Debug, Serialize)]
pub struct HospitalsOut {
    /// Fund id.
    pub fund: String,
    /// Year.
    pub year: i32,
    /// By level.
    pub levels: Vec<LevelOut>,
    /// Largest gains.
    pub winners: Vec<MoverOut>,
    /// Largest losses.
    pub losers: Vec<MoverOut>,
}

/// The response to one update.
#[derive(Clone, Debug, Serialize)]
pub struct Response {
    /// Calendar years.
    pub years: Vec<i32>,
    /// Year the probabilities refer to.
    pub prob_year: i32,
    /// Per fund.
    pub funds: Vec<FundOut>,
    /// Payment by hospital level and the largest movers (payment levers moved,
    /// and the scenario has a hospital table).
    pub hospitals: Option<HospitalsOut>,
    /// Paths run.
    pub paths: u64,
    /// Server-side compute time, milliseconds.
    pub compute_ms: f64,
}

fn level_id(l: Level) -> &'static str {
    match l {
        Level::Tertiary => "tertiary",
        Level::Secondary => "secondary",
        Level::Primary => "primary",
    }
}

/// The fund with a hospital table (the first one), if any.
fn hospital_fund(model: &Model) -> Option<usize> {
    model.funds.iter().position(|f| {
        model
            .spec
            .funds
            .get(&f.id)
            .is_some_and(|s| s.payment.hospitals.is_some())
    })
}

/// Base-year hospital results of the fund with a hospital table.
pub fn base_year_hospitals(model: &Model, p: &Projection) -> Option<(usize, Vec<HospitalResult>)> {
    let fi = hospital_fund(model)?;
    Some((fi, hospitals_in_year(model, p, fi, 0)))
}

/// Computes the page for a checked request. `baseline` holds the scenario's
/// base-year hospital results (for the comparison).
pub fn update(
    base: &RawScenario,
    unc: Option<&Uncertainty>,
    baseline: Option<&(usize, Vec<HospitalResult>)>,
    c: &Checked,
) -> Result<Response> {
    let start = std::time::Instant::now();
    let (model, projection) = model_with(base, &c.sets)?;
    let ny = model.years.len();
    let t = match c.year {
        Some(y) => model.years.index(y).ok_or_else(|| {
            anyhow!(
                "`year` = {y}: it must be between {} and {}",
                model.years.base_year,
                model.years.horizon
            )
        })?,
        None => ny - 1,
    };
    let mc = fan(&model, unc, c.paths)?;
    let th = model.thresholds;
    let funds = projection
        .funds
        .iter()
        .enumerate()
        .map(|(fi, f)| {
            let summary = crate::fund::runway::RunwaySummary::of(&f.rows, &th);
            let fan = mc.as_ref().map(|mc| {
                let b = &mc.funds[fi];
                let q = |j: usize| b.months.quantiles.iter().map(|r| r[j]).collect();
                FanOut {
                    p05: q(0),
                    p25: q(1),
                    p50: q(2),
                    p75: q(3),
                    p95: q(4),
                    p_warning: b.months.prob_below.iter().map(|r| r[0]).collect(),
                    p_danger: b.months.prob_below.iter().map(|r| r[1]).collect(),
                    p_depleted: b.balance.prob_below.iter().map(|r| r[0]).collect(),
                }
            });
            FundOut {
                id: f.id.clone(),
                months: f.rows.iter().map(|r| r.months_payable).collect(),
                balance_wan: f.rows.iter().map(|r| r.balance_wan).collect(),
                depletion: summary.as_ref().and_then(|s| s.depletion),
                first_warning: summary.as_ref().and_then(|s| s.first_warning),
                fan,
            }
        })
        .collect();
    let hospitals = match (baseline, c.payment_moved) {
        (Some((fi, before)), true) => {
            let now = hospitals_in_year(&model, &projection, *fi, 0);
            Some(hospitals_out(&model, *fi, &now, before))
        }
        _ => None,
    };
    Ok(Response {
        years: (0..ny).map(|t| model.years.year(t)).collect(),
        prob_year: model.years.year(t),
        funds,
        hospitals,
        paths: c.paths,
        compute_ms: start.elapsed().as_secs_f64() * 1e3,
    })
}

fn hospitals_out(
    model: &Model,
    fi: usize,
    now: &[HospitalResult],
    before: &[HospitalResult],
) -> HospitalsOut {
    let r = hospital_report(now, Some(before), TOP);
    let base = hospital_report(before, None, 0);
    let levels = r
        .levels
        .iter()
        .map(|l| {
            let b = base.levels.iter().find(|x| x.level == l.level);
            LevelOut {
                level: level_id(l.level),
                hospitals: l.hospitals,
                payment_wan: l.payment_yuan / 1e4,
                baseline_payment_wan: b.map_or(f64::NAN, |b| b.payment_yuan / 1e4),
                settlement_ratio: l.settlement_ratio,
                baseline_settlement_ratio: b.map_or(f64::NAN, |b| b.settlement_ratio),
                fund_settlement_ratio: l.fund_settlement_ratio,
                baseline_fund_settlement_ratio: b.map_or(f64::NAN, |b| b.fund_settlement_ratio),
            }
        })
        .collect();
    let mover = |h: &crate::payment::negotiation::HospitalRow| MoverOut {
        name: h.result.name.clone(),
        level: level_id(h.result.level),
        change_wan: h.payment_change_yuan.unwrap_or(f64::NAN) / 1e4,
        settlement_ratio: h.result.settlement_ratio,
    };
    HospitalsOut {
        fund: model.funds[fi].id.clone(),
        year: model.years.base_year,
        levels,
        winners: r.winners.iter().map(mover).collect(),
        losers: r.losers.iter().map(mover).collect(),
    }
}

/// The reform file: `extends` the scenario and writes each moved parameter,
/// so `drgsim run reform.toml` reproduces the page.
///
/// A file that `extends` another replaces a dated parameter whole (see
/// `scenario::source::merge`), so a lever that moved the `.base` of a growth
/// form or the years of a table is written as the whole parameter, taken
/// from the scenario with the page's settings applied.
pub fn reform_toml(
    scenario_file: &str,
    base: &RawScenario,
    changed: &[(String, toml::Value)],
) -> Result<String> {
    let mut raw = base.clone();
    for (k, v) in changed {
        raw.set(k, v.clone()).map_err(|e| anyhow!("{k}: {e}"))?;
    }
    let mut s = format!(
        "# Reform written by `drgsim serve`: the scenario with the page's settings.\n\
         # Save it next to {scenario_file} and run: drgsim run reform.toml\n\
         extends = {}\n",
        toml::Value::String(scenario_file.to_string())
    );
    if changed.is_empty() {
        s.push_str("# (no lever moved: the scenario as it is)\n");
    }
    let mut written: Vec<String> = Vec::new();
    for (k, _) in changed {
        let param = param_path(k);
        if written.contains(&param) {
            continue;
        }
        let v = raw
            .get(&param)
            .ok_or_else(|| anyhow!("{param}: not in the scenario after the change"))?;
        let quoted: Vec<String> = param.split('.').map(key_text).collect();
        let val = match v {
            toml::Value::Float(x) => levers::float_text(*x),
            other => other.to_string(),
        };
        s.push_str(&format!("{} = {val}\n", quoted.join(".")));
        written.push(param);
    }
    Ok(s)
}

/// The dated parameter a set path belongs to (`x.base` and `x.values.2024` -> `x`).
fn param_path(k: &str) -> String {
    if let Some(p) = k.strip_suffix(".base") {
        return p.to_string();
    }
    if let Some(i) = k.rfind(".values.")
        && k[i + 8..].parse::<i64>().is_ok()
    {
        return k[..i].to_string();
    }
    k.to_string()
}

fn key_text(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        toml::Value::String(k.to_string()).to_string()
    }
}
