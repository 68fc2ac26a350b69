//! `[uncertainty.params]` entries: the distribution of one uncertain
//! parameter as a scenario file writes it. The analysis layer compiles it
//! into a sampler marginal (`analysis::dist`), where the formulas live.

use serde::{Deserialize, Serialize};

/// One uncertain parameter, as written in a scenario file.
///
/// All kinds accept optional `lower` / `upper` truncation bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum DistSpec {
    /// A fixed value.
    Point {
        /// The value.
        value: f64,
        /// Optional lower truncation bound (must not exclude `value`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lower: Option<f64>,
        /// Optional upper truncation bound (must not exclude `value`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        upper: Option<f64>,
    },
    /// Normal with mean and standard deviation (`sd = 0` collapses to `mean`).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation, `>= 0`.
        sd: f64,
        /// Optional lower truncation bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lower: Option<f64>,
        /// Optional upper truncation bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        upper: Option<f64>,
    },
    /// Log-normal: `ln X ~ Normal(mu, sigma)`. Give either `mu` or
    /// `median` (`= exp(mu)`, must be `> 0`), not both.
    LogNormal {
        /// Mean of `ln X`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mu: Option<f64>,
        /// Median of `X` (alternative to `mu`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        median: Option<f64>,
        /// Standard deviation of `ln X`, `>= 0`.
        sigma: f64,
        /// Optional lower truncation bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lower: Option<f64>,
        /// Optional upper truncation bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        upper: Option<f64>,
    },
    /// Triangular on `[min, max]` with peak at `mode`.
    Triangular {
        /// Lower end of the support.
        min: f64,
        /// Most likely value, `min <= mode <= max`.
        mode: f64,
        /// Upper end of the support.
        max: f64,
        /// Optional lower truncation bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lower: Option<f64>,
        /// Optional upper truncation bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        upper: Option<f64>,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower end.
        min: f64,
        /// Upper end.
        max: f64,
        /// Optional lower truncation bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lower: Option<f64>,
        /// Optional upper truncation bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        upper: Option<f64>,
    },
    /// Beta(`alpha`, `beta`) scaled to `[min, max]` (default `[0, 1]`).
    Beta {
        /// First shape, `> 0`.
        alpha: f64,
        /// Second shape, `> 0`.
        beta: f64,
        /// Lower end of the support (default 0).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        /// Upper end of the support (default 1).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
        /// Optional lower truncation bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lower: Option<f64>,
        /// Optional upper truncation bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        upper: Option<f64>,
    },
}
