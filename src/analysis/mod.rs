//! Generic analysis machinery: uncertain-parameter distributions, correlated
//! sampling, reproducible Monte Carlo, quantile summaries, Sobol' and
//! one-way/two-way sensitivity, root finding and goal seeking.
//!
//! Nothing here knows about the fund model: every routine takes plain numbers
//! or closures, typically `Fn(&[f64]) -> T` mapping a parameter vector to a
//! model outcome.
//!
//! - [`dist`]: [`DistSpec`] (TOML-deserialisable marginals with truncation).
//! - [`sampler`]: [`Sampler`] (Gaussian copula, inverse-CDF marginals).
//! - [`streams`]: [`path_rng`] (per-path ChaCha streams).
//! - [`montecarlo`]: [`run_paths`], [`quantile`], [`summarize_years`].
//! - [`sobol`]: [`sobol_indices`] (Saltelli / Jansen estimators);
//!   [`morris`](mod@morris): [`morris()`] elementary-effects screening.
//! - [`oneway`]: [`tornado`]; [`grid`]: [`grid2`].
//! - [`root`]: [`solve_bracketed`] (scan + Brent), [`seek_target`].

pub mod dist;
pub mod error;
pub mod grid;
pub mod montecarlo;
pub mod morris;
pub mod oneway;
pub mod root;
pub mod sampler;
pub mod sobol;
pub mod streams;

#[cfg(test)]
mod tests;

pub use dist::{DistSpec, Marginal};
pub use error::{AnalysisError, Result};
pub use grid::{Axis, Grid2, grid2};
pub use montecarlo::{YearSummary, quantile, run_paths, summarize_years, summarize_years_flat};
pub use morris::{MorrisResult, morris};
pub use oneway::{Tornado, TornadoBar, tornado, tornado_many};
pub use root::{
    GoalResult, Monotone, Root, largest_x_at_least, seek_target, smallest_x_at_least,
    solve_bracketed,
};
pub use sampler::Sampler;
pub use sobol::{SobolResult, sobol_for_sampler, sobol_indices, sobol_indices_with};
pub use streams::{PathRng, path_rng};
