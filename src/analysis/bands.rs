//! Monte Carlo runway bands of a compiled model, path by path in chunks and
//! summarised by column.
//!
//! Paths run in chunks of [`CHUNK`] (a unit of parallel work). Each chunk
//! writes its outcomes as columns, one per (fund, series, year), into a block
//! of its own (`16 x funds x years` bytes a path, no vector per path). The
//! chunks are projected on every thread and handed to the summaries in path
//! order, [`GROUP`] chunks at a time, by [`produce_in_order`]: the thread
//! that completes a group summarises it while the others go on projecting,
//! so no thread waits at a batch boundary.
//!
//! Up to [`EXACT_PATHS`] paths every column keeps all its values, and the
//! per-year summaries run in parallel at the end, one column at a time:
//! quantiles by selection
//! ([`quantiles_by_selection`](super::montecarlo::quantiles_by_selection)),
//! probabilities by counting, means summed in path order. Above it each
//! column is summarised as it streams: a [`Sketch`] (DDSketch log buckets,
//! relative accuracy [`RELATIVE_ACCURACY`]) for the quantiles, exact counts
//! for the probabilities, the path-order sum for the mean. Memory is then
//! bounded by the chunks in flight ([`WINDOW`]) and the sketches' bucket
//! cap, whatever the number of paths.
//! Each sketch counts values within [`ZERO_BUCKET_MONTHS`] months of zero
//! (for balances, that many months of the fund's base-year pooled
//! expenditure, see [`zero_buckets`]) as zeros, so a balance crossing zero
//! does not span more buckets than a sketch keeps.
//!
//! Reproducible bit for bit whatever the thread count: path `i` draws from
//! its own stream [`path_rng`](super::path_rng)`(seed, i)`, chunk boundaries do not depend on
//! the threads, and every column's summary takes its values in path order
//! (every sum runs in path order; a sketch's counts would merge exactly in
//! any order anyway).

use super::YearSummary;
use super::error::{Result, bail, err};
use super::levers::{Buffers, LeverSet, project_levers_many_to};
use super::montecarlo::{check_memory, summarize_column};
use super::ordered::produce_in_order;
use super::runs::{MC_PROBS, Uncertainty, in_pool};
use super::sketch::{MAX_BUCKETS, RELATIVE_ACCURACY, Sketch};
use super::streams::PathStreams;
use crate::fund::YearRow;
use crate::population::LANES;
use crate::projection::{Model, PathDetail, RowSink};
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
    /// How the quantiles were computed (exact, or sketch and its accuracy).
    pub method: QuantileMethod,
    /// Per fund.
    pub funds: Vec<FundBands>,
}

/// Bytes kept per path when the quantiles are exact: months payable and
/// balance of every fund and year.
pub fn bytes_per_path(model: &Model) -> u64 {
    (2 * model.funds.len() * model.years.len()) as u64 * 8
}

/// Up to this many paths the quantiles are exact (every value kept, order
/// statistics by selection); above it each (fund, series, year) column is
/// summarised as it streams by a [`Sketch`] of relative accuracy
/// [`RELATIVE_ACCURACY`], so memory is bounded by the batch, not the paths.
pub const EXACT_PATHS: u64 = 100_000;

/// Most paths one run takes: memory is bounded above [`EXACT_PATHS`], but
/// CPU time is not (about 85 s of user CPU per 10 million paths of the
/// default scenario on the 2-core reference machine).
pub const MAX_PATHS: u64 = 1_000_000_000;

/// Chunks summarised together, in path order (a pass of the streaming
/// summaries over every column): 8 chunks, so a group's outcomes (`16 x funds
/// x years` bytes a path, 852 KB for one fund over 13 years) are still in
/// cache when the summaries read them. The results do not depend on it
/// (every column is summed in path order).
const GROUP: usize = 8;

/// How many chunks the projection may run ahead of the summaries
/// ([`produce_in_order`]): the memory a streaming run holds is about this
/// many chunks' outcomes plus one per thread, a few MB.
const WINDOW: usize = 4 * GROUP;

