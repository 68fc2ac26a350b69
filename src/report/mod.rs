//! Report output: charts, Markdown tables and crash-safe (atomic) file output.
//!
//! - [`chart`]: SVG + PNG charts drawn with plotters and the bundled DejaVu Sans font.
//! - [`atomic`]: staging directories and temp-file-then-rename writes, so a
//!   report directory or file is never left half-written.
//! - [`markdown`]: GitHub Markdown tables and number formatting.

pub mod atomic;
pub mod chart;
pub mod history;
pub mod markdown;
pub mod projection;
pub mod rules;

pub use atomic::{OutputDir, ReportError, write_atomic};
