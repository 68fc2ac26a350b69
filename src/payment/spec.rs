//! Checks and compiles the `[funds.<id>.payment]` section of a scenario
//! (the plain data types, with the format, are in `scenario::payment`) into
//! the engine: mode requirements, outlier rules, dated parameters registered
//! against the parameter registry, and the CSV tables.

use super::cache;
use super::engine::{self, Ids, PaymentModel};
use super::group_model::OutlierRules;
use super::groups::GroupTable;
use super::hospitals::{HospitalGroupVolumes, HospitalTable, Level};
use crate::scenario::payment::{
    LevelNumbers, LevelParams, PaymentMode, PaymentSpec, Recalibration,
};
use crate::scenario::registry;
use crate::scenario::{Diagnostic, Diagnostics, Param, ParamId, ParamStore};
use std::path::Path;

/// The value of a [`LevelParams`] for a level: its own, else `all`.
pub(crate) fn level_param(p: &LevelParams, l: Level) -> Option<&Param> {
    match l {
        Level::Tertiary => p.tertiary.as_ref(),
        Level::Secondary => p.secondary.as_ref(),
        Level::Primary => p.primary.as_ref(),
    }
    .or(p.all.as_ref())
}

/// Whether a [`LevelParams`] gives any level.
fn any_level(p: &LevelParams) -> bool {
    p.all.is_some() || p.tertiary.is_some() || p.secondary.is_some() || p.primary.is_some()
}

/// The number of a [`LevelNumbers`] for a level.
fn level_number(n: &LevelNumbers, l: Level) -> f64 {
    match l {
        Level::Tertiary => n.tertiary,
        Level::Secondary => n.secondary,
        Level::Primary => n.primary,
    }
}

/// Registers `param` under `{path}.{field}` (or the declared default when
/// absent) and checks it against its declaration in the parameter registry.
fn reg(
    store: &mut ParamStore,
    issues: &mut Vec<Diagnostic>,
    path: &str,
    field: &str,
    param: Option<&Param>,
) -> ParamId {
    let full = format!("{path}.{field}");
    let d = registry::decl(&format!("payment.{field}"));
    let p = param
        .cloned()
        .unwrap_or(Param::Const(d.default.unwrap_or(0.0)));
    if param.is_some() {
        registry::check_dated(issues, &full, d, &p, store.years());
    }
    store.add(full, &p)
}

/// Files each problem of a table under the scenario field that names it
/// (`{path}.{field}`), the table's own diagnostic kept as the cause.
fn table_problems(
    issues: &mut Vec<Diagnostic>,
    path: &str,
    field: &str,
    what: &str,
    e: Diagnostics,
) {
    for err in e {
        issues.push(
            Diagnostic::field(format!("{path}.{field}"), format!("cannot use {what}"))
                .caused_by(err),
        );
    }
}

impl PaymentSpec {
    /// Validates and compiles. `path` is the dotted prefix (`funds.resident.payment`),
    /// `base_dir` the scenario file's folder (CSV paths are relative to it).
    /// Every problem found is pushed into `issues`; returns None if there is any.
    pub fn compile(
        &self,
        path: &str,
        base_dir: &Path,
        store: &mut ParamStore,
        issues: &mut Vec<Diagnostic>,
    ) -> Option<PaymentModel> {
        self.compile_with(path, base_dir, store, issues, true)
    }

    /// [`PaymentSpec::compile`]; with `full = false` every check runs and
    /// every table is read, but the group form is not folded into a group
    /// model (which cannot fail): the aggregate model stands in, for a
    /// scenario compiled only to be checked (`Model::check_raw`).
    pub(crate) fn compile_with(
        &self,
        path: &str,
        base_dir: &Path,
        store: &mut ParamStore,
        issues: &mut Vec<Diagnostic>,
        full: bool,
    ) -> Option<PaymentModel> {
        let n_before = issues.len();
        self.check_form(path, issues);
        let rules = self.outlier_rules(path, issues);
        let ids = self.register(path, store, issues);
        check_bands(path, &ids, store, issues);
        let tables = self.load_tables(path, base_dir, issues);
        if issues.len() > n_before {
            return None;
        }
        let model = match tables {
            None => engine::PaymentModel::aggregate(self.mode, ids),
            Some((Ok(groups), hospitals, weights, volumes)) => {
                let hospitals = match hospitals {
                    Some(Ok(h)) => Some(h),
                    None => None,
                    Some(Err(())) => return None,
                };
                let weights = match weights {
                    Some(Ok(w)) => Some(w),
                    None => None,
                    Some(Err(())) => return None,
                };
                let volumes = match volumes {
                    Some(Ok(v)) => Some(v),
                    None => None,
                    Some(Err(())) => return None,
                };
                if !full {
                    return Some(engine::PaymentModel::aggregate(self.mode, ids));
                }
                engine::PaymentModel::grouped(
                    self.mode,
                    ids,
                    &groups,
                    hospitals.as_deref(),
                    volumes.as_deref(),
                    weights.as_deref(),
                    self.recalibration == Recalibration::BudgetNeutral,
                    rules,
                )
            }
            Some((Err(()), _, _, _)) => return None,
        };
        Some(model)
    }
}

