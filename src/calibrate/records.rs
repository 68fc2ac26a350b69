//! Streaming reader of case-level settlement records (CSV, UTF-8 or GB18030).
//!
//! One record at a time goes to a callback; nothing but the current record is
//! held, so memory does not grow with the number of cases.

use super::batch::{self, Batch, Ctx, N_FIELDS, Raw, RawRows};
use super::error::CalibrateError;
use super::mapping::{Encoding, Field, Mapping};
use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

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

/// A CSV reader over the decoded file, its header and the encoding used.
type Opened = (csv::Reader<Box<dyn Read + Send>>, Vec<String>, Encoding);

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
    let decoded: Box<dyn Read + Send> = match enc {
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

/// A chunk of CSV records, as [`RawRows`].
struct Chunk {
    recs: Vec<csv::ByteRecord>,
    lines: Vec<u64>,
    len: usize,
    cols: [Option<usize>; N_FIELDS],
}

impl RawRows for Chunk {
    fn len(&self) -> usize {
        self.len
    }
    fn line(&self, r: usize) -> u64 {
        self.lines[r]
    }
    fn get(&self, f: Field, r: usize) -> Raw<'_> {
        match self.cols[f as usize] {
            Some(i) => Raw::Bytes(&self.recs[r][i]),
            None => Raw::Absent,
        }
    }
}

/// Records per chunk (the unit handed from the parser to the builder).
const CHUNK: usize = 1 << 15;

/// Reads up to [`CHUNK`] records into `chunk` (reusing its buffers).
fn fill(
    rdr: &mut csv::Reader<Box<dyn Read + Send>>,
    chunk: &mut Chunk,
    path: &Path,
    done: u64,
) -> Result<(), CalibrateError> {
    chunk.len = 0;
    while chunk.len < CHUNK {
        if chunk.recs.len() == chunk.len {
            chunk.recs.push(csv::ByteRecord::new());
            chunk.lines.push(0);
        }
        let rec = &mut chunk.recs[chunk.len];
        let more = rdr.read_byte_record(rec).map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            let msg = match e.kind() {
                csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!(
                    "the record has {len} fields but the header has {expected_len}; check quoting and the delimiter (a truncated file ends like this too)"
                ),
                _ => format!("cannot read the record: {e}"),
            };
            CalibrateError::record(path, line, None, msg)
        })?;
        if !more {
            break;
        }
        chunk.lines[chunk.len] = rec
            .position()
            .map(|p| p.line())
            .unwrap_or(done + chunk.len as u64 + 2);
        chunk.len += 1;
    }
    Ok(())
}

/// Reads `path` in chunks of records, handing each (as a block, see
/// [`super::batch::build`] for the checks) to `each` in file order; only the
/// fields in `fields` are parsed. The CSV parser reads the next chunk while
/// the previous one is built, on two threads when there are two.
/// (CSV only; [`super::accumulate`] sends Parquet files to [`super::parquet_records::scan`].)
///
/// Errors (naming file, line and column): unreadable file, an empty file or one
/// with a header only, a missing required column, a non-numeric cost or age, a
/// negative or implausible age (> 130), an unrecognised special-review flag.
pub fn scan(
    path: &Path,
    mapping: &Mapping,
    fields: &[Field],
    known: Option<&HashSet<String>>,
    mut each: impl FnMut(Batch) -> Result<(), CalibrateError> + Send,
) -> Result<ScanInfo, CalibrateError> {
    let (mut rdr, header, encoding) = open(path, mapping)?;
    if header.is_empty() || header.iter().all(|h| h.is_empty()) {
        return Err(CalibrateError::record(
            path,
            0,
            None,
            "the file is empty; give a CSV export with a header row and one row per case",
        ));
    }
    let columns = mapping.resolve(path, &header)?;
    let ctx = Ctx::new(path, &header, &columns, mapping, fields, known, false);
    let mut cols = [None; N_FIELDS];
    for (&f, &i) in &columns {
        if fields.contains(&f) {
            cols[f as usize] = Some(i);
        }
    }
    let new_chunk = || Chunk {
        recs: Vec::new(),
        lines: Vec::new(),
        len: 0,
        cols,
    };
    let mut records = 0u64;
    let mut unknown_levels = 0u64;
    let mut cur = new_chunk();
    fill(&mut rdr, &mut cur, path, 0)?;
    let mut spare = new_chunk();
    while cur.len > 0 {
        let done = records + cur.len as u64;
        // Parse the next chunk while this one is built and folded.
        let (next, block) = rayon::join(
            || fill(&mut rdr, &mut spare, path, done),
            || -> Result<(u64, u64), CalibrateError> {
                let b = batch::build(&cur, &ctx)?;
                let counts = (b.len() as u64, b.unknown_levels);
                each(b)?;
                Ok(counts)
            },
        );
        // An error in this chunk comes before one in the next.
        let (n, unknown) = block?;
        records += n;
        unknown_levels += unknown;
        next?;
        std::mem::swap(&mut cur, &mut spare);
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
