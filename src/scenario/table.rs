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
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                Diagnostics::one(Diagnostic::in_file(file, line, "malformed CSV").caused_by(e))
            })?;
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            rows.push((line, rec));
        }
        Ok(Sheet {
            file: file.to_path_buf(),
            header,
            index,
            rows,
        })
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
        let s = rec.get(col.index).map_or("", str::trim);
        match s.parse::<f64>() {
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
