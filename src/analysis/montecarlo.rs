//! Monte Carlo over parameter paths, quantiles and per-year summaries.

use indicatif::ProgressBar;
use rayon::prelude::*;

use super::error::{AnalysisError, Result, invalid};
use super::sampler::Sampler;
use super::streams::path_rng;

/// Runs `f(path, params)` for `path` in `0..n_paths`, with `params` drawn by
/// `sampler` from the stream [`path_rng`]`(seed, path)`.
///
/// Results come back in path order and are identical for any thread count
/// (each path's draws depend only on `(seed, path)`). With `threads =
/// Some(n)` a dedicated rayon pool of `n` threads is used, otherwise the
/// global pool. `progress`, if given, is incremented once per path.
/// A parameter buffer is allocated per rayon work split, not per path.
///
/// Errors: `n_paths == 0`, `threads == Some(0)`, or a pool that cannot start.
pub fn run_paths<T, F>(
    sampler: &Sampler,
    n_paths: u64,
    seed: u64,
    threads: Option<usize>,
    progress: Option<&ProgressBar>,
    f: F,
) -> Result<Vec<T>>
where
    T: Send,
    F: Fn(u64, &[f64]) -> T + Sync,
{
    if n_paths == 0 {
        return Err(invalid("n_paths", "must be at least 1"));
    }
    if usize::try_from(n_paths).is_err() {
        return Err(invalid(
            "n_paths",
            format!("{n_paths} paths do not fit in memory on this platform"),
        ));
    }
    let k = sampler.dim();
    let job = || -> Result<Vec<T>> {
        (0..n_paths)
            .into_par_iter()
            .map_init(
                || vec![0.0; k],
                |buf, path| {
                    let mut rng = path_rng(seed, path);
                    sampler.sample_into(&mut rng, buf)?;
                    let out = f(path, buf);
                    if let Some(pb) = progress {
                        pb.inc(1);
                    }
                    Ok(out)
                },
            )
            .collect()
    };
    match threads {
        None => job(),
        Some(0) => Err(invalid(
            "threads",
            "must be at least 1 (omit it to use all cores)",
        )),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| AnalysisError::ThreadPool {
                    threads: n,
                    message: e.to_string(),
                })?;
            pool.install(job)
        }
    }
}

/// Memory available to this process, in bytes: `MemAvailable` of
/// `/proc/meminfo` where the system has it.
fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Refuse up front a Monte Carlo run whose results would not fit in memory:
/// `n_paths` paths keeping `bytes_per_path` bytes each, against 80 % of the
/// memory available (where the system reports it) and the address space.
/// The message gives the estimate and the largest number of paths that fits.
pub fn check_memory(n_paths: u64, bytes_per_path: u64) -> Result<()> {
    let need = u128::from(n_paths) * u128::from(bytes_per_path.max(1));
    let gib = |b: u128| b as f64 / (1u128 << 30) as f64;
    let limit: u128 = match available_memory() {
        Some(avail) => u128::from(avail) * 4 / 5,
        None => u128::from(usize::MAX as u64),
    };
    if need > limit {
        let fits = limit / u128::from(bytes_per_path.max(1));
        return Err(invalid(
            "paths",
            format!(
                "{n_paths} paths would need about {:.1} GiB of memory and about {:.1} GiB is available; use at most {fits} paths (10,000 give quantiles to about 1 %)",
                gib(need),
                gib(limit),
            ),
        ));
    }
    Ok(())
}

/// Quantile of already **sorted** (ascending) data, Hyndman & Fan type 7
/// (the default of R and NumPy): with `n` values `x_(0) <= ... <= x_(n-1)`,
/// `h = (n - 1) p`, the result is
/// `x_(floor h) + (h - floor h) (x_(floor h + 1) - x_(floor h))`,
/// i.e. linear interpolation between order statistics; `p = 0` gives the
/// minimum and `p = 1` the maximum.
///
/// Returns NaN if `sorted` is empty or `p` is not in `[0, 1]` (or NaN).
/// Infinite values are allowed; when the two neighbouring order statistics
/// are equal that value is returned without interpolation.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    type7(sorted.len(), p, |k| sorted[k])
}

