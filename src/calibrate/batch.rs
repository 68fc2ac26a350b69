//! A block of parsed records (a Parquet row group, or a chunk of CSV lines)
//! in columns, with the hospital and group codes interned to block-local ids.
//!
//! Building a block (parsing numbers, checking fields, interning codes, taking
//! logarithms) is pure and runs in parallel, one block per thread; the blocks
//! are then folded into the accumulator one after the other in file order
//! (`accumulate`), so every floating-point sum adds the same terms in the same
//! order as a record-by-record scan: the tables are bit for bit the same
//! whatever the number of threads or the block size.
//!
//! Memory is one block per thread (its rows, plus its distinct codes), never
//! the file.

use super::error::CalibrateError;
use super::fields::{Fnv, HashMap, level, number, special_flag};
use super::mapping::{Field, Mapping};
use crate::payment::Level;
use crate::population::bands::N_BANDS;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasherDefault;
use std::path::Path;

/// Number of [`Field`]s (per-field tables are indexed by `Field as usize`).
pub const N_FIELDS: usize = Field::SpecialReview as usize + 1;

/// The fields the first pass reads (the others are never decoded).
pub const PASS1_FIELDS: [Field; 11] = [
    Field::Hospital,
    Field::HospitalName,
    Field::Level,
    Field::Group,
    Field::GroupName,
    Field::Mdc,
    Field::Age,
    Field::Los,
    Field::Cost,
    Field::FundPaid,
    Field::SpecialReview,
];

/// What the second pass reads: which cell a case belongs to, its cost, and
/// whether it is paid by DRG (the rest was checked and counted in pass 1).
pub const PASS2_FIELDS: [Field; 4] = [
    Field::Hospital,
    Field::Group,
    Field::Cost,
    Field::SpecialReview,
];

/// Row marker: the case was not grouped.
pub const UNGROUPED: u32 = u32::MAX;
/// Row marker: no cell (not grouped, or a cost of zero or less).
pub const NO_CELL: u32 = u32::MAX;
/// Age band marker: no age.
pub const NO_AGE: u8 = u8::MAX;

/// A field's value in one row, as stored.
pub enum Raw<'a> {
    /// The field is not read (no column, or not needed by the pass).
    Absent,
    /// A null (Parquet).
    Null,
    /// Text (CSV fields, Parquet BYTE_ARRAY).
    Bytes(&'a [u8]),
    /// A number (Parquet numeric columns; decimals already scaled).
    Num(f64),
}

/// Rows of one block, field by field.
pub trait RawRows: Sync {
    /// Rows in the block.
    fn len(&self) -> usize;
    /// 1-based line (CSV) or record number (Parquet) of row `r`, for messages.
    fn line(&self, r: usize) -> u64;
    /// The value of field `f` in row `r`.
    fn get(&self, f: Field, r: usize) -> Raw<'_>;
    /// Whether text values stay in place for the whole block, so that one
    /// address and length always hold the same text (Parquet dictionary and
    /// data pages: each distinct code is then looked up once per address; not
    /// CSV, whose record buffer is reused).
    fn stable(&self) -> bool {
        false
    }
}

/// Address and length of a text value (see [`RawRows::stable`]).
fn addr(raw: &Raw<'_>) -> Option<(usize, usize)> {
    match raw {
        Raw::Bytes(b) => Some((b.as_ptr() as usize, b.len())),
        _ => None,
    }
}

/// What building a block needs to know about its file.
pub struct Ctx<'a> {
    /// The file (for messages).
    pub path: &'a Path,
    /// Its header.
    pub header: &'a [String],
    /// Columns by field.
    pub columns: &'a BTreeMap<Field, usize>,
    /// Group codes meaning "not grouped".
    pub ungrouped: Vec<&'a [u8]>,
    /// An empty or null group is "not grouped" even when `""` is not listed (Parquet).
    pub empty_ungrouped: bool,
    /// Valid group codes (pass 1 only).
    pub known: Option<&'a HashSet<String>>,
    /// Pass 1: read age, stay, fund payment, names and levels too.
    pub full: bool,
}

