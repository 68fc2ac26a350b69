//! Every word a report shows a person, in Chinese and English, and the units
//! amounts are shown in.
//!
//! - [`Lang`] and [`Unit`]: `--lang zh|en`, `--unit wan|yi`.
//! - [`COLUMNS`]: one row per projection output column (label, unit kind).
//!   Adding a column to [`crate::fund::YearRow`] means adding one line here; the
//!   test `every_projection_column_has_a_label` fails until you do.
//! - [`Key`]: the fixed words of titles, axes, legends and table headers.
//! - [`param_label`]: the name of a scenario parameter (tornado rows, grid axes,
//!   Monte Carlo parameters, solve), from the parameter registry's labels.
//! - [`status_word`]: 正常 / 预警 / 危险 / 穿底.
//!
//! The Chinese terms follow the seed reports (累计结余可支付月数, 当期结余率,
//! 统筹基金). CSV files keep their stable English snake_case headers; these
//! labels are for charts, Markdown, HTML and the workbook.

use crate::fund::status::Status;
use crate::report::markdown::fmt_num;
use crate::scenario::registry;
use std::fmt;
use std::str::FromStr;

/// Report language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// 简体中文 (the default).
    #[default]
    Zh,
    /// English.
    En,
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" => Ok(Lang::Zh),
            "en" => Ok(Lang::En),
            other => Err(format!(
                "unknown language `{other}`: use `zh` (简体中文, the default) or `en` (English)"
            )),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        })
    }
}

/// The unit amounts are shown in. Projection data are kept in 万元 throughout;
/// only reports convert.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Unit {
    /// 万元 (10,000 yuan), the unit of the bureaus' own accounts.
    #[default]
    Wan,
    /// 亿元 (100 million yuan), for provincial or large-city totals.
    Yi,
}

impl FromStr for Unit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wan" | "万" | "万元" => Ok(Unit::Wan),
            "yi" | "亿" | "亿元" => Ok(Unit::Yi),
            other => Err(format!(
                "unknown unit `{other}`: use `wan` (万元, the default) or `yi` (亿元)"
            )),
        }
    }
}

impl Unit {
    /// Divide an amount in 万元 by this to get the amount in this unit.
    pub fn per_wan(self) -> f64 {
        match self {
            Unit::Wan => 1.0,
            Unit::Yi => 10_000.0,
        }
    }

    /// Decimals that keep amounts readable: whole 万元, or 亿元 to two places.
    pub fn decimals(self) -> usize {
        match self {
            Unit::Wan => 0,
            Unit::Yi => 2,
        }
    }

    /// The unit's name.
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Unit::Wan, Lang::Zh) => "万元",
            (Unit::Yi, Lang::Zh) => "亿元",
            (Unit::Wan, Lang::En) => "10,000 yuan",
            (Unit::Yi, Lang::En) => "100 million yuan",
        }
    }
}

/// Language and unit of one report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Style {
    /// Language of every label.
    pub lang: Lang,
    /// Unit of every amount.
    pub unit: Unit,
}

impl Style {
    /// Chinese, 万元.
    pub const ZH: Style = Style {
        lang: Lang::Zh,
        unit: Unit::Wan,
    };
    /// English, 万元 (as 10,000 yuan).
    pub const EN: Style = Style {
        lang: Lang::En,
        unit: Unit::Wan,
    };

    /// A fixed word in this style's language.
    pub fn t(self, key: Key) -> &'static str {
        key.get(self.lang)
    }

    /// An amount given in 万元, converted to this style's unit, with thousands
    /// separators: `140,688` (万元) or `14.07` (亿元).
    pub fn money(self, wan: f64) -> String {
        fmt_num(wan / self.unit.per_wan(), self.unit.decimals())
    }

    /// An amount in 万元 converted to this style's unit (for charts and cells).
    pub fn money_value(self, wan: f64) -> f64 {
        wan / self.unit.per_wan()
    }

    /// Months payable, to one decimal.
    pub fn months(self, m: f64) -> String {
        fmt_num(m, 1)
    }

    /// A share (0..1) as a percentage to one decimal: `23.4%`.
    pub fn percent(self, share: f64) -> String {
        if share.is_finite() {
            format!("{}%", fmt_num(share * 100.0, 1))
        } else {
            fmt_num(share, 1)
        }
    }

    /// A year, or the word for "never within the horizon".
    pub fn year_or_never(self, y: Option<i32>) -> String {
        y.map_or_else(|| self.t(Key::Never).to_string(), |y| y.to_string())
    }

    /// "label (unit)" for a money axis or header.
    pub fn money_label(self, label: &str) -> String {
        with_unit(self.lang, label, self.unit.name(self.lang))
    }
}

