//! The two streaming passes: sufficient statistics per group, per hospital and
//! per (hospital, group) cell. Memory is O(groups x hospitals), never O(cases).
//!
//! Pass 1 collects, per group, the count, sum and sum of squares of ln(cost)
//! (and a log-cost histogram for percentile trimming), which fix the trimming
//! bounds. Pass 2 reads the records again and sums the kept cases' costs, shifted
//! by the group's geometric mean for numerical stability of the variance.

use super::batch::{Batch, NO_AGE, NO_CELL, PASS1_FIELDS, PASS2_FIELDS, UNGROUPED};
use super::error::CalibrateError;
use super::fields::HashMap;
use super::mapping::Mapping;
use super::records::ScanInfo;
use super::trim::{self, HIST_BINS, TrimRule};
use crate::payment::Level;
use crate::population::bands::N_BANDS;
use std::collections::HashSet;

/// Reads a record file, Parquet (by extension or magic) or CSV, block by block
/// (blocks built in parallel, handed to `each` in file order).
fn scan(
    path: &Path,
    mapping: &Mapping,
    fields: &[super::mapping::Field],
    known: Option<&HashSet<String>>,
    each: impl FnMut(Batch) -> Result<(), CalibrateError> + Send,
) -> Result<ScanInfo, CalibrateError> {
    if super::parquet_records::is_parquet(path) {
        super::parquet_records::scan(path, mapping, fields, known, each)
    } else {
        super::records::scan(path, mapping, fields, known, each)
    }
}

use std::path::Path;

