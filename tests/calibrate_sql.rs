//! `drgsim calibrate --emit-sql` / `--from-aggregates`: the emitted SQL, run on
//! an embedded engine (SQLite, bundled, with the SQL-standard math functions),
//! gives the same tables as the streaming path on generated records.

mod common;
use common::{drgsim, stderr};
use drgsim::calibrate::{Calibration, Mapping, Options, TrimRule, calibrate, calibrate_aggregates};
use drgsim::calibrate::{sql::Quote, sql::emit};
use drgsim::calibrate::{synth::HEADER, synth::SynthOptions, synth::write_records};
use drgsim::payment::{GroupTable, HospitalTable};
use rusqlite::types::ValueRef;
use std::io::Write;
use std::path::{Path, PathBuf};

const NUMERIC: [&str; 5] = ["年龄", "住院天数", "总费用", "统筹支付", "个人支付"];

/// Generated records plus hand-made edge cases: outliers far above and below a
/// large group, a zero cost, a missing age, an ungrouped case and a special-review case.
fn records(dir: &Path, n: u64) -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/qingyang");
    let g = GroupTable::load(&d.join("groups.csv")).unwrap();
    let h = HospitalTable::load(&d.join("hospitals.csv")).unwrap();
    let p = dir.join("records.csv");
    let mut buf = Vec::new();
    let o = SynthOptions {
        records: n,
        seed: 11,
        ..Default::default()
    };
    write_records(&g, Some(&h), &o, &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    // The most frequent group gets outliers on both sides.
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect();
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for r in rows.iter().filter(|r| !r[4].is_empty()) {
        *counts.entry(&r[4]).or_default() += 1;
    }
    let code = counts.iter().max_by_key(|(_, n)| **n).unwrap().0;
    let f = rows.iter().find(|r| &r[4] == *code).unwrap();
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for (i, cost, age, special) in [
        ("X1", "9999999.00", "40", "0"),
        ("X2", "1.50", "41", "0"),
        ("X3", "0", "42", "0"),
        ("X4", "5000.00", "", "0"),
        ("X5", "7000.00", "90", "1"),
    ] {
        w.write_record([
            i,
            &f[1],
            &f[2],
            &f[3],
            code,
            &f[5],
            age,
            "男",
            "5",
            cost,
            "0",
            "0",
            "居民",
            "2025-01-01",
            special,
        ])
        .unwrap();
    }
    w.write_record([
        "X6",
        &f[1],
        &f[2],
        &f[3],
        "",
        "",
        "50",
        "女",
        "3",
        "800.00",
        "400.00",
        "400.00",
        "职工",
        "2025-01-02",
        "0",
    ])
    .unwrap();
    let extra = String::from_utf8(w.into_inner().unwrap()).unwrap();
    std::fs::write(&p, format!("{text}{extra}")).unwrap();
    p
}

/// Loads the CSV into an in-memory SQLite table `records` with numeric cost and age.
fn load(path: &Path) -> rusqlite::Connection {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    let cols: Vec<String> = HEADER
        .iter()
        .map(|h| {
            format!(
                "\"{h}\" {}",
                if NUMERIC.contains(h) { "REAL" } else { "TEXT" }
            )
        })
        .collect();
    db.execute(&format!("CREATE TABLE records ({})", cols.join(", ")), [])
        .unwrap();
    let mut rdr = csv::Reader::from_path(path).unwrap();
    db.execute_batch("BEGIN").unwrap();
    {
        let marks = vec!["?"; HEADER.len()].join(", ");
        let mut st = db
            .prepare(&format!("INSERT INTO records VALUES ({marks})"))
            .unwrap();
        for r in rdr.records() {
            let r = r.unwrap();
            let vals: Vec<rusqlite::types::Value> = r
                .iter()
                .zip(HEADER)
                .map(|(v, h)| {
                    if NUMERIC.contains(&h) {
                        match v.parse::<f64>() {
                            Ok(x) => rusqlite::types::Value::Real(x),
                            Err(_) => rusqlite::types::Value::Null,
                        }
                    } else {
                        rusqlite::types::Value::Text(v.to_string())
                    }
                })
                .collect();
            st.execute(rusqlite::params_from_iter(vals)).unwrap();
        }
    }
    db.execute_batch("COMMIT").unwrap();
    db
}

