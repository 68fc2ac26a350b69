//! `report.xlsx`: the Excel workbook a bureau pastes into its reports.
//!
//! Built with rust_xlsxwriter and written atomically (the whole file is
//! produced in memory, then written to a temporary sibling and renamed).
//! Every sheet has a bold, frozen header row, number formats (thousands
//! separators, months to one decimal, shares as percentages) and column widths
//! fitted to Chinese and Latin text; sheets with a series over years carry a
//! native Excel line chart.
//!
//! - [`run_workbook`]: `drgsim run`: summary first, projection by fund with
//!   years as columns, assumptions with sources.
//! - [`Book::csv_sheet`]: any command's CSV table as a sheet, headers labelled
//!   in the report's language, numbers as numbers.

use super::ReportError;
use super::labels::{self, Key, Lang, Style};
use super::projection::{assumptions, fund_label, summary_table};
use crate::fund::RunwaySummary;
use crate::projection::{Model, Projection};
use rust_xlsxwriter::{
    Chart, ChartType, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use std::path::Path;

/// A cell of a table sheet.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number with an Excel number format (e.g. `#,##0`).
    Num(f64, &'static str),
    /// Nothing.
    Empty,
}

/// A workbook under construction.
pub struct Book {
    wb: Workbook,
    style: Style,
    header: Format,
    title: Format,
}

fn xerr(path: &Path) -> impl Fn(XlsxError) -> ReportError + '_ {
    move |e| ReportError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Excel column width (in characters) that fits `s`: CJK characters count double.
fn width_of(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2.1 } else { 1.1 })
        .sum::<f64>()
        + 2.0
}

/// Sheet names: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(s: &str) -> String {
    s.chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect()
}

impl Book {
    /// An empty workbook in `style`.
    pub fn new(style: Style) -> Self {
        let font = "等线";
        Book {
            wb: Workbook::new(),
            style,
            header: Format::new()
                .set_bold()
                .set_font_name(font)
                .set_background_color(0xDDEBF7)
                .set_border_bottom(FormatBorder::Thin)
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_font_name(font),
        }
    }

    /// Add a sheet with an optional title line, a frozen header row, rows of
    /// cells and fitted column widths. Returns the sheet and the row index of
    /// the header.
    pub fn table_sheet(
        &mut self,
        name: &str,
        title: Option<&str>,
        headers: &[String],
        rows: &[Vec<Cell>],
    ) -> Result<(&mut Worksheet, u32), XlsxError> {
        let header = self.header.clone();
        let title_fmt = self.title.clone();
        let ws = self.wb.add_worksheet();
        ws.set_name(sheet_name(name))?;
        let mut r0 = 0u32;
        if let Some(t) = title {
            ws.write_string_with_format(0, 0, t, &title_fmt)?;
            r0 = 2;
        }
        // Headers wrap onto two lines, so they ask for about half their width.
        let mut widths: Vec<f64> = headers
            .iter()
            .map(|h| (width_of(h) / 2.0 + 2.0).min(16.0))
            .collect();
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(r0, c as u16, h, &header)?;
        }
        ws.set_row_height(r0, 32)?;
        let mut formats: std::collections::HashMap<&'static str, Format> = Default::default();
        for (i, row) in rows.iter().enumerate() {
            let r = r0 + 1 + i as u32;
            for (c, cell) in row.iter().enumerate() {
                if widths.len() <= c {
                    widths.push(8.0);
                }
                match cell {
                    Cell::Text(s) => {
                        ws.write_string(r, c as u16, s)?;
                        widths[c] = widths[c].max(width_of(s).min(60.0));
                    }
                    Cell::Num(v, f) if v.is_finite() => {
                        let fmt = formats
                            .entry(f)
                            .or_insert_with(|| Format::new().set_num_format(*f));
                        ws.write_number_with_format(r, c as u16, *v, fmt)?;
                        widths[c] = widths[c].max(width_of(&format!("{v:.0}")) + 3.0);
                    }
                    Cell::Num(..) | Cell::Empty => {}
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, w.clamp(8.0, 60.0))?;
        }
        ws.set_freeze_panes(r0 + 1, 0)?;
        // Print on A4 landscape, one page wide, header row repeated.
        ws.set_paper_size(9);
        ws.set_landscape();
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(r0, r0)?;
        Ok((ws, r0))
    }

