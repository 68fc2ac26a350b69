//! The two streaming passes: sufficient statistics per group, per hospital and
//! per (hospital, group) cell. Memory is O(groups x hospitals), never O(cases).
//!
//! Pass 1 collects, per group, the count, sum and sum of squares of ln(cost)
//! (and a log-cost histogram for percentile trimming), which fix the trimming
//! bounds. Pass 2 reads the records again and sums the kept cases' costs, shifted
//! by the group's geometric mean for numerical stability of the variance.

use super::error::CalibrateError;
use super::mapping::{Field, Mapping};
use super::records::{Row, ScanInfo};
use super::trim::{self, HIST_BINS, TrimRule};
use crate::payment::Level;
use crate::population::bands::N_BANDS;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// Reads a record file, Parquet (by extension or magic) or CSV.
///
/// `only`: the fields a pass needs; Parquet reads only their columns (CSV
/// parses whole lines whatever the pass needs).
fn scan(
    path: &Path,
    mapping: &Mapping,
    only: Option<&[Field]>,
    each: impl FnMut(&Row<'_>) -> Result<(), CalibrateError>,
) -> Result<ScanInfo, CalibrateError> {
    if super::parquet_records::is_parquet(path) {
        super::parquet_records::scan(path, mapping, only, each)
    } else {
        super::records::scan(path, mapping, each)
    }
}

/// What pass 2 reads: which cell a case belongs to, its cost, and whether it
/// is paid by DRG (the rest was checked and counted in pass 1).
const PASS2_FIELDS: [Field; 4] = [
    Field::Hospital,
    Field::Group,
    Field::Cost,
    Field::SpecialReview,
];

/// FNV-1a: a fast, deterministic hash for the short id and code keys (the
/// default SipHash guards against adversarial keys, which records are not).
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Hash map with [`Fnv`].
pub type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<Fnv>>;
use std::path::Path;

/// Pass-1 statistics of one group.
#[derive(Clone, Debug, Default)]
pub struct GroupAcc {
    /// Group code.
    pub code: String,
    /// Name, first seen.
    pub name: Option<String>,
    /// MDC, first seen.
    pub mdc: Option<String>,
    /// Grouped cases with a positive cost (special review included).
    pub n_all: u64,
    /// Special-review cases (left out of the cost statistics).
    pub n_special: u64,
    /// Sum of the cost of all cases (special review included), yuan.
    pub sum_cost_all: f64,
    /// Cases entering the cost statistics (not special review).
    pub n: u64,
    /// Sum of ln(cost).
    pub sum_log: f64,
    /// Sum of ln(cost)^2.
    pub sumsq_log: f64,
    /// Cases by age band (cases with an age).
    pub age: [u64; N_BANDS],
    /// Log-cost histogram (percentile trimming only).
    pub hist: Option<Vec<u32>>,
    // Pass 2:
    /// Lower and upper kept log-cost bounds.
    pub bounds: (f64, f64),
    /// Shift subtracted from costs before summing (geometric mean of the group).
    pub shift: f64,
    /// Kept (trimmed) cases.
    pub n_t: u64,
    /// Sum of (cost - shift) over kept cases.
    pub sum_d: f64,
    /// Sum of (cost - shift)^2 over kept cases.
    pub sumsq_d: f64,
    /// Cases below the lower bound.
    pub n_low: u64,
    /// Cases above the upper bound.
    pub n_high: u64,
}

/// Statistics of one hospital.
#[derive(Clone, Debug, Default)]
pub struct HospitalAcc {
    /// Hospital id.
    pub id: String,
    /// Name, first seen.
    pub name: Option<String>,
    /// Level, first recognised.
    pub level: Option<Level>,
    /// Records whose level differs from the first one seen.
    pub level_conflicts: u64,
    /// Records not grouped.
    pub ungrouped: u64,
}

/// One (hospital, group) cell.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cell {
    /// Grouped cases (special review included).
    pub n: u64,
    /// Cases paid by DRG (not special review).
    pub n_drg: u64,
    /// Kept (trimmed) cases.
    pub n_t: u64,
    /// Cost of the kept cases, yuan.
    pub cost_t: f64,
}

/// Everything the passes collect.
#[derive(Debug, Default)]
pub struct Accumulator {
    /// Groups in order of first appearance.
    pub groups: Vec<GroupAcc>,
    g_index: HashMap<Box<[u8]>, u32>,
    /// Hospitals in order of first appearance.
    pub hospitals: Vec<HospitalAcc>,
    h_index: HashMap<Box<[u8]>, u32>,
    /// Cells keyed by (hospital, group).
    pub cells: HashMap<(u32, u32), Cell>,
    /// Records read (pass 1).
    pub records: u64,
    /// Records not grouped (入组率 denominator includes them).
    pub ungrouped: u64,
    /// Records skipped for a cost of zero or less.
    pub nonpositive_cost: u64,
    /// Grouped records with no age.
    pub age_missing: u64,
    /// Sum of fund payments and of the costs of records that give one.
    pub fund_paid: (f64, f64),
    /// Sum of length of stay and records that give one.
    pub los: (f64, u64),
    /// Records with an unrecognised level text.
    pub unknown_levels: u64,
    /// Scan information per file.
    pub files: Vec<(std::path::PathBuf, ScanInfo)>,
}

fn intern<T: Default>(
    index: &mut HashMap<Box<[u8]>, u32>,
    items: &mut Vec<T>,
    key: &[u8],
    make: impl FnOnce() -> T,
) -> u32 {
    if let Some(&i) = index.get(key) {
        return i;
    }
    let i = items.len() as u32;
    items.push(make());
    index.insert(key.into(), i);
    i
}

