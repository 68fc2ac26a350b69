//! Charts drawn with plotters, each written as both `{stem}.svg` and `{stem}.png`.
//!
//! All text uses the bundled Drgsim Sans SC font (a GB 2312 + Latin-1 subset of
//! Noto Sans CJK SC, SIL OFL 1.1, see `assets/fonts/`), registered once as the
//! `sans-serif` family, so Chinese and Latin text render the same on every
//! machine and never depend on fontconfig or system fonts. The SVG refers to the
//! family `sans-serif` and is rendered by the viewer.
//!
//! Inputs are plain data types; nothing here depends on other drgsim modules.
//! Both files are written atomically (temporary sibling + rename), so a chart
//! file is either complete or absent. Non-finite values (NaN, ±inf) in the data
//! are skipped; invalid input (mismatched lengths, no data) is rejected with
//! [`ReportError::InvalidChart`] rather than a panic.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::register_font;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::atomic::{ReportError, rename_into_place, temp_sibling, with_suffix, write_atomic};
use super::markdown::fmt_num;

/// Size in pixels of every chart (PNG pixels; SVG user units).
pub const CHART_SIZE: (u32, u32) = (1200, 700);

/// The bundled CJK + Latin font (TrueType outlines, GB 2312 + Latin-1 + every
/// character drgsim's own labels and bundled scenarios use).
pub const FONT_BYTES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DrgsimSansSC.ttf"
));

/// Font family name the bundled font is registered under.
const FONT: &str = "sans-serif";

/// One line of a [`LineChart`]: `(year, value)` points. Non-finite values are
/// skipped (the line is broken there).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// `(year, value)` points, in year order.
    pub points: Vec<(i32, f64)>,
}

/// A shaded horizontal band, e.g. the 3–6 months "warning" zone.
///
/// `lo`/`hi` may be infinite (`f64::NEG_INFINITY` for "everything below 3"):
/// the band is then clipped to the visible y range. Only finite ends widen the
/// y range.
#[derive(Debug, Clone, PartialEq)]
pub struct HBand {
    /// Lower edge of the band.
    pub lo: f64,
    /// Upper edge of the band.
    pub hi: f64,
    /// Legend label.
    pub label: String,
    /// Band colour (drawn translucent).
    pub color: RGBColor,
}

/// A line chart over years: several series, shaded bands and labelled horizontal lines.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineChart {
    /// Chart title.
    pub title: String,
    /// X axis description.
    pub x_label: String,
    /// Y axis description.
    pub y_label: String,
    /// Lines, drawn in distinct colours with a legend.
    pub series: Vec<Series>,
    /// Shaded horizontal bands, drawn behind the lines.
    pub bands: Vec<HBand>,
    /// Dashed horizontal reference lines `(y, label)`.
    pub hlines: Vec<(f64, String)>,
    /// Dashed vertical markers `(year, label)`, e.g. the depletion year.
    pub markers: Vec<(i32, String)>,
    /// When set, the area between each series and zero where the series is
    /// negative is shaded red, with this legend label (the cumulative shortfall
    /// on a balance chart).
    pub shade_negative: Option<String>,
}

/// Two stacked bars per year: `left` parts (e.g. revenue) beside `right` parts
/// (e.g. expenditure). Every part vector has one value per year.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StackedBars {
    /// Chart title.
    pub title: String,
    /// X axis description (empty: "Year").
    pub x_label: String,
    /// Y axis description.
    pub y_label: String,
    /// Years (x axis).
    pub years: Vec<i32>,
    /// Parts of the left bar `(name, value per year)`, stacked bottom-up.
    pub left: Vec<(String, Vec<f64>)>,
    /// Parts of the right bar `(name, value per year)`, stacked bottom-up.
    pub right: Vec<(String, Vec<f64>)>,
    /// Name of the left bar, used as legend prefix (e.g. "Revenue").
    pub left_name: String,
    /// Name of the right bar, used as legend prefix (e.g. "Expenditure").
    pub right_name: String,
}

/// Stacked areas over years (e.g. membership by age band). Layers are stacked
/// bottom-up in the given order and coloured on a sequential ramp from the
/// first (dark) to the last (light) layer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StackedArea {
    /// Chart title.
    pub title: String,
    /// X axis description (empty: "Year").
    pub x_label: String,
    /// Y axis description.
    pub y_label: String,
    /// Years (x axis).
    pub years: Vec<i32>,
    /// Layers `(name, value per year)`, bottom first.
    pub layers: Vec<(String, Vec<f64>)>,
}

