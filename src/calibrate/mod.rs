//! `drgsim calibrate`: group and hospital payment tables from case-level
//! settlement records (医保结算清单 / 病案首页 extracts with the assigned group).
//!
//! The records are read twice, streaming (`accumulate`): memory grows with
//! groups x hospitals, never with cases. The result ([`tables::Tables`]) is the
//! group table, the hospital table and the per-hospital group volumes in the
//! formats of `scenarios/data/README.md`, plus grouping-quality figures
//! (`report` turns them into CSV and Markdown).
//!
//! - `mapping`: which column holds which field (Chinese headers recognised).
//! - `records`: the streaming CSV reader (UTF-8 or GB18030).
//! - `parquet_records`: the streaming Parquet reader (row group by row group) and writer.
//! - `trim`: outlier trimming rules.
//! - `accumulate`: the two passes and their sufficient statistics.
//! - `tables`: weights, CV, CMI, cost level, coefficients, RIV.
//! - `report`: the output files.
//! - [`sql`]: the same aggregation as portable SQL, and the reader of its result.
//! - [`synth`]: synthetic records drawn from a group and hospital table.

pub(crate) mod accumulate;
pub(crate) mod batch;
pub(crate) mod error;
pub(crate) mod fields;
pub(crate) mod mapping;
pub(crate) mod parquet_records;
pub(crate) mod records;
pub(crate) mod report;
pub mod sql;
pub mod synth;
pub(crate) mod tables;
pub(crate) mod trim;

pub use error::CalibrateError;
pub use mapping::{Encoding, Field, Mapping};
pub use tables::Tables;
pub use trim::TrimRule;

use crate::payment::Level;
use crate::population::bands::ByBand;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Calibration options (the command's flags).
#[derive(Clone, Debug)]
pub struct Options {
    /// Outlier trimming rule.
    pub trim: TrimRule,
    /// Rescale weights so the regional CMI of the written table
    /// (`sum cases x RW / sum cases` over groups not excluded) is 1.
    pub rescale_cmi: bool,
    /// Groups with fewer kept cases are proposed for exclusion.
    pub min_cases: u64,
    /// Groups with a higher CV are proposed for exclusion.
    pub max_cv: f64,
    /// Budget (万元) for the base rate / point value, if any.
    pub budget_wan: Option<f64>,
    /// Level of hospitals whose records give none.
    pub default_level: Level,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            trim: TrimRule::default(),
            rescale_cmi: false,
            min_cases: 5,
            max_cv: 1.0,
            budget_wan: None,
            default_level: Level::Secondary,
        }
    }
}

/// Everything a calibration produced, ready to write.
#[derive(Debug)]
pub struct Calibration {
    /// The tables.
    pub tables: Tables,
    /// The accumulated statistics (counts for the report).
    pub acc: accumulate::Accumulator,
    /// Options used.
    pub options: Options,
    /// Input files.
    pub files: Vec<PathBuf>,
}

/// The header (column names) of a record file, Parquet or CSV.
pub fn header(path: &Path, mapping: &Mapping) -> Result<Vec<String>, CalibrateError> {
    if parquet_records::is_parquet(path) {
        parquet_records::header(path)
    } else {
        records::header(path, mapping)
    }
}

