//! Line chart: series over years, bands, depletion markers, shortfall shading.

use super::*;

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
        // The legend sits outside the plot on the right so it hides no data.
        let widest = self
            .series
            .iter()
            .map(|s| s.label.as_str())
            .chain(self.bands.iter().map(|b| b.label.as_str()))
            .chain(self.shade_negative.as_deref())
            .map(text_em)
            .fold(0.0, f64::max);
        let (plot, legend_area) = {
            let r = root
                .margin(12, 0, 0, 0)
                .titled(&self.title, title_style(&self.title))
                .s()?;
            let (w, _) = r.dim_in_pixel();
            let want = (widest * 15.0 + 60.0).clamp(140.0, f64::from(w) / 3.0) as u32;
            r.split_horizontally(w - want)
        };
        let mut chart = ChartBuilder::on(&plot)
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
        if self.shade_negative.is_some() {
            for s in &self.series {
                for run in finite_runs(s.points.iter().map(|&(x, y)| (f64::from(x), y))) {
                    let neg: Vec<(f64, f64)> = run.iter().map(|&(x, y)| (x, y.min(0.0))).collect();
                    if neg.iter().any(|p| p.1 < 0.0) {
                        chart
                            .draw_series(AreaSeries::new(neg, 0.0, DANGER_FILL.mix(0.35)))
                            .s()?;
                    }
                }
            }
        }
        draw_zero_line(&mut chart, (x0, x1), (y0, y1))?;
        for (i, (year, label)) in self.markers.iter().enumerate() {
            let x = f64::from(*year);
            if x < x0 || x > x1 {
                continue;
            }
            let style = DANGER_FILL.stroke_width(2);
            chart
                .draw_series(DashedLineSeries::new([(x, y0), (x, y1)], 6, 5, style))
                .s()?;
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((x, y1))
                        + Text::new(
                            label.clone(),
                            // Stacked downwards so markers of nearby years do not overprint.
                            (-6, 6 + 22 * i as i32),
                            text_style(15.0)
                                .color(&DANGER_FILL)
                                .pos(Pos::new(HPos::Right, VPos::Top)),
                        ),
                ))
                .s()?;
        }
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
        let entries: Vec<(String, Swatch)> = self
            .bands
            .iter()
            .map(|b| (b.label.clone(), Swatch::Box(b.color.mix(0.45))))
            .chain(
                self.shade_negative
                    .iter()
                    .map(|l| (l.clone(), Swatch::Box(DANGER_FILL.mix(0.35)))),
            )
            .chain(
                self.series
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.label.clone(), Swatch::Line(series_color(i)))),
            )
            .collect();
        draw_side_legend(&legend_area, &entries)
    }
}