    /// Add a CSV table (headers in the first line) as a sheet: numbers become
    /// numbers, header keys are labelled in the report's language where a
    /// label exists, and a `year` column with month or balance columns gets a
    /// native line chart.
    pub fn csv_sheet(&mut self, name: &str, title: &str, csv_text: &str) -> Result<(), XlsxError> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(csv_text.as_bytes());
        let keys: Vec<String> = rdr
            .headers()
            .map(|h| h.iter().map(str::to_string).collect())
            .unwrap_or_default();
        // Labels, formats and unit divisors following --unit (the CSV keeps 万元 / yuan).
        let shown: Vec<(String, &'static str, f64)> = keys
            .iter()
            .map(|k| super::headers::shown(k, self.style))
            .collect();
        let headers: Vec<String> = shown.iter().map(|s| s.0.clone()).collect();
        let rows: Vec<Vec<Cell>> = rdr
            .records()
            .filter_map(Result::ok)
            .map(|rec| {
                rec.iter()
                    .zip(keys.iter().zip(&shown))
                    .map(|(v, (k, (_, fmt, div)))| match v.parse::<f64>() {
                        Ok(x) if !v.is_empty() && k.starts_with("months") => {
                            Cell::Num(x, self.style.months_format())
                        }
                        Ok(x) if !v.is_empty() => Cell::Num(x / div, fmt),
                        _ if v.is_empty() => Cell::Empty,
                        // A hospital level reads as the level's word (三级 ...).
                        _ if k == "level" => Cell::Text(
                            match v {
                                "tertiary" => self.style.t(super::labels::Key::Tertiary),
                                "secondary" => self.style.t(super::labels::Key::Secondary),
                                "primary" => self.style.t(super::labels::Key::Primary),
                                other => other,
                            }
                            .to_string(),
                        ),
                        // A parameter path reads as the parameter's name.
                        _ if matches!(k.as_str(), "param" | "x_param" | "y_param") => {
                            Cell::Text(super::params::param_label(v, self.style.lang))
                        }
                        _ => Cell::Text(v.to_string()),
                    })
                    .collect()
            })
            .collect();
        let n = rows.len() as u32;
        let style = self.style;
        let sheet = sheet_name(name);
        let (ws, r0) = self.table_sheet(&sheet, Some(title), &headers, &rows)?;
        // A chart when the table is a series over years of one fund.
        let year_col = keys.iter().position(|k| k == "year");
        let fund_col = keys.iter().position(|k| k == "fund");
        let single = fund_col.is_none_or(|c| {
            let mut it = rows.iter().filter_map(|r| match r.get(c) {
                Some(Cell::Text(s)) => Some(s.as_str()),
                _ => None,
            });
            let first = it.next();
            it.all(|s| Some(s) == first)
        });
        let series: Vec<usize> = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k.starts_with("months_"))
            .map(|(i, _)| i)
            .collect();
        if let (Some(yc), true, false, true) = (year_col, single, series.is_empty(), n > 1) {
            let mut chart = Chart::new(ChartType::Line);
            for c in &series {
                chart
                    .add_series()
                    .set_name((sheet.as_str(), r0, *c as u16))
                    .set_categories((sheet.as_str(), r0 + 1, yc as u16, r0 + n, yc as u16))
                    .set_values((sheet.as_str(), r0 + 1, *c as u16, r0 + n, *c as u16));
            }
            chart.title().set_name(title);
            chart.x_axis().set_name(style.t(Key::Year));
            // Months payable below zero mean a depleted fund: the axis stops at 0.
            chart
                .y_axis()
                .set_name(style.t(Key::MonthsPayable))
                .set_min(0.0);
            chart.set_width(720).set_height(400);
            ws.insert_chart(r0, keys.len() as u16 + 1, &chart)?;
        }
        // A tornado: months payable at each parameter's low and high setting.
        let col = |name: &str| keys.iter().position(|k| k == name);
        if let (Some(pc), Some(lo), Some(hi), true, true) = (
            col("param"),
            col("months_low"),
            col("months_high"),
            single,
            n > 0,
        ) {
            let mut chart = Chart::new(ChartType::Bar);
            for c in [lo, hi] {
                chart
                    .add_series()
                    .set_name((sheet.as_str(), r0, c as u16))
                    .set_categories((sheet.as_str(), r0 + 1, pc as u16, r0 + n, pc as u16))
                    .set_values((sheet.as_str(), r0 + 1, c as u16, r0 + n, c as u16));
            }
            chart.title().set_name(title);
            chart.x_axis().set_name(style.t(Key::MonthsPayable));
            // Rank 1 at the top.
            chart.y_axis().set_reverse();
            chart.set_width(720).set_height(60 + 36 * n.min(20));
            ws.insert_chart(r0, keys.len() as u16 + 1, &chart)?;
        }
        Ok(())
    }

    /// Write the workbook to `path` atomically.
    pub fn save(mut self, path: &Path) -> Result<(), ReportError> {
        let bytes = self.wb.save_to_buffer().map_err(xerr(path))?;
        super::atomic::write_atomic(path, &bytes)
    }

    /// The workbook as bytes, in memory (nothing written).
    pub fn into_bytes(mut self) -> Result<Vec<u8>, XlsxError> {
        self.wb.save_to_buffer()
    }
}

