//! Streaming reader of case-level settlement records (CSV, UTF-8 or GB18030).
//!
//! One record at a time goes to a callback; nothing but the current record is
//! held, so memory does not grow with the number of cases.

use super::error::CalibrateError;
use super::mapping::{Encoding, Field, Mapping};
use crate::payment::Level;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// One parsed case record, borrowing from the reader's buffer.
#[derive(Debug)]
pub struct Row<'a> {
    /// 1-based line of the record in its file.
    pub line: u64,
    /// Hospital id.
    pub hospital: &'a [u8],
    /// Hospital name, when the file has one.
    pub hospital_name: Option<&'a str>,
    /// Level, when the file has one and it is recognised.
    pub level: Option<Level>,
    /// Group code; None when the case was not grouped.
    pub group: Option<&'a [u8]>,
    /// Header of the group column (for messages).
    pub group_header: &'a str,
    /// Group name, when the file has one.
    pub group_name: Option<&'a str>,
    /// MDC, when the file has one.
    pub mdc: Option<&'a str>,
    /// Age in years (None when the column is absent or the field empty).
    pub age: Option<f64>,
    /// Total cost, yuan (may be <= 0: such records are counted and skipped by the caller).
    pub cost: f64,
    /// Pooled-fund payment, yuan.
    pub fund_paid: Option<f64>,
    /// Length of stay, days.
    pub los: Option<f64>,
    /// Special-review (特病单议) case.
    pub special: bool,
}

/// What a scan found about the file.
#[derive(Clone, Debug)]
pub struct ScanInfo {
    /// Data records read.
    pub records: u64,
    /// Columns found, by field.
    pub columns: BTreeMap<Field, usize>,
    /// Header of the file.
    pub header: Vec<String>,
    /// Encoding used.
    pub encoding: Encoding,
    /// Records whose level text was not recognised.
    pub unknown_levels: u64,
}

