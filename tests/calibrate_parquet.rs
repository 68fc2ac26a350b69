//! `drgsim calibrate` on Parquet records: the same tables as the CSV of the same
//! records, and bad files (truncated, empty, missing column, bad values) give a
//! clear error naming the file, record and column, and write nothing.

mod common;
use common::{drgsim, stderr};
use drgsim::calibrate::{Mapping, Options, calibrate};
use drgsim::calibrate::{synth::SynthOptions, synth::write_records, synth::write_records_parquet};
use drgsim::payment::{GroupTable, HospitalTable};
use parquet::basic::{ConvertedType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn tables() -> (GroupTable, HospitalTable) {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/qingyang");
    (
        GroupTable::load(&d.join("groups.csv")).unwrap(),
        HospitalTable::load(&d.join("hospitals.csv")).unwrap(),
    )
}

fn both(dir: &Path, n: u64) -> (PathBuf, PathBuf) {
    let (g, h) = tables();
    let o = SynthOptions {
        records: n,
        seed: 5,
        ungrouped_share: 0.01,
        special_share: 0.01,
        ..Default::default()
    };
    let c = dir.join("rec.csv");
    let p = dir.join("rec.parquet");
    write_records(&g, Some(&h), &o, std::fs::File::create(&c).unwrap()).unwrap();
    write_records_parquet(&g, Some(&h), &o, std::fs::File::create(&p).unwrap()).unwrap();
    (c, p)
}

#[test]
fn parquet_records_give_the_same_tables_as_the_same_records_in_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let (c, p) = both(tmp.path(), 40_000);
    let o = Options::default();
    let a = calibrate(
        std::slice::from_ref(&c),
        &Mapping::default(),
        &o,
        None,
        None,
    )
    .unwrap();
    let b = calibrate(
        std::slice::from_ref(&p),
        &Mapping::default(),
        &o,
        None,
        None,
    )
    .unwrap();
    assert_eq!(a.acc.records, b.acc.records);
    assert_eq!(a.acc.ungrouped, b.acc.ungrouped);
    assert!(
        a.acc.ungrouped > 0,
        "null group codes must count as ungrouped"
    );
    assert_eq!(a.tables.groups.len(), b.tables.groups.len());
    for (x, y) in a.tables.groups.iter().zip(&b.tables.groups) {
        assert_eq!(
            (&x.code, &x.name, x.cases, x.special),
            (&y.code, &y.name, y.cases, y.special)
        );
        assert_eq!((x.trimmed, x.low, x.high), (y.trimmed, y.low, y.high));
        assert_eq!(x.weight, y.weight, "{}", x.code);
        assert_eq!(x.cv, y.cv);
        assert_eq!(x.age_shares, y.age_shares);
    }
    for (x, y) in a.tables.hospitals.iter().zip(&b.tables.hospitals) {
        assert_eq!((&x.id, x.level, x.cases), (&y.id, y.level, y.cases));
        assert_eq!(x.coefficient, y.coefficient);
    }
    assert_eq!(a.tables.volumes, b.tables.volumes);
    // A Parquet file and a CSV file are one data set.
    let mixed = calibrate(&[c, p], &Mapping::default(), &o, None, None).unwrap();
    assert_eq!(mixed.acc.records, 2 * a.acc.records);
}

/// Writes a Parquet file with text columns, and DOUBLE columns for `doubles`
/// (an empty field is null in every column).
fn write(path: &Path, header: &[&str], doubles: &[&str], rows: &[&[&str]]) {
    let fields: Vec<Arc<Type>> = header
        .iter()
        .map(|h| {
            let (p, c) = if doubles.contains(h) {
                (Physical::DOUBLE, ConvertedType::NONE)
            } else {
                (Physical::BYTE_ARRAY, ConvertedType::UTF8)
            };
            Arc::new(
                Type::primitive_type_builder(h, p)
                    .with_repetition(Repetition::OPTIONAL)
                    .with_converted_type(c)
                    .build()
                    .unwrap(),
            )
        })
        .collect();
    let schema = Arc::new(
        Type::group_type_builder("records")
            .with_fields(fields)
            .build()
            .unwrap(),
    );
    let f = std::fs::File::create(path).unwrap();
    let mut w = SerializedFileWriter::new(f, schema, Arc::new(WriterProperties::builder().build()))
        .unwrap();
    let mut rg = w.next_row_group().unwrap();
    let mut i = 0;
    while let Some(mut col) = rg.next_column().unwrap() {
        let vals: Vec<&str> = rows.iter().map(|r| r[i]).collect();
        let def: Vec<i16> = vals.iter().map(|v| i16::from(!v.is_empty())).collect();
        if doubles.contains(&header[i]) {
            let v: Vec<f64> = vals
                .iter()
                .filter(|v| !v.is_empty())
                .map(|v| v.parse().unwrap())
                .collect();
            col.typed::<DoubleType>()
                .write_batch(&v, Some(&def), None)
                .unwrap();
        } else {
            let v: Vec<ByteArray> = vals
                .iter()
                .filter(|v| !v.is_empty())
                .map(|v| ByteArray::from(*v))
                .collect();
            col.typed::<ByteArrayType>()
                .write_batch(&v, Some(&def), None)
                .unwrap();
        }
        col.close().unwrap();
        i += 1;
    }
    rg.close().unwrap();
    w.close().unwrap();
}

