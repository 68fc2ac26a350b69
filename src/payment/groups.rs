//! The DRG/DIP group table: one row per group with its weight, cost and the age
//! profile of its patients, loaded from CSV (never hard-coded).
//!
//! Columns (header names exact, any order, extra columns ignored):
//!
//! | column | meaning |
//! | --- | --- |
//! | `code` | group code, unique (e.g. `FM19`) |
//! | `name` | group name |
//! | `mdc` | major diagnostic category or DIP category |
//! | `weight` | relative weight RW (DRG) or DIP score / 100; >= 0 |
//! | `mean_cost` | mean fee-for-service cost per case, yuan; > 0 |
//! | `cost_cv` | coefficient of variation of case cost within the group; >= 0 |
//! | `cases` | cases in the reference period (base-year case mix); >= 0 |
//! | `excluded` | 1 when the group is excluded from DRG (paid fee for service) |
//! | `age_0-4` .. `age_85+` | share of the group's cases in each age band; the 18 shares of a row sum to 1 |

use crate::population::bands::{BAND_LABELS, ByBand, N_BANDS};
use crate::scenario::table::{Sheet, read_file};
use crate::scenario::{Diagnostic, Diagnostics};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Group tables parsed by this process ([`GroupTable::parses`]).
static PARSES: AtomicU64 = AtomicU64::new(0);

/// Tolerance on a row of age shares summing to one.
pub const SHARE_TOLERANCE: f64 = 1e-3;

/// One DRG/DIP group.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Group code.
    pub code: String,
    /// Group name.
    pub name: String,
    /// Major diagnostic category (or DIP category).
    pub mdc: String,
    /// Relative weight RW_g (or DIP score / 100).
    pub weight: f64,
    /// Mean fee-for-service cost per case, yuan, in the reference period.
    pub mean_cost: f64,
    /// Coefficient of variation of case cost (lognormal dispersion).
    pub cost_cv: f64,
    /// Cases in the reference period.
    pub cases: f64,
    /// Excluded from DRG/DIP (paid fee for service).
    pub excluded: bool,
    /// Share of the group's cases by age band (sums to one).
    pub age_shares: ByBand,
}

/// A loaded, validated group table.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupTable {
    /// The groups, in file order.
    pub groups: Vec<Group>,
    /// Defaults taken for optional columns the file lacks (one message each).
    pub assumed: Vec<String>,
}

/// `cost_cv` of every group when the table has no such column: 0.5, about the
/// median within-group CV of inpatient cost after trimming (the bundled
/// synthetic tables draw 0.30-0.75).
pub const DEFAULT_COST_CV: f64 = 0.5;

/// Header of the age-share column of band `b` (`age_0-4`, ..., `age_85+`).
pub fn age_column(b: usize) -> String {
    format!("age_{}", BAND_LABELS[b])
}

