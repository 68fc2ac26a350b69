//! `report.html`: one self-contained file (inline CSS and SVG charts, no
//! script, no network) with the summary, the charts, the tables, the
//! assumptions and the sources. Readable on a phone (the charts scale to the
//! screen width, wide tables scroll sideways) and printable on A4 (`@page`,
//! one chart per page break avoided).

use super::ReportError;
use super::labels::{self, Key, Lang, Style};
use super::projection::{FUND_TABLE_COLUMNS, assumptions, chart_stems, fund_label, summary_table};
use crate::fund::YearRow;
use crate::projection::{Model, Projection};
use std::fmt::Write as _;
use std::path::Path;

/// Escape text for HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const CSS: &str = r#"
:root { --ink:#1a1a1a; --muted:#5a5a5a; --line:#d9dee5; --head:#eef3f9; --warn:#b26b00; --danger:#b71c1c; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 16px; color: var(--ink);
  font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Helvetica Neue", Arial, sans-serif;
  line-height: 1.6; font-size: 16px; }
svg text { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", Arial, sans-serif; }
h1 { font-size: 1.6em; margin: .3em 0; }
h2 { font-size: 1.25em; border-bottom: 2px solid var(--line); padding-bottom: .2em; margin-top: 1.6em; }
h3 { font-size: 1.05em; }
p.meta, p.note { color: var(--muted); margin: .3em 0; }
p.note { border-left: 4px solid var(--warn); padding-left: .6em; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .92em; }
th, td { border: 1px solid var(--line); padding: .3em .55em; }
th { background: var(--head); font-weight: 600; min-width: 5.5em; }
td:first-child { min-width: 9em; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.s-预警, td.s-warning { color: var(--warn); font-weight: 600; }
td.s-危险, td.s-danger, td.s-穿底, td.s-depleted { color: var(--danger); font-weight: 600; }
figure { margin: 1em 0; page-break-inside: avoid; break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: .9em; }
code { font-size: .85em; color: var(--muted); word-break: break-all; }
footer { color: var(--muted); font-size: .85em; margin-top: 2em; }
@media (max-width: 600px) { body { padding: 8px; font-size: 15px; } h1 { font-size: 1.3em; } }
@page { size: A4; margin: 15mm 12mm; }
@media print { body { max-width: none; padding: 0; font-size: 10.5pt; } h2 { page-break-after: avoid; break-after: avoid; }
  .scroll { overflow: visible; } table { font-size: 8.5pt; } }
"#;

/// Is this cell a number (for right alignment)?
fn numeric(cell: &str) -> bool {
    let t: String = cell
        .trim()
        .trim_end_matches('%')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    !t.is_empty() && t.parse::<f64>().is_ok()
}

/// An HTML table.
pub fn table(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<div class=\"scroll\"><table><thead><tr>");
    for h in headers {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let class = if numeric(c) {
                " class=\"n\"".to_string()
            } else if matches!(
                c.as_str(),
                "预警" | "危险" | "穿底" | "warning" | "danger" | "depleted"
            ) {
                format!(" class=\"s-{c}\"")
            } else {
                String::new()
            };
            let _ = write!(s, "<td{class}>{}</td>", esc(c));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>\n");
    s
}

/// A document: head with the CSS, then `body`.
pub fn page(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\" />\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}<footer>{}</footer>\n</body>\n</html>\n",
        if lang == Lang::Zh { "zh-CN" } else { "en" },
        esc(title),
        labels::Key::GeneratedBy.get(lang)
    )
}

/// A chart figure: the SVG file `{stem}.svg` in `dir`, inlined, with an id
/// `chart-{stem}` and its title as the caption.
pub fn figure(dir: &Path, stem: &str) -> Result<String, ReportError> {
    let path = dir.join(format!("{stem}.svg"));
    let svg = std::fs::read_to_string(&path).map_err(|e| ReportError::Write {
        path: path.clone(),
        source: e,
    })?;
    // Drop any XML prolog; give the SVG an id and an accessible role.
    let start = svg.find("<svg").unwrap_or(0);
    let svg = svg[start..].replacen(
        "<svg ",
        &format!("<svg id=\"chart-{stem}\" role=\"img\" "),
        1,
    );
    Ok(format!("<figure>\n{svg}\n</figure>\n"))
}

/// Writes `report.html` for `drgsim run`, inlining the charts already
/// written into `dir`.
pub fn write_run_report(
    dir: &Path,
    model: &Model,
    projection: &Projection,
    style: Style,
) -> Result<(), ReportError> {
    let figures = chart_stems(projection)
        .into_iter()
        .map(|stem| figure(dir, &stem))
        .collect::<Result<Vec<_>, _>>()?;
    let html = run_report_html(Some(dir), model, projection, style, &figures)?;
    super::atomic::write_atomic(&dir.join("report.html"), html.as_bytes())
}

/// The run report built in memory, with the charts drawn in memory
/// ([`super::projection::chart_svgs`]); nothing is written.
pub fn run_report_in_memory(
    model: &Model,
    projection: &Projection,
    style: Style,
) -> Result<String, ReportError> {
    let figures: Vec<String> = super::projection::chart_svgs(model, projection, style)?
        .into_iter()
        .map(|(stem, svg)| figure_from_svg(&stem, &svg))
        .collect();
    run_report_html(None, model, projection, style, &figures)
}

/// A chart figure from SVG text (see [`figure`]).
fn figure_from_svg(stem: &str, svg: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let svg = svg[start..].replacen(
        "<svg ",
        &format!("<svg id=\"chart-{stem}\" role=\"img\" "),
        1,
    );
    format!("<figure>\n{svg}\n</figure>\n")
}

/// The run report's HTML with `figures` (already `<figure>` blocks) as its
/// charts; `dir` is the output folder, if any, for charts the policy-rules
/// Markdown refers to.
fn run_report_html(
    dir: Option<&Path>,
    model: &Model,
    projection: &Projection,
    style: Style,
    figures: &[String],
) -> Result<String, ReportError> {
    let lang = style.lang;
    let name = labels::scenario_name(model, lang);
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{}</h1>", esc(&name));
    let period = match lang {
        Lang::Zh => format!(
            "预测期 {}–{} 年 · 可支付月数低于 {} 个月为预警、低于 {} 个月为危险 · 金额单位：{}",
            model.years.base_year,
            model.years.horizon,
            model.thresholds.warning,
            model.thresholds.danger,
            style.unit.name(lang)
        ),
        Lang::En => format!(
            "Projection {}–{} · warning below {} months payable, danger below {} · amounts in {}",
            model.years.base_year,
            model.years.horizon,
            model.thresholds.warning,
            model.thresholds.danger,
            style.unit.name(lang)
        ),
    };
    let _ = writeln!(b, "<p class=\"meta\">{}</p>", esc(&period));
    if lang == Lang::En && !model.description.is_empty() {
        let _ = writeln!(b, "<p>{}</p>", esc(&model.description));
    }
    let _ = writeln!(
        b,
        "<p class=\"note\">{}</p>",
        inline(&super::projection::view_note(model, lang))
    );

    let _ = writeln!(b, "<h2>{}</h2>", esc(style.t(Key::Summary)));
    let (h, rows) = summary_table(model, projection, style);
    b.push_str(&table(&h, &rows));

    let _ = writeln!(b, "<h2>{}</h2>", esc(style.t(Key::Charts)));
    for f in figures {
        b.push_str(f);
    }

    let _ = writeln!(b, "<h2>{}</h2>", esc(style.t(Key::Projection)));
    for f in &projection.funds {
        let _ = writeln!(b, "<h3>{}</h3>", esc(&fund_label(model, f, lang)));
        let mut headers = vec![style.t(Key::Indicator).to_string()];
        headers.extend(f.rows.iter().map(|r| r.year.to_string()));
        let mut rows: Vec<Vec<String>> = FUND_TABLE_COLUMNS
            .iter()
            .filter(|c| **c != "active_retired_ratio" || f.rows.iter().any(|r| r.retirees > 0.0))
            .filter_map(|c| super::headers::column(c))
            .map(|c| {
                let mut row = vec![c.header(style)];
                row.extend(
                    f.rows
                        .iter()
                        .map(|r: &YearRow| c.text(style, r.get(c.key).unwrap_or(f64::NAN))),
                );
                row
            })
            .collect();
        let mut status = vec![style.t(Key::Status).to_string()];
        status.extend(
            f.rows
                .iter()
                .map(|r| labels::status_word(r.status, lang).to_string()),
        );
        rows.push(status);
        b.push_str(&table(&headers, &rows));
    }

    // Policy rules: both views and each firing (English for now).
    let rules = super::history::summary_section(model, projection, style)
        + &super::rules::summary_section(model, projection, style);
    if !rules.is_empty() {
        match dir {
            Some(dir) => b.push_str(&md_to_html(dir, &rules, &mut Vec::new())?),
            None => b.push_str(&md_to_html_no_charts(&rules)),
        }
    }

    let _ = writeln!(b, "<h2>{}</h2>", esc(style.t(Key::Assumptions)));
    let headers = vec![
        style.t(Key::Parameter).to_string(),
        model.years.base_year.to_string(),
        model.years.horizon.to_string(),
        style.t(Key::Form).to_string(),
    ];
    let rows: Vec<Vec<String>> = assumptions(model, style)
        .into_iter()
        .map(|[label, _, a, z, form]| vec![label, a, z, form])
        .collect();
    b.push_str(&table(&headers, &rows));

    let _ = writeln!(b, "<h2>{}</h2>\n<ul>", esc(style.t(Key::Sources)));
    for s in &model.spec.scenario.sources {
        let _ = writeln!(b, "<li>{}</li>", esc(s));
    }
    let _ = writeln!(
        b,
        "</ul>\n<p class=\"meta\">{}: <code>{}</code></p>",
        esc(style.t(Key::ScenarioFiles)),
        esc(&model
            .raw
            .chain
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" ← "))
    );
    Ok(page(lang, &name, &b))
}

