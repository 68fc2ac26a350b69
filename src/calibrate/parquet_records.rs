//! Streaming reader of case-level records in Parquet, and the Parquet writer of
//! the synthetic record generator.
//!
//! The file is read one row group at a time, and within it only the mapped
//! columns: memory grows with the row group (a writer's choice, typically up to
//! about a million rows), never with the file. Each record goes to the same
//! callback as the CSV reader's ([`super::records::scan`]), with the same
//! checks. Column types accepted: text (BYTE_ARRAY), INT32 / INT64 (decimals by
//! their scale), FLOAT, DOUBLE and BOOLEAN; a text field stored as a number is
//! read as its decimal digits, a number stored as text is parsed. Errors name
//! the file, the record (1-based, counting every row group) and the column.

use super::batch::{self, Batch, Ctx, N_FIELDS, Raw, RawRows};
use super::error::CalibrateError;
use super::mapping::{Encoding, Field, Mapping};
use super::records::ScanInfo;
use parquet::basic::{Compression, ConvertedType, Repetition, Type as Physical};
use parquet::column::reader::ColumnReader;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, RowGroupReader};
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::{ColumnDescPtr, Type};
use rayon::prelude::*;
use std::collections::HashSet;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

/// Whether `path` is a Parquet file: a `.parquet` / `.parq` extension, or the
/// `PAR1` magic at the start.
pub fn is_parquet(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("parquet" | "parq")) {
        return true;
    }
    let mut magic = [0u8; 4];
    File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic))
        .map(|_| &magic == b"PAR1")
        .unwrap_or(false)
}

/// The non-null values of one column chunk.
enum Values {
    Bytes(Vec<ByteArray>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    Bool(Vec<bool>),
}

/// One column of a row group: values, and per row the index of its value
/// (`u32::MAX` = null) when the column is nullable.
struct Column {
    values: Values,
    pos: Option<Vec<u32>>,
    /// Decimal scale: an integer v stands for v / 10^scale.
    scale: i32,
}

/// A field's value in one row.
enum Cell<'a> {
    Null,
    Bytes(&'a [u8]),
    Num(f64),
}

impl Column {
    fn get(&self, row: usize) -> Cell<'_> {
        let i = match &self.pos {
            Some(p) if p[row] == u32::MAX => return Cell::Null,
            Some(p) => p[row] as usize,
            None => row,
        };
        let div = |v: f64| {
            if self.scale > 0 {
                v / 10f64.powi(self.scale)
            } else {
                v
            }
        };
        match &self.values {
            Values::Bytes(v) => Cell::Bytes(v[i].data()),
            Values::I32(v) => Cell::Num(div(v[i] as f64)),
            Values::I64(v) => Cell::Num(div(v[i] as f64)),
            Values::F32(v) => Cell::Num(v[i] as f64),
            Values::F64(v) => Cell::Num(v[i]),
            Values::Bool(v) => Cell::Num(if v[i] { 1.0 } else { 0.0 }),
        }
    }
}

/// A column's reader within a row group.
fn column_reader(
    rg: &dyn RowGroupReader,
    i: usize,
) -> Result<(ColumnReader, ColumnDescPtr), parquet::errors::ParquetError> {
    let descr = rg.metadata().column(i).column_descr_ptr();
    let r = rg.get_column_reader(i)?;
    if !matches!(
        r,
        ColumnReader::ByteArrayColumnReader(_)
            | ColumnReader::Int32ColumnReader(_)
            | ColumnReader::Int64ColumnReader(_)
            | ColumnReader::FloatColumnReader(_)
            | ColumnReader::DoubleColumnReader(_)
            | ColumnReader::BoolColumnReader(_)
    ) {
        return Err(parquet::errors::ParquetError::General(format!(
            "column {} has physical type {}, which drgsim does not read; store it as text, an integer or a double",
            descr.name(),
            descr.physical_type()
        )));
    }
    Ok((r, descr))
}

