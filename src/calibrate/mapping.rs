//! Which column of a settlement-record export holds which field.
//!
//! Every region's export differs, so a small TOML file names the columns:
//!
//! ```toml
//! encoding = "gb18030"            # "auto" (default), "utf-8" or "gb18030"
//! ungrouped = ["", "0000", "QY"]  # group codes meaning "not grouped" (default shown)
//! [columns]
//! hospital = "机构编码"
//! group = "DRG组编码"
//! cost = "医疗总费用"
//! ```
//!
//! A field left out of `[columns]` is found by its usual header
//! ([`Field::aliases`]: the Chinese headers of the 医保结算清单 / 病案首页 extracts
//! and English names), case-insensitively for ASCII.

use super::error::CalibrateError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One field of a case record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// 病案号: case id (not used in the aggregation; kept for error messages).
    CaseId,
    /// 医疗机构编码: hospital id. Required.
    Hospital,
    /// 医疗机构名称: hospital name.
    HospitalName,
    /// 医疗机构等级: 三级/二级/一级 (or tertiary/secondary/primary, 3/2/1).
    Level,
    /// DRG编码 / DIP编码: the assigned group. Required; an empty or `ungrouped` code is a case not grouped.
    Group,
    /// DRG名称: group name.
    GroupName,
    /// MDC: major diagnostic category (default: `MDC` + the code's first letter).
    Mdc,
    /// 年龄: age in years.
    Age,
    /// 性别.
    Sex,
    /// 住院天数: length of stay, days.
    Los,
    /// 总费用: total fee-for-service cost of the stay, yuan. Required.
    Cost,
    /// 统筹支付: what the pooled fund paid, yuan.
    FundPaid,
    /// 个人支付: what the patient paid, yuan.
    SelfPaid,
    /// 险种: insurance scheme (职工/居民).
    Insurance,
    /// 出院日期: discharge date.
    DischargeDate,
    /// 特病单议标记: 1/是/Y = special-review case (paid case by case, left out of the cost statistics).
    SpecialReview,
}

impl Field {
    /// Every field, in the order of the documentation.
    pub const ALL: [Field; 16] = [
        Field::CaseId,
        Field::Hospital,
        Field::HospitalName,
        Field::Level,
        Field::Group,
        Field::GroupName,
        Field::Mdc,
        Field::Age,
        Field::Sex,
        Field::Los,
        Field::Cost,
        Field::FundPaid,
        Field::SelfPaid,
        Field::Insurance,
        Field::DischargeDate,
        Field::SpecialReview,
    ];

    /// Key of the field in the mapping file's `[columns]` table.
    pub fn key(self) -> &'static str {
        match self {
            Field::CaseId => "case_id",
            Field::Hospital => "hospital",
            Field::HospitalName => "hospital_name",
            Field::Level => "level",
            Field::Group => "group",
            Field::GroupName => "group_name",
            Field::Mdc => "mdc",
            Field::Age => "age",
            Field::Sex => "sex",
            Field::Los => "los",
            Field::Cost => "cost",
            Field::FundPaid => "fund_paid",
            Field::SelfPaid => "self_paid",
            Field::Insurance => "insurance",
            Field::DischargeDate => "discharge_date",
            Field::SpecialReview => "special_review",
        }
    }

    /// Whether a record file must have the field.
    pub fn required(self) -> bool {
        matches!(self, Field::Hospital | Field::Group | Field::Cost)
    }

    /// Headers recognised without a mapping (first match wins).
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::CaseId => &["病案号", "住院号", "结算清单号", "case_id"],
            Field::Hospital => &[
                "医疗机构编码",
                "定点医药机构编号",
                "机构编码",
                "hospital",
                "hospital_id",
            ],
            Field::HospitalName => &[
                "医疗机构名称",
                "定点医药机构名称",
                "机构名称",
                "hospital_name",
            ],
            Field::Level => &["医疗机构等级", "医院等级", "机构等级", "level"],
            Field::Group => &["DRG编码", "DIP编码", "分组编码", "病组编码", "group", "drg"],
            Field::GroupName => &["DRG名称", "DIP名称", "分组名称", "病组名称", "group_name"],
            Field::Mdc => &["MDC", "MDC编码", "mdc"],
            Field::Age => &["年龄", "age"],
            Field::Sex => &["性别", "sex"],
            Field::Los => &["住院天数", "实际住院天数", "los"],
            Field::Cost => &["总费用", "医疗总费用", "住院总费用", "cost", "total_cost"],
            Field::FundPaid => &["统筹支付", "统筹基金支付", "基金支付", "fund_paid"],
            Field::SelfPaid => &["个人支付", "个人负担", "个人自付", "self_paid"],
            Field::Insurance => &["险种", "险种类型", "insurance"],
            Field::DischargeDate => &["出院日期", "出院时间", "discharge_date"],
            Field::SpecialReview => &["特病单议标记", "特病单议", "special_review"],
        }
    }
}