/// `label（unit）` in Chinese, `label (unit)` in English.
pub fn with_unit(lang: Lang, label: &str, unit: &str) -> String {
    match lang {
        Lang::Zh => format!("{label}（{unit}）"),
        Lang::En => format!("{label} ({unit})"),
    }
}

/// The regulator's word for a fund status.
pub fn status_word(status: Status, lang: Lang) -> &'static str {
    match (status, lang) {
        (Status::Ok, Lang::Zh) => "正常",
        (Status::Warning, Lang::Zh) => "预警",
        (Status::Danger, Lang::Zh) => "危险",
        (Status::Depleted, Lang::Zh) => "穿底",
        (Status::Ok, Lang::En) => "normal",
        (Status::Warning, Lang::En) => "warning",
        (Status::Danger, Lang::En) => "danger",
        (Status::Depleted, Lang::En) => "depleted",
    }
}

/// How a column's values are measured, which decides unit conversion and
/// number format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An amount in 万元 (converted by [`Unit`]).
    Money,
    /// A head count (persons).
    Persons,
    /// A count of cases.
    Cases,
    /// A share 0..1, shown as a percentage.
    Share,
    /// Months payable.
    Months,
    /// A plain ratio (active workers per retiree, case-mix index).
    Ratio,
    /// Yuan (per point, per member).
    Yuan,
}

impl Kind {
    /// Decimals for a report cell of this kind (after unit conversion).
    pub fn decimals(self, unit: Unit) -> usize {
        match self {
            Kind::Money => unit.decimals(),
            Kind::Persons | Kind::Cases => 0,
            Kind::Share | Kind::Months => 1,
            Kind::Ratio | Kind::Yuan => 2,
        }
    }

    /// Excel number format for a cell of this kind (shares as percentages).
    pub fn excel_format(self, unit: Unit) -> &'static str {
        match (self, unit) {
            (Kind::Money, Unit::Wan) | (Kind::Persons, _) | (Kind::Cases, _) => "#,##0",
            (Kind::Money, Unit::Yi) | (Kind::Ratio, _) | (Kind::Yuan, _) => "#,##0.00",
            (Kind::Share, _) => "0.0%",
            (Kind::Months, _) => "0.0",
        }
    }
}

/// Labels of one projection output column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The CSV header (a [`crate::fund::YearRow`] field name).
    pub key: &'static str,
    /// Chinese label, without the unit.
    pub zh: &'static str,
    /// English label, without the unit.
    pub en: &'static str,
    /// What the values measure.
    pub kind: Kind,
}

impl Column {
    /// The label in `lang`, without unit.
    pub fn label(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }

    /// The label with its unit, e.g. `统筹基金累计结余（万元）`.
    pub fn header(&self, style: Style) -> String {
        let unit = match (self.kind, style.lang) {
            (Kind::Money, _) => style.unit.name(style.lang),
            (Kind::Persons, Lang::Zh) => "人",
            (Kind::Persons, Lang::En) => "persons",
            (Kind::Cases, Lang::Zh) => "人次",
            (Kind::Cases, Lang::En) => "cases",
            (Kind::Share, _) => return self.label(style.lang).to_string(),
            (Kind::Months, Lang::Zh) => "月",
            (Kind::Months, Lang::En) => "months",
            (Kind::Yuan, Lang::Zh) => "元",
            (Kind::Yuan, Lang::En) => "yuan",
            (Kind::Ratio, _) => return self.label(style.lang).to_string(),
        };
        with_unit(style.lang, self.label(style.lang), unit)
    }

    /// A value of this column converted for display (money by unit, shares
    /// stay 0..1 for Excel's percentage format).
    pub fn value(&self, style: Style, v: f64) -> f64 {
        match self.kind {
            Kind::Money => style.money_value(v),
            _ => v,
        }
    }

    /// A value of this column as report text.
    pub fn text(&self, style: Style, v: f64) -> String {
        match self.kind {
            Kind::Share => style.percent(v),
            k => fmt_num(self.value(style, v), k.decimals(style.unit)),
        }
    }
}

macro_rules! columns {
    ($($key:ident: $kind:ident, $zh:literal, $en:literal;)*) => {
        /// Labels of every projection output column, in CSV order.
        pub const COLUMNS: &[Column] = &[$(Column {
            key: stringify!($key),
            zh: $zh,
            en: $en,
            kind: Kind::$kind,
        }),*];
    };
}

