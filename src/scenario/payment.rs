//! The `[funds.<id>.payment]` section as plain data; `payment::spec` checks
//! and compiles it into the payment engine.
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
//! Every dated value is a [`Param`] and is registered in the `ParamStore` under
//! its dotted path (e.g. `funds.resident.payment.behaviour.admissions`), so Monte
//! Carlo and sensitivity analysis can move it. Outlier thresholds are plain numbers,
//! not dated: they enter nonlinearly (through the lognormal tails computed once at
//! compile time), so a threshold change is a separate scenario.

use super::param::Param;
use super::registry;
use serde::Deserialize;

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
    /// Whether any level is set.
    pub fn any(&self) -> bool {
        self.all.is_some()
            || self.tertiary.is_some()
            || self.secondary.is_some()
            || self.primary.is_some()
    }

    /// The given levels with their names (`all`, `tertiary`, `secondary`, `primary`).
    pub fn named(&self) -> [(&'static str, Option<&Param>); 4] {
        [
            ("all", self.all.as_ref()),
            ("tertiary", self.tertiary.as_ref()),
            ("secondary", self.secondary.as_ref()),
            ("primary", self.primary.as_ref()),
        ]
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

/// What the budget of a point-value region (or a rate solved from a budget) is
/// set against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetBasis {
    /// `point value = (fund budget + patients' own payments on the DRG/DIP cases)
    /// / points`: the common form of regional rules (PRIMER §3). The fund then
    /// pays its budget whatever the volume.
    #[default]
    FundAndPatients,
    /// `point value = fund budget / points`; the fund pays that minus the
    /// patients' share.
    FundOnly,
}

/// Where the level of inpatient demand (cases, cost per case) comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandLevel {
    /// Members x the age profile's admissions and inpatient cost (default); the
    /// group table gives only the case mix and relative costs.
    #[default]
    Profile,
    /// The group table's cases (annualised by `tables_months`) and its cost per
    /// case by band; the profile gives aging and growth from the base year on.
    Tables,
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
    /// The fund's budget for DRG/DIP cases, 万元 per period (point-value mode; or
    /// solves the rate in rate mode). See `budget_basis`.
    pub budget_wan: Option<Param>,
    /// Whether patients' own payments on the DRG/DIP cases are added to
    /// `budget_wan` to set the point value (default) or not.
    #[serde(default)]
    pub budget_basis: BudgetBasis,
    /// Lowest point value the region pays (点值浮动区间), yuan per point.
    pub point_value_floor: Option<Param>,
    /// Highest point value the region pays, yuan per point.
    pub point_value_ceiling: Option<Param>,
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
    /// Level of demand: the fund's age profile (default) or the group table.
    #[serde(default)]
    pub demand_level: DemandLevel,
    /// Months of records the group table covers (`demand_level = "tables"`; default 12).
    pub tables_months: Option<f64>,
}
