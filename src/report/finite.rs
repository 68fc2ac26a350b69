//! The one finite guard of the analysis writers: a table (CSV or Markdown)
//! holding `inf`, `-inf` or `NaN` text is an error naming the file, the row
//! (by its fund / year / parameter / budget / hospital cells) and the column,
//! never a file a committee opens with `inf` in it (issue 13's rule).
//!
//! Every analysis CSV and Markdown file is written through [`write_table`];
//! the workbook checks the same tables before it builds `report.xlsx`
//! ([`check`] with the workbook's path). An empty CSV cell stays what it is
//! (a value that does not exist, such as a depletion year that never comes).

use super::ReportError;
use std::path::Path;

/// Is `cell` the text of a non-finite number (`inf`, `-inf`, `NaN`, `infinity`,
/// also with a `%` or unit after it, as the Markdown shows percentages)?
pub fn non_finite_text(cell: &str) -> bool {
    let c = cell.trim().trim_end_matches('%').trim();
    let c = c.trim_start_matches(['+', '-']).to_ascii_lowercase();
    matches!(c.as_str(), "inf" | "infinity" | "nan")
}

/// Checks a table file's text before it is written: CSV when `path` ends in
/// `.csv`, else Markdown tables (lines starting with `|`).
pub fn check(path: &Path, text: &str) -> Result<(), ReportError> {
    let is_csv = path.extension().is_some_and(|e| e == "csv");
    let found = if is_csv {
        check_csv(text)
    } else {
        check_markdown(text)
    };
    match found {
        None => Ok(()),
        Some((row, column, value)) => Err(ReportError::NonFinite {
            path: path.to_path_buf(),
            row,
            column,
            value,
        }),
    }
}

/// Writes a CSV or Markdown table file atomically after [`check`].
pub fn write_table(path: &Path, text: &str) -> Result<(), ReportError> {
    check(path, text)?;
    super::atomic::write_atomic(path, text.as_bytes())
}

/// Columns that name a row, in the order they are quoted.
const ROW_KEYS: &[&str] = &[
    "fund",
    "year",
    "param",
    "x_param",
    "y_param",
    "budget_id",
    "hospital",
    "rank",
];

/// The first non-finite cell of a CSV text: (row description, column, cell).
fn check_csv(text: &str) -> Option<(String, String, String)> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    for (i, rec) in rdr.records().enumerate() {
        let Ok(rec) = rec else { continue };
        for (c, cell) in rec.iter().enumerate() {
            if non_finite_text(cell) {
                let mut who: Vec<String> = ROW_KEYS
                    .iter()
                    .filter_map(|k| {
                        let j = headers.iter().position(|h| h == k)?;
                        let v = rec.get(j)?;
                        (j != c && !v.is_empty()).then(|| format!("{k} {v}"))
                    })
                    .collect();
                // Line numbers count the header as line 1.
                who.insert(0, format!("line {}", i + 2));
                let column = headers.get(c).cloned().unwrap_or_else(|| c.to_string());
                return Some((who.join(", "), column, cell.to_string()));
            }
        }
    }
    None
}

/// The first non-finite cell of the Markdown tables in `text`: the row is
/// named by the nearest heading above and the row's first cell.
fn check_markdown(text: &str) -> Option<(String, String, String)> {
    let mut heading = String::new();
    let mut header: Option<Vec<String>> = None;
    for (n, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.starts_with('#') {
            heading = l.trim_start_matches('#').trim().to_string();
        }
        if !l.starts_with('|') {
            header = None;
            continue;
        }
        let cells: Vec<String> = l
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect();
        let Some(h) = &header else {
            header = Some(cells);
            continue;
        };
        if cells
            .iter()
            .all(|c| c.chars().all(|x| matches!(x, '-' | ':')))
        {
            continue;
        }
        if let Some(c) = cells.iter().position(|c| non_finite_text(c)) {
            let first = cells.first().cloned().unwrap_or_default();
            let row = if heading.is_empty() {
                format!("line {}, row {first}", n + 1)
            } else {
                format!("line {}, {heading}, row {first}", n + 1)
            };
            return Some((row, h.get(c).cloned().unwrap_or_default(), cells[c].clone()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_cells_are_named_by_file_row_and_column() {
        let csv = "fund,year,param,months\nresident,2030,funds.resident.x,1.5\nresident,2031,funds.resident.x,inf\n";
        let e = check(Path::new("out/tornado.csv"), csv)
            .unwrap_err()
            .to_string();
        assert!(e.contains("tornado.csv"), "{e}");
        assert!(
            e.contains("fund resident") && e.contains("year 2031"),
            "{e}"
        );
        assert!(
            e.contains("param funds.resident.x") && e.contains("months"),
            "{e}"
        );
        assert!(e.contains("line 3"), "{e}");
        // NaN text too, with a sign or a percent sign
        for bad in ["NaN", "-inf", "+Infinity", "inf %"] {
            let t = format!("fund,x\nemployee,{bad}\n");
            assert!(check(Path::new("a.csv"), &t).is_err(), "{bad}");
        }
        // empty cells and ordinary words pass
        let ok = "fund,depletion,status\nresident,,information\n";
        assert!(check(Path::new("a.csv"), ok).is_ok());
        let md = "# T\n\n## 居民\n\n| 年份 | 月数 |\n|---|---:|\n| 2030 | 3.5 |\n| 2031 | -inf |\n";
        let e = check(Path::new("grid.md"), md).unwrap_err().to_string();
        assert!(
            e.contains("grid.md") && e.contains("居民") && e.contains("2031") && e.contains("月数"),
            "{e}"
        );
        assert!(check(Path::new("grid.md"), "| a | b |\n|---|---|\n| 1 | info |\n").is_ok());
    }

    #[test]
    fn write_table_writes_nothing_when_a_cell_is_not_finite() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("grid.csv");
        assert!(write_table(&p, "fund,m\nr,NaN\n").is_err());
        assert!(!p.exists());
        write_table(&p, "fund,m\nr,1.0\n").unwrap();
        assert!(p.is_file());
    }
}
