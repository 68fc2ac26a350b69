//! Every word a report shows a person, in Chinese and English, and the units
//! amounts are shown in.
//!
//! - [`Lang`] and [`Unit`]: `--lang zh|en`, `--unit wan|yi`.
//! - [`Key`]: the fixed words of titles, axes, legends and table headers.
//! - [`status_word`]: 正常 / 预警 / 危险 / 穿底.
//! - [`super::headers`]: one row per output column (projection columns in
//!   [`super::headers::COLUMNS`], analysis/hospital/compare table columns), label and unit kind.
//! - [`super::params`]: [`super::params::param_label`], the name of a scenario parameter (tornado
//!   rows, grid axes, Monte Carlo parameters, solve), from the parameter registry.
//!
//! The Chinese terms follow the seed reports (累计结余可支付月数, 当期结余率,
//! 统筹基金). CSV files keep their stable English snake_case headers; these
//! labels are for charts, Markdown, HTML and the workbook.

use crate::fund::status::Status;
use crate::report::markdown::fmt_num;
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

    /// Months payable, to one decimal, clipped at zero: a fund whose balance
    /// is below zero shows `0.0（穿底）` / `0.0 (depleted)` rather than
    /// negative months (the shortfall is reported in money elsewhere).
    pub fn months(self, m: f64) -> String {
        if m < 0.0 {
            match self.lang {
                Lang::Zh => format!("0.0（{}）", self.t(Key::Depleted)),
                Lang::En => format!("0.0 ({})", self.t(Key::Depleted)),
            }
        } else {
            fmt_num(m, 1)
        }
    }

    /// Excel number format of months payable: one decimal, and a negative
    /// value (a depleted fund) shown as `0.0（穿底）` while the cell keeps the
    /// figure of the CSV.
    pub fn months_format(self) -> &'static str {
        match self.lang {
            Lang::Zh => "0.0;\"0.0（穿底）\"",
            Lang::En => "0.0;\"0.0 (depleted)\"",
        }
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

