//! Report output: charts, Markdown tables and crash-safe (atomic) file output.
//!
//! - [`chart`]: SVG + PNG charts drawn with plotters and the bundled CJK font.
//! - [`labels`]: every word a report shows, in Chinese and English; units.
//! - [`workbook`]: the Excel workbook `report.xlsx`.
//! - [`html`]: the one-file HTML report `report.html`.
//! - [`atomic`]: staging directories and temp-file-then-rename writes, so a
//!   report directory or file is never left half-written.
//! - [`bounds`]: non-finite or absurd projected figures as errors; chart axis ranges.
//! - [`markdown`]: GitHub Markdown tables and number formatting.
//! - `finite`: [`write_table`], the one guard that keeps `inf`/`NaN` out of
//!   every analysis CSV, Markdown table and workbook sheet.

pub mod atomic;
pub mod bounds;
pub mod chart;
pub mod clearing;
pub mod compare;
mod finite;
pub mod grid;
pub mod headers;
pub mod history;
pub mod hospitals;
pub mod html;
pub mod labels;
pub mod lever;
pub mod markdown;
pub mod montecarlo;
pub mod params;
pub mod projection;
pub mod rules;
pub mod sensitivity;
pub mod solve;
pub mod workbook;

pub use atomic::{OutputDir, OutputPolicy, ReportError, write_atomic};
pub use finite::{check as check_table, write_table};
