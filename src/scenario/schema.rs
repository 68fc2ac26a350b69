//! The scenario file format, as serde types. Every dated value is a [`Param`];
//! large tables are CSV files named by path. See `README.md` for the format.

use super::clearing::ClearingSpec;
use super::param::Param;
use super::payment::{LevelParams, PaymentSpec};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A whole scenario file (after `extends` is resolved).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Name, years and thresholds.
    pub scenario: Meta,
    /// The funds of the pooling region, by id (`resident`, `employee`, ...).
    pub funds: BTreeMap<String, FundSpec>,
    /// Low/high settings for one-way sensitivity, by parameter path.
    #[serde(default)]
    pub sensitivity: Option<SensitivitySpec>,
    /// Uncertain parameters for Monte Carlo, by parameter path.
    #[serde(default)]
    pub uncertainty: Option<UncertaintySpec>,
}

/// `[sensitivity]`: one-way (tornado) settings. Parameter paths are those of
/// `--set` plus the sub-fields `.base`, `.growth`, `.values.<year>`,
/// `.growth_after`, the factor `.scale` and the delta `.shift` (see `README.md`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivitySpec {
    /// Year whose months payable ranks the parameters (default: the horizon).
    pub outcome_year: Option<i32>,
    /// Whether the built-in key parameters (+-10 %) are included (default true).
    pub defaults: Option<bool>,
    /// Low and high value by parameter path; overrides a default for the same path.
    #[serde(default)]
    pub ranges: BTreeMap<String, LowHigh>,
}

/// A low and a high setting.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LowHigh {
    /// Low setting.
    pub low: f64,
    /// High setting.
    pub high: f64,
}

/// `[uncertainty]`: distributions of uncertain parameters for Monte Carlo.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncertaintySpec {
    /// Master seed (default 20231231).
    pub seed: Option<u64>,
    /// Number of paths (default 10,000).
    pub paths: Option<u64>,
    /// Distribution by parameter path (tag `dist`: point, normal, lognormal,
    /// triangular, uniform, beta; optional `lower`/`upper` truncation).
    #[serde(default)]
    pub params: BTreeMap<String, super::dist::DistSpec>,
    /// Correlations between pairs of uncertain parameters.
    pub correlation: Option<CorrelationSpec>,
}

/// `[uncertainty.correlation]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrelationSpec {
    /// `[path_a, path_b, rho]` triples; unlisted pairs are uncorrelated.
    #[serde(default)]
    pub pairs: Vec<(String, String, f64)>,
}

/// `[scenario]`: what the scenario is and the years it covers.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Short name shown in charts and tables.
    pub name: String,
    /// Chinese name for `--lang zh` reports (default: `name`).
    #[serde(default)]
    pub name_zh: Option<String>,
    /// What the scenario assumes, in a sentence or two.
    #[serde(default)]
    pub description: String,
    /// The base year: the first projected year, reproducing published figures.
    pub base_year: i32,
    /// Last projected year (default: base year + 12).
    pub horizon: Option<i32>,
    /// Months payable below which a fund is in warning (default 6).
    #[serde(default = "default_warning")]
    pub warning_months: f64,
    /// Months payable below which a fund is in danger (default 3).
    #[serde(default = "default_danger")]
    pub danger_months: f64,
    /// Where the base-year figures come from.
    #[serde(default)]
    pub sources: Vec<String>,
    /// Share of a year that the hospital (negotiation) report covers: 0.5 for a
    /// half-year settlement such as Qingyang's H1 2025. Payment is linear in
    /// cases, so the report scales the year's cases and money by it.
    #[serde(default = "one_f64")]
    pub settlement_period_share: f64,
    /// Name of that period in reports (default: the year).
    pub settlement_period: Option<String>,
    /// Whether the funds' `[rules]` act (default true: "rules as practised").
    /// `false` gives the stress view, in which nobody reacts to the fund's
    /// state: `--set scenario.policy_rules=false`.
    #[serde(default = "yes")]
    pub policy_rules: bool,
}

fn yes() -> bool {
    true
}

fn one_f64() -> f64 {
    1.0
}

fn default_warning() -> f64 {
    6.0
}
fn default_danger() -> f64 {
    3.0
}

/// Which kind of fund, which decides how revenue is raised.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FundKind {
    /// 城乡居民基本医疗保险: premiums per member plus government subsidy.
    Resident,
    /// 职工基本医疗保险: payroll contributions of active workers.
    Employee,
}

