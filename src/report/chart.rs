//! Charts drawn with plotters, each written as both `{stem}.svg` and `{stem}.png`.
//!
//! All text uses the DejaVu Sans font bundled in the binary (registered once as
//! the `sans-serif` family), so rendering never depends on fontconfig or system
//! fonts. The SVG refers to the family `sans-serif` and is rendered by the viewer.
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

/// The bundled DejaVu Sans font.
const FONT_BYTES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/assets/fonts/DejaVuSans.ttf"
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
#[derive(Debug, Clone, PartialEq)]
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
}

/// Two stacked bars per year: `left` parts (e.g. revenue) beside `right` parts
/// (e.g. expenditure). Every part vector has one value per year.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedBars {
    /// Chart title.
    pub title: String,
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
#[derive(Debug, Clone, PartialEq)]
pub struct StackedArea {
    /// Chart title.
    pub title: String,
    /// Y axis description.
    pub y_label: String,
    /// Years (x axis).
    pub years: Vec<i32>,
    /// Layers `(name, value per year)`, bottom first.
    pub layers: Vec<(String, Vec<f64>)>,
}

/// A Monte Carlo fan chart: percentile bands per year with the median line.
#[derive(Debug, Clone, PartialEq)]
pub struct Fan {
    /// Chart title.
    pub title: String,
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
#[derive(Debug, Clone, PartialEq)]
pub struct Tornado {
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
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    /// Chart title.
    pub title: String,
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

// ---------------------------------------------------------------------------
// Shared helpers

/// Tableau-10 colours for series.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Darker, still distinct colours for series 11-20.
const PALETTE2: [RGBColor; 10] = [
    RGBColor(0, 0, 128),
    RGBColor(128, 0, 0),
    RGBColor(0, 128, 128),
    RGBColor(128, 128, 0),
    RGBColor(75, 0, 130),
    RGBColor(255, 0, 255),
    RGBColor(0, 100, 0),
    RGBColor(210, 105, 30),
    RGBColor(70, 130, 180),
    RGBColor(0, 0, 0),
];

/// Distinct colour for series `i`.
fn series_color(i: usize) -> RGBColor {
    if i < PALETTE.len() {
        PALETTE[i]
    } else if i < PALETTE.len() + PALETTE2.len() {
        PALETTE2[i - PALETTE.len()]
    } else {
        let c = Palette99::pick(i).to_rgba();
        RGBColor(c.0, c.1, c.2)
    }
}

/// Piecewise-linear colour ramp through `stops`, `t` in `[0, 1]`.
fn ramp(stops: &[(u8, u8, u8)], t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.5
    };
    if stops.len() < 2 {
        let (r, g, b) = stops.first().copied().unwrap_or((128, 128, 128));
        return RGBColor(r, g, b);
    }
    let pos = t * (stops.len() - 1) as f64;
    let i = (pos.floor() as usize).min(stops.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (stops[i], stops[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Viridis-like sequential ramp (dark purple → yellow).
const SEQUENTIAL: [(u8, u8, u8); 5] = [
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
];

/// Red-yellow-green diverging ramp.
const DIVERGING: [(u8, u8, u8); 7] = [
    (165, 0, 38),
    (244, 109, 67),
    (253, 174, 97),
    (255, 255, 191),
    (166, 217, 106),
    (26, 152, 80),
    (0, 104, 55),
];

/// Title font: 28 px, smaller for a long title so it fits the chart's width
/// (DejaVu Sans averages about 0.6 em a character).
fn title_style(title: &str) -> TextStyle<'static> {
    let chars = title.chars().count().max(1) as f64;
    let fit = (CHART_SIZE.0 as f64 - 60.0) / (0.6 * chars);
    FontDesc::new(
        FontFamily::Name(FONT),
        fit.clamp(14.0, 28.0),
        FontStyle::Bold,
    )
    .into()
}

fn text_style(size: f64) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Normal).into()
}

/// Finite min/max of `values` (optionally including 0), padded by 5 %; see
/// [`super::bounds::axis_range`] (values beyond its bound are left out, so a
/// range is always drawable).
fn value_range(values: impl Iterator<Item = f64>, include_zero: bool) -> (f64, f64) {
    super::bounds::axis_range(values, include_zero)
}

/// Number of decimals for axis ticks over `[lo, hi]`.
fn tick_decimals(lo: f64, hi: f64) -> usize {
    let step = (hi - lo).abs() / 10.0;
    if !step.is_finite() || step <= 0.0 || step >= 1.0 {
        0
    } else {
        ((-step.log10()).ceil() as usize).min(6)
    }
}

/// Axis tick text: thousands separators only from 10,000 up, so that years and
/// other four-digit values read naturally (`2034`, `2500`, `12,500`).
fn axis_num(v: f64, decimals: usize) -> String {
    if v.abs() < 9999.5 {
        let s = format!("{v:.decimals$}");
        if s.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            s.trim_start_matches('-').to_string()
        } else {
            s
        }
    } else {
        fmt_num(v, decimals)
    }
}

/// Tick formatter for an axis over `[lo, hi]`: decimals suited to the span, and
/// large magnitudes shortened with M (10^6), B (10^9) or T (10^12) suffixes.
fn axis_fmt(lo: f64, hi: f64) -> impl Fn(&f64) -> String {
    let m = lo.abs().max(hi.abs());
    let (div, suffix) = if m >= 1e13 {
        (1e12, "T")
    } else if m >= 1e10 {
        (1e9, "B")
    } else if m >= 1e7 {
        (1e6, "M")
    } else {
        (1.0, "")
    };
    let dec = tick_decimals(lo / div, hi / div);
    move |v: &f64| {
        let s = axis_num(*v / div, dec);
        if suffix.is_empty() || s == "0" {
            s
        } else {
            format!("{s}{suffix}")
        }
    }
}

/// Shortest plain text for a value: integers without decimals, otherwise up to 3 decimals.
fn plain_num(v: f64) -> String {
    if v.fract() == 0.0 {
        axis_num(v, 0)
    } else {
        let s = axis_num(v, 3);
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Year tick positions between `lo` and `hi` (inclusive), at most about `max` of them,
/// on multiples of a round step.
fn year_ticks(lo: i32, hi: i32, max: usize) -> Vec<f64> {
    let (lo, hi) = (i64::from(lo), i64::from(hi));
    let span = (hi - lo).max(0) + 1;
    let max = max.max(1) as i64;
    let step = [1i64, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000]
        .into_iter()
        .find(|s| (span + s - 1) / s <= max)
        .unwrap_or_else(|| (span + max - 1) / max);
    let start = lo.div_euclid(step) * step + if lo.rem_euclid(step) == 0 { 0 } else { step };
    (0..)
        .map(|k| start + k * step)
        .take_while(|y| *y <= hi)
        .map(|y| y as f64)
        .collect()
}

/// Shorten a label to at most `max` characters, ending in `…` when cut.
fn truncate_label(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

/// Index tick positions `0, k, 2k, ...` below `n` with at most about `max` ticks.
fn index_ticks(n: usize, max: usize) -> Vec<f64> {
    let k = n.div_ceil(max.max(1)).max(1);
    (0..n).step_by(k).map(|i| i as f64).collect()
}

/// Check every vector in `parts` has length `n`.
fn check_lengths<'a>(
    n: usize,
    what: &str,
    parts: impl Iterator<Item = (&'a str, usize)>,
) -> Result<(), String> {
    for (name, len) in parts {
        if len != n {
            return Err(format!(
                "{what} \"{name}\" has {len} values but there are {n} years; give one value per year"
            ));
        }
    }
    Ok(())
}

/// Finite band edges (they widen the y range).
fn band_edges(bands: &[HBand]) -> impl Iterator<Item = f64> + '_ {
    bands.iter().flat_map(|b| [b.lo, b.hi])
}

type Chart2d<'a, DB, X, Y> = ChartContext<'a, DB, Cartesian2d<X, Y>>;

/// A linear f64 axis with explicit tick positions (years, category indices).
///
/// plotters' `WithKeyPoints<RangedCoordf64>` has no value formatter, so it cannot
/// be used with `configure_mesh`; this axis formats through the mesh's formatter.
#[derive(Debug, Clone)]
struct TickAxis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl TickAxis {
    fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Self {
        let hi = if hi > lo { hi } else { lo + 1.0 };
        TickAxis { lo, hi, ticks }
    }
}

impl Ranged for TickAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = (value - self.lo) / (self.hi - self.lo);
        let px = f64::from(limit.0) + t * f64::from(limit.1 - limit.0);
        px.round().clamp(-1e8, 1e8) as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        let max = hint.max_num_points().max(1);
        let step = self.ticks.len().div_ceil(max).max(1);
        self.ticks.iter().copied().step_by(step).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// Draw shaded bands clipped to the plot, with legend entries.
fn draw_bands<
    'a,
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
>(
    chart: &mut Chart2d<'a, DB, X, Y>,
    bands: &[HBand],
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> DrawResult {
    for b in bands {
        if b.lo.is_nan() || b.hi.is_nan() {
            continue;
        }
        let lo = b.lo.max(y0);
        let hi = b.hi.min(y1);
        if lo >= hi {
            continue;
        }
        let color = b.color;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x0, lo), (x1, hi)],
                color.mix(0.22).filled(),
            )))
            .s()?
            .label(b.label.clone())
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 6), (x + 20, y + 6)], color.mix(0.45).filled())
            });
    }
    Ok(())
}