/// The Excel format of a projection cell: months payable clipped at zero
/// in display (see [`Style::months_format`]), others by kind and unit.
fn cell_format(kind: super::headers::Kind, style: Style) -> &'static str {
    match kind {
        super::headers::Kind::Months => style.months_format(),
        k => k.excel_format(style.unit),
    }
}

/// Sheet names of the run workbook, in order.
pub fn run_sheet_names(projection: &Projection, lang: Lang) -> Vec<String> {
    let mut v = vec![labels::Key::Summary.get(lang).to_string()];
    for f in &projection.funds {
        v.push(sheet_name(&format!(
            "{}_{}",
            labels::Key::Projection.get(lang),
            f.id
        )));
    }
    v.push(labels::Key::Assumptions.get(lang).to_string());
    v
}

/// The `drgsim run` workbook: summary (the committee's figures, as numbers),
/// one projection sheet per fund (indicators down, years across, with a
/// native chart of months payable and balance), assumptions and sources.
pub fn run_workbook(
    path: &Path,
    model: &Model,
    projection: &Projection,
    style: Style,
) -> Result<(), ReportError> {
    let e = xerr(path);
    let mut book = Book::new(style);
    add_run_sheets(&mut book, model, projection).map_err(&e)?;
    if super::rules::has_rules(model) {
        let fired = crate::projection::firings::firings(model, projection);
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "fund",
            "year",
            "rule",
            "condition",
            "quantity",
            "before",
            "after",
        ]);
        for f in &fired {
            let _ = w.write_record([
                f.fund.as_str(),
                &f.year.to_string(),
                &super::labels::rule_word(f.rule, style),
                &super::labels::rule_condition(&f.cause, style),
                &super::headers::header_label(f.quantity, style),
                &format!("{:.4}", f.before),
                &format!("{:.4}", f.after),
            ]);
        }
        let text = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
        let name = if style.lang == Lang::Zh {
            "政策规则"
        } else {
            "policy rules"
        };
        book.csv_sheet(name, name, &text).map_err(&e)?;
    }
    book.save(path)
}

/// The `drgsim run` workbook built in memory (summary, projection per fund,
/// assumptions); nothing is written.
pub fn run_workbook_bytes(
    model: &Model,
    projection: &Projection,
    style: Style,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Book::new(style);
    add_run_sheets(&mut book, model, projection)?;
    book.into_bytes()
}

