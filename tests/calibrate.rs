//! `drgsim calibrate`: round trip from generated records, invariance to row
//! order and file splits, CMI rescaling, hand-worked trimming, and bad input.

mod common;
use common::{drgsim, stderr};
use drgsim::calibrate::{Calibration, Mapping, Options, TrimRule, calibrate};
use drgsim::calibrate::{synth::SynthOptions, synth::write_records};
use drgsim::payment::{GroupTable, HospitalGroupVolumes, HospitalTable};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn qingyang() -> (GroupTable, HospitalTable) {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/qingyang");
    (
        GroupTable::load(&d.join("groups.csv")).unwrap(),
        HospitalTable::load(&d.join("hospitals.csv")).unwrap(),
    )
}

fn generate(dir: &Path, name: &str, n: u64, seed: u64, gb: bool) -> PathBuf {
    let (g, h) = qingyang();
    let p = dir.join(name);
    let f = std::fs::File::create(&p).unwrap();
    let o = SynthOptions {
        records: n,
        seed,
        gb18030: gb,
        ..Default::default()
    };
    write_records(&g, Some(&h), &o, std::io::BufWriter::new(f)).unwrap();
    p
}

fn run(files: &[PathBuf], opts: &Options) -> Calibration {
    calibrate(files, &Mapping::default(), opts, None, None).unwrap()
}

fn weights(c: &Calibration) -> HashMap<String, f64> {
    c.tables
        .groups
        .iter()
        .map(|g| (g.code.clone(), g.weight))
        .collect()
}

#[test]
fn round_trip_recovers_the_generating_costs_weights_and_hospital_mix() {
    let tmp = common::tmp();
    let f = generate(tmp.path(), "rec.csv", 400_000, 7, false);
    let (gt, ht) = qingyang();
    let truth: HashMap<&str, &drgsim::payment::Group> =
        gt.groups.iter().map(|g| (g.code.as_str(), g)).collect();
    let plan = drgsim::calibrate::synth::plan(&gt, Some(&ht));
    let cv_total: HashMap<&str, f64> = gt
        .groups
        .iter()
        .zip(&plan.group_cv)
        .map(|(g, cv)| (g.code.as_str(), *cv))
        .collect();
    for trim in [TrimRule::None, TrimRule::LogSd(3.0)] {
        let c = run(
            std::slice::from_ref(&f),
            &Options {
                trim,
                ..Options::default()
            },
        );
        let t = &c.tables;
        assert_eq!(t.groups.len(), gt.len());
        // Cost weights of the generating table under the realised case mix:
        // RW_g = mean_cost_g / sum_g n_g mean_cost_g / sum_g n_g.
        let n: f64 = t.groups.iter().map(|g| g.trimmed as f64).sum();
        let m: f64 = t
            .groups
            .iter()
            .map(|g| g.trimmed as f64 * truth[g.code.as_str()].mean_cost)
            .sum::<f64>()
            / n;
        // Trimming a lognormal at +-3 SD of log cost removes a little of the
        // upper tail's mass: at most 1.2 % of the mean for the CVs here.
        let bias = if trim == TrimRule::None { 0.0 } else { 0.012 };
        let mut checked = 0;
        for g in t.groups.iter().filter(|g| g.trimmed >= 30) {
            let tr = truth[g.code.as_str()];
            let cv = cv_total[g.code.as_str()];
            let se = cv / (g.trimmed as f64).sqrt();
            let w_true = tr.mean_cost / m;
            let rel = g.weight / w_true - 1.0;
            assert!(
                rel.abs() <= 5.0 * se + bias + 0.005,
                "{} ({trim}): weight {:.4} vs generating {:.4} ({} cases, cv {})",
                g.code,
                g.weight,
                w_true,
                g.trimmed,
                tr.cost_cv
            );
            // CV over the group's hospitals (within-hospital CV and the spread
            // of hospital cost levels); SE of a sample CV about cv / sqrt(2n) x
            // (1 + 2 cv^2)^0.5, wider for the lognormal's heavy tail.
            if trim == TrimRule::None && g.trimmed >= 1000 {
                let rel_cv = g.cv / cv - 1.0;
                assert!(rel_cv.abs() < 0.15, "{}: cv {} vs {cv}", g.code, g.cv);
            }
            checked += 1;
        }
        assert!(checked > 500, "only {checked} groups with 30+ cases");
        // Hospitals: CMI and cost level follow the table's (correlation).
        let by_id: HashMap<&str, &drgsim::payment::Hospital> =
            ht.hospitals.iter().map(|h| (h.id.as_str(), h)).collect();
        let pairs_cmi: Vec<(f64, f64)> = t
            .hospitals
            .iter()
            .map(|h| (h.cmi_relative, by_id[h.id.as_str()].cmi_relative))
            .collect();
        let pairs_cost: Vec<(f64, f64)> = t
            .hospitals
            .iter()
            .map(|h| (h.cost_level, by_id[h.id.as_str()].cost_level))
            .collect();
        assert!(corr(&pairs_cmi) > 0.95, "cmi corr {}", corr(&pairs_cmi));
        assert!(corr(&pairs_cost) > 0.95, "cost corr {}", corr(&pairs_cost));
    }
}

