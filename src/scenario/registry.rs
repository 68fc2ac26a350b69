//! The parameter registry: one declaration per scenario parameter, with its
//! unit, allowed range, default, default sensitivity and search ranges,
//! Chinese and English labels, a one-line description and the source of its
//! default (in the spirit of Tax-Calculator's `policy_current_law.json`).
//!
//! The table [`PARAMS`] drives
//! - validation: every value a scenario gives is checked against its range in
//!   every projected year ([`check_dated`], [`check_plain`]), with one message form;
//! - defaults: a dated parameter the file leaves out takes the declaration's `default` ([`ParamDecl`]);
//! - analysis: the built-in tornado parameters (the declarations' `tornado` field) and the
//!   goal-seek search range of a share ([`ParamDecl::seek`]);
//! - labels for charts and tables ([`lookup`] accepts a lever path as the
//!   analyses print it, e.g. `funds.resident.premiums.subsidy.scale`);
//! - the reference `docs/parameters.md` ([`markdown`]; a test keeps it in sync).
//!
//! **Adding a parameter**: add its field to the serde schema (`schema.rs`, or
//! `payment::PaymentSpec` for `payment.*`), one [`ParamDecl`] line below, and
//! its use in the formula (a `FundParams` handle in `projection/model.rs`, or
//! `reg(...)` in `payment/spec.rs`); then regenerate the reference with
//! `DRGSIM_REGENERATE_DOCS=1 cargo test --lib scenario::registry`.

use super::Diagnostic;
use super::param::Param;
use super::store::Years;

/// Unit of a parameter's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A fraction between 0 and 1 (0.7 = 70 %).
    Share,
    /// A yearly rate (0.04 = 4 % a year).
    Rate,
    /// A proportional change (0.05 = +5 %).
    Change,
    /// Yuan (元).
    Yuan,
    /// 万元 (10,000 yuan).
    Wan,
    /// Persons.
    Persons,
    /// A multiplier on a profile or table value.
    Factor,
    /// Yuan per DRG weight point.
    YuanPerPoint,
    /// Months of pooled spending (months payable).
    Months,
    /// Calendar months (a period of data).
    CalendarMonths,
}

impl Unit {
    /// English name of the unit.
    pub fn en(self) -> &'static str {
        match self {
            Unit::Share => "share",
            Unit::Rate => "per year",
            Unit::Change => "proportional change",
            Unit::Yuan => "yuan",
            Unit::Wan => "10,000 yuan",
            Unit::Persons => "persons",
            Unit::Factor => "factor",
            Unit::YuanPerPoint => "yuan per weight point",
            Unit::Months => "months payable",
            Unit::CalendarMonths => "months",
        }
    }
    /// Chinese name of the unit.
    pub fn zh(self) -> &'static str {
        match self {
            Unit::Share => "比例",
            Unit::Rate => "年率",
            Unit::Change => "变动比例",
            Unit::Yuan => "元",
            Unit::Wan => "万元",
            Unit::Persons => "人",
            Unit::Factor => "倍数",
            Unit::YuanPerPoint => "元/权重",
            Unit::Months => "可支付月数",
            Unit::CalendarMonths => "月",
        }
    }
}

/// Which funds a parameter belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    /// Every fund.
    All,
    /// Resident funds (`[premiums]`).
    Resident,
    /// Employee funds (`[contributions]`).
    Employee,
}

/// How the built-in one-way sensitivity moves a parameter, in its natural
/// units: a level by a percentage, a share or a rate by percentage points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tornado {
    /// A level: the whole path scaled by `low` and `high` (the `.scale`
    /// lever; `Scale(0.9, 1.1)` = +-10 %).
    Scale(f64, f64),
    /// A share or a yearly rate: `d` added to and taken from every year's
    /// value (the `.shift` lever; the `.base` of a `{ base, growth }` form),
    /// kept inside the parameter's allowed range. `Points(0.01)` = +-1
    /// percentage point.
    Points(f64),
    /// The yearly growth of a `{ base, growth }` form moved by `d` either way
    /// (the `.growth` lever); `GrowthPoints(0.01)` = +-1 percentage point a year.
    GrowthPoints(f64),
}

impl Tornado {
    /// The range in words, for the reference.
    pub fn text(self) -> String {
        match self {
            Tornado::Scale(a, b) => format!("x{a}..x{b}"),
            Tornado::Points(d) => format!("+-{} pp", d * 100.0),
            Tornado::GrowthPoints(d) => format!("growth +-{} pp", d * 100.0),
        }
    }
}

