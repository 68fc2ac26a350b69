//! The one CSV reader for the tables a scenario names (age profile, group,
//! hospital, weight and volume tables): header lookup and field parsing that
//! report file, line and column as a [`Diagnostic`], so a user fixing a table
//! knows where to look.

use super::error::{Diagnostic, Diagnostics};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Reader over one CSV table with named columns.
///
/// Lines are 1-based lines of the file (line 1 is the header, the first data
/// row is line 2); `0` stands for the whole file.
pub struct Sheet {
    /// The file read.
    pub file: PathBuf,
    /// Column headers, in file order.
    pub header: Vec<String>,
    index: HashMap<String, usize>,
    /// Data rows with their line numbers.
    pub rows: Vec<(u64, csv::StringRecord)>,
}

impl Sheet {
    /// Reads the whole table, header included; `#`-prefixed lines are comments.
    pub fn read(file: &Path, text: &str) -> Result<Sheet, Diagnostics> {
        let (mut sheet, mut records) = Sheet::open(file, text)?;
        let mut rec = csv::StringRecord::new();
        while let Some(line) = records.next_into(&mut rec)? {
            sheet.rows.push((line, rec.clone()));
        }
        Ok(sheet)
    }

    /// The header of a table, with its data rows left to read one at a time
    /// ([`Records::next_into`], into one reused record): a large table (a
    /// 15,000-group DIP table) is then never held as a second copy of
    /// itself, one allocation per row. `rows` of the returned sheet is empty.
    pub fn open<'t>(file: &Path, text: &'t str) -> Result<(Sheet, Records<'t>), Diagnostics> {
        let mut rdr = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            // fields are trimmed when read (`text`), not copied here
            .trim(csv::Trim::Headers)
            .flexible(true)
            .from_reader(text.strip_prefix('\u{feff}').unwrap_or(text).as_bytes());
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| Diagnostic::in_file(file, 1, "cannot read the header row").caused_by(e))
            .map_err(Diagnostics::one)?
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut index = HashMap::new();
        for (i, h) in header.iter().enumerate() {
            index.entry(h.clone()).or_insert(i);
        }
        let sheet = Sheet {
            file: file.to_path_buf(),
            header,
            index,
            rows: Vec::new(),
        };
        let records = Records {
            file: file.to_path_buf(),
            rdr,
        };
        Ok((sheet, records))
    }

    /// Whether the header has `col`.
    pub fn has(&self, col: &str) -> bool {
        self.index.contains_key(col)
    }

    /// Checks that every required column is present; one error per missing column.
    pub fn require(&self, cols: &[&str], errors: &mut Vec<Diagnostic>) -> bool {
        let mut ok = true;
        for c in cols {
            if !self.index.contains_key(*c) {
                ok = false;
                errors.push(self.error(
                    1,
                    Some(c),
                    format!(
                        "missing column (the header has: {}); add a `{c}` column",
                        self.header.join(", ")
                    ),
                ));
            }
        }
        ok
    }

    /// A problem at `line` (0 = the whole file), optionally in `column`.
    pub fn error(&self, line: u64, column: Option<&str>, message: String) -> Diagnostic {
        let d = Diagnostic::in_file(&self.file, line, message);
        match column {
            Some(c) => d.column(c),
            None => d,
        }
    }

    /// The raw text of `col` in a row ("" when the row is short).
    pub fn text<'a>(&self, rec: &'a csv::StringRecord, col: &str) -> &'a str {
        self.index
            .get(col)
            .and_then(|&i| rec.get(i))
            .map_or("", str::trim)
    }

    /// Column `name`, looked up once for a loop over the rows (the
    /// `*_at` readers then index the record directly instead of hashing the
    /// name for every field); `None` when the header lacks it.
    pub fn column<'n>(&self, name: &'n str) -> Option<Col<'n>> {
        self.index.get(name).map(|&index| Col { name, index })
    }

    /// [`Sheet::number`] for a column looked up by [`Sheet::column`].
    pub fn number_at(
        &self,
        line: u64,
        rec: &csv::StringRecord,
        col: Col<'_>,
        min: f64,
        min_inclusive: bool,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<f64> {
        let raw = rec.get(col.index).unwrap_or("");
        let v = match fast_decimal(raw.as_bytes()) {
            Some(v) => Ok(v),
            None => raw.trim().parse::<f64>(),
        };
        match v {
            Ok(v) if v.is_finite() && (if min_inclusive { v >= min } else { v > min }) => Some(v),
            // the slow path words the message
            _ => self.number(line, rec, col.name, min, min_inclusive, errors),
        }
    }

    /// A non-empty text field.
    pub fn string(
        &self,
        line: u64,
        rec: &csv::StringRecord,
        col: &str,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<String> {
        let s = self.text(rec, col);
        if s.is_empty() {
            errors.push(self.error(line, Some(col), "empty; give a value".into()));
            None
        } else {
            Some(s.to_string())
        }
    }

    /// A finite number, at least `min` (`min_inclusive`) or above it.
    pub fn number(
        &self,
        line: u64,
        rec: &csv::StringRecord,
        col: &str,
        min: f64,
        min_inclusive: bool,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<f64> {
        let s = self.text(rec, col);
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                let ok = if min_inclusive { v >= min } else { v > min };
                if ok {
                    Some(v)
                } else {
                    let rel = if min_inclusive { ">=" } else { ">" };
                    let what = if v < 0.0 { "negative value" } else { "value" };
                    errors.push(self.error(
                        line,
                        Some(col),
                        format!("{what} {v} not allowed; must be {rel} {min}"),
                    ));
                    None
                }
            }
            _ => {
                errors.push(self.error(
                    line,
                    Some(col),
                    format!("`{s}` is not a number; write a plain decimal such as 1.25"),
                ));
                None
            }
        }
    }

    /// [`Sheet::text`] for a column looked up by [`Sheet::column`].
    pub fn text_at<'a>(&self, rec: &'a csv::StringRecord, col: Col<'_>) -> &'a str {
        rec.get(col.index).map_or("", str::trim)
    }

    /// [`Sheet::flag`] for a column looked up by [`Sheet::column`].
    pub fn flag_at(
        &self,
        line: u64,
        rec: &csv::StringRecord,
        col: Col<'_>,
        errors: &mut Vec<Diagnostic>,
    ) -> bool {
        match rec.get(col.index).unwrap_or("") {
            "" | "0" => false,
            "1" => true,
            _ => self.flag(line, rec, col.name, errors),
        }
    }

    /// A boolean flag: `1/0`, `true/false`, `yes/no` (empty = false).
    pub fn flag(
        &self,
        line: u64,
        rec: &csv::StringRecord,
        col: &str,
        errors: &mut Vec<Diagnostic>,
    ) -> bool {
        match self.text(rec, col).to_ascii_lowercase().as_str() {
            "" | "0" | "false" | "no" | "n" => false,
            "1" | "true" | "yes" | "y" => true,
            other => {
                errors.push(self.error(
                    line,
                    Some(col),
                    format!("`{other}` is not a flag; write 1 or 0"),
                ));
                false
            }
        }
    }
}

