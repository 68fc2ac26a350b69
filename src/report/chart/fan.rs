//! Monte Carlo fan chart.

use super::*;

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
        let legend = |i: usize, default: &str| {
            self.legend
                .get(i)
                .cloned()
                .unwrap_or_else(|| default.to_string())
        };
        let base = RGBColor(31, 119, 180);
        let entries: Vec<(String, Swatch)> = self
            .bands
            .iter()
            .map(|b| (b.label.clone(), Swatch::Box(b.color.mix(0.45))))
            .chain([
                (legend(0, "5-95% of runs"), Swatch::Box(base.mix(0.22))),
                (legend(1, "25-75% of runs"), Swatch::Box(base.mix(0.45))),
                (legend(2, "median"), Swatch::Line(RGBColor(8, 48, 107))),
            ])
            .collect();
        let (plot, legend_area) =
            titled_split(root, &self.title, entries.iter().map(|e| e.0.as_str()))?;
        let mut chart = ChartBuilder::on(&plot)
            .margin(20)
            .x_label_area_size(55)
            .y_label_area_size(100)
            .build_cartesian_2d(TickAxis::new(x0, x1, year_ticks(ymin, ymax, 15)), y0..y1)
            .s()?;
        chart
            .configure_mesh()
            .x_desc(if self.x_label.is_empty() {
                "Year"
            } else {
                self.x_label.as_str()
            })
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
        let xs: Vec<f64> = self.years.iter().map(|&y| f64::from(y)).collect();
        for (lo, hi, alpha, label) in [
            (&self.p05, &self.p95, 0.22, legend(0, "5-95% of runs")),
            (&self.p25, &self.p75, 0.45, legend(1, "25-75% of runs")),
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
            .label(legend(2, "median"))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
        draw_side_legend(&legend_area, &entries)
    }
}