fn corr(p: &[(f64, f64)]) -> f64 {
    let n = p.len() as f64;
    let (mx, my) = (
        p.iter().map(|x| x.0).sum::<f64>() / n,
        p.iter().map(|x| x.1).sum::<f64>() / n,
    );
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in p {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx).powi(2);
        syy += (y - my).powi(2);
    }
    sxy / (sxx * syy).sqrt()
}

#[test]
fn weights_do_not_depend_on_row_order_or_on_splitting_the_file() {
    let tmp = common::tmp();
    let f = generate(tmp.path(), "rec.csv", 60_000, 11, false);
    let text = std::fs::read_to_string(&f).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    // Reverse and interleave: a different order of every row.
    let mut shuffled: Vec<&str> = lines.iter().rev().step_by(2).copied().collect();
    shuffled.extend(lines.iter().rev().skip(1).step_by(2).copied());
    let write = |name: &str, rows: &[&str]| {
        let p = tmp.path().join(name);
        std::fs::write(&p, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
        p
    };
    let s = write("shuffled.csv", &shuffled);
    let (a, b) = shuffled.split_at(shuffled.len() / 3);
    let (pa, pb) = (write("a.csv", a), write("b.csv", b));
    let opts = Options {
        rescale_cmi: true,
        budget_wan: Some(10_000.0),
        ..Options::default()
    };
    let base = run(std::slice::from_ref(&f), &opts);
    for other in [run(&[s], &opts), run(&[pb, pa], &opts)] {
        let (w0, w1) = (weights(&base), weights(&other));
        assert_eq!(w0.len(), w1.len());
        for (k, v) in &w0 {
            assert!((v / w1[k] - 1.0).abs() < 1e-9, "{k}: {v} vs {}", w1[k]);
        }
        for (h0, h1) in base.tables.hospitals.iter().zip(&other.tables.hospitals) {
            assert_eq!(h0.id, h1.id);
            assert_eq!(h0.cases, h1.cases);
            assert!((h0.cmi - h1.cmi).abs() < 1e-9);
            assert!((h0.cost_level - h1.cost_level).abs() < 1e-9);
        }
        assert!(
            (base.tables.base_rate.unwrap() / other.tables.base_rate.unwrap() - 1.0).abs() < 1e-9
        );
        assert_eq!(base.tables.volumes, other.tables.volumes);
    }
}

#[test]
fn written_tables_load_in_the_payment_engine_and_rescaled_cmi_is_one() {
    let tmp = common::tmp();
    let f = generate(tmp.path(), "rec.csv", 50_000, 3, false);
    let out = tmp.path().join("cal");
    let o = drgsim(
        &[
            "calibrate",
            f.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--rescale-cmi",
            "--budget",
            "20000",
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let g = GroupTable::load(&out.join("groups.csv")).unwrap();
    let h = HospitalTable::load(&out.join("hospitals.csv")).unwrap();
    HospitalGroupVolumes::load(&out.join("hospital_groups.csv"), &h, &g).unwrap();
    let (mut u, mut n) = (0.0, 0.0);
    for gr in g.groups.iter().filter(|g| !g.excluded) {
        u += gr.cases * gr.weight;
        n += gr.cases;
    }
    assert!((u / n - 1.0).abs() < 2e-4, "CMI {}", u / n);
    // Without rescaling the CMI of the cost weights is not 1 in general.
    let c = run(&[f], &Options::default());
    assert!((c.tables.cmi - 1.0).abs() > 1e-4, "cmi {}", c.tables.cmi);
    let md = std::fs::read_to_string(out.join("calibrate.md")).unwrap();
    for s in [
        "RIV",
        "入组率",
        "CV > 1",
        "base rate (费率)",
        "point value",
        "outliers low / high",
    ] {
        assert!(md.contains(s), "calibrate.md lacks {s}");
    }
}

/// Hand-worked: group A has 10 cases at 1,000, 10 at 2,000 and one at 1,000,000
/// yuan. ln cost: 6.9078 (x10), 7.6009 (x10), 13.8155; mean 7.5668, sample SD
/// sqrt(43.40 / 20) = 1.4732; mean + 3 SD = 11.986 < 13.8155, so the 1,000,000
/// case is an outlier and the trimmed mean is 1,500 (raw mean 49,047.62); the
/// trimmed sample SD is sqrt(20 x 500^2 / 19) = 512.99, CV 0.34199.
/// Group B has 5 cases at 3,000 (no spread: not trimmed, CV 0).
/// Overall trimmed mean (30,000 + 15,000) / 25 = 1,800: RW_A = 0.8333, RW_B = 1.6667.
#[test]
fn trimming_on_a_hand_worked_group() {
    let tmp = common::tmp();
    let mut s = String::from("医疗机构编码,DRG编码,总费用,年龄\n");
    for _ in 0..10 {
        s.push_str("H1,A1,1000,50\nH1,A1,2000,70\n");
    }
    s.push_str("H2,A1,1000000,80\n");
    for _ in 0..5 {
        s.push_str("H2,B1,3000,30\n");
    }
    let p = tmp.path().join("r.csv");
    std::fs::write(&p, s).unwrap();
    let c = run(std::slice::from_ref(&p), &Options::default());
    let t = &c.tables;
    let a = &t.groups[0];
    let b = &t.groups[1];
    assert_eq!(
        (a.code.as_str(), a.cases, a.trimmed, a.low, a.high),
        ("A1", 21, 20, 0, 1)
    );
    assert!((a.mean_cost - 1500.0).abs() < 1e-9);
    assert!((a.raw_mean - 49_047.619_047_619).abs() < 1e-6);
    assert!((a.cv - 0.341_993).abs() < 1e-5, "{}", a.cv);
    assert!((t.overall_mean - 1800.0).abs() < 1e-9);
    assert!((a.weight - 1500.0 / 1800.0).abs() < 1e-12);
    assert!((b.weight - 3000.0 / 1800.0).abs() < 1e-12);
    assert_eq!((b.trimmed, b.cv), (5, 0.0));
    // Age shares by band: A has 10 at 50-54, 10 at 70-74, 1 at 80-84.
    assert!((a.age_shares[10] - 10.0 / 21.0).abs() < 1e-12);
    // H2's cost level: observed 15,000 (B) vs expected 5 x 3,000: 1; H1's 1.
    assert!(
        t.hospitals
            .iter()
            .all(|h| (h.cost_level - 1.0).abs() < 1e-12)
    );
    // With k = 5 nothing in A is trimmed: (10 x 1,000 + 10 x 2,000 + 10^6) / 21.
    let c5 = run(
        std::slice::from_ref(&p),
        &Options {
            trim: TrimRule::LogSd(5.0),
            ..Options::default()
        },
    );
    assert!((c5.tables.groups[0].mean_cost - 49_047.619_047_619).abs() < 1e-6);
    // Percentiles 0..95: the top case (above the 95th percentile) goes.
    let cp = run(
        &[p],
        &Options {
            trim: TrimRule::Percentile { lo: 0.0, hi: 95.0 },
            ..Options::default()
        },
    );
    assert_eq!(cp.tables.groups[0].high, 1);
    assert!((cp.tables.groups[0].mean_cost - 1500.0).abs() < 1e-9);
}

#[test]
fn gb18030_records_give_the_same_tables_as_utf8() {
    let tmp = common::tmp();
    let u = generate(tmp.path(), "u.csv", 20_000, 5, false);
    let g = generate(tmp.path(), "g.csv", 20_000, 5, true);
    let raw = std::fs::read(&g).unwrap();
    assert!(
        std::str::from_utf8(&raw).is_err(),
        "the GB18030 file must not be UTF-8"
    );
    let (a, b) = (
        run(&[u], &Options::default()),
        run(&[g], &Options::default()),
    );
    assert_eq!(weights(&a), weights(&b));
    assert_eq!(a.tables.groups[0].name, b.tables.groups[0].name);
    assert_eq!(
        b.acc.files[0].1.encoding,
        drgsim::calibrate::Encoding::Gb18030
    );
}

fn bad(csv: &str, extra: &[&str], expect: &[&str]) {
    let tmp = common::tmp();
    let p = tmp.path().join("records.csv");
    std::fs::write(&p, csv).unwrap();
    let out = tmp.path().join("out");
    let mut args = vec![
        "calibrate",
        p.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let err = common::refused(&args, tmp.path(), expect);
    assert!(err.contains("records.csv"), "no file name in:\n{err}");
    assert!(!out.exists(), "nothing may be written");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(
        left.len(),
        1 + extra.iter().filter(|a| a.ends_with(".txt")).count()
    );
}

#[test]
fn bad_records_name_file_row_and_column_and_write_nothing() {
    let head = "病案号,医疗机构编码,DRG编码,年龄,总费用\n";
    bad(
        "病案号,医疗机构编码,年龄,总费用\n1,H1,50,100\n",
        &[],
        &["`group`", "DRG编码", "missing"],
    );
    bad(
        &format!("{head}1,H1,A1,50,100\n2,H1,A1,60,abc\n"),
        &[],
        &[":3", "column `总费用`", "`abc` is not a number"],
    );
    bad(
        &format!("{head}1,H1,A1,50,100\n2,H1,A1,-4,100\n"),
        &[],
        &[":3", "column `年龄`", "negative"],
    );
    bad("", &[], &["empty"]);
    bad(head, &[], &["no records"]);
    bad(
        &format!("{head}1,H1,A1,50,100\n2,H1,A1,60\n"),
        &[],
        &[":3", "fields"],
    );
}

#[test]
fn unknown_group_code_against_a_group_list_is_an_error() {
    let tmp = common::tmp();
    let list = tmp.path().join("list.txt");
    std::fs::write(&list, "A1\nB1\n").unwrap();
    let p = tmp.path().join("records.csv");
    std::fs::write(&p, "医疗机构编码,DRG编码,总费用\nH1,A1,100\nH1,ZZ99,100\n").unwrap();
    let out = tmp.path().join("out");
    let o = drgsim(
        &[
            "calibrate",
            p.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--group-list",
            list.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let err = stderr(&o);
    assert!(!o.status.success());
    for e in [
        "records.csv:3",
        "column `DRG编码`",
        "unknown group code `ZZ99`",
    ] {
        assert!(err.contains(e), "expected {e:?} in:\n{err}");
    }
    assert!(!out.exists());
}

#[test]
fn a_mapping_names_other_headers_and_missing_optional_columns_are_warned() {
    let tmp = common::tmp();
    let map = tmp.path().join("map.toml");
    std::fs::write(
        &map,
        "[columns]\nhospital = \"机构\"\ngroup = \"组\"\ncost = \"费用\"\n",
    )
    .unwrap();
    let p = tmp.path().join("r.csv");
    let mut s = String::from("机构,组,费用\n");
    for i in 0..40 {
        s.push_str(&format!("H{},A{},{}\n", i % 3, i % 2, 1000 + 10 * i));
    }
    std::fs::write(&p, s).unwrap();
    let out = tmp.path().join("out");
    let o = drgsim(
        &[
            "calibrate",
            p.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--mapping",
            map.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("no age column"), "{err}");
    assert!(err.contains("taken as secondary"), "{err}");
    GroupTable::load(&out.join("groups.csv")).unwrap();
    // A mapping naming a column the file lacks is an error naming both.
    std::fs::write(&map, "[columns]\nhospital = \"医院\"\n").unwrap();
    let out2 = tmp.path().join("out2");
    let o = drgsim(
        &[
            "calibrate",
            p.to_str().unwrap(),
            "--out",
            out2.to_str().unwrap(),
            "--mapping",
            map.to_str().unwrap(),
        ],
        tmp.path(),
    );
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("r.csv:1") && err.contains("`医院`") && err.contains("map.toml"),
        "{err}"
    );
    assert!(!out2.exists());
}

#[test]
fn tables_at_another_scale_than_the_demand_are_reported_by_validate_and_run() {
    let tmp = common::tmp();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/qingyang/groups.csv");
    let mut rdr = csv::Reader::from_path(&src).unwrap();
    let header = rdr.headers().unwrap().clone();
    let ci = header.iter().position(|h| h == "cases").unwrap();
    let mut w = csv::Writer::from_path(tmp.path().join("groups.csv")).unwrap();
    w.write_record(&header).unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        let row: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if i == ci {
                    (v.parse::<f64>().unwrap() * 30.0).to_string()
                } else {
                    v.to_string()
                }
            })
            .collect();
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    let base = common::scenario("qingyang-2025h1.toml");
    let scen = tmp.path().join("swap.toml");
    std::fs::write(
        &scen,
        format!(
            "extends = {:?}\n[funds.region.payment]\ngroups = \"groups.csv\"\n",
            base.to_str().unwrap()
        ),
    )
    .unwrap();
    let o = drgsim(&["validate", scen.to_str().unwrap()], tmp.path());
    let out = common::stdout(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        out.contains("funds.region.payment.groups") && out.contains("7055820 cases"),
        "{out}"
    );
    let o = drgsim(
        &[
            "run",
            scen.to_str().unwrap(),
            "--out",
            tmp.path().join("o").to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert!(
        stderr(&o).contains("warning") && stderr(&o).contains("7055820 cases"),
        "{}",
        stderr(&o)
    );
    // The bundled scenario itself is consistent: no warning.
    let o = drgsim(&["validate", base.to_str().unwrap()], tmp.path());
    assert!(!common::stdout(&o).contains("warning"));
}

#[test]
fn a_group_table_without_optional_columns_gets_stated_defaults() {
    let tmp = common::tmp();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/qingyang/groups.csv");
    let mut rdr = csv::Reader::from_path(&src).unwrap();
    let header = rdr.headers().unwrap().clone();
    let keep: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| ["code", "name", "mdc", "weight", "mean_cost", "cases"].contains(h))
        .map(|(i, _)| i)
        .collect();
    let mut w = csv::Writer::from_path(tmp.path().join("groups.csv")).unwrap();
    w.write_record(keep.iter().map(|&i| &header[i])).unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        w.write_record(keep.iter().map(|&i| &r[i])).unwrap();
    }
    w.flush().unwrap();
    let g = GroupTable::load(&tmp.path().join("groups.csv")).unwrap();
    assert_eq!(g.assumed.len(), 3, "{:?}", g.assumed);
    assert!(
        g.groups
            .iter()
            .all(|x| x.cost_cv == drgsim::payment::DEFAULT_COST_CV && !x.excluded)
    );
    let base = common::scenario("qingyang-2025h1.toml");
    let scen = tmp.path().join("swap.toml");
    std::fs::write(
        &scen,
        format!(
            "extends = {:?}\n[funds.region.payment]\ngroups = \"groups.csv\"\n",
            base.to_str().unwrap()
        ),
    )
    .unwrap();
    let o = drgsim(&["validate", scen.to_str().unwrap()], tmp.path());
    let out = common::stdout(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    for s in [
        "no `cost_cv` column",
        "no `excluded` column",
        "no `age_*` columns",
    ] {
        assert!(out.contains(s), "{s} not in {out}");
    }
    // A partial set of age columns is still an error.
    let text = std::fs::read_to_string(&src)
        .unwrap()
        .replacen("age_85+", "age_85plus", 1);
    std::fs::write(tmp.path().join("groups.csv"), text).unwrap();
    let o = drgsim(&["validate", scen.to_str().unwrap()], tmp.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("age_85+"), "{}", stderr(&o));
}
