//! Report output: charts, Markdown tables and crash-safe (atomic) file output.
//!
//! - `chart`: SVG + PNG charts drawn with plotters and the bundled CJK font.
//! - `labels`: every word a report shows, in Chinese and English; units.
//! - `workbook`: the Excel workbook `report.xlsx`.
//! - `html`: the one-file HTML report `report.html`.
//! - `atomic`: staging directories and temp-file-then-rename writes, so a
//!   report directory or file is never left half-written.
//! - `bounds`: non-finite or absurd projected figures as errors; chart axis ranges.
//! - `markdown`: GitHub Markdown tables and number formatting.
//! - `finite`: [`write_table`], the one guard that keeps `inf`/`NaN` out of
//!   every analysis CSV, Markdown table and workbook sheet.

pub(crate) mod atomic;
pub(crate) mod bounds;
pub(crate) mod chart;
pub(crate) mod clearing;
pub(crate) mod compare;
mod finite;
pub(crate) mod grid;
pub(crate) mod headers;
pub(crate) mod history;
pub(crate) mod hospitals;
pub(crate) mod html;
pub(crate) mod labels;
pub(crate) mod lever;
pub(crate) mod markdown;
pub(crate) mod montecarlo;
pub(crate) mod params;
pub(crate) mod projection;
pub(crate) mod rules;
pub(crate) mod sensitivity;
pub(crate) mod solve;
pub(crate) mod workbook;

pub use atomic::{OutputDir, OutputPolicy, ReportError, write_atomic};
pub use finite::{check as check_table, write_table};

// Re-exported for users of the crate (the command line, tests, benches):
// the submodules themselves are private to the crate.
pub use atomic::{check_output, remove_staging_dirs};
pub use bounds::{MAX_ABS, check_projection};
pub use chart::FONT_BYTES;
pub use clearing::write as write_clearing;
pub use compare::write_compare;
pub use grid::{Grid, write as write_grid};
pub use history::{comparisons, write_history_csv};
pub use hospitals::write as write_hospitals;
pub use html::write_run_report;
pub use labels::{Lang, Style, Unit, has_cjk};
pub use markdown::fmt_num;
pub use montecarlo::write as write_montecarlo;
pub use params::param_label;
pub use projection::{summaries, write_charts, write_projection_csv, write_summary};
pub use rules::{has_rules, write_rules_csv};
pub use sensitivity::{Global, LeftOut, write as write_sensitivity};
pub use solve::{set_string as solve_set_string, write as write_solve};
pub use workbook::run_workbook;
