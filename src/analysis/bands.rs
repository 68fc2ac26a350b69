//! Monte Carlo runway bands of a compiled model, path by path in chunks and
//! summarised by column.
//!
//! Paths run in chunks of [`CHUNK`] (a unit of parallel work). Each chunk
//! writes its outcomes as columns, one per (fund, series, year), into its own
//! block of one flat buffer, so the results take `16 x funds x years` bytes a
//! path and nothing else grows with the number of paths (no vector per path).
//! The per-year summaries then run in parallel, one (fund, series, year)
//! column at a time: quantiles by selection
//! ([`quantiles_by_selection`](super::montecarlo::quantiles_by_selection)),
//! probabilities by counting, means summed in path order.
//!
//! Reproducible bit for bit whatever the thread count: path `i` draws from
//! its own stream [`path_rng`]`(seed, i)`, chunk boundaries do not depend on
//! the threads, and every sum runs in path order.

use super::error::{Result, bail, err};
use super::levers::{Buffers, LeverSet, project_levers};
use super::montecarlo::{check_memory, summarize_column};
use super::runs::{MC_PROBS, Uncertainty, in_pool};
use super::{YearSummary, path_rng};
use crate::projection::Model;
use indicatif::ProgressBar;
use rayon::prelude::*;

/// Paths per chunk of work: large enough to amortise a task, small enough
/// that a few thousand paths keep all threads busy (the web page asks for
/// 2,000 paths per update).
pub const CHUNK: usize = 512;

/// Monte Carlo bands of one fund.
#[derive(Clone, Debug)]
pub struct FundBands {
    /// Fund id.
    pub id: String,
    /// Months payable: quantiles at [`MC_PROBS`]; `prob_below` = (warning, danger).
    pub months: YearSummary,
    /// Balance: quantiles at [`MC_PROBS`]; `prob_below` = (0) = depletion.
    pub balance: YearSummary,
}

/// Monte Carlo result.
#[derive(Clone, Debug)]
pub struct MonteCarlo {
    /// Calendar years.
    pub years: Vec<i32>,
    /// Paths run.
    pub n_paths: u64,
    /// Seed used.
    pub seed: u64,
    /// Per fund.
    pub funds: Vec<FundBands>,
}

/// Bytes kept per path: months payable and balance of every fund and year.
pub fn bytes_per_path(model: &Model) -> u64 {
    (2 * model.funds.len() * model.years.len()) as u64 * 8
}

/// Monte Carlo runway bands: `n` seeded paths of the uncertain parameters.
///
/// The one entry point for every caller (command line, web page, benches).
/// `threads = None` uses the global rayon pool; `progress` advances by the
/// paths of each finished chunk. Errors: no paths, no threads, a request that
/// would not fit in memory (refused before any work, with the estimate), a
/// draw the scenario rejects.
pub fn monte_carlo(
    model: &Model,
    unc: &Uncertainty,
    n: u64,
    seed: u64,
    threads: Option<usize>,
    progress: Option<&ProgressBar>,
) -> Result<MonteCarlo> {
    if n == 0 {
        bail!("the number of paths must be at least 1");
    }
    let ny = model.years.len();
    let nf = model.funds.len();
    // per path: its outcomes, plus one column being summarised per thread
    let workers = threads.unwrap_or_else(rayon::current_num_threads) as u64;
    let per_path = bytes_per_path(model) + 8 * workers;
    check_memory(n, per_path)?;
    let n = usize::try_from(n).map_err(|_| err!("{n} paths do not fit in memory"))?;
    let series = 2 * nf * ny;
    let set = LeverSet::new(unc.levers.clone());
    let k = unc.sampler.dim();
    let mut data = vec![0.0f64; n * series];
    let job = || -> Result<Vec<YearSummary>> {
        data.par_chunks_mut(CHUNK * series)
            .enumerate()
            .try_for_each_init(
                || (vec![0.0; k], Buffers::for_model(model)),
                |(xs, buf), (c, block)| -> Result<()> {
                    let len = block.len() / series;
                    for i in 0..len {
                        let path = (c * CHUNK + i) as u64;
                        let mut rng = path_rng(seed, path);
                        unc.sampler.sample_into(&mut rng, xs)?;
                        let p = project_levers(model, &set, xs, buf)?;
                        for (fi, f) in p.funds.iter().enumerate() {
                            let months = 2 * fi * ny;
                            let balance = months + ny;
                            for (t, r) in f.rows.iter().enumerate() {
                                block[(months + t) * len + i] = r.months_payable;
                                block[(balance + t) * len + i] = r.balance_wan;
                            }
                        }
                    }
                    if let Some(pb) = progress {
                        pb.inc(len as u64);
                    }
                    Ok(())
                },
            )?;
        let th = model.thresholds;
        let data = &data;
        let columns: Vec<_> = (0..series)
            .into_par_iter()
            .map_init(Vec::new, |col: &mut Vec<f64>, s| {
                col.clear();
                col.reserve(n);
                for (c, block) in data.chunks(CHUNK * series).enumerate() {
                    let len = block.len() / series;
                    debug_assert!(c * CHUNK + len <= n);
                    col.extend(block[s * len..(s + 1) * len].iter().filter(|v| !v.is_nan()));
                }
                let thresholds: &[f64] = if (s / ny).is_multiple_of(2) {
                    &[th.warning, th.danger]
                } else {
                    &[0.0]
                };
                let n_nan = n - col.len();
                (
                    summarize_column(col, &MC_PROBS, thresholds),
                    col.len(),
                    n_nan,
                )
            })
            .collect();
        let mut out = Vec::with_capacity(2 * nf);
        for (j, cols) in columns.chunks(ny).enumerate() {
            let thresholds = if j.is_multiple_of(2) {
                vec![th.warning, th.danger]
            } else {
                vec![0.0]
            };
            let mut s = YearSummary {
                probs: MC_PROBS.to_vec(),
                thresholds,
                quantiles: Vec::with_capacity(ny),
                prob_below: Vec::with_capacity(ny),
                mean: Vec::with_capacity(ny),
                n_valid: Vec::with_capacity(ny),
                n_nan: Vec::with_capacity(ny),
            };
            for ((q, below, mean), valid, nan) in cols.iter().cloned() {
                s.quantiles.push(q);
                s.prob_below.push(below);
                s.mean.push(mean);
                s.n_valid.push(valid);
                s.n_nan.push(nan);
            }
            out.push(s);
        }
        Ok(out)
    };
    let summaries = in_pool(threads, job)??;
    let mut summaries = summaries.into_iter();
    let mut funds = Vec::with_capacity(nf);
    for fm in &model.funds {
        let (Some(months), Some(balance)) = (summaries.next(), summaries.next()) else {
            bail!("missing Monte Carlo summary for fund `{}`", fm.id);
        };
        funds.push(FundBands {
            id: fm.id.clone(),
            months,
            balance,
        });
    }
    Ok(MonteCarlo {
        years: (0..ny).map(|t| model.years.year(t)).collect(),
        n_paths: n as u64,
        seed,
        funds,
    })
}
