//! The hospital table: one row per designated hospital with its level,
//! payment coefficient, volume, case mix and cost level.
//!
//! Columns (header names exact, any order, extra columns ignored):
//!
//! | column | meaning |
//! | --- | --- |
//! | `id` | hospital id, unique |
//! | `name` | hospital name |
//! | `level` | `tertiary`, `secondary` or `primary` (三级/二级/一级 also accepted) |
//! | `coefficient` | hospital payment coefficient (系数); > 0 |
//! | `cases` | inpatient cases in the reference period; >= 0 |
//! | `cmi_relative` | the hospital's CMI divided by the regional CMI; > 0 |
//! | `cost_level` | the hospital's cost per case relative to the regional mean of the same groups (efficiency); > 0 |

use crate::scenario::Diagnostics;
use crate::scenario::table::{Sheet, read_file};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// Hospital level (医院等级).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// 三级 (tertiary).
    Tertiary,
    /// 二级 (secondary).
    Secondary,
    /// 一级 and below (primary, township health centres).
    Primary,
}

impl Level {
    /// Every level, in display order.
    pub const ALL: [Level; 3] = [Level::Tertiary, Level::Secondary, Level::Primary];

    /// Index 0..3 in [`Level::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Lower-case English name as written in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Tertiary => "tertiary",
            Level::Secondary => "secondary",
            Level::Primary => "primary",
        }
    }

    /// Parses a level name (English, or 三级/二级/一级).
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tertiary" | "三级" | "3" => Some(Level::Tertiary),
            "secondary" | "二级" | "2" => Some(Level::Secondary),
            "primary" | "一级" | "1" => Some(Level::Primary),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One hospital.
#[derive(Clone, Debug, PartialEq)]
pub struct Hospital {
    /// Hospital id.
    pub id: String,
    /// Hospital name.
    pub name: String,
    /// Level.
    pub level: Level,
    /// Payment coefficient k_h.
    pub coefficient: f64,
    /// Cases in the reference period.
    pub cases: f64,
    /// Hospital CMI / regional CMI.
    pub cmi_relative: f64,
    /// Cost per case relative to the regional mean of the same groups.
    pub cost_level: f64,
    /// Medical alliance (医共体) the hospital belongs to (optional `alliance`
    /// column; empty = none). Used by an alliance-level clearing.
    pub alliance: String,
}

/// A loaded, validated hospital table.
#[derive(Clone, Debug, PartialEq)]
pub struct HospitalTable {
    /// Hospitals in file order.
    pub hospitals: Vec<Hospital>,
}

/// The columns a hospital table must have.
pub const HOSPITAL_COLUMNS: [&str; 7] = [
    "id",
    "name",
    "level",
    "coefficient",
    "cases",
    "cmi_relative",
    "cost_level",
];

impl HospitalTable {
    /// Loads and validates a hospital table file.
    pub fn load(path: &Path) -> Result<HospitalTable, Diagnostics> {
        let text = read_file(path)?;
        Self::parse(path, &text)
    }

    /// Parses and validates hospital-table CSV text; all problems are returned together.
    pub fn parse(file: &Path, text: &str) -> Result<HospitalTable, Diagnostics> {
        let sheet = Sheet::read(file, text)?;
        let mut errors = Vec::new();
        if !sheet.require(&HOSPITAL_COLUMNS, &mut errors) {
            return Err(Diagnostics(errors));
        }
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut hospitals = Vec::new();
        for (line, rec) in &sheet.rows {
            let line = *line;
            let n_err = errors.len();
            let id = sheet.string(line, rec, "id", &mut errors);
            if let Some(i) = &id {
                if let Some(first) = seen.get(i) {
                    errors.push(sheet.error(
                        line,
                        Some("id"),
                        format!("duplicate hospital id `{i}` (first on line {first}); ids must be unique"),
                    ));
                } else {
                    seen.insert(i.clone(), line);
                }
            }
            let name = sheet.text(rec, "name").to_string();
            let level_text = sheet.text(rec, "level");
            let level = Level::parse(level_text);
            if level.is_none() {
                errors.push(sheet.error(
                    line,
                    Some("level"),
                    format!("unknown level `{level_text}`; write tertiary, secondary or primary"),
                ));
            }
            let coefficient = sheet.number(line, rec, "coefficient", 0.0, false, &mut errors);
            let cases = sheet.number(line, rec, "cases", 0.0, true, &mut errors);
            let cmi_relative = sheet.number(line, rec, "cmi_relative", 0.0, false, &mut errors);
            let cost_level = sheet.number(line, rec, "cost_level", 0.0, false, &mut errors);
            if errors.len() == n_err {
                hospitals.push(Hospital {
                    id: id.unwrap_or_default(),
                    name,
                    level: level.unwrap_or(Level::Secondary),
                    coefficient: coefficient.unwrap_or_default(),
                    cases: cases.unwrap_or_default(),
                    cmi_relative: cmi_relative.unwrap_or_default(),
                    cost_level: cost_level.unwrap_or_default(),
                    alliance: sheet.text(rec, "alliance").trim().to_string(),
                });
            }
        }
        if hospitals.is_empty() && errors.is_empty() {
            errors.push(sheet.error(0, None, "the table has no hospital rows".into()));
        }
        if errors.is_empty() && hospitals.iter().map(|h| h.cases).sum::<f64>() <= 0.0 {
            errors.push(sheet.error(
                0,
                Some("cases"),
                "all hospitals have zero cases; give the reference-period case counts".into(),
            ));
        }
        if errors.is_empty() {
            Ok(HospitalTable { hospitals })
        } else {
            Err(Diagnostics(errors))
        }
    }
}

