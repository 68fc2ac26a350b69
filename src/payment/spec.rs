//! The `[funds.<id>.payment]` section of a scenario, and its validation.
//!
//! Two forms:
//!
//! **Aggregate** (no group table):
//! ```toml
//! [funds.resident.payment]
//! mode = "drg_rate"          # or "point_value", "fee_for_service"
//! coverage = 0.70            # share of inpatient FFS cost paid by DRG (dated)
//! cmi = 1.0                  # dated
//! coefficient = 0.95         # average hospital coefficient (dated)
//! base_rate = 6200           # yuan per weight point (dated); or budget_wan
//! ```
//! DRG payment = DRG cases x base_rate x CMI x coefficient.
//!
//! **Group-level**:
//! ```toml
//! [funds.resident.payment]
//! mode = "drg_rate"
//! groups = "data/qingyang/groups.csv"
//! hospitals = "data/qingyang/hospitals.csv"
//! # hospital_groups = "my-hospital-group-volumes.csv"   # optional: hospital, group, cases
//! base_rate = 4100
//! grouping_rate = 0.9993
//! group_coverage = 1.0                         # share of (non-excluded) groups' cases covered
//! excluded_stays_share = 0.01
//! special_review_share = 0.002
//! level_coefficients = { secondary = 0.9 }       # overrides the table's coefficients of a level
//! hospital_coverage = { primary = 0.8 }          # share of a level's cases at hospitals in DRG (`all = ..` for every level)
//! outliers = { high_multiple = { tertiary = 3.0, secondary = 2.0, primary = 2.0 }, low_multiple = 0.4, marginal_share = 0.9 }
//! # or thresholds by weight band: outliers = { high_multiple_by_weight = [{ from_weight = 0, multiple = 3.0 }, { from_weight = 2.0, multiple = 2.0 }] }
//! behaviour = { cmi_drift = 0.0, admissions = 0.0, length_of_stay = 0.0, cost_per_case = 0.0 }
//! ```
//! Every dated value is a [`Param`] and is registered in the [`ParamStore`] under
//! its dotted path (e.g. `funds.resident.payment.behaviour.admissions`), so Monte
//! Carlo and sensitivity analysis can move it. Outlier thresholds are plain numbers,
//! not dated: they enter nonlinearly (through the lognormal tails computed once at
//! compile time), so a threshold change is a separate scenario.

use super::engine::{self, PaymentModel};
use super::groups::{GroupTable, WeightTable};
use super::hospitals::{HospitalGroupVolumes, HospitalTable, Level};
use crate::scenario::registry;
use crate::scenario::{Issue, Param, ParamId, ParamStore};
use serde::Deserialize;
use std::path::Path;

/// How DRG/DIP cases are paid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMode {
    /// Fixed base rate: payment = rate x RW x coefficient; spending follows volume.
    #[default]
    DrgRate,
    /// Global budget with floating point value (点数法 / DIP): the fund pays its budget.
    PointValue,
    /// Everything paid fee for service (按项目), the pre-reform baseline.
    FeeForService,
}

/// Budget-neutral recalibration choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recalibration {
    /// Use the new weights at the given base rate.
    #[default]
    None,
    /// Solve the base rate so the new weights pay what the group table's weights
    /// would at `base_rate`, for the same cases, every year. (Under `point_value`,
    /// or a rate solved from `budget_wan`, the budget already holds the total.)
    BudgetNeutral,
}

/// A dated value per hospital level (each optional). `all` applies to every
/// level not given on its own (it is registered under each level's path).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelParams {
    /// Every level not given separately.
    pub all: Option<Param>,
    /// 三级.
    pub tertiary: Option<Param>,
    /// 二级.
    pub secondary: Option<Param>,
    /// 一级.
    pub primary: Option<Param>,
}

impl LevelParams {
    fn get(&self, l: Level) -> Option<&Param> {
        match l {
            Level::Tertiary => self.tertiary.as_ref(),
            Level::Secondary => self.secondary.as_ref(),
            Level::Primary => self.primary.as_ref(),
        }
        .or(self.all.as_ref())
    }
    fn any(&self) -> bool {
        self.all.is_some()
            || self.tertiary.is_some()
            || self.secondary.is_some()
            || self.primary.is_some()
    }
}

/// A plain number per hospital level.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LevelNumbers {
    /// 三级.
    pub tertiary: f64,
    /// 二级.
    pub secondary: f64,
    /// 一级.
    pub primary: f64,
}