impl PaymentSpec {
    /// Mode-specific requirements (a rate or a budget), and the fields that
    /// belong to only one of the aggregate and the group-level forms.
    fn check_form(&self, path: &str, issues: &mut Vec<Diagnostic>) {
        let grouped = self.groups.is_some();
        // Mode-specific requirements.
        match self.mode {
            PaymentMode::DrgRate => {
                if self.base_rate.is_some() && self.budget_wan.is_some() {
                    issues.push(Diagnostic::field(
                        format!("{path}.budget_wan"),
                        "give either `base_rate` or `budget_wan` (the rate is then solved from the budget), not both",
                    ));
                } else if self.base_rate.is_none() && self.budget_wan.is_none() {
                    issues.push(Diagnostic::field(
                        format!("{path}.base_rate"),
                        "mode `drg_rate` needs `base_rate` (yuan per weight point) or `budget_wan` to solve it from",
                    ));
                }
            }
            PaymentMode::PointValue => {
                if self.budget_wan.is_none() {
                    issues.push(Diagnostic::field(
                        format!("{path}.budget_wan"),
                        "mode `point_value` needs `budget_wan` (the DRG/DIP budget, 万元 per period)",
                    ));
                }
                // A `base_rate` left over from a fixed-rate baseline (a reform that
                // switches to a budget extends it) is not used in this mode.
            }
            PaymentMode::FeeForService => {}
        }
        if grouped {
            for (field, set) in [
                ("coverage", self.coverage.is_some()),
                ("cmi", self.cmi.is_some()),
            ] {
                if set {
                    issues.push(Diagnostic::field(
                        format!("{path}.{field}"),
                        format!("`{field}` belongs to the aggregate form; with a group table it follows from the tables (use `grouping_rate`, `hospital_coverage`, `behaviour.cmi_drift`)"),
                    ));
                }
            }
            if self.hospitals.is_some() && self.coefficient.is_some() {
                issues.push(Diagnostic::field(
                    format!("{path}.coefficient"),
                    "with a hospital table the coefficients come from the table; change them with `level_coefficients`",
                ));
            }
            if self.hospital_groups.is_some() && self.hospitals.is_none() {
                issues.push(Diagnostic::field(
                    format!("{path}.hospital_groups"),
                    "per-hospital group volumes need a hospital table; add `hospitals = \"<hospital table>.csv\"`",
                ));
            }
            if self.recalibration == Recalibration::BudgetNeutral && self.weights.is_none() {
                issues.push(Diagnostic::field(
                    format!("{path}.recalibration"),
                    "`budget_neutral` recalibration needs `weights` (the new weight table) to recalibrate to",
                ));
            }
        } else {
            let group_only = [
                ("hospitals", self.hospitals.is_some()),
                ("hospital_groups", self.hospital_groups.is_some()),
                ("weights", self.weights.is_some()),
                ("recalibration", self.recalibration != Recalibration::None),
                ("level_coefficients", any_level(&self.level_coefficients)),
                ("hospital_coverage", any_level(&self.hospital_coverage)),
                ("grouping_rate", self.grouping_rate.is_some()),
                ("group_coverage", self.group_coverage.is_some()),
                ("excluded_stays_share", self.excluded_stays_share.is_some()),
                ("special_review_share", self.special_review_share.is_some()),
                ("outliers", self.outliers.is_some()),
            ];
            for (field, set) in group_only {
                if set {
                    issues.push(Diagnostic::field(
                        format!("{path}.{field}"),
                        format!("`{field}` needs the group-level form; add `groups = \"<group table>.csv\"` or remove it"),
                    ));
                }
            }
            if self.mode != PaymentMode::FeeForService {
                if self.coverage.is_none() {
                    issues.push(Diagnostic::field(
                        format!("{path}.coverage"),
                        "the aggregate form needs `coverage` (share of inpatient FFS cost paid by DRG/DIP), or give `groups`",
                    ));
                }
                if self.cmi.is_none() {
                    issues.push(Diagnostic::field(
                        format!("{path}.cmi"),
                        "the aggregate form needs `cmi` (case-mix index), or give `groups`",
                    ));
                }
            }
        }
    }