/// How a run's quantiles were computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum QuantileMethod {
    /// Exact type-7 quantiles of every path's value.
    Exact,
    /// Log-bucket sketch ([`Sketch`]): every quantile within
    /// `relative_accuracy` of the exact one (module docs of the sketch);
    /// `collapsed` = some column spanned so wide a range that its smallest
    /// magnitudes were lumped together.
    Sketch {
        /// Relative accuracy of each quantile.
        relative_accuracy: f64,
        /// Whether any column collapsed its smallest magnitudes.
        collapsed: bool,
    },
}

/// Monte Carlo runway bands: `n` seeded paths of the uncertain parameters.
///
/// The one entry point for every caller (command line, web page, benches).
/// `threads = None` uses the global rayon pool; `progress` advances by the
/// paths of each finished chunk. Quantiles are exact up to [`EXACT_PATHS`]
/// paths and from a [`Sketch`] above (see [`MonteCarlo::method`]); means and
/// probabilities are exact either way (means summed in path order).
/// Errors: no paths, no threads, a request that would not fit in memory
/// (refused before any work, with the estimate), a draw the scenario rejects.
pub fn monte_carlo(
    model: &Model,
    unc: &Uncertainty,
    n: u64,
    seed: u64,
    threads: Option<usize>,
    progress: Option<&ProgressBar>,
) -> Result<MonteCarlo> {
    monte_carlo_with(model, unc, n, seed, threads, progress, EXACT_PATHS)
}

/// [`monte_carlo`] with exact quantiles up to `exact_paths` paths.
pub(crate) fn monte_carlo_with(
    model: &Model,
    unc: &Uncertainty,
    n: u64,
    seed: u64,
    threads: Option<usize>,
    progress: Option<&ProgressBar>,
    exact_paths: u64,
) -> Result<MonteCarlo> {
    if n == 0 {
        bail!("the number of paths must be at least 1");
    }
    if n > MAX_PATHS {
        bail!(
            "{n} paths are more than one run takes; use at most {MAX_PATHS} paths (memory no longer grows with the paths, but time does: 10,000 give quantiles to about 1 %)"
        );
    }
    let ny = model.years.len();
    let nf = model.funds.len();
    let exact = n <= exact_paths;
    let workers = threads.unwrap_or_else(rayon::current_num_threads) as u64;
    if exact {
        // per path: its outcomes, plus one column being summarised per thread
        check_memory(n, bytes_per_path(model) + 8 * workers)?;
    } else {
        // the chunks in flight, and two sketches of at most MAX_BUCKETS
        // counts per column, whatever the number of paths
        let sketches = (2 * nf * ny * 2 * MAX_BUCKETS * 8) as u64;
        let in_flight = (WINDOW as u64 + workers) * CHUNK as u64;
        check_memory(1, in_flight * bytes_per_path(model) + sketches)?;
    }
    let n = usize::try_from(n).map_err(|_| err!("{n} paths do not fit in memory"))?;
    let series = 2 * nf * ny;
    let set = LeverSet::new(unc.levers.clone());
    let th = model.thresholds;
    let thresholds = |s: usize| -> Vec<f64> {
        if (s / ny).is_multiple_of(2) {
            vec![th.warning, th.danger]
        } else {
            vec![0.0]
        }
    };
    let ctx = Paths {
        model,
        unc,
        set: &set,
        streams: PathStreams::new(seed),
        series,
        ny,
        progress,
    };
    let n_chunks = n.div_ceil(CHUNK);
    let job = || -> Result<(Vec<ColumnSummary>, QuantileMethod)> {
        if exact {
            // every column's non-NaN values in path order, then each
            // column summarised on its own (in parallel)
            let mut columns = vec![Vec::with_capacity(n); series];
            ctx.run(n, n_chunks, |blocks| {
                for (s, col) in columns.iter_mut().enumerate() {
                    for block in blocks {
                        let len = block.len() / series;
                        col.extend(block[s * len..(s + 1) * len].iter().filter(|v| !v.is_nan()));
                    }
                }
            })?;
            let columns = columns
                .into_par_iter()
                .enumerate()
                .map(|(s, mut col)| {
                    let n_nan = n - col.len();
                    (
                        summarize_column(&mut col, &MC_PROBS, &thresholds(s)),
                        col.len(),
                        n_nan,
                    )
                })
                .collect();
            return Ok((columns, QuantileMethod::Exact));
        }
        let zero = zero_buckets(model);
        let mut acc: Vec<Streaming> = (0..series)
            .map(|s| Streaming::new(thresholds(s), zero[s / ny]))
            .collect();
        ctx.run(n, n_chunks, |blocks| {
            for (s, a) in acc.iter_mut().enumerate() {
                for block in blocks {
                    let len = block.len() / series;
                    a.extend(&block[s * len..(s + 1) * len]);
                }
            }
        })?;
        let collapsed = acc.iter().any(|a| a.sketch.collapsed());
        let columns = acc.into_iter().map(Streaming::finish).collect();
        let method = QuantileMethod::Sketch {
            relative_accuracy: RELATIVE_ACCURACY,
            collapsed,
        };
        Ok((columns, method))
    };
    let (columns, method) = in_pool(threads, job)??;
    let mut summaries = columns.chunks(ny).enumerate().map(|(j, cols)| {
        let mut s = YearSummary {
            probs: MC_PROBS.to_vec(),
            thresholds: thresholds(j * ny),
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
        s
    });
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
        method,
        funds,
    })
}

