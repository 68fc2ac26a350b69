//! Tornado (one-way sensitivity) chart.

use super::*;

/// Tornado row labels longer than this are shortened.
pub(super) const TORNADO_LABEL_CHARS: usize = 40;

/// Where the label of the narrower of two bars on one side of the base goes.
#[derive(Clone, Copy)]
enum Inner {
    /// At its bar's end, outside it (the usual place).
    Normal,
    /// The bar has no width: on the empty side of the base.
    OtherSide,
    /// In white, inside the wider bar just past the narrower bar's end.
    White,
}

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
        // Outcomes clipped at a floor of 0 (months payable at the depletion
        // line): no negative tick labels in the margin left of 0.
        let floored = lo >= 0.0;
        let raw_fmt = axis_fmt(x0, x1);
        // Whole-number outcomes (years) get whole-number ticks, no separators.
        let whole = base.fract() == 0.0
            && rows.iter().all(|r| {
                [r.low_outcome, r.high_outcome]
                    .iter()
                    .all(|v| !v.is_finite() || v.fract() == 0.0)
            })
            && lo > 1000.0;
        let xfmt = move |v: &f64| {
            if floored && *v < -1e-9 {
                String::new()
            } else if whole {
                if (v - v.round()).abs() < 1e-9 {
                    format!("{:.0}", v.round())
                } else {
                    String::new()
                }
            } else {
                raw_fmt(v)
            }
        };
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
        // Pixels per unit of the outcome axis (to test whether a label fits in a bar).
        let (px, _) = chart.plotting_area().get_pixel_range();
        let px_per_unit = f64::from(px.end - px.start) / (x1 - x0);
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
            // An outcome within rounding of the base case counts as the base case,
            // so the low setting is labelled left of it and the high one right.
            let tol = 1e-9 * base.abs().max(1.0);
            let right_of =
                |v: f64, is_high: bool| v - base > tol || ((v - base).abs() <= tol && is_high);
            // Both settings on one side and close together: one label "low / high"
            // at the farther end instead of two printed over each other.
            let same_side = r.low_outcome.is_finite()
                && r.high_outcome.is_finite()
                && right_of(r.low_outcome, false) == right_of(r.high_outcome, true);
            let mut shared = same_side && (r.low_outcome - r.high_outcome).abs() < 0.15 * span;
            // On one side but far apart, the narrower bar's label would sit
            // inside the wider bar: at the base it goes to the empty side of
            // the base, otherwise in white inside the wider bar where it fits,
            // else the two share the label at the far end.
            let mut inner = Inner::Normal;
            if same_side && !shared {
                let (near, near_setting) =
                    if (r.low_outcome - base).abs() <= (r.high_outcome - base).abs() {
                        (r.low_outcome, &r.low_setting)
                    } else {
                        (r.high_outcome, &r.high_setting)
                    };
                let far = if near == r.low_outcome {
                    r.high_outcome
                } else {
                    r.low_outcome
                };
                inner = if (near - base).abs() <= tol {
                    Inner::OtherSide
                } else {
                    let (w, _) = root
                        .estimate_text_size(near_setting, &text_style(font - 1.0))
                        .s()?;
                    let room = (far - near).abs() * px_per_unit;
                    if f64::from(w) + 12.0 <= room {
                        Inner::White
                    } else {
                        shared = true;
                        Inner::Normal
                    }
                };
            }
            for (k, (v, color, setting, is_high)) in bars.into_iter().enumerate() {
                if !v.is_finite() {
                    continue;
                }
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(base, y - half), (v, y + half)],
                        color.filled(),
                    )))
                    .s()?;
                let setting = match (shared, k) {
                    (false, _) => setting.clone(),
                    (true, 0) => format!("{} / {}", r.low_setting, r.high_setting),
                    (true, _) => continue,
                };
                let mut right = right_of(v, is_high);
                let mut style = text_style(font - 1.0);
                if k == 1 {
                    match inner {
                        Inner::Normal => {}
                        Inner::OtherSide => right = !right,
                        Inner::White => style = style.color(&WHITE),
                    }
                }
                let (dx, hpos) = if right {
                    (5, HPos::Left)
                } else {
                    (-5, HPos::Right)
                };
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((v, y))
                            + Text::new(setting, (dx, 0), style.pos(Pos::new(hpos, VPos::Center))),
                    ))
                    .s()?;
            }
        }
        // The depletion line, where some setting's outcome sits at the floor.
        if floored && lo <= 0.0 && base > 0.0 {
            let red = RGBColor(200, 30, 30);
            let s = chart
                .draw_series(LineSeries::new([(0.0, y0), (0.0, y1)], red.stroke_width(2)))
                .s()?;
            if let Some(word) = self.legend.get(3) {
                s.label(word.as_str()).legend(move |(x, y)| {
                    PathElement::new([(x + 10, y - 7), (x + 10, y + 7)], red.stroke_width(2))
                });
            }
        }
        chart
            .draw_series(LineSeries::new(
                [(base, y0), (base, y1)],
                BLACK.stroke_width(2),
            ))
            .s()?
            .label(format!(
                "{}: {}",
                self.legend.first().map_or("base case", String::as_str),
                plain_num(base)
            ))
            .legend(|(x, y)| {
                PathElement::new([(x + 10, y - 7), (x + 10, y + 7)], BLACK.stroke_width(2))
            });
        let word = |i: usize, d: &'static str| self.legend.get(i).map_or(d, String::as_str);
        for (label, color) in [
            (word(1, "low setting"), low_color),
            (word(2, "high setting"), high_color),
        ] {
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
