//! Generic analysis machinery: uncertain-parameter distributions, correlated
//! sampling, reproducible Monte Carlo, quantile summaries, Sobol' and
//! one-way/two-way sensitivity, root finding and goal seeking.
//!
//! Apart from `levers`, `runs` and `bands`, nothing here knows about the fund model: every routine takes plain numbers
//! or closures, typically `Fn(&[f64]) -> T` mapping a parameter vector to a
//! model outcome.
//!
//! - `dist`: [`DistSpec`] (TOML-deserialisable marginals with truncation).
//! - `sampler`: [`Sampler`] (Gaussian copula, inverse-CDF marginals).
//! - `streams`: [`path_rng`] (per-path ChaCha streams).
//! - `montecarlo`: [`run_paths`], [`quantile`], [`quantiles_by_selection`], [`summarize_years`].
//! - [`sobol`]: [`sobol_indices`] (Saltelli / Jansen estimators);
//!   `morris`(mod@morris): [`morris()`] elementary-effects screening.
//! - `oneway`: [`tornado`]; `grid`: [`grid2`].
//! - `root`: [`solve_bracketed`] (scan + Brent), [`seek_target`].
//!
//! Two modules tie this machinery to the fund model: `levers` (a parameter
//! path as something to move fast) and `runs` (tornado, two-way table, Monte
//! Carlo bands, goal seek and Sobol' indices of a compiled model), with
//! `bands` running the Monte Carlo bands in chunks of paths and
//! `solve`(mod@solve) for the goal seek's window, observed years and rounding.
//!
//! ```
//! use drgsim::analysis::{DistSpec, Sampler, run_paths, summarize_years};
//!
//! // Two uncertain inputs: yearly spending growth and contribution growth.
//! let specs = vec![
//!     DistSpec::normal(0.08, 0.02).truncated(Some(0.0), None),
//!     DistSpec::triangular(0.03, 0.05, 0.06),
//! ];
//! let mut corr = nalgebra::DMatrix::identity(2, 2);
//! corr[(0, 1)] = 0.5;
//! corr[(1, 0)] = 0.5;
//! let sampler = Sampler::new(specs, Some(corr))?;
//! // Toy model: months of spending payable, year by year.
//! let model = |p: &[f64]| -> Vec<f64> {
//!     let (mut bal, mut inc, mut out) = (12.0, 1.05, 1.0);
//!     (0..10)
//!         .map(|_| {
//!             inc *= 1.0 + p[1];
//!             out *= 1.0 + p[0];
//!             bal += inc - out;
//!             bal / out
//!         })
//!         .collect()
//! };
//! let paths = run_paths(&sampler, 1000, 42, None, None, |_, p| model(p))?;
//! let s = summarize_years(&paths, &[0.05, 0.5, 0.95], &[6.0, 3.0, 0.0])?;
//! assert_eq!(s.quantiles.len(), 10);
//! assert!(s.quantiles[9][0] <= s.quantiles[9][2]);
//! # Ok::<(), drgsim::analysis::AnalysisError>(())
//! ```

pub(crate) mod bands;
pub(crate) mod dist;
pub(crate) mod error;
pub(crate) mod grid;
pub(crate) mod levers;
pub(crate) mod montecarlo;
pub(crate) mod morris;
pub(crate) mod moved;
pub(crate) mod oneway;
pub(crate) mod ordered;
pub(crate) mod root;
pub(crate) mod runs;
pub(crate) mod sampler;
pub(crate) mod sketch;
pub(crate) mod sobol;
pub(crate) mod solve;
pub(crate) mod streams;
pub(crate) mod window;

#[cfg(test)]
mod tests;

pub use bands::{
    EXACT_PATHS, FundBands, MonteCarlo, QuantileMethod, ZERO_BUCKET_MONTHS, monte_carlo,
    zero_buckets,
};
pub use dist::{DistSpec, Marginal};
pub use error::{AnalysisError, Result};
pub use grid::{Axis, Grid2, grid2};
pub use montecarlo::{
    YearSummary, quantile, quantiles_by_selection, run_paths, summarize_column, summarize_years,
    summarize_years_flat,
};
pub use morris::{MorrisResult, morris};
pub use oneway::{Tornado, TornadoBar, tornado, tornado_many};
pub use root::{
    GoalResult, Monotone, Root, largest_x_at_least, seek_target, smallest_x_at_least,
    solve_bracketed,
};
pub use sampler::Sampler;
pub use sketch::{RELATIVE_ACCURACY, Sketch};
pub use sobol::{SobolResult, sobol_for_sampler, sobol_indices, sobol_indices_with};
pub use streams::{PathRng, PathStreams, path_rng};

// Re-exported for users of the crate (the command line, tests, benches):
// the submodules themselves are private to the crate.
pub use bands::CHUNK;
pub use levers::{
    Buffers, Lever, LeverSet, project_levers, project_levers_many, project_levers_many_to, set_arg,
};
pub use runs::{
    MC_PROBS, OneWayEntry, Outcome, SolveSpec, Uncertainty, check_sections, default_range,
    default_ranges, mc_paths, one_way, quantile_percent, ranking_swing, runway_measure, sobol,
    solve, solve_outcome, two_way, year_index,
};
pub use solve::{Window, default_move_from, keep_observed, round_for_notice};
