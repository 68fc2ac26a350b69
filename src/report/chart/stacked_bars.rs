//! Paired stacked bars: revenue beside expenditure per year.

use super::*;

pub(super) const LEFT_COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(23, 190, 207),
    RGBColor(148, 103, 189),
    RGBColor(174, 199, 232),
    RGBColor(152, 223, 138),
];

pub(super) const RIGHT_COLORS: [RGBColor; 6] = [
    RGBColor(214, 39, 40),
    RGBColor(255, 127, 14),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(255, 152, 150),
    RGBColor(255, 187, 120),
];

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
        let legend: Vec<(String, Swatch)> = [
            (&self.left, &self.left_name, &LEFT_COLORS),
            (&self.right, &self.right_name, &RIGHT_COLORS),
        ]
        .into_iter()
        .flat_map(|(parts, side, colors)| {
            parts.iter().enumerate().map(move |(k, (name, _))| {
                let c = colors[k % colors.len()];
                (format!("{side}: {name}"), Swatch::Box(c.to_rgba()))
            })
        })
        .collect();
        let (plot, legend_area) =
            titled_split(root, &self.title, legend.iter().map(|e| e.0.as_str()))?;
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
        let mut chart = ChartBuilder::on(&plot)
            .margin(20)
            .x_label_area_size(55)
            .y_label_area_size(100)
            .build_cartesian_2d(TickAxis::new(x0, x1, index_ticks(n, 20)), y0..y1)
            .s()?;
        chart
            .configure_mesh()
            .x_labels(20)
            .x_desc(if self.x_label.is_empty() {
                "Year"
            } else {
                self.x_label.as_str()
            })
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
        draw_side_legend(&legend_area, &legend)
    }
}