/// Draw a thin line at y = 0 if 0 is strictly inside the y range.
fn draw_zero_line<
    'a,
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
>(
    chart: &mut Chart2d<'a, DB, X, Y>,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> DrawResult {
    if y0 < 0.0 && y1 > 0.0 {
        chart
            .draw_series(LineSeries::new(
                [(x0, 0.0), (x1, 0.0)],
                BLACK.mix(0.7).stroke_width(1),
            ))
            .s()?;
    }
    Ok(())
}

/// Draw the legend box.
fn draw_legend<
    'a,
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
>(
    chart: &mut Chart2d<'a, DB, X, Y>,
    pos: SeriesLabelPosition,
) -> DrawResult {
    chart
        .configure_series_labels()
        .position(pos)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(text_style(15.0))
        .draw()
        .s()
}

/// Line charts with more series than this get their legend outside the plot.
const SIDE_LEGEND_SERIES: usize = 6;

/// Legend swatch for [`draw_side_legend`].
enum Swatch {
    /// A line sample in this colour.
    Line(RGBColor),
    /// A filled box in this colour.
    Box(RGBAColor),
}

/// Draw a legend as a column of entries in `area` (pixel coordinates),
/// shrinking rows and font when there are many entries.
fn draw_side_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Swatch)],
) -> DrawResult {
    let n = entries.len().max(1) as i32;
    let (_, h) = area.dim_in_pixel();
    let top = 20i32;
    let avail = (h as i32 - top - 60).max(n);
    let row = (avail / n).clamp(1, 28);
    let font = (f64::from(row) * 0.7).clamp(8.0, 15.0);
    let sw = (row - 4).clamp(1, 16);
    for (j, (label, swatch)) in entries.iter().enumerate() {
        let y = top + j as i32 * row;
        match swatch {
            Swatch::Line(c) => area
                .draw(&PathElement::new(
                    [(8, y + sw / 2), (30, y + sw / 2)],
                    c.stroke_width(3),
                ))
                .s()?,
            Swatch::Box(c) => area
                .draw(&Rectangle::new([(8, y), (30, y + sw)], c.filled()))
                .s()?,
        }
        area.draw(&Text::new(
            label.clone(),
            (38, y + sw / 2),
            text_style(font).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .s()?;
    }
    Ok(())
}

/// Split `(x, value)` points into runs of consecutive finite values.
fn finite_runs(points: impl Iterator<Item = (f64, f64)>) -> Vec<Vec<(f64, f64)>> {
    let mut runs = vec![];
    let mut cur = vec![];
    for (x, y) in points {
        if x.is_finite() && y.is_finite() {
            cur.push((x, y));
        } else if !cur.is_empty() {
            runs.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

/// Year span of `years` as an x range; a single year gets ±1 so the plot has width.
fn year_x_range(min: i32, max: i32) -> (f64, f64) {
    if min == max {
        (f64::from(min) - 1.0, f64::from(max) + 1.0)
    } else {
        (f64::from(min), f64::from(max))
    }
}

// ---------------------------------------------------------------------------
// Line chart

impl Chart for LineChart {
    fn validate(&self) -> Result<(), String> {
        let any = self
            .series
            .iter()
            .flat_map(|s| &s.points)
            .any(|p| p.1.is_finite());
        if any {
            Ok(())
        } else {
            Err("no series has a finite data point; nothing to draw".to_string())
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).s()?;
        let finite = || {
            self.series
                .iter()
                .flat_map(|s| &s.points)
                .filter(|p| p.1.is_finite())
        };
        let xmin = finite().map(|p| p.0).min().unwrap_or(0);
        let xmax = finite().map(|p| p.0).max().unwrap_or(0);
        let (x0, x1) = year_x_range(xmin, xmax);
        let (y0, y1) = value_range(
            finite()
                .map(|p| p.1)
                .chain(band_edges(&self.bands))
                .chain(self.hlines.iter().map(|h| h.0)),
            true,
        );
        let yfmt = axis_fmt(y0, y1);
        // Many series: legend outside the plot on the right so it hides no data.
        let side = self.series.len() > SIDE_LEGEND_SERIES;
        let (plot, legend_area) = if side {
            let r = root
                .margin(12, 0, 0, 0)
                .titled(&self.title, title_style(&self.title))
                .s()?;
            let (w, _) = r.dim_in_pixel();
            let (a, b) = r.split_horizontally(w - 220u32.min(w / 3));
            (a, Some(b))
        } else {
            (root.clone(), None)
        };
        let mut builder = ChartBuilder::on(&plot);
        if !side {
            builder.caption(&self.title, title_style(&self.title));
        }
        let mut chart = builder
            .margin(20)
            .x_label_area_size(55)
            .y_label_area_size(100)
            .build_cartesian_2d(TickAxis::new(x0, x1, year_ticks(xmin, xmax, 15)), y0..y1)
            .s()?;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_labels(15)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&yfmt)
            .y_labels(10)
            .label_style(text_style(15.0))
            .axis_desc_style(text_style(18.0))
            .bold_line_style(BLACK.mix(0.12))
            .light_line_style(TRANSPARENT)
            .draw()
            .s()?;
        draw_bands(&mut chart, &self.bands, (x0, x1), (y0, y1))?;
        draw_zero_line(&mut chart, (x0, x1), (y0, y1))?;
        for (v, label) in &self.hlines {
            if !v.is_finite() {
                continue;
            }
            let style = BLACK.mix(0.6).stroke_width(2);
            chart
                .draw_series(DashedLineSeries::new([(x0, *v), (x1, *v)], 8, 6, style))
                .s()?;
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((x0, *v))
                        + Text::new(
                            label.clone(),
                            (6, -4),
                            text_style(14.0).pos(Pos::new(HPos::Left, VPos::Bottom)),
                        ),
                ))
                .s()?;
        }
        for (i, s) in self.series.iter().enumerate() {
            let color = series_color(i);
            let style = color.stroke_width(3);
            let runs = finite_runs(s.points.iter().map(|&(x, y)| (f64::from(x), y)));
            let npts: usize = runs.iter().map(Vec::len).sum();
            for run in &runs {
                chart.draw_series(LineSeries::new(run.clone(), style)).s()?;
                if run.len() == 1 || npts <= 40 {
                    let r = if run.len() == 1 { 5 } else { 3 };
                    chart
                        .draw_series(run.iter().map(|&p| Circle::new(p, r, color.filled())))
                        .s()?;
                }
            }
            chart
                .draw_series(LineSeries::new(Vec::<(f64, f64)>::new(), style))
                .s()?
                .label(s.label.clone())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
        }
        match legend_area {
            None => draw_legend(&mut chart, SeriesLabelPosition::UpperRight),
            Some(area) => {
                let entries: Vec<(String, Swatch)> = self
                    .bands
                    .iter()
                    .map(|b| (b.label.clone(), Swatch::Box(b.color.mix(0.45))))
                    .chain(
                        self.series
                            .iter()
                            .enumerate()
                            .map(|(i, s)| (s.label.clone(), Swatch::Line(series_color(i)))),
                    )
                    .collect();
                draw_side_legend(&area, &entries)
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Paired stacked bars

const LEFT_COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(23, 190, 207),
    RGBColor(148, 103, 189),
    RGBColor(174, 199, 232),
    RGBColor(152, 223, 138),
];

const RIGHT_COLORS: [RGBColor; 6] = [
    RGBColor(214, 39, 40),
    RGBColor(255, 127, 14),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(255, 152, 150),
    RGBColor(255, 187, 120),
];

/// Stack parts per year: for each part, per year, the `(bottom, top)` segment.
/// Positive values stack up from 0, negative values down from 0; non-finite values count as 0.
fn stack_segments(parts: &[(String, Vec<f64>)], n: usize) -> Vec<Vec<(f64, f64)>> {
    let mut pos = vec![0.0; n];
    let mut neg = vec![0.0; n];
    parts
        .iter()
        .map(|(_, vals)| {
            (0..n)
                .map(|i| {
                    let v = vals
                        .get(i)
                        .copied()
                        .filter(|v| v.is_finite())
                        .unwrap_or(0.0);
                    if v >= 0.0 {
                        let seg = (pos[i], pos[i] + v);
                        pos[i] += v;
                        seg
                    } else {
                        let seg = (neg[i] + v, neg[i]);
                        neg[i] += v;
                        seg
                    }
                })
                .collect()
        })
        .collect()
}

impl Chart for StackedBars {
    fn validate(&self) -> Result<(), String> {
        let n = self.years.len();
        if n == 0 {
            return Err("no years to draw".to_string());
        }
        if self.left.is_empty() && self.right.is_empty() {
            return Err("no parts to draw".to_string());
        }
        check_lengths(
            n,
            "part",
            self.left
                .iter()
                .chain(&self.right)
                .map(|(name, v)| (name.as_str(), v.len())),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).s()?;
        let n = self.years.len();
        let left = stack_segments(&self.left, n);
        let right = stack_segments(&self.right, n);
        let (y0, y1) = value_range(
            left.iter()
                .chain(&right)
                .flat_map(|p| p.iter().flat_map(|s| [s.0, s.1])),
            true,
        );
        // Leave headroom for the legend above the bars: the legend needs about
        // 20 px per entry of a ~560 px tall plot.
        let entries = (self.left.len() + self.right.len()) as f64;
        let frac = ((entries * 20.0 + 30.0) / 560.0).min(0.6);
        let y1 = y0 + (y1 - y0) / (1.0 - frac);
        let (x0, x1) = (-0.6, n as f64 - 0.4);
        let years = &self.years;
        let xfmt = |v: &f64| {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 {
                years
                    .get(i as usize)
                    .map(|y| y.to_string())
                    .unwrap_or_default()
            } else {
                String::new()
            }
        };
        let yfmt = axis_fmt(y0, y1);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, title_style(&self.title))
            .margin(20)
            .x_label_area_size(55)
            .y_label_area_size(100)
            .build_cartesian_2d(TickAxis::new(x0, x1, index_ticks(n, 20)), y0..y1)
            .s()?;
        chart
            .configure_mesh()
            .x_labels(20)
            .x_desc("Year")
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .y_labels(10)
            .label_style(text_style(15.0))
            .axis_desc_style(text_style(18.0))
            .disable_x_mesh()
            .bold_line_style(BLACK.mix(0.12))
            .light_line_style(TRANSPARENT)
            .draw()
            .s()?;
        let sides = [
            (
                &self.left,
                &left,
                &self.left_name,
                -0.42,
                -0.02,
                &LEFT_COLORS,
            ),
            (
                &self.right,
                &right,
                &self.right_name,
                0.02,
                0.42,
                &RIGHT_COLORS,
            ),
        ];
        for (parts, segs, side_name, dx0, dx1, colors) in sides {
            for (k, ((name, _), seg)) in parts.iter().zip(segs).enumerate() {
                let color = colors[k % colors.len()];
                chart
                    .draw_series(
                        seg.iter()
                            .enumerate()
                            .filter(|(_, s)| s.1 > s.0)
                            .map(|(i, s)| {
                                let x = i as f64;
                                Rectangle::new([(x + dx0, s.0), (x + dx1, s.1)], color.filled())
                            }),
                    )
                    .s()?
                    .label(format!("{side_name}: {name}"))
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 6), (x + 16, y + 6)], color.filled())
                    });
            }
        }
        draw_zero_line(&mut chart, (x0, x1), (y0, y1))?;
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

// ---------------------------------------------------------------------------
// Stacked area

impl Chart for StackedArea {
    fn validate(&self) -> Result<(), String> {
        if self.years.is_empty() {
            return Err("no years to draw".to_string());
        }
        if self.layers.is_empty() {
            return Err("no layers to draw".to_string());
        }
        if self.years.windows(2).any(|w| w[0] >= w[1]) {
            return Err("years must be strictly increasing".to_string());
        }
        check_lengths(
            self.years.len(),
            "layer",
            self.layers.iter().map(|(name, v)| (name.as_str(), v.len())),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).s()?;
        let root = root
            .margin(12, 0, 0, 0)
            .titled(&self.title, title_style(&self.title))
            .s()?;
        let (w, _) = root.dim_in_pixel();
        let legend_w = 190u32.min(w / 3);
        let (plot, legend) = root.split_horizontally(w - legend_w);
        let n = self.years.len();
        let segs = stack_segments(&self.layers, n);
        let (y0, y1) = value_range(
            segs.iter().flat_map(|p| p.iter().flat_map(|s| [s.0, s.1])),
            true,
        );
        let ymin = self.years[0];
        let ymax = self.years[n - 1];
        let (x0, x1) = if n == 1 {
            (f64::from(ymin) - 1.0, f64::from(ymax) + 1.0)
        } else {
            (f64::from(ymin), f64::from(ymax))
        };
        let yfmt = axis_fmt(y0, y1);
        let mut chart = ChartBuilder::on(&plot)
            .margin(15)
            .x_label_area_size(55)
            .y_label_area_size(110)
            .build_cartesian_2d(TickAxis::new(x0, x1, year_ticks(ymin, ymax, 15)), y0..y1)
            .s()?;
        chart
            .configure_mesh()
            .x_desc("Year")
            .y_desc(self.y_label.as_str())
            .x_labels(15)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&yfmt)
            .y_labels(10)
            .label_style(text_style(15.0))
            .axis_desc_style(text_style(18.0))
            .bold_line_style(BLACK.mix(0.12))
            .light_line_style(TRANSPARENT)
            .draw()
            .s()?;
        let nl = self.layers.len();
        let color_of = |k: usize| {
            let t = if nl > 1 {
                k as f64 / (nl - 1) as f64
            } else {
                0.5
            };
            ramp(&SEQUENTIAL, t)
        };
        let xs: Vec<f64> = self.years.iter().map(|&y| f64::from(y)).collect();
        for (k, seg) in segs.iter().enumerate() {
            let color = color_of(k);
            let pts: Vec<(f64, f64)> = if n == 1 {
                let (x, s) = (xs[0], seg[0]);
                vec![
                    (x - 0.4, s.1),
                    (x + 0.4, s.1),
                    (x + 0.4, s.0),
                    (x - 0.4, s.0),
                ]
            } else {
                // Upper edge left to right, then lower edge right to left. A segment
                // is (bottom, top) of the layer's own part; for a mix of signs the
                // layer may jump between the positive and negative stacks.
                xs.iter()
                    .zip(seg)
                    .map(|(&x, s)| (x, s.1))
                    .chain(xs.iter().zip(seg).rev().map(|(&x, s)| (x, s.0)))
                    .collect()
            };
            chart
                .draw_series(std::iter::once(Polygon::new(pts, color.filled())))
                .s()?;
        }
        draw_zero_line(&mut chart, (x0, x1), (y0, y1))?;

        // Legend outside the plot, top entry = top layer.
        let entries: Vec<(String, Swatch)> = (0..nl)
            .rev()
            .map(|k| (self.layers[k].0.clone(), Swatch::Box(color_of(k).to_rgba())))
            .collect();
        draw_side_legend(&legend, &entries)?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Fan chart

impl Chart for Fan {
    fn validate(&self) -> Result<(), String> {
        let n = self.years.len();
        if n == 0 {
            return Err("no years to draw".to_string());
        }
        if self.years.windows(2).any(|w| w[0] >= w[1]) {
            return Err("years must be strictly increasing".to_string());
        }
        check_lengths(
            n,
            "percentile",
            [
                ("p05", self.p05.len()),
                ("p25", self.p25.len()),
                ("p50", self.p50.len()),
                ("p75", self.p75.len()),
                ("p95", self.p95.len()),
            ]
            .into_iter(),
        )?;
        if ![&self.p05, &self.p25, &self.p50, &self.p75, &self.p95]
            .iter()
            .any(|v| v.iter().any(|x| x.is_finite()))
        {
            return Err("no finite percentile values; nothing to draw".to_string());
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).s()?;
        let n = self.years.len();
        let ymin = self.years.iter().copied().min().unwrap_or(0);
        let ymax = self.years.iter().copied().max().unwrap_or(0);
        let (x0, x1) = year_x_range(ymin, ymax);
        let all = [&self.p05, &self.p25, &self.p50, &self.p75, &self.p95];
        let (y0, y1) = value_range(
            all.iter()
                .flat_map(|v| v.iter().copied())
                .chain(band_edges(&self.bands)),
            true,
        );
        let yfmt = axis_fmt(y0, y1);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, title_style(&self.title))
            .margin(20)
            .x_label_area_size(55)
            .y_label_area_size(100)
            .build_cartesian_2d(TickAxis::new(x0, x1, year_ticks(ymin, ymax, 15)), y0..y1)
            .s()?;
        chart
            .configure_mesh()
            .x_desc("Year")
            .y_desc(self.y_label.as_str())
            .x_labels(15)
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&yfmt)
            .y_labels(10)
            .label_style(text_style(15.0))
            .axis_desc_style(text_style(18.0))
            .bold_line_style(BLACK.mix(0.12))
            .light_line_style(TRANSPARENT)
            .draw()
            .s()?;
        draw_bands(&mut chart, &self.bands, (x0, x1), (y0, y1))?;
        draw_zero_line(&mut chart, (x0, x1), (y0, y1))?;
        let base = RGBColor(31, 119, 180);
        let xs: Vec<f64> = self.years.iter().map(|&y| f64::from(y)).collect();
        for (lo, hi, alpha, label) in [
            (&self.p05, &self.p95, 0.22, "5-95% of runs"),
            (&self.p25, &self.p75, 0.45, "25-75% of runs"),
        ] {
            // Runs of years where both edges are finite.
            let mut runs: Vec<Vec<usize>> = vec![];
            let mut cur = vec![];
            for i in 0..n {
                if lo[i].is_finite() && hi[i].is_finite() {
                    cur.push(i);
                } else if !cur.is_empty() {
                    runs.push(std::mem::take(&mut cur));
                }
            }
            if !cur.is_empty() {
                runs.push(cur);
            }
            let fill = base.mix(alpha).filled();
            let polys = runs.iter().map(|run| {
                let pts: Vec<(f64, f64)> = if run.len() == 1 {
                    let i = run[0];
                    let x = xs[i];
                    vec![
                        (x - 0.3, hi[i]),
                        (x + 0.3, hi[i]),
                        (x + 0.3, lo[i]),
                        (x - 0.3, lo[i]),
                    ]
                } else {
                    run.iter()
                        .map(|&i| (xs[i], hi[i]))
                        .chain(run.iter().rev().map(|&i| (xs[i], lo[i])))
                        .collect()
                };
                Polygon::new(pts, fill)
            });
            chart
                .draw_series(polys)
                .s()?
                .label(label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], fill));
        }
        let style = RGBColor(8, 48, 107).stroke_width(3);
        for run in finite_runs(xs.iter().copied().zip(self.p50.iter().copied())) {
            if run.len() == 1 {
                chart
                    .draw_series(run.iter().map(|&p| Circle::new(p, 5, style.filled())))
                    .s()?;
            } else {
                chart.draw_series(LineSeries::new(run, style)).s()?;
            }
        }
        chart
            .draw_series(LineSeries::new(Vec::<(f64, f64)>::new(), style))
            .s()?
            .label("median")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