/// Add the run sheets (summary, projection per fund, assumptions) to `book`.
pub fn add_run_sheets(
    book: &mut Book,
    model: &Model,
    projection: &Projection,
) -> Result<(), XlsxError> {
    let style = book.style;
    let lang = style.lang;
    let names = run_sheet_names(projection, lang);
    let money = super::headers::Kind::Money.excel_format(style.unit);
    // Summary: the same headers as summary.md, numbers as numbers.
    let (headers, _) = summary_table(model, projection, style);
    let rows: Vec<Vec<Cell>> = projection
        .funds
        .iter()
        .filter_map(|f| {
            let r = RunwaySummary::of(&f.rows, &model.thresholds)?;
            let year = |y: Option<i32>| match y {
                Some(y) => Cell::Num(f64::from(y), "0"),
                None => Cell::Text(style.t(Key::Never).into()),
            };
            Some(vec![
                Cell::Text(fund_label(model, f, lang)),
                Cell::Num(style.money_value(r.base_balance_wan), money),
                Cell::Num(r.base_months, style.months_format()),
                Cell::Num(style.money_value(r.horizon_balance_wan), money),
                Cell::Num(r.horizon_months, style.months_format()),
                year(r.first_warning),
                year(r.first_danger),
                year(r.depletion),
                Cell::Num(style.money_value(r.cumulative_surplus_wan), money),
                Cell::Text(labels::status_word(f.rows.last().map(|l| l.status)?, lang).to_string()),
            ])
        })
        .collect();
    let title = format!(
        "{} ({}–{})",
        labels::scenario_name(model, lang),
        model.years.base_year,
        model.years.horizon
    );
    let (ws, r0) = book.table_sheet(&names[0], Some(&title), &headers, &rows)?;
    let note_row = r0 + rows.len() as u32 + 2;
    ws.write_string(
        note_row,
        0,
        super::projection::view_note(model, lang).replace("**", ""),
    )?;
    ws.write_string(
        note_row + 1,
        0,
        format!(
            "{}：{}；{}：{} / {} {}",
            style.t(Key::AmountsIn),
            style.unit.name(lang),
            style.t(Key::Thresholds),
            model.thresholds.warning,
            model.thresholds.danger,
            style.t(Key::MonthsUnit)
        ),
    )?;

    // Projection by fund: indicators down, years across.
    for (k, f) in projection.funds.iter().enumerate() {
        let sheet = names[1 + k].clone();
        let mut headers = vec![style.t(Key::Indicator).to_string()];
        headers.extend(f.rows.iter().map(|r| r.year.to_string()));
        let mut rows = Vec::new();
        for c in super::headers::COLUMNS {
            let vals: Vec<f64> = f.rows.iter().map(|r| r.get(c.key).unwrap_or(0.0)).collect();
            if vals.iter().all(|v| *v == 0.0 || v.is_nan()) {
                continue;
            }
            let mut row = vec![Cell::Text(c.header(style))];
            row.extend(
                vals.iter()
                    .map(|v| Cell::Num(c.value(style, *v), cell_format(c.kind, style))),
            );
            rows.push((c.key, row));
        }
        let status = {
            let mut row = vec![Cell::Text(style.t(Key::Status).into())];
            row.extend(
                f.rows
                    .iter()
                    .map(|r| Cell::Text(labels::status_word(r.status, lang).into())),
            );
            row
        };
        let find = |key: &str| rows.iter().position(|(k, _)| *k == key);
        let (mi, bi) = (find("months_payable"), find("balance_wan"));
        let mut cells: Vec<Vec<Cell>> = rows.into_iter().map(|(_, r)| r).collect();
        cells.push(status);
        let title = fund_label(model, f, lang);
        let (ws, r0) = book.table_sheet(&sheet, Some(&title), &headers, &cells)?;
        ws.set_freeze_panes(r0 + 1, 1)?;
        ws.set_column_width(0, 30)?;
        let ny = f.rows.len() as u16;
        let mut at = r0 + cells.len() as u32 + 3;
        for (i, axis) in [(mi, Key::MonthsPayable), (bi, Key::Balance)] {
            let Some(i) = i else { continue };
            let row = r0 + 1 + i as u32;
            let mut chart = Chart::new(ChartType::Line);
            chart
                .add_series()
                .set_name((sheet.as_str(), row, 0))
                .set_categories((sheet.as_str(), r0, 1, r0, ny))
                .set_values((sheet.as_str(), row, 1, row, ny));
            let sep = if lang == Lang::Zh { "：" } else { ": " };
            chart
                .title()
                .set_name(&format!("{title}{sep}{}", style.t(axis)));
            chart.x_axis().set_name(style.t(Key::Year));
            if axis == Key::MonthsPayable {
                chart.y_axis().set_min(0.0);
            }
            chart.legend().set_hidden();
            chart.set_width(760).set_height(360);
            ws.insert_chart(at, 0, &chart)?;
            at += 20;
        }
    }

    // Assumptions and sources.
    let headers: Vec<String> = [
        style.t(Key::Parameter).to_string(),
        style.t(Key::Path).to_string(),
        model.years.base_year.to_string(),
        model.years.horizon.to_string(),
        style.t(Key::Form).to_string(),
    ]
    .into();
    let rows: Vec<Vec<Cell>> = assumptions(model, style)
        .into_iter()
        .map(|[label, p, _, _, form]| {
            let id = model.store.paths().find(|(_, q)| *q == p).map(|(id, _)| id);
            let row = id.map(|id| model.values().row(id)).unwrap_or(&[]);
            let num = |v: Option<&f64>| v.map_or(Cell::Empty, |v| Cell::Num(*v, "#,##0.0000"));
            vec![
                Cell::Text(label),
                Cell::Text(p),
                num(row.first()),
                num(row.last()),
                Cell::Text(form),
            ]
        })
        .collect();
    let sources = model.spec.scenario.sources.clone();
    let (ws, r0) = book.table_sheet(&names[1 + projection.funds.len()], None, &headers, &rows)?;
    let mut r = r0 + rows.len() as u32 + 2;
    ws.write_string(r, 0, style.t(Key::Sources))?;
    for s in &sources {
        r += 1;
        ws.write_string(r, 0, s)?;
    }
    r += 2;
    ws.write_string(r, 0, style.t(Key::ScenarioFiles))?;
    for p in &model.raw.chain {
        r += 1;
        ws.write_string(r, 0, p.display().to_string())?;
    }
    if lang == Lang::En && !model.description.is_empty() {
        ws.write_string(r + 2, 0, &model.description)?;
    }
    Ok(())
}

