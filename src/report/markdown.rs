//! GitHub-flavoured Markdown tables and number formatting for reports.

/// Format `x` with `decimals` decimal places and `,` thousands separators,
/// e.g. `fmt_num(140688.351, 2) == "140,688.35"`, `fmt_num(-1234.0, 0) == "-1,234"`.
///
/// NaN gives `"n/a"`, infinities give `"inf"` / `"-inf"`. A value that rounds
/// to zero is printed without a minus sign.
pub fn fmt_num(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        return "n/a".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s.as_str(), None),
    };
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    let is_zero = s.chars().all(|c| c == '0' || c == '.');
    if x < 0.0 && !is_zero {
        out.push('-');
    }
    let n = int.len();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (n - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// Does a table cell look like a number (`-1,234.5`, `12%`, `+3`, `1e6`)?
fn looks_numeric(cell: &str) -> bool {
    let t = cell.trim();
    let t = t.strip_suffix('%').unwrap_or(t);
    let t: String = t.chars().filter(|&c| c != ',').collect();
    !t.is_empty() && t.parse::<f64>().is_ok()
}

/// Cells that do not decide a column's alignment.
fn is_placeholder(cell: &str) -> bool {
    matches!(cell.trim(), "" | "n/a" | "-" | "inf" | "-inf")
}

/// Escape characters that would break a Markdown table cell.
fn escape(cell: &str) -> String {
    cell.replace('|', "\\|").replace('\n', " ")
}

/// Render a GitHub Markdown table.
///
/// Columns whose cells all look numeric (ignoring empty cells and `n/a`) are
/// right-aligned. Short rows are padded with empty cells; rows longer than the
/// header get extra unnamed columns. `|` in cells is escaped. The result ends
/// with a newline.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let ncol = rows
        .iter()
        .map(Vec::len)
        .chain(std::iter::once(headers.len()))
        .max()
        .unwrap_or(0);
    if ncol == 0 {
        return String::new();
    }
    let head: Vec<String> = (0..ncol)
        .map(|i| headers.get(i).map(|h| escape(h)).unwrap_or_default())
        .collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            (0..ncol)
                .map(|i| r.get(i).map(|c| escape(c)).unwrap_or_default())
                .collect()
        })
        .collect();
    let numeric: Vec<bool> = (0..ncol)
        .map(|i| {
            let mut any = false;
            for r in &body {
                let c = &r[i];
                if is_placeholder(c) {
                    continue;
                }
                if !looks_numeric(c) {
                    return false;
                }
                any = true;
            }
            any
        })
        .collect();
    let width: Vec<usize> = (0..ncol)
        .map(|i| {
            body.iter()
                .map(|r| r[i].chars().count())
                .chain(std::iter::once(head[i].chars().count()))
                .max()
                .unwrap_or(0)
                .max(3)
        })
        .collect();
    let pad = |s: &str, i: usize| -> String {
        let fill = width[i].saturating_sub(s.chars().count());
        if numeric[i] {
            format!("{}{}", " ".repeat(fill), s)
        } else {
            format!("{}{}", s, " ".repeat(fill))
        }
    };
    let line = |cells: &[String]| -> String {
        let inner: Vec<String> = cells.iter().enumerate().map(|(i, c)| pad(c, i)).collect();
        format!("| {} |\n", inner.join(" | "))
    };
    let mut out = line(&head);
    let seps: Vec<String> = (0..ncol)
        .map(|i| {
            if numeric[i] {
                format!("{}:", "-".repeat(width[i] - 1))
            } else {
                "-".repeat(width[i])
            }
        })
        .collect();
    out.push_str(&format!("| {} |\n", seps.join(" | ")));
    for r in &body {
        out.push_str(&line(r));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmt_num_examples() {
        assert_eq!(fmt_num(140688.351, 2), "140,688.35");
        assert_eq!(fmt_num(0.0, 2), "0.00");
        assert_eq!(fmt_num(999.0, 0), "999");
        assert_eq!(fmt_num(1000.0, 0), "1,000");
        assert_eq!(fmt_num(-1234567.891, 1), "-1,234,567.9");
        assert_eq!(fmt_num(-0.001, 2), "0.00");
        assert_eq!(fmt_num(f64::NAN, 2), "n/a");
        assert_eq!(fmt_num(f64::NEG_INFINITY, 2), "-inf");
        assert_eq!(fmt_num(12.5, 0), "12");
    }

    #[test]
    fn table_aligns_numeric_columns() {
        let t = table(
            &["Year", "Fund", "Balance"],
            &[
                vec!["2025".into(), "Urban | employees".into(), "1,234.50".into()],
                vec!["2026".into(), "Rural".into(), "n/a".into()],
            ],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], "| Year | Fund               |  Balance |");
        assert_eq!(lines[1], "| ---: | ------------------ | -------: |");
        assert_eq!(lines[2], "| 2025 | Urban \\| employees | 1,234.50 |");
        assert_eq!(lines[3], "| 2026 | Rural              |      n/a |");
    }

    #[test]
    fn table_pads_short_rows() {
        let t = table(&["a", "b"], &[vec!["x".into()]]);
        assert_eq!(t, "| a   | b   |\n| --- | --- |\n| x   |     |\n");
    }
}