/// How a planner groups the levers on the what-if page (`drgsim serve`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    /// Premiums, subsidies and contributions (筹资).
    Financing,
    /// DRG base rate or point value, and the budget (费率与预算).
    RateBudget,
    /// Hospital coefficients by level (医院系数).
    Coefficients,
    /// DRG/DIP coverage (覆盖面).
    Coverage,
    /// Reimbursement shares (待遇).
    Benefits,
    /// Enrollment decline and aging (参保与老龄化).
    Enrollment,
    /// Cost and admission growth (费用与住院增长).
    Growth,
    /// Policy rules on/off and their thresholds (政策规则).
    Rules,
}

impl Group {
    /// Every group, in the page's order.
    pub const ALL: [Group; 8] = [
        Group::Financing,
        Group::RateBudget,
        Group::Coefficients,
        Group::Coverage,
        Group::Benefits,
        Group::Enrollment,
        Group::Growth,
        Group::Rules,
    ];
    /// Stable identifier (for the page and its requests).
    pub fn id(self) -> &'static str {
        match self {
            Group::Financing => "financing",
            Group::RateBudget => "rate_budget",
            Group::Coefficients => "coefficients",
            Group::Coverage => "coverage",
            Group::Benefits => "benefits",
            Group::Enrollment => "enrollment",
            Group::Growth => "growth",
            Group::Rules => "rules",
        }
    }
    /// Chinese heading.
    pub fn zh(self) -> &'static str {
        match self {
            Group::Financing => "筹资：个人缴费与财政补助",
            Group::RateBudget => "DRG/DIP 费率、点值与预算",
            Group::Coefficients => "医院等级系数",
            Group::Coverage => "DRG/DIP 覆盖面",
            Group::Benefits => "待遇：基金支付比例",
            Group::Enrollment => "参保流失与人口老龄化",
            Group::Growth => "费用与住院增长",
            Group::Rules => "政策规则及其阈值",
        }
    }
    /// English heading.
    pub fn en(self) -> &'static str {
        match self {
            Group::Financing => "Premiums and subsidy",
            Group::RateBudget => "DRG/DIP rate, point value and budget",
            Group::Coefficients => "Coefficients by hospital level",
            Group::Coverage => "DRG/DIP coverage",
            Group::Benefits => "Benefits: reimbursement shares",
            Group::Enrollment => "Enrollment decline and aging",
            Group::Growth => "Cost and admission growth",
            Group::Rules => "Policy rules and thresholds",
        }
    }
    /// Whether moving a lever of this group changes what hospitals are paid
    /// (the page then shows the change by level and the largest movers).
    pub fn is_payment(self) -> bool {
        matches!(
            self,
            Group::RateBudget | Group::Coefficients | Group::Coverage
        )
    }
}

/// One parameter's declaration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParamDecl {
    /// Dotted path under `funds.<id>.`; `{level}` stands for each hospital
    /// level (`tertiary`, `secondary`, `primary`) and `all`.
    pub path: &'static str,
    /// Which funds have it.
    pub applies: Applies,
    /// Whether the parameter is dated and registered in the parameter store,
    /// so analyses can move it (a lever). Plain numbers are not levers.
    pub lever: bool,
    /// Unit of the value.
    pub unit: Unit,
    /// Smallest allowed value.
    pub min: f64,
    /// Whether `min` itself is excluded (the value must be above it).
    pub min_exclusive: bool,
    /// Largest allowed value.
    pub max: f64,
    /// Value when the file leaves it out; `None` when it must be given.
    pub default: Option<f64>,
    /// Built-in tornado range, when it is one of the key parameters.
    pub tornado: Option<Tornado>,
    /// Goal-seek search range in natural units (otherwise half to twice the value).
    pub seek: Option<(f64, f64)>,
    /// Chinese label.
    pub label_zh: &'static str,
    /// English label.
    pub label_en: &'static str,
    /// What the parameter is, in one line.
    pub description: &'static str,
    /// Where its default comes from (empty: a model convention).
    pub source: &'static str,
    /// The what-if page's group, when the page offers it as a lever.
    pub group: Option<Group>,
}

impl ParamDecl {
    const fn new(
        path: &'static str,
        unit: Unit,
        min: f64,
        max: f64,
        label_zh: &'static str,
        label_en: &'static str,
        description: &'static str,
    ) -> ParamDecl {
        ParamDecl {
            path,
            applies: Applies::All,
            lever: true,
            unit,
            min,
            min_exclusive: false,
            max,
            default: None,
            tornado: None,
            seek: None,
            label_zh,
            label_en,
            description,
            source: "",
            group: None,
        }
    }
    const fn group(mut self, g: Group) -> Self {
        self.group = Some(g);
        self
    }
    const fn default(mut self, v: f64) -> Self {
        self.default = Some(v);
        self
    }
    const fn resident(mut self) -> Self {
        self.applies = Applies::Resident;
        self
    }
    const fn employee(mut self) -> Self {
        self.applies = Applies::Employee;
        self
    }
    const fn plain(mut self) -> Self {
        self.lever = false;
        self
    }
    const fn above_min(mut self) -> Self {
        self.min_exclusive = true;
        self
    }
    const fn tornado(mut self, t: Tornado) -> Self {
        self.tornado = Some(t);
        self
    }
    const fn seek_share(mut self) -> Self {
        self.seek = Some((0.0, 1.0));
        self
    }
    const fn source(mut self, s: &'static str) -> Self {
        self.source = s;
        self
    }