/// A Monte Carlo fan chart: percentile bands per year with the median line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fan {
    /// Chart title.
    pub title: String,
    /// X axis description (empty: "Year").
    pub x_label: String,
    /// Y axis description.
    pub y_label: String,
    /// Years (x axis).
    pub years: Vec<i32>,
    /// 5th percentile per year.
    pub p05: Vec<f64>,
    /// 25th percentile per year.
    pub p25: Vec<f64>,
    /// Median per year.
    pub p50: Vec<f64>,
    /// 75th percentile per year.
    pub p75: Vec<f64>,
    /// 95th percentile per year.
    pub p95: Vec<f64>,
    /// Shaded horizontal bands, as in [`LineChart`].
    pub bands: Vec<HBand>,
    /// Legend labels of the 5–95 % band, the 25–75 % band and the median
    /// (empty: English).
    pub legend: Vec<String>,
}

/// One parameter of a [`Tornado`] chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoRow {
    /// Parameter name (y axis label).
    pub label: String,
    /// Outcome with the parameter at its low setting.
    pub low_outcome: f64,
    /// Outcome with the parameter at its high setting.
    pub high_outcome: f64,
    /// Text for the low setting, shown at the end of its bar (e.g. "1.5%").
    pub low_setting: String,
    /// Text for the high setting, shown at the end of its bar.
    pub high_setting: String,
}

/// A tornado (one-way sensitivity) chart. Rows are drawn in the given order
/// from the top, so pass them sorted widest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tornado {
    /// Legend words for the base case, the low and the high setting, and
    /// (optional) the depletion line drawn at 0 when outcomes are clipped there
    /// (empty: English).
    pub legend: Vec<String>,
    /// Chart title.
    pub title: String,
    /// X axis description (the outcome).
    pub x_label: String,
    /// Outcome of the base case; bars start here.
    pub base_outcome: f64,
    /// Parameters, widest first.
    pub rows: Vec<TornadoRow>,
}

/// A heat map of `z` over a grid of `xs` × `ys`, with contour lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    /// Chart title.
    pub title: String,
    /// X axis description.
    pub x_label: String,
    /// Y axis description.
    pub y_label: String,
    /// Cell centres along x, strictly increasing.
    pub xs: Vec<f64>,
    /// Cell centres along y, strictly increasing.
    pub ys: Vec<f64>,
    /// Values, `z[iy][ix]`; non-finite cells are drawn grey.
    pub z: Vec<Vec<f64>>,
    /// Contour levels `(level, label)`, e.g. `(6.0, "6 months")`. Drawn along
    /// the cell edges where `z` crosses the level.
    pub contours: Vec<(f64, String)>,
    /// Description of `z` for the colour scale.
    pub z_label: String,
}

/// A bar per category (e.g. payment change by hospital). Bars are drawn in the
/// given order (sort them first); positive bars green, negative red.
///
/// With more than [`bars::BAR_LABEL_LIMIT`] bars the chart becomes a distribution:
/// no label per bar, the x axis counts categories (`x_label`), and the
/// `extremes` first and last categories are named in two boxes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bars {
    /// Chart title.
    pub title: String,
    /// X axis description when the bars are too many to label one by one
    /// (e.g. "hospitals, ranked by change").
    pub x_label: String,
    /// How many of the first and of the last categories to name when the bars
    /// are not labelled one by one (0: none).
    pub extremes: usize,
    /// Box headings for the first and last categories (e.g. "largest gains").
    pub extreme_titles: (String, String),
    /// Y axis description.
    pub y_label: String,
    /// Category labels; when crowded only every k-th is shown.
    pub labels: Vec<String>,
    /// One value per label.
    pub values: Vec<f64>,
}

/// Draw a line chart to `{stem}.svg` and `{stem}.png`.
///
/// The y range always includes 0, all finite values, finite band edges and
/// horizontal lines. Fails if no series has a finite point.
pub fn line_chart(stem: &Path, c: &LineChart) -> Result<(), ReportError> {
    render(stem, c)
}

/// Draw paired stacked bars (left parts vs right parts per year) to `{stem}.svg` and `{stem}.png`.
///
/// Positive parts stack upwards from 0, negative parts downwards. Fails if
/// `years` is empty, both sides have no parts, or a part's length differs
/// from `years`.
pub fn paired_stacked_bars(stem: &Path, c: &StackedBars) -> Result<(), ReportError> {
    render(stem, c)
}

/// Draw a stacked area chart to `{stem}.svg` and `{stem}.png`, with the legend
/// outside the plot on the right (top entry = top layer).
///
/// Fails if `years` or `layers` is empty or a layer's length differs from `years`.
pub fn stacked_area(stem: &Path, c: &StackedArea) -> Result<(), ReportError> {
    render(stem, c)
}

/// Draw a fan chart (5–95 % light band, 25–75 % darker band, median line) to
/// `{stem}.svg` and `{stem}.png`.
///
/// Fails if `years` is empty or a percentile vector's length differs from `years`.
pub fn fan_chart(stem: &Path, c: &Fan) -> Result<(), ReportError> {
    render(stem, c)
}

