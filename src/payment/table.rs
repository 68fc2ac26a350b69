//! Shared CSV reading for the payment tables: header lookup and field parsing
//! that report file, line and column, so a user fixing a table knows where to look.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in a payment table (group, hospital or weight CSV).
///
/// `line` is the 1-based line of the file (line 1 is the header, the first data
/// row is line 2); `column` names the header of the offending field.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct TableError {
    /// File the problem is in.
    pub file: PathBuf,
    /// 1-based line (1 = header row); 0 when the whole file is at fault.
    pub line: u64,
    /// Column header, when one column is at fault.
    pub column: Option<String>,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(c) = &self.column {
            write!(f, ": column `{c}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// All problems of one table load (a table is checked in full before it is rejected).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct TableErrors(pub Vec<TableError>);

/// Reader over one CSV table with named columns.
pub(crate) struct Sheet {
    pub file: PathBuf,
    pub header: Vec<String>,
    index: HashMap<String, usize>,
    pub rows: Vec<(u64, csv::StringRecord)>,
}

impl Sheet {
    /// Reads the whole table, header included; `#`-prefixed lines are comments.
    pub fn read(file: &Path, text: &str) -> Result<Sheet, TableError> {
        let mut rdr = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(text.strip_prefix('\u{feff}').unwrap_or(text).as_bytes());
        let err = |line: u64, message: String| TableError {
            file: file.to_path_buf(),
            line,
            column: None,
            message,
        };
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| err(1, format!("cannot read the header row: {e}")))?
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
                err(line, format!("malformed CSV: {e}"))
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

    /// Checks that every required column is present; one error per missing column.
    pub fn require(&self, cols: &[&str], errors: &mut Vec<TableError>) -> bool {
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

    pub fn error(&self, line: u64, column: Option<&str>, message: String) -> TableError {
        TableError {
            file: self.file.clone(),
            line,
            column: column.map(str::to_string),
            message,
        }
    }

    /// The raw text of `col` in a row ("" when the row is short).
    pub fn text<'a>(&self, rec: &'a csv::StringRecord, col: &str) -> &'a str {
        self.index.get(col).and_then(|&i| rec.get(i)).unwrap_or("")
    }

    /// A non-empty text field.
    pub fn string(
        &self,
        line: u64,
        rec: &csv::StringRecord,
        col: &str,
        errors: &mut Vec<TableError>,
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
        errors: &mut Vec<TableError>,
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
        errors: &mut Vec<TableError>,
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

/// Reads a file into a string, as a [`TableError`] naming the file.
pub(crate) fn read_file(path: &Path) -> Result<String, TableError> {
    std::fs::read_to_string(path).map_err(|e| TableError {
        file: path.to_path_buf(),
        line: 0,
        column: None,
        message: format!("cannot read the file ({e}); check the path, which is relative to the scenario file's folder"),
    })
}