/// The next `n` rows of a column.
fn read_column(
    reader: &mut ColumnReader,
    descr: &ColumnDescPtr,
    n: usize,
) -> Result<Column, parquet::errors::ParquetError> {
    let max_def = descr.max_def_level();
    let scale = if descr.converted_type() == ConvertedType::DECIMAL {
        descr.type_scale()
    } else {
        0
    };
    let mut def: Vec<i16> = Vec::new();
    macro_rules! read {
        ($r:expr, $variant:ident) => {{
            let r = $r;
            let mut vals = Vec::with_capacity(n);
            let mut got = 0;
            while got < n {
                let (recs, _, _) =
                    r.read_records(n - got, (max_def > 0).then_some(&mut def), None, &mut vals)?;
                if recs == 0 {
                    return Err(parquet::errors::ParquetError::General(format!(
                        "the row group promises more rows than column {} holds",
                        descr.name()
                    )));
                }
                got += recs;
            }
            Values::$variant(vals)
        }};
    }
    let values = match reader {
        ColumnReader::ByteArrayColumnReader(r) => read!(r, Bytes),
        ColumnReader::Int32ColumnReader(r) => read!(r, I32),
        ColumnReader::Int64ColumnReader(r) => read!(r, I64),
        ColumnReader::FloatColumnReader(r) => read!(r, F32),
        ColumnReader::DoubleColumnReader(r) => read!(r, F64),
        ColumnReader::BoolColumnReader(r) => read!(r, Bool),
        _ => unreachable!("checked by column_reader"),
    };
    let pos = (max_def > 0).then(|| {
        let mut k = 0u32;
        def.iter()
            .map(|&d| {
                if d == max_def {
                    k += 1;
                    k - 1
                } else {
                    u32::MAX
                }
            })
            .collect()
    });
    Ok(Column { values, pos, scale })
}

/// Opens a Parquet file and reads its column names (dotted paths).
fn open(path: &Path) -> Result<(SerializedFileReader<File>, Vec<String>), CalibrateError> {
    let rec_err =
        |row: u64, col: Option<&str>, msg: String| CalibrateError::record(path, row, col, msg);
    let file = File::open(path).map_err(|source| CalibrateError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len == 0 {
        return Err(rec_err(
            0,
            None,
            "the file is empty; give a Parquet export with one row per case".into(),
        ));
    }
    let reader = SerializedFileReader::new(file).map_err(|e| {
        rec_err(
            0,
            None,
            format!(
                "not a readable Parquet file ({e}); it may be truncated or damaged (a Parquet file ends with its footer): export or copy it again"
            ),
        )
    })?;
    let header: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.path().string())
        .collect();
    if header.is_empty() {
        return Err(rec_err(
            0,
            None,
            "the file has no columns; give a Parquet export with one row per case".into(),
        ));
    }
    Ok((reader, header))
}

/// The column names of a Parquet record file.
pub fn header(path: &Path) -> Result<Vec<String>, CalibrateError> {
    open(path).map(|(_, h)| h)
}

/// One row group's columns, as [`RawRows`].
struct RowGroupRows {
    cols: [Option<Column>; N_FIELDS],
    /// Records before this row group.
    base: u64,
    n: usize,
}

impl RawRows for RowGroupRows {
    fn len(&self) -> usize {
        self.n
    }
    fn line(&self, r: usize) -> u64 {
        self.base + r as u64 + 1
    }
    fn stable(&self) -> bool {
        true
    }
    fn get(&self, f: Field, r: usize) -> Raw<'_> {
        match &self.cols[f as usize] {
            None => Raw::Absent,
            Some(c) => match c.get(r) {
                Cell::Null => Raw::Null,
                Cell::Bytes(b) => Raw::Bytes(b),
                Cell::Num(v) => Raw::Num(v),
            },
        }
    }
}

/// Rows per block within a row group.
const BLOCK: usize = 1 << 16;