columns! {
    members: Persons, "参保人数", "members";
    members_60plus_share: Share, "60岁及以上占比", "members aged 60+";
    members_under20_share: Share, "20岁以下占比", "members under 20";
    active_workers: Persons, "在职职工", "active workers";
    retirees: Persons, "退休人员", "retirees";
    active_retired_ratio: Ratio, "在职退休比", "active workers per retiree";
    premium_wan: Money, "个人缴费", "individual premiums";
    premium_yuan: Yuan, "人均个人缴费标准", "premium per member";
    subsidy_yuan: Yuan, "人均财政补助标准", "subsidy per person";
    subsidy_wan: Money, "财政补助", "government subsidy";
    subsidy_central_wan: Money, "中央财政补助", "central subsidy";
    subsidy_provincial_wan: Money, "省级财政补助", "provincial subsidy";
    subsidy_local_wan: Money, "州市县财政补助", "prefecture and county subsidy";
    contributions_pooled_wan: Money, "统筹基金缴费收入", "pooled contributions";
    personal_account_revenue_wan: Money, "个人账户划入", "personal-account revenue";
    interest_wan: Money, "利息收入", "interest";
    other_income_wan: Money, "其他收入", "other income";
    fiscal_backstop_wan: Money, "财政兜底", "fiscal backstop";
    revenue_wan: Money, "基金总收入", "total revenue";
    pooled_revenue_wan: Money, "统筹基金收入", "pooled revenue";
    inpatient_wan: Money, "住院支出", "inpatient spending";
    inpatient_patient_wan: Money, "住院患者自付", "patients' inpatient payments";
    inpatient_hospital_wan: Money, "医院住院收入", "hospital inpatient revenue";
    outpatient_wan: Money, "门诊支出", "outpatient spending";
    major_illness_wan: Money, "大病保险支出", "major-illness insurance";
    out_of_area_wan: Money, "异地就医支出", "out-of-area care";
    other_spending_wan: Money, "其他支出", "other spending";
    personal_account_spending_wan: Money, "个人账户支出", "personal-account spending";
    expenditure_wan: Money, "基金总支出", "total expenditure";
    pooled_expenditure_wan: Money, "统筹基金支出", "pooled expenditure";
    surplus_wan: Money, "当期结余", "surplus";
    surplus_rate: Share, "当期结余率", "surplus rate";
    balance_wan: Money, "累计结余", "balance";
    months_payable: Months, "可支付月数", "months payable";
    inpatient_cases: Cases, "住院人次", "inpatient cases";
    drg_cases: Cases, "DRG/DIP结算人次", "DRG/DIP cases";
    cmi: Ratio, "病例组合指数CMI", "case-mix index";
    base_rate: Yuan, "DRG基础费率", "DRG base rate";
    point_value: Yuan, "点值", "point value";
    settlement_ratio: Share, "结付率（基金口径）", "settlement ratio, fund side";
    settlement_ratio_full_cost: Share, "结付率（全费用口径）", "settlement ratio, full cost";
    inpatient_ffs_equivalent_wan: Money, "住院按项目付费等值", "inpatient cost at fee-for-service prices";
    drg_payment_wan: Money, "DRG/DIP支付", "DRG/DIP payment";
    drg_fund_payment_wan: Money, "DRG/DIP基金支付", "DRG/DIP fund payment";
    drg_fund_ffs_wan: Money, "DRG/DIP病例按项目基金应付", "DRG/DIP fund share at fee-for-service";
    budget_wan: Money, "总额预算", "budget";
    clearing_wan: Money, "年终清算调整", "year-end clearing adjustment";
    spending_per_member_yuan: Yuan, "人均统筹支出", "pooled spending per member";
    benefit_cut: Share, "报销比例下调", "benefit cut";
}

/// The labels of a projection column, if it has any.
pub fn column(key: &str) -> Option<&'static Column> {
    COLUMNS.iter().find(|c| c.key == key)
}

macro_rules! keys {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        /// The fixed words of reports.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key { $(#[doc = $en] $key),* }

        impl Key {
            /// Every key, for tests.
            pub const ALL: &'static [Key] = &[$(Key::$key),*];

            /// The word in `lang`.
            pub fn get(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Key::$key, Lang::Zh) => $zh, (Key::$key, Lang::En) => $en,)*
                }
            }
        }
    };
}