/// The ranks (0-based order statistics) a type-7 quantile at `p` reads from
/// `n` values, and the interpolation weight: `(i, Some(i + 1), frac)` or
/// `(i, None, 0)` when no interpolation is needed.
fn type7_ranks(n: usize, p: f64) -> Option<(usize, Option<usize>, f64)> {
    if n == 0 || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor();
    let i = lo as usize;
    let frac = h - lo;
    if i + 1 >= n || frac == 0.0 {
        return Some((i.min(n - 1), None, 0.0));
    }
    Some((i, Some(i + 1), frac))
}

/// [`quantile`] with the `k`-th order statistic given by `order(k)`.
pub(super) fn type7(n: usize, p: f64, order: impl Fn(usize) -> f64) -> f64 {
    match type7_ranks(n, p) {
        None => f64::NAN,
        Some((i, None, _)) => order(i),
        Some((i, Some(j), frac)) => {
            let (a, b) = (order(i), order(j));
            if a == b { a } else { a + frac * (b - a) }
        }
    }
}

/// Type-7 quantiles of `values` (NaN-free, any order) at each of `probs`, by
/// selection instead of a full sort: the order statistics the quantiles need
/// are put in place by `select_nth_unstable` (expected `O(n)` each), the
/// middle one of the ranks first and then each side's ranks within that side
/// only, so the ranks of the usual 5-95 % bands cost about `2.6 n`
/// comparisons-worth of selection instead of `3.5 n` from the bottom up.
/// Same numbers as sorting and calling [`quantile`], bit for bit (the same
/// order statistics, `f64::total_cmp` order). `values` is left partially
/// ordered.
pub fn quantiles_by_selection(values: &mut [f64], probs: &[f64]) -> Vec<f64> {
    let n = values.len();
    let mut ranks: Vec<usize> = probs
        .iter()
        .filter_map(|&p| type7_ranks(n, p))
        .flat_map(|(i, j, _)| std::iter::once(i).chain(j))
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    select_ranks(values, 0, &ranks);
    probs.iter().map(|&p| type7(n, p, |k| values[k])).collect()
}

/// Puts the order statistics of ranks `ranks` (ascending, distinct, each in
/// `offset..offset + values.len()`) in place in `values`, which holds ranks
/// `offset..` of the whole: the middle rank by selection, then the ranks
/// below it among the smaller values and those above among the larger.
fn select_ranks(values: &mut [f64], offset: usize, ranks: &[usize]) {
    if ranks.is_empty() {
        return;
    }
    let mid = ranks.len() / 2;
    let r = ranks[mid] - offset;
    let (below, _, above) = values.select_nth_unstable_by(r, f64::total_cmp);
    select_ranks(below, offset, &ranks[..mid]);
    select_ranks(above, offset + r + 1, &ranks[mid + 1..]);
}

