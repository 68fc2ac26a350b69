//! The bridge between the generic analysis routines and the fund model: a
//! parameter **path** turned into a lever that can be moved fast.
//!
//! A lever path is a `--set` path, optionally with a sub-field:
//!
//! | path | moving it to `x` means |
//! | --- | --- |
//! | `<param>` (a registered dated parameter, e.g. `funds.resident.premiums.premium`) | the parameter becomes the constant `x` (exactly `--set <param>=x`) |
//! | `<param>.scale` | every value of the parameter multiplied by `x` ([`Param::scaled`]: a `{ base, growth }` form has its base scaled; the growth path is kept); `1` = as in the scenario |
//! | `<param>.shift` | `x` added to every value ([`Param::shifted`]: a `{ base, growth }` form has `x` added to its growth rate); `0` = as in the scenario |
//! | `<param>.base` | the base of a `{ base, growth }` form |
//! | `<param>.growth` | the growth rate of a `{ base, growth }` form, as a constant |
//! | `<param>.values.<year>` | one entry of a `{ values = .. }` table (added if missing) |
//! | `<param>.growth_after` | the growth after the last entry of a table |
//! | any other numeric leaf (`funds.resident.opening_balance_wan`, `funds.resident.members.total`) | `--set <path>=x`, then the scenario is recompiled (slow but exact) |
//!
//! Dated parameters are moved without recompiling: the changed [`Param`] is
//! evaluated into a copy of the compiled [`ParamValues`] and the year loop
//! ([`project_into`]) runs on reused buffers. Each lever also knows its
//! `--set` equivalent ([`LeverSet::to_sets`]), which is how range ends are
//! checked once against the scenario's own rules and how goal-seek answers are
//! written back.

use super::error::{AnalysisError, Result, bail, err};
use super::moved::{self, Move, TablePlan};
use crate::projection::{
    Model, PathDetail, Projection, RowSink, project, project_into, project_varying_to,
};
use crate::scenario::source::RawScenario;
use crate::scenario::{Interp, Param, ParamId, ParamValues};
use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Mutex, OnceLock, PoisonError};

/// Which part of a dated parameter a lever moves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Part {
    /// The whole parameter becomes a constant.
    Whole,
    /// Every value multiplied by a factor.
    Scale,
    /// A delta added to every value (to the growth rate of a growth form).
    Shift,
    /// The base of a `{ base, growth }` form.
    Base,
    /// The growth rate of a `{ base, growth }` form.
    Growth,
    /// One entry of a `{ values }` table.
    Value(i32),
    /// `growth_after` of a `{ values }` table.
    GrowthAfter,
}

#[derive(Clone, Debug)]
enum Target {
    Dated {
        id: ParamId,
        param_path: String,
        def: Param,
        part: Part,
    },
    Leaf,
}

/// One movable parameter path of a compiled model.
#[derive(Clone, Debug)]
pub struct Lever {
    /// The path as given.
    pub path: String,
    /// The value the scenario itself gives (1 for `.scale`; a dated
    /// parameter's base-year value when moved whole).
    pub base: f64,
    target: Target,
    /// First year index the lever moves (0: every year); earlier years keep
    /// the scenario's values (observed years a goal seek must not rewrite).
    from: usize,
}