/// Per-hospital, per-group volumes (`hospital, group, cases`): a hospital's own
/// case mix, used instead of the CMI-tilted regional mix for every group that has
/// rows. Loaded and checked against the hospital and group tables.
#[derive(Clone, Debug, PartialEq)]
pub struct HospitalGroupVolumes {
    /// `(hospital index, group index, cases)`.
    pub entries: Vec<(usize, usize, f64)>,
}

impl HospitalGroupVolumes {
    /// Loads and validates a volume file against the tables.
    pub fn load(
        path: &Path,
        hospitals: &HospitalTable,
        groups: &super::groups::GroupTable,
    ) -> Result<HospitalGroupVolumes, Diagnostics> {
        let text = read_file(path)?;
        Self::parse(path, &text, hospitals, groups)
    }

    /// Parses volume CSV text; every problem is reported with its line and column.
    pub fn parse(
        file: &Path,
        text: &str,
        hospitals: &HospitalTable,
        groups: &super::groups::GroupTable,
    ) -> Result<HospitalGroupVolumes, Diagnostics> {
        let sheet = Sheet::read(file, text)?;
        let mut errors = Vec::new();
        if !sheet.require(&["hospital", "group", "cases"], &mut errors) {
            return Err(Diagnostics(errors));
        }
        let h_idx: HashMap<&str, usize> = hospitals
            .hospitals
            .iter()
            .enumerate()
            .map(|(i, h)| (h.id.as_str(), i))
            .collect();
        let g_idx: HashMap<&str, usize> = groups
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.code.as_str(), i))
            .collect();
        let mut seen: HashMap<(usize, usize), u64> = HashMap::new();
        let mut entries = Vec::new();
        for (line, rec) in &sheet.rows {
            let line = *line;
            let h_text = sheet.text(rec, "hospital");
            let g_text = sheet.text(rec, "group");
            let h = h_idx.get(h_text).copied();
            if h.is_none() {
                errors.push(sheet.error(
                    line,
                    Some("hospital"),
                    format!("unknown hospital `{h_text}`; it must be an id of the hospital table"),
                ));
            }
            let g = g_idx.get(g_text).copied();
            if g.is_none() {
                errors.push(sheet.error(
                    line,
                    Some("group"),
                    format!("unknown group `{g_text}`; it must be a code of the group table"),
                ));
            }
            let n = sheet.number(line, rec, "cases", 0.0, true, &mut errors);
            if let (Some(h), Some(g), Some(n)) = (h, g, n) {
                if let Some(first) = seen.get(&(h, g)) {
                    errors.push(sheet.error(
                        line,
                        Some("group"),
                        format!("duplicate row for hospital `{h_text}` and group `{g_text}` (first on line {first})"),
                    ));
                } else {
                    seen.insert((h, g), line);
                    entries.push((h, g, n));
                }
            }
        }
        if errors.is_empty() {
            Ok(HospitalGroupVolumes { entries })
        } else {
            Err(Diagnostics(errors))
        }
    }
}

/// Hospital as compiled.
#[derive(Clone, Debug, PartialEq)]
pub struct HospitalInfo {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: Level,
    /// Coefficient from the table.
    pub coefficient: f64,
    /// Medical alliance (医共体), empty when none.
    pub alliance: String,
}