/// Summary of one column of values (one series in one year, across paths)
/// the way [`summarize_years`] makes it, with the mean summed in the order
/// given (path order, so the same for any thread count) and the quantiles by
/// [`quantiles_by_selection`]. `values` holds the non-NaN values; `n_nan`
/// counts the NaNs left out. Returns `(quantiles, prob_below, mean)`.
pub fn summarize_column(
    values: &mut [f64],
    probs: &[f64],
    thresholds: &[f64],
) -> (Vec<f64>, Vec<f64>, f64) {
    let n = values.len();
    if n == 0 {
        return (
            vec![f64::NAN; probs.len()],
            vec![f64::NAN; thresholds.len()],
            f64::NAN,
        );
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let below = thresholds
        .iter()
        .map(|&t| values.iter().filter(|&&v| v < t).count() as f64 / n as f64)
        .collect();
    (quantiles_by_selection(values, probs), below, mean)
}

/// Per-year distribution summary across paths, from [`summarize_years`].
#[derive(Debug, Clone, PartialEq)]
pub struct YearSummary {
    /// The probabilities the quantiles were computed at.
    pub probs: Vec<f64>,
    /// The thresholds for `prob_below`.
    pub thresholds: Vec<f64>,
    /// `quantiles[year][j]` = type-7 quantile at `probs[j]` of the non-NaN values.
    pub quantiles: Vec<Vec<f64>>,
    /// `prob_below[year][j]` = share of non-NaN values `< thresholds[j]` (strict).
    pub prob_below: Vec<Vec<f64>>,
    /// Mean of the non-NaN values (may be infinite if any value is).
    pub mean: Vec<f64>,
    /// Number of non-NaN values per year.
    pub n_valid: Vec<usize>,
    /// Number of NaN values per year.
    pub n_nan: Vec<usize>,
}

/// Summarises `outcomes[path][year]` (all paths must have the same length):
/// per year, quantiles at `probs` and `P(value < threshold)` for each
/// threshold (e.g. months of spending `< 6`, `< 3`, balance `< 0`).
///
/// **NaN handling:** NaN means "no value" (e.g. undefined runway). NaNs are
/// excluded from quantiles, means and from both numerator and denominator of
/// the probabilities, and counted in `n_nan` so the caller can report them.
/// A year whose values are all NaN gets NaN quantiles/mean/probabilities.
/// `±inf` are ordinary values (sorted with `f64::total_cmp`).
///
/// Memory: one column buffer of `n_paths` values reused for every year.
/// Errors: no paths, ragged paths, probabilities outside `[0, 1]`, NaN thresholds.
pub fn summarize_years(
    outcomes: &[Vec<f64>],
    probs: &[f64],
    thresholds: &[f64],
) -> Result<YearSummary> {
    let n_paths = outcomes.len();
    if n_paths == 0 {
        return Err(invalid("outcomes", "no paths to summarise"));
    }
    let n_years = outcomes[0].len();
    for row in outcomes {
        if row.len() != n_years {
            return Err(AnalysisError::DimensionMismatch {
                what: "summarize_years: years per path",
                expected: n_years,
                got: row.len(),
            });
        }
    }
    summarize_impl(n_paths, n_years, |p, y| outcomes[p][y], probs, thresholds)
}

/// Same as [`summarize_years`] for a flat row-major `paths x years` slice:
/// value of `path` in `year` is `data[path * n_years + year]`.
pub fn summarize_years_flat(
    data: &[f64],
    n_years: usize,
    probs: &[f64],
    thresholds: &[f64],
) -> Result<YearSummary> {
    if n_years == 0 {
        return Err(invalid("n_years", "must be at least 1"));
    }
    if data.is_empty() {
        return Err(invalid("data", "no paths to summarise"));
    }
    if !data.len().is_multiple_of(n_years) {
        return Err(invalid(
            "data",
            format!(
                "length {} is not a multiple of n_years = {n_years}",
                data.len()
            ),
        ));
    }
    let n_paths = data.len() / n_years;
    summarize_impl(
        n_paths,
        n_years,
        |p, y| data[p * n_years + y],
        probs,
        thresholds,
    )
}

fn summarize_impl(
    n_paths: usize,
    n_years: usize,
    get: impl Fn(usize, usize) -> f64,
    probs: &[f64],
    thresholds: &[f64],
) -> Result<YearSummary> {
    if let Some(p) = probs.iter().find(|p| !(0.0..=1.0).contains(*p)) {
        return Err(invalid(
            "probs",
            format!("{p} is not a probability in [0, 1]"),
        ));
    }
    if thresholds.iter().any(|t| t.is_nan()) {
        return Err(invalid("thresholds", "NaN is not a threshold"));
    }
    let mut col = Vec::with_capacity(n_paths);
    let mut s = YearSummary {
        probs: probs.to_vec(),
        thresholds: thresholds.to_vec(),
        quantiles: Vec::with_capacity(n_years),
        prob_below: Vec::with_capacity(n_years),
        mean: Vec::with_capacity(n_years),
        n_valid: Vec::with_capacity(n_years),
        n_nan: Vec::with_capacity(n_years),
    };
    for y in 0..n_years {
        col.clear();
        col.extend((0..n_paths).map(|p| get(p, y)).filter(|v| !v.is_nan()));
        col.sort_unstable_by(f64::total_cmp);
        let n = col.len();
        s.n_valid.push(n);
        s.n_nan.push(n_paths - n);
        s.quantiles
            .push(probs.iter().map(|&p| quantile(&col, p)).collect());
        s.prob_below.push(
            thresholds
                .iter()
                .map(|&t| {
                    if n == 0 {
                        f64::NAN
                    } else {
                        col.partition_point(|&v| v < t) as f64 / n as f64
                    }
                })
                .collect(),
        );
        s.mean.push(if n == 0 {
            f64::NAN
        } else {
            col.iter().sum::<f64>() / n as f64
        });
    }
    Ok(s)
}