// ---------------------------------------------------------------------------
// Tornado

/// Tornado row labels longer than this are shortened.
const TORNADO_LABEL_CHARS: usize = 40;

impl Chart for Tornado {
    fn validate(&self) -> Result<(), String> {
        if self.rows.is_empty() {
            return Err("no rows to draw".to_string());
        }
        if !self.base_outcome.is_finite() {
            return Err(format!(
                "base outcome is {}; a tornado chart needs a finite base",
                self.base_outcome
            ));
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).s()?;
        let n = self.rows.len();
        let base = self.base_outcome;
        let (mut lo, mut hi) = (base, base);
        for r in &self.rows {
            for v in [r.low_outcome, r.high_outcome] {
                if v.is_finite() {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
        let span = if hi > lo {
            hi - lo
        } else {
            base.abs().max(1.0) * 0.2
        };
        let (x0, x1) = (lo - span * 0.22, hi + span * 0.22);
        let (y0, y1) = (-0.6, n as f64 - 0.4);
        // Row i is drawn at y = n-1-i so the first row is at the top.
        let row_y = |i: usize| (n - 1 - i) as f64;
        let rows = &self.rows;
        let yfmt = |v: &f64| {
            let r = v.round();
            if (v - r).abs() < 1e-6 && r >= 0.0 && (r as usize) < n {
                truncate_label(&rows[n - 1 - r as usize].label, TORNADO_LABEL_CHARS)
            } else {
                String::new()
            }
        };
        let longest = rows
            .iter()
            .map(|r| r.label.chars().count().min(TORNADO_LABEL_CHARS))
            .max()
            .unwrap_or(0);
        let label_w = (longest as u32 * 9 + 30).clamp(80, 380);
        let xfmt = axis_fmt(x0, x1);
        let font = if n > 25 { 11.0 } else { 15.0 };
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, title_style(&self.title))
            .margin(20)
            .x_label_area_size(55)
            .y_label_area_size(label_w)
            .build_cartesian_2d(
                x0..x1,
                TickAxis::new(y0, y1, (0..n).map(|i| i as f64).collect()),
            )
            .s()?;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .x_labels(10)
            .y_labels(n)
            .label_style(text_style(font))
            .x_label_style(text_style(15.0))
            .axis_desc_style(text_style(18.0))
            .disable_y_mesh()
            .bold_line_style(BLACK.mix(0.12))
            .light_line_style(TRANSPARENT)
            .draw()
            .s()?;
        let low_color = RGBColor(31, 119, 180);
        let high_color = RGBColor(255, 127, 14);
        let half = 0.35;
        for (i, r) in rows.iter().enumerate() {
            let y = row_y(i);
            let mut bars = vec![
                (r.low_outcome, low_color, &r.low_setting, false),
                (r.high_outcome, high_color, &r.high_setting, true),
            ];
            // Wider bar first so a narrower one on the same side stays visible.
            bars.sort_by(|a, b| {
                let wa = if a.0.is_finite() {
                    (a.0 - base).abs()
                } else {
                    -1.0
                };
                let wb = if b.0.is_finite() {
                    (b.0 - base).abs()
                } else {
                    -1.0
                };
                wb.total_cmp(&wa)
            });
            for (v, color, setting, is_high) in bars {
                if !v.is_finite() {
                    continue;
                }
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(base, y - half), (v, y + half)],
                        color.filled(),
                    )))
                    .s()?;
                let right = v > base || (v == base && is_high);
                let (dx, hpos) = if right {
                    (5, HPos::Left)
                } else {
                    (-5, HPos::Right)
                };
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((v, y))
                            + Text::new(
                                setting.clone(),
                                (dx, 0),
                                text_style(font - 1.0).pos(Pos::new(hpos, VPos::Center)),
                            ),
                    ))
                    .s()?;
            }
        }
        chart
            .draw_series(LineSeries::new(
                [(base, y0), (base, y1)],
                BLACK.stroke_width(2),
            ))
            .s()?
            .label(format!("base case: {}", plain_num(base)))
            .legend(|(x, y)| {
                PathElement::new([(x + 10, y - 7), (x + 10, y + 7)], BLACK.stroke_width(2))
            });
        for (label, color) in [("low setting", low_color), ("high setting", high_color)] {
            chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
                .s()?
                .label(label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 20, y + 6)], color.filled())
                });
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
    }
}