macro_rules! keys {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        /// The fixed words of reports (each documented by its English text,
        /// which is report text, not doc markup: `[uncertainty]` is no link).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[allow(rustdoc::broken_intra_doc_links)]
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
    // The what-if page (`drgsim serve`).
    WhatIf => "医保基金运行情景模拟", "Fund what-if";
    Levers => "调整参数", "Levers";
    Reset => "恢复", "reset";
    ResetAll => "全部恢复为方案值", "reset all";
    Baseline => "基准方案", "baseline";
    CurrentSettings => "当前设置", "current settings";
    FanOuter => "蒙特卡洛 5%–95% 区间", "Monte Carlo 5–95 %";
    FanInner => "蒙特卡洛 25%–75% 区间", "Monte Carlo 25–75 %";
    ProbabilityBy => "截至年份", "by year";
    ProbBelowWarning => "低于预警线的概率", "P(below warning)";
    ProbBelowDanger => "低于危险线的概率", "P(below danger)";
    ProbDepleted => "穿底概率", "P(depleted)";
    PaymentByLevel => "各级医院 DRG/DIP 支付变化（基期）", "DRG/DIP payment change by hospital level (base year)";
    SettlementRatio => "结算率", "settlement ratio";
    FundSettlementRatio => "结付率（基金）", "fund settlement ratio";
    LevelOfHospital => "医院等级", "level";
    LevelTertiary => "三级", "tertiary";
    LevelSecondary => "二级", "secondary";
    LevelPrimary => "一级及以下", "primary";
    DownloadReform => "下载改革方案（reform.toml）", "Download reform.toml";
    DownloadReport => "下载报告（HTML）", "Download report (HTML)";
    DownloadWorkbook => "下载工作簿（Excel）", "Download workbook (Excel)";
    McPaths => "模拟路径数", "Monte Carlo paths";
    PolicyRulesOn => "启用政策规则", "Policy rules on";
    NoUncertainty => "方案未设不确定参数（[uncertainty]），不绘制区间。", "The scenario declares no [uncertainty] parameters, so there is no fan.";
    ServerCompute => "服务器计算", "server compute";
    Now => "调整后", "now";
    Change => "变化", "change";
    Range => "范围", "range";
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
    // Analysis reports (sensitivity, grid, Monte Carlo, solve).
    MonthsInYear => "{}：{}年可支付月数", "{}: months payable in {}";
    SensitivityTitle => "单因素敏感性分析：{}", "One-way sensitivity: {}";
    SensitivityIntro => "每次只把一个参数调到低值或高值，其余参数取方案值；按{}年可支付月数（低于0按0计，即穿底）的摆幅排序，相同时按穿底年份的变化排序。默认区间按自然单位：水平值±10%，比例和年增长率±1个百分点（pp），DRG/DIP覆盖率±5个百分点。“x1.10”表示该参数逐年取值乘以1.10。", "Each parameter moved alone to its low and high setting, every other parameter as in the scenario; ranked by the swing of months payable in {} clipped at 0 (a depleted fund counts 0), ties by the depletion year. Default ranges in natural units: levels +-10 %, shares and yearly rates +-1 percentage point (pp), DRG/DIP coverage +-5 pp. \"x1.10\" = the parameter's whole path multiplied by 1.10.";
    BaseCase => "基准情形：{}年可支付月数{}；首次低于预警线：{}；穿底：{}；期内当期结余合计{}。", "Base case: months payable in {}: {}; first year below warning: {}; depletion: {}; cumulative surplus {}.";
    Rank => "排序", "rank";
    Low => "低值", "low";
    High => "高值", "high";
    MonthsAtLow => "{}年可支付月数（低值）", "months {} (low)";
    MonthsAtHigh => "{}年可支付月数（高值）", "months {} (high)";
    Swing => "摆幅（月，低于0按0计）", "swing (months, clipped at 0)";
    WarningLowHigh => "首次低于预警线（低值/高值）", "below warning (low / high)";
    DepletionLowHigh => "穿底年份（低值/高值）", "depletion (low / high)";
    SurplusLowHigh => "期内当期结余合计（低值/高值）", "cumulative surplus (low / high)";
    TornadoAxis => "{}年可支付月数（低于0按0计，即穿底）", "months payable in {}, clipped at 0 (0 = depleted)";
    DepletionLine => "穿底（0个月）", "depleted (0 months)";
    DepletionTitle => "{}：穿底年份", "{}: year of depletion";
    TornadoDepletionAxis => "穿底年份（各设置下可支付月数均低于0，故按穿底年份比较；{}表示期内未穿底）", "year of depletion (months payable below 0 in every setting, so compared by the year the fund runs out; {} = not within the horizon)";
    BaseLegend => "基准", "base case";
    LowLegend => "参数取低值", "parameter low";
    HighLegend => "参数取高值", "parameter high";
    Notes => "说明", "Notes";
    LeftOut => "未纳入{}：默认区间（±10%）的端点{}使方案无效，校验信息：{}", "left out {}: at {}, an end of its default range (+-10 %), the scenario is invalid: {}";
    SobolTitle => "全局敏感性分析（Sobol指数）", "Global sensitivity (Sobol' indices)";
    SobolIntro => "按[uncertainty]各参数的边缘分布抽样（不计相关），结果为{}年可支付月数；基础样本{}个，每个基金运行{}次。一阶指数为该参数单独造成的方差占比，总效应指数含其交互作用。", "Over the [uncertainty] distributions (marginals; correlation ignored), outcome months payable in {}; {} base samples, {} runs per fund. First order = share of the variance due to the parameter alone; total = including its interactions.";
    SobolMeanSd => "均值{}个月，标准差{}个月。", "Mean {} months, standard deviation {}.";
    FirstOrder => "一阶指数", "first order";
    TotalEffect => "总效应指数", "total";
    GridTitle => "双参数分析表：{}", "Two-way table: {}";
    GridIntro => "表中为{}年可支付月数；行：{}，列：{}。低于{}个月为预警，低于{}个月为危险。", "Months payable in {}; rows {}, columns {}. Warning below {} months, danger below {}.";
    McTitle => "蒙特卡洛模拟：{}", "Monte Carlo runway bands: {}";
    McIntro => "{}条模拟路径，随机种子{}；每条路径的每个不确定参数各用独立的随机数流，结果与线程数无关。", "{} paths, seed {}; each path draws every uncertain parameter from its own random stream, so the result does not depend on the number of threads.";
    McExact => "分位数为精确值（全部{}条路径排序取值，Hyndman-Fan第7类插值）。", "Quantiles are exact (type-7 order statistics of all {} paths).";
    McSketch => "分位数由对数分桶概要（DDSketch）估计，每个分位数与精确值的相对误差不超过{}%；均值与概率为精确值。路径数超过{}条时采用此法，使内存不随路径数增长。", "Quantiles are estimated by a log-bucket sketch (DDSketch), each within {} % of the exact value (relative); means and probabilities are exact. Used above {} paths so that memory does not grow with the number of paths.";
    McSketchCollapsed => "注意：部分序列的取值跨度超过约49万倍（如在零附近正负变化的结余），这些序列的分位数误差不超过相对0.01%与该序列最大绝对值的0.0002%两者中的较大者。", "Note: some series span more than a factor of about 490,000 in magnitude (e.g. a balance crossing zero); their quantiles are within 0.01 % relative or 0.0002 % of the series' largest magnitude, whichever is larger.";
    McFanTitle => "{}：可支付月数（{}条模拟路径）", "{}: months payable, {} paths";
    UncertainParams => "不确定参数", "Uncertain parameters";
    Distribution => "分布", "distribution";
    Correlations => "相关系数", "Correlations";
    DistPoint => "固定值 {}", "fixed at {}";
    DistNormal => "正态分布，均值 {}，标准差 {}", "normal, mean {}, sd {}";
    DistLogNormalMedian => "对数正态分布，中位数 {}，对数标准差 {}", "log-normal, median {}, sd of log {}";
    DistLogNormalMu => "对数正态分布，对数均值 {}，对数标准差 {}", "log-normal, mean of log {}, sd of log {}";
    DistTriangular => "三角分布，最小值 {}，众数 {}，最大值 {}", "triangular, min {}, mode {}, max {}";
    DistUniform => "均匀分布，{} 至 {}", "uniform, {} to {}";
    DistBeta => "贝塔分布，α {}，β {}，区间 {} 至 {}", "beta, alpha {}, beta {}, on {} to {}";
    DistTruncated => "，截断于 {} 至 {}", ", truncated to {} .. {}";
    DistAtLeast => "，截断于不低于 {}", ", truncated at >= {}";
    DistAtMost => "，截断于不高于 {}", ", truncated at <= {}";
    MonthsP05 => "可支付月数5%分位", "months p05";
    MonthsP50 => "可支付月数中位数", "months p50";
    MonthsP95 => "可支付月数95%分位", "months p95";
    BalanceP50 => "累计结余中位数", "balance p50";
    PBelowWarning => "低于预警线概率", "P(below warning)";
    PBelowDanger => "低于危险线概率", "P(below danger)";
    PDepleted => "穿底概率", "P(depleted)";
    Band90 => "5%–95%模拟路径", "5%-95% of paths";
    Band50 => "25%–75%模拟路径", "25%-75% of paths";
    Median => "中位数", "median";
    SolveTitle => "目标求解：{}", "Goal seek: {}";
    SolveSmallest => "{}：求{}的最小值，使{}（{}）不低于{}个月{}。", "{}: the smallest value of {} keeping {} {} at or above {} months{}.";
    SolveLargest => "{}：求{}的最大值，使{}（{}）不低于{}个月{}。", "{}: the largest value of {} keeping {} {} at or above {} months{}.";
    SolveInYear => "{}年", "in {}";
    SolveEveryYear => "{}至{}年每年", "every year {}..={}";
    SolveQuantile => "可支付月数的{}%分位（{}条模拟路径）", "the {} % quantile over {} paths of months payable";
    SolveWithProbability => "（概率{}）", " with probability {}";
    Item => "项目", "item";
    Value => "数值", "value";
    ValueFound => "求得的值", "value found";
    ValueExact => "精确值（取整前）", "exact value (before rounding)";
    MovedFrom => "参数自该年起调整（此前年份按方案）", "moved from (earlier years as in the scenario)";
    ScenarioValue => "方案值", "scenario value";
    MonthsAchieved => "达到的可支付月数", "months achieved";
    SearchRange => "搜索区间", "search range";
    Reproduce => "复现命令参数", "reproduce with";
    // Hospitals (`drgsim hospitals`).
    HospitalsTitle => "医院DRG/DIP结算：{}", "Hospitals: {}";
    HospitalsIntro => "基金 `{}`，结算期{}，金额单位{}。医院按DRG/DIP支付标准（全成本）获得支付；患者按待遇政策负担按项目付费账单中的自付部分（基金报销其中{}%），基金支付标准减去患者自付部分。基金侧结付率（公布口径）= 基金DRG/DIP支付 / 按项目付费时基金应付；全成本结付率 = DRG/DIP支付 / 按项目付费成本。结余 = DRG/DIP支付 − 同批病例按项目付费成本。", "Fund `{}`, settlement period {}. Money in {}. Hospitals are paid the DRG/DIP standard (full cost); patients pay their share of the fee-for-service bill under the benefit rules (the fund reimburses {} % of it), and the fund pays the standard minus the patient's share. Fund-side settlement ratio (as published) = fund's DRG payment / what the fund would have paid fee-for-service; full-cost ratio = DRG payment / fee-for-service cost. Surplus = DRG/DIP payment - fee-for-service cost of the same cases.";
    PeriodShare => "{}年（全年的{}）", "{} ({} of the year)";
    DrgCases => "DRG/DIP病例数", "DRG cases";
    Cmi => "CMI", "CMI";
    FfsPerCase => "次均按项目付费费用（元）", "FFS cost per case (yuan)";
    FfsEquivalent => "按项目付费成本", "FFS equivalent";
    DrgPaid => "DRG/DIP支付", "DRG paid";
    FundFfs => "按项目付费时基金应付", "fund payable fee-for-service";
    FundDrg => "基金DRG/DIP支付", "fund paid under DRG";
    FundRatio => "基金侧结付率", "settlement ratio (fund side)";
    FullRatio => "全成本结付率", "settlement ratio (full cost)";
    InSurplus => "结余医院数", "hospitals in surplus";
    OutOf => "{}/{}", "{} of {}";
    ByLevel => "按医院等级", "By level";
    ByAlliance => "按医共体", "By medical alliance";
    Level => "等级", "level";
    Alliance => "医共体", "alliance";
    HospitalCount => "医院数", "hospitals";
    Payment => "支付", "payment";
    Surplus => "结余", "surplus";
    FundOnAccount => "基金预付", "fund paid on account";
    ClearingAdjustment => "清算调整", "clearing";
    SurplusAfterClearing => "清算后结余", "surplus after clearing";
    InSurplusAfterClearing => "清算后结余医院数", "in surplus after clearing";
    PaymentChange => "支付变化", "change";
    PaymentChangePct => "支付变化（%）", "change %";
    Hospital => "医院", "hospital";
    Cases => "病例数", "cases";
    TopMovers => "变化最大的{}家医院", "Top {} movers";
    Winners => "增幅最大", "Winners";
    Losers => "降幅最大", "Losers";
    NoneWord => "（无）", "(none)";
    ClearingTitle => "年终清算（{}）", "Year-end clearing ({} level)";
    ClearingText => "金额单位{}。预付（基金DRG/DIP支付）{}；清算调整{}；基金最终支付{}（清算后基金侧结付率{}%）。结余医院：清算前{}家，清算后{}家。", "Amounts in {}. Paid on account (the fund's DRG payment): {}; clearing adjustment: {}; final fund payment: {} (fund-side settlement ratio {} % after clearing). Hospitals in surplus: {} before clearing, {} after.";
    AllianceLevel => "按医共体", "alliance";
    HospitalLevel => "按医院", "hospital";
    Tertiary => "三级", "tertiary";
    Secondary => "二级", "secondary";
    Primary => "一级及以下", "primary";
    ChangeByHospital => "各医院DRG/DIP支付变化：{} 对比 {}", "Payment change by hospital: {} vs {}";
    ChangeAxis => "DRG/DIP支付变化（%）", "change in DRG/DIP payment, %";
    SurplusByHospital => "{}：各医院DRG/DIP结余（占按项目付费成本%）", "{}: DRG/DIP surplus by hospital, % of fee-for-service cost";
    SurplusAxis => "结余占按项目付费成本（%）", "surplus, % of FFS-equivalent cost";
    HospitalsRanked => "医院（按变化从大到小排序）", "hospitals, ranked by change";
    LargestGains => "增幅最大", "largest gains";
    LargestLosses => "降幅最大", "largest losses";
    SmallestGains => "增幅最小", "smallest gains";
    SmallestLosses => "降幅最小", "smallest losses";
    SheetHospitals => "医院", "hospitals";
    // Clearing (`drgsim clear`).
    ClearingReportTitle => "{}（{}年）", "{} ({})";
    ClearingIntro => "金额单位：{}（与公布数据的核对按元、保留到分）。结余 = 预算 − 实际发生额；结余时医院（医共体）按比例留用，超支时基金按比例分担、其余由医院自负；清算后拨付 = 实际发生额 + 留用，或预算 + 基金分担；下年预算 = 下年基数 ×（1 + 增长率）。", "Amounts in {} (checked against the published figures in yuan, to the fen). Surplus = budget - actual; the hospital (alliance) keeps `retained` of a surplus, the fund covers `fund_covers` of an overspend and the hospital returns the rest; final payment = actual + retained or budget + fund_covers; next budget = next base x (1 + growth).";
    Figure => "项目", "figure";
    AgainstPublished => "与公布数据核对", "Against the published figures";
    Computed => "计算值", "computed";
    Published => "公布值", "published";
    Difference => "差额", "difference";
    Matches => "是否一致", "matches";
    MatchYes => "一致", "yes";
    MatchFen => "相差不超过1分", "within a fen";
    MatchNo => "不一致", "NO";
    SheetClearing => "清算", "clearing";
    // Run summary: history and policy rules.
    Observed => "观测值与模型值", "Observed and modelled";
    ObservedIntro => "公布数据（不足一年的流量已年化）与模型结果对照；基期以前的年份为假设的出发点。", "Published figures (part-year flows annualised) beside the model's; years before the base year are the history the assumptions start from.";
    Annualised => "年化值", "annualised";
    ModelValue => "模型值", "model";
    ModelVsPublished => "模型与公布值之差", "model vs published";
    MonthsOf => "{}（{}个月）", "{} ({} months)";
    PolicyRules => "政策规则", "Policy rules";
    View => "口径", "view";
    RulesPractised => "按规则执行", "rules as practised";
    RulesOffKept => "关闭政策规则（压力测试；保留预算与清算）", "policy rules off (stress; budget and clearing kept)";
    NoPolicyChange => "无政策调整（压力测试）", "no policy change (stress test)";
    NoRuleFired => "预测期内没有规则触发。", "No rule fired over the projection.";
    RuleFirings => "每次触发的规则（另见 rules.csv）：", "Each rule that moved something (also in `rules.csv`):";
    Rule => "规则", "rule";
    Quantity => "调整对象", "quantity";
    Before => "调整前", "before";
    After => "调整后", "after";
    Because => "触发条件", "because";
    CauseDeficit => "{}年当期赤字{}{}", "current-year deficit of {} ({}) in {}";
    CauseCushion => "{}年末可支付{}个月（达到{}个月及以上时下调）", "{} months payable at the end of {} (lowered at {} or more)";
    CauseRunway => "{}年末可支付{}个月（低于{}个月时削减，恢复到{}个月及以上时恢复）", "{} months payable at the end of {} (cut below {}, restored at {} or more)";
    CauseShortfall => "{}年末财政兜底前累计结余{}{}", "balance of {} ({}) at the end of {} before the transfer";
    RulePremium => "筹资调整", "premium";
    RuleBenefit => "待遇调整", "benefit";
    RuleBackstop => "财政兜底", "backstop";
    SheetTornado => "敏感性", "tornado";
    SheetSobol => "Sobol指数", "sobol";
    SheetGrid => "双参数表", "grid";
    SheetMonteCarlo => "蒙特卡洛", "montecarlo";
    SheetSolve => "目标求解", "solve";
    // The grain a goal-seek answer is rounded to (analysis::solve::notice_grain).
    GrainYuan => "元", "yuan";
    GrainPp => "0.1个百分点", "0.1 percentage point";
    GrainPercent => "0.1%", "0.1 %";
    GrainWan => "0.01万元", "0.01 x 10,000 yuan";
    GrainCents => "0.01元", "0.01 yuan";
    GrainPerson => "人", "person";
    GrainMonth => "0.1个月", "0.1 month";
    GrainFactor => "0.001", "0.001";
    NotRounded => "未取整（取整后的值达不到目标）", "not rounded (no rounded value meets the target)";
    RoundedTo => "按{}取整", "rounded to {}";
}

