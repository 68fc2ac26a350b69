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

use super::error::CalibrateError;
use super::mapping::{Encoding, Field, Mapping};
use super::records::{Row, ScanInfo, level, number};
use parquet::basic::{Compression, ConvertedType, Repetition, Type as Physical};
use parquet::column::reader::ColumnReader;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, RowGroupReader};
use parquet::file::serialized_reader::SerializedFileReader;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::fmt::Write as _;
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

fn read_column(
    rg: &dyn RowGroupReader,
    i: usize,
    n: usize,
) -> Result<Column, parquet::errors::ParquetError> {
    let descr = rg.metadata().column(i).column_descr_ptr();
    let max_def = descr.max_def_level();
    let scale = if descr.converted_type() == ConvertedType::DECIMAL {
        descr.type_scale()
    } else {
        0
    };
    let mut def: Vec<i16> = Vec::new();
    macro_rules! read {
        ($r:expr, $variant:ident) => {{
            let mut r = $r;
            let mut vals = Vec::with_capacity(n);
            let mut got = 0;
            while got < n {
                let (recs, _, _) =
                    r.read_records(n - got, (max_def > 0).then_some(&mut def), None, &mut vals)?;
                if recs == 0 {
                    return Err(parquet::errors::ParquetError::General(format!(
                        "the row group promises {n} rows but column {} ends after {got}",
                        descr.name()
                    )));
                }
                got += recs;
            }
            Values::$variant(vals)
        }};
    }
    let values = match rg.get_column_reader(i)? {
        ColumnReader::ByteArrayColumnReader(r) => read!(r, Bytes),
        ColumnReader::Int32ColumnReader(r) => read!(r, I32),
        ColumnReader::Int64ColumnReader(r) => read!(r, I64),
        ColumnReader::FloatColumnReader(r) => read!(r, F32),
        ColumnReader::DoubleColumnReader(r) => read!(r, F64),
        ColumnReader::BoolColumnReader(r) => read!(r, Bool),
        _ => {
            return Err(parquet::errors::ParquetError::General(format!(
                "column {} has physical type {}, which drgsim does not read; store it as text, an integer or a double",
                descr.name(),
                descr.physical_type()
            )));
        }
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

/// Number of [`Field`]s (the per-row lookup table is indexed by `Field as usize`).
const N_FIELDS: usize = Field::SpecialReview as usize + 1;

/// Reads a Parquet record file row group by row group, calling `each` with every
/// record (see [`super::records::scan`] for the checks), and only the columns of the fields in `only` (all mapped
/// columns when `None`): a second pass that needs the hospital, group, cost and
/// special-review flag decodes those four columns and skips the rest of the
/// file. Fields not read are absent from the rows handed to `each`.
pub fn scan(
    path: &Path,
    mapping: &Mapping,
    only: Option<&[Field]>,
    mut each: impl FnMut(&Row<'_>) -> Result<(), CalibrateError>,
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
    let ungrouped: Vec<&[u8]> = mapping
        .ungrouped
        .iter()
        .map(|s| s.trim().as_bytes())
        .collect();
    let name = |i: usize| header[i].as_str();
    let mut records = 0u64;
    let mut unknown_levels = 0u64;
    // Text fields stored as numbers are formatted here, one slot per field.
    const TEXT: [Field; 6] = [
        Field::Hospital,
        Field::Group,
        Field::HospitalName,
        Field::GroupName,
        Field::Mdc,
        Field::Level,
    ];
    let mut scratch: [String; 6] = Default::default();
    for g in 0..meta.num_row_groups() {
        let damaged = |row: u64, col: Option<&str>, e: parquet::errors::ParquetError| {
            let e = e.to_string();
            let advice = match e.split("Disabled feature at compile time: ").nth(1) {
                Some(codec) => format!(
                    "it is compressed with {codec}, which drgsim does not read; rewrite it with snappy or no compression (e.g. DuckDB: COPY ... TO 'x.parquet' (COMPRESSION snappy))"
                ),
                None => "the file may be truncated or damaged: export or copy it again".into(),
            };
            rec_err(
                row,
                col,
                format!("cannot read row group {g}: {e}; {advice}"),
            )
        };
        let rg = reader
            .get_row_group(g)
            .map_err(|e| damaged(records + 1, None, e))?;
        let n = rg.metadata().num_rows() as usize;
        let mut cols: [Option<(usize, Column)>; N_FIELDS] = Default::default();
        for (&f, &i) in &columns {
            if only.is_some_and(|o| !o.contains(&f)) {
                continue;
            }
            let c = read_column(rg.as_ref(), i, n)
                .map_err(|e| damaged(records + 1, Some(name(i)), e))?;
            cols[f as usize] = Some((i, c));
        }
        for r in 0..n {
            let line = records + 1;
            for (slot, f) in TEXT.iter().enumerate() {
                if let Some((_, c)) = &cols[*f as usize]
                    && let Cell::Num(v) = c.get(r)
                {
                    scratch[slot].clear();
                    let _ = write!(scratch[slot], "{v}");
                }
            }
            let get = |f: Field| cols[f as usize].as_ref().map(|(i, c)| (*i, c.get(r)));
            let text = |slot: usize| -> Option<&[u8]> {
                match get(TEXT[slot]) {
                    Some((_, Cell::Bytes(b))) => Some(b.trim_ascii()),
                    Some((_, Cell::Num(_))) => Some(scratch[slot].as_bytes()),
                    _ => None,
                }
            };
            let utf8 = |slot: usize| -> Result<Option<&str>, CalibrateError> {
                match text(slot) {
                    None => Ok(None),
                    Some(b) => std::str::from_utf8(b)
                        .map(|t| (!t.is_empty()).then_some(t))
                        .map_err(|_| {
                            rec_err(
                                line,
                                Some(name(columns[&TEXT[slot]])),
                                "the field is not valid UTF-8 text (Parquet text is UTF-8)".into(),
                            )
                        }),
                }
            };
            // A number field: None when absent or null; an error for text that is not a number.
            let num = |f: Field, what: &str| -> Result<Option<f64>, CalibrateError> {
                match get(f) {
                    None | Some((_, Cell::Null)) => Ok(None),
                    Some((_, Cell::Num(v))) => Ok(Some(v)),
                    Some((i, Cell::Bytes(b))) => {
                        if b.trim_ascii().is_empty() {
                            return Ok(None);
                        }
                        number(b).map(Some).ok_or_else(|| {
                            rec_err(
                                line,
                                Some(name(i)),
                                format!("{what} `{}` is not a number", String::from_utf8_lossy(b)),
                            )
                        })
                    }
                }
            };
            let hospital = text(0).unwrap_or_default();
            if hospital.is_empty() {
                return Err(rec_err(
                    line,
                    Some(name(columns[&Field::Hospital])),
                    "the hospital id is empty; every case needs the hospital that treated it"
                        .into(),
                ));
            }
            let group = text(1).filter(|g| !g.is_empty() && !ungrouped.contains(g));
            let cost_col = name(columns[&Field::Cost]);
            let cost = match num(Field::Cost, "cost").map_err(|_| {
                rec_err(
                    line,
                    Some(cost_col),
                    "cost is not a number; give the total cost in yuan (e.g. 4521.30)".into(),
                )
            })? {
                Some(c) if c.is_finite() => c,
                _ => {
                    return Err(rec_err(
                        line,
                        Some(cost_col),
                        "cost is empty; give the total cost in yuan (e.g. 4521.30)".into(),
                    ));
                }
            };
            let age = match num(Field::Age, "age")? {
                Some(a) if a < 0.0 => {
                    return Err(rec_err(
                        line,
                        Some(name(columns[&Field::Age])),
                        format!("age {a} is negative; ages are in years, 0 or more"),
                    ));
                }
                Some(a) if a > 130.0 => {
                    return Err(rec_err(
                        line,
                        Some(name(columns[&Field::Age])),
                        format!("age {a} is not plausible (over 130); ages are in years"),
                    ));
                }
                a => a,
            };
            let lv = match utf8(5)? {
                Some(t) => {
                    let l = level(t);
                    if l.is_none() {
                        unknown_levels += 1;
                    }
                    l
                }
                None => None,
            };
            let special = match get(Field::SpecialReview) {
                None | Some((_, Cell::Null)) => false,
                Some((_, Cell::Num(v))) => v != 0.0,
                Some((i, Cell::Bytes(b))) => super::records::special_flag(path, line, name(i), b)?,
            };
            let row = Row {
                line,
                hospital,
                hospital_name: utf8(2)?,
                level: lv,
                group,
                group_header: name(columns[&Field::Group]),
                group_name: utf8(3)?,
                mdc: utf8(4)?,
                age,
                cost,
                fund_paid: num(Field::FundPaid, "fund payment").ok().flatten(),
                los: num(Field::Los, "length of stay").ok().flatten(),
                special,
            };
            each(&row)?;
            records += 1;
        }
    }
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