impl Lever {
    /// Resolves `path` against `model`. Unknown paths and sub-fields that do
    /// not fit the parameter's form are errors naming close matches.
    pub fn resolve(model: &Model, path: &str) -> Result<Lever> {
        let store = &model.store;
        let years = model.years;
        let path = path.trim();
        if let Some(id) = store.find(path) {
            let def = store.def(id).1.clone();
            return Ok(Lever {
                path: path.to_string(),
                base: def.at(years.base_year, years.base_year),
                target: Target::Dated {
                    id,
                    param_path: path.to_string(),
                    def,
                    part: Part::Whole,
                },
                from: 0,
            });
        }
        let sub = |suffix: &str| {
            path.strip_suffix(suffix)
                .and_then(|p| store.find(p).map(|id| (p, id)))
        };
        let dated = |p: &str, id: ParamId, part: Part, base: f64| -> Result<Lever> {
            Ok(Lever {
                path: path.to_string(),
                base,
                target: Target::Dated {
                    id,
                    param_path: p.to_string(),
                    def: store.def(id).1.clone(),
                    part,
                },
                from: 0,
            })
        };
        if let Some((p, id)) = sub(".scale") {
            return dated(p, id, Part::Scale, 1.0);
        }
        if let Some((p, id)) = sub(".shift") {
            return dated(p, id, Part::Shift, 0.0);
        }
        if let Some((p, id)) = sub(".base") {
            return match store.def(id).1 {
                Param::Growth { base, .. } => dated(p, id, Part::Base, *base),
                other => bail!(
                    "`{path}`: `{p}` is {}, not a `{{ base, growth }}` form; move `{p}` or `{p}.scale` instead",
                    form(other)
                ),
            };
        }
        if let Some((p, id)) = sub(".growth") {
            return match store.def(id).1 {
                Param::Growth { growth, .. } => dated(
                    p,
                    id,
                    Part::Growth,
                    growth.at(years.base_year + 1, years.base_year),
                ),
                other => bail!(
                    "`{path}`: `{p}` is {}, not a `{{ base, growth }}` form; move `{p}` or `{p}.scale` instead",
                    form(other)
                ),
            };
        }
        if let Some((p, id)) = sub(".growth_after") {
            return match store.def(id).1 {
                Param::Table { growth_after, .. } => {
                    dated(p, id, Part::GrowthAfter, growth_after.unwrap_or(0.0))
                }
                other => bail!(
                    "`{path}`: `{p}` is {}, not a `{{ values }}` table; move `{p}` or `{p}.scale` instead",
                    form(other)
                ),
            };
        }
        if let Some((head, year)) = path.rsplit_once('.')
            && let Some(p) = head.strip_suffix(".values")
            && let Some(id) = store.find(p)
        {
            let year: i32 = year
                .parse()
                .map_err(|_| err!("`{path}`: `{year}` is not a year"))?;
            return match store.def(id).1 {
                def @ Param::Table { .. } => {
                    dated(p, id, Part::Value(year), def.at(year, years.base_year))
                }
                other => bail!(
                    "`{path}`: `{p}` is {}, not a `{{ values }}` table; move `{p}` or `{p}.scale` instead",
                    form(other)
                ),
            };
        }
        match model.raw.get(path) {
            Some(toml::Value::Float(v)) => Ok(Lever {
                path: path.to_string(),
                base: *v,
                target: Target::Leaf,
                from: 0,
            }),
            Some(toml::Value::Integer(v)) => Ok(Lever {
                path: path.to_string(),
                base: *v as f64,
                target: Target::Leaf,
                from: 0,
            }),
            Some(other) => bail!(
                "`{path}` is a {} in the scenario, not a number that can be moved",
                other.type_str()
            ),
            None => bail!("{}", unknown_message(model, path)),
        }
    }

    /// The lever moving only year index `t` onward; the years before keep
    /// the scenario's values. An error for a non-dated leaf (`members.total`,
    /// an opening balance), which has no years.
    pub fn moved_from(mut self, t: usize) -> Result<Lever> {
        if t > 0 && self.part().is_none() {
            bail!(
                "`{}` is not a dated parameter, so it cannot leave earlier years untouched; use --move-from with the base year",
                self.path
            );
        }
        self.from = t;
        Ok(self)
    }

    /// First year index the lever moves.
    pub fn from(&self) -> usize {
        self.from
    }

    /// The scenario's definition of the dated parameter moved (`None` for a leaf).
    pub fn definition(&self) -> Option<&Param> {
        match &self.target {
            Target::Dated { def, .. } => Some(def),
            Target::Leaf => None,
        }
    }

    /// The dotted path of the dated parameter moved (the path itself for a leaf).
    pub fn param_path(&self) -> &str {
        match &self.target {
            Target::Dated { param_path, .. } => param_path,
            Target::Leaf => &self.path,
        }
    }

    /// What part is moved (`None` for a non-dated leaf).
    pub fn part(&self) -> Option<Part> {
        match &self.target {
            Target::Dated { part, .. } => Some(*part),
            Target::Leaf => None,
        }
    }