keys! {
    Year => "年份", "year";
    Fund => "基金", "fund";
    Scenario => "方案", "scenario";
    MonthsPayable => "累计结余可支付月数", "months payable";
    MonthsAxis => "可支付月数（月）", "months of pooled spending";
    Balance => "统筹基金累计结余", "pooled-fund balance";
    CumulativeDeficit => "累计缺口", "cumulative shortfall";
    Depleted => "穿底", "depleted";
    DepletedIn => "穿底年份", "depleted in";
    WarningBand => "预警区（低于{}个月）", "warning (< {} months)";
    DangerBand => "危险区（低于{}个月）", "danger (< {} months)";
    RevenueVsExpenditure => "统筹基金收入与支出", "pooled revenue vs expenditure";
    Revenue => "收入", "revenue";
    Expenditure => "支出", "expenditure";
    Premiums => "个人缴费", "premiums";
    Subsidies => "财政补助", "subsidies";
    PooledContributions => "统筹基金缴费", "pooled contributions";
    Interest => "利息收入", "interest";
    OtherIncome => "其他收入", "other income";
    Inpatient => "住院", "inpatient";
    Outpatient => "门诊", "outpatient";
    MajorIllness => "大病保险", "major illness";
    OtherSpending => "其他支出", "other spending";
    FiscalBackstop => "财政兜底", "fiscal backstop";
    OutOfArea => "异地就医", "out-of-area care";
    MembersByAge => "分年龄段参保人数", "members by age band";
    Members => "参保人数（人）", "members";
    Never => "期内未出现", "never";
    Summary => "主要结果", "Summary";
    BalanceBaseYear => "基期末累计结余", "balance, base year";
    MonthsBaseYear => "基期可支付月数", "months payable, base year";
    BalanceHorizon => "期末累计结余", "balance, horizon";
    MonthsHorizon => "期末可支付月数", "months payable, horizon";
    FirstWarning => "首次低于预警线", "first year below warning";
    FirstDanger => "首次低于危险线", "first year below danger";
    Depletion => "穿底年份", "depletion year";
    CumulativeSurplus => "期内当期结余合计", "cumulative surplus";
    StatusAtHorizon => "期末状态", "status at the horizon";
    Assumptions => "主要假设", "Main assumptions";
    Sources => "资料来源", "Sources";
    Parameter => "参数", "parameter";
    Form => "形式", "form";
    Path => "参数路径", "path";
    Constant => "常数", "constant";
    GrowsYearly => "逐年增长", "grows yearly";
    DatedTable => "分年表", "dated table";
    ScenarioFiles => "方案文件", "scenario files";
    Projection => "逐年预测", "Projection";
    Charts => "图表", "Charts";
    Indicator => "指标", "indicator";
    Status => "状态", "status";
    StressTest => "本预测为压力测试：不含基金对缺口的应对（如调整筹资、清算规则）。", "This projection is a stress test: it assumes no response by the fund (premium rules, clearing) to a shortfall.";
    ProjectionPeriod => "预测期", "projection";
    Thresholds => "预警线与危险线", "warning and danger lines";
    MonthsUnit => "个月", "months";
    AmountsIn => "金额单位", "amounts in";
    GeneratedBy => "由 drgsim 生成", "generated by drgsim";
}