    /// The outlier rules, their thresholds checked against the registry and
    /// the weight bands checked to start at 0 and rise.
    fn outlier_rules(&self, path: &str, issues: &mut Vec<Diagnostic>) -> Option<OutlierRules> {
        self.outliers.as_ref().map(|o| {
            let high = registry::decl("payment.outliers.high_multiple.all");
            for l in Level::ALL {
                let h = level_number(&o.high_multiple, l);
                registry::check_plain(
                    issues,
                    &format!("{path}.outliers.high_multiple.{l}"),
                    high,
                    h,
                );
            }
            registry::check_plain(
                issues,
                &format!("{path}.outliers.low_multiple"),
                registry::decl("payment.outliers.low_multiple"),
                o.low_multiple,
            );
            let bands = &o.high_multiple_by_weight;
            for (i, b) in bands.iter().enumerate() {
                let p = format!("{path}.outliers.high_multiple_by_weight[{i}]");
                registry::check_plain(issues, &p, high, b.multiple);
                let ok_start = if i == 0 {
                    b.from_weight == 0.0
                } else {
                    b.from_weight > bands[i - 1].from_weight
                };
                if !ok_start {
                    issues.push(Diagnostic::field(
                        p,
                        "weight bands start at `from_weight = 0` and go up strictly; reorder or fix the bands",
                    ));
                }
            }
            OutlierRules {
                by_level: Level::ALL.map(|l| super::rules::OutlierRule {
                    high_multiple: level_number(&o.high_multiple, l),
                    low_multiple: o.low_multiple,
                }),
                by_weight: bands.clone(),
            }
        })
    }

    /// Registers every dated parameter of the section (or its declared
    /// default) in the store, each checked against its declaration.
    fn register(&self, path: &str, store: &mut ParamStore, issues: &mut Vec<Diagnostic>) -> Ids {
        let s = store;
        let b = &self.behaviour;
        Ids {
            base_rate: self
                .base_rate
                .as_ref()
                .map(|p| reg(s, issues, path, "base_rate", Some(p))),
            budget_wan: self
                .budget_wan
                .as_ref()
                .map(|p| reg(s, issues, path, "budget_wan", Some(p))),
            budget_basis: self.budget_basis,
            point_value_floor: self
                .point_value_floor
                .as_ref()
                .map(|p| reg(s, issues, path, "point_value_floor", Some(p))),
            point_value_ceiling: self
                .point_value_ceiling
                .as_ref()
                .map(|p| reg(s, issues, path, "point_value_ceiling", Some(p))),
            coverage: reg(s, issues, path, "coverage", self.coverage.as_ref()),
            cmi: reg(s, issues, path, "cmi", self.cmi.as_ref()),
            coefficient: reg(s, issues, path, "coefficient", self.coefficient.as_ref()),
            level_coefficients: Level::ALL.map(|l| {
                level_param(&self.level_coefficients, l)
                    .map(|p| reg(s, issues, path, &format!("level_coefficients.{l}"), Some(p)))
            }),
            hospital_coverage: Level::ALL.map(|l| {
                reg(
                    s,
                    issues,
                    path,
                    &format!("hospital_coverage.{l}"),
                    level_param(&self.hospital_coverage, l),
                )
            }),
            grouping_rate: reg(
                s,
                issues,
                path,
                "grouping_rate",
                self.grouping_rate.as_ref(),
            ),
            group_coverage: reg(
                s,
                issues,
                path,
                "group_coverage",
                self.group_coverage.as_ref(),
            ),
            excluded_stays: reg(
                s,
                issues,
                path,
                "excluded_stays_share",
                self.excluded_stays_share.as_ref(),
            ),
            special_review: reg(
                s,
                issues,
                path,
                "special_review_share",
                self.special_review_share.as_ref(),
            ),
            marginal_share: reg(
                s,
                issues,
                path,
                "outliers.marginal_share",
                self.outliers
                    .as_ref()
                    .and_then(|o| o.marginal_share.as_ref()),
            ),
            cmi_drift: reg(s, issues, path, "behaviour.cmi_drift", b.cmi_drift.as_ref()),
            admissions: reg(
                s,
                issues,
                path,
                "behaviour.admissions",
                b.admissions.as_ref(),
            ),
            length_of_stay: reg(
                s,
                issues,
                path,
                "behaviour.length_of_stay",
                b.length_of_stay.as_ref(),
            ),
            cost_per_case: reg(
                s,
                issues,
                path,
                "behaviour.cost_per_case",
                b.cost_per_case.as_ref(),
            ),
        }
    }