/// Why a policy rule acted, in the report's language and unit (the English
/// `condition` column of `rules.csv` stays as it is for scripts).
pub fn rule_condition(cause: &crate::projection::firings::Cause, style: Style) -> String {
    use crate::projection::firings::Cause;
    let t = |k: Key| style.t(k);
    let unit = style.unit.name(style.lang);
    let m = |x: f64| fmt_num(x, 2);
    let all = |k: Key, xs: &[String]| xs.iter().fold(t(k).to_string(), |a, x| fill(&a, x));
    let zh = style.lang == Lang::Zh;
    match *cause {
        Cause::Deficit { wan, year } => {
            let money = style.money(wan);
            if zh {
                all(Key::CauseDeficit, &[year.to_string(), money, unit.into()])
            } else {
                all(Key::CauseDeficit, &[money, unit.into(), year.to_string()])
            }
        }
        Cause::Cushion {
            months,
            year,
            lower_at,
        } => {
            if zh {
                all(
                    Key::CauseCushion,
                    &[year.to_string(), m(months), short(lower_at)],
                )
            } else {
                all(
                    Key::CauseCushion,
                    &[m(months), year.to_string(), short(lower_at)],
                )
            }
        }
        Cause::Runway {
            months,
            year,
            below,
            restore_at,
        } => {
            let (b, r) = (short(below), short(restore_at));
            if zh {
                all(Key::CauseRunway, &[year.to_string(), m(months), b, r])
            } else {
                all(Key::CauseRunway, &[m(months), year.to_string(), b, r])
            }
        }
        Cause::Shortfall { balance_wan, year } => {
            let money = style.money(balance_wan);
            if zh {
                all(Key::CauseShortfall, &[year.to_string(), money, unit.into()])
            } else {
                all(Key::CauseShortfall, &[money, unit.into(), year.to_string()])
            }
        }
    }
}