impl<'a> Ctx<'a> {
    /// The context of one scan: `fields` the pass reads (age among them makes
    /// it pass 1), `mapping`'s "not grouped" codes, and whether an empty or
    /// null group counts as not grouped without being listed (Parquet).
    pub fn new(
        path: &'a Path,
        header: &'a [String],
        columns: &'a BTreeMap<Field, usize>,
        mapping: &'a Mapping,
        fields: &[Field],
        known: Option<&'a HashSet<String>>,
        empty_ungrouped: bool,
    ) -> Ctx<'a> {
        Ctx {
            path,
            header,
            columns,
            ungrouped: mapping
                .ungrouped
                .iter()
                .map(|s| s.trim().as_bytes())
                .collect(),
            empty_ungrouped,
            known,
            full: fields.contains(&Field::Age),
        }
    }

    fn col(&self, f: Field) -> Option<&str> {
        self.columns.get(&f).map(|&i| self.header[i].as_str())
    }
    fn err(&self, line: u64, f: Field, msg: String) -> CalibrateError {
        CalibrateError::record(self.path, line, self.col(f), msg)
    }
}

/// A hospital met in a block.
#[derive(Debug)]
pub struct LocalHospital {
    /// Id.
    pub id: Box<[u8]>,
    /// First non-empty name in the block.
    pub name: Option<String>,
    /// First recognised level in the block.
    pub first_level: Option<Level>,
    /// Records by recognised level (`Level::index`).
    pub level_n: [u64; 3],
    /// Records not grouped.
    pub ungrouped: u64,
    /// Line of its first record (messages).
    pub first_line: u64,
    /// Level text of its last record and what it parsed to (most hospitals
    /// write one level text on every record: parsed once).
    level_cache: Option<(Vec<u8>, Option<Level>, bool)>,
}

/// A group code met in a block.
#[derive(Debug)]
pub struct LocalGroup {
    /// Code.
    pub code: Box<[u8]>,
    /// First non-empty name among its positive-cost records.
    pub name: Option<String>,
    /// First non-empty MDC among its positive-cost records.
    pub mdc: Option<String>,
    /// Line of its first record (messages).
    pub first_line: u64,
}

/// One block of records in columns.
#[derive(Debug, Default)]
pub struct Batch {
    /// Distinct hospitals, in order of first appearance.
    pub hospitals: Vec<LocalHospital>,
    /// Distinct group codes, in order of first appearance.
    pub groups: Vec<LocalGroup>,
    /// Distinct (hospital, group) cells of grouped positive-cost records.
    pub cells: Vec<(u32, u32)>,
    /// Per row: local hospital.
    pub row_h: Vec<u32>,
    /// Per row: local group, or [`UNGROUPED`].
    pub row_g: Vec<u32>,
    /// Per row: local cell, or [`NO_CELL`].
    pub row_c: Vec<u32>,
    /// Per row: cost, yuan.
    pub cost: Vec<f64>,
    /// Per row: ln(cost) (0 for a cost of zero or less).
    pub ln_cost: Vec<f64>,
    /// Per row: special-review flag.
    pub special: Vec<bool>,
    /// Per row (pass 1): age band or [`NO_AGE`].
    pub age: Vec<u8>,
    /// Per row (pass 1): fund payment or NaN.
    pub fund: Vec<f64>,
    /// Per row (pass 1): length of stay or NaN.
    pub los: Vec<f64>,
    /// Records whose level text was not recognised.
    pub unknown_levels: u64,
}

impl Batch {
    /// Rows in the block.
    pub fn len(&self) -> usize {
        self.row_h.len()
    }
}

/// Band index of an age in years (0-4 -> 0, ..., 85+ -> 17).
pub fn age_band(age: f64) -> usize {
    ((age.max(0.0) / 5.0).floor() as usize).min(N_BANDS - 1)
}

type LocalIndex = std::collections::HashMap<Box<[u8]>, u32, BuildHasherDefault<Fnv>>;

fn intern<T>(
    index: &mut LocalIndex,
    items: &mut Vec<T>,
    key: &[u8],
    make: impl FnOnce() -> T,
) -> (u32, bool) {
    if let Some(&i) = index.get(key) {
        return (i, false);
    }
    let i = items.len() as u32;
    items.push(make());
    index.insert(key.into(), i);
    (i, true)
}