    /// Loads the CSV tables of the group-level form (None for the aggregate
    /// form); each table's problems are filed under the field naming it.
    fn load_tables(
        &self,
        path: &str,
        base_dir: &Path,
        issues: &mut Vec<Diagnostic>,
    ) -> Option<Tables> {
        self.groups.as_ref().map(|g| {
            let gpath = base_dir.join(g);
            let groups = cache::group_table(&gpath)
                .map_err(|e| table_problems(issues, path, "groups", "the group table", e));
            let hospitals = self.hospitals.as_ref().map(|h| {
                cache::hospital_table(&base_dir.join(h))
                    .map_err(|e| table_problems(issues, path, "hospitals", "the hospital table", e))
            });
            let weights = match (&groups, &self.weights) {
                (Ok(gt), Some(w)) => {
                    let wpath = base_dir.join(w);
                    Some(
                        cache::weight_table(&wpath)
                            .and_then(|wt| wt.aligned(&wpath, gt))
                            .map_err(|e| {
                                table_problems(issues, path, "weights", "the weight table", e)
                            }),
                    )
                }
                _ => None,
            };
            let volumes = match (&groups, &hospitals, &self.hospital_groups) {
                (Ok(gt), Some(Ok(ht)), Some(v)) => Some(
                    cache::hospital_group_volumes(&base_dir.join(v), ht, gt).map_err(|e| {
                        table_problems(
                            issues,
                            path,
                            "hospital_groups",
                            "the hospital group volumes",
                            e,
                        )
                    }),
                ),
                _ => None,
            };
            (groups, hospitals, weights, volumes)
        })
    }
}

/// The tables of the group-level form as loaded (`Err(())`: the problems are
/// already in the issues).
type Tables = (
    Result<std::sync::Arc<GroupTable>, ()>,
    Option<Result<std::sync::Arc<HospitalTable>, ()>>,
    Option<Result<Vec<f64>, ()>>,
    Option<Result<std::sync::Arc<HospitalGroupVolumes>, ()>>,
);

/// Checks across parameters: the point-value floor under the ceiling, and
/// excluded stays plus special review no more than all cases, in every year.
fn check_bands(path: &str, ids: &Ids, s: &ParamStore, issues: &mut Vec<Diagnostic>) {
    if let (Some(lo), Some(hi)) = (ids.point_value_floor, ids.point_value_ceiling) {
        let v = s.values();
        if let Some(t) = (0..s.years().len()).find(|&t| v.get(lo, t) > v.get(hi, t)) {
            issues.push(Diagnostic::field(
                format!("{path}.point_value_floor"),
                format!(
                    "the floor {} is above the ceiling {} in {}; the band is floor..ceiling",
                    v.get(lo, t),
                    v.get(hi, t),
                    s.years().year(t)
                ),
            ));
        }
    }
    {
        let v = s.values();
        let years = s.years();
        for t in 0..years.len() {
            let sum = v.get(ids.excluded_stays, t) + v.get(ids.special_review, t);
            if sum > 1.0 {
                issues.push(Diagnostic::field(
                        format!("{path}.special_review_share"),
                        format!("excluded stays and special review add to {sum} in {}, more than all cases; lower them", years.year(t)),
                    ));
                break;
            }
        }
    }
}