/// Labels of the CSV headers of the analysis, comparison and hospital tables
/// that are not projection columns: `(key, zh, en, Excel number format)`.
const HEADERS: &[(&str, &str, &str, &str)] = &[
    ("fund", "基金", "fund", "@"),
    ("scenario", "方案", "scenario", "@"),
    ("year", "年份", "year", "0"),
    ("rank", "排序", "rank", "0"),
    ("param", "参数", "parameter", "@"),
    ("low", "低值", "low", "#,##0.0000"),
    ("high", "高值", "high", "#,##0.0000"),
    ("default", "方案值", "scenario value", "#,##0.0000"),
    (
        "value",
        "求解值（按通知口径取整）",
        "value (as a notice prints it)",
        "#,##0.0000",
    ),
    ("value_exact", "求解精确值", "exact value", "#,##0.000000"),
    ("rounded_to", "取整单位", "rounded to", "#,##0.0000"),
    ("from_year", "目标起始年份", "target from", "0"),
    ("through_year", "目标截止年份", "target through", "0"),
    ("move_from", "参数调整起始年份", "moved from", "0"),
    ("ranked_by", "排序依据", "ranked by", "@"),
    ("swing_ranked", "排序摆幅", "swing used for ranking", "0.00"),
    ("outcome_year", "结果年份", "outcome year", "0"),
    ("months_base", "基准可支付月数", "months, base case", "0.0"),
    ("months_low", "低值时可支付月数", "months, low", "0.0"),
    ("months_high", "高值时可支付月数", "months, high", "0.0"),
    ("swing_months", "月数摆幅", "swing, months", "0.0"),
    (
        "first_warning_base",
        "基准首次预警年份",
        "first warning, base",
        "0",
    ),
    (
        "first_warning_low",
        "低值首次预警年份",
        "first warning, low",
        "0",
    ),
    (
        "first_warning_high",
        "高值首次预警年份",
        "first warning, high",
        "0",
    ),
    ("depletion_base", "基准穿底年份", "depletion, base", "0"),
    ("depletion_low", "低值穿底年份", "depletion, low", "0"),
    ("depletion_high", "高值穿底年份", "depletion, high", "0"),
    (
        "cumulative_surplus_base_wan",
        "基准累计结余（万元）",
        "cumulative surplus, base (10,000 yuan)",
        "#,##0",
    ),
    (
        "cumulative_surplus_low_wan",
        "低值累计结余（万元）",
        "cumulative surplus, low (10,000 yuan)",
        "#,##0",
    ),
    (
        "cumulative_surplus_high_wan",
        "高值累计结余（万元）",
        "cumulative surplus, high (10,000 yuan)",
        "#,##0",
    ),
    (
        "first_order",
        "一阶敏感度指数",
        "first-order index",
        "0.000",
    ),
    (
        "first_order_se",
        "一阶指数标准误",
        "first-order s.e.",
        "0.000",
    ),
    ("total", "总敏感度指数", "total index", "0.000"),
    ("total_se", "总指数标准误", "total s.e.", "0.000"),
    ("x_param", "横轴参数", "x parameter", "@"),
    ("x", "横轴取值", "x", "#,##0.0000"),
    ("y_param", "纵轴参数", "y parameter", "@"),
    ("y", "纵轴取值", "y", "#,##0.0000"),
    ("months_p05", "可支付月数P5", "months p5", "0.0"),
    ("months_p25", "可支付月数P25", "months p25", "0.0"),
    ("months_p50", "可支付月数中位数", "months median", "0.0"),
    ("months_p75", "可支付月数P75", "months p75", "0.0"),
    ("months_p95", "可支付月数P95", "months p95", "0.0"),
    ("months_mean", "可支付月数均值", "months mean", "0.0"),
    (
        "balance_p05",
        "累计结余P5（万元）",
        "balance p5 (10,000 yuan)",
        "#,##0",
    ),
    (
        "balance_p25",
        "累计结余P25（万元）",
        "balance p25 (10,000 yuan)",
        "#,##0",
    ),
    (
        "balance_p50",
        "累计结余中位数（万元）",
        "balance median (10,000 yuan)",
        "#,##0",
    ),
    (
        "balance_p75",
        "累计结余P75（万元）",
        "balance p75 (10,000 yuan)",
        "#,##0",
    ),
    (
        "balance_p95",
        "累计结余P95（万元）",
        "balance p95 (10,000 yuan)",
        "#,##0",
    ),
    (
        "p_below_warning",
        "低于预警线概率",
        "P(below warning)",
        "0.0%",
    ),
    (
        "p_below_danger",
        "低于危险线概率",
        "P(below danger)",
        "0.0%",
    ),
    ("p_depleted", "穿底概率", "P(depleted)", "0.0%"),
    ("base_year", "基期", "base year", "0"),
    ("base_months", "基期可支付月数", "months, base year", "0.0"),
    ("horizon", "期末年份", "horizon", "0"),
    (
        "horizon_balance_wan",
        "期末累计结余（万元）",
        "balance at horizon (10,000 yuan)",
        "#,##0",
    ),
    (
        "horizon_months",
        "期末可支付月数",
        "months at horizon",
        "0.0",
    ),
    (
        "first_warning",
        "首次低于预警线",
        "first year below warning",
        "0",
    ),
    (
        "first_danger",
        "首次低于危险线",
        "first year below danger",
        "0",
    ),
    ("depletion", "穿底年份", "depletion year", "0"),
    (
        "cumulative_surplus_wan",
        "期内累计结余（万元）",
        "cumulative surplus (10,000 yuan)",
        "#,##0",
    ),
    ("hospital", "医院编码", "hospital", "@"),
    ("name", "医院名称", "name", "@"),
    ("level", "医院等级", "level", "@"),
    ("coefficient", "医院系数", "coefficient", "0.0000"),
    ("cases", "病例数", "cases", "#,##0"),
    (
        "ffs_equivalent_wan",
        "按项目付费等值（万元）",
        "fee-for-service equivalent (10,000 yuan)",
        "#,##0.00",
    ),
    (
        "payment_wan",
        "DRG/DIP支付（万元）",
        "DRG/DIP payment (10,000 yuan)",
        "#,##0.00",
    ),
    (
        "payment_change_wan",
        "支付变化（万元）",
        "payment change (10,000 yuan)",
        "#,##0.00",
    ),
    (
        "payment_change_pct",
        "支付变化（%）",
        "payment change (%)",
        "0.0",
    ),
];

/// The header of a CSV column in a report's language: a projection column's
/// label with unit, an analysis table's label, or the key itself when none
/// exists (which `tests` keep from happening for the bundled commands).
pub fn header_label(key: &str, style: Style) -> String {
    if let Some(c) = column(key) {
        // CSV amounts stay in 万元 whatever --unit says.
        return c.header(Style {
            unit: Unit::Wan,
            ..style
        });
    }
    match HEADERS.iter().find(|h| h.0 == key) {
        Some(h) if style.lang == Lang::Zh => h.1.to_string(),
        Some(h) => h.2.to_string(),
        None => key.to_string(),
    }
}

/// Excel number format of a CSV column.
pub fn header_format(key: &str) -> &'static str {
    if let Some(c) = column(key) {
        return c.kind.excel_format(Unit::Wan);
    }
    HEADERS
        .iter()
        .find(|h| h.0 == key)
        .map_or("General", |h| h.3)
}