/// Zero bucket of the streaming sketches, in months of spending: values of
/// months payable within `0.001` months of zero, and balances within `0.001`
/// months of the fund's base-year pooled expenditure, are answered by 0 (an
/// absolute error below that). Without it, a series crossing zero has
/// draws arbitrarily close to 0 and spans more buckets than the sketch keeps
/// (the sketch's module docs); with it, a series collapses only when its
/// largest magnitude exceeds about 300,000 times the zero bucket, 300 months.
pub const ZERO_BUCKET_MONTHS: f64 = 1e-3;

/// The zero bucket of each series of the streaming sketches, in the order
/// of the columns' series (months payable, balance, per fund): months
/// [`ZERO_BUCKET_MONTHS`], balance that many months of the fund's base-year
/// pooled expenditure (万元; only zeros and subnormals if that is not a
/// positive number).
pub fn zero_buckets(model: &Model) -> Vec<f64> {
    let base = crate::projection::project(model);
    base.funds
        .iter()
        .flat_map(|f| {
            let spending = f
                .rows
                .first()
                .map_or(f64::NAN, |r| r.pooled_expenditure_wan);
            let balance = if spending.is_finite() && spending > 0.0 {
                ZERO_BUCKET_MONTHS * spending / 12.0
            } else {
                0.0
            };
            [ZERO_BUCKET_MONTHS, balance]
        })
        .collect()
}

/// `((quantiles, prob_below, mean), n_valid, n_nan)` of one column.
type ColumnSummary = ((Vec<f64>, Vec<f64>, f64), usize, usize);

/// What the paths of one run share.
struct Paths<'a> {
    model: &'a Model,
    unc: &'a Uncertainty,
    set: &'a LeverSet,
    /// Path `i` draws from `streams.rng(i)` = [`path_rng`](super::path_rng)`(seed, i)`.
    streams: PathStreams,
    series: usize,
    ny: usize,
    progress: Option<&'a ProgressBar>,
}