    /// Whether `v` lies in the allowed range (and is finite).
    pub fn allows(&self, v: f64) -> bool {
        v.is_finite()
            && v <= self.max
            && if self.min_exclusive {
                v > self.min
            } else {
                v >= self.min
            }
    }

    /// The allowed range in words: "between 0 and 1 (share)".
    pub fn range_text(&self) -> String {
        if self.min_exclusive {
            format!(
                "above {} and at most {} ({})",
                num(self.min),
                num(self.max),
                self.unit.en()
            )
        } else {
            format!(
                "between {} and {} ({})",
                num(self.min),
                num(self.max),
                self.unit.en()
            )
        }
    }

    /// Whether `rel` (a path under `funds.<id>.`) names this parameter.
    pub fn matches(&self, rel: &str) -> bool {
        // Most declarations have no `{level}`: then matching is equality (a
        // compile looks up a few hundred paths, each against the registry).
        if !self.path.as_bytes().contains(&b'{') {
            return self.path == rel;
        }
        let mut a = self.path.split('.');
        let mut b = rel.split('.');
        loop {
            match (a.next(), b.next()) {
                (None, None) => return true,
                (Some("{level}"), Some(x)) => {
                    if !LEVELS.contains(&x) {
                        return false;
                    }
                }
                (Some(x), Some(y)) if x == y => {}
                _ => return false,
            }
        }
    }
}

/// The words `{level}` stands for.
pub const LEVELS: [&str; 4] = ["tertiary", "secondary", "primary", "all"];

/// Levels: +-10 %.
const SCALE: Tornado = Tornado::Scale(0.9, 1.1);
/// Shares and yearly rates: +-1 percentage point.
const PP1: Tornado = Tornado::Points(0.01);
/// DRG/DIP coverage: +-5 percentage points.
const PP5: Tornado = Tornado::Points(0.05);
const GROWTH_LO: f64 = -0.99;
const GROWTH_HI: f64 = 1.0;
const NOTICE: &str = "national notices on resident-insurance financing (国家医保局 财政部 国家税务总局 年度城乡居民医保工作通知)";

use Unit::*;