/// `[funds.<id>]`: one fund's books and the people it covers.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundSpec {
    /// Resident or employee fund.
    pub kind: FundKind,
    /// Display name.
    pub name: String,
    /// Chinese display name for `--lang zh` reports (default: from the fund's kind).
    #[serde(default)]
    pub name_zh: Option<String>,
    /// Pooled-fund balance at the end of the year before the base year, 万元.
    pub opening_balance_wan: f64,
    /// Interest earned on the opening balance, yearly rate.
    #[serde(default = "zero")]
    pub interest_rate: Param,
    /// Members and the CSV age profile.
    pub members: MembersSpec,
    /// Births, deaths and entrants.
    #[serde(default)]
    pub demography: DemographySpec,
    /// Enrollment decline.
    #[serde(default)]
    pub enrollment: EnrollmentSpec,
    /// Resident-fund revenue (premiums and subsidies).
    pub premiums: Option<PremiumSpec>,
    /// Employee-fund revenue (payroll contributions).
    pub contributions: Option<ContributionSpec>,
    /// Other revenue, 万元 per year.
    #[serde(default = "zero")]
    pub other_income_wan: Param,
    /// Spending on benefits.
    pub spending: SpendingSpec,
    /// How inpatient care is paid (DRG/DIP).
    pub payment: PaymentSpec,
    /// Budget rules and year-end clearing with risk corridors (optional).
    pub clearing: Option<ClearingSpec>,
    /// How the fund's managers react to its state (premium rule, benefit
    /// trimming, fiscal backstop); none by default.
    #[serde(default)]
    pub rules: super::rules::RulesSpec,
    /// Published figures by year (before, at or after the base year), shown
    /// beside the model's: `[funds.<id>.history.2022]`.
    #[serde(default, deserialize_with = "by_year")]
    pub history: BTreeMap<i32, Observed>,
}

/// A table keyed by year (`[funds.<id>.history.2022]`): TOML keys are strings.
fn by_year<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<i32, Observed>, D::Error> {
    BTreeMap::<String, Observed>::deserialize(d)?
        .into_iter()
        .map(|(k, v)| {
            k.parse::<i32>().map(|y| (y, v)).map_err(|_| {
                serde::de::Error::custom(format!(
                    "`{k}` is not a year; write e.g. [funds.resident.history.2022]"
                ))
            })
        })
        .collect()
}

/// Published figures of one fund for one year, as the source reports them.
/// Every figure is optional; flows may cover part of the year (`months`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observed {
    /// Months the published flows cover (default 12): Fengdu publishes
    /// January-November (11); the report annualises them (x 12 / months).
    pub months: Option<f64>,
    /// Members (参保人数) at year end.
    pub members: Option<f64>,
    /// Revenue, 万元 (flow).
    pub revenue_wan: Option<f64>,
    /// Expenditure, 万元 (flow).
    pub expenditure_wan: Option<f64>,
    /// Pooled-fund expenditure, 万元 (flow).
    pub pooled_expenditure_wan: Option<f64>,
    /// Pooled spending on care in the region (统筹实际发生额: inpatient and
    /// outpatient, out-of-area care and major illness excluded), 万元 (flow).
    pub care_wan: Option<f64>,
    /// Current surplus, 万元 (flow).
    pub surplus_wan: Option<f64>,
    /// Year-end balance, 万元.
    pub balance_wan: Option<f64>,
    /// Months payable as published.
    pub months_payable: Option<f64>,
    /// Where the figures come from, or what they cover.
    #[serde(default)]
    pub note: String,
}

impl Observed {
    /// `(column, value, is_flow)` for every figure given, in `projection.csv` column
    /// names (`care_wan` is `inpatient_wan + outpatient_wan` there).
    pub fn figures(&self) -> Vec<(&'static str, f64, bool)> {
        [
            ("members", self.members, false),
            ("revenue_wan", self.revenue_wan, true),
            ("expenditure_wan", self.expenditure_wan, true),
            ("pooled_expenditure_wan", self.pooled_expenditure_wan, true),
            ("care_wan", self.care_wan, true),
            ("surplus_wan", self.surplus_wan, true),
            ("balance_wan", self.balance_wan, false),
            ("months_payable", self.months_payable, false),
        ]
        .into_iter()
        .filter_map(|(c, v, flow)| v.map(|v| (c, v, flow)))
        .collect()
    }
}

pub(crate) fn zero() -> Param {
    Param::Const(0.0)
}
fn one() -> Param {
    Param::Const(1.0)
}

/// `[funds.<id>.members]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembersSpec {
    /// Members (参保人数) in the base year.
    pub total: f64,
    /// CSV age profile: one row per age band (see `scenarios/data/README.md`).
    pub profile: String,
}

/// `[funds.<id>.demography]`: cohort aging.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemographySpec {
    /// Multiplier on the profile's death rates (1 - survival); below 1 and
    /// falling means people live longer (faster aging).
    #[serde(default = "one")]
    pub mortality_multiplier: Param,
    /// Multiplier on the profile's births per member.
    #[serde(default = "one")]
    pub fertility_multiplier: Param,
    /// New members entering per year (employee fund: new workers), spread
    /// over bands by the profile's `entrant_share` column.
    #[serde(default = "zero")]
    pub entrants: Param,
}

