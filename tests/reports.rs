//! Reports a bureau can hand on: every drawn character has a glyph in the
//! bundled font, the workbook reopens with the CSV's figures, the HTML parses
//! and holds every chart, `--lang en` draws no Chinese label and `--lang zh`
//! no untranslated key, and bad `--lang` / `--unit` values are refused.

mod common;
use common::{bundled, drgsim, ok, stderr};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The text of every `<text>` element of every SVG in `dir`: what plotters
/// draws into the PNG with the bundled font.
fn drawn_text(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|e| e != "svg") {
            continue;
        }
        let svg = std::fs::read_to_string(&p).unwrap();
        let mut reader = quick_xml::Reader::from_str(&svg);
        let mut in_text = false;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(t)) if t.name().as_ref() == b"text" => {
                    in_text = true
                }
                Ok(quick_xml::events::Event::End(t)) if t.name().as_ref() == b"text" => {
                    in_text = false
                }
                Ok(quick_xml::events::Event::Text(t)) if in_text => {
                    let s = t.decode().unwrap().trim().to_string();
                    if !s.is_empty() {
                        out.push(s);
                    }
                }
                Ok(quick_xml::events::Event::Eof) => break,
                Err(e) => panic!("{}: {e}", p.display()),
                _ => {}
            }
        }
    }
    out
}

fn has_cjk(s: &str) -> bool {
    drgsim::report::has_cjk(s)
}

/// A label key left untranslated: snake_case, or a parameter path.
fn looks_like_key(s: &str) -> bool {
    s.contains("funds.")
        || s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|w| w.contains('_') && w.chars().any(|c| c.is_ascii_lowercase()))
}

/// The label lines of every Markdown report in `dir`: headings and the
/// header row of every table (cells hold figures and names, not labels).
fn markdown_labels(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let mut prev_table = false;
        for line in text.lines() {
            let table = line.starts_with('|');
            // Headings without the fund id in backticks.
            if line.starts_with('#') {
                out.push(line.split(" (`").next().unwrap().to_string());
            } else if table && !prev_table {
                out.push(line.to_string());
            }
            prev_table = table;
        }
    }
    out
}

/// Every output of every command for a language, in `tmp/{lang}-*`.
fn all_outputs(tmp: &Path, lang: &str) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for s in bundled() {
        let name = s.file_stem().unwrap().to_str().unwrap();
        let out = tmp.join(format!("{lang}-run-{name}"));
        ok(
            &[
                "--lang",
                lang,
                "run",
                s.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            tmp,
        );
        dirs.push(out);
    }
    let sc = |n: &str| common::scenario(n).to_str().unwrap().to_string();
    let o = |n: &str| {
        tmp.join(format!("{lang}-{n}"))
            .to_str()
            .unwrap()
            .to_string()
    };
    let commands: Vec<Vec<String>> = vec![
        vec![
            "compare".into(),
            sc("jingzhou-2023.toml"),
            sc("chuxiong-2023.toml"),
            sc("drg-rate-cut.toml"),
            "--out".into(),
            o("compare"),
        ],
        vec![
            "hospitals".into(),
            sc("point-value-volume.toml"),
            "--vs".into(),
            sc("qingyang-2025h1.toml"),
            "--out".into(),
            o("hospitals"),
        ],
        vec![
            "hospitals".into(),
            sc("qingyang-2025h1.toml"),
            "--out".into(),
            o("hospitals1"),
        ],
        vec![
            "sensitivity".into(),
            sc("jingzhou-2023.toml"),
            "--out".into(),
            o("sensitivity"),
        ],
        vec![
            "montecarlo".into(),
            sc("chuxiong-2023.toml"),
            "--paths".into(),
            "200".into(),
            "--seed".into(),
            "1".into(),
            "--out".into(),
            o("montecarlo"),
        ],
        vec![
            "solve".into(),
            sc("chuxiong-2023.toml"),
            "--param".into(),
            "funds.resident.premiums.premium.scale".into(),
            "--target-months".into(),
            "6".into(),
            "--year".into(),
            "2030".into(),
            "--out".into(),
            o("solve"),
        ],
        vec![
            "clear".into(),
            sc("sanmen-clearing-2019.toml"),
            "--out".into(),
            o("clear"),
        ],
        vec![
            "grid".into(),
            sc("chuxiong-2023.toml"),
            "--x".into(),
            "funds.resident.payment.base_rate.scale=0.9:1.1:5".into(),
            "--y".into(),
            "funds.resident.enrollment.decline=0:0.04:5".into(),
            "--year".into(),
            "2030".into(),
            "--out".into(),
            o("grid"),
        ],
    ];
    for c in commands {
        let mut args = vec!["--lang", lang];
        args.extend(c.iter().map(String::as_str));
        ok(&args, tmp);
        dirs.push(PathBuf::from(c.last().unwrap()));
    }
    dirs
}