fn fails(dir: &Path, file: &Path, extra: &[&str], expect: &[&str]) {
    let out = dir.join("out");
    let mut args = vec![
        "calibrate",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = drgsim(&args, dir);
    let err = stderr(&o);
    assert!(!o.status.success(), "{} should fail", file.display());
    assert!(!err.contains("panicked"), "{err}");
    let fname = file.file_name().unwrap().to_str().unwrap();
    assert!(err.contains(fname), "no file name in:\n{err}");
    for e in expect {
        assert!(err.contains(e), "expected {e:?} in:\n{err}");
    }
    assert!(!out.exists(), "nothing may be written");
}

#[test]
fn truncated_or_empty_parquet_names_the_file_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, p) = both(tmp.path(), 3_000);
    let bytes = std::fs::read(&p).unwrap();
    for (name, keep) in [
        ("cut-footer.parquet", bytes.len() - 10),
        ("half.parquet", bytes.len() / 2),
        ("empty.parquet", 0),
    ] {
        let f = tmp.path().join(name);
        std::fs::write(&f, &bytes[..keep]).unwrap();
        let expect: &[&str] = if keep == 0 {
            &["empty"]
        } else {
            &["truncated or damaged"]
        };
        fails(tmp.path(), &f, &[], expect);
    }
    // A damaged page inside a complete file (footer intact).
    let mut bad = bytes.clone();
    let mid = bad.len() / 3;
    for b in &mut bad[mid..mid + 2000] {
        *b = 0xAB;
    }
    let f = tmp.path().join("damaged.parquet");
    std::fs::write(&f, &bad).unwrap();
    fails(tmp.path(), &f, &[], &["damaged.parquet"]);
}

#[test]
fn bad_parquet_records_name_file_record_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let h = ["医疗机构编码", "DRG编码", "年龄", "总费用"];
    let dbl = ["年龄", "总费用"];
    let f = d.join("nocost.parquet");
    write(
        &f,
        &["医疗机构编码", "DRG编码", "年龄"],
        &dbl,
        &[&["H1", "A1", "50"]],
    );
    fails(d, &f, &[], &["nocost.parquet", "`cost`", "missing"]);
    let f = d.join("textcost.parquet");
    write(
        &f,
        &h,
        &["年龄"],
        &[&["H1", "A1", "50", "100"], &["H1", "A1", "51", "12,3x"]],
    );
    fails(
        d,
        &f,
        &[],
        &["textcost.parquet:2", "column `总费用`", "not a number"],
    );
    let f = d.join("nullcost.parquet");
    write(&f, &h, &dbl, &[&["H1", "A1", "50", ""]]);
    fails(
        d,
        &f,
        &[],
        &["nullcost.parquet:1", "column `总费用`", "empty"],
    );
    let f = d.join("age.parquet");
    write(
        &f,
        &h,
        &dbl,
        &[&["H1", "A1", "50", "100"], &["H1", "A1", "-3", "100"]],
    );
    fails(d, &f, &[], &["age.parquet:2", "column `年龄`", "negative"]);
    let f = d.join("code.parquet");
    write(
        &f,
        &h,
        &dbl,
        &[&["H1", "A1", "50", "100"], &["H1", "ZZ9", "50", "100"]],
    );
    let list = d.join("list.txt");
    std::fs::write(&list, "A1\n").unwrap();
    fails(
        d,
        &f,
        &["--group-list", list.to_str().unwrap()],
        &["code.parquet:2", "column `DRG编码`", "ZZ9"],
    );
    let f = d.join("norows.parquet");
    write(&f, &h, &dbl, &[]);
    fails(d, &f, &[], &["no records"]);
}