    /// The fund id a `funds.<id>.` path belongs to.
    pub fn fund(&self) -> Option<&str> {
        fund_of(&self.path)
    }

    /// Whether the parameter is zero in every year (moving it by a factor does nothing).
    pub fn is_all_zero(&self, model: &Model) -> bool {
        match &self.target {
            Target::Dated { id, .. } => model.values().row(*id).iter().all(|v| *v == 0.0),
            Target::Leaf => self.base == 0.0,
        }
    }

    /// The parameter `p` with this lever moved to `x`.
    fn modify(&self, p: &Param, x: f64) -> Param {
        let Some(part) = self.part() else {
            return p.clone();
        };
        match (part, p) {
            (Part::Whole, _) => Param::Const(x),
            (Part::Scale, _) => p.scaled(x),
            (Part::Shift, _) => p.shifted(x),
            (Part::Base, Param::Growth { growth, from, .. }) => Param::Growth {
                base: x,
                growth: growth.clone(),
                from: *from,
            },
            (Part::Growth, Param::Growth { base, from, .. }) => Param::Growth {
                base: *base,
                growth: Box::new(Param::Const(x)),
                from: *from,
            },
            (
                Part::Value(y),
                Param::Table {
                    values,
                    interpolate,
                    growth_after,
                },
            ) => {
                let mut values = values.clone();
                values.insert(y, x);
                Param::Table {
                    values,
                    interpolate: *interpolate,
                    growth_after: *growth_after,
                }
            }
            (
                Part::GrowthAfter,
                Param::Table {
                    values,
                    interpolate,
                    ..
                },
            ) => Param::Table {
                values: values.clone(),
                interpolate: *interpolate,
                growth_after: Some(x),
            },
            _ => p.clone(),
        }
    }
}

fn form(p: &Param) -> &'static str {
    match p {
        Param::Const(_) => "a constant",
        Param::Growth { .. } => "a `{ base, growth }` form",
        Param::Table { .. } => "a `{ values }` table",
    }
}

/// The fund id of a `funds.<id>.…` path.
pub fn fund_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("funds.")?;
    rest.split('.').next()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a = a.as_bytes();
    let b = b.as_bytes();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