/// Draw a tornado chart to `{stem}.svg` and `{stem}.png`: per row, bars from the
/// base outcome to the low-setting and high-setting outcomes, labelled with the
/// settings.
///
/// Fails if there are no rows or the base outcome is not finite.
pub fn tornado(stem: &Path, c: &Tornado) -> Result<(), ReportError> {
    render(stem, c)
}

/// Draw a heat map with contour lines and a colour scale to `{stem}.svg` and `{stem}.png`.
///
/// Colours are diverging (red low, yellow middle, green high) over the finite
/// range of `z`. Fails if `xs`/`ys` are empty, not finite and strictly
/// increasing, or `z` is not `ys.len()` rows of `xs.len()` values.
pub fn heatmap(stem: &Path, c: &Heatmap) -> Result<(), ReportError> {
    render(stem, c)
}

/// Draw a bar chart to `{stem}.svg` and `{stem}.png`.
///
/// Fails if there are no bars or `labels` and `values` differ in length.
pub fn bar_chart(stem: &Path, c: &Bars) -> Result<(), ReportError> {
    render(stem, c)
}

// ---------------------------------------------------------------------------
// Rendering machinery

type DrawResult = Result<(), String>;

/// `?`-friendly conversion of plotters errors to strings.
trait OrStr<T> {
    fn s(self) -> Result<T, String>;
}

impl<T, E: std::fmt::Display> OrStr<T> for Result<T, E> {
    fn s(self) -> Result<T, String> {
        self.map_err(|e| e.to_string())
    }
}

/// A chart that can check its input and draw itself on any backend.
trait Chart {
    /// Reject input that cannot be drawn.
    fn validate(&self) -> Result<(), String>;
    /// Draw on `root` (already validated).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult;
}

/// Register the bundled font once.
fn ensure_font() -> Result<(), ReportError> {
    static OK: OnceLock<bool> = OnceLock::new();
    let ok = *OK.get_or_init(|| {
        register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok()
            && register_font(FONT, FontStyle::Bold, FONT_BYTES).is_ok()
    });
    if ok { Ok(()) } else { Err(ReportError::Font) }
}

/// A line chart as SVG text, in memory (nothing written).
pub fn line_chart_svg(c: &LineChart) -> Result<String, ReportError> {
    render_svg(c)
}

/// Paired stacked bars as SVG text, in memory (nothing written).
pub fn paired_stacked_bars_svg(c: &StackedBars) -> Result<String, ReportError> {
    render_svg(c)
}

/// A stacked area chart as SVG text, in memory (nothing written).
pub fn stacked_area_svg(c: &StackedArea) -> Result<String, ReportError> {
    render_svg(c)
}

/// Validate, then draw to an SVG string.
fn render_svg<C: Chart>(chart: &C) -> Result<String, ReportError> {
    let here = Path::new("(in memory)");
    chart
        .validate()
        .map_err(|reason| ReportError::InvalidChart {
            path: here.to_path_buf(),
            reason,
        })?;
    ensure_font()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, CHART_SIZE).into_drawing_area();
        chart
            .draw(&root)
            .and_then(|()| root.present().s())
            .map_err(|reason| render_err(here, reason))?;
    }
    Ok(svg)
}

/// Validate, then write `{stem}.svg` and `{stem}.png` atomically.
fn render<C: Chart>(stem: &Path, chart: &C) -> Result<(), ReportError> {
    chart
        .validate()
        .map_err(|reason| ReportError::InvalidChart {
            path: stem.to_path_buf(),
            reason,
        })?;
    ensure_font()?;

    let svg_path = with_suffix(stem, ".svg");
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, CHART_SIZE).into_drawing_area();
        chart
            .draw(&root)
            .and_then(|()| root.present().s())
            .map_err(|reason| render_err(&svg_path, reason))?;
    }
    write_atomic(&svg_path, svg.as_bytes())?;

    // The bitmap backend encodes on `present`, choosing the format from the
    // extension, so the temporary file must end in `.png`.
    let png_path = with_suffix(stem, ".png");
    let tmp = temp_sibling(&png_path, "tmp", ".png");
    let result = {
        let root = BitMapBackend::new(&tmp, CHART_SIZE).into_drawing_area();
        chart.draw(&root).and_then(|()| root.present().s())
    };
    if let Err(reason) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(render_err(&png_path, reason));
    }
    rename_into_place(&tmp, &png_path)
}

fn render_err(path: &Path, reason: String) -> ReportError {
    ReportError::Render {
        path: PathBuf::from(path),
        reason,
    }
}

mod area;
mod axis;
mod bars;
mod fan;
mod heatmap;
mod line;
mod stacked_bars;
#[cfg(test)]
mod tests;
mod tornado;

pub use axis::text_em;
use axis::*;