/// Decides the encoding of `file` from its first 64 KiB when `enc` is `Auto`.
fn detect(file: &mut File, enc: Encoding) -> std::io::Result<Encoding> {
    if enc != Encoding::Auto {
        return Ok(enc);
    }
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0;
    while n < buf.len() {
        let k = file.read(&mut buf[n..])?;
        if k == 0 {
            break;
        }
        n += k;
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(match std::str::from_utf8(&buf[..n]) {
        Ok(_) => Encoding::Utf8,
        // A multi-byte character cut at the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() => Encoding::Utf8,
        Err(_) => Encoding::Gb18030,
    })
}

/// Parses a number field: trims, drops thousands separators and a trailing
/// unit (元, 岁, 天); None for anything that is not a finite number.
pub fn number(bytes: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(bytes).ok()?.trim();
    let s = s
        .strip_suffix('元')
        .or_else(|| s.strip_suffix('岁'))
        .or_else(|| s.strip_suffix('天'))
        .unwrap_or(s)
        .trim();
    let v: f64 = if s.contains(',') {
        s.replace(',', "").parse().ok()?
    } else {
        s.parse().ok()?
    };
    v.is_finite().then_some(v)
}

/// Parses a level lenient to how exports write it (三级甲等, 三甲, 3, tertiary, ...).
pub fn level(text: &str) -> Option<Level> {
    let t = text.trim();
    if let Some(l) = Level::parse(t) {
        return Some(l);
    }
    if t.starts_with('三') || t.starts_with('3') {
        Some(Level::Tertiary)
    } else if t.starts_with('二') || t.starts_with('2') {
        Some(Level::Secondary)
    } else if t.starts_with('一') || t.starts_with('1') || t == "未定级" || t == "基层" {
        Some(Level::Primary)
    } else {
        None
    }
}

/// Parses a yes/no flag (1/0, 是/否, Y/N, true/false; empty = no).
pub(super) fn flag(bytes: &[u8]) -> Option<bool> {
    let s = std::str::from_utf8(bytes).ok()?.trim();
    match s.to_ascii_lowercase().as_str() {
        "" | "0" | "否" | "n" | "no" | "false" | "f" => Some(false),
        "1" | "是" | "y" | "yes" | "true" | "t" => Some(true),
        _ => None,
    }
}

/// A CSV reader over the decoded file, its header and the encoding used.
type Opened = (csv::Reader<Box<dyn Read>>, Vec<String>, Encoding);

/// Opens `path` as CSV in its encoding and reads the header (BOM and spaces trimmed).
fn open(path: &Path, mapping: &Mapping) -> Result<Opened, CalibrateError> {
    let io = |source| CalibrateError::Io {
        file: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let encoding = detect(&mut file, mapping.encoding).map_err(io)?;
    let enc = match encoding {
        Encoding::Gb18030 => Some(encoding_rs::GB18030),
        _ => None,
    };
    // UTF-8 is read as is (the header's byte-order mark is stripped below).
    let decoded: Box<dyn Read> = match enc {
        Some(e) => Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(e))
                .bom_override(true)
                .build(BufReader::with_capacity(1 << 20, file)),
        ),
        None => Box::new(file),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(mapping.delimiter)
        .has_headers(true)
        .flexible(false)
        .buffer_capacity(1 << 20)
        .from_reader(decoded);
    let rec_err =
        |row: u64, col: Option<&str>, msg: String| CalibrateError::record(path, row, col, msg);
    let header: Vec<String> = rdr
        .byte_headers()
        .map_err(|e| rec_err(1, None, format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect();
    Ok((rdr, header, encoding))
}

/// The header of a record file (e.g. a sample export, for `--emit-sql`).
pub fn header(path: &Path, mapping: &Mapping) -> Result<Vec<String>, CalibrateError> {
    open(path, mapping).map(|(_, h, _)| h)
}

/// Reads `path` record by record, calling `each` with every parsed record.
/// (CSV only; [`super::accumulate`] sends Parquet files to [`super::parquet_records::scan`].)
///
/// Errors (naming file, line and column): unreadable file, an empty file or one
/// with a header only, a missing required column, a non-numeric cost or age, a
/// negative or implausible age (> 130), an unrecognised special-review flag.
pub fn scan(
    path: &Path,
    mapping: &Mapping,
    mut each: impl FnMut(&Row<'_>) -> Result<(), CalibrateError>,
) -> Result<ScanInfo, CalibrateError> {
    let (mut rdr, header, encoding) = open(path, mapping)?;
    let rec_err =
        |row: u64, col: Option<&str>, msg: String| CalibrateError::record(path, row, col, msg);
    if header.is_empty() || header.iter().all(|h| h.is_empty()) {
        return Err(rec_err(
            0,
            None,
            "the file is empty; give a CSV export with a header row and one row per case".into(),
        ));
    }
    let columns = mapping.resolve(path, &header)?;
    let col = |f: Field| columns.get(&f).copied();
    let (c_h, c_g, c_cost) = (
        col(Field::Hospital).unwrap_or_default(),
        col(Field::Group).unwrap_or_default(),
        col(Field::Cost).unwrap_or_default(),
    );
    let (c_hn, c_lv, c_gn, c_mdc, c_age, c_fund, c_los, c_sr) = (
        col(Field::HospitalName),
        col(Field::Level),
        col(Field::GroupName),
        col(Field::Mdc),
        col(Field::Age),
        col(Field::FundPaid),
        col(Field::Los),
        col(Field::SpecialReview),
    );
    let name = |i: usize| header[i].as_str();
    let ungrouped: Vec<&[u8]> = mapping
        .ungrouped
        .iter()
        .map(|s| s.trim().as_bytes())
        .collect();
    let mut rec = csv::ByteRecord::new();
    let mut records = 0u64;
    let mut unknown_levels = 0u64;
    loop {
        let more = rdr.read_byte_record(&mut rec).map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            let msg = match e.kind() {
                csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!(
                    "the record has {len} fields but the header has {expected_len}; check quoting and the delimiter (a truncated file ends like this too)"
                ),
                _ => format!("cannot read the record: {e}"),
            };
            rec_err(line, None, msg)
        })?;
        if !more {
            break;
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(records + 2);
        let text = |i: usize| -> Result<&str, CalibrateError> {
            std::str::from_utf8(&rec[i]).map(str::trim).map_err(|_| {
                rec_err(
                    line,
                    Some(name(i)),
                    "the field is not valid text in the file's encoding; give `encoding = \"gb18030\"` or `\"utf-8\"` in the mapping (or --encoding)".into(),
                )
            })
        };
        let hospital = rec[c_h].trim_ascii();
        if hospital.is_empty() {
            return Err(rec_err(
                line,
                Some(name(c_h)),
                "the hospital id is empty; every case needs the hospital that treated it".into(),
            ));
        }
        let g = rec[c_g].trim_ascii();
        let group = if ungrouped.contains(&g) {
            None
        } else {
            Some(g)
        };
        let cost_text = text(c_cost)?;
        let Some(cost) = number(cost_text.as_bytes()) else {
            return Err(rec_err(
                line,
                Some(name(c_cost)),
                format!(
                    "cost `{cost_text}` is not a number; give the total cost in yuan (e.g. 4521.30)"
                ),
            ));
        };
        let age = match c_age {
            Some(i) => {
                let t = text(i)?;
                if t.is_empty() {
                    None
                } else {
                    match number(t.as_bytes()) {
                        Some(a) if a < 0.0 => {
                            return Err(rec_err(
                                line,
                                Some(name(i)),
                                format!("age {t} is negative; ages are in years, 0 or more"),
                            ));
                        }
                        Some(a) if a > 130.0 => {
                            return Err(rec_err(
                                line,
                                Some(name(i)),
                                format!("age {t} is not plausible (over 130); ages are in years"),
                            ));
                        }
                        Some(a) => Some(a),
                        None => {
                            return Err(rec_err(
                                line,
                                Some(name(i)),
                                format!("age `{t}` is not a number; give the age in whole years"),
                            ));
                        }
                    }
                }
            }
            None => None,
        };
        let level = match c_lv {
            Some(i) => {
                let t = text(i)?;
                let l = level(t);
                if l.is_none() && !t.is_empty() {
                    unknown_levels += 1;
                }
                l
            }
            None => None,
        };
        let special = match c_sr {
            Some(i) => special_flag(path, line, name(i), &rec[i])?,
            None => false,
        };
        let opt_text = |c: Option<usize>| -> Result<Option<&str>, CalibrateError> {
            match c {
                Some(i) => text(i).map(|t| (!t.is_empty()).then_some(t)),
                None => Ok(None),
            }
        };
        let row = Row {
            line,
            hospital,
            hospital_name: opt_text(c_hn)?,
            level,
            group,
            group_header: name(c_g),
            group_name: opt_text(c_gn)?,
            mdc: opt_text(c_mdc)?,
            age,
            cost,
            fund_paid: c_fund.and_then(|i| number(&rec[i])),
            los: c_los.and_then(|i| number(&rec[i])),
            special,
        };
        each(&row)?;
        records += 1;
    }
    finish(
        path,
        ScanInfo {
            records,
            columns,
            header,
            encoding,
            unknown_levels,
        },
    )
}

/// The special-review flag of a record: 1/0, 是/否 or Y/N (see [`flag`]), else an
/// error naming the file, line and column.
pub(super) fn special_flag(
    path: &Path,
    line: u64,
    column: &str,
    bytes: &[u8],
) -> Result<bool, CalibrateError> {
    flag(bytes).ok_or_else(|| {
        CalibrateError::record(
            path,
            line,
            Some(column),
            format!(
                "special-review flag `{}` is not 1/0, 是/否 or Y/N",
                String::from_utf8_lossy(bytes)
            ),
        )
    })
}

/// Ends a scan of CSV or Parquet records: a file with columns but no record is
/// an error naming the file (nothing to calibrate on); otherwise what the scan found.
pub(super) fn finish(path: &Path, info: ScanInfo) -> Result<ScanInfo, CalibrateError> {
    if info.records == 0 {
        return Err(CalibrateError::record(
            path,
            0,
            None,
            "the file has a header but no records; export at least one case",
        ));
    }
    Ok(info)
}
