//! A DIP-sized table set for start-up measurements: the bundled Chuxiong
//! group table (732 DRG groups) spread over `n` groups, as a DIP region's
//! catalogue of 10,000-15,000 disease groups (病种) is, and a scenario that
//! extends the default scenario with it.
//!
//! Group `i` copies source group `i mod 732` under the code `<code>-<i>`,
//! with its weight and mean cost multiplied by the same factor
//! `exp(0.1 z)` (so payment per cost stays the source's) and its cases by
//! `732 / n` times `exp(0.2 z')` (so the region's case count stays about the
//! source's); `z, z'` are standard normals from a seeded splitmix64 stream
//! (Box-Muller), so the same `(n, seed)` writes the same bytes. Age shares and
//! the remaining columns are copied.
//!
//! Shared by `drgsim-gen-tables dip`, `benches/startup.rs` and the start-up
//! tests (each includes this file with `#[path]` or `mod common`).
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// splitmix64 (Steele, Lea & Flood 2014): a tiny seeded stream, enough for
/// jitter on a generated table.
struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller, one of the pair).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// Splits one CSV line on commas outside double quotes (the group table's
/// names are quoted and contain commas).
fn split_csv(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&line[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&line[start..]);
    out
}

/// The group table CSV of `n` groups spread from `source` (a group table with
/// the columns `code, name, mdc, weight, mean_cost, cost_cv, cases, ...`).
pub fn spread_groups(source: &str, n: usize, seed: u64) -> Result<String, String> {
    let mut lines = source.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().ok_or("empty group table")?;
    let cols = split_csv(header);
    let at = |name: &str| {
        cols.iter()
            .position(|c| *c == name)
            .ok_or_else(|| format!("group table has no `{name}` column"))
    };
    let (code, weight, cost, cases) = (at("code")?, at("weight")?, at("mean_cost")?, at("cases")?);
    let rows: Vec<Vec<&str>> = lines.map(split_csv).collect();
    if rows.is_empty() {
        return Err("group table has no rows".into());
    }
    let num = |r: &[&str], c: usize| -> Result<f64, String> {
        r[c].trim()
            .parse::<f64>()
            .map_err(|e| format!("`{}` in column {c}: {e}", r[c]))
    };
    let mut rng = SplitMix(seed);
    let spread = rows.len() as f64 / n as f64;
    let mut out = String::with_capacity(n * (source.len() / rows.len() + 8));
    out.push_str(header);
    out.push('\n');
    for i in 0..n {
        let r = &rows[i % rows.len()];
        let size = (0.1 * rng.normal()).exp();
        let volume = (0.2 * rng.normal()).exp();
        for (c, field) in r.iter().enumerate() {
            if c > 0 {
                out.push(',');
            }
            if c == code {
                let _ = write!(out, "{field}-{i}");
            } else if c == weight {
                let _ = write!(out, "{:.4}", num(r, c)? * size);
            } else if c == cost {
                let _ = write!(out, "{:.2}", num(r, c)? * size);
            } else if c == cases {
                // at least one case, so that every group is a real one
                let _ = write!(out, "{:.0}", (num(r, c)? * spread * volume).max(1.0));
            } else {
                out.push_str(field);
            }
        }
        out.push('\n');
    }
    Ok(out)
}

/// Writes `groups.csv` (`n` groups spread from the Chuxiong table under
/// `scenarios`) and `scenario.toml` (the default scenario, `chuxiong-rules.toml`,
/// over that table) into `dir`; returns the scenario's path.
pub fn write_dip_scenario(
    scenarios: &Path,
    dir: &Path,
    n: usize,
    seed: u64,
) -> Result<PathBuf, String> {
    let src = scenarios.join("data/chuxiong/groups.csv");
    let text = std::fs::read_to_string(&src).map_err(|e| format!("{}: {e}", src.display()))?;
    let groups = spread_groups(&text, n, seed)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = |name: &str, body: &str| {
        let p = dir.join(name);
        std::fs::write(&p, body).map_err(|e| format!("{}: {e}", p.display()))
    };
    write("groups.csv", &groups)?;
    let base = scenarios
        .join("chuxiong-rules.toml")
        .canonicalize()
        .map_err(|e| format!("{}: {e}", scenarios.display()))?;
    let scenario = format!(
        "# The default scenario over a {n}-group DIP-sized table (seed {seed}); generated.\n\
         extends = {:?}\n\n\
         [funds.resident.payment]\n\
         groups = \"groups.csv\"\n",
        base.display().to_string()
    );
    write("scenario.toml", &scenario)?;
    Ok(dir.join("scenario.toml"))
}