/// The word for a policy rule (`premium`, `benefit`, `backstop`).
pub fn rule_word(rule: &str, style: Style) -> String {
    match rule {
        "premium" => style.t(Key::RulePremium).to_string(),
        "benefit" => style.t(Key::RuleBenefit).to_string(),
        "backstop" => style.t(Key::RuleBackstop).to_string(),
        other => other.to_string(),
    }
}

/// A number in a distribution phrase: as written in a scenario file, at most
/// six decimals, no trailing zeros (`0.05`, `4000`, `1.1`).
fn short(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// An `[uncertainty]` distribution as a phrase a reader follows:
/// `正态分布，均值 0.05，标准差 0.01` / `normal, mean 0.05, sd 0.01`, with the
/// truncation bounds where the scenario gives them.
pub fn dist_phrase(spec: &crate::analysis::DistSpec, lang: Lang) -> String {
    use crate::analysis::DistSpec as D;
    let t = |k: Key| k.get(lang);
    let many = |k: Key, xs: &[f64]| xs.iter().fold(t(k).to_string(), |a, x| fill(&a, short(*x)));
    let (body, lower, upper) = match spec {
        D::Point {
            value,
            lower,
            upper,
        } => (many(Key::DistPoint, &[*value]), lower, upper),
        D::Normal {
            mean,
            sd,
            lower,
            upper,
        } => (many(Key::DistNormal, &[*mean, *sd]), lower, upper),
        D::LogNormal {
            mu,
            median,
            sigma,
            lower,
            upper,
        } => (
            match (median, mu) {
                (Some(m), _) => many(Key::DistLogNormalMedian, &[*m, *sigma]),
                (None, mu) => many(Key::DistLogNormalMu, &[mu.unwrap_or(0.0), *sigma]),
            },
            lower,
            upper,
        ),
        D::Triangular {
            min,
            mode,
            max,
            lower,
            upper,
        } => (
            many(Key::DistTriangular, &[*min, *mode, *max]),
            lower,
            upper,
        ),
        D::Uniform {
            min,
            max,
            lower,
            upper,
        } => (many(Key::DistUniform, &[*min, *max]), lower, upper),
        D::Beta {
            alpha,
            beta,
            min,
            max,
            lower,
            upper,
        } => (
            many(
                Key::DistBeta,
                &[*alpha, *beta, min.unwrap_or(0.0), max.unwrap_or(1.0)],
            ),
            lower,
            upper,
        ),
    };
    let tail = match (lower, upper) {
        (Some(l), Some(u)) => many(Key::DistTruncated, &[*l, *u]),
        (Some(l), None) => many(Key::DistAtLeast, &[*l]),
        (None, Some(u)) => many(Key::DistAtMost, &[*u]),
        (None, None) => String::new(),
    };
    body + &tail
}

/// Fill `{}` in a [`Key`] template with `value`.
pub fn fill(template: &str, value: impl fmt::Display) -> String {
    template.replacen("{}", &value.to_string(), 1)
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
    fn distributions_read_as_phrases_in_both_languages() {
        use crate::analysis::DistSpec;
        let n = DistSpec::Normal {
            mean: 0.05,
            sd: 0.01,
            lower: None,
            upper: None,
        };
        assert_eq!(
            dist_phrase(&n, Lang::Zh),
            "正态分布，均值 0.05，标准差 0.01"
        );
        assert_eq!(dist_phrase(&n, Lang::En), "normal, mean 0.05, sd 0.01");
        let t = DistSpec::Triangular {
            min: 0.9,
            mode: 1.0,
            max: 1.25,
            lower: Some(0.95),
            upper: None,
        };
        assert_eq!(
            dist_phrase(&t, Lang::Zh),
            "三角分布，最小值 0.9，众数 1，最大值 1.25，截断于不低于 0.95"
        );
        let b = DistSpec::Beta {
            alpha: 2.0,
            beta: 5.0,
            min: None,
            max: Some(0.3),
            lower: None,
            upper: None,
        };
        let en = dist_phrase(&b, Lang::En);
        assert_eq!(en, "beta, alpha 2, beta 5, on 0 to 0.3");
        for s in [dist_phrase(&b, Lang::Zh), dist_phrase(&n, Lang::Zh)] {
            assert!(!s.contains('{') && !s.contains(':') && has_cjk(&s), "{s}");
        }
        assert!(!has_cjk(&en));
    }

    #[test]
    fn rule_conditions_in_both_languages_and_units() {
        use crate::projection::firings::Cause;
        let d = Cause::Deficit {
            wan: 12345.678,
            year: 2026,
        };
        assert_eq!(rule_condition(&d, Style::ZH), "2026年当期赤字12,346万元");
        let yi = Style {
            unit: Unit::Yi,
            lang: Lang::En,
        };
        assert_eq!(
            rule_condition(&d, yi),
            "current-year deficit of 1.23 (100 million yuan) in 2026"
        );
        let r = Cause::Runway {
            months: 2.456,
            year: 2027,
            below: 3.0,
            restore_at: 6.0,
        };
        let zh = rule_condition(&r, Style::ZH);
        assert!(
            zh.contains("2027年末可支付2.46个月") && zh.contains("低于3个月"),
            "{zh}"
        );
        for c in [
            d.clone(),
            r.clone(),
            Cause::Cushion {
                months: 9.0,
                year: 2025,
                lower_at: 8.0,
            },
            Cause::Shortfall {
                balance_wan: -10.0,
                year: 2030,
            },
        ] {
            let (z, e) = (rule_condition(&c, Style::ZH), rule_condition(&c, Style::EN));
            assert!(
                has_cjk(&z) && !z.contains("{}") && !z.contains("months"),
                "{z}"
            );
            assert!(!has_cjk(&e) && !e.contains("{}"), "{e}");
        }
    }

    #[test]
    fn status_words_follow_the_regulator() {
        assert_eq!(status_word(Status::Depleted, Lang::Zh), "穿底");
        assert_eq!(status_word(Status::Warning, Lang::Zh), "预警");
        assert_eq!(status_word(Status::Ok, Lang::En), "normal");
    }
}