fn unknown_message(model: &Model, path: &str) -> String {
    let fund = fund_of(path);
    let mut cands: Vec<(usize, &str)> = model
        .store
        .paths()
        .map(|(_, p)| p)
        .filter(|p| fund.is_none() || fund_of(p) == fund)
        .map(|p| (levenshtein(path, p), p))
        .collect();
    cands.sort();
    let close: Vec<&str> = cands
        .iter()
        .filter(|(d, _)| *d <= (path.len() / 3).max(3))
        .take(5)
        .map(|(_, p)| *p)
        .collect();
    let shown: Vec<&str> = if close.is_empty() {
        cands.iter().take(8).map(|(_, p)| *p).collect()
    } else {
        close
    };
    let mut msg = format!("unknown parameter `{path}`");
    if let Some(f) = fund
        && !model.funds.iter().any(|m| m.id == f)
    {
        let ids: Vec<&str> = model.funds.iter().map(|m| m.id.as_str()).collect();
        msg.push_str(&format!(
            " (the scenario has no fund `{f}`; funds: {})",
            ids.join(", ")
        ));
    } else if !shown.is_empty() {
        msg.push_str(&format!(
            "; did you mean {}? (a dated parameter can also be moved by `.scale`, `.shift`, `.base`, `.growth`, `.values.<year>`, `.growth_after`)",
            shown
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    msg
}

/// A [`Param`] written as the TOML value `--set` accepts.
pub fn param_to_toml(p: &Param) -> toml::Value {
    match p {
        Param::Const(c) => toml::Value::Float(*c),
        Param::Growth { base, growth, from } => {
            let mut t = toml::Table::new();
            t.insert("base".into(), toml::Value::Float(*base));
            t.insert("growth".into(), param_to_toml(growth));
            if let Some(f) = from {
                t.insert("from".into(), toml::Value::Integer(i64::from(*f)));
            }
            toml::Value::Table(t)
        }
        Param::Table {
            values,
            interpolate,
            growth_after,
        } => {
            let mut t = toml::Table::new();
            let mut v = toml::Table::new();
            for (y, x) in values {
                v.insert(y.to_string(), toml::Value::Float(*x));
            }
            t.insert("values".into(), toml::Value::Table(v));
            t.insert(
                "interpolate".into(),
                toml::Value::String(
                    match interpolate {
                        Interp::Step => "step",
                        Interp::Linear => "linear",
                    }
                    .into(),
                ),
            );
            if let Some(g) = growth_after {
                t.insert("growth_after".into(), toml::Value::Float(*g));
            }
            toml::Value::Table(t)
        }
    }
}

/// `path=value` as one `--set` argument.
pub fn set_arg(path: &str, value: &toml::Value) -> String {
    format!("{path}={value}")
}

/// Several levers moved together (Monte Carlo draws, a grid cell, a goal seek).
#[derive(Clone, Debug)]
pub struct LeverSet {
    levers: Vec<Lever>,
    /// (parameter, definition, indices of the levers moving it), in first-seen order.
    groups: Vec<(ParamId, String, Param, Vec<usize>)>,
    /// Per group, its table's years looked up once (the first time the
    /// group is moved by `.scale` or `.shift`; `None` if it is not a table).
    plans: Vec<OnceLock<Option<TablePlan>>>,
    /// The groups' parameters: the only rows in which the values of two
    /// points differ (`projection::project_varying_to`).
    moved: Vec<ParamId>,
    slow: bool,
}

impl LeverSet {
    /// Groups levers by the parameter they move.
    pub fn new(levers: Vec<Lever>) -> LeverSet {
        let mut groups: Vec<(ParamId, String, Param, Vec<usize>)> = Vec::new();
        let mut slow = false;
        for (i, l) in levers.iter().enumerate() {
            match &l.target {
                Target::Dated {
                    id,
                    param_path,
                    def,
                    ..
                } => match groups.iter_mut().find(|g| g.0 == *id) {
                    Some(g) => g.3.push(i),
                    None => groups.push((*id, param_path.clone(), def.clone(), vec![i])),
                },
                Target::Leaf => slow = true,
            }
        }
        LeverSet {
            levers,
            plans: groups.iter().map(|_| OnceLock::new()).collect(),
            moved: groups.iter().map(|g| g.0).collect(),
            groups,
            slow,
        }
    }

    /// Resolves every path.
    pub fn resolve(model: &Model, paths: &[String]) -> Result<LeverSet> {
        Ok(LeverSet::new(
            paths
                .iter()
                .map(|p| Lever::resolve(model, p))
                .collect::<Result<_>>()?,
        ))
    }

    /// The levers, in order.
    pub fn levers(&self) -> &[Lever] {
        &self.levers
    }

    /// Number of levers.
    pub fn len(&self) -> usize {
        self.levers.len()
    }

    /// Whether there is no lever.
    pub fn is_empty(&self) -> bool {
        self.levers.is_empty()
    }

    /// Whether some lever needs the scenario recompiled (a non-dated leaf).
    pub fn needs_recompile(&self) -> bool {
        self.slow
    }

    /// The values of every lever at the scenario's own setting.
    pub fn base_values(&self) -> Vec<f64> {
        self.levers.iter().map(|l| l.base).collect()
    }

    /// Writes the moved dated parameters into `values` (which must start as
    /// the model's values, or a copy of them with only these rows changed).
    /// Leaves are ignored here (see [`LeverSet::needs_recompile`]).
    pub fn apply(&self, model: &Model, xs: &[f64], values: &mut ParamValues) {
        for ((id, _, def, idx), plan) in self.groups.iter().zip(&self.plans) {
            // Years before the first lever's `from` keep the scenario's values.
            let from = self.levers[idx[0]].from;
            if idx.iter().any(|&i| self.levers[i].from != from) {
                self.apply_staggered(model, *id, def, idx, xs, values);
                continue;
            }
            if let [i] = idx.as_slice() {
                let l = &self.levers[*i];
                let x = xs[*i];
                // The common cases without building a Param (same numbers as evaluating one).
                match (l.part(), def) {
                    (Some(Part::Whole), _) => {
                        fill_from(values.row_mut(*id), from, x);
                        continue;
                    }
                    (Some(Part::Scale), Param::Const(c)) => {
                        fill_from(values.row_mut(*id), from, c * x);
                        continue;
                    }
                    (Some(Part::Shift), Param::Const(c)) => {
                        fill_from(values.row_mut(*id), from, c + x);
                        continue;
                    }
                    // growth forms and tables: the moved values straight
                    // from the definition (`moved`; no Param built)
                    (Some(Part::Scale), _) | (Some(Part::Shift), _) => {
                        let m = if l.part() == Some(Part::Scale) {
                            Move::Scale(x)
                        } else {
                            Move::Shift(x)
                        };
                        let base_year = model.store.years().base_year;
                        let row = values.row_mut(*id);
                        let len = row.len();
                        match plan.get_or_init(|| TablePlan::of(def, base_year, len)) {
                            Some(plan) if plan.fits(base_year, len) => plan.fill(m, row),
                            _ => moved::fill(def, m, base_year, base_year, row),
                        }
                        keep_until(model, *id, from, values);
                        continue;
                    }
                    _ => {}
                }
            }
            let mut p = def.clone();
            for &i in idx {
                p = self.levers[i].modify(&p, xs[i]);
            }
            model.store.evaluate_into(*id, &p, values);
            keep_until(model, *id, from, values);
        }
    }

    /// Several levers on one parameter that start in different years (a goal
    /// seek from the year after the last observed one, a Monte Carlo draw on
    /// the same parameter): in year `t` the parameter is the scenario's
    /// definition moved by the levers whose `from <= t`, in order, so each
    /// lever changes only its own years and years before every lever keep the
    /// scenario's values. One evaluation per distinct `from`; allocates one
    /// row (rare path).
    fn apply_staggered(
        &self,
        model: &Model,
        id: ParamId,
        def: &Param,
        idx: &[usize],
        xs: &[f64],
        values: &mut ParamValues,
    ) {
        let mut out = model.values().row(id).to_vec();
        let n = out.len();
        let mut starts: Vec<usize> = idx.iter().map(|&i| self.levers[i].from.min(n)).collect();
        starts.sort_unstable();
        starts.dedup();
        for (k, &a) in starts.iter().enumerate() {
            let b = starts.get(k + 1).copied().unwrap_or(n);
            if a >= b {
                continue;
            }
            let mut p = def.clone();
            for &i in idx {
                if self.levers[i].from <= a {
                    p = self.levers[i].modify(&p, xs[i]);
                }
            }
            model.store.evaluate_into(id, &p, values);
            out[a..b].copy_from_slice(&values.row(id)[a..b]);
        }
        values.row_mut(id).copy_from_slice(&out);
    }

    /// Whether some lever of a group leaves its first years as in the scenario.
    fn group_moved_later(&self, idx: &[usize]) -> bool {
        idx.iter().any(|&i| self.levers[i].from > 0)
    }

    /// The `--set` arguments equivalent to moving the levers to `xs`.
    pub fn to_sets(&self, xs: &[f64]) -> Vec<(String, toml::Value)> {
        let mut out = Vec::new();
        for (_, param_path, def, idx) in &self.groups {
            if self.group_moved_later(idx) {
                // Written by `to_sets_for` (needs the model's years).
                continue;
            }
            if let [i] = idx.as_slice()
                && !matches!(self.levers[*i].part(), Some(Part::Scale | Part::Shift))
            {
                out.push((self.levers[*i].path.clone(), toml::Value::Float(xs[*i])));
                continue;
            }
            let mut p = def.clone();
            for &i in idx {
                p = self.levers[i].modify(&p, xs[i]);
            }
            out.push((param_path.clone(), param_to_toml(&p)));
        }
        for (l, x) in self.levers.iter().zip(xs) {
            if l.part().is_none() {
                out.push((l.path.clone(), toml::Value::Float(*x)));
            }
        }
        out
    }

    /// [`LeverSet::to_sets`] for `model`: a lever that moves only from a
    /// year on is written as the parameter's year table, every projected
    /// year's value given and held (`interpolate = "step"`), which reproduces
    /// the moved path exactly.
    pub fn to_sets_for(&self, model: &Model, xs: &[f64]) -> Vec<(String, toml::Value)> {
        let mut out = self.to_sets(xs);
        let mut values = None;
        for (id, param_path, _, idx) in &self.groups {
            if !self.group_moved_later(idx) {
                continue;
            }
            let v = values.get_or_insert_with(|| {
                let mut v = model.values().clone();
                self.apply(model, xs, &mut v);
                v
            });
            let table = Param::Table {
                values: v
                    .row(*id)
                    .iter()
                    .enumerate()
                    .map(|(t, x)| (model.years.year(t), *x))
                    .collect(),
                interpolate: Interp::Step,
                growth_after: None,
            };
            out.push((param_path.clone(), param_to_toml(&table)));
        }
        out
    }

    /// The scenario recompiled with the levers at `xs` through `--set`: every
    /// check of the scenario applies. Errors carry the scenario's own messages.
    pub fn recompile(&self, model: &Model, xs: &[f64]) -> Result<Model> {
        let mut raw: RawScenario = model.raw.clone();
        for (p, v) in self.to_sets_for(model, xs) {
            raw.set(&p, v).map_err(AnalysisError::Request)?;
        }
        Ok(Model::from_raw(raw)?)
    }

    /// Checks that the scenario stays valid with the levers at `xs`.
    ///
    /// A check that passed is remembered for the process (keyed by a 64-bit
    /// hash of the scenario's [`RawScenario::fingerprint`] and the `--set`
    /// arguments), so the range ends and distribution tails a command checks
    /// in `validate`'s verdict and again for its own run compile once each.
    /// Failures are not remembered: they are reported every time.
    pub fn check(&self, model: &Model, xs: &[f64]) -> Result<()> {
        self.check_keyed(model, scenario_key(model), xs)
    }

    /// [`LeverSet::check`] with the scenario's part of the key given
    /// ([`scenario_key`]`(model)`), so that checking many lever settings of
    /// one scenario hashes its fingerprint once.
    pub(super) fn check_keyed(&self, model: &Model, scenario: u64, xs: &[f64]) -> Result<()> {
        static PASSED: Mutex<BTreeSet<u64>> = Mutex::new(BTreeSet::new());
        let mut h = DefaultHasher::new();
        scenario.hash(&mut h);
        for (p, v) in self.to_sets(xs) {
            (p, v.to_string()).hash(&mut h);
        }
        let key = h.finish();
        let passed = |k: &u64| {
            PASSED
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .contains(k)
        };
        if passed(&key) {
            return Ok(());
        }
        // every check of a recompile, without folding the tables again
        let mut raw: RawScenario = model.raw.clone();
        for (p, v) in self.to_sets_for(model, xs) {
            raw.set(&p, v).map_err(AnalysisError::Request)?;
        }
        Model::check_raw(raw)?;
        let mut set = PASSED.lock().unwrap_or_else(PoisonError::into_inner);
        if set.len() > 100_000 {
            set.clear();
        }
        set.insert(key);
        Ok(())
    }
}

/// The part of a [`LeverSet::check`] key that depends on the scenario only:
/// a 64-bit hash of its [`RawScenario::fingerprint`].
pub(super) fn scenario_key(model: &Model) -> u64 {
    let mut h = DefaultHasher::new();
    model.raw.fingerprint().hash(&mut h);
    h.finish()
}

/// Restores the years before `from` of parameter `id` to the model's values.
fn keep_until(model: &Model, id: ParamId, from: usize, values: &mut ParamValues) {
    if from > 0 {
        let keep = model.values().row(id);
        let n = from.min(keep.len());
        values.row_mut(id)[..n].copy_from_slice(&keep[..n]);
    }
}

/// Sets `row[from..]` to `x`.
fn fill_from(row: &mut [f64], from: usize, x: f64) {
    if let Some(r) = row.get_mut(from..) {
        r.fill(x);
    }
}

/// Reusable buffers for one thread of evaluations.
#[derive(Clone, Debug)]
pub struct Buffers {
    values: ParamValues,
    /// Rows of `values` moved by the last lever set (every other row holds
    /// the model's own values).
    moved: Vec<ParamId>,
    /// The last projection.
    pub proj: Projection,
}

impl Buffers {
    /// Buffers shaped for `model`.
    pub fn for_model(model: &Model) -> Buffers {
        Buffers {
            values: model.values().clone(),
            moved: Vec::new(),
            proj: Projection::for_model(model),
        }
    }

    /// The model's values with `levers` at `xs`: the rows the previous call
    /// moved are restored from the model (not the whole table, which is
    /// about a hundred parameters x years), then the levers are applied.
    fn values_with(&mut self, model: &Model, levers: &LeverSet, xs: &[f64]) -> &ParamValues {
        for id in self.moved.drain(..) {
            self.values
                .row_mut(id)
                .copy_from_slice(model.values().row(id));
        }
        levers.apply(model, xs, &mut self.values);
        self.moved.extend(levers.groups.iter().map(|g| g.0));
        &self.values
    }
}

/// Projects `model` with `levers` at `xs` into `buf` (allocation-free for
/// dated parameters held as constants; a recompile for leaves).
pub fn project_levers<'b>(
    model: &Model,
    levers: &LeverSet,
    xs: &[f64],
    buf: &'b mut Buffers,
) -> Result<&'b Projection> {
    if levers.needs_recompile() {
        let m = levers.recompile(model, xs)?;
        buf.proj = project(&m);
    } else {
        buf.values_with(model, levers, xs);
        project_into(model, &buf.values, &mut buf.proj);
    }
    Ok(&buf.proj)
}

/// [`project_levers`] for several points at once, `xs[i]` into `bufs[i]`,
/// through the year loop's chunks (`projection::project_many`): the same
/// numbers as one call per point, bit for bit. Leaves recompile per point.
pub fn project_levers_many(
    model: &Model,
    levers: &LeverSet,
    xs: &[&[f64]],
    bufs: &mut [Buffers],
) -> Result<()> {
    if levers.needs_recompile() {
        for (x, b) in xs.iter().zip(bufs.iter_mut()) {
            project_levers(model, levers, x, b)?;
        }
        return Ok(());
    }
    let bufs = &mut bufs[..xs.len()];
    for (x, b) in xs.iter().zip(bufs.iter_mut()) {
        b.values_with(model, levers, x);
    }
    let (ps, mut outs): (Vec<&ParamValues>, Vec<&mut Projection>) =
        bufs.iter_mut().map(|b| (&b.values, &mut b.proj)).unzip();
    project_varying_to(model, &ps, Some(&levers.moved), &mut outs[..]);
    Ok(())
}

/// [`project_levers_many`] handing the rows to `sink` (as path `i` for
/// `xs[i]`) instead of keeping them in `bufs[i].proj`: Monte Carlo keeps two
/// series, not whole projections. The same numbers, bit for bit. Leaves
/// recompile and project per point, then replay the point's rows to `sink`.
pub fn project_levers_many_to<S: RowSink + ?Sized>(
    model: &Model,
    levers: &LeverSet,
    xs: &[&[f64]],
    bufs: &mut [Buffers],
    sink: &mut S,
) -> Result<()> {
    if levers.needs_recompile() {
        for (i, (x, b)) in xs.iter().zip(bufs.iter_mut()).enumerate() {
            let proj = project_levers(model, levers, x, b)?;
            for (fi, f) in proj.funds.iter().enumerate() {
                for (t, r) in f.rows.iter().enumerate() {
                    let detail = PathDetail::of(&f.members_by_band[t], &f.demand[t]);
                    sink.row(i, fi, t, r, &detail);
                }
            }
        }
        return Ok(());
    }
    let bufs = &mut bufs[..xs.len()];
    for (x, b) in xs.iter().zip(bufs.iter_mut()) {
        b.values_with(model, levers, x);
    }
    let ps: Vec<&ParamValues> = bufs.iter().map(|b| &b.values).collect();
    project_varying_to(model, &ps, Some(&levers.moved), sink);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// The general path `apply` took for every growth form and table before
    /// the closed forms of `moved`: build the moved `Param`, evaluate it,
    /// keep the years before `from`.
    fn apply_by_param(set: &LeverSet, model: &Model, xs: &[f64], values: &mut ParamValues) {
        for (id, _, def, idx) in &set.groups {
            let mut p = def.clone();
            for &i in idx {
                p = set.levers[i].modify(&p, xs[i]);
            }
            model.store.evaluate_into(*id, &p, values);
            let from = set.levers[idx[0]].from;
            keep_until(model, *id, from, values);
        }
    }

    /// Scale and shift levers on constants, growth forms and tables of the
    /// default scenario, moved from the base year or later: the values
    /// `LeverSet::apply` writes equal the moved `Param`'s bit for bit.
    #[test]
    fn apply_equals_evaluating_the_moved_param() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(crate::scenario::bundled::DEFAULT);
        let model = Model::load(&path, &[]).unwrap();
        let paths = [
            "funds.resident.premiums.premium", // table, linear, growth_after
            "funds.resident.premiums.subsidy", // table
            "funds.resident.demography.mortality_multiplier", // growth form
            "funds.resident.spending.inpatient_cost_growth", // constant
        ];
        let mut seen_forms = BTreeSet::new();
        for p in paths {
            for part in ["scale", "shift"] {
                for from in [0, 3] {
                    let lever = Lever::resolve(&model, &format!("{p}.{part}"))
                        .unwrap()
                        .moved_from(from)
                        .unwrap();
                    seen_forms.insert(form(lever.definition().unwrap()));
                    let set = LeverSet::new(vec![lever]);
                    for x in [0.93, 1.0, 1.041_234_5, -0.012_345, 0.0, 0.02] {
                        let mut got = model.values().clone();
                        set.apply(&model, &[x], &mut got);
                        let mut want = model.values().clone();
                        apply_by_param(&set, &model, &[x], &mut want);
                        let id = set.groups[0].0;
                        let (g, w) = (got.row(id), want.row(id));
                        assert!(
                            g.iter().zip(w).all(|(a, b)| a.to_bits() == b.to_bits()),
                            "{p}.{part} from {from} at {x}: {g:?} != {w:?}"
                        );
                        if x != 1.0 && x != 0.0 {
                            assert_ne!(g, model.values().row(id), "{p}.{part} did not move");
                        }
                    }
                }
            }
        }
        assert_eq!(seen_forms.len(), 3, "{seen_forms:?}");
    }

    #[derive(Deserialize)]
    struct W {
        p: Param,
    }

    fn roundtrip(p: &Param) -> Param {
        let text = format!("p = {}", param_to_toml(p));
        toml::from_str::<W>(&text).expect(&text).p
    }

    #[test]
    fn params_round_trip_through_set_values() {
        let forms = [
            Param::Const(0.1 + 0.2),
            Param::Growth {
                base: 5556.4 * 1.07,
                growth: Box::new(Param::Const(0.035)),
                from: Some(2021),
            },
            Param::Table {
                values: [(2023, 380.0 / 3.0), (2030, 450.0)].into_iter().collect(),
                interpolate: Interp::Linear,
                growth_after: Some(0.02),
            },
            Param::Table {
                values: [(2024, 1.0)].into_iter().collect(),
                interpolate: Interp::Step,
                growth_after: None,
            },
        ];
        for p in &forms {
            assert_eq!(&roundtrip(p), p);
        }
    }

    #[test]
    fn set_args_parse_back() {
        let v = param_to_toml(&Param::Const(933.9017967543108));
        let (path, back) = crate::scenario::source::parse_set(&set_arg("a.b", &v)).unwrap();
        assert_eq!(path, "a.b");
        assert_eq!(back.as_float(), Some(933.9017967543108));
    }

    #[test]
    fn edit_distance_and_fund_of() {
        assert_eq!(levenshtein("premum", "premium"), 1);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("abc", "abc"), 0);
        assert_eq!(fund_of("funds.resident.premiums.premium"), Some("resident"));
        assert_eq!(fund_of("scenario.horizon"), None);
    }
}