impl Default for DemographySpec {
    fn default() -> Self {
        DemographySpec {
            mortality_multiplier: one(),
            fertility_multiplier: one(),
            entrants: zero(),
        }
    }
}

/// `[funds.<id>.enrollment]`: members leaving beyond births and deaths.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollmentSpec {
    /// Yearly share of members who leave (0.014 = 1.4 % a year).
    #[serde(default = "zero")]
    pub decline: Param,
    /// 0 = everyone equally likely to leave; 1 = leaving follows the profile's
    /// `leave_propensity` (the young and healthy leave first).
    #[serde(default = "zero")]
    pub selectivity: Param,
}

impl Default for EnrollmentSpec {
    fn default() -> Self {
        EnrollmentSpec {
            decline: zero(),
            selectivity: zero(),
        }
    }
}

/// `[funds.<id>.premiums]`: resident-fund financing.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PremiumSpec {
    /// Individual premium per member, yuan (个人缴费).
    pub premium: Param,
    /// Share of members whose premium is collected.
    #[serde(default = "one")]
    pub paying_share: Param,
    /// Government subsidy per person, yuan (财政补助).
    pub subsidy: Param,
    /// Head count the subsidy is paid for, as a share of members.
    #[serde(default = "one")]
    pub subsidy_heads_share: Param,
    /// Split of the subsidy between levels of government; must sum to 1.
    pub subsidy_split: SubsidySplit,
}

/// Shares of the subsidy paid by each level of government.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubsidySplit {
    /// Central government share.
    pub central: f64,
    /// Provincial share.
    pub provincial: f64,
    /// Prefecture and county share.
    pub local: f64,
}

/// `[funds.<id>.contributions]`: employee-fund financing.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionSpec {
    /// Average contribution base (wage) per active worker, yuan per year.
    pub wage: Param,
    /// Total contribution rate (employer + employee) on the wage.
    pub rate: Param,
    /// Share of contributions credited to personal accounts (not pooled);
    /// required unless the 2021 form (`personal_account_rate`,
    /// `retiree_account_yuan`) is used, and then not allowed.
    #[serde(default)]
    pub personal_account_share: Option<Param>,
    /// 2021 form: share of the wage credited to a worker's own account
    /// (default 0.02, the worker's own contribution, where the form is used).
    #[serde(default)]
    pub personal_account_rate: Option<Param>,
    /// 2021 form: yuan a year credited to each retiree's account from the pool.
    #[serde(default)]
    pub retiree_account_yuan: Option<Param>,
    /// Share of personal-account money spent in the year.
    #[serde(default = "one")]
    pub personal_account_use: Param,
}

impl ContributionSpec {
    /// Whether the 2021 form of personal accounts is used (a worker rate or a
    /// retiree amount given).
    pub fn reform_accounts(&self) -> bool {
        self.personal_account_rate.is_some() || self.retiree_account_yuan.is_some()
    }
}

/// `[funds.<id>.spending]`: benefits, per age band from the profile, with growth.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpendingSpec {
    /// Yearly growth of admissions per member (all bands).
    #[serde(default = "zero")]
    pub admission_growth: Param,
    /// Yearly growth of inpatient cost per case.
    #[serde(default = "zero")]
    pub inpatient_cost_growth: Param,
    /// Fund's share of the inpatient fee-for-service bill (above the deductible)
    /// under the benefit rules; the rest is the patient's share, paid on the bill
    /// whether the hospital is paid by DRG/DIP or not.
    pub inpatient_reimbursement: Param,
    /// The same by hospital level (`tertiary`, `secondary`, `primary`, `all`),
    /// overriding `inpatient_reimbursement` for the levels given (group form).
    #[serde(default)]
    pub inpatient_reimbursement_by_level: LevelParams,
    /// Deductible (起付线) per admission, yuan (default 0).
    #[serde(default = "zero")]
    pub inpatient_deductible: Param,
    /// Yearly growth of outpatient visits per member.
    #[serde(default = "zero")]
    pub outpatient_visit_growth: Param,
    /// Yearly growth of outpatient cost per visit.
    #[serde(default = "zero")]
    pub outpatient_cost_growth: Param,
    /// Share of outpatient cost the fund pays.
    pub outpatient_reimbursement: Param,
    /// Major-illness insurance (大病保险) bought per member, yuan.
    #[serde(default = "zero")]
    pub major_illness_per_member: Param,
    /// Out-of-area care (异地就医) the fund settles, per member, yuan: care
    /// outside the region's hospitals, which its DRG/DIP rules do not price.
    #[serde(default = "zero")]
    pub out_of_area_per_member: Param,
    /// Other spending, 万元 per year.
    #[serde(default = "zero")]
    pub other_wan: Param,
}