/// Text of a field (numbers stored in a text field are read as their digits),
/// trimmed of ASCII spaces; None when absent or null.
fn text<'a>(raw: Raw<'a>, scratch: &'a mut String) -> Option<&'a [u8]> {
    match raw {
        Raw::Absent | Raw::Null => None,
        Raw::Bytes(b) => Some(b.trim_ascii()),
        Raw::Num(v) => {
            use std::fmt::Write as _;
            scratch.clear();
            let _ = write!(scratch, "{v}");
            Some(scratch.as_bytes())
        }
    }
}

/// Builds a block from its rows, with the checks of a record-by-record scan
/// (the first failing row, in row order, gives the error): an empty hospital id,
/// a cost that is not a number, an age that is negative, over 130 or not a
/// number, text that is not valid in the file's encoding, a special-review flag
/// not understood, and (pass 1, with a group list) an unknown group code.
pub fn build<'a, R: RawRows>(rows: &'a R, ctx: &Ctx<'_>) -> Result<Batch, CalibrateError> {
    let n = rows.len();
    let mut b = Batch {
        row_h: Vec::with_capacity(n),
        row_g: Vec::with_capacity(n),
        cost: Vec::with_capacity(n),
        ln_cost: Vec::with_capacity(n),
        special: Vec::with_capacity(n),
        ..Default::default()
    };
    if ctx.full {
        b.age.reserve(n);
        b.fund.reserve(n);
        b.los.reserve(n);
    }
    let stable = rows.stable();
    let mut h_addr: HashMap<(usize, usize), u32> = HashMap::default();
    let mut g_addr: HashMap<(usize, usize), u32> = HashMap::default();
    let mut checked: [HashSet<(usize, usize), BuildHasherDefault<Fnv>>; 3] = Default::default();
    let mut h_index = LocalIndex::default();
    let mut g_index = LocalIndex::default();
    let (mut scratch, mut h_scratch, mut g_scratch) = (String::new(), String::new(), String::new());
    let invalid_text = |line: u64, f: Field| {
        ctx.err(
            line,
            f,
            "the field is not valid text in the file's encoding (Parquet text is UTF-8); give `encoding = \"gb18030\"` or `\"utf-8\"` in the mapping (or --encoding)".into(),
        )
    };
    // An optional text field, valid UTF-8, trimmed, None when empty.
    let utf8 =
        |raw: Raw<'a>, line: u64, f: Field| -> Result<Option<Cow<'a, str>>, CalibrateError> {
            let t = match raw {
                Raw::Absent | Raw::Null => return Ok(None),
                Raw::Num(v) => Cow::Owned(v.to_string()),
                Raw::Bytes(t) => Cow::Borrowed(
                    std::str::from_utf8(t)
                        .map_err(|_| invalid_text(line, f))?
                        .trim(),
                ),
            };
            Ok((!t.is_empty()).then_some(t))
        };
    for r in 0..n {
        let line = rows.line(r);
        // Hospital.
        let raw = rows.get(Field::Hospital, r);
        let key = addr(&raw).filter(|_| stable);
        let lh = match key.and_then(|k| h_addr.get(&k)) {
            Some(&lh) => lh,
            None => {
                let hospital = text(raw, &mut h_scratch).unwrap_or_default();
                if hospital.is_empty() {
                    return Err(ctx.err(
                        line,
                        Field::Hospital,
                        "the hospital id is empty; every case needs the hospital that treated it"
                            .into(),
                    ));
                }
                let (lh, _) = intern(&mut h_index, &mut b.hospitals, hospital, || LocalHospital {
                    id: hospital.into(),
                    name: None,
                    first_level: None,
                    level_n: [0; 3],
                    ungrouped: 0,
                    first_line: line,
                    level_cache: None,
                });
                if let Some(k) = key {
                    h_addr.insert(k, lh);
                }
                lh
            }
        };
        // Group code (the group list is checked after the row's other fields).
        let raw = rows.get(Field::Group, r);
        let key = addr(&raw).filter(|_| stable);
        let (lg, new_group) = match key.and_then(|k| g_addr.get(&k)) {
            Some(&lg) => (lg, false),
            None => {
                let group = text(raw, &mut g_scratch).filter(|g| {
                    !(ctx.ungrouped.contains(g) || ctx.empty_ungrouped && g.is_empty())
                });
                let (lg, new) = match group {
                    None => (UNGROUPED, false),
                    Some(g) => intern(&mut g_index, &mut b.groups, g, || LocalGroup {
                        code: g.into(),
                        name: None,
                        mdc: None,
                        first_line: line,
                    }),
                };
                if let Some(k) = key {
                    g_addr.insert(k, lg);
                }
                (lg, new)
            }
        };
        // Cost.
        let cost = match rows.get(Field::Cost, r) {
            Raw::Num(v) if v.is_finite() => v,
            Raw::Num(_) => {
                return Err(ctx.err(
                    line,
                    Field::Cost,
                    "cost is not a finite number; give the total cost in yuan (e.g. 4521.30)"
                        .into(),
                ));
            }
            Raw::Bytes(t) => {
                let t = std::str::from_utf8(t)
                    .map_err(|_| invalid_text(line, Field::Cost))?
                    .trim();
                if t.is_empty() {
                    return Err(ctx.err(
                        line,
                        Field::Cost,
                        "cost is empty; give the total cost in yuan (e.g. 4521.30)".into(),
                    ));
                }
                number(t.as_bytes()).ok_or_else(|| {
                    ctx.err(
                        line,
                        Field::Cost,
                        format!(
                            "cost `{t}` is not a number; give the total cost in yuan (e.g. 4521.30)"
                        ),
                    )
                })?
            }
            Raw::Absent | Raw::Null => {
                return Err(ctx.err(
                    line,
                    Field::Cost,
                    "cost is empty; give the total cost in yuan (e.g. 4521.30)".into(),
                ));
            }
        };
        // Age.
        let age = if ctx.full {
            let a = match rows.get(Field::Age, r) {
                Raw::Absent | Raw::Null => None,
                Raw::Num(v) => Some((v, None)),
                Raw::Bytes(t) => {
                    let t = std::str::from_utf8(t)
                        .map_err(|_| invalid_text(line, Field::Age))?
                        .trim();
                    if t.is_empty() {
                        None
                    } else {
                        match number(t.as_bytes()) {
                            Some(v) => Some((v, Some(t))),
                            None => {
                                return Err(ctx.err(
                                    line,
                                    Field::Age,
                                    format!(
                                        "age `{t}` is not a number; give the age in whole years"
                                    ),
                                ));
                            }
                        }
                    }
                }
            };
            match a {
                Some((v, t)) if v < 0.0 => {
                    let t = t.map_or_else(|| v.to_string(), str::to_string);
                    return Err(ctx.err(
                        line,
                        Field::Age,
                        format!("age {t} is negative; ages are in years, 0 or more"),
                    ));
                }
                Some((v, t)) if v > 130.0 => {
                    let t = t.map_or_else(|| v.to_string(), str::to_string);
                    return Err(ctx.err(
                        line,
                        Field::Age,
                        format!("age {t} is not plausible (over 130); ages are in years"),
                    ));
                }
                Some((v, _)) => age_band(v) as u8,
                None => NO_AGE,
            }
        } else {
            NO_AGE
        };
        // Level (cached per hospital: one text per hospital is the rule).
        if ctx.full {
            let lv_raw = rows.get(Field::Level, r);
            let h = &mut b.hospitals[lh as usize];
            let lv = match lv_raw {
                Raw::Absent | Raw::Null => None,
                Raw::Bytes(t) if h.level_cache.as_ref().is_some_and(|c| c.0[..] == *t) => {
                    let (_, l, unknown) = h.level_cache.as_ref().expect("checked");
                    b.unknown_levels += u64::from(*unknown);
                    *l
                }
                raw => {
                    let key: Vec<u8> = match &raw {
                        Raw::Bytes(t) => t.to_vec(),
                        _ => Vec::new(),
                    };
                    let t = text(raw, &mut scratch).unwrap_or_default();
                    let t = std::str::from_utf8(t)
                        .map_err(|_| invalid_text(line, Field::Level))?
                        .trim();
                    let l = level(t);
                    let unknown = l.is_none() && !t.is_empty();
                    b.unknown_levels += u64::from(unknown);
                    if !key.is_empty() {
                        h.level_cache = Some((key, l, unknown));
                    }
                    l
                }
            };
            if let Some(l) = lv {
                h.first_level.get_or_insert(l);
                h.level_n[l.index()] += 1;
            }
        }
        // Special review.
        let special = match rows.get(Field::SpecialReview, r) {
            Raw::Absent | Raw::Null => false,
            Raw::Num(v) => v != 0.0,
            Raw::Bytes(t) => special_flag(
                ctx.path,
                line,
                ctx.col(Field::SpecialReview).unwrap_or_default(),
                t,
            )?,
        };
        // Names: every value checked (once per address when stable); the
        // first non-empty one kept.
        let mut name =
            |f: Field, slot: usize, filled: bool| -> Result<Option<Cow<'a, str>>, CalibrateError> {
                let raw = rows.get(f, r);
                let key = addr(&raw).filter(|_| stable);
                if filled && key.is_some_and(|k| checked[slot].contains(&k)) {
                    return Ok(None);
                }
                let t = utf8(raw, line, f)?;
                if let Some(k) = key {
                    checked[slot].insert(k);
                }
                Ok(t)
            };
        let (hname, gname, mdc) = if ctx.full {
            let h_filled = b.hospitals[lh as usize].name.is_some();
            let g = (lg != UNGROUPED && cost > 0.0).then(|| &b.groups[lg as usize]);
            (
                name(Field::HospitalName, 0, h_filled)?,
                name(Field::GroupName, 1, g.is_none_or(|g| g.name.is_some()))?,
                name(Field::Mdc, 2, g.is_none_or(|g| g.mdc.is_some()))?,
            )
        } else {
            (None, None, None)
        };
        let h = &mut b.hospitals[lh as usize];
        if h.name.is_none() {
            h.name = hname.map(Cow::into_owned);
        }
        let lg = match lg {
            UNGROUPED => {
                h.ungrouped += 1;
                UNGROUPED
            }
            lg => {
                if new_group && let Some(k) = ctx.known {
                    let code = String::from_utf8_lossy(&b.groups[lg as usize].code);
                    if !k.contains(code.as_ref()) {
                        return Err(ctx.err(
                            line,
                            Field::Group,
                            format!("unknown group code `{code}`: it is not in the group list; check the grouper version or the list"),
                        ));
                    }
                }
                if cost > 0.0 {
                    let gr = &mut b.groups[lg as usize];
                    if gr.name.is_none() {
                        gr.name = gname.map(Cow::into_owned);
                    }
                    if gr.mdc.is_none() {
                        gr.mdc = mdc.map(Cow::into_owned);
                    }
                }
                lg
            }
        };
        b.row_h.push(lh);
        b.row_g.push(lg);
        b.cost.push(cost);
        b.ln_cost.push(if cost > 0.0 { cost.ln() } else { 0.0 });
        b.special.push(special);
        if ctx.full {
            b.age.push(age);
            b.fund.push(match rows.get(Field::FundPaid, r) {
                Raw::Num(v) => v,
                Raw::Bytes(t) => number(t).unwrap_or(f64::NAN),
                _ => f64::NAN,
            });
            b.los.push(match rows.get(Field::Los, r) {
                Raw::Num(v) => v,
                Raw::Bytes(t) => number(t).unwrap_or(f64::NAN),
                _ => f64::NAN,
            });
        }
    }
    cells(&mut b);
    Ok(b)
}