#[test]
fn every_drawn_character_has_a_glyph_and_labels_are_in_the_chosen_language() {
    use ab_glyph::Font as _;
    let font = ab_glyph::FontRef::try_from_slice(drgsim::report::FONT_BYTES).unwrap();
    let tmp = common::tmp();
    let mut missing = BTreeSet::new();
    let mut checked = 0usize;
    for lang in ["zh", "en"] {
        for dir in all_outputs(tmp.path(), lang) {
            let texts = drawn_text(&dir);
            // Every command but solve and clear draws a chart.
            let d = dir.to_str().unwrap();
            let solve = d.ends_with("-solve") || d.ends_with("-clear");
            assert!(
                solve || !texts.is_empty(),
                "{}: no text drawn",
                dir.display()
            );
            for l in markdown_labels(&dir) {
                // The clearing file names its budgets and itself in Chinese
                // (the published report's names): data, not labels.
                let named = d.ends_with("-clear") && (l.starts_with('#') || l.contains("医保"));
                match lang {
                    "en" if named => {}
                    "en" => assert!(!has_cjk(&l), "{}: Chinese label: {l}", dir.display()),
                    _ => assert!(!looks_like_key(&l), "{}: untranslated: {l}", dir.display()),
                }
            }
            for t in &texts {
                for c in t.chars() {
                    checked += 1;
                    if !c.is_whitespace() && font.glyph_id(c).0 == 0 {
                        missing.insert((c, t.clone()));
                    }
                }
                match lang {
                    "en" => assert!(
                        !has_cjk(t),
                        "{}: Chinese in an English chart: {t}",
                        dir.display()
                    ),
                    _ => assert!(
                        !looks_like_key(t),
                        "{}: untranslated label: {t}",
                        dir.display()
                    ),
                }
            }
        }
    }
    assert!(checked > 10_000, "only {checked} characters checked");
    assert!(
        missing.is_empty(),
        "characters without a glyph: {missing:?}"
    );
}

#[test]
fn the_font_has_gb2312_and_ab_glyph_draws_it() {
    use ab_glyph::{Font as _, ScaleFont as _};
    let font = ab_glyph::FontRef::try_from_slice(drgsim::report::FONT_BYTES).unwrap();
    // A sample across GB 2312 level 1 and 2, the regulator's words and Latin.
    for c in "楚雄州基金穿底预警危险正常亿万元鑫龘ABCxyz0123（）：%".chars() {
        if c == '龘' {
            continue; // outside GB 2312: not required
        }
        let id = font.glyph_id(c);
        assert_ne!(id.0, 0, "no glyph for {c}");
        let g = id.with_scale(24.0);
        let outlined = font.outline_glyph(g);
        assert!(
            outlined.is_some() || c.is_whitespace(),
            "ab_glyph cannot outline {c}"
        );
        assert!(font.as_scaled(24.0).h_advance(id) > 0.0);
    }
}

