//! Bars per category, or a ranked distribution when there are many.

use super::*;

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
        if self.values.len() > BAR_LABEL_LIMIT {
            return self.draw_distribution(root);
        }
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

/// Above this many bars, [`Bars`] draws a ranked distribution without a label per bar.
pub const BAR_LABEL_LIMIT: usize = 40;

impl Bars {
    /// Ranked distribution: values in the given (sorted) order as a filled
    /// profile, x = rank 1..n, the first and last `extremes` named.
    fn draw_distribution<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).s()?;
        let n = self.values.len();
        let (y0, y1) = value_range(self.values.iter().copied(), true);
        let (x0, x1) = (0.5, n as f64 + 0.5);
        let yfmt = axis_fmt(y0, y1);
        let k = self.extremes.min(n / 2);
        // The named extremes go in a column beside the plot, never over the data.
        let (plot, side) = if k > 0 {
            let (p, s) = titled_split(
                root,
                &self.title,
                std::iter::once("XXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
            )?;
            (p, Some(s))
        } else {
            (
                root.titled(&self.title, title_style(&self.title)).s()?,
                None,
            )
        };
        let mut chart = ChartBuilder::on(&plot)
            .margin(20)
            .x_label_area_size(55)
            .y_label_area_size(100)
            .build_cartesian_2d(x0..x1, y0..y1)
            .s()?;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_labels(10)
            .x_label_formatter(&|v| fmt_num(v.round(), 0))
            .y_label_formatter(&yfmt)
            .y_labels(10)
            .label_style(text_style(15.0))
            .axis_desc_style(text_style(18.0))
            .bold_line_style(BLACK.mix(0.12))
            .light_line_style(TRANSPARENT)
            .draw()
            .s()?;
        let pos = RGBColor(26, 152, 80);
        let neg = RGBColor(215, 48, 39);
        // One thin rectangle per category; at thousands of categories they
        // merge into a filled profile, which is the point.
        chart
            .draw_series(
                self.values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_finite())
                    .map(|(i, &v)| {
                        let x = i as f64 + 1.0;
                        let color = if v >= 0.0 { pos } else { neg };
                        Rectangle::new([(x - 0.5, 0.0), (x + 0.5, v)], color.filled())
                    }),
            )
            .s()?;
        draw_zero_line(&mut chart, (x0, x1), (y0, y1))?;
        let Some(side) = side else {
            return Ok(());
        };
        let decimals = if y1.abs().max(y0.abs()) < 10.0 { 2 } else { 1 };
        let entry = |i: usize| {
            let v = self.values[i];
            let sign = if v > 0.0 { "+" } else { "" };
            format!(
                "{}  {sign}{}",
                truncate_label(&self.labels[i], 16),
                fmt_num(v, decimals)
            )
        };
        let top: Vec<String> = (0..k).map(entry).collect();
        let bottom: Vec<String> = (n - k..n).rev().map(entry).collect();
        let mut y = 40;
        for (title, lines, color) in [
            (&self.extreme_titles.0, &top, pos),
            (&self.extreme_titles.1, &bottom, neg),
        ] {
            side.draw(&Text::new(
                title.clone(),
                (10, y),
                text_style(16.0).color(&color),
            ))
            .s()?;
            y += 26;
            for l in lines {
                side.draw(&Text::new(l.clone(), (18, y), text_style(14.0)))
                    .s()?;
                y += 21;
            }
            y += 20;
        }
        Ok(())
    }
}