// ---------------------------------------------------------------------------
// Heat map

/// Cell edges around strictly increasing centres.
fn cell_edges(c: &[f64]) -> Vec<f64> {
    match c.len() {
        0 => vec![],
        1 => {
            let d = (c[0].abs() * 0.1).max(0.5);
            vec![c[0] - d, c[0] + d]
        }
        n => {
            let mut e = Vec::with_capacity(n + 1);
            e.push(c[0] - (c[1] - c[0]) / 2.0);
            for w in c.windows(2) {
                e.push((w[0] + w[1]) / 2.0);
            }
            e.push(c[n - 1] + (c[n - 1] - c[n - 2]) / 2.0);
            e
        }
    }
}

/// Cell-edge segments separating cells with `z < level` from cells with `z >= level`.
fn contour_segments(z: &[Vec<f64>], xe: &[f64], ye: &[f64], level: f64) -> Vec<[(f64, f64); 2]> {
    let mut segs = vec![];
    let below = |v: f64| v < level;
    for (j, row) in z.iter().enumerate() {
        for i in 0..row.len() {
            let a = row[i];
            if !a.is_finite() {
                continue;
            }
            if let Some(&b) = row.get(i + 1)
                && b.is_finite()
                && below(a) != below(b)
            {
                segs.push([(xe[i + 1], ye[j]), (xe[i + 1], ye[j + 1])]);
            }
            if let Some(&b) = z.get(j + 1).and_then(|r| r.get(i))
                && b.is_finite()
                && below(a) != below(b)
            {
                segs.push([(xe[i], ye[j + 1]), (xe[i + 1], ye[j + 1])]);
            }
        }
    }
    segs
}