/// Runs `sql` and saves the result as CSV with its header (NULL = empty).
fn run_sql(db: &rusqlite::Connection, sql: &str, out: &Path) -> usize {
    let mut st = db.prepare(sql).unwrap();
    let names: Vec<String> = st.column_names().map(|s| s.to_string()).collect();
    let mut w = csv::Writer::from_path(out).unwrap();
    w.write_record(&names).unwrap();
    let mut rows = st.query([]).unwrap();
    let mut n = 0;
    while let Some(r) = rows.next().unwrap() {
        let rec: Vec<String> = (0..names.len())
            .map(|i| match r.get_ref(i).unwrap() {
                ValueRef::Null => String::new(),
                ValueRef::Integer(v) => v.to_string(),
                ValueRef::Real(v) => format!("{v:?}"),
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                ValueRef::Blob(_) => panic!("blob in result"),
            })
            .collect();
        w.write_record(&rec).unwrap();
        n += 1;
    }
    w.flush().unwrap();
    n
}

fn close(what: &str, a: f64, b: f64) {
    let tol = 1e-9 * a.abs().max(b.abs()).max(1e-12);
    assert!(
        (a - b).abs() <= tol || (a.is_nan() && b.is_nan()),
        "{what}: streaming {a} vs SQL {b}"
    );
}

fn same_tables(s: &Calibration, q: &Calibration) {
    let (a, b) = (&s.tables, &q.tables);
    assert_eq!(s.acc.records, q.acc.records, "records");
    assert_eq!(s.acc.ungrouped, q.acc.ungrouped, "ungrouped");
    assert_eq!(s.acc.nonpositive_cost, q.acc.nonpositive_cost);
    assert_eq!(s.acc.age_missing, q.acc.age_missing);
    assert_eq!(a.groups.len(), b.groups.len());
    for (x, y) in a.groups.iter().zip(&b.groups) {
        assert_eq!(x.code, y.code);
        assert_eq!(x.name, y.name);
        assert_eq!(
            (x.cases, x.special, x.trimmed, x.low, x.high, x.excluded),
            (y.cases, y.special, y.trimmed, y.low, y.high, y.excluded),
            "{}",
            x.code
        );
        close(&format!("{} mean", x.code), x.mean_cost, y.mean_cost);
        close(&format!("{} cv", x.code), x.cv, y.cv);
        close(&format!("{} weight", x.code), x.weight, y.weight);
        close(&format!("{} raw mean", x.code), x.raw_mean, y.raw_mean);
        for (p, r) in x.age_shares.iter().zip(&y.age_shares) {
            close(&format!("{} age", x.code), *p, *r);
        }
    }
    assert_eq!(a.hospitals.len(), b.hospitals.len());
    for (x, y) in a.hospitals.iter().zip(&b.hospitals) {
        assert_eq!((&x.id, x.level, x.cases), (&y.id, y.level, y.cases));
        assert_eq!((x.drg_cases, x.ungrouped), (y.drg_cases, y.ungrouped));
        close(&format!("{} cmi", x.id), x.cmi, y.cmi);
        close(&format!("{} cost level", x.id), x.cost_level, y.cost_level);
        close(
            &format!("{} coefficient", x.id),
            x.coefficient,
            y.coefficient,
        );
    }
    assert_eq!(a.volumes, b.volumes);
    close("overall mean", a.overall_mean, b.overall_mean);
    close("CMI", a.cmi, b.cmi);
    close("RIV", a.riv.riv, b.riv.riv);
    close("weight units", a.weight_units, b.weight_units);
    match (a.base_rate, b.base_rate) {
        (Some(x), Some(y)) => close("base rate", x, y),
        (x, y) => assert_eq!(x, y),
    }
}

#[test]
fn emitted_sql_on_sqlite_gives_the_streaming_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let f = records(tmp.path(), 30_000);
    let db = load(&f);
    for (trim, rescale) in [(TrimRule::LogSd(3.0), false), (TrimRule::None, true)] {
        let opts = Options {
            trim,
            rescale_cmi: rescale,
            budget_wan: Some(50_000.0),
            ..Options::default()
        };
        let s = calibrate(
            std::slice::from_ref(&f),
            &Mapping::default(),
            &opts,
            None,
            None,
        )
        .unwrap();
        if trim != TrimRule::None {
            assert!(
                s.tables.groups.iter().any(|g| g.low > 0)
                    && s.tables.groups.iter().any(|g| g.high > 0),
                "the edge cases must exercise trimming on both sides"
            );
        }
        let header: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
        let sql = emit(
            "records",
            &Mapping::default(),
            Some(&header),
            trim,
            Quote::Double,
        )
        .unwrap();
        let agg = tmp.path().join("agg.csv");
        let rows = run_sql(&db, &sql, &agg);
        let cells: usize = s.tables.volumes.len();
        assert!(rows >= cells, "{rows} result rows < {cells} cells");
        let q = calibrate_aggregates(&agg, &opts, None, None).unwrap();
        same_tables(&s, &q);
    }
}

