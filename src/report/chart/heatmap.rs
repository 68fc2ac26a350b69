//! Heat map with contour lines.

use super::*;

/// Cell edges around strictly increasing centres.
pub(super) fn cell_edges(c: &[f64]) -> Vec<f64> {
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
pub(super) fn contour_segments(
    z: &[Vec<f64>],
    xe: &[f64],
    ye: &[f64],
    level: f64,
) -> Vec<[(f64, f64); 2]> {
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

pub(super) const CONTOUR_COLORS: [RGBColor; 4] = [
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