#[test]
fn workbook_reopens_with_the_csv_figures() {
    use calamine::{Data, DataType as _, Reader, Xlsx, open_workbook};
    let tmp = common::tmp();
    for (lang, unit, per) in [("zh", "wan", 1.0), ("en", "yi", 10_000.0)] {
        let out = tmp.path().join(format!("jz-{lang}"));
        let scen = common::scenario("jingzhou-2023.toml");
        ok(
            &[
                "--lang",
                lang,
                "--unit",
                unit,
                "run",
                scen.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            tmp.path(),
        );
        // The CSV's last year per fund.
        let mut rdr = csv::Reader::from_path(out.join("projection.csv")).unwrap();
        let h = rdr.headers().unwrap().clone();
        let col = |name: &str| h.iter().position(|c| c == name).unwrap();
        let (cf, cb, cm) = (col("fund"), col("balance_wan"), col("months_payable"));
        let mut last = std::collections::BTreeMap::new();
        for r in rdr.records() {
            let r = r.unwrap();
            let v = |i: usize| r[i].parse::<f64>().unwrap();
            last.insert(r[cf].to_string(), (v(cb), v(cm)));
        }
        assert_eq!(last.len(), 2);

        let mut wb: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
        let sheets = wb.sheet_names();
        let summary = if lang == "zh" {
            "主要结果"
        } else {
            "Summary"
        };
        assert_eq!(sheets[0], summary, "summary sheet first: {sheets:?}");
        assert!(sheets.len() >= 4, "{sheets:?}");
        let range = wb.worksheet_range(summary).unwrap();
        let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        // Row 0 title, row 2 headers, then one row per fund.
        let header: Vec<String> = rows[2].iter().map(|c| c.to_string()).collect();
        let hcol = |key: &str| {
            header
                .iter()
                .position(|c| c.starts_with(key))
                .unwrap_or_else(|| panic!("{key} not in {header:?}"))
        };
        let (bal, months) = if lang == "zh" {
            (hcol("期末累计结余"), hcol("期末可支付月数"))
        } else {
            (hcol("balance, horizon"), hcol("months payable, horizon"))
        };
        assert!(header[bal].contains(if lang == "zh" {
            "万元"
        } else {
            "100 million yuan"
        }));
        let fund_rows = &rows[3..5];
        let mut seen = 0;
        for (fund, (b, m)) in &last {
            // Sheet rows carry the display name; match by the balance figure.
            let row = fund_rows
                .iter()
                .find(|r| r[months].get_float().is_some_and(|x| (x - m).abs() < 1e-3))
                .unwrap_or_else(|| panic!("{fund}: months {m} not in the summary sheet"));
            let got = row[bal].get_float().unwrap();
            assert!(
                (got - b / per).abs() <= 1e-3 * (1.0 + (b / per).abs()),
                "{fund}: balance {got} vs CSV {b} / {per}"
            );
            seen += 1;
        }
        assert_eq!(seen, 2);
        // Projection sheets: years across.
        let p = wb.worksheet_range(&sheets[1]).unwrap();
        let years: Vec<String> = p
            .rows()
            .nth(2)
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(years[1], "2023");
        assert_eq!(years.last().unwrap(), "2035");
    }
}

#[test]
fn html_report_is_well_formed_and_holds_every_chart() {
    let tmp = common::tmp();
    for (args, name) in [
        (vec!["run", "jingzhou-2023.toml"], "run"),
        (
            vec!["--lang", "en", "run", "qingyang-2025h1.toml"],
            "run-en",
        ),
        (
            vec!["compare", "chuxiong-2023.toml", "drg-rate-cut.toml"],
            "compare",
        ),
        (vec!["sensitivity", "chuxiong-2023.toml"], "sens"),
        (
            vec![
                "hospitals",
                "point-value-volume.toml",
                "--vs",
                "qingyang-2025h1.toml",
            ],
            "hospitals",
        ),
        (
            vec!["montecarlo", "chuxiong-2023.toml", "--paths", "40"],
            "montecarlo",
        ),
        (
            vec![
                "grid",
                "chuxiong-2023.toml",
                "--x",
                "funds.resident.payment.base_rate.scale=0.9:1.1:3",
                "--y",
                "funds.resident.enrollment.decline=0:0.04:3",
            ],
            "grid",
        ),
    ] {
        let out = tmp.path().join(name);
        let mut a: Vec<String> = args
            .iter()
            .map(|s| {
                if s.ends_with(".toml") {
                    common::scenario(s).to_str().unwrap().to_string()
                } else {
                    s.to_string()
                }
            })
            .collect();
        a.extend(["--out".to_string(), out.to_str().unwrap().to_string()]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        ok(&a, tmp.path());
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        // Well-formed: every tag closed in order.
        let mut reader = quick_xml::Reader::from_str(&html);
        reader.config_mut().check_end_names = true;
        let mut depth = 0i32;
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(_)) => depth += 1,
                Ok(quick_xml::events::Event::End(_)) => depth -= 1,
                Ok(quick_xml::events::Event::Eof) => break,
                Err(e) => panic!(
                    "{name}: report.html does not parse at {}: {e}",
                    reader.buffer_position()
                ),
                _ => {}
            }
        }
        assert_eq!(depth, 0, "{name}: unbalanced tags");
        // Self-contained: no external resource.
        for bad in ["http://", "https://", "<script", "<link", "src="] {
            let hits: Vec<_> = html
                .match_indices(bad)
                .filter(|(i, _)| !html[i.saturating_sub(20)..*i].contains("xmlns"))
                .collect();
            assert!(hits.is_empty(), "{name}: external reference {bad}");
        }
        // Every chart written is inlined exactly once.
        let mut charts = 0;
        for e in std::fs::read_dir(&out).unwrap() {
            let f = e.unwrap().file_name().to_string_lossy().to_string();
            if let Some(stem) = f.strip_suffix(".svg") {
                charts += 1;
                let id = format!("<svg id=\"chart-{stem}\"");
                assert_eq!(html.matches(&id).count(), 1, "{name}: chart {stem}");
            }
        }
        assert!(charts >= 1, "{name}: no chart");
        assert!(html.contains("@page") && html.contains("viewport"));
    }
}