/// Fill `{}` in a [`Key`] template with `value`.
pub fn fill(template: &str, value: impl fmt::Display) -> String {
    template.replacen("{}", &value.to_string(), 1)
}

/// Labels of parameter leaves (the last segment of a parameter path, before
/// `.shift` / `.scale`) the parameter registry does not declare (analysis
/// levers such as `weights`, older aliases); [`param_label`] asks the registry first.
const PARAMS: &[(&str, &str, &str)] = &[
    ("interest_rate", "利息率", "interest rate"),
    ("mortality_multiplier", "死亡率倍数", "mortality multiplier"),
    ("fertility_multiplier", "生育率倍数", "fertility multiplier"),
    ("entrants", "新参保人数", "new entrants"),
    ("decline", "参保人数年降幅", "enrollment decline"),
    (
        "selectivity",
        "流失年龄选择性",
        "age selectivity of leavers",
    ),
    ("premium", "人均个人缴费", "premium per member"),
    ("paying_share", "缴费人员占比", "paying share"),
    ("subsidy", "人均财政补助", "subsidy per member"),
    (
        "subsidy_heads_share",
        "按人头补助占比",
        "subsidy head-count share",
    ),
    ("wage", "缴费工资", "contribution wage"),
    ("contribution_rate", "缴费率", "contribution rate"),
    (
        "personal_account_share",
        "个人账户划入比例",
        "personal-account share",
    ),
    (
        "personal_account_use",
        "个人账户使用率",
        "personal-account use",
    ),
    ("other_income_wan", "其他收入", "other income"),
    ("admission_growth", "住院率增速", "admission growth"),
    (
        "inpatient_cost_growth",
        "次均住院费用增速",
        "inpatient cost growth",
    ),
    (
        "inpatient_reimbursement",
        "住院报销比例",
        "inpatient reimbursement",
    ),
    (
        "outpatient_visit_growth",
        "门诊人次增速",
        "outpatient visit growth",
    ),
    (
        "outpatient_cost_growth",
        "次均门诊费用增速",
        "outpatient cost growth",
    ),
    (
        "outpatient_reimbursement",
        "门诊报销比例",
        "outpatient reimbursement",
    ),
    (
        "major_illness_per_member",
        "人均大病保险筹资",
        "major illness per member",
    ),
    ("other_spending_wan", "其他支出", "other spending"),
    ("base_rate", "DRG基础费率", "DRG base rate"),
    ("coverage", "DRG/DIP覆盖率", "DRG/DIP coverage"),
    ("drg_coverage", "DRG/DIP覆盖率", "DRG/DIP coverage"),
    ("coefficient", "医院系数", "hospital coefficient"),
    ("weight", "相对权重", "relative weight"),
    ("weights", "相对权重", "relative weights"),
    ("budget_growth", "总额预算增速", "budget growth"),
    ("point_value", "点值", "point value"),
    ("volume_response", "服务量响应", "volume response"),
    ("upcoding", "高编高套", "upcoding"),
    ("total", "参保人数", "members"),
    ("rate", "缴费率", "contribution rate"),
    ("other_wan", "其他支出", "other spending"),
    (
        "behaviour.admissions",
        "住院量行为响应",
        "admissions response",
    ),
    ("budget_wan", "DRG/DIP总额预算", "DRG/DIP budget"),
    ("cmi", "病例组合指数CMI", "case-mix index"),
    (
        "excluded_stays_share",
        "除外病例占比",
        "excluded stays share",
    ),
    ("group_coverage", "病组覆盖率", "group coverage"),
    ("grouping_rate", "入组率", "grouping rate"),
    (
        "hospital_coverage.primary",
        "一级医院DRG覆盖率",
        "primary-hospital coverage",
    ),
    (
        "hospital_coverage.secondary",
        "二级医院DRG覆盖率",
        "secondary-hospital coverage",
    ),
    (
        "hospital_coverage.tertiary",
        "三级医院DRG覆盖率",
        "tertiary-hospital coverage",
    ),
    (
        "hospital_coverage.all",
        "医院DRG覆盖率",
        "hospital coverage",
    ),
    (
        "level_coefficients.primary",
        "一级医院系数",
        "primary-hospital coefficient",
    ),
    (
        "level_coefficients.secondary",
        "二级医院系数",
        "secondary-hospital coefficient",
    ),
    (
        "level_coefficients.tertiary",
        "三级医院系数",
        "tertiary-hospital coefficient",
    ),
    (
        "outliers.marginal_share",
        "极值病例超出部分支付比例",
        "outlier marginal share",
    ),
    (
        "special_review_share",
        "特病单议占比",
        "special review share",
    ),
    ("opening_balance_wan", "期初累计结余", "opening balance"),
];

