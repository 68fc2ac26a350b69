//! Stacked areas: members by age band.

use super::*;

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
