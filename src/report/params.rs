//! Names of scenario parameters in reports: the parameter registry's labels,
//! with a small table for analysis levers the registry does not declare.

use super::labels::Lang;
use crate::scenario::registry;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