/// Labels of the fund segment of a parameter path (`funds.resident....`).
const FUNDS: &[(&str, &str, &str)] = &[
    ("resident", "居民医保", "resident"),
    ("employee", "职工医保", "employee"),
];

/// The name of a scenario parameter for charts and tables, e.g.
/// `funds.resident.spending.inpatient_cost_growth.shift` →
/// `居民医保次均住院费用增长（增减）` / `resident inpatient cost growth (shift)`.
///
/// The name comes from the parameter registry
/// ([`registry::lookup`](crate::scenario::registry::lookup), `label_zh` /
/// `label_en`), with the hospital level of a per-level parameter; paths the
/// registry does not declare (analysis levers such as `weights.scale`) fall
/// back to a small table, and unknown ones to their path, so a new lever
/// still shows something sensible.
pub fn param_label(path: &str, lang: Lang) -> String {
    let (stem, part) = match path.rsplit_once('.') {
        // `clearing.growth` is a parameter, not a `.growth` lever of `clearing`.
        Some((s, p @ ("shift" | "scale" | "growth" | "base")))
            if registry_label(path, lang).is_none() =>
        {
            (s, Some(p))
        }
        _ => (path, None),
    };
    let segs: Vec<&str> = stem.split('.').collect();
    let name = match registry_label(stem, lang) {
        Some(n) => n,
        None => {
            let leaf = segs.last().copied().unwrap_or(stem);
            let leaf2 = (segs.len() >= 2).then(|| segs[segs.len() - 2..].join("."));
            let found = leaf2
                .and_then(|l2| PARAMS.iter().find(|p| p.0 == l2))
                .or_else(|| PARAMS.iter().find(|p| p.0 == leaf));
            let Some(&(_, zh, en)) = found else {
                return path.to_string();
            };
            (if lang == Lang::Zh { zh } else { en }).to_string()
        }
    };
    let fund = if segs.first() == Some(&"funds") {
        segs.get(1)
            .and_then(|f| FUNDS.iter().find(|x| x.0 == *f))
            .map(|x| if lang == Lang::Zh { x.1 } else { x.2 })
    } else {
        None
    };
    let part = part.map(|p| match (p, lang) {
        ("shift", Lang::Zh) => "（增减）",
        ("scale", Lang::Zh) => "（倍数）",
        ("growth", Lang::Zh) => "（年变化率）",
        ("base", Lang::Zh) => "（基期值）",
        ("shift", _) => " (shift)",
        ("scale", _) => " (scale)",
        ("growth", _) => " (yearly change)",
        _ => " (base value)",
    });
    let sep = if lang == Lang::Zh { "" } else { " " };
    format!(
        "{}{}{}",
        fund.map(|f| format!("{f}{sep}")).unwrap_or_default(),
        name,
        part.unwrap_or("")
    )
}

/// The registry's label of a parameter path declared exactly (no lever
/// suffix), with the level of a `{level}` parameter; English labels start
/// lower-case (they follow the fund's name) unless they open with an acronym.
fn registry_label(path: &str, lang: Lang) -> Option<String> {
    let rel = path
        .strip_prefix("funds.")
        .and_then(|r| r.split_once('.'))
        .map_or(path, |(_, rest)| rest);
    let d = registry::PARAMS.iter().find(|d| d.matches(rel))?;
    let level = d
        .path
        .split('.')
        .zip(rel.split('.'))
        .find(|(a, _)| *a == "{level}")
        .map(|(_, l)| l);
    let label = match lang {
        Lang::Zh => d.label_zh.to_string(),
        Lang::En => {
            let mut c = d.label_en.chars();
            match (c.next(), c.next()) {
                (Some(a), Some(b)) if b.is_lowercase() => {
                    format!("{}{}", a.to_lowercase(), &d.label_en[a.len_utf8()..])
                }
                _ => d.label_en.to_string(),
            }
        }
    };
    Some(match (level, lang) {
        (None, _) => label,
        (Some(l), Lang::Zh) => format!(
            "{label}（{}）",
            match l {
                "tertiary" => "三级",
                "secondary" => "二级",
                "primary" => "一级",
                _ => "各级",
            }
        ),
        (Some(l), Lang::En) => format!("{label} ({l})"),
    })
}

/// The scenario's name in `lang`: `name_zh` for Chinese where the scenario
/// gives one, else `name`.
pub fn scenario_name(model: &crate::projection::Model, lang: Lang) -> String {
    match (lang, &model.spec.scenario.name_zh) {
        (Lang::Zh, Some(zh)) => zh.clone(),
        _ => model.name.clone(),
    }
}

