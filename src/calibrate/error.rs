//! Calibration errors: every one names the file and, where it can, the row and
//! the column, and says what to do.

use std::path::PathBuf;

/// A problem that stops a calibration before anything is written.
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    /// The records (or the mapping, group list or profile) could not be opened or read.
    #[error("cannot read {}: {source}; check the path and permissions", .file.display())]
    Io {
        /// File being read.
        file: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// A problem in one field (or the header) of a record file.
    #[error("{}{}{}: {message}", .file.display(), row_part(*.row), col_part(.column))]
    Record {
        /// File the problem is in.
        file: PathBuf,
        /// 1-based line of the file (1 = header); 0 for the whole file.
        row: u64,
        /// Column header, when one column is at fault.
        column: Option<String>,
        /// What is wrong and what to do about it.
        message: String,
    },
    /// The mapping file is not valid.
    #[error("{}: {message}", .file.display())]
    Mapping {
        /// Mapping file.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A command-line option is out of range or inconsistent.
    #[error("{0}")]
    Option(String),
}

fn row_part(row: u64) -> String {
    if row > 0 {
        format!(":{row}")
    } else {
        String::new()
    }
}

fn col_part(c: &Option<String>) -> String {
    match c {
        Some(c) => format!(": column `{c}`"),
        None => String::new(),
    }
}

impl CalibrateError {
    /// A record-file error at `row`, optionally in `column`.
    pub fn record(
        file: &std::path::Path,
        row: u64,
        column: Option<&str>,
        message: impl Into<String>,
    ) -> CalibrateError {
        CalibrateError::Record {
            file: file.to_path_buf(),
            row,
            column: column.map(str::to_string),
            message: message.into(),
        }
    }
}