/// Text encoding of a record file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// UTF-8 unless the first 64 KiB are not valid UTF-8, then GB18030.
    #[default]
    Auto,
    /// UTF-8 (a byte-order mark is skipped).
    #[serde(alias = "utf8")]
    #[value(alias = "utf8")]
    Utf8,
    /// GB18030 (a superset of GBK and GB2312), as Chinese Excel and HIS exports write.
    #[serde(alias = "gbk", alias = "gb2312")]
    #[value(alias = "gbk")]
    Gb18030,
}

/// The mapping file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    encoding: Option<Encoding>,
    delimiter: Option<String>,
    ungrouped: Option<Vec<String>>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
}

/// Column mapping and reading options.
#[derive(Clone, Debug)]
pub struct Mapping {
    /// Explicit header per field (fields not named are looked up by alias).
    pub columns: BTreeMap<&'static str, String>,
    /// Text encoding.
    pub encoding: Encoding,
    /// Field delimiter byte.
    pub delimiter: u8,
    /// Group codes meaning "not grouped" (the empty code always does).
    pub ungrouped: Vec<String>,
    /// Where the mapping came from (for messages).
    pub source: Option<PathBuf>,
}

impl Default for Mapping {
    fn default() -> Self {
        Mapping {
            columns: BTreeMap::new(),
            encoding: Encoding::Auto,
            delimiter: b',',
            ungrouped: vec!["".into(), "0000".into(), "QY".into()],
            source: None,
        }
    }
}

impl Mapping {
    /// Reads a mapping file; unknown keys and fields are errors.
    pub fn load(path: &Path) -> Result<Mapping, CalibrateError> {
        let text = std::fs::read_to_string(path).map_err(|source| CalibrateError::Io {
            file: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses mapping TOML text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Mapping, CalibrateError> {
        let bad = |message: String| CalibrateError::Mapping {
            file: path.to_path_buf(),
            message,
        };
        let f: MappingFile = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let mut m = Mapping {
            source: Some(path.to_path_buf()),
            ..Mapping::default()
        };
        for (k, v) in f.columns {
            let Some(field) = Field::ALL.iter().find(|x| x.key() == k) else {
                let keys: Vec<&str> = Field::ALL.iter().map(|x| x.key()).collect();
                return Err(bad(format!(
                    "unknown field `{k}` in [columns]; the fields are {}",
                    keys.join(", ")
                )));
            };
            m.columns.insert(field.key(), v);
        }
        if let Some(e) = f.encoding {
            m.encoding = e;
        }
        if let Some(d) = f.delimiter {
            let d = if d == "\\t" { "\t".to_string() } else { d };
            if d.len() != 1 {
                return Err(bad(format!(
                    "delimiter `{d}` must be one ASCII character (\",\", \";\", \"|\" or \"\\t\")"
                )));
            }
            m.delimiter = d.as_bytes()[0];
        }
        if let Some(u) = f.ungrouped {
            m.ungrouped = u;
        }
        Ok(m)
    }

    /// Column index of every field present in `header`; errors for a missing
    /// required field or an explicitly mapped column that is absent.
    pub fn resolve(
        &self,
        file: &Path,
        header: &[String],
    ) -> Result<BTreeMap<Field, usize>, CalibrateError> {
        let find = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name.trim()))
        };
        let mut out = BTreeMap::new();
        for f in Field::ALL {
            if let Some(name) = self.columns.get(f.key()) {
                match find(name) {
                    Some(i) => {
                        out.insert(f, i);
                    }
                    None => {
                        return Err(CalibrateError::record(
                            file,
                            1,
                            Some(name),
                            format!(
                                "the mapping{} names column `{name}` for `{}`, but the header has no such column (it has: {})",
                                self.source
                                    .as_ref()
                                    .map(|p| format!(" {}", p.display()))
                                    .unwrap_or_default(),
                                f.key(),
                                header.join(", ")
                            ),
                        ));
                    }
                }
            } else if let Some(i) = f.aliases().iter().find_map(|a| find(a)) {
                out.insert(f, i);
            } else if f.required() {
                return Err(CalibrateError::record(
                    file,
                    1,
                    Some(f.aliases()[0]),
                    format!(
                        "required column for `{}` is missing (looked for {}); the header has: {}. Name the column in a mapping file: [columns] {} = \"<header>\"",
                        f.key(),
                        f.aliases().join(", "),
                        header.join(", "),
                        f.key()
                    ),
                ));
            }
        }
        Ok(out)
    }
}