/// The tables of `files` calibrated on a pool of `threads` threads, as written.
fn written(files: &[PathBuf], threads: usize) -> [String; 3] {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let c = pool
        .install(|| calibrate(files, &Mapping::default(), &Options::default(), None, None))
        .unwrap();
    [
        String::from_utf8(drgsim::calibrate::groups_csv(&c.tables)).unwrap(),
        String::from_utf8(drgsim::calibrate::hospitals_csv(&c.tables)).unwrap(),
        String::from_utf8(drgsim::calibrate::volumes_csv(&c.tables)).unwrap(),
    ]
}

#[test]
fn tables_are_bit_identical_on_one_or_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let (g, h) = tables();
    // Several row groups (decoded in parallel windows) and several blocks
    // within a row group (70,000 > 65,536 rows) and several CSV chunks.
    let o = SynthOptions {
        records: 150_000,
        seed: 11,
        row_group_rows: 70_000,
        ..Default::default()
    };
    let c = tmp.path().join("rec.csv");
    let p = tmp.path().join("rec.parquet");
    write_records(&g, Some(&h), &o, std::fs::File::create(&c).unwrap()).unwrap();
    write_records_parquet(&g, Some(&h), &o, std::fs::File::create(&p).unwrap()).unwrap();
    for f in [c, p] {
        let files = [f];
        let one = written(&files, 1);
        let two = written(&files, 2);
        assert!(one[0].lines().count() > 100, "{}", one[0]);
        assert_eq!(one, two, "{}", files[0].display());
    }
}

/// `mean_cost` of each group by a plain record-by-record scan of the CSV in
/// file order (log-SD 3 trimming, the default), as the calibration adds it.
fn reference_means(csv: &Path) -> std::collections::BTreeMap<String, f64> {
    use std::collections::BTreeMap;
    let read = || {
        let mut r = csv::Reader::from_path(csv).unwrap();
        r.records()
            .map(|r| {
                let r = r.unwrap();
                (
                    r[4].to_string(),
                    r[9].parse::<f64>().unwrap(),
                    &r[14] == "1",
                )
            })
            .filter(|(g, c, s)| !g.is_empty() && *c > 0.0 && !s)
            .collect::<Vec<_>>()
    };
    // Pass 1: count, sum and sum of squares of ln(cost).
    let mut p1: BTreeMap<String, (u64, f64, f64)> = BTreeMap::new();
    for (g, c, _) in read() {
        let e = p1.entry(g).or_default();
        let l = c.ln();
        e.0 += 1;
        e.1 += l;
        e.2 += l * l;
    }
    // Pass 2: kept costs, shifted by the geometric mean.
    let mut p2: BTreeMap<String, (u64, f64)> = BTreeMap::new();
    for (g, c, _) in read() {
        let (n, s, ss) = p1[&g];
        let nf = n as f64;
        let (lo, hi) = {
            let sd = ((ss - s * s / nf) / (nf - 1.0)).max(0.0).sqrt();
            if n < 3 || sd <= 1e-12 {
                (f64::NEG_INFINITY, f64::INFINITY)
            } else {
                (s / nf - 3.0 * sd, s / nf + 3.0 * sd)
            }
        };
        let l = c.ln();
        if l < lo || l > hi {
            continue;
        }
        let e = p2.entry(g).or_default();
        e.0 += 1;
        e.1 += c - (s / nf).exp();
    }
    p2.into_iter()
        .map(|(g, (n, d))| {
            let shift = (p1[&g].1 / p1[&g].0 as f64).exp();
            (g, shift + d / n as f64)
        })
        .collect()
}

#[test]
fn block_sums_are_bit_identical_to_a_record_by_record_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let (g, h) = tables();
    let o = SynthOptions {
        records: 120_000,
        seed: 12,
        row_group_rows: 50_000,
        ..Default::default()
    };
    let c = tmp.path().join("rec.csv");
    let p = tmp.path().join("rec.parquet");
    write_records(&g, Some(&h), &o, std::fs::File::create(&c).unwrap()).unwrap();
    write_records_parquet(&g, Some(&h), &o, std::fs::File::create(&p).unwrap()).unwrap();
    let want = reference_means(&c);
    assert!(want.len() > 100);
    for f in [c, p] {
        let got = calibrate(
            std::slice::from_ref(&f),
            &Mapping::default(),
            &Options::default(),
            None,
            None,
        )
        .unwrap();
        let mut checked = 0;
        for gr in &got.tables.groups {
            if let Some(m) = want.get(&gr.code) {
                assert_eq!(
                    gr.mean_cost.to_bits(),
                    m.to_bits(),
                    "{} {}",
                    gr.code,
                    f.display()
                );
                checked += 1;
            }
        }
        assert_eq!(checked, want.len());
    }
}