/// Every parameter of a fund, in the order of the scenario file's sections.
pub static PARAMS: &[ParamDecl] = &[
    // Books.
    ParamDecl::new("opening_balance_wan", Wan, -1e7, 1e8, "上年末统筹基金累计结存", "Opening pooled balance", "Pooled-fund balance at the end of the year before the base year.").plain(),
    ParamDecl::new("interest_rate", Rate, -0.2, 0.5, "利息收入率", "Interest rate", "Yearly interest on the opening balance.").default(0.0),
    ParamDecl::new("other_income_wan", Wan, 0.0, 1e7, "其他收入", "Other income", "Other revenue a year.").default(0.0),
    // Members and demography.
    ParamDecl::new("members.total", Persons, 1.0, 1.5e9, "参保人数", "Members", "Members (参保人数) in the base year.").plain(),
    ParamDecl::new("demography.mortality_multiplier", Factor, 0.0, 10.0, "死亡率倍数", "Mortality multiplier", "Multiplier on the profile's death rates; below 1 and falling means faster aging.").default(1.0).tornado(Tornado::GrowthPoints(0.01)).group(Group::Enrollment),
    ParamDecl::new("demography.fertility_multiplier", Factor, 0.0, 10.0, "生育率倍数", "Fertility multiplier", "Multiplier on the profile's births per member.").default(1.0).group(Group::Enrollment),
    ParamDecl::new("demography.entrants", Persons, 0.0, 1e8, "新增参保人数", "Entrants", "New members a year (employee fund: new workers), spread by the profile's entrant_share.").default(0.0).group(Group::Enrollment),
    ParamDecl::new("enrollment.decline", Rate, -0.5, 0.9, "参保人数流失率", "Enrollment decline", "Share of members leaving a year (negative: growth).").default(0.0).tornado(PP1).seek_share().group(Group::Enrollment),
    ParamDecl::new("enrollment.selectivity", Share, 0.0, 1.0, "流失选择性", "Leaving selectivity", "0: everyone equally likely to leave; 1: by the profile's leave_propensity (the young first).").default(0.0).seek_share(),
    // Resident-fund revenue.
    ParamDecl::new("premiums.premium", Yuan, 0.0, 10_000.0, "个人缴费标准", "Premium per member", "Individual premium per member a year.").resident().tornado(SCALE).source(NOTICE).group(Group::Financing),
    ParamDecl::new("premiums.paying_share", Share, 0.0, 1.0, "个人缴费到位率", "Paying share", "Share of members whose premium is collected.").resident().default(1.0).seek_share().group(Group::Financing),
    ParamDecl::new("premiums.subsidy", Yuan, 0.0, 10_000.0, "财政补助标准", "Subsidy per person", "Government subsidy per person a year.").resident().tornado(SCALE).source(NOTICE).group(Group::Financing),
    ParamDecl::new("premiums.subsidy_heads_share", Share, 0.0, 2.0, "财政补助人数比", "Subsidised heads per member", "Head count the subsidy is paid for, as a share of members.").resident().default(1.0).seek_share().group(Group::Financing),
    ParamDecl::new("premiums.subsidy_split.central", Share, 0.0, 1.0, "中央财政补助占比", "Central share of subsidy", "Central government's share of the subsidy; the three shares sum to 1.").resident().plain(),
    ParamDecl::new("premiums.subsidy_split.provincial", Share, 0.0, 1.0, "省级财政补助占比", "Provincial share of subsidy", "Provincial share of the subsidy.").resident().plain(),
    ParamDecl::new("premiums.subsidy_split.local", Share, 0.0, 1.0, "市县财政补助占比", "Local share of subsidy", "Prefecture and county share of the subsidy.").resident().plain(),
    // Employee-fund revenue.
    ParamDecl::new("contributions.wage", Yuan, 0.0, 1e6, "缴费基数", "Contribution base", "Average contribution base (wage) per active worker a year.").employee().tornado(SCALE).group(Group::Financing),
    ParamDecl::new("contributions.rate", Share, 0.0, 0.5, "缴费费率", "Contribution rate", "Total contribution rate (employer + employee) on the wage.").employee().tornado(PP1).group(Group::Financing),
    ParamDecl::new("contributions.personal_account_share", Share, 0.0, 1.0, "划入个人账户比例", "Personal-account share", "Share of contributions credited to personal accounts (not pooled); required unless the 2021 form below is used (then 0).").employee().seek_share().group(Group::Financing),
    ParamDecl::new("contributions.personal_account_rate", Share, 0.0, 0.5, "在职职工个人账户划入费率", "Worker account rate", "2021 form: share of the wage credited to an active worker's own account (the worker's own contribution); 0 under the share form.").employee().default(0.02).seek_share().source("国办发〔2021〕14号: the worker's own contribution goes to the account"),
    ParamDecl::new("contributions.retiree_account_yuan", Yuan, 0.0, 10_000.0, "退休人员个人账户定额划入", "Retiree account amount", "2021 form: yuan a year credited from the pool to each retiree's account; scales with retirees, not wages.").employee().default(0.0).source("国办发〔2021〕14号: a fixed amount set by the province"),
    ParamDecl::new("contributions.personal_account_use", Share, 0.0, 2.0, "个人账户使用率", "Personal-account use", "Personal-account spending in the year as a share of the inflow.").employee().default(1.0).seek_share(),
    // Spending.
    ParamDecl::new("spending.admission_growth", Rate, GROWTH_LO, GROWTH_HI, "住院率增长", "Admission growth", "Yearly growth of admissions per member.").default(0.0).tornado(PP1).group(Group::Growth),
    ParamDecl::new("spending.inpatient_cost_growth", Rate, GROWTH_LO, GROWTH_HI, "次均住院费用增长", "Inpatient cost growth", "Yearly growth of fee-for-service cost per case.").default(0.0).tornado(PP1).group(Group::Growth),
    ParamDecl::new("spending.inpatient_reimbursement", Share, 0.0, 1.0, "住院基金支付比例", "Inpatient reimbursement", "Share of the hospital payment the fund pays.").seek_share().group(Group::Benefits),
    ParamDecl::new("spending.inpatient_reimbursement_by_level.{level}", Share, 0.0, 1.0, "住院基金支付比例(分级别)", "Inpatient reimbursement by level", "Fund's share of the inpatient bill at hospitals of a level (group form), overriding inpatient_reimbursement.").seek_share().source("benefit rules (assumed)"),
    ParamDecl::new("spending.inpatient_deductible", Yuan, 0.0, 1e5, "住院起付线", "Inpatient deductible", "Deductible (起付线) per admission; the fund's share applies above it.").default(0.0).source("benefit rules").group(Group::Benefits),
    ParamDecl::new("spending.outpatient_visit_growth", Rate, GROWTH_LO, GROWTH_HI, "门诊人次增长", "Outpatient visit growth", "Yearly growth of outpatient visits per member.").default(0.0).group(Group::Growth),
    ParamDecl::new("spending.outpatient_cost_growth", Rate, GROWTH_LO, GROWTH_HI, "次均门诊费用增长", "Outpatient cost growth", "Yearly growth of cost per outpatient visit.").default(0.0).tornado(PP1).group(Group::Growth),
    ParamDecl::new("spending.outpatient_reimbursement", Share, 0.0, 1.0, "门诊基金支付比例", "Outpatient reimbursement", "Share of outpatient cost the fund pays.").seek_share().group(Group::Benefits),
    ParamDecl::new("spending.major_illness_per_member", Yuan, 0.0, 5_000.0, "人均大病保险筹资", "Major illness per member", "Major-illness insurance (大病保险) bought per member a year.").default(0.0),
    ParamDecl::new("spending.out_of_area_per_member", Yuan, 0.0, 10_000.0, "人均异地就医支出", "Out-of-area care per member", "Out-of-area care (异地就医) per member a year, not priced by the region's DRG/DIP rules.").default(0.0),
    ParamDecl::new("spending.other_wan", Wan, 0.0, 1e7, "其他支出", "Other spending", "Other spending a year.").default(0.0),
    // Policy rules (`[funds.<id>.rules.*]`); thresholds left out are never reached.
    ParamDecl::new("rules.premium.deficit_raise", Share, 0.0, 0.5, "赤字后筹资标准上调幅度", "Raise after a deficit", "Relative raise of the financing standard the year after a deficit.").default(0.0).group(Group::Rules),
    ParamDecl::new("rules.premium.lower_at_months", Months, 0.0, 600.0, "下调筹资标准的可支付月数", "Lower at months payable", "Months payable at or above which the standard is lowered (left out: never).").source("Taizhou 2021 (台州市政府第79次常务会议): 2 months").group(Group::Rules),
    ParamDecl::new("rules.premium.premium_share", Share, 0.0, 1.0, "筹资调整中个人缴费承担份额", "Premium's share of a change", "Share of a change in the whole financing standard (yuan) taken from the individual premium, the rest from the subsidy (left out: both parts move by the same percentage).").source("Sanmen 2021: 40 of 75 yuan (personal 560 -> 520, fiscal 940 -> 905)").group(Group::Rules),
    ParamDecl::new("rules.premium.surplus_lower", Share, 0.0, 0.5, "结余时筹资标准下调幅度", "Cut after a surplus", "Relative cut of the standard the year after the balance covered lower_at_months.").default(0.0).group(Group::Rules),
    ParamDecl::new("rules.benefit.below_months", Months, 0.0, 600.0, "待遇调整触发月数", "Trim benefits below", "Months payable below which reimbursement shares are trimmed.").group(Group::Rules),
    ParamDecl::new("rules.benefit.step", Share, 0.0, 0.5, "待遇每年下调幅度", "Benefit cut per year", "Percentage points cut off both reimbursement shares per year.").group(Group::Rules),
    ParamDecl::new("rules.benefit.floor", Share, 0.0, 1.0, "报销比例下限", "Reimbursement floor", "Lowest reimbursement share the cut may leave.").group(Group::Rules),
    ParamDecl::new("rules.benefit.restore_at_months", Months, 0.0, 600.0, "待遇恢复月数", "Restore benefits at", "Months payable at or above which the cut is restored step by step (left out: never).").group(Group::Rules),
    ParamDecl::new("rules.backstop.below_months", Months, 0.0, 600.0, "财政兜底月数", "Backstop below", "Months payable the balance is topped up to by local finance (0: only a negative balance).").default(0.0).group(Group::Rules),
    ParamDecl::new("rules.backstop.cap_wan", Wan, 0.0, 1e9, "财政兜底上限", "Backstop cap", "Most local finance pays in a year.").group(Group::Rules),
    // Payment.
    ParamDecl::new("payment.base_rate", YuanPerPoint, 0.0, 1e5, "DRG基础费率", "DRG base rate", "Yuan per weight point (drg_rate mode).").above_min().tornado(SCALE).group(Group::RateBudget),
    ParamDecl::new("payment.budget_wan", Wan, 0.0, 1e8, "DRG/DIP预算总额", "DRG/DIP budget", "Budget for DRG/DIP cases per period (point_value mode; solves the rate in drg_rate mode).").tornado(SCALE).group(Group::RateBudget),
    ParamDecl::new("payment.point_value_floor", YuanPerPoint, 0.0, 1e5, "点值下限", "Point value floor", "Lowest point value the region pays (point_value mode); at most the ceiling.").source("regional rules (点值浮动区间)").group(Group::RateBudget),
    ParamDecl::new("payment.point_value_ceiling", YuanPerPoint, 0.0, 1e5, "点值上限", "Point value ceiling", "Highest point value the region pays (point_value mode).").above_min().source("regional rules (点值浮动区间)").group(Group::RateBudget),
    ParamDecl::new("payment.coverage", Share, 0.0, 1.0, "DRG覆盖率", "DRG coverage", "Aggregate form: share of inpatient fee-for-service cost paid by DRG/DIP.").default(1.0).tornado(PP5).seek_share().group(Group::Coverage),
    ParamDecl::new("payment.cmi", Factor, 0.0, 10.0, "病例组合指数", "Case-mix index", "Aggregate form: case-mix index (CMI).").above_min().default(1.0),
    ParamDecl::new("payment.coefficient", Factor, 0.0, 10.0, "医院系数", "Hospital coefficient", "Aggregate form: mean hospital coefficient; group form without a hospital table: the region's.").above_min().default(1.0).group(Group::Coefficients),
    ParamDecl::new("payment.level_coefficients.{level}", Factor, 0.0, 10.0, "医院等级系数", "Level coefficient", "Coefficient of every hospital of a level (overrides the table).").above_min().default(1.0).group(Group::Coefficients),
    ParamDecl::new("payment.hospital_coverage.{level}", Share, 0.0, 1.0, "DRG医院覆盖率", "Hospital coverage", "Share of a level's cases at hospitals in DRG/DIP.").default(1.0).tornado(PP5).seek_share().group(Group::Coverage),
    ParamDecl::new("payment.grouping_rate", Share, 0.0, 1.0, "入组率", "Grouping rate", "Share of cases that group successfully.").default(1.0).group(Group::Coverage),
    ParamDecl::new("payment.group_coverage", Share, 0.0, 1.0, "病种覆盖率", "Group coverage", "Share of the non-excluded groups' cases in covered groups.").default(1.0).group(Group::Coverage),
    ParamDecl::new("payment.excluded_stays_share", Share, 0.0, 1.0, "按住院天数除外比例", "Excluded stays", "Share of stays excluded by length, paid fee for service.").default(0.0),
    ParamDecl::new("payment.special_review_share", Share, 0.0, 1.0, "特病单议比例", "Special review", "Share of cases reviewed one by one (特病单议), paid fee for service.").default(0.0),
    ParamDecl::new("payment.outliers.marginal_share", Factor, 0.0, 10.0, "高倍率超出部分支付比例", "Outlier marginal share", "Share of the excess over the high-cost threshold paid on top (1 = full excess).").default(1.0),
    ParamDecl::new("payment.outliers.high_multiple.{level}", Factor, 1.0, 20.0, "高倍率阈值", "High-cost multiple", "High-cost threshold as a multiple of the group mean, by level.").above_min().plain(),
    ParamDecl::new("payment.outliers.low_multiple", Factor, 0.0, 0.99, "低倍率阈值", "Low-cost multiple", "Low-cost threshold as a multiple of the group mean; low cases are paid pro rata.").default(0.4).plain(),
    ParamDecl::new("payment.tables_months", CalendarMonths, 1.0, 120.0, "分组表覆盖月数", "Months the tables cover", "With `demand_level = \"tables\"` (the level of demand from the group table's cases and cost per case instead of the fund's age profile): months of records the table's `cases` cover; cases are annualised x 12 / months.").default(12.0).plain(),
    ParamDecl::new("payment.behaviour.cmi_drift", Change, -0.99, 10.0, "CMI漂移(高套编码)", "CMI drift", "Coded case-mix drift (upcoding): weights paid x (1 + drift).").default(0.0).tornado(PP1).group(Group::Growth),
    ParamDecl::new("payment.behaviour.admissions", Change, -0.99, 10.0, "住院人次响应", "Admissions response", "Admissions response to the payment reform: cases x (1 + admissions).").default(0.0),
    ParamDecl::new("payment.behaviour.length_of_stay", Change, -0.99, 10.0, "住院天数响应", "Length-of-stay response", "Length-of-stay response on cost per case.").default(0.0),
    ParamDecl::new("payment.behaviour.cost_per_case", Change, -0.99, 10.0, "次均费用响应", "Cost-per-case response", "Other cost-per-case response.").default(0.0),
    // Budget rules and year-end clearing (`[funds.<id>.clearing]`).
    ParamDecl::new("clearing.budget_wan", Wan, 0.0, 1e8, "总额预算", "Budget", "Base-year budget (growth rule) or every year's (fixed rule).").above_min().source("Sanmen 2019 clearing (三门县医保局)").group(Group::RateBudget),
    ParamDecl::new("clearing.growth", Rate, -0.99, 10.0, "预算增长率", "Budget growth", "Yearly growth of the budget on last year's cleared base (growth rule).").default(0.0).source("Sanmen: +7 %").group(Group::RateBudget),
    ParamDecl::new("clearing.growth_cap", Rate, -0.99, 10.0, "增长率上限", "Growth cap", "Cap on the budget growth (growth rule)."),
    ParamDecl::new("clearing.reserve_share", Share, 0.0, 1.0, "预留比例", "Reserve share", "Share of pooled revenue kept back before the budget is set (revenue rule).").default(0.0).source("以收定支 (revenue-linked budgets)"),
    ParamDecl::new("clearing.covered_share", Share, 0.0, 1.0, "预算占收入比例", "Share of revenue covered", "Share of pooled revenue (after the reserve) for what the budget covers (revenue rule).").default(1.0),
];