/// The workbook of a command that writes tables, in memory: the run sheets
/// of `model` (summary first, projection by fund, assumptions) and then one
/// sheet per `(sheet name, CSV text)`. The web page and the file writer both
/// call this.
pub fn command_workbook(
    style: Style,
    title: &str,
    model: Option<&Model>,
    tables: &[(String, String)],
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Book::new(style);
    if let Some(m) = model {
        let p = crate::projection::project(m);
        add_run_sheets(&mut book, m, &p)?;
    }
    for (sheet, text) in tables {
        book.csv_sheet(sheet, &format!("{title} · {sheet}"), text)?;
    }
    book.wb.save_to_buffer()
}

/// Writes `report.xlsx` and `report.html` into `dir` from tables held in
/// memory (see [`command_workbook`]) and the command's Markdown report, whose
/// charts (already in `dir`) the HTML inlines.
pub fn write_command_reports(
    dir: &Path,
    style: Style,
    title: &str,
    model: Option<&Model>,
    tables: &[(String, String)],
    markdown: &str,
) -> Result<(), ReportError> {
    let path = dir.join("report.xlsx");
    // The same finite guard as the CSV files, naming the workbook and sheet.
    for (sheet, text) in tables {
        super::finite::check(&path.join(format!("{sheet}.csv")), text)?;
    }
    let bytes = command_workbook(style, title, model, tables).map_err(xerr(&path))?;
    super::atomic::write_atomic(&path, &bytes)?;
    super::html::write_markdown_report(dir, style.lang, title, markdown)
}

/// Writes `report.xlsx` and `report.html` for a command that has written
/// CSV tables and a Markdown report into `dir`: one sheet per `(sheet name,
/// CSV file in dir)` after the run sheets of `model` (see
/// [`write_command_reports`]).
pub fn command_reports(
    dir: &Path,
    style: Style,
    title: &str,
    model: Option<&Model>,
    tables: &[(&str, &str)],
    markdown: &str,
) -> Result<(), ReportError> {
    let mut texts = Vec::new();
    for (sheet, file) in tables {
        let f = dir.join(file);
        let text = std::fs::read_to_string(&f).map_err(|source| ReportError::Write {
            path: f.clone(),
            source,
        })?;
        texts.push((sheet.to_string(), text));
    }
    write_command_reports(dir, style, title, model, &texts, markdown)
}