/// The data rows of a table opened by [`Sheet::open`], read one at a time.
pub struct Records<'t> {
    file: PathBuf,
    rdr: csv::Reader<&'t [u8]>,
}

impl Records<'_> {
    /// Reads the next data row into `rec` and returns its line (1-based, the
    /// header is line 1), `None` after the last row; malformed CSV is an
    /// error naming the line.
    pub fn next_into(&mut self, rec: &mut csv::StringRecord) -> Result<Option<u64>, Diagnostics> {
        match self.rdr.read_record(rec) {
            Ok(true) => Ok(Some(rec.position().map(|p| p.line()).unwrap_or(0))),
            Ok(false) => Ok(None),
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                Err(Diagnostics::one(
                    Diagnostic::in_file(&self.file, line, "malformed CSV").caused_by(e),
                ))
            }
        }
    }
}

/// Exact powers of ten `10^0 ..= 10^22` (every one representable in f64).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A plain decimal `[+-]digits[.digits]` parsed exactly as `str::parse::<f64>`
/// does, when Clinger's fast path applies; `None` otherwise (the caller then
/// uses `str::parse`).
///
/// With the digits read as an integer `m <= 2^53` and `e <= 22` digits after
/// the point, both `m` and `10^e` are exact doubles, so the one IEEE division
/// `m / 10^e` is the correctly rounded value of the decimal, the value
/// `str::parse` (correctly rounded) returns, bit for bit (W. D. Clinger, "How
/// to read floating point numbers accurately", PLDI 1990). Table cells such as
/// `0.012862` or `160363.59` take this path; it skips the general parser's
/// set-up, most of a table's parse time at 15,000 groups.
pub fn fast_decimal(s: &[u8]) -> Option<f64> {
    let (neg, body) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let len = body.len();
    // at most 19 digits and a point: 10^19 - 1 fits in u64
    if len > 20 {
        return None;
    }
    let mut m: u64 = 0;
    let mut point = len;
    for (i, &c) in body.iter().enumerate() {
        let d = c.wrapping_sub(b'0');
        if d < 10 {
            // wraps only with 20 digits, which is declined below
            m = m.wrapping_mul(10).wrapping_add(u64::from(d));
        } else if c == b'.' && point == len {
            point = i;
        } else {
            return None;
        }
    }
    let has_point = point < len;
    let n_digits = len - usize::from(has_point);
    if n_digits == 0 || n_digits > 19 || m > 1 << 53 {
        return None;
    }
    // digits after the point (at most 19, within the table of exact powers)
    let e = if has_point { len - point - 1 } else { 0 };
    let v = m as f64 / POW10[e];
    Some(if neg { -v } else { v })
}