/// Sub-fields and factors the analyses append to a parameter path.
const LEVER_SUFFIXES: [&str; 5] = [".scale", ".shift", ".base", ".growth_after", ".growth"];

/// The declaration of a parameter, from a full lever path as the analyses
/// print it (`funds.resident.premiums.subsidy.scale`,
/// `funds.resident.payment.base_rate`, `...values.2025`) or a path under the
/// fund (`premiums.subsidy`).
pub fn lookup(path: &str) -> Option<&'static ParamDecl> {
    let rel = fund_relative(path);
    if let Some(d) = PARAMS.iter().find(|d| d.matches(rel)) {
        return Some(d);
    }
    // `.values.<year>` of a table form.
    if let Some(i) = rel.rfind(".values.")
        && rel[i + 8..].parse::<i32>().is_ok()
    {
        return lookup(&rel[..i]);
    }
    LEVER_SUFFIXES
        .iter()
        .find_map(|s| rel.strip_suffix(s))
        .and_then(|p| PARAMS.iter().find(|d| d.matches(p)))
}

/// `funds.<id>.rest` -> `rest`; anything else unchanged.
fn fund_relative(path: &str) -> &str {
    path.strip_prefix("funds.")
        .and_then(|r| r.split_once('.'))
        .map_or(path, |(_, rest)| rest)
}