/// A fund's name in `lang`: `name_zh` for Chinese where the scenario gives
/// one, else the kind's name (居民医保统筹基金 / 职工医保统筹基金).
pub fn fund_name(
    model: &crate::projection::Model,
    id: &str,
    name: &str,
    kind: crate::scenario::schema::FundKind,
    lang: Lang,
) -> String {
    if lang == Lang::En {
        return name.to_string();
    }
    if let Some(zh) = model.spec.funds.get(id).and_then(|f| f.name_zh.clone()) {
        return zh;
    }
    match kind {
        crate::scenario::schema::FundKind::Resident => "城乡居民医保统筹基金".into(),
        crate::scenario::schema::FundKind::Employee => "职工医保统筹基金".into(),
    }
}

/// Is there a CJK ideograph (or full-width punctuation) in `s`?
pub fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| {
        let u = c as u32;
        (0x2E80..=0x9FFF).contains(&u)
            || (0xF900..=0xFAFF).contains(&u)
            || (0xFF00..=0xFFEF).contains(&u)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fund::YearRow;

    #[test]
    fn every_projection_column_has_a_label() {
        for c in YearRow::NUMERIC_COLUMNS {
            let col = column(c).unwrap_or_else(|| {
                panic!("projection column `{c}` has no labels: add a line to COLUMNS in src/report/labels.rs")
            });
            assert!(has_cjk(col.zh), "{c}: Chinese label `{}`", col.zh);
            assert!(!has_cjk(col.en), "{c}: English label `{}`", col.en);
        }
        assert_eq!(COLUMNS.len(), YearRow::NUMERIC_COLUMNS.len());
    }

    #[test]
    fn every_key_has_both_languages() {
        for k in Key::ALL {
            assert!(!k.get(Lang::Zh).is_empty() && !k.get(Lang::En).is_empty());
            assert!(!has_cjk(k.get(Lang::En)), "{k:?} English has CJK");
        }
    }

    #[test]
    fn languages_and_units_parse_with_clear_errors() {
        assert_eq!("zh".parse::<Lang>(), Ok(Lang::Zh));
        assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
        let e = "fr".parse::<Lang>().unwrap_err();
        assert!(
            e.contains("`fr`") && e.contains("zh") && e.contains("en"),
            "{e}"
        );
        assert_eq!("yi".parse::<Unit>(), Ok(Unit::Yi));
        let e = "yuan".parse::<Unit>().unwrap_err();
        assert!(e.contains("wan") && e.contains("yi"), "{e}");
    }

    #[test]
    fn money_converts_and_separates_thousands() {
        let zh = Style::ZH;
        assert_eq!(zh.money(140688.35), "140,688");
        let yi = Style {
            unit: Unit::Yi,
            ..zh
        };
        assert_eq!(yi.money(140688.35), "14.07");
        assert_eq!(zh.months(7.149), "7.1");
        assert_eq!(zh.money_label("累计结余"), "累计结余（万元）");
        assert_eq!(Style::EN.money_label("balance"), "balance (10,000 yuan)");
    }

    #[test]
    fn parameter_labels() {
        let p = "funds.resident.spending.inpatient_cost_growth.shift";
        assert_eq!(param_label(p, Lang::Zh), "居民医保次均住院费用增长（增减）");
        assert_eq!(
            param_label(p, Lang::En),
            "resident inpatient cost growth (shift)"
        );
        assert_eq!(param_label("no.such.thing", Lang::Zh), "no.such.thing");
        // From the registry: a level parameter names its level; a parameter
        // whose last segment is a lever word is not taken for the lever.
        assert_eq!(
            param_label(
                "funds.resident.payment.hospital_coverage.tertiary",
                Lang::Zh
            ),
            "居民医保DRG医院覆盖率（三级）"
        );
        assert_eq!(
            param_label("funds.employee.clearing.growth", Lang::En),
            "employee budget growth"
        );
        assert_eq!(
            param_label("funds.resident.payment.base_rate.scale", Lang::En),
            "resident DRG base rate (scale)"
        );
        // Not in the registry: the table.
        assert_eq!(
            param_label("funds.resident.payment.weights.scale", Lang::Zh),
            "居民医保相对权重（倍数）"
        );
    }

    #[test]
    fn registry_labels_are_drawable_and_in_their_language() {
        use ab_glyph::Font as _;
        let font = ab_glyph::FontRef::try_from_slice(crate::report::chart::FONT_BYTES).unwrap();
        for d in registry::PARAMS {
            for c in d.label_zh.chars() {
                assert_ne!(font.glyph_id(c).0, 0, "no glyph for {c} in {}", d.label_zh);
            }
            assert!(
                d.label_en.is_ascii(),
                "{}: English label {} is not plain ASCII",
                d.path,
                d.label_en
            );
        }
    }

    #[test]
    fn status_words_follow_the_regulator() {
        assert_eq!(status_word(Status::Depleted, Lang::Zh), "穿底");
        assert_eq!(status_word(Status::Warning, Lang::Zh), "预警");
        assert_eq!(status_word(Status::Ok, Lang::En), "normal");
    }
}