/// Reads a Parquet record file, only the columns of `fields` (the second pass
/// decodes the hospital, group, cost and special-review columns and skips the
/// rest), and hands its row groups as blocks to `each` in file order. Row groups
/// are decoded and built in parallel, as many at a time as there are threads;
/// see [`super::batch::build`] for the checks. Fields not read are absent from
/// the blocks.
pub fn scan(
    path: &Path,
    mapping: &Mapping,
    fields: &[Field],
    known: Option<&HashSet<String>>,
    mut each: impl FnMut(Batch) -> Result<(), CalibrateError> + Send,
) -> Result<ScanInfo, CalibrateError> {
    let rec_err =
        |row: u64, col: Option<&str>, msg: String| CalibrateError::record(path, row, col, msg);
    let (reader, header) = open(path)?;
    let meta = reader.metadata();
    let schema = meta.file_metadata().schema_descr();
    let columns = mapping.resolve(path, &header)?;
    for (&f, &i) in &columns {
        if schema.column(i).max_rep_level() > 0 {
            return Err(rec_err(
                0,
                Some(&header[i]),
                format!(
                    "column for `{}` is a repeated (list) column; give one value per case",
                    f.key()
                ),
            ));
        }
    }
    let ctx = Ctx::new(path, &header, &columns, mapping, fields, known, true);
    let wanted: Vec<(Field, usize)> = columns
        .iter()
        .filter(|(f, _)| fields.contains(f))
        .map(|(&f, &i)| (f, i))
        .collect();
    // Records before each row group.
    let mut bases = Vec::with_capacity(meta.num_row_groups());
    let mut total = 0u64;
    for g in 0..meta.num_row_groups() {
        bases.push(total);
        total += meta.row_group(g).num_rows().max(0) as u64;
    }
    // One row group: its own file handle (a shared `File` has one offset).
    let decode = |g: usize| -> Result<Vec<Batch>, CalibrateError> {
        let base = bases[g];
        let damaged = |col: Option<&str>, e: parquet::errors::ParquetError| {
            let e = e.to_string();
            let advice = match e.split("Disabled feature at compile time: ").nth(1) {
                Some(codec) => format!(
                    "it is compressed with {codec}, which drgsim does not read; rewrite it with snappy or no compression (e.g. DuckDB: COPY ... TO 'x.parquet' (COMPRESSION snappy))"
                ),
                None => "the file may be truncated or damaged: export or copy it again".into(),
            };
            rec_err(
                base + 1,
                col,
                format!("cannot read row group {g}: {e}; {advice}"),
            )
        };
        let own;
        let reader = if g == 0 {
            &reader
        } else {
            own = open(path)?.0;
            &own
        };
        let rg = reader.get_row_group(g).map_err(|e| damaged(None, e))?;
        let n = rg.metadata().num_rows() as usize;
        let mut readers = Vec::with_capacity(wanted.len());
        for &(f, i) in &wanted {
            let r = column_reader(rg.as_ref(), i).map_err(|e| damaged(Some(&header[i]), e))?;
            readers.push((f, i, r));
        }
        // Blocks of BLOCK rows: the decoded columns stay in cache.
        let mut out = Vec::with_capacity(n.div_ceil(BLOCK));
        for start in (0..n).step_by(BLOCK) {
            let k = BLOCK.min(n - start);
            let mut cols: [Option<Column>; N_FIELDS] = Default::default();
            for (f, i, (r, descr)) in &mut readers {
                let c = read_column(r, descr, k).map_err(|e| damaged(Some(&header[*i]), e))?;
                cols[*f as usize] = Some(c);
            }
            let rows = RowGroupRows {
                cols,
                base: base + start as u64,
                n: k,
            };
            out.push(batch::build(&rows, &ctx)?);
        }
        Ok(out)
    };
    let mut records = 0u64;
    let mut unknown_levels = 0u64;
    let mut fold = |blocks: Vec<Result<Vec<Batch>, CalibrateError>>| -> Result<(), CalibrateError> {
        for bs in blocks {
            for b in bs? {
                records += b.len() as u64;
                unknown_levels += b.unknown_levels;
                each(b)?;
            }
        }
        Ok(())
    };
    // Decode the next window of row groups while the last one is folded.
    let window = rayon::current_num_threads().max(1);
    let groups: Vec<usize> = (0..meta.num_row_groups()).collect();
    let mut pending = Vec::new();
    for chunk in groups.chunks(window) {
        let (next, folded) = rayon::join(
            || chunk.par_iter().map(|&g| decode(g)).collect::<Vec<_>>(),
            || fold(std::mem::take(&mut pending)),
        );
        folded?;
        pending = next;
    }
    fold(pending)?;
    super::records::finish(
        path,
        ScanInfo {
            records,
            columns,
            header,
            encoding: Encoding::Utf8,
            unknown_levels,
        },
    )
}

/// Writes records (the synthetic records' fields, `header` order) as Parquet, snappy
/// compressed, in row groups of `rows_per_group`: age, stay and the special-review
/// flag as INT32, costs as DOUBLE, the group code and name nullable (null when
/// not grouped), the rest text.
pub struct ParquetRecordWriter {
    writer: SerializedFileWriter<File>,
    rows_per_group: usize,
    text: Vec<Vec<ByteArray>>,
    text_def: [Vec<i16>; 2],
    ints: [Vec<i32>; 3],
    doubles: [Vec<f64>; 3],
    rows: usize,
    header: Vec<String>,
}