/// The declaration for a path under `funds.<id>.`; panics on an undeclared
/// path, which is a programming error caught by the tests.
pub fn decl(rel: &str) -> &'static ParamDecl {
    PARAMS
        .iter()
        .find(|d| d.matches(rel))
        .unwrap_or_else(|| panic!("parameter `{rel}` is not declared in scenario/registry.rs"))
}

/// The declaration of a full or fund-relative path; panics on an undeclared
/// path, which is a programming error caught by the tests.
pub fn must_lookup(path: &str) -> &'static ParamDecl {
    lookup(path)
        .unwrap_or_else(|| panic!("parameter `{path}` is not declared in scenario/registry.rs"))
}

/// Checks a dated parameter against its declaration in every projected year,
/// and its growth form: the growth rate against -0.99..=1 and the year `from`
/// the base value refers to against the projection.
pub fn check_dated(
    issues: &mut Vec<Diagnostic>,
    full_path: &str,
    d: &ParamDecl,
    param: &Param,
    years: Years,
) {
    if let Param::Growth { growth, from, .. } = param {
        if let Some(from) = *from
            && (from > years.horizon || from < years.base_year - 100)
        {
            issues.push(Diagnostic::field(
                format!("{full_path}.from"),
                format!(
                    "`from = {from}` is outside {}..={}: the base value must be dated within the projection or up to 100 years before it",
                    years.base_year - 100,
                    years.horizon
                ),
            ));
            return;
        }
        for t in 0..years.len() {
            let g = growth.at(years.year(t), years.base_year);
            if !(g.is_finite() && (GROWTH_LO..=GROWTH_HI).contains(&g)) {
                issues.push(Diagnostic::field(
                    format!("{full_path}.growth"),
                    format!(
                        "is {} in {}; it must be a yearly rate between {GROWTH_LO} and {GROWTH_HI} (0.04 = 4 %)",
                        num(g),
                        years.year(t)
                    ),
                ));
                return;
            }
        }
    }
    for t in 0..years.len() {
        let y = years.year(t);
        let v = param.at(y, years.base_year);
        if !d.allows(v) {
            issues.push(Diagnostic::field(
                full_path,
                format!("is {} in {y}; it must be {}", num(v), d.range_text()),
            ));
            return;
        }
    }
}

