//! Synthetic case-level records drawn from a group table and a hospital table
//! (seeded, deterministic), for the round-trip test and the benchmarks.
//!
//! Distributions (the documented model of `scenarios/data/README.md`):
//! - hospital of a case: `P(h) ∝ cases_h`;
//! - group given the hospital: `P(g | h) ∝ p_g RW_g^theta_h`, `p_g = cases_g /
//!   sum cases`, with `theta_h` solved (bisection) so the hospital's expected CMI
//!   is `cmi_relative_h x` the regional CMI;
//! - cost: lognormal with mean `mean_cost_g x cost_level_h / cbar_g` (`cbar_g`
//!   the case-weighted mean cost level of the group's hospitals, so the group's
//!   regional mean is `mean_cost_g`) and coefficient of variation `cost_cv_g`:
//!   `sigma^2 = ln(1 + cv^2)`, `mu = ln m - sigma^2 / 2`;
//! - age: band from the group's age shares, uniform year within the band (85-99 for 85+);
//! - a share of cases not grouped (empty code) and of special-review cases;
//! - fund payment 60 % of cost, length of stay about cost / 600 yuan.

use crate::payment::{GroupTable, HospitalTable, Level};
use crate::population::bands::N_BANDS;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use std::io::{self, Write};

/// What to draw.
#[derive(Clone, Debug)]
pub struct SynthOptions {
    /// Number of records.
    pub records: u64,
    /// Seed.
    pub seed: u64,
    /// Share of records not grouped.
    pub ungrouped_share: f64,
    /// Share of grouped records flagged for special review.
    pub special_share: f64,
    /// Write GB18030 instead of UTF-8.
    pub gb18030: bool,
    /// Parquet: rows per row group.
    pub row_group_rows: usize,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            records: 100_000,
            seed: 20250630,
            ungrouped_share: 0.0007,
            special_share: 0.002,
            gb18030: false,
            row_group_rows: 1 << 20,
        }
    }
}

/// Header of the synthetic records (the Chinese headers `calibrate` recognises).
pub const HEADER: [&str; 15] = [
    "病案号",
    "医疗机构编码",
    "医疗机构名称",
    "医疗机构等级",
    "DRG编码",
    "DRG名称",
    "年龄",
    "性别",
    "住院天数",
    "总费用",
    "统筹支付",
    "个人支付",
    "险种",
    "出院日期",
    "特病单议标记",
];

/// Cumulative distribution of non-negative weights (last entry = total).
fn cdf(w: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    w.map(|x| {
        acc += x.max(0.0);
        acc
    })
    .collect()
}

fn draw(cdf: &[f64], u: f64) -> usize {
    let t = u * cdf[cdf.len() - 1];
    cdf.partition_point(|&c| c <= t).min(cdf.len() - 1)
}