impl Paths<'_> {
    /// Projects paths `0..n` in chunks of [`CHUNK`] on every thread of the
    /// current pool and hands the chunks' blocks to `consume` in path order,
    /// [`GROUP`] chunks at a time ([`produce_in_order`]). Chunk `c` holds
    /// its `len` paths `c CHUNK ..` as columns: the value of column `s` for
    /// its path `i` at `s * len + i`.
    fn run(
        &self,
        n: usize,
        n_chunks: usize,
        consume: impl FnMut(&[Vec<f64>]) + Send,
    ) -> Result<()> {
        let k = self.unc.sampler.dim();
        let scratch = || {
            let bufs: Vec<Buffers> = (0..LANES).map(|_| Buffers::for_model(self.model)).collect();
            (vec![0.0; LANES * k], bufs)
        };
        let produce =
            |c: usize, block: &mut Vec<f64>, (xs, bufs): &mut (Vec<f64>, Vec<Buffers>)| {
                let first = c * CHUNK;
                let len = CHUNK.min(n - first);
                // every value is written by the sink below
                block.resize(len * self.series, 0.0);
                for from in (0..len).step_by(LANES) {
                    let lanes = LANES.min(len - from);
                    for j in 0..lanes {
                        let mut rng = self.streams.rng((first + from + j) as u64);
                        self.unc
                            .sampler
                            .sample_into(&mut rng, &mut xs[j * k..(j + 1) * k])?;
                    }
                    let points: Vec<&[f64]> = (0..lanes).map(|j| &xs[j * k..(j + 1) * k]).collect();
                    let mut sink = Columns {
                        block,
                        len,
                        first: from,
                        ny: self.ny,
                    };
                    project_levers_many_to(self.model, self.set, &points, bufs, &mut sink)?;
                }
                if let Some(pb) = self.progress {
                    pb.inc(len as u64);
                }
                Ok(())
            };
        produce_in_order(n_chunks, GROUP, WINDOW, scratch, produce, consume)
    }
}

/// The Monte Carlo sink of the year loop: a chunk's block of columns, path
/// `first + i` of `len`, months payable of fund `fi` in column `2 fi ny + t`
/// and its balance in column `2 fi ny + ny + t` (nothing else of the row is
/// kept, so the loop does not build it).
struct Columns<'a> {
    block: &'a mut [f64],
    len: usize,
    first: usize,
    ny: usize,
}

impl RowSink for Columns<'_> {
    #[inline]
    fn row(&mut self, i: usize, fi: usize, t: usize, r: &YearRow, _: &PathDetail<'_>) {
        let (len, i) = (self.len, self.first + i);
        let months = 2 * fi * self.ny + t;
        let balance = months + self.ny;
        self.block[months * len + i] = r.months_payable;
        self.block[balance * len + i] = r.balance_wan;
    }
}

/// Streaming summary of one column: sketch for the quantiles, exact counts
/// below the thresholds, and the sum in path order (the same fold as
/// [`summarize_column`]'s, so the mean is the exact one bit for bit).
struct Streaming {
    sketch: Sketch,
    thresholds: Vec<f64>,
    below: Vec<u64>,
    sum: f64,
    valid: usize,
    nan: usize,
}

impl Streaming {
    fn new(thresholds: Vec<f64>, zero_below: f64) -> Self {
        Self {
            sketch: Sketch::with_zero_below(RELATIVE_ACCURACY, zero_below),
            below: vec![0; thresholds.len()],
            thresholds,
            sum: -0.0,
            valid: 0,
            nan: 0,
        }
    }

    fn extend(&mut self, values: &[f64]) {
        for &v in values {
            if v.is_nan() {
                self.nan += 1;
                continue;
            }
            self.valid += 1;
            self.sum += v;
            for (b, &t) in self.below.iter_mut().zip(&self.thresholds) {
                *b += u64::from(v < t);
            }
        }
        // the sketch skips the NaNs itself; `add_slice` = `add` of each
        self.sketch.add_slice(values);
    }

    fn finish(self) -> ColumnSummary {
        let n = self.valid;
        if n == 0 {
            let empty = (
                vec![f64::NAN; MC_PROBS.len()],
                vec![f64::NAN; self.thresholds.len()],
                f64::NAN,
            );
            return (empty, 0, self.nan);
        }
        let below = self.below.iter().map(|&b| b as f64 / n as f64).collect();
        (
            (self.sketch.quantiles(&MC_PROBS), below, self.sum / n as f64),
            n,
            self.nan,
        )
    }
}