/// Reads a group list: a group table CSV (its `code` column) or one code per line.
pub fn read_group_list(path: &Path) -> Result<HashSet<String>, CalibrateError> {
    let text = std::fs::read_to_string(path).map_err(|source| CalibrateError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    let mut lines = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'));
    let first = lines.next().unwrap_or("");
    let set: HashSet<String> = if first.split(',').any(|c| c.trim() == "code") {
        let mut rdr = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .flexible(true)
            .from_reader(text.as_bytes());
        let i = rdr
            .headers()
            .ok()
            .and_then(|h| h.iter().position(|c| c.trim() == "code"))
            .unwrap_or(0);
        rdr.records()
            .filter_map(|r| r.ok())
            .filter_map(|r| r.get(i).map(|s| s.trim().to_string()))
            .collect()
    } else {
        std::iter::once(first)
            .chain(lines)
            .map(|l| l.trim().to_string())
            .collect()
    };
    if set.is_empty() {
        return Err(CalibrateError::record(
            path,
            0,
            None,
            "the group list is empty",
        ));
    }
    Ok(set)
}

/// Calibrates from one or more record files (read as one data set, in order).
///
/// `known`: valid group codes (an unknown code is an error); `profile`: age
/// shares for groups whose records carry no age (else the records' regional mix).
pub fn calibrate(
    files: &[PathBuf],
    mapping: &Mapping,
    opts: &Options,
    known: Option<&HashSet<String>>,
    profile: Option<&ByBand>,
) -> Result<Calibration, CalibrateError> {
    if files.is_empty() {
        return Err(CalibrateError::Option(
            "give at least one record file".into(),
        ));
    }
    check_options(opts)?;
    let mut acc = accumulate::Accumulator::default();
    for f in files {
        acc.pass1(f, mapping, opts.trim, known)?;
    }
    if acc.groups.is_empty() {
        return Err(CalibrateError::record(
            &files[0],
            0,
            None,
            format!(
                "none of the {} records is grouped with a positive cost; check the group column and the `ungrouped` codes of the mapping",
                acc.records
            ),
        ));
    }
    acc.fix_bounds(opts.trim);
    for f in files {
        acc.pass2(f, mapping)?;
    }
    Ok(finish(acc, opts, profile, files))
}

/// Calibrates from the result table of the `--emit-sql` query (see [`sql`]).
pub fn calibrate_aggregates(
    file: &Path,
    opts: &Options,
    known: Option<&HashSet<String>>,
    profile: Option<&ByBand>,
) -> Result<Calibration, CalibrateError> {
    check_options(opts)?;
    let acc = sql::read_aggregates(file, known)?;
    if acc.groups.is_empty() {
        return Err(CalibrateError::record(
            file,
            0,
            None,
            format!(
                "none of the {} records is grouped with a positive cost; check the group column and the ungrouped codes of the query",
                acc.records
            ),
        ));
    }
    Ok(finish(acc, opts, profile, &[file.to_path_buf()]))
}

/// The tables and the warnings about what was assumed.
fn finish(
    acc: accumulate::Accumulator,
    opts: &Options,
    profile: Option<&ByBand>,
    files: &[PathBuf],
) -> Calibration {
    let mut tables = tables::compute(&acc, opts, profile);
    // Aggregates carry no column list: no age anywhere means no age column.
    let has_age = if acc.files.iter().all(|(_, i)| i.columns.is_empty()) {
        acc.groups.iter().any(|g| g.age.iter().any(|&c| c > 0))
    } else {
        acc.files
            .iter()
            .all(|(_, i)| i.columns.contains_key(&Field::Age))
    };
    if !has_age {
        tables.warnings.insert(
            0,
            if profile.is_some() {
                "no age column (年龄): every group's age shares are the fund profile's (--age-profile)".to_string()
            } else {
                "no age column (年龄) and no --age-profile: age shares are uniform across bands; give --age-profile <demand.csv> for the fund's profile".to_string()
            },
        );
    }
    if acc.unknown_levels > 0 {
        tables.warnings.push(format!(
            "{} record(s) have a level text not recognised as 三级/二级/一级",
            acc.unknown_levels
        ));
    }
    if acc.nonpositive_cost > 0 {
        tables.warnings.push(format!(
            "{} grouped record(s) with a cost of zero or less were skipped",
            acc.nonpositive_cost
        ));
    }
    Calibration {
        tables,
        acc,
        options: opts.clone(),
        files: files.to_vec(),
    }
}

fn check_options(opts: &Options) -> Result<(), CalibrateError> {
    if opts.min_cases < 1 {
        return Err(CalibrateError::Option(
            "--min-cases must be at least 1".into(),
        ));
    }
    if !(opts.max_cv.is_finite() && opts.max_cv > 0.0) {
        return Err(CalibrateError::Option(format!(
            "--max-cv {} must be a positive number",
            opts.max_cv
        )));
    }
    if let Some(b) = opts.budget_wan
        && !(b.is_finite() && b > 0.0)
    {
        return Err(CalibrateError::Option(format!(
            "--budget {b} must be a positive amount in 万元"
        )));
    }
    Ok(())
}
pub use report::{groups_csv, hospitals_csv, markdown, volumes_csv};