const INT_COLS: [usize; 3] = [6, 8, 14];
const DOUBLE_COLS: [usize; 3] = [9, 10, 11];
const NULLABLE_COLS: [usize; 2] = [4, 5];

impl ParquetRecordWriter {
    /// Creates the file with the synthetic records' schema.
    pub fn new(
        file: File,
        header: &[&str],
        rows_per_group: usize,
    ) -> parquet::errors::Result<Self> {
        let fields: Vec<Arc<Type>> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let (phys, conv) = if INT_COLS.contains(&i) {
                    (Physical::INT32, ConvertedType::NONE)
                } else if DOUBLE_COLS.contains(&i) {
                    (Physical::DOUBLE, ConvertedType::NONE)
                } else {
                    (Physical::BYTE_ARRAY, ConvertedType::UTF8)
                };
                let rep = if NULLABLE_COLS.contains(&i) {
                    Repetition::OPTIONAL
                } else {
                    Repetition::REQUIRED
                };
                Type::primitive_type_builder(h, phys)
                    .with_repetition(rep)
                    .with_converted_type(conv)
                    .build()
                    .map(Arc::new)
            })
            .collect::<parquet::errors::Result<_>>()?;
        let schema = Arc::new(
            Type::group_type_builder("records")
                .with_fields(fields)
                .build()?,
        );
        let props = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .build(),
        );
        Ok(ParquetRecordWriter {
            writer: SerializedFileWriter::new(file, schema, props)?,
            rows_per_group,
            text: vec![Vec::new(); header.len()],
            header: header.iter().map(|h| h.to_string()).collect(),
            text_def: Default::default(),
            ints: Default::default(),
            doubles: Default::default(),
            rows: 0,
        })
    }

    /// Adds one record (the fields in header order, as text).
    pub fn write(&mut self, fields: &[&str]) -> parquet::errors::Result<()> {
        let bad = |i: usize, f: &str| {
            parquet::errors::ParquetError::General(format!(
                "field {} `{f}` is not a number",
                self.header[i]
            ))
        };
        for (i, f) in fields.iter().enumerate() {
            if let Some(k) = INT_COLS.iter().position(|&c| c == i) {
                let v: f64 = f.parse().map_err(|_| bad(i, f))?;
                self.ints[k].push(v as i32);
            } else if let Some(k) = DOUBLE_COLS.iter().position(|&c| c == i) {
                self.doubles[k].push(f.parse().map_err(|_| bad(i, f))?);
            } else if let Some(k) = NULLABLE_COLS.iter().position(|&c| c == i) {
                if f.is_empty() {
                    self.text_def[k].push(0);
                } else {
                    self.text_def[k].push(1);
                    self.text[i].push(ByteArray::from(*f));
                }
            } else {
                self.text[i].push(ByteArray::from(*f));
            }
        }
        self.rows += 1;
        if self.rows >= self.rows_per_group {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> parquet::errors::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut rg = self.writer.next_row_group()?;
        let mut i = 0;
        while let Some(mut col) = rg.next_column()? {
            if let Some(k) = INT_COLS.iter().position(|&c| c == i) {
                col.typed::<Int32Type>()
                    .write_batch(&self.ints[k], None, None)?;
                self.ints[k].clear();
            } else if let Some(k) = DOUBLE_COLS.iter().position(|&c| c == i) {
                col.typed::<DoubleType>()
                    .write_batch(&self.doubles[k], None, None)?;
                self.doubles[k].clear();
            } else {
                let def = NULLABLE_COLS
                    .iter()
                    .position(|&c| c == i)
                    .map(|k| &self.text_def[k][..]);
                col.typed::<ByteArrayType>()
                    .write_batch(&self.text[i], def, None)?;
                self.text[i].clear();
            }
            col.close()?;
            i += 1;
        }
        for d in &mut self.text_def {
            d.clear();
        }
        rg.close()?;
        self.rows = 0;
        Ok(())
    }

    /// Writes the last row group and the footer.
    pub fn finish(mut self) -> parquet::errors::Result<()> {
        self.flush()?;
        self.writer.close()?;
        Ok(())
    }
}