/// Local cell of every grouped positive-cost row: a dense table when the
/// block's hospitals x groups are few, else a hash map.
fn cells(b: &mut Batch) {
    let (nh, ng) = (b.hospitals.len(), b.groups.len());
    b.row_c.reserve(b.len());
    if nh * ng <= 1 << 22 {
        let mut dense = vec![NO_CELL; nh * ng];
        for r in 0..b.len() {
            let (h, g) = (b.row_h[r], b.row_g[r]);
            if g == UNGROUPED || b.cost[r] <= 0.0 {
                b.row_c.push(NO_CELL);
                continue;
            }
            let slot = &mut dense[h as usize * ng + g as usize];
            if *slot == NO_CELL {
                *slot = b.cells.len() as u32;
                b.cells.push((h, g));
            }
            b.row_c.push(*slot);
        }
    } else {
        let mut map: HashMap<(u32, u32), u32> = HashMap::default();
        for r in 0..b.len() {
            let (h, g) = (b.row_h[r], b.row_g[r]);
            if g == UNGROUPED || b.cost[r] <= 0.0 {
                b.row_c.push(NO_CELL);
                continue;
            }
            let next = b.cells.len() as u32;
            let c = *map.entry((h, g)).or_insert_with(|| {
                b.cells.push((h, g));
                next
            });
            b.row_c.push(c);
        }
    }
}