/// Checks a plain (undated) number against its declaration.
pub fn check_plain(issues: &mut Vec<Diagnostic>, full_path: &str, d: &ParamDecl, v: f64) -> bool {
    let ok = d.allows(v);
    if !ok {
        issues.push(Diagnostic::field(
            full_path,
            format!("is {}; it must be {}", num(v), d.range_text()),
        ));
    }
    ok
}

/// A number for a message or the reference: plain up to 1e12, else `1e308`.
fn num(x: f64) -> String {
    if x.is_finite() && (x.abs() >= 1e12 || (x != 0.0 && x.abs() < 1e-6)) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// The parameter reference, `docs/parameters.md`.
pub fn markdown() -> String {
    let mut s = String::from(
        "# Scenario parameters\n\n\
         Generated from `src/scenario/registry.rs` (do not edit by hand; regenerate with\n\
         `DRGSIM_REGENERATE_DOCS=1 cargo test --lib scenario::registry`).\n\n\
         Paths are under `funds.<id>.`; `{level}` is `tertiary`, `secondary`, `primary` or `all`.\n\
         A dated parameter (lever: yes) can be a constant, a `{ base, growth }` form or a year table,\n\
         is checked in every projected year, and can be moved by `sensitivity`, `grid`, `montecarlo`\n\
         and `solve` (also as `PATH.scale`, `PATH.shift`, `PATH.base`, `PATH.growth`, `PATH.values.YEAR`).\n\
         Tornado: the built-in one-way range in natural units: a level x0.9..x1.1 (+-10 %), a share\n\
         or yearly rate +-1 percentage point (pp; DRG/DIP coverage +-5 pp), a `{ base, growth }`\n\
         form's growth +-1 pp a year; kept inside the allowed range. The tornado ranks on months\n\
         payable clipped at 0 (a depleted fund counts 0), ties by the depletion year.\n\n\
         | path | 名称 | name | unit | allowed | default | lever | tornado | fund | description | source of default |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for d in PARAMS {
        let allowed = if d.min_exclusive {
            format!("({}, {}]", num(d.min), num(d.max))
        } else {
            format!("[{}, {}]", num(d.min), num(d.max))
        };
        let tornado = d.tornado.map(Tornado::text).unwrap_or_default();
        let applies = match d.applies {
            Applies::All => "all",
            Applies::Resident => "resident",
            Applies::Employee => "employee",
        };
        s.push_str(&format!(
            "| `{}` | {} | {} | {} ({}) | {} | {} | {} | {} | {} | {} | {} |\n",
            d.path,
            d.label_zh,
            d.label_en,
            d.unit.en(),
            d.unit.zh(),
            allowed,
            d.default.map(num).unwrap_or_else(|| "required".into()),
            if d.lever { "yes" } else { "no" },
            tornado,
            applies,
            d.description,
            d.source,
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_accepts_lever_paths_as_the_analyses_print_them() {
        let d = lookup("funds.resident.premiums.subsidy.scale").unwrap();
        assert_eq!(d.path, "premiums.subsidy");
        assert_eq!(d.label_zh, "财政补助标准");
        let d = lookup("funds.resident.payment.base_rate").unwrap();
        assert_eq!(d.unit, Unit::YuanPerPoint);
        assert!(d.lever);
        assert_eq!(
            lookup("funds.employee.demography.mortality_multiplier.growth")
                .unwrap()
                .path,
            "demography.mortality_multiplier"
        );
        assert_eq!(
            lookup("funds.resident.premiums.premium.values.2025")
                .unwrap()
                .path,
            "premiums.premium"
        );
        assert_eq!(
            lookup("funds.resident.payment.hospital_coverage.secondary.shift")
                .unwrap()
                .path,
            "payment.hospital_coverage.{level}"
        );
        assert!(!lookup("funds.resident.members.total").unwrap().lever);
        assert!(lookup("funds.resident.premiums.premum").is_none());
        assert!(lookup("funds.resident.payment.hospital_coverage.quaternary").is_none());
    }

    #[test]
    fn every_declaration_is_consistent() {
        for (i, d) in PARAMS.iter().enumerate() {
            assert!(d.min < d.max, "{}", d.path);
            if let Some(v) = d.default {
                assert!(d.allows(v), "{}: default {v} outside its range", d.path);
            }
            if let Some((a, b)) = d.seek {
                assert!(a < b && d.min <= a && b <= d.max.max(1.0), "{}", d.path);
            }
            assert!(!d.label_zh.is_empty() && !d.label_en.is_empty());
            assert!(d.description.ends_with('.'), "{}", d.path);
            assert!(
                !PARAMS[..i].iter().any(|e| e.path == d.path),
                "{} declared twice",
                d.path
            );
        }
    }

    #[test]
    fn docs_parameters_md_is_generated_from_the_registry() {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/parameters.md");
        let want = markdown();
        if std::env::var_os("DRGSIM_REGENERATE_DOCS").is_some() {
            std::fs::write(&file, &want).unwrap();
        }
        let have = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            have == want,
            "docs/parameters.md is out of date; regenerate with DRGSIM_REGENERATE_DOCS=1 cargo test --lib scenario::registry"
        );
    }
}