/// Largest hospitals x groups table of cell indices (4 bytes each) kept dense.
const DENSE_CELLS: usize = 1 << 24;

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
    /// Cells `((hospital, group), statistics)` in order of first appearance.
    pub cells: Vec<((u32, u32), Cell)>,
    c_index: HashMap<(u32, u32), u32>,
    /// Cell index by hospital then group (`u32::MAX` = none) while hospitals x
    /// groups stay under [`DENSE_CELLS`] entries: no hashing per case.
    c_dense: Vec<Vec<u32>>,
    c_dense_len: usize,
    c_dense_off: bool,
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

    /// Index of cell `(h, g)` in [`Accumulator::cells`], added when new.
    pub fn cell_index(&mut self, h: u32, g: u32) -> usize {
        let (hu, gu) = (h as usize, g as usize);
        if !self.c_dense_off {
            if let Some(&i) = self.c_dense.get(hu).and_then(|row| row.get(gu))
                && i != u32::MAX
            {
                return i as usize;
            }
        } else if let Some(&i) = self.c_index.get(&(h, g)) {
            return i as usize;
        }
        let i = self.cells.len() as u32;
        self.cells.push(((h, g), Cell::default()));
        self.c_index.insert((h, g), i);
        if !self.c_dense_off {
            if self.c_dense.len() <= hu {
                self.c_dense.resize_with(hu + 1, Vec::new);
            }
            let row = &mut self.c_dense[hu];
            if row.len() <= gu {
                let len = (gu + 1).max(self.groups.len());
                self.c_dense_len += len - row.len();
                row.resize(len, u32::MAX);
            }
            row[gu] = i;
            if self.c_dense_len > DENSE_CELLS {
                self.c_dense_off = true;
                self.c_dense = Vec::new();
            }
        }
        i as usize
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
        let info = scan(path, mapping, &PASS1_FIELDS, known, |b| {
            self.fold1(&b, want_hist);
            Ok(())
        })?;
        self.unknown_levels += info.unknown_levels;
        self.files.push((path.to_path_buf(), info));
        Ok(())
    }

    /// Adds a pass-1 block, row by row in file order (the order of every sum).
    fn fold1(&mut self, b: &Batch, want_hist: bool) {
        let mut hmap = vec![u32::MAX; b.hospitals.len()];
        let mut gmap = vec![u32::MAX; b.groups.len()];
        let mut cmap = vec![u32::MAX; b.cells.len()];
        for r in 0..b.len() {
            self.records += 1;
            let lh = b.row_h[r] as usize;
            if hmap[lh] == u32::MAX {
                let id = &b.hospitals[lh].id;
                hmap[lh] = intern(&mut self.h_index, &mut self.hospitals, id, || HospitalAcc {
                    id: String::from_utf8_lossy(id).into_owned(),
                    ..Default::default()
                });
            }
            let lg = b.row_g[r];
            if lg == UNGROUPED {
                self.ungrouped += 1;
                continue;
            }
            let cost = b.cost[r];
            if cost <= 0.0 {
                self.nonpositive_cost += 1;
                continue;
            }
            let lg = lg as usize;
            if gmap[lg] == u32::MAX {
                let code = &b.groups[lg].code;
                gmap[lg] = intern(&mut self.g_index, &mut self.groups, code, || GroupAcc {
                    code: String::from_utf8_lossy(code).into_owned(),
                    hist: want_hist.then(|| vec![0; HIST_BINS]),
                    ..Default::default()
                });
            }
            let gi = gmap[lg];
            let lc = b.row_c[r] as usize;
            if cmap[lc] == u32::MAX {
                cmap[lc] = self.cell_index(hmap[lh], gi) as u32;
            }
            let acc = &mut self.groups[gi as usize];
            acc.n_all += 1;
            acc.sum_cost_all += cost;
            match b.age[r] {
                NO_AGE => self.age_missing += 1,
                band => acc.age[band as usize] += 1,
            }
            let f = b.fund[r];
            if !f.is_nan() {
                self.fund_paid.0 += f;
                self.fund_paid.1 += cost;
            }
            let l = b.los[r];
            if !l.is_nan() {
                self.los.0 += l;
                self.los.1 += 1;
            }
            let cell = &mut self.cells[cmap[lc] as usize].1;
            cell.n += 1;
            if b.special[r] {
                acc.n_special += 1;
                continue;
            }
            cell.n_drg += 1;
            let l = b.ln_cost[r];
            acc.n += 1;
            acc.sum_log += l;
            acc.sumsq_log += l * l;
            if let Some(hist) = acc.hist.as_mut() {
                hist[trim::hist_bin(l)] += 1;
            }
        }
        // First name, first level and level conflicts, in block order.
        for (lh, h) in b.hospitals.iter().enumerate() {
            let acc = &mut self.hospitals[hmap[lh] as usize];
            if acc.name.is_none() {
                acc.name.clone_from(&h.name);
            }
            if acc.level.is_none() {
                acc.level = h.first_level;
            }
            if let Some(l) = acc.level {
                acc.level_conflicts += h.level_n.iter().sum::<u64>() - h.level_n[l.index()];
            }
            acc.ungrouped += h.ungrouped;
        }
        for (lg, g) in b.groups.iter().enumerate() {
            if gmap[lg] == u32::MAX {
                continue;
            }
            let acc = &mut self.groups[gmap[lg] as usize];
            if acc.name.is_none() {
                acc.name.clone_from(&g.name);
            }
            if acc.mdc.is_none() {
                acc.mdc.clone_from(&g.mdc);
            }
        }
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
        scan(path, mapping, &PASS2_FIELDS, None, |b| self.fold2(path, &b))?;
        Ok(())
    }

    /// Adds a pass-2 block, row by row in file order.
    fn fold2(&mut self, path: &Path, b: &Batch) -> Result<(), CalibrateError> {
        let mut hmap = vec![u32::MAX; b.hospitals.len()];
        let mut gmap = vec![u32::MAX; b.groups.len()];
        let mut cmap = vec![u32::MAX; b.cells.len()];
        for r in 0..b.len() {
            let lg = b.row_g[r];
            if lg == UNGROUPED || b.cost[r] <= 0.0 || b.special[r] {
                continue;
            }
            let (lg, lh) = (lg as usize, b.row_h[r] as usize);
            if gmap[lg] == u32::MAX || hmap[lh] == u32::MAX {
                let (Some(&gi), Some(&hi)) = (
                    self.g_index.get(&b.groups[lg].code),
                    self.h_index.get(&b.hospitals[lh].id),
                ) else {
                    return Err(CalibrateError::record(
                        path,
                        b.groups[lg].first_line.max(b.hospitals[lh].first_line),
                        None,
                        "the file changed between the two passes; calibrate a file that is not being written",
                    ));
                };
                gmap[lg] = gi;
                hmap[lh] = hi;
            }
            let gi = gmap[lg];
            let lc = b.row_c[r];
            debug_assert!(lc != NO_CELL);
            let lc = lc as usize;
            if cmap[lc] == u32::MAX {
                cmap[lc] = self.cell_index(hmap[lh], gi) as u32;
            }
            let acc = &mut self.groups[gi as usize];
            let l = b.ln_cost[r];
            if l < acc.bounds.0 {
                acc.n_low += 1;
                continue;
            }
            if l > acc.bounds.1 {
                acc.n_high += 1;
                continue;
            }
            let cost = b.cost[r];
            let d = cost - acc.shift;
            acc.n_t += 1;
            acc.sum_d += d;
            acc.sumsq_d += d * d;
            let cell = &mut self.cells[cmap[lc] as usize].1;
            cell.n_t += 1;
            cell.cost_t += cost;
        }
        Ok(())
    }
}