const CONTOUR_COLORS: [RGBColor; 4] = [
    RGBColor(0, 0, 0),
    RGBColor(30, 30, 150),
    RGBColor(120, 0, 120),
    RGBColor(90, 90, 90),
];

impl Chart for Heatmap {
    fn validate(&self) -> Result<(), String> {
        for (name, v) in [("xs", &self.xs), ("ys", &self.ys)] {
            if v.is_empty() {
                return Err(format!("{name} is empty; nothing to draw"));
            }
            if v.iter().any(|x| !x.is_finite()) || v.windows(2).any(|w| w[0] >= w[1]) {
                return Err(format!("{name} must be finite and strictly increasing"));
            }
        }
        if self.z.len() != self.ys.len() {
            return Err(format!(
                "z has {} rows but there are {} ys; z[iy][ix] needs one row per y",
                self.z.len(),
                self.ys.len()
            ));
        }
        if let Some((iy, row)) = self
            .z
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() != self.xs.len())
        {
            return Err(format!(
                "z row {iy} has {} values but there are {} xs",
                row.len(),
                self.xs.len()
            ));
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).s()?;
        let root = root
            .margin(12, 0, 0, 0)
            .titled(&self.title, title_style(&self.title))
            .s()?;
        let (w, _) = root.dim_in_pixel();
        let scale_w = 170u32.min(w / 4);
        let (plot, scale) = root.split_horizontally(w - scale_w);
        let xe = cell_edges(&self.xs);
        let ye = cell_edges(&self.ys);
        let (x0, x1) = (xe[0], xe[xe.len() - 1]);
        let (y0, y1) = (ye[0], ye[ye.len() - 1]);
        let (mut zmin, mut zmax) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in self.z.iter().flatten().filter(|v| v.is_finite()) {
            zmin = zmin.min(*v);
            zmax = zmax.max(*v);
        }
        if !zmin.is_finite() {
            (zmin, zmax) = (0.0, 1.0);
        } else if zmax <= zmin {
            (zmin, zmax) = (zmin - 1.0, zmax + 1.0);
        }
        let color_of = |v: f64| {
            if v.is_finite() {
                ramp(&DIVERGING, (v - zmin) / (zmax - zmin))
            } else {
                RGBColor(200, 200, 200)
            }
        };
        let xfmt = axis_fmt(x0, x1);
        let yfmt = axis_fmt(y0, y1);
        let margin = 15;
        let xlab = 55;
        let mut chart = ChartBuilder::on(&plot)
            .margin(margin)
            .x_label_area_size(xlab)
            .y_label_area_size(100)
            .build_cartesian_2d(x0..x1, y0..y1)
            .s()?;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .label_style(text_style(15.0))
            .axis_desc_style(text_style(18.0))
            .disable_mesh()
            .draw()
            .s()?;
        chart
            .draw_series(self.z.iter().enumerate().flat_map(|(j, row)| {
                let (xe, ye) = (&xe, &ye);
                row.iter().enumerate().map(move |(i, &v)| {
                    Rectangle::new(
                        [(xe[i], ye[j]), (xe[i + 1], ye[j + 1])],
                        color_of(v).filled(),
                    )
                })
            }))
            .s()?;
        for (k, (level, label)) in self.contours.iter().enumerate() {
            if !level.is_finite() {
                continue;
            }
            let color = CONTOUR_COLORS[k % CONTOUR_COLORS.len()];
            let style = color.stroke_width(3);
            let segs = contour_segments(&self.z, &xe, &ye, *level);
            chart
                .draw_series(segs.iter().map(|s| PathElement::new(s.to_vec(), style)))
                .s()?
                .label(format!("{} = {}", self.z_label, label))
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
            if let Some(s) = segs.get(segs.len() / 2) {
                let mid = ((s[0].0 + s[1].0) / 2.0, (s[0].1 + s[1].1) / 2.0);
                let tw = (label.chars().count().min(60) as i32) * 8 + 10;
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at(mid)
                            + Rectangle::new([(4, -11), (4 + tw, 11)], WHITE.mix(0.85).filled())
                            + Text::new(
                                label.clone(),
                                (9, 0),
                                text_style(14.0)
                                    .color(&color)
                                    .pos(Pos::new(HPos::Left, VPos::Center)),
                            ),
                    ))
                    .s()?;
            }
        }
        if !self.contours.is_empty() {
            draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        }

        // Colour scale, aligned with the plot area vertically.
        let zfmt = axis_fmt(zmin, zmax);
        let mut sc = ChartBuilder::on(&scale)
            .margin_top(margin)
            .margin_bottom(margin + xlab)
            .margin_left(10)
            .margin_right(10)
            .right_y_label_area_size(95)
            .build_cartesian_2d(0.0..1.0, zmin..zmax)
            .s()?;
        sc.configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_desc(self.z_label.as_str())
            .y_label_formatter(&zfmt)
            .label_style(text_style(14.0))
            .axis_desc_style(text_style(16.0))
            .draw()
            .s()?;
        let steps = 100;
        let dz = (zmax - zmin) / steps as f64;
        sc.draw_series((0..steps).map(|k| {
            let a = zmin + k as f64 * dz;
            Rectangle::new([(0.0, a), (1.0, a + dz)], color_of(a + dz / 2.0).filled())
        }))
        .s()?;
        for (k, (level, _)) in self.contours.iter().enumerate() {
            if level.is_finite() && *level >= zmin && *level <= zmax {
                let color = CONTOUR_COLORS[k % CONTOUR_COLORS.len()];
                sc.draw_series(std::iter::once(PathElement::new(
                    [(0.0, *level), (1.0, *level)],
                    color.stroke_width(3),
                )))
                .s()?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Bar chart

impl Chart for Bars {
    fn validate(&self) -> Result<(), String> {
        if self.values.is_empty() {
            return Err("no bars to draw".to_string());
        }
        if self.labels.len() != self.values.len() {
            return Err(format!(
                "{} labels but {} values; give one label per value",
                self.labels.len(),
                self.values.len()
            ));
        }
        Ok(())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).s()?;
        let n = self.values.len();
        let (y0, y1) = value_range(self.values.iter().copied(), true);
        let (x0, x1) = (-0.6, n as f64 - 0.4);
        let max_chars = 24;
        let short = |s: &str| truncate_label(s, max_chars);
        let longest = self
            .labels
            .iter()
            .map(|l| l.chars().count().min(max_chars))
            .max()
            .unwrap_or(0);
        // Horizontal labels only when few and short enough to fit under their bar.
        let slot = 1050.0 / n as f64;
        let rotate = longest as f64 * 8.5 > slot;
        let ticks = index_ticks(n, if rotate { 50 } else { 30 });
        let labels = &self.labels;
        // Rotated labels are drawn by hand below (the mesh misplaces rotated text).
        let xfmt = |v: &f64| {
            let i = v.round();
            if !rotate && (v - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).map(|l| short(l)).unwrap_or_default()
            } else {
                String::new()
            }
        };
        let label_font = 12.0;
        let xlab = if rotate {
            (longest as u32 * 7 + 25).clamp(40, 220)
        } else {
            45
        };
        let yfmt = axis_fmt(y0, y1);
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, title_style(&self.title))
            .margin(20)
            .x_label_area_size(xlab)
            .y_label_area_size(100)
            .build_cartesian_2d(TickAxis::new(x0, x1, ticks.clone()), y0..y1)
            .s()?;
        chart
            .configure_mesh()
            .y_desc(self.y_label.as_str())
            .x_labels(ticks.len())
            .x_label_formatter(&xfmt)
            .y_label_formatter(&yfmt)
            .y_labels(10)
            .label_style(text_style(15.0))
            .x_label_style(text_style(if rotate { label_font } else { 15.0 }))
            .axis_desc_style(text_style(18.0))
            .disable_x_mesh()
            .bold_line_style(BLACK.mix(0.12))
            .light_line_style(TRANSPARENT)
            .draw()
            .s()?;
        if rotate {
            let style = text_style(label_font)
                .transform(FontTransform::Rotate90)
                .pos(Pos::new(HPos::Left, VPos::Center));
            for t in &ticks {
                let Some(label) = labels.get(*t as usize) else {
                    continue;
                };
                let (px, py) = chart.backend_coord(&(*t, y0));
                root.draw(&Text::new(short(label), (px, py + 8), style.clone()))
                    .s()?;
            }
        }
        let pos = RGBColor(26, 152, 80);
        let neg = RGBColor(215, 48, 39);
        let half = if n > 60 { 0.45 } else { 0.4 };
        chart
            .draw_series(
                self.values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_finite())
                    .map(|(i, &v)| {
                        let x = i as f64;
                        let color = if v >= 0.0 { pos } else { neg };
                        Rectangle::new([(x - half, 0.0), (x + half, v)], color.filled())
                    }),
            )
            .s()?;
        draw_zero_line(&mut chart, (x0, x1), (y0, y1))?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const PNG_SIG: &[u8] = b"\x89PNG\r\n\x1a\n";

    /// Check both files exist, the PNG has the signature and the chart size in
    /// its IHDR, and the SVG is an SVG containing `title`.
    fn check_outputs(stem: &Path, title: &str) {
        let png = fs::read(with_suffix(stem, ".png")).expect("png exists");
        assert!(png.starts_with(PNG_SIG), "not a PNG");
        assert_eq!(&png[12..16], b"IHDR");
        let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
        let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
        assert_eq!((w, h), CHART_SIZE);
        let svg = fs::read_to_string(with_suffix(stem, ".svg")).expect("svg exists");
        assert!(svg.contains("<svg"), "not an SVG");
        assert!(svg.contains(title), "SVG lacks title {title:?}");
        // Nothing but the two charts in the directory (no temp files).
        let parent = stem.parent().expect("parent");
        let stemname = stem
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        for e in fs::read_dir(parent).expect("read_dir") {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            if name.starts_with(&stemname) || name.starts_with(&format!(".{stemname}")) {
                assert!(
                    name == format!("{stemname}.png") || name == format!("{stemname}.svg"),
                    "unexpected file {name}"
                );
            }
        }
    }

    fn months_chart() -> LineChart {
        LineChart {
            title: "Months payable".into(),
            x_label: "Year".into(),
            y_label: "Months of expenditure".into(),
            series: vec![
                Series {
                    label: "Baseline".into(),
                    points: (2024..=2040)
                        .map(|y| (y, 14.0 - (y - 2024) as f64 * 1.3))
                        .collect(),
                },
                Series {
                    label: "Reform".into(),
                    points: (2024..=2040)
                        .map(|y| {
                            (
                                y,
                                if y == 2030 {
                                    f64::NAN
                                } else {
                                    14.0 - (y - 2024) as f64 * 0.5
                                },
                            )
                        })
                        .collect(),
                },
                Series {
                    label: "Empty".into(),
                    points: vec![],
                },
            ],
            bands: vec![
                HBand {
                    lo: 3.0,
                    hi: 6.0,
                    label: "warning (3-6 months)".into(),
                    color: RGBColor(255, 191, 0),
                },
                HBand {
                    lo: f64::NEG_INFINITY,
                    hi: 3.0,
                    label: "danger (below 3 months)".into(),
                    color: RGBColor(220, 30, 30),
                },
            ],
            hlines: vec![(6.0, "6 months".into())],
        }
    }

    #[test]
    fn line_chart_with_negative_months() {
        let dir = tempfile::tempdir().expect("tempdir");
        let stem = dir.path().join("months");
        line_chart(&stem, &months_chart()).expect("draw");
        check_outputs(&stem, "Months payable");
    }

    #[test]
    fn line_chart_single_year_and_inf() {
        let dir = tempfile::tempdir().expect("tempdir");
        let stem = dir.path().join("one");
        let c = LineChart {
            title: "Single year".into(),
            x_label: "Year".into(),
            y_label: "Balance".into(),
            series: vec![Series {
                label: "only".into(),
                points: vec![(2025, -5.0), (2025, f64::INFINITY)],
            }],
            bands: vec![],
            hlines: vec![],
        };
        line_chart(&stem, &c).expect("draw");
        check_outputs(&stem, "Single year");
    }

    #[test]
    fn line_chart_without_data_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let stem = dir.path().join("none");
        let mut c = months_chart();
        c.series = vec![Series {
            label: "nan".into(),
            points: vec![(2025, f64::NAN)],
        }];
        let e = line_chart(&stem, &c).expect_err("no data");
        assert!(matches!(e, ReportError::InvalidChart { .. }), "{e}");
        assert!(!with_suffix(&stem, ".png").exists());
    }

    #[test]
    fn many_scenarios_get_distinct_colours() {
        let colors: Vec<RGBColor> = (0..15).map(series_color).collect();
        for i in 0..colors.len() {
            for j in 0..i {
                assert_ne!(colors[i], colors[j], "series {i} and {j} share a colour");
            }
        }
    }

    fn stacked_bars() -> StackedBars {
        let years: Vec<i32> = (2024..=2035).collect();
        let n = years.len();
        let v = |base: f64, g: f64| {
            (0..n)
                .map(|i| base * (1.0 + g).powi(i as i32))
                .collect::<Vec<_>>()
        };
        StackedBars {
            title: "Revenue and expenditure".into(),
            y_label: "100 million yuan".into(),
            years,
            left: vec![
                ("premiums".into(), v(900.0, 0.02)),
                ("subsidies".into(), v(300.0, 0.03)),
                ("interest".into(), v(40.0, 0.0)),
                ("other".into(), v(10.0, 0.0)),
            ],
            right: vec![
                ("inpatient".into(), v(700.0, 0.06)),
                ("outpatient".into(), v(400.0, 0.05)),
                ("major illness".into(), v(80.0, 0.04)),
                ("other".into(), v(20.0, 0.0)),
            ],
            left_name: "Revenue".into(),
            right_name: "Expenditure".into(),
        }
    }

    #[test]
    fn paired_stacked_bars_renders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let stem = dir.path().join("flows");
        paired_stacked_bars(&stem, &stacked_bars()).expect("draw");
        check_outputs(&stem, "Revenue and expenditure");
    }

    #[test]
    fn paired_stacked_bars_mismatch_is_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut c = stacked_bars();
        c.right[1].1.pop();
        let e = paired_stacked_bars(&dir.path().join("bad"), &c).expect_err("mismatch");
        assert!(e.to_string().contains("outpatient"), "{e}");
    }

    fn age_bands() -> StackedArea {
        let years: Vec<i32> = (2024..=2060).collect();
        let names: Vec<String> = (0..18)
            .map(|b| {
                if b == 17 {
                    "85+".to_string()
                } else {
                    format!("{}-{}", b * 5, b * 5 + 4)
                }
            })
            .collect();
        StackedArea {
            title: "Members by age band".into(),
            y_label: "Members (10,000)".into(),
            layers: names
                .into_iter()
                .enumerate()
                .map(|(b, name)| {
                    let vals = years
                        .iter()
                        .map(|y| {
                            100.0
                                + (b as f64)
                                    * 3.0
                                    * (1.0 + (y - 2024) as f64 * 0.01 * (b as f64 - 8.0))
                        })
                        .collect();
                    (name, vals)
                })
                .collect(),
            years,
        }
    }

    #[test]
    fn stacked_area_renders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let stem = dir.path().join("members");
        stacked_area(&stem, &age_bands()).expect("draw");
        check_outputs(&stem, "Members by age band");
        let svg = fs::read_to_string(with_suffix(&stem, ".svg")).expect("svg");
        assert!(svg.contains("85+") && svg.contains("0-4"), "legend missing");
    }

    #[test]
    fn stacked_area_single_year_and_mismatch() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = StackedArea {
            title: "One year".into(),
            y_label: "Members".into(),
            years: vec![2025],
            layers: vec![("a".into(), vec![1.0]), ("b".into(), vec![f64::NAN])],
        };
        stacked_area(&dir.path().join("one"), &c).expect("draw");
        let mut bad = c.clone();
        bad.layers[0].1.push(2.0);
        assert!(stacked_area(&dir.path().join("bad"), &bad).is_err());
    }

    fn fan() -> Fan {
        let years: Vec<i32> = (2024..=2045).collect();
        let med: Vec<f64> = years
            .iter()
            .map(|y| 12.0 - (y - 2024) as f64 * 0.8)
            .collect();
        let off = |k: f64| -> Vec<f64> {
            med.iter()
                .enumerate()
                .map(|(i, m)| m + k * (0.3 + i as f64 * 0.25))
                .collect()
        };
        Fan {
            title: "Months payable, Monte Carlo".into(),
            y_label: "Months".into(),
            p05: off(-2.0),
            p25: off(-0.7),
            p50: med.clone(),
            p75: off(0.7),
            p95: off(2.0),
            years,
            bands: months_chart().bands,
        }
    }

    #[test]
    fn fan_chart_renders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let stem = dir.path().join("fan");
        fan_chart(&stem, &fan()).expect("draw");
        check_outputs(&stem, "Months payable, Monte Carlo");
    }

    #[test]
    fn fan_chart_mismatch_is_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut c = fan();
        c.p75.pop();
        let e = fan_chart(&dir.path().join("fan"), &c).expect_err("mismatch");
        assert!(e.to_string().contains("p75"), "{e}");
    }

    fn tornado_data() -> Tornado {
        Tornado {
            title: "Sensitivity of depletion year".into(),
            x_label: "Depletion year".into(),
            base_outcome: 2034.0,
            rows: vec![
                TornadoRow {
                    label: "Medical cost growth".into(),
                    low_outcome: 2041.0,
                    high_outcome: 2029.0,
                    low_setting: "4%".into(),
                    high_setting: "8%".into(),
                },
                TornadoRow {
                    label: "Contribution rate".into(),
                    low_outcome: 2031.0,
                    high_outcome: 2038.0,
                    low_setting: "7.5%".into(),
                    high_setting: "9.5%".into(),
                },
                TornadoRow {
                    label: "Fertility".into(),
                    low_outcome: 2033.0,
                    high_outcome: 2034.5,
                    low_setting: "1.0".into(),
                    high_setting: "1.4".into(),
                },
            ],
        }
    }

    #[test]
    fn tornado_renders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let stem = dir.path().join("tornado");
        tornado(&stem, &tornado_data()).expect("draw");
        check_outputs(&stem, "Sensitivity of depletion year");
        let svg = fs::read_to_string(with_suffix(&stem, ".svg")).expect("svg");
        assert!(svg.contains("Medical cost growth") && svg.contains("9.5%"));
    }

    #[test]
    fn tornado_rejects_empty_and_nan_base() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut c = tornado_data();
        c.base_outcome = f64::NAN;
        assert!(tornado(&dir.path().join("a"), &c).is_err());
        c.base_outcome = 1.0;
        c.rows.clear();
        assert!(tornado(&dir.path().join("b"), &c).is_err());
    }

    fn grid() -> Heatmap {
        let xs: Vec<f64> = (0..15).map(|i| 0.06 + i as f64 * 0.005).collect();
        let ys: Vec<f64> = (0..12).map(|j| 0.03 + j as f64 * 0.005).collect();
        let z = ys
            .iter()
            .map(|y| {
                xs.iter()
                    .map(|x| (x - 0.06) * 400.0 - (y - 0.03) * 300.0 + 2.0)
                    .collect()
            })
            .collect();
        Heatmap {
            title: "Months payable by rate and cost growth".into(),
            x_label: "Contribution rate".into(),
            y_label: "Cost growth".into(),
            xs,
            ys,
            z,
            contours: vec![(6.0, "6 months".into()), (3.0, "3 months".into())],
            z_label: "Months payable".into(),
        }
    }

    #[test]
    fn heatmap_renders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let stem = dir.path().join("grid");
        heatmap(&stem, &grid()).expect("draw");
        check_outputs(&stem, "Months payable by rate and cost growth");
    }

    #[test]
    fn heatmap_shape_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut c = grid();
        c.z[3].pop();
        assert!(heatmap(&dir.path().join("a"), &c).is_err());
        let mut c = grid();
        c.z.pop();
        assert!(heatmap(&dir.path().join("b"), &c).is_err());
        let mut c = grid();
        c.xs.swap(0, 1);
        assert!(heatmap(&dir.path().join("c"), &c).is_err());
    }

    #[test]
    fn contour_segments_follow_crossings() {
        // 2x2 grid: left column below 5, right column above.
        let z = vec![vec![1.0, 9.0], vec![2.0, 8.0]];
        let xe = cell_edges(&[0.0, 1.0]);
        let ye = cell_edges(&[0.0, 1.0]);
        let segs = contour_segments(&z, &xe, &ye, 5.0);
        assert_eq!(
            segs,
            vec![[(0.5, -0.5), (0.5, 0.5)], [(0.5, 0.5), (0.5, 1.5)]]
        );
        assert!(contour_segments(&z, &xe, &ye, 100.0).is_empty());
    }

    #[test]
    fn bar_chart_many_bars() {
        let dir = tempfile::tempdir().expect("tempdir");
        let stem = dir.path().join("hospitals");
        let mut values: Vec<f64> = (0..170).map(|i| (i as f64 - 60.0) * 0.7).collect();
        values.sort_by(|a, b| b.total_cmp(a));
        let c = Bars {
            title: "Payment change by hospital".into(),
            y_label: "Change (%)".into(),
            labels: (0..170)
                .map(|i| format!("Hospital {i:03} long name"))
                .collect(),
            values,
        };
        bar_chart(&stem, &c).expect("draw");
        check_outputs(&stem, "Payment change by hospital");
    }

    #[test]
    fn bar_chart_mismatch_and_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = Bars {
            title: "x".into(),
            y_label: "y".into(),
            labels: vec!["a".into()],
            values: vec![1.0, 2.0],
        };
        assert!(matches!(
            bar_chart(&dir.path().join("a"), &c),
            Err(ReportError::InvalidChart { .. })
        ));
        let c = Bars {
            title: "x".into(),
            y_label: "y".into(),
            labels: vec![],
            values: vec![],
        };
        assert!(bar_chart(&dir.path().join("b"), &c).is_err());
    }

    #[test]
    fn charts_go_into_output_dir() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fin = dir.path().join("report");
        let out = super::super::atomic::OutputDir::create(&fin).expect("create");
        line_chart(&out.path().join("months"), &months_chart()).expect("draw");
        out.commit().expect("commit");
        check_outputs(&fin.join("months"), "Months payable");
    }

    fn many_scenarios() -> LineChart {
        LineChart {
            title: "Balance".into(),
            x_label: "Year".into(),
            y_label: "Yuan".into(),
            series: (0..15)
                .map(|k| Series {
                    label: format!("Scenario {k}"),
                    points: (2024..2100)
                        .map(|y| (y, 1e12 - (y - 2024) as f64 * 1e10 * k as f64))
                        .collect(),
                })
                .collect(),
            bands: vec![],
            hlines: vec![(0.0, "depleted".into())],
        }
    }

    #[test]
    fn edge_cases_render_without_panicking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        // Negative parts stack below zero.
        let mut c = stacked_bars();
        c.left[2].1 = vec![-50.0; c.years.len()];
        c.right[3].1[0] = f64::NAN;
        paired_stacked_bars(&d.join("neg"), &c).expect("negative parts");
        check_outputs(&d.join("neg"), "Revenue and expenditure");
        // Single-cell and all-NaN heat maps.
        let h = Heatmap {
            title: "One cell".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            xs: vec![0.08],
            ys: vec![0.05],
            z: vec![vec![f64::NAN]],
            contours: vec![(3.0, "3 months".into())],
            z_label: "Months".into(),
        };
        heatmap(&d.join("cell"), &h).expect("one cell");
        // Many tornado rows, one with a missing outcome.
        let mut t = tornado_data();
        t.rows = (0..30)
            .map(|i| TornadoRow {
                label: format!("Parameter {i}"),
                low_outcome: 2034.0 - (30 - i) as f64 * 0.2,
                high_outcome: if i == 5 {
                    f64::NAN
                } else {
                    2034.0 + (30 - i) as f64 * 0.1
                },
                low_setting: "low".into(),
                high_setting: "high".into(),
            })
            .collect();
        tornado(&d.join("many"), &t).expect("many rows");
        let svg = fs::read_to_string(with_suffix(&d.join("many"), ".svg")).expect("svg");
        assert!(svg.contains("Parameter 29"), "last row label missing");
        // Few short bars use horizontal labels.
        let b = Bars {
            title: "Few bars".into(),
            y_label: "Change".into(),
            labels: vec!["A".into(), "B".into(), "C".into()],
            values: vec![3.0, f64::NAN, -2.0],
        };
        bar_chart(&d.join("few"), &b).expect("few bars");
        check_outputs(&d.join("few"), "Few bars");
        // Many scenarios, huge balances.
        let l = many_scenarios();
        line_chart(&d.join("balance"), &l).expect("many series");
        check_outputs(&d.join("balance"), "Balance");
    }

    #[test]
    fn unwritable_output_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("file");
        fs::write(&file, "x").expect("write");
        let e = line_chart(&file.join("months"), &months_chart()).expect_err("parent is a file");
        assert!(e.to_string().contains("choose another --out"), "{e}");
    }

    /// Render every sample chart into `$DRGSIM_CHART_DIR` for visual review:
    /// `DRGSIM_CHART_DIR=/tmp/charts cargo test sample_gallery -- --ignored`.
    #[test]
    #[ignore = "writes sample charts for visual review"]
    fn sample_gallery() {
        let dir = PathBuf::from(std::env::var("DRGSIM_CHART_DIR").expect("set DRGSIM_CHART_DIR"));
        fs::create_dir_all(&dir).expect("mkdir");
        line_chart(&dir.join("months"), &months_chart()).expect("months");
        paired_stacked_bars(&dir.join("flows"), &stacked_bars()).expect("flows");
        stacked_area(&dir.join("members"), &age_bands()).expect("members");
        fan_chart(&dir.join("fan"), &fan()).expect("fan");
        tornado(&dir.join("tornado"), &tornado_data()).expect("tornado");
        heatmap(&dir.join("grid"), &grid()).expect("grid");
        let mut values: Vec<f64> = (0..170).map(|i| (i as f64 - 60.0) * 0.7).collect();
        values.sort_by(|a, b| b.total_cmp(a));
        let bars = Bars {
            title: "Payment change by hospital".into(),
            y_label: "Change (%)".into(),
            labels: (0..170)
                .map(|i| format!("Hospital {i:03} long name"))
                .collect(),
            values,
        };
        bar_chart(&dir.join("hospitals"), &bars).expect("bars");
        line_chart(&dir.join("balance"), &many_scenarios()).expect("balance");
    }

    #[test]
    fn year_ticks_are_round() {
        assert_eq!(year_ticks(2024, 2026, 15), vec![2024.0, 2025.0, 2026.0]);
        let t = year_ticks(2024, 2100, 15);
        assert!(
            t.len() <= 15 && t.iter().all(|y| *y as i32 % 10 == 0),
            "{t:?}"
        );
        assert_eq!(year_ticks(2025, 2025, 15), vec![2025.0]);
        // Extreme years neither overflow nor produce too many ticks.
        assert!(year_ticks(i32::MIN, i32::MAX, 15).len() <= 16);
        assert_eq!(truncate_label("abcdef", 4), "abc…");
        assert_eq!(truncate_label("abc", 4), "abc");
    }

    #[test]
    fn value_range_includes_zero_and_pads() {
        let (lo, hi) = value_range([5.0, 10.0, f64::NAN].into_iter(), true);
        assert_eq!(lo, 0.0);
        assert!(hi > 10.0);
        let (lo, hi) = value_range([-3.0, f64::INFINITY].into_iter(), true);
        assert!(lo < -3.0 && hi >= 0.0);
        let (lo, hi) = value_range(std::iter::empty(), true);
        assert!(lo < hi);
    }
}