/// [`md_to_html`] for text with no chart images (image lines are dropped).
fn md_to_html_no_charts(markdown: &str) -> String {
    let text: String = markdown
        .lines()
        .filter(|l| !l.trim().starts_with("!["))
        .map(|l| format!("{l}\n"))
        .collect();
    // With the image lines gone no file is looked up.
    md_to_html(Path::new("."), &text, &mut Vec::new()).unwrap_or_default()
}

/// Writes a `report.html` for any command from its Markdown report and the
/// charts in `dir`: the Markdown text (headings, paragraphs, tables, lists)
/// converted to HTML, and every `{stem}.svg` chart inlined where the
/// Markdown refers to it (charts it does not refer to are appended).
pub fn write_markdown_report(
    dir: &Path,
    lang: Lang,
    title: &str,
    markdown: &str,
) -> Result<(), ReportError> {
    let html = markdown_page(dir, lang, title, markdown)?;
    super::atomic::write_atomic(&dir.join("report.html"), html.as_bytes())
}

/// The `report.html` page of [`write_markdown_report`] as a string, without
/// writing it (for a caller that serves it from memory); the charts are read
/// from `dir`.
pub fn markdown_page(
    dir: &Path,
    lang: Lang,
    title: &str,
    markdown: &str,
) -> Result<String, ReportError> {
    let mut used = Vec::new();
    let mut b = md_to_html(dir, markdown, &mut used)?;
    let mut rest: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| {
                    let n = e.file_name().to_string_lossy().to_string();
                    n.strip_suffix(".svg").map(str::to_string)
                })
                .filter(|s| !used.contains(s))
                .collect()
        })
        .unwrap_or_default();
    rest.sort();
    for stem in rest {
        b.push_str(&figure(dir, &stem)?);
    }
    Ok(page(lang, title, &b))
}