#[test]
fn english_tables_have_no_chinese_labels() {
    let tmp = common::tmp();
    let out = tmp.path().join("en");
    let scen = common::scenario("jingzhou-2023.toml");
    ok(
        &[
            "--lang",
            "en",
            "run",
            scen.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    for line in md
        .lines()
        .filter(|l| l.starts_with('|') || l.starts_with('#'))
    {
        assert!(!has_cjk(line), "Chinese in an English table: {line}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for th in html.split("<th>").skip(1) {
        let cell = th.split("</th>").next().unwrap();
        assert!(!has_cjk(cell), "Chinese header in English HTML: {cell}");
    }
    // CSV headers are the same whatever the language.
    let zh = tmp.path().join("zh");
    ok(
        &["run", scen.to_str().unwrap(), "--out", zh.to_str().unwrap()],
        tmp.path(),
    );
    let head = |d: &Path| {
        std::fs::read_to_string(d.join("projection.csv"))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(head(&out), head(&zh));
    assert!(!has_cjk(&head(&zh)));
}

#[test]
fn bad_lang_or_unit_is_refused_and_nothing_written() {
    let tmp = common::tmp();
    let out = tmp.path().join("out");
    for (flag, value, expect) in [("--lang", "fr", "zh"), ("--unit", "yuan", "yi")] {
        let o = drgsim(
            &[flag, value, "run", "--out", out.to_str().unwrap()],
            tmp.path(),
        );
        assert!(!o.status.success());
        let e = stderr(&o);
        assert!(e.contains(value) && e.contains(expect), "{e}");
        assert!(!out.exists());
    }
}

#[test]
fn analysis_workbooks_hold_the_csv_figures_under_translated_headers() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let tmp = tempfile::tempdir().unwrap();
    let scen = common::scenario("chuxiong-2023.toml");
    let scen = scen.to_str().unwrap();
    for (lang, args, csv_name, sheet) in [
        (
            "zh",
            vec!["montecarlo", scen, "--paths", "50", "--seed", "3"],
            "montecarlo.csv",
            "蒙特卡洛_resident",
        ),
        (
            "en",
            vec![
                "solve",
                scen,
                "--param",
                "funds.resident.premiums.premium.scale",
                "--target-months",
                "6",
            ],
            "solve.csv",
            "solve",
        ),
    ] {
        let out = tmp.path().join(lang);
        let mut a = vec!["--lang", lang];
        a.extend(args);
        a.extend(["--out", out.to_str().unwrap()]);
        ok(&a, tmp.path());
        let mut rdr = csv::Reader::from_path(out.join(csv_name)).unwrap();
        let keys: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
        let records: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
        let mut wb: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
        let names = wb.sheet_names();
        assert!(names.iter().any(|n| n == sheet), "{lang}: {names:?}");
        let range = wb.worksheet_range(sheet).unwrap();
        let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        // Row 0 title, row 2 headers, then the CSV's rows in order.
        let headers: Vec<String> = rows[2].iter().map(|c| c.to_string()).collect();
        assert_eq!(headers.len(), keys.len());
        for (h, k) in headers.iter().zip(&keys) {
            assert!(!looks_like_key(h), "{lang}: header `{k}` left as `{h}`");
            match lang {
                "en" => assert!(!has_cjk(h), "{h}"),
                _ => assert!(has_cjk(h), "{k}: {h}"),
            }
        }
        assert_eq!(
            rows.len() - 3,
            records.len(),
            "{lang}: one sheet row per CSV row"
        );
        let mut compared = 0;
        for (row, rec) in rows[3..].iter().zip(&records) {
            for (cell, v) in row.iter().zip(rec.iter()) {
                if let Ok(x) = v.parse::<f64>() {
                    let got = match cell {
                        Data::Float(f) => *f,
                        Data::Int(i) => *i as f64,
                        c => panic!("{lang}: `{v}` became {c:?}"),
                    };
                    assert!((got - x).abs() <= 1e-9 * (1.0 + x.abs()), "{got} vs {x}");
                    compared += 1;
                }
            }
        }
        assert!(compared >= 3, "{lang}: only {compared} figures compared");
    }
}

/// The cells of the Markdown table whose header row holds `header`, by that column.
fn md_column(md: &str, header: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut col: Option<usize> = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            col = None;
            continue;
        }
        let cells: Vec<String> = line
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_string())
            .collect();
        match col {
            None => col = cells.iter().position(|c| c == header),
            Some(i) if !cells[i].starts_with("---") => out.push(cells[i].clone()),
            Some(_) => {}
        }
    }
    out
}