/// The columns a group table must have.
pub fn group_columns() -> Vec<String> {
    let mut v: Vec<String> = [
        "code",
        "name",
        "mdc",
        "weight",
        "mean_cost",
        "cost_cv",
        "cases",
        "excluded",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend((0..N_BANDS).map(age_column));
    v
}

impl GroupTable {
    /// How many group tables this process has parsed so far: start-up reads
    /// each table once (`payment::cache`), whatever the checks and paths
    /// that follow, and the start-up tests count it.
    pub fn parses() -> u64 {
        PARSES.load(Ordering::Relaxed)
    }

    /// Loads and validates a group table file.
    pub fn load(path: &Path) -> Result<GroupTable, Diagnostics> {
        let text = read_file(path)?;
        Self::parse(path, &text)
    }

    /// Parses and validates group-table CSV text; `file` names it in errors.
    ///
    /// Every row is checked; all problems are returned together.
    pub fn parse(file: &Path, text: &str) -> Result<GroupTable, Diagnostics> {
        PARSES.fetch_add(1, Ordering::Relaxed);
        // Rows are read one at a time into one record: at 15,000 groups the
        // table is never held twice.
        let (sheet, mut records) = Sheet::open(file, text)?;
        let mut errors = Vec::new();
        let mut assumed = Vec::new();
        let has = |c: &str| sheet.has(c);
        let has_cv = has("cost_cv");
        let has_excluded = has("excluded");
        let n_age = (0..N_BANDS).filter(|&b| has(&age_column(b))).count();
        let has_age = n_age > 0;
        if !has_cv {
            assumed.push(format!(
                "no `cost_cv` column: every group's cost CV is taken as {DEFAULT_COST_CV}"
            ));
        }
        if !has_excluded {
            assumed.push("no `excluded` column: no group is excluded from DRG/DIP".to_string());
        }
        if !has_age {
            assumed.push("no `age_*` columns: every group has the same age shares, so the case mix does not shift with aging".to_string());
        }
        let cols: Vec<String> = group_columns()
            .into_iter()
            .filter(|c| {
                (has_cv || c != "cost_cv")
                    && (has_excluded || c != "excluded")
                    && (has_age || !c.starts_with("age_"))
            })
            .collect();
        let col_refs: Vec<&str> = cols.iter().map(|s| s.as_str()).collect();
        if !sheet.require(&col_refs, &mut errors) {
            // malformed CSV further down is reported first, as when the
            // whole table was read before any check
            let mut rec = csv::StringRecord::new();
            while records.next_into(&mut rec)?.is_some() {}
            return Err(Diagnostics(errors));
        }
        // Columns looked up once; `require` checked the ones read below.
        let age_names: Vec<String> = (0..N_BANDS).map(age_column).collect();
        let col = |c: &'static str| sheet.column(c);
        let (c_weight, c_cost, c_cases) = (col("weight"), col("mean_cost"), col("cases"));
        let (c_code, c_name, c_mdc) = (col("code"), col("name"), col("mdc"));
        let c_cv = col("cost_cv");
        let c_excluded = col("excluded").filter(|_| has_excluded);
        let c_age: Vec<_> = age_names.iter().filter_map(|n| sheet.column(n)).collect();
        let (Some(c_weight), Some(c_cost), Some(c_cases), Some(c_code), Some(c_name), Some(c_mdc)) =
            (c_weight, c_cost, c_cases, c_code, c_name, c_mdc)
        else {
            return Err(Diagnostics(errors));
        };
        let mut groups = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut rec = csv::StringRecord::new();
        while let Some(line) = records.next_into(&mut rec)? {
            let n_err = errors.len();
            let code = sheet.text_at(&rec, c_code);
            let code = if code.is_empty() {
                errors.push(sheet.error(line, Some("code"), "empty; give a value".into()));
                None
            } else if let Some(first) = seen.get(code) {
                errors.push(sheet.error(
                    line,
                    Some("code"),
                    format!("duplicate group code `{code}` (first on line {first}); codes must be unique"),
                ));
                Some(code.to_string())
            } else {
                seen.insert(code.to_string(), line);
                Some(code.to_string())
            };
            let name = sheet.text_at(&rec, c_name).to_string();
            let mdc = sheet.text_at(&rec, c_mdc).to_string();
            let weight = sheet.number_at(line, &rec, c_weight, 0.0, true, &mut errors);
            let mean_cost = sheet.number_at(line, &rec, c_cost, 0.0, false, &mut errors);
            let cost_cv = match c_cv.filter(|_| has_cv) {
                Some(c) => sheet.number_at(line, &rec, c, 0.0, true, &mut errors),
                None => Some(DEFAULT_COST_CV),
            };
            let cases = sheet.number_at(line, &rec, c_cases, 0.0, true, &mut errors);
            let excluded = c_excluded.is_some_and(|c| sheet.flag_at(line, &rec, c, &mut errors));
            let mut age_shares = [1.0 / N_BANDS as f64; N_BANDS];
            let mut shares_ok = has_age;
            if has_age {
                for (s, &c) in age_shares.iter_mut().zip(&c_age) {
                    match sheet.number_at(line, &rec, c, 0.0, true, &mut errors) {
                        Some(v) => *s = v,
                        None => shares_ok = false,
                    }
                }
            }
            if shares_ok {
                let sum: f64 = age_shares.iter().sum();
                if (sum - 1.0).abs() > SHARE_TOLERANCE {
                    errors.push(sheet.error(
                        line,
                        Some("age_0-4..age_85+"),
                        format!("age shares sum to {sum:.6}, not 1; rescale the row so the 18 shares add up to 1"),
                    ));
                }
            }
            if errors.len() == n_err {
                groups.push(Group {
                    code: code.unwrap_or_default(),
                    name,
                    mdc,
                    weight: weight.unwrap_or_default(),
                    mean_cost: mean_cost.unwrap_or_default(),
                    cost_cv: cost_cv.unwrap_or_default(),
                    cases: cases.unwrap_or_default(),
                    excluded,
                    age_shares,
                });
            }
        }
        if groups.is_empty() && errors.is_empty() {
            errors.push(sheet.error(0, None, "the table has no group rows".into()));
        }
        if errors.is_empty() && groups.iter().map(|g| g.cases).sum::<f64>() <= 0.0 {
            errors.push(sheet.error(
                0,
                Some("cases"),
                "all groups have zero cases; give the reference-period case counts".into(),
            ));
        }
        if errors.is_empty() {
            Ok(GroupTable { groups, assumed })
        } else {
            Err(Diagnostics(errors))
        }
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether the table has no groups.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Reference-period cases by age band: `n_b = sum_g cases_g x age_share_gb`.
    pub fn cases_by_band(&self) -> ByBand {
        let mut n = [0.0; N_BANDS];
        for g in &self.groups {
            for (b, nb) in n.iter_mut().enumerate() {
                *nb += g.cases * g.age_shares[b];
            }
        }
        n
    }

    /// Band-to-group shares `s_gb` = share of band b's cases that fall in group g:
    ///
    /// `s_gb = cases_g x age_share_gb / sum_g' cases_g' x age_share_g'b`
    ///
    /// (row g of the result; each band column sums to one over groups, or is all
    /// zero when no group has patients in band b, in which case the band's cases
    /// are spread by overall group frequency).
    pub fn band_group_shares(&self) -> Vec<ByBand> {
        let n = self.cases_by_band();
        let total: f64 = self.groups.iter().map(|g| g.cases).sum();
        self.groups
            .iter()
            .map(|g| std::array::from_fn(|b| band_share(g, b, &n, total)))
            .collect()
    }

    /// Mean reference cost per case of band b's patients:
    /// `M_b = sum_g s_gb x mean_cost_g`.
    ///
    /// The shares are computed on the fly as in
    /// [`GroupTable::band_group_shares`] (same expressions, same order, so
    /// the same bits), without the groups x bands table.
    pub fn cost_per_case_by_band(&self) -> ByBand {
        let n = self.cases_by_band();
        let total: f64 = self.groups.iter().map(|g| g.cases).sum();
        let mut m = [0.0; N_BANDS];
        for g in &self.groups {
            for (b, mb) in m.iter_mut().enumerate() {
                *mb += band_share(g, b, &n, total) * g.mean_cost;
            }
        }
        m
    }
}

/// `s_gb` of [`GroupTable::band_group_shares`] for group `g` and band `b`,
/// given the band totals `n` ([`GroupTable::cases_by_band`]) and the total
/// cases.
#[inline]
fn band_share(g: &Group, b: usize, n: &ByBand, total: f64) -> f64 {
    if n[b] > 0.0 {
        g.cases * g.age_shares[b] / n[b]
    } else if total > 0.0 {
        g.cases / total
    } else {
        0.0
    }
}

/// A replacement weight table (`code, weight`), e.g. a recalibrated weight set.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightTable {
    /// Code -> weight.
    pub weights: HashMap<String, f64>,
}

impl WeightTable {
    /// Loads and validates a weight table file.
    pub fn load(path: &Path) -> Result<WeightTable, Diagnostics> {
        let text = read_file(path)?;
        Self::parse(path, &text)
    }

    /// Parses `code, weight` CSV text.
    pub fn parse(file: &Path, text: &str) -> Result<WeightTable, Diagnostics> {
        let sheet = Sheet::read(file, text)?;
        let mut errors = Vec::new();
        if !sheet.require(&["code", "weight"], &mut errors) {
            return Err(Diagnostics(errors));
        }
        let mut weights = HashMap::new();
        let mut lines: HashMap<String, u64> = HashMap::new();
        for (line, rec) in &sheet.rows {
            let code = sheet.string(*line, rec, "code", &mut errors);
            let w = sheet.number(*line, rec, "weight", 0.0, true, &mut errors);
            if let Some(c) = code {
                if let Some(first) = lines.get(&c) {
                    errors.push(sheet.error(
                        *line,
                        Some("code"),
                        format!("duplicate group code `{c}` (first on line {first}); codes must be unique"),
                    ));
                } else {
                    lines.insert(c.clone(), *line);
                    if let Some(w) = w {
                        weights.insert(c, w);
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(WeightTable { weights })
        } else {
            Err(Diagnostics(errors))
        }
    }

    /// The weights in the order of `groups`, or the codes it lacks / has extra.
    pub fn aligned(&self, file: &Path, groups: &GroupTable) -> Result<Vec<f64>, Diagnostics> {
        let mut errors = Vec::new();
        let mut out = Vec::with_capacity(groups.len());
        for g in &groups.groups {
            match self.weights.get(&g.code) {
                Some(w) => out.push(*w),
                None => errors.push(
                    Diagnostic::in_file(
                        file,
                        0,
                        format!(
                            "no weight for group `{}` of the group table; add a row for it",
                            g.code
                        ),
                    )
                    .column("code"),
                ),
            }
        }
        let known: std::collections::HashSet<&str> =
            groups.groups.iter().map(|g| g.code.as_str()).collect();
        let mut extra: Vec<&String> = self
            .weights
            .keys()
            .filter(|c| !known.contains(c.as_str()))
            .collect();
        extra.sort();
        for c in extra {
            errors.push(
                Diagnostic::in_file(
                    file,
                    0,
                    format!("group `{c}` is not in the group table; remove it or fix the code"),
                )
                .column("code"),
            );
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(Diagnostics(errors))
        }
    }
}

/// Reads a demand file `band, cases, cost_per_case` (one row per age band label,
/// e.g. `data/qingyang/demand-2025h1.csv`, as written by the table generator).
/// Every band must appear once.
pub fn read_demand_csv(path: &Path) -> Result<super::InpatientDemand, Diagnostics> {
    let text = read_file(path)?;
    let sheet = Sheet::read(path, &text)?;
    let mut errors = Vec::new();
    if !sheet.require(&["band", "cases", "cost_per_case"], &mut errors) {
        return Err(Diagnostics(errors));
    }
    let mut d = super::InpatientDemand::default();
    let mut seen = [false; N_BANDS];
    for (line, rec) in &sheet.rows {
        let label = sheet.text(rec, "band");
        match crate::population::bands::band_index(label) {
            Some(b) if seen[b] => errors.push(sheet.error(
                *line,
                Some("band"),
                format!("band `{label}` appears twice; give each band once"),
            )),
            Some(b) => {
                seen[b] = true;
                d.cases_by_band[b] = sheet
                    .number(*line, rec, "cases", 0.0, true, &mut errors)
                    .unwrap_or(0.0);
                d.cost_per_case_by_band[b] = sheet
                    .number(*line, rec, "cost_per_case", 0.0, true, &mut errors)
                    .unwrap_or(0.0);
            }
            None => errors.push(sheet.error(
                *line,
                Some("band"),
                format!("unknown band `{label}`; use 0-4, 5-9, ..., 80-84, 85+"),
            )),
        }
    }
    for (b, s) in seen.iter().enumerate() {
        if !s {
            errors.push(sheet.error(
                0,
                Some("band"),
                format!("band `{}` is missing; add a row for it", BAND_LABELS[b]),
            ));
        }
    }
    if errors.is_empty() {
        Ok(d)
    } else {
        Err(Diagnostics(errors))
    }
}