/// `theta` such that `sum_g p_g RW_g^theta RW_g / sum_g p_g RW_g^theta = target`.
fn solve_theta(p: &[f64], w: &[f64], target: f64) -> f64 {
    let cmi = |th: f64| {
        let (mut a, mut b) = (0.0, 0.0);
        for (pg, wg) in p.iter().zip(w) {
            if *wg > 0.0 {
                let q = pg * wg.powf(th);
                a += q * wg;
                b += q;
            }
        }
        a / b
    };
    let (mut lo, mut hi) = (-6.0, 6.0);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if cmi(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Writer that encodes UTF-8 bytes to GB18030 on the way out.
struct Gb18030<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Write for Gb18030<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(s) => s.len(),
            Err(e) => e.valid_up_to(),
        };
        let text = std::str::from_utf8(&self.pending[..valid]).unwrap_or_default();
        let (bytes, _, _) = encoding_rs::GB18030.encode(text);
        self.inner.write_all(&bytes)?;
        self.pending.drain(..valid);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The expected per-hospital group distribution and cost factors of the model above.
pub struct Plan {
    hosp_cdf: Vec<f64>,
    group_cdf: Vec<Vec<f64>>,
    /// `cost_level_h / cbar_g` per (hospital, group).
    cost_factor: Vec<Vec<f64>>,
    age_cdf: Vec<Vec<f64>>,
    ids: Vec<(String, String, Level)>,
    /// Expected coefficient of variation of a group's case cost over all its
    /// hospitals: `1 + CV^2 = (1 + cv_g^2)(1 + V_g)`, `V_g` the case-weighted
    /// variance of the hospitals' cost factors (mean 1).
    pub group_cv: Vec<f64>,
}

/// Builds the sampling plan from the tables (no hospital table: one `region` hospital).
pub fn plan(groups: &GroupTable, hospitals: Option<&HospitalTable>) -> Plan {
    let hs: Vec<(String, String, Level, f64, f64, f64)> = match hospitals {
        Some(t) => t
            .hospitals
            .iter()
            .map(|h| {
                (
                    h.id.clone(),
                    h.name.clone(),
                    h.level,
                    h.cases,
                    h.cmi_relative,
                    h.cost_level,
                )
            })
            .collect(),
        None => vec![(
            "region".into(),
            "region".into(),
            Level::Secondary,
            1.0,
            1.0,
            1.0,
        )],
    };
    let total: f64 = groups.groups.iter().map(|g| g.cases).sum();
    let p: Vec<f64> = groups.groups.iter().map(|g| g.cases / total).collect();
    let w: Vec<f64> = groups.groups.iter().map(|g| g.weight).collect();
    let cmi: f64 = p.iter().zip(&w).map(|(a, b)| a * b).sum();
    let hcases: f64 = hs.iter().map(|h| h.3).sum();
    let q: Vec<Vec<f64>> = hs
        .iter()
        .map(|h| {
            let th = if hospitals.is_some() {
                solve_theta(&p, &w, h.4 * cmi)
            } else {
                0.0
            };
            p.iter()
                .zip(&w)
                .map(|(pg, wg)| if *wg > 0.0 { pg * wg.powf(th) } else { *pg })
                .collect::<Vec<f64>>()
        })
        .map(|v| {
            let s: f64 = v.iter().sum();
            v.into_iter().map(|x| x / s).collect()
        })
        .collect();
    let ng = groups.groups.len();
    let mut cbar = vec![0.0; ng];
    let mut mass = vec![0.0; ng];
    for (h, qh) in hs.iter().zip(&q) {
        for g in 0..ng {
            let m = h.3 / hcases * qh[g];
            cbar[g] += m * h.5;
            mass[g] += m;
        }
    }
    for g in 0..ng {
        cbar[g] = if mass[g] > 0.0 {
            cbar[g] / mass[g]
        } else {
            1.0
        };
    }
    let mut var_b = vec![0.0; ng];
    for (h, qh) in hs.iter().zip(&q) {
        for g in 0..ng {
            var_b[g] += h.3 / hcases * qh[g] * (h.5 / cbar[g] - 1.0).powi(2);
        }
    }
    let group_cv = groups
        .groups
        .iter()
        .enumerate()
        .map(|(g, gr)| {
            let v = if mass[g] > 0.0 {
                var_b[g] / mass[g]
            } else {
                0.0
            };
            ((1.0 + gr.cost_cv * gr.cost_cv) * (1.0 + v) - 1.0).sqrt()
        })
        .collect();
    Plan {
        hosp_cdf: cdf(hs.iter().map(|h| h.3)),
        group_cdf: q.iter().map(|qh| cdf(qh.iter().copied())).collect(),
        cost_factor: hs
            .iter()
            .map(|h| (0..ng).map(|g| h.5 / cbar[g]).collect())
            .collect(),
        age_cdf: groups
            .groups
            .iter()
            .map(|g| cdf(g.age_shares.iter().copied()))
            .collect(),
        ids: hs.into_iter().map(|h| (h.0, h.1, h.2)).collect(),
        group_cv,
    }
}

/// Writes `opts.records` synthetic records as CSV with the Chinese [`HEADER`].
pub fn write_records<W: Write>(
    groups: &GroupTable,
    hospitals: Option<&HospitalTable>,
    opts: &SynthOptions,
    out: W,
) -> io::Result<()> {
    let out: Box<dyn Write> = if opts.gb18030 {
        Box::new(Gb18030 {
            inner: out,
            pending: Vec::new(),
        })
    } else {
        Box::new(out)
    };
    let mut w = csv::WriterBuilder::new()
        .buffer_capacity(1 << 20)
        .from_writer(out);
    w.write_record(HEADER)?;
    for_each_record(groups, hospitals, opts, |r| Ok(w.write_record(r)?))?;
    w.flush()
}

/// Writes `opts.records` synthetic records as Parquet (snappy, row groups of
/// `opts.row_group_rows`, by default 2^20; see `super::parquet_records::ParquetRecordWriter`). The
/// records are those [`write_records`] writes for the same options.
pub fn write_records_parquet(
    groups: &GroupTable,
    hospitals: Option<&HospitalTable>,
    opts: &SynthOptions,
    out: std::fs::File,
) -> io::Result<()> {
    let mut w =
        super::parquet_records::ParquetRecordWriter::new(out, &HEADER, opts.row_group_rows.max(1))
            .map_err(io::Error::other)?;
    for_each_record(groups, hospitals, opts, |r| {
        w.write(r).map_err(io::Error::other)
    })?;
    w.finish().map_err(io::Error::other)
}

/// Draws `opts.records` records and hands each (fields in [`HEADER`] order) to `each`.
pub fn for_each_record(
    groups: &GroupTable,
    hospitals: Option<&HospitalTable>,
    opts: &SynthOptions,
    mut each: impl FnMut(&[&str]) -> io::Result<()>,
) -> io::Result<()> {
    let plan = plan(groups, hospitals);
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let z: Normal<f64> = Normal::new(0.0, 1.0).map_err(io::Error::other)?;
    let sig: Vec<(f64, f64)> = groups
        .groups
        .iter()
        .map(|g| {
            let s2 = (1.0 + g.cost_cv * g.cost_cv).ln();
            (s2.sqrt(), -0.5 * s2)
        })
        .collect();
    for i in 0..opts.records {
        let h = draw(&plan.hosp_cdf, rng.random::<f64>());
        let g = draw(&plan.group_cdf[h], rng.random::<f64>());
        let gr = &groups.groups[g];
        let (s, m) = sig[g];
        let cost = gr.mean_cost * plan.cost_factor[h][g] * (m + s * z.sample(&mut rng)).exp();
        let b = draw(&plan.age_cdf[g], rng.random::<f64>()).min(N_BANDS - 1);
        let width = if b == N_BANDS - 1 { 15 } else { 5 };
        let age = 5 * b as u64 + rng.random_range(0..width);
        let ungrouped = rng.random::<f64>() < opts.ungrouped_share;
        let special = !ungrouped && rng.random::<f64>() < opts.special_share;
        let los = (cost / 600.0 * (0.3 * z.sample(&mut rng)).exp())
            .round()
            .clamp(1.0, 180.0);
        let day = rng.random_range(0..181u32);
        let (mo, d) = month_day(day);
        let (id, name, level) = &plan.ids[h];
        let fund = (cost * 0.6 * 100.0).round() / 100.0;
        let cost = (cost * 100.0).round() / 100.0;
        each(&[
            format!("C{:09}", i + 1).as_str(),
            id,
            name,
            match level {
                Level::Tertiary => "三级",
                Level::Secondary => "二级",
                Level::Primary => "一级",
            },
            if ungrouped { "" } else { &gr.code },
            if ungrouped { "" } else { &gr.name },
            &age.to_string(),
            if rng.random::<bool>() { "男" } else { "女" },
            &format!("{los}"),
            &format!("{cost:.2}"),
            &format!("{fund:.2}"),
            &format!("{:.2}", cost - fund),
            if rng.random::<f64>() < 0.3 {
                "职工"
            } else {
                "居民"
            },
            &format!("2025-{mo:02}-{d:02}"),
            if special { "1" } else { "0" },
        ])?;
    }
    Ok(())
}

/// Month and day of day `d` (0-based) of 2025 H1.
fn month_day(d: u32) -> (u32, u32) {
    const LEN: [u32; 6] = [31, 28, 31, 30, 31, 30];
    let mut d = d;
    for (m, l) in LEN.iter().enumerate() {
        if d < *l {
            return (m as u32 + 1, d + 1);
        }
        d -= l;
    }
    (6, 30)
}