#[test]
fn rule_conditions_and_distributions_read_in_the_report_language() {
    let tmp = common::tmp();
    let rules = common::scenario("chuxiong-rules.toml");
    let chux = common::scenario("chuxiong-2023.toml");
    let mut rules_csv: Option<String> = None;
    for (lang, because, dist) in [
        ("zh", "触发条件", "分布"),
        ("en", "because", "distribution"),
    ] {
        let run = tmp.path().join(format!("{lang}-rules"));
        ok(
            &[
                "--lang",
                lang,
                "run",
                rules.to_str().unwrap(),
                "--out",
                run.to_str().unwrap(),
            ],
            tmp.path(),
        );
        let md = std::fs::read_to_string(run.join("summary.md")).unwrap();
        let conds = md_column(&md, because);
        assert!(!conds.is_empty(), "{lang}: no rule firings in\n{md}");
        for c in &conds {
            match lang {
                "zh" => assert!(
                    has_cjk(c) && !c.contains("months") && !c.contains("balance"),
                    "{c}"
                ),
                _ => assert!(!has_cjk(c) && c.contains(" 20") && !c.contains("{}"), "{c}"),
            }
        }
        // rules.csv keeps its machine text whatever the language
        let csv = std::fs::read_to_string(run.join("rules.csv")).unwrap();
        assert!(csv.starts_with("fund,year,rule,condition"));
        match &rules_csv {
            None => rules_csv = Some(csv),
            Some(zh) => assert_eq!(zh, &csv, "rules.csv differs between languages"),
        }
        let mc = tmp.path().join(format!("{lang}-mc"));
        ok(
            &[
                "--lang",
                lang,
                "montecarlo",
                chux.to_str().unwrap(),
                "--paths",
                "20",
                "--seed",
                "1",
                "--out",
                mc.to_str().unwrap(),
            ],
            tmp.path(),
        );
        let md = std::fs::read_to_string(mc.join("montecarlo.md")).unwrap();
        let dists = md_column(&md, dist);
        assert!(!dists.is_empty(), "{md}");
        for d in &dists {
            assert!(
                !d.contains('{') && !d.contains("\"dist\"") && !d.contains(':'),
                "{d}"
            );
            assert_eq!(has_cjk(d), lang == "zh", "{d}");
        }
    }
}

