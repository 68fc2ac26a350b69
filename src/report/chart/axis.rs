//! Shared axis, range, tick, palette, text and legend helpers of every chart.

use super::*;

/// Red of danger markers and shortfall shading.
pub(super) const DANGER_FILL: RGBColor = RGBColor(200, 30, 30);

/// Tableau-10 colours for series.
pub(super) const PALETTE: [RGBColor; 10] = [
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
pub(super) const PALETTE2: [RGBColor; 10] = [
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
pub(super) fn series_color(i: usize) -> RGBColor {
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
pub(super) fn ramp(stops: &[(u8, u8, u8)], t: f64) -> RGBColor {
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
pub(super) const SEQUENTIAL: [(u8, u8, u8); 5] = [
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
];

/// Red-yellow-green diverging ramp.
pub(super) const DIVERGING: [(u8, u8, u8); 7] = [
    (165, 0, 38),
    (244, 109, 67),
    (253, 174, 97),
    (255, 255, 191),
    (166, 217, 106),
    (26, 152, 80),
    (0, 104, 55),
];

/// Width of `s` in em: CJK and full-width characters are 1 em, Latin text
/// averages about 0.55 em a character.
pub fn text_em(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 1.0 } else { 0.55 })
        .sum()
}

/// Title font: 28 px, smaller for a long title so it fits the chart's width.
pub(super) fn title_style(title: &str) -> TextStyle<'static> {
    let em = text_em(title).max(0.6);
    let fit = (CHART_SIZE.0 as f64 - 60.0) / em;
    FontDesc::new(
        FontFamily::Name(FONT),
        even_px(fit.clamp(14.0, 28.0)),
        FontStyle::Bold,
    )
    .into()
}

/// Font sizes are snapped to even pixels: plotters' ab_glyph backend places a
/// glyph at `trunc(size / 2 + top)`, which for an odd or fractional size
/// rounds tall and short glyphs differently and makes letters hop by a pixel.
pub(super) fn even_px(size: f64) -> f64 {
    ((size / 2.0).round() * 2.0).max(2.0)
}

pub(super) fn text_style(size: f64) -> TextStyle<'static> {
    FontDesc::new(FontFamily::Name(FONT), even_px(size), FontStyle::Normal).into()
}

/// Finite min/max of `values` (optionally including 0), padded by 5 %.
pub(super) fn value_range(values: impl Iterator<Item = f64>, include_zero: bool) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(lo.abs()).max(1.0) {
        let d = (hi.abs() * 0.1).max(1.0);
        return (lo - d, hi + d);
    }
    let pad = (hi - lo) * 0.05;
    let lo = if lo == 0.0 { 0.0 } else { lo - pad };
    (lo, hi + pad)
}

/// Number of decimals for axis ticks over `[lo, hi]`.
pub(super) fn tick_decimals(lo: f64, hi: f64) -> usize {
    let step = (hi - lo).abs() / 10.0;
    if !step.is_finite() || step <= 0.0 || step >= 1.0 {
        0
    } else {
        ((-step.log10()).ceil() as usize).min(6)
    }
}

/// Axis tick text: thousands separators only from 10,000 up, so that years and
/// other four-digit values read naturally (`2034`, `2500`, `12,500`).
pub(super) fn axis_num(v: f64, decimals: usize) -> String {
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
pub(super) fn axis_fmt(lo: f64, hi: f64) -> impl Fn(&f64) -> String {
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
pub(super) fn plain_num(v: f64) -> String {
    if v.fract() == 0.0 {
        axis_num(v, 0)
    } else {
        let s = axis_num(v, 3);
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Year tick positions between `lo` and `hi` (inclusive), at most about `max` of them,
/// on multiples of a round step.
pub(super) fn year_ticks(lo: i32, hi: i32, max: usize) -> Vec<f64> {
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
pub(super) fn truncate_label(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

/// Index tick positions `0, k, 2k, ...` below `n` with at most about `max` ticks.
pub(super) fn index_ticks(n: usize, max: usize) -> Vec<f64> {
    let k = n.div_ceil(max.max(1)).max(1);
    (0..n).step_by(k).map(|i| i as f64).collect()
}

/// Check every vector in `parts` has length `n`.
pub(super) fn check_lengths<'a>(
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
pub(super) fn band_edges(bands: &[HBand]) -> impl Iterator<Item = f64> + '_ {
    bands.iter().flat_map(|b| [b.lo, b.hi])
}

pub(super) type Chart2d<'a, DB, X, Y> = ChartContext<'a, DB, Cartesian2d<X, Y>>;

/// A linear f64 axis with explicit tick positions (years, category indices).
///
/// plotters' `WithKeyPoints<RangedCoordf64>` has no value formatter, so it cannot
/// be used with `configure_mesh`; this axis formats through the mesh's formatter.
#[derive(Debug, Clone)]
pub(super) struct TickAxis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl TickAxis {
    pub(super) fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Self {
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
pub(super) fn draw_bands<
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
pub(super) fn draw_zero_line<
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
pub(super) fn draw_legend<
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

/// Legend swatch for [`draw_side_legend`].
pub(super) enum Swatch {
    /// A line sample in this colour.
    Line(RGBColor),
    /// A filled box in this colour.
    Box(RGBAColor),
}

/// Draw a legend as a column of entries in `area` (pixel coordinates),
/// shrinking rows and font when there are many entries.
pub(super) fn draw_side_legend<DB: DrawingBackend>(
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

/// A drawing area in pixel coordinates.
pub(super) type Area<DB> = DrawingArea<DB, Shift>;

/// Title `root`, then split it into the plot area and a legend column on the
/// right wide enough for the longest of `labels` (at most a third of the width).
pub(super) fn titled_split<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    labels: impl Iterator<Item = &'a str>,
) -> Result<(Area<DB>, Area<DB>), String> {
    let widest = labels.map(text_em).fold(0.0, f64::max);
    let r = root
        .margin(12, 0, 0, 0)
        .titled(title, title_style(title))
        .s()?;
    let (w, _) = r.dim_in_pixel();
    let want = (widest * 15.0 + 60.0).clamp(140.0, f64::from(w) / 3.0) as u32;
    Ok(r.split_horizontally(w - want))
}

/// Split `(x, value)` points into runs of consecutive finite values.
pub(super) fn finite_runs(points: impl Iterator<Item = (f64, f64)>) -> Vec<Vec<(f64, f64)>> {
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
pub(super) fn year_x_range(min: i32, max: i32) -> (f64, f64) {
    if min == max {
        (f64::from(min) - 1.0, f64::from(max) + 1.0)
    } else {
        (f64::from(min), f64::from(max))
    }
}

/// Stack parts per year: for each part, per year, the `(bottom, top)` segment.
/// Positive values stack up from 0, negative values down from 0; non-finite values count as 0.
pub(super) fn stack_segments(parts: &[(String, Vec<f64>)], n: usize) -> Vec<Vec<(f64, f64)>> {
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