impl LevelNumbers {
    /// Value for a level.
    pub fn get(&self, l: Level) -> f64 {
        match l {
            Level::Tertiary => self.tertiary,
            Level::Secondary => self.secondary,
            Level::Primary => self.primary,
        }
    }
}

fn default_high() -> LevelNumbers {
    LevelNumbers {
        tertiary: 3.0,
        secondary: 2.0,
        primary: 2.0,
    }
}
fn default_low() -> f64 {
    registry::decl("payment.outliers.low_multiple")
        .default
        .unwrap_or(0.4)
}

/// One weight band of high-cost thresholds.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WeightBand {
    /// Lowest weight of the band (inclusive).
    pub from_weight: f64,
    /// High-cost threshold multiple of the group mean for groups in the band.
    pub multiple: f64,
}

/// Compiled outlier thresholds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OutlierRules {
    pub by_level: [super::rules::OutlierRule; 3],
    pub by_weight: Vec<WeightBand>,
}

impl OutlierRules {
    /// The rule for a group of weight `rw` at a hospital of `level`.
    pub fn rule(&self, level: Level, rw: f64) -> super::rules::OutlierRule {
        let mut r = self.by_level[level.index()];
        if let Some(b) = self.by_weight.iter().rev().find(|b| rw >= b.from_weight) {
            r.high_multiple = b.multiple;
        }
        r
    }
}

/// Outlier (高倍率 / 低倍率) rules.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutlierSpec {
    /// High-cost threshold multiple of the group mean, by level (default 3 / 2 / 2).
    #[serde(default = "default_high")]
    pub high_multiple: LevelNumbers,
    /// High-cost thresholds by weight band instead of by level: bands
    /// `{ from_weight = RW, multiple = h }` in ascending `from_weight`, the first at 0;
    /// a group takes the band of its weight. When given, it replaces `high_multiple`.
    #[serde(default)]
    pub high_multiple_by_weight: Vec<WeightBand>,
    /// Low-cost threshold multiple (default 0.4); low cases are paid pro rata.
    #[serde(default = "default_low")]
    pub low_multiple: f64,
    /// Share of the excess over the high threshold paid on top (dated, default 1).
    pub marginal_share: Option<Param>,
}

/// Behaviour response to the payment reform: proportional changes against the
/// demand the year loop hands over, in force in each year (dated, default 0).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BehaviourSpec {
    /// Coded CMI drift (upcoding): weights paid x (1 + drift); costs unchanged.
    pub cmi_drift: Option<Param>,
    /// Admissions response: cases x (1 + admissions).
    pub admissions: Option<Param>,
    /// Length-of-stay response on cost per case: cost x (1 + length_of_stay).
    pub length_of_stay: Option<Param>,
    /// Other cost-per-case response: cost x (1 + cost_per_case).
    pub cost_per_case: Option<Param>,
}

/// `[funds.<id>.payment]` section of a scenario.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentSpec {
    /// Payment mode (default `drg_rate`).
    #[serde(default)]
    pub mode: PaymentMode,
    /// Base rate, yuan per weight point (rate mode; not used under `point_value`,
    /// so a reform of a fixed-rate baseline can switch mode without removing it).
    pub base_rate: Option<Param>,
    /// Budget for DRG/DIP cases, 万元 per period (point-value mode; or solves the rate in rate mode).
    pub budget_wan: Option<Param>,
    /// Aggregate form: share of inpatient FFS cost paid by DRG.
    pub coverage: Option<Param>,
    /// Aggregate form: case-mix index.
    pub cmi: Option<Param>,
    /// Aggregate form: average hospital coefficient. Group form without a hospital table: the region's coefficient.
    pub coefficient: Option<Param>,
    /// Group table CSV (relative to the scenario file's folder).
    pub groups: Option<String>,
    /// Hospital table CSV.
    pub hospitals: Option<String>,
    /// Per-hospital group volumes CSV (`hospital, group, cases`); needs `hospitals`.
    pub hospital_groups: Option<String>,
    /// Replacement weight table CSV (`code, weight`), e.g. a recalibrated set.
    pub weights: Option<String>,
    /// Hold a replacement weight table budget-neutral.
    #[serde(default)]
    pub recalibration: Recalibration,
    /// Coefficient of every hospital of a level (overrides the table).
    #[serde(default)]
    pub level_coefficients: LevelParams,
    /// Share of each level's cases at hospitals in DRG/DIP (default 1).
    #[serde(default)]
    pub hospital_coverage: LevelParams,
    /// Share of the non-excluded groups' cases in groups covered by DRG/DIP
    /// (病种覆盖, default 1); the rest are paid fee for service.
    pub group_coverage: Option<Param>,
    /// Share of cases that group successfully (入组率, default 1).
    pub grouping_rate: Option<Param>,
    /// Share of stays excluded by length (e.g. <= 2 or >= 60 days), paid FFS (default 0).
    pub excluded_stays_share: Option<Param>,
    /// Share of cases reviewed one by one (特病单议), paid FFS (default 0).
    pub special_review_share: Option<Param>,
    /// Outlier rules (none: every DRG case paid the standard payment).
    pub outliers: Option<OutlierSpec>,
    /// Behaviour response.
    #[serde(default)]
    pub behaviour: BehaviourSpec,
}