/// A column of a [`Sheet`]: its header name (for messages) and position.
#[derive(Clone, Copy, Debug)]
pub struct Col<'n> {
    /// Header name.
    pub name: &'n str,
    /// Position in a record.
    pub index: usize,
}

/// Reads a file into a string; a failure is a [`Diagnostic`] naming the file,
/// with the I/O error as its cause.
pub fn read_file(path: &Path) -> Result<String, Diagnostics> {
    std::fs::read_to_string(path).map_err(|e| {
        Diagnostics::one(Diagnostic::in_file(
            path,
            0,
            "cannot read the file; check the path, which is relative to the scenario file's folder",
        )
        .caused_by(e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path returns exactly what `str::parse` returns, or declines.
    #[test]
    fn fast_decimal_is_str_parse_bit_for_bit() {
        let mut cells: Vec<String> = [
            "0",
            "-0",
            "+1",
            "1.",
            ".5",
            "0.012862",
            "160363.59",
            "25.7120",
            "9007199254740992",
            "9007199254740993",
            "0.1",
            "0.3",
            "123456789.123456789",
            "1e5",
            "",
            ".",
            "-",
            "1.2.3",
            "0x10",
            " 1",
            "1 ",
            "nan",
            "inf",
            "00000000000000000001.5",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // pseudo-random decimals of every length and point position
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = (x % 10_u64.pow((x >> 60) as u32 % 19 + 1)).to_string();
            let point = (x >> 40) as usize % (digits.len() + 1);
            let mut s = digits.clone();
            if !(x >> 20).is_multiple_of(4) {
                s.insert(point, '.');
            }
            if (x >> 30).is_multiple_of(3) {
                s.insert(0, '-');
            }
            cells.push(s);
        }
        let mut fast = 0;
        for s in &cells {
            let want = s.parse::<f64>().ok();
            match fast_decimal(s.as_bytes()) {
                Some(v) => {
                    fast += 1;
                    let want = want.unwrap_or_else(|| panic!("`{s}` is no number to std"));
                    assert_eq!(v.to_bits(), want.to_bits(), "`{s}`");
                }
                None => {
                    let body = s.trim_start_matches(['-', '+']);
                    let n = body.bytes().filter(u8::is_ascii_digit).count();
                    let plain = body.bytes().all(|c| c.is_ascii_digit() || c == b'.')
                        && body.matches('.').count() <= 1
                        && s.len() - body.len() <= 1;
                    assert!(
                        !(plain && (1..=15).contains(&n)),
                        "`{s}` declined though plain and short"
                    );
                }
            }
        }
        assert!(fast > 15_000, "the fast path takes most cells ({fast})");
    }

    #[test]
    fn streamed_rows_are_the_rows_read() {
        let text = "# note\na,b\n1,x\n\n2,\"y,z\"\n# c\n3,w\n";
        let sheet = Sheet::read(Path::new("t.csv"), text).unwrap();
        let (head, mut rows) = Sheet::open(Path::new("t.csv"), text).unwrap();
        assert_eq!(head.header, sheet.header);
        let mut rec = csv::StringRecord::new();
        let mut got = Vec::new();
        while let Some(line) = rows.next_into(&mut rec).unwrap() {
            got.push((line, rec.clone()));
        }
        assert_eq!(got.len(), 3);
        assert_eq!(got, sheet.rows);
        assert_eq!(got[1].1.get(1), Some("y,z"));
    }
}