/// Markdown (headings, paragraphs, tables, lists, chart images) as HTML; the
/// stems of the charts inlined are added to `used`.
pub fn md_to_html(
    dir: &Path,
    markdown: &str,
    used: &mut Vec<String>,
) -> Result<String, ReportError> {
    let mut b = String::new();
    let mut lines = markdown.lines().peekable();
    let mut list = false;
    while let Some(line) = lines.next() {
        let t = line.trim();
        if list && !t.starts_with("- ") {
            b.push_str("</ul>\n");
            list = false;
        }
        if let Some(h) = t.strip_prefix("# ") {
            let _ = writeln!(b, "<h1>{}</h1>", inline(h));
        } else if let Some(h) = t.strip_prefix("## ") {
            let _ = writeln!(b, "<h2>{}</h2>", inline(h));
        } else if let Some(h) = t.strip_prefix("### ") {
            let _ = writeln!(b, "<h3>{}</h3>", inline(h));
        } else if let Some(item) = t.strip_prefix("- ") {
            if !list {
                b.push_str("<ul>\n");
                list = true;
            }
            let _ = writeln!(b, "<li>{}</li>", inline(item));
        } else if t.starts_with("![") {
            if let Some(stem) = t
                .split_once("](")
                .and_then(|(_, r)| r.strip_suffix(')'))
                .and_then(|f| f.strip_suffix(".svg"))
                && dir.join(format!("{stem}.svg")).exists()
            {
                b.push_str(&figure(dir, stem)?);
                used.push(stem.to_string());
            }
        } else if t.starts_with('|') {
            let mut rows: Vec<Vec<String>> = vec![cells(t)];
            while let Some(next) = lines.peek() {
                if !next.trim().starts_with('|') {
                    break;
                }
                let n = lines.next().unwrap_or_default().trim();
                if n.chars().all(|c| "|-: ".contains(c)) {
                    continue;
                }
                rows.push(cells(n));
            }
            let headers = rows.remove(0);
            b.push_str(&table(&headers, &rows));
        } else if !t.is_empty() {
            let _ = writeln!(b, "<p>{}</p>", inline(t));
        }
    }
    if list {
        b.push_str("</ul>\n");
    }
    Ok(b)
}

/// Markdown table cells of one line (`| a | b |`), unescaped.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner
        .replace("\\|", "\u{1}")
        .split('|')
        .map(|c| c.trim().replace('\u{1}', "|").replace('`', ""))
        .collect()
}

/// Inline Markdown: escape, then `code` and **bold**.
fn inline(s: &str) -> String {
    let e = esc(s);
    let mut out = String::new();
    for (i, part) in e.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            for (j, p) in part.split("**").enumerate() {
                if j % 2 == 1 {
                    let _ = write!(out, "<strong>{p}</strong>");
                } else {
                    out.push_str(p);
                }
            }
        }
    }
    out
}