/// Registered parameter ids of a compiled payment model.
#[derive(Clone, Debug)]
pub(crate) struct Ids {
    pub base_rate: Option<ParamId>,
    pub budget_wan: Option<ParamId>,
    pub coverage: ParamId,
    pub cmi: ParamId,
    pub coefficient: ParamId,
    pub level_coefficients: [Option<ParamId>; 3],
    pub hospital_coverage: [ParamId; 3],
    pub grouping_rate: ParamId,
    pub group_coverage: ParamId,
    pub excluded_stays: ParamId,
    pub special_review: ParamId,
    pub marginal_share: ParamId,
    pub cmi_drift: ParamId,
    pub admissions: ParamId,
    pub length_of_stay: ParamId,
    pub cost_per_case: ParamId,
}

/// Registers `param` under `{path}.{field}` (or the declared default when
/// absent) and checks it against its declaration in the parameter registry.
fn reg(
    store: &mut ParamStore,
    issues: &mut Vec<Issue>,
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

impl PaymentSpec {
    /// Validates and compiles. `path` is the dotted prefix (`funds.resident.payment`),
    /// `base_dir` the scenario file's folder (CSV paths are relative to it).
    /// Every problem found is pushed into `issues`; returns None if there is any.
    pub fn compile(
        &self,
        path: &str,
        base_dir: &Path,
        store: &mut ParamStore,
        issues: &mut Vec<Issue>,
    ) -> Option<PaymentModel> {
        let n_before = issues.len();
        let grouped = self.groups.is_some();
        // Mode-specific requirements.
        match self.mode {
            PaymentMode::DrgRate => {
                if self.base_rate.is_some() && self.budget_wan.is_some() {
                    issues.push(Issue::new(
                        format!("{path}.budget_wan"),
                        "give either `base_rate` or `budget_wan` (the rate is then solved from the budget), not both",
                    ));
                } else if self.base_rate.is_none() && self.budget_wan.is_none() {
                    issues.push(Issue::new(
                        format!("{path}.base_rate"),
                        "mode `drg_rate` needs `base_rate` (yuan per weight point) or `budget_wan` to solve it from",
                    ));
                }
            }
            PaymentMode::PointValue => {
                if self.budget_wan.is_none() {
                    issues.push(Issue::new(
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
                    issues.push(Issue::new(
                        format!("{path}.{field}"),
                        format!("`{field}` belongs to the aggregate form; with a group table it follows from the tables (use `grouping_rate`, `hospital_coverage`, `behaviour.cmi_drift`)"),
                    ));
                }
            }
            if self.hospitals.is_some() && self.coefficient.is_some() {
                issues.push(Issue::new(
                    format!("{path}.coefficient"),
                    "with a hospital table the coefficients come from the table; change them with `level_coefficients`",
                ));
            }
            if self.hospital_groups.is_some() && self.hospitals.is_none() {
                issues.push(Issue::new(
                    format!("{path}.hospital_groups"),
                    "per-hospital group volumes need a hospital table; add `hospitals = \"<hospital table>.csv\"`",
                ));
            }
            if self.recalibration == Recalibration::BudgetNeutral && self.weights.is_none() {
                issues.push(Issue::new(
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
                ("level_coefficients", self.level_coefficients.any()),
                ("hospital_coverage", self.hospital_coverage.any()),
                ("grouping_rate", self.grouping_rate.is_some()),
                ("group_coverage", self.group_coverage.is_some()),
                ("excluded_stays_share", self.excluded_stays_share.is_some()),
                ("special_review_share", self.special_review_share.is_some()),
                ("outliers", self.outliers.is_some()),
            ];
            for (field, set) in group_only {
                if set {
                    issues.push(Issue::new(
                        format!("{path}.{field}"),
                        format!("`{field}` needs the group-level form; add `groups = \"<group table>.csv\"` or remove it"),
                    ));
                }
            }
            if self.mode != PaymentMode::FeeForService {
                if self.coverage.is_none() {
                    issues.push(Issue::new(
                        format!("{path}.coverage"),
                        "the aggregate form needs `coverage` (share of inpatient FFS cost paid by DRG/DIP), or give `groups`",
                    ));
                }
                if self.cmi.is_none() {
                    issues.push(Issue::new(
                        format!("{path}.cmi"),
                        "the aggregate form needs `cmi` (case-mix index), or give `groups`",
                    ));
                }
            }
        }
        // Outlier thresholds.
        let rules = self.outliers.as_ref().map(|o| {
            let high = registry::decl("payment.outliers.high_multiple.all");
            for l in Level::ALL {
                let h = o.high_multiple.get(l);
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
                    issues.push(Issue::new(
                        p,
                        "weight bands start at `from_weight = 0` and go up strictly; reorder or fix the bands",
                    ));
                }
            }
            OutlierRules {
                by_level: Level::ALL.map(|l| super::rules::OutlierRule {
                    high_multiple: o.high_multiple.get(l),
                    low_multiple: o.low_multiple,
                }),
                by_weight: bands.clone(),
            }
        });
        // Dated parameters.
        let s = store;
        let b = &self.behaviour;
        let ids = Ids {
            base_rate: self
                .base_rate
                .as_ref()
                .map(|p| reg(s, issues, path, "base_rate", Some(p))),
            budget_wan: self
                .budget_wan
                .as_ref()
                .map(|p| reg(s, issues, path, "budget_wan", Some(p))),
            coverage: reg(s, issues, path, "coverage", self.coverage.as_ref()),
            cmi: reg(s, issues, path, "cmi", self.cmi.as_ref()),
            coefficient: reg(s, issues, path, "coefficient", self.coefficient.as_ref()),
            level_coefficients: Level::ALL.map(|l| {
                self.level_coefficients
                    .get(l)
                    .map(|p| reg(s, issues, path, &format!("level_coefficients.{l}"), Some(p)))
            }),
            hospital_coverage: Level::ALL.map(|l| {
                reg(
                    s,
                    issues,
                    path,
                    &format!("hospital_coverage.{l}"),
                    self.hospital_coverage.get(l),
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
        };
        {
            let v = s.values();
            let years = s.years();
            for t in 0..years.len() {
                let sum = v.get(ids.excluded_stays, t) + v.get(ids.special_review, t);
                if sum > 1.0 {
                    issues.push(Issue::new(
                        format!("{path}.special_review_share"),
                        format!("excluded stays and special review add to {sum} in {}, more than all cases; lower them", years.year(t)),
                    ));
                    break;
                }
            }
        }
        // Tables.
        let tables = self.groups.as_ref().map(|g| {
            let gpath = base_dir.join(g);
            let groups = GroupTable::load(&gpath).map_err(|e| {
                for err in e.0 {
                    issues.push(Issue::new(format!("{path}.groups"), err.to_string()));
                }
            });
            let hospitals = self.hospitals.as_ref().map(|h| {
                HospitalTable::load(&base_dir.join(h)).map_err(|e| {
                    for err in e.0 {
                        issues.push(Issue::new(format!("{path}.hospitals"), err.to_string()));
                    }
                })
            });
            let weights = match (&groups, &self.weights) {
                (Ok(gt), Some(w)) => {
                    let wpath = base_dir.join(w);
                    Some(
                        WeightTable::load(&wpath)
                            .and_then(|wt| wt.aligned(&wpath, gt))
                            .map_err(|e| {
                                for err in e.0 {
                                    issues.push(Issue::new(
                                        format!("{path}.weights"),
                                        err.to_string(),
                                    ));
                                }
                            }),
                    )
                }
                _ => None,
            };
            let volumes = match (&groups, &hospitals, &self.hospital_groups) {
                (Ok(gt), Some(Ok(ht)), Some(v)) => Some(
                    HospitalGroupVolumes::load(&base_dir.join(v), ht, gt).map_err(|e| {
                        for err in e.0 {
                            issues.push(Issue::new(
                                format!("{path}.hospital_groups"),
                                err.to_string(),
                            ));
                        }
                    }),
                ),
                _ => None,
            };
            (groups, hospitals, weights, volumes)
        });
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
                engine::PaymentModel::grouped(
                    self.mode,
                    ids,
                    &groups,
                    hospitals.as_ref(),
                    volumes.as_ref(),
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
