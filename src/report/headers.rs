//! Labels of every output column, one row per column: the projection columns
//! ([`COLUMNS`], one per [`crate::fund::YearRow`] field; adding a field means
//! adding one line here, and `every_projection_column_has_a_label` fails until
//! you do) and the columns of the analysis, comparison and hospital tables
//! (`HEADERS`). CSV files keep the keys; reports show the labels.

use super::labels::{Lang, Style, Unit, with_unit};
use super::markdown::fmt_num;

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
            Kind::Months => style.months(v),
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
/// Labels of the CSV headers of the analysis, comparison and hospital tables
/// that are not projection columns: `(key, zh, en, Excel number format)`.
const HEADERS: &[(&str, &str, &str, &str)] = &[
    // hospitals.csv (万元)
    ("alliance", "医共体", "alliance", "@"),
    (
        "patient_wan",
        "患者自付（万元）",
        "patient share (10,000 yuan)",
        "#,##0.00",
    ),
    (
        "fund_ffs_wan",
        "按项目付费时基金应付（万元）",
        "fund payable fee-for-service (10,000 yuan)",
        "#,##0.00",
    ),
    (
        "fund_payment_wan",
        "基金DRG/DIP支付（万元）",
        "fund paid under DRG (10,000 yuan)",
        "#,##0.00",
    ),
    (
        "final_fund_payment_wan",
        "清算后基金支付（万元）",
        "fund payment after clearing (10,000 yuan)",
        "#,##0.00",
    ),
    (
        "surplus_after_clearing_wan",
        "清算后结余（万元）",
        "surplus after clearing (10,000 yuan)",
        "#,##0.00",
    ),
    // clearing.csv (yuan, to the fen)
    ("budget_id", "预算编号", "budget", "@"),
    ("budget", "总额预算", "budget", "#,##0.00"),
    ("actual", "实际发生额", "actual spending", "#,##0.00"),
    ("surplus", "结余", "surplus", "#,##0.00"),
    ("overspend", "超支", "overspend", "#,##0.00"),
    (
        "difference_rate",
        "结余（超支）率",
        "surplus / overspend rate",
        "0.00%",
    ),
    ("retained", "结余留用", "kept by hospitals", "#,##0.00"),
    (
        "fund_covers",
        "超支分担（基金）",
        "covered by the fund",
        "#,##0.00",
    ),
    (
        "hospital_returns",
        "超支自负（医院）",
        "returned by hospitals",
        "#,##0.00",
    ),
    ("final_payment", "清算后拨付", "final payment", "#,##0.00"),
    ("adjustment", "清算调整", "clearing adjustment", "#,##0.00"),
    ("next_base", "下年预算基数", "next year's base", "#,##0.00"),
    (
        "next_budget",
        "下年总额预算",
        "next year's budget",
        "#,##0.00",
    ),
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
    ("distribution", "分布", "distribution", "@"),
    ("name", "名称", "name", "@"),
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

/// Columns of `clearing.csv` in yuan (to the fen): every result but the rate.
fn in_yuan(key: &str) -> bool {
    key != "difference_rate" && crate::payment::corridor_spec::RESULT_NAMES.contains(&key)
}

/// A CSV column as a report sheet shows it, following `--unit`: the label
/// with the unit, the Excel number format, and the divisor that takes the
/// CSV's value (万元, or yuan for `clearing.csv`) to the shown unit. CSV files
/// keep their machine units; the workbook's sheets follow the report.
pub fn shown(key: &str, style: Style) -> (String, &'static str, f64) {
    if let Some(c) = column(key) {
        let div = if c.kind == Kind::Money {
            style.unit.per_wan()
        } else {
            1.0
        };
        return (c.header(style), c.kind.excel_format(style.unit), div);
    }
    let label = header_label(key, style);
    if key.ends_with("_wan") {
        let wan = Unit::Wan.name(style.lang);
        let label = label.replace(wan, style.unit.name(style.lang));
        let fmt = match (style.unit, header_format(key)) {
            (Unit::Wan, f) => f,
            (Unit::Yi, f) if f.contains(".00") => "#,##0.0000",
            (Unit::Yi, _) => "#,##0.00",
        };
        return (label, fmt, style.unit.per_wan());
    }
    if in_yuan(key) {
        let fmt = match style.unit {
            Unit::Wan => "#,##0.00",
            Unit::Yi => "#,##0.0000",
        };
        return (
            with_unit(style.lang, &label, style.unit.name(style.lang)),
            fmt,
            1e4 * style.unit.per_wan(),
        );
    }
    (label, header_format(key), 1.0)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fund::YearRow;
    use crate::report::labels::has_cjk;

    #[test]
    fn sheets_follow_the_unit_and_say_it() {
        let yi = Style {
            unit: Unit::Yi,
            ..Style::ZH
        };
        let (l, f, d) = shown("payment_wan", yi);
        assert!(l.contains("亿元") && !l.contains("万元"), "{l}");
        assert_eq!((f, d), ("#,##0.0000", 10_000.0));
        let (l, _, d) = shown("payment_wan", Style::EN);
        assert!(l.contains("10,000 yuan"), "{l}");
        assert_eq!(d, 1.0);
        // clearing.csv is in yuan: 万元 divides by 10^4, 亿元 by 10^8
        let (l, _, d) = shown("final_payment", Style::ZH);
        assert!(l.contains("万元"), "{l}");
        assert_eq!(d, 1e4);
        assert_eq!(shown("final_payment", yi).2, 1e8);
        assert_eq!(shown("difference_rate", yi).2, 1.0);
        let (l, _, d) = shown("balance_wan", yi);
        assert!(l.contains("亿元"), "{l}");
        assert_eq!(d, 10_000.0);
    }

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
    fn every_command_table_column_has_labels_in_both_languages() {
        use crate::report::{clearing, grid, hospitals, montecarlo, sensitivity, solve};
        let tables: &[&[&str]] = &[
            sensitivity::TORNADO_COLUMNS,
            sensitivity::SOBOL_COLUMNS,
            grid::GRID_COLUMNS,
            montecarlo::MONTECARLO_COLUMNS,
            solve::SOLVE_COLUMNS,
            hospitals::HOSPITAL_COLUMNS,
            hospitals::CHANGE_COLUMNS,
            clearing::COLUMNS,
        ];
        for k in tables.iter().flat_map(|t| t.iter()) {
            let zh = header_label(k, Style::ZH);
            let en = header_label(k, Style::EN);
            // An acronym (CMI) is its own label in both languages.
            let acronym = zh.chars().all(|c| c.is_ascii_uppercase());
            assert!(has_cjk(&zh) || acronym, "`{k}` has no Chinese label: {zh}");
            assert!(!has_cjk(&en), "`{k}`: English label {en}");
            assert!(
                !en.contains('_'),
                "`{k}` has no English label (add it to HEADERS)"
            );
        }
    }
}