#[test]
fn hospital_and_clearing_reports_follow_the_unit() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let tmp = common::tmp();
    let scen = common::scenario("qingyang-2025h1.toml");
    let clear = common::scenario("sanmen-clearing-2019.toml");
    for unit in ["wan", "yi"] {
        let (name, other) = if unit == "wan" {
            ("万元", "亿元")
        } else {
            ("亿元", "万元")
        };
        let out = tmp.path().join(format!("h-{unit}"));
        ok(
            &[
                "--unit",
                unit,
                "hospitals",
                scen.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            tmp.path(),
        );
        let md = std::fs::read_to_string(out.join("hospitals.md")).unwrap();
        let labels: Vec<&str> = md
            .lines()
            .filter(|l| l.starts_with("| ") && l.contains('（'))
            .collect();
        assert!(labels.iter().any(|l| l.contains(name)), "{md}");
        assert!(
            labels.iter().all(|l| !l.contains(other)),
            "{unit}: {labels:?}"
        );
        // the workbook's hospital sheet: CSV 万元 divided into the unit
        let (keys, rows) = {
            let mut r = csv::Reader::from_path(out.join("hospitals.csv")).unwrap();
            let k: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
            (k, r.records().map(Result::unwrap).collect::<Vec<_>>())
        };
        let c = keys.iter().position(|k| k == "payment_wan").unwrap();
        let mut wb: Xlsx<_> = open_workbook(out.join("report.xlsx")).unwrap();
        let range = wb.worksheet_range("医院").unwrap();
        let sheet: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        assert!(sheet[2][c].to_string().contains(name), "{:?}", sheet[2][c]);
        let div = if unit == "yi" { 1e4 } else { 1.0 };
        let want: f64 = rows[0][c].parse::<f64>().unwrap() / div;
        match &sheet[3][c] {
            Data::Float(x) => assert!(
                (x - want).abs() <= 1e-9 * (1.0 + want.abs()),
                "{x} vs {want}"
            ),
            d => panic!("{d:?}"),
        }
        // clearing: the table in the unit, the check against published figures in yuan
        let out = tmp.path().join(format!("c-{unit}"));
        ok(
            &[
                "--unit",
                unit,
                "clear",
                clear.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            tmp.path(),
        );
        let md = std::fs::read_to_string(out.join("clearing.md")).unwrap();
        let first_col = md_column(&md, "项目");
        assert!(
            first_col.iter().any(|l| l.contains(name))
                && first_col.iter().all(|l| !l.contains(other)),
            "{first_col:?}"
        );
    }
}
