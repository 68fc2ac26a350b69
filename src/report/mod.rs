//! Report output: charts, Markdown tables and crash-safe (atomic) file output.
//!
//! - [`chart`]: SVG + PNG charts drawn with plotters and the bundled DejaVu Sans font.
//! - [`atomic`]: staging directories and temp-file-then-rename writes, so a
//!   report directory or file is never left half-written.
//! - [`bounds`]: non-finite or absurd projected figures as errors; chart axis ranges.
//! - [`markdown`]: GitHub Markdown tables and number formatting.

pub mod atomic;
pub mod bounds;
pub mod chart;
pub mod history;
pub mod markdown;
pub mod projection;
pub mod rules;

pub use atomic::{OutputDir, OutputPolicy, ReportError, write_atomic};