/// Band index of an age in years (0-4 -> 0, ..., 85+ -> 17).
pub fn age_band(age: f64) -> usize {
    ((age.max(0.0) / 5.0).floor() as usize).min(N_BANDS - 1)
}

impl Accumulator {
    /// Index of hospital `id`, added (in order of first appearance) when new.
    pub fn hospital_index(&mut self, id: &str) -> usize {
        intern(
            &mut self.h_index,
            &mut self.hospitals,
            id.as_bytes(),
            || HospitalAcc {
                id: id.to_string(),
                ..Default::default()
            },
        ) as usize
    }

    /// Index of group `code`, added (in order of first appearance) when new.
    pub fn group_index(&mut self, code: &str) -> usize {
        intern(&mut self.g_index, &mut self.groups, code.as_bytes(), || {
            GroupAcc {
                code: code.to_string(),
                ..Default::default()
            }
        }) as usize
    }

    /// Pass 1 over one file. `known` is the list of valid group codes, when given.
    pub fn pass1(
        &mut self,
        path: &Path,
        mapping: &Mapping,
        rule: TrimRule,
        known: Option<&HashSet<String>>,
    ) -> Result<(), CalibrateError> {
        let want_hist = matches!(rule, TrimRule::Percentile { .. });
        let info = scan(path, mapping, None, |r: &Row<'_>| {
            self.records += 1;
            let hi = intern(&mut self.h_index, &mut self.hospitals, r.hospital, || {
                HospitalAcc {
                    id: String::from_utf8_lossy(r.hospital).into_owned(),
                    ..Default::default()
                }
            }) as usize;
            let h = &mut self.hospitals[hi];
            if h.name.is_none() {
                h.name = r.hospital_name.map(str::to_string);
            }
            match (h.level, r.level) {
                (None, Some(l)) => h.level = Some(l),
                (Some(a), Some(b)) if a != b => h.level_conflicts += 1,
                _ => {}
            }
            let Some(g) = r.group else {
                self.ungrouped += 1;
                h.ungrouped += 1;
                return Ok(());
            };
            if let Some(k) = known {
                let code = String::from_utf8_lossy(g);
                if !k.contains(code.as_ref()) {
                    return Err(CalibrateError::record(
                        path,
                        r.line,
                        Some(r.group_header),
                        format!(
                            "unknown group code `{code}`: it is not in the group list; check the grouper version or the list"
                        ),
                    ));
                }
            }
            if r.cost <= 0.0 {
                self.nonpositive_cost += 1;
                return Ok(());
            }
            let gi = intern(&mut self.g_index, &mut self.groups, g, || GroupAcc {
                code: String::from_utf8_lossy(g).into_owned(),
                hist: want_hist.then(|| vec![0; HIST_BINS]),
                ..Default::default()
            });
            let acc = &mut self.groups[gi as usize];
            if acc.name.is_none() {
                acc.name = r.group_name.map(str::to_string);
            }
            if acc.mdc.is_none() {
                acc.mdc = r.mdc.map(str::to_string);
            }
            acc.n_all += 1;
            acc.sum_cost_all += r.cost;
            match r.age {
                Some(a) => acc.age[age_band(a)] += 1,
                None => self.age_missing += 1,
            }
            if let Some(f) = r.fund_paid {
                self.fund_paid.0 += f;
                self.fund_paid.1 += r.cost;
            }
            if let Some(l) = r.los {
                self.los.0 += l;
                self.los.1 += 1;
            }
            let cell = self.cells.entry((hi as u32, gi)).or_default();
            cell.n += 1;
            if r.special {
                acc.n_special += 1;
                return Ok(());
            }
            cell.n_drg += 1;
            let l = r.cost.ln();
            acc.n += 1;
            acc.sum_log += l;
            acc.sumsq_log += l * l;
            if let Some(hist) = acc.hist.as_mut() {
                hist[trim::hist_bin(l)] += 1;
            }
            Ok(())
        });
        let info = info?;
        self.unknown_levels += info.unknown_levels;
        self.files.push((path.to_path_buf(), info));
        Ok(())
    }

    /// Fixes every group's trimming bounds and shift from the pass-1 statistics.
    pub fn fix_bounds(&mut self, rule: TrimRule) {
        for g in &mut self.groups {
            g.bounds = trim::bounds(rule, g.n, g.sum_log, g.sumsq_log, g.hist.as_deref());
            g.shift = if g.n > 0 {
                (g.sum_log / g.n as f64).exp()
            } else {
                0.0
            };
            g.hist = None;
        }
    }

    /// Pass 2 over one file: sums of the kept cases' costs.
    pub fn pass2(&mut self, path: &Path, mapping: &Mapping) -> Result<(), CalibrateError> {
        scan(path, mapping, Some(&PASS2_FIELDS), |r: &Row<'_>| {
            let (Some(g), true, false) = (r.group, r.cost > 0.0, r.special) else {
                return Ok(());
            };
            let (Some(&gi), Some(&hi)) = (self.g_index.get(g), self.h_index.get(r.hospital)) else {
                return Err(CalibrateError::record(
                    path,
                    r.line,
                    None,
                    "the file changed between the two passes; calibrate a file that is not being written",
                ));
            };
            let acc = &mut self.groups[gi as usize];
            let l = r.cost.ln();
            if l < acc.bounds.0 {
                acc.n_low += 1;
                return Ok(());
            }
            if l > acc.bounds.1 {
                acc.n_high += 1;
                return Ok(());
            }
            let d = r.cost - acc.shift;
            acc.n_t += 1;
            acc.sum_d += d;
            acc.sumsq_d += d * d;
            let cell = self.cells.entry((hi, gi)).or_default();
            cell.n_t += 1;
            cell.cost_t += r.cost;
            Ok(())
        })?;
        Ok(())
    }
}