#[test]
fn the_cli_emits_sql_and_calibrates_from_its_result() {
    let tmp = tempfile::tempdir().unwrap();
    let f = records(tmp.path(), 5_000);
    let o = drgsim(
        &[
            "calibrate",
            "--emit-sql",
            "--table",
            "ods.jsqd",
            "--sql-quote",
            "backtick",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let sql = String::from_utf8(o.stdout).unwrap();
    assert!(sql.contains("FROM `ods`.`jsqd`"), "{sql}");
    assert!(sql.contains("`总费用`"), "{sql}");
    // With a sample export, its header decides the optional columns.
    let o = drgsim(
        &["calibrate", f.to_str().unwrap(), "--emit-sql"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let sql = String::from_utf8(o.stdout).unwrap();
    assert!(sql.contains("\"特病单议标记\""), "{sql}");
    let db = load(&f);
    let agg = tmp.path().join("agg.csv");
    run_sql(&db, &sql, &agg);
    let (out_s, out_q) = (tmp.path().join("s"), tmp.path().join("q"));
    let o = drgsim(
        &[
            "calibrate",
            f.to_str().unwrap(),
            "--out",
            out_s.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = drgsim(
        &[
            "calibrate",
            "--from-aggregates",
            agg.to_str().unwrap(),
            "--out",
            out_q.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let read = |d: &Path| std::fs::read_to_string(d.join("hospital_groups.csv")).unwrap();
    assert_eq!(read(&out_s), read(&out_q));
    let g = |d: &Path| -> Vec<Vec<String>> {
        csv::Reader::from_path(d.join("groups.csv"))
            .unwrap()
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    };
    let (a, b) = (g(&out_s), g(&out_q));
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x[0], y[0]);
        for (u, v) in x.iter().zip(y) {
            match (u.parse::<f64>(), v.parse::<f64>()) {
                // Printed figures: equal up to the last printed digit.
                (Ok(p), Ok(q)) => assert!(
                    (p - q).abs() <= 0.011 || (p - q).abs() <= 1e-6 * p.abs(),
                    "{}: {u} vs {v}",
                    x[0]
                ),
                _ => assert_eq!(u, v),
            }
        }
    }
}

#[test]
fn a_bad_aggregate_file_names_file_row_and_column_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let good = drgsim::calibrate::sql::result_header().join(",");
    let zeros = |h: &str, g: &str, n: &str| {
        let mut v = vec!["0".to_string(); drgsim::calibrate::sql::result_header().len()];
        v[0] = h.into();
        v[1] = g.into();
        v[6] = n.into();
        v[9] = n.into();
        v[14] = n.into();
        v.join(",")
    };
    for (name, text, expect) in [
        ("empty.csv", String::new(), vec!["empty.csv", "empty"]),
        (
            "missing.csv",
            good.replace(",sumsq_d", ""),
            vec!["missing.csv", "sumsq_d"],
        ),
        (
            "count.csv",
            format!("{good}\n{}\n", zeros("H1", "A01", "x")),
            vec!["count.csv:2", "records", "not a number"],
        ),
        (
            "sums.csv",
            format!(
                "{good}\n{}\n",
                zeros("H1", "A01", "2").replacen(",2,", ",3,", 2)
            ),
            vec!["sums.csv:2", "n_all"],
        ),
    ] {
        let p = tmp.path().join(name);
        let mut fh = std::fs::File::create(&p).unwrap();
        fh.write_all(text.as_bytes()).unwrap();
        let out = tmp.path().join("out");
        let o = drgsim(
            &[
                "calibrate",
                "--from-aggregates",
                p.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            tmp.path(),
        );
        let err = stderr(&o);
        assert!(!o.status.success(), "{name} should fail");
        assert!(!err.contains("panicked"), "{err}");
        for e in expect {
            assert!(err.contains(e), "expected {e:?} in:\n{err}");
        }
        assert!(!out.exists(), "nothing may be written");
    }
}
