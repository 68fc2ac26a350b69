//! Marginal distributions for uncertain parameters.
//!
//! A [`DistSpec`] is what a scenario file says (TOML, tagged by `dist`):
//!
//! ```toml
//! growth = { dist = "normal", mean = 0.05, sd = 0.01, lower = 0.0 }
//! rate   = { dist = "triangular", min = 0.06, mode = 0.08, max = 0.09 }
//! los    = { dist = "lognormal", median = 9.0, sigma = 0.2 }
//! share  = { dist = "beta", alpha = 2.0, beta = 5.0, min = 0.1, max = 0.6 }
//! fixed  = { dist = "point", value = 1.0 }
//! ```
//!
//! A spec is turned into a [`Marginal`] by [`DistSpec::compile`], which
//! validates it once; [`Marginal::quantile`] then maps a uniform `u` in (0, 1)
//! to a value by the inverse CDF `x = F^-1(u)`, so correlation can be imposed
//! on the uniforms by a Gaussian copula (see [`crate::analysis::sampler`]).
//!
//! **Truncation** (`lower` / `upper`, allowed on every kind) is real truncation,
//! not clamping: `u` is mapped linearly into `[F(lower), F(upper)]` and then
//! inverted, `x = F^-1(F(lower) + u (F(upper) - F(lower)))`, so the density
//! inside the bounds keeps its shape and is renormalised. For the normal and
//! log-normal the inversion is done on the standard-normal scale and reflected
//! into the lower tail when both bounds lie above the median, which keeps
//! far-tail truncation accurate.
//!
//! **Degenerate specs** (`point`, `normal` with `sd = 0`, `lognormal` with
//! `sigma = 0`, `triangular`/`uniform`/`beta` with `min = max`) return exactly
//! the given value for every `u` (for `lognormal` with `mu`, `exp(mu)`), so a
//! Monte Carlo in which every distribution is collapsed reproduces the
//! deterministic model bit for bit.

use statrs::distribution::{Beta, ContinuousCDF, Triangular};
use statrs::function::erf;

/// Smallest uniform handed to an inverse CDF; larger than 0 so that
/// unbounded distributions never return an infinity.
const U_MIN: f64 = f64::MIN_POSITIVE;
/// Largest uniform handed to an inverse CDF (the largest f64 below 1).
const U_MAX: f64 = 1.0 - f64::EPSILON / 2.0;

pub use crate::scenario::DistSpec;

impl DistSpec {
    /// A fixed value.
    pub fn point(value: f64) -> Self {
        DistSpec::Point {
            value,
            lower: None,
            upper: None,
        }
    }

    /// Untruncated normal.
    pub fn normal(mean: f64, sd: f64) -> Self {
        DistSpec::Normal {
            mean,
            sd,
            lower: None,
            upper: None,
        }
    }

    /// Untruncated log-normal with `ln X ~ Normal(mu, sigma)`.
    pub fn lognormal(mu: f64, sigma: f64) -> Self {
        DistSpec::LogNormal {
            mu: Some(mu),
            median: None,
            sigma,
            lower: None,
            upper: None,
        }
    }

    /// Triangular on `[min, max]` with the given mode.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Self {
        DistSpec::Triangular {
            min,
            mode,
            max,
            lower: None,
            upper: None,
        }
    }

    /// Uniform on `[min, max]`.
    pub fn uniform(min: f64, max: f64) -> Self {
        DistSpec::Uniform {
            min,
            max,
            lower: None,
            upper: None,
        }
    }

    /// Beta(alpha, beta) on `[min, max]`.
    pub fn beta(alpha: f64, beta: f64, min: f64, max: f64) -> Self {
        DistSpec::Beta {
            alpha,
            beta,
            min: Some(min),
            max: Some(max),
            lower: None,
            upper: None,
        }
    }

    /// Returns the same spec with truncation bounds set (replacing any).
    pub fn truncated(mut self, lo: Option<f64>, hi: Option<f64>) -> Self {
        let (l, u) = self.bounds_mut();
        *l = lo;
        *u = hi;
        self
    }

    /// The kind name as written in files (`"normal"`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            DistSpec::Point { .. } => "point",
            DistSpec::Normal { .. } => "normal",
            DistSpec::LogNormal { .. } => "lognormal",
            DistSpec::Triangular { .. } => "triangular",
            DistSpec::Uniform { .. } => "uniform",
            DistSpec::Beta { .. } => "beta",
        }
    }

    /// The truncation bounds `(lower, upper)`.
    pub fn bounds(&self) -> (Option<f64>, Option<f64>) {
        match *self {
            DistSpec::Point { lower, upper, .. }
            | DistSpec::Normal { lower, upper, .. }
            | DistSpec::LogNormal { lower, upper, .. }
            | DistSpec::Triangular { lower, upper, .. }
            | DistSpec::Uniform { lower, upper, .. }
            | DistSpec::Beta { lower, upper, .. } => (lower, upper),
        }
    }

    fn bounds_mut(&mut self) -> (&mut Option<f64>, &mut Option<f64>) {
        match self {
            DistSpec::Point { lower, upper, .. }
            | DistSpec::Normal { lower, upper, .. }
            | DistSpec::LogNormal { lower, upper, .. }
            | DistSpec::Triangular { lower, upper, .. }
            | DistSpec::Uniform { lower, upper, .. }
            | DistSpec::Beta { lower, upper, .. } => (lower, upper),
        }
    }

    /// Checks the spec. Each message names the offending field, e.g.
    /// ``"normal: `sd` must be >= 0 (got -1)"``.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        self.compile().map(|_| ())
    }

    /// Validates the spec and precomputes what sampling needs.
    pub fn compile(&self) -> Result<Marginal, Vec<String>> {
        let kind = self.kind();
        let mut errs = Vec::new();
        let mut finite = |name: &str, v: f64| {
            if !v.is_finite() {
                errs.push(format!(
                    "{kind}: `{name}` must be a finite number (got {v})"
                ));
            }
        };
        let (lower, upper) = self.bounds();
        if let Some(l) = lower {
            finite("lower", l);
        }
        if let Some(u) = upper {
            finite("upper", u);
        }
        match *self {
            DistSpec::Point { value, .. } => finite("value", value),
            DistSpec::Normal { mean, sd, .. } => {
                finite("mean", mean);
                finite("sd", sd);
            }
            DistSpec::LogNormal {
                mu, median, sigma, ..
            } => {
                if let Some(m) = mu {
                    finite("mu", m);
                }
                if let Some(m) = median {
                    finite("median", m);
                }
                finite("sigma", sigma);
            }
            DistSpec::Triangular { min, mode, max, .. } => {
                finite("min", min);
                finite("mode", mode);
                finite("max", max);
            }
            DistSpec::Uniform { min, max, .. } => {
                finite("min", min);
                finite("max", max);
            }
            DistSpec::Beta {
                alpha,
                beta,
                min,
                max,
                ..
            } => {
                finite("alpha", alpha);
                finite("beta", beta);
                finite("min", min.unwrap_or(0.0));
                finite("max", max.unwrap_or(1.0));
            }
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        if let (Some(l), Some(u)) = (lower, upper)
            && l >= u
        {
            errs.push(format!("{kind}: `lower` ({l}) must be < `upper` ({u})"));
        }

        let shape = match *self {
            DistSpec::Point { value, .. } => Some(Shape::Point(value)),
            DistSpec::Normal { mean, sd, .. } => {
                if sd < 0.0 {
                    errs.push(format!("{kind}: `sd` must be >= 0 (got {sd})"));
                    None
                } else if sd == 0.0 {
                    Some(Shape::Point(mean))
                } else {
                    Some(Shape::Normal {
                        loc: mean,
                        scale: sd,
                    })
                }
            }
            DistSpec::LogNormal {
                mu, median, sigma, ..
            } => {
                let loc = match (mu, median) {
                    (Some(_), Some(_)) => {
                        errs.push(format!("{kind}: give either `mu` or `median`, not both"));
                        None
                    }
                    (None, None) => {
                        errs.push(format!("{kind}: missing `mu` (mean of ln X) or `median`"));
                        None
                    }
                    (Some(m), None) => Some((m, m.exp())),
                    (None, Some(md)) => {
                        if md <= 0.0 {
                            errs.push(format!("{kind}: `median` must be > 0 (got {md})"));
                            None
                        } else {
                            Some((md.ln(), md))
                        }
                    }
                };
                if sigma < 0.0 {
                    errs.push(format!("{kind}: `sigma` must be >= 0 (got {sigma})"));
                }
                match loc {
                    Some((_, point)) if sigma == 0.0 => Some(Shape::Point(point)),
                    Some((m, _)) if sigma > 0.0 => Some(Shape::LogNormal {
                        loc: m,
                        scale: sigma,
                    }),
                    _ => None,
                }
            }
            DistSpec::Triangular { min, mode, max, .. } => {
                if min > max {
                    errs.push(format!("{kind}: `min` ({min}) must be <= `max` ({max})"));
                    None
                } else if mode < min || mode > max {
                    errs.push(format!(
                        "{kind}: `mode` ({mode}) must lie within [min, max] = [{min}, {max}]"
                    ));
                    None
                } else if min == max {
                    Some(Shape::Point(min))
                } else {
                    match Triangular::new(min, max, mode) {
                        Ok(t) => Some(Shape::Triangular { dist: t, min, max }),
                        Err(e) => {
                            errs.push(format!("{kind}: {e}"));
                            None
                        }
                    }
                }
            }
            DistSpec::Uniform { min, max, .. } => {
                if min > max {
                    errs.push(format!("{kind}: `min` ({min}) must be <= `max` ({max})"));
                    None
                } else if min == max {
                    Some(Shape::Point(min))
                } else {
                    Some(Shape::Uniform { min, max })
                }
            }
            DistSpec::Beta {
                alpha,
                beta,
                min,
                max,
                ..
            } => {
                let (min, max) = (min.unwrap_or(0.0), max.unwrap_or(1.0));
                let mut ok = true;
                if alpha <= 0.0 {
                    errs.push(format!("{kind}: `alpha` must be > 0 (got {alpha})"));
                    ok = false;
                }
                if beta <= 0.0 {
                    errs.push(format!("{kind}: `beta` must be > 0 (got {beta})"));
                    ok = false;
                }
                if min > max {
                    errs.push(format!("{kind}: `min` ({min}) must be <= `max` ({max})"));
                    ok = false;
                }
                if !ok {
                    None
                } else if min == max {
                    Some(Shape::Point(min))
                } else {
                    match Beta::new(alpha, beta) {
                        Ok(b) => Some(Shape::Beta { dist: b, min, max }),
                        Err(e) => {
                            errs.push(format!("{kind}: {e}"));
                            None
                        }
                    }
                }
            }
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        let Some(shape) = shape else {
            return Err(vec![format!("{kind}: invalid specification")]);
        };
        Marginal::new(shape, lower, upper).map_err(|e| vec![format!("{kind}: {e}")])
    }
}

/// Internal parametric shape of a compiled marginal.
#[derive(Debug, Clone)]
enum Shape {
    Point(f64),
    /// Normal(loc, scale), sampled on the z scale.
    Normal {
        loc: f64,
        scale: f64,
    },
    /// exp(Normal(loc, scale)), sampled on the z scale.
    LogNormal {
        loc: f64,
        scale: f64,
    },
    Triangular {
        dist: Triangular,
        min: f64,
        max: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    Beta {
        dist: Beta,
        min: f64,
        max: f64,
    },
}

/// How truncation is applied.
#[derive(Debug, Clone, Copy)]
enum Trunc {
    /// No truncation (or bounds outside the support).
    None,
    /// Sample `z = Phi^-1(p_lo + u (p_hi - p_lo))`.
    Direct { p_lo: f64, p_hi: f64 },
    /// Both bounds above the median of a normal: sample the reflected
    /// interval in the lower tail, `z = -Phi^-1(q_lo + (1-u)(q_hi - q_lo))`
    /// with `q = Phi(-z_bound)`, which stays accurate far in the tail.
    Reflected { q_lo: f64, q_hi: f64 },
}

/// A validated, ready-to-sample marginal distribution.
#[derive(Debug, Clone)]
pub struct Marginal {
    shape: Shape,
    trunc: Trunc,
    lower: f64,
    upper: f64,
}

/// Standard normal CDF `Phi(z) = erfc(-z / sqrt 2) / 2`.
pub fn std_normal_cdf(z: f64) -> f64 {
    0.5 * erf::erfc(-z / std::f64::consts::SQRT_2)
}

/// Standard normal quantile `Phi^-1(p) = -sqrt 2 * erfc^-1(2p)`, for `p` in
/// (0, 1); `p` outside is clamped to the open interval, NaN gives NaN.
pub fn std_normal_inv(p: f64) -> f64 {
    if p.is_nan() {
        return f64::NAN;
    }
    let p = p.clamp(U_MIN, U_MAX);
    -std::f64::consts::SQRT_2 * erf::erfc_inv(2.0 * p)
}

impl Marginal {
    fn new(shape: Shape, lower: Option<f64>, upper: Option<f64>) -> Result<Marginal, String> {
        let lo = lower.unwrap_or(f64::NEG_INFINITY);
        let hi = upper.unwrap_or(f64::INFINITY);
        let zero = || {
            format!(
                "the truncation range [`lower`, `upper`] = [{lo}, {hi}] has zero probability \
                 under this distribution; move the bounds or change the distribution"
            )
        };
        let trunc = match &shape {
            Shape::Point(v) => {
                if *v < lo || *v > hi {
                    return Err(format!(
                        "value {v} lies outside the truncation range [`lower`, `upper`] = [{lo}, {hi}]"
                    ));
                }
                Trunc::None
            }
            Shape::Normal { loc, scale } | Shape::LogNormal { loc, scale } => {
                let to_z = |x: f64| {
                    if matches!(shape, Shape::LogNormal { .. }) {
                        if x <= 0.0 {
                            f64::NEG_INFINITY
                        } else {
                            (x.ln() - loc) / scale
                        }
                    } else {
                        (x - loc) / scale
                    }
                };
                let (zl, zu) = (
                    if lower.is_some() {
                        to_z(lo)
                    } else {
                        f64::NEG_INFINITY
                    },
                    if upper.is_some() {
                        to_z(hi)
                    } else {
                        f64::INFINITY
                    },
                );
                if zl == f64::NEG_INFINITY && zu == f64::INFINITY {
                    Trunc::None
                } else if zl > 0.0 {
                    let (q_lo, q_hi) = (std_normal_cdf(-zu), std_normal_cdf(-zl));
                    if q_hi - q_lo <= 0.0 {
                        return Err(zero());
                    }
                    Trunc::Reflected { q_lo, q_hi }
                } else {
                    let (p_lo, p_hi) = (std_normal_cdf(zl), std_normal_cdf(zu));
                    if p_hi - p_lo <= 0.0 {
                        return Err(zero());
                    }
                    Trunc::Direct { p_lo, p_hi }
                }
            }
            Shape::Triangular { min, max, .. }
            | Shape::Uniform { min, max }
            | Shape::Beta { min, max, .. } => {
                if lo <= *min && hi >= *max {
                    Trunc::None
                } else {
                    let p_lo = cdf_bounded(&shape, lo);
                    let p_hi = cdf_bounded(&shape, hi);
                    if p_hi - p_lo <= 0.0 {
                        return Err(zero());
                    }
                    Trunc::Direct { p_lo, p_hi }
                }
            }
        };
        Ok(Marginal {
            shape,
            trunc,
            lower: lo,
            upper: hi,
        })
    }

    /// `true` when the marginal always returns the same value.
    pub fn is_point(&self) -> bool {
        matches!(self.shape, Shape::Point(_))
    }

    /// Truncation bounds in effect (`-inf` / `+inf` when absent).
    pub fn bounds(&self) -> (f64, f64) {
        (self.lower, self.upper)
    }

    /// Inverse CDF of the (truncated) distribution at `u`.
    ///
    /// `u` is clamped into the open interval (0, 1) so unbounded
    /// distributions never return an infinity; NaN gives NaN. Results are
    /// clamped into `[lower, upper]` only to absorb floating-point round-off
    /// of the inversion. The map is non-decreasing in `u`.
    pub fn quantile(&self, u: f64) -> f64 {
        if let Shape::Point(v) = self.shape {
            return v;
        }
        if u.is_nan() {
            return f64::NAN;
        }
        let u = u.clamp(U_MIN, U_MAX);
        let x = match &self.shape {
            Shape::Point(v) => *v,
            Shape::Normal { loc, scale } => loc + scale * self.trunc_z(u),
            Shape::LogNormal { loc, scale } => (loc + scale * self.trunc_z(u)).exp(),
            _ => {
                let p = match self.trunc {
                    Trunc::Direct { p_lo, p_hi } => p_lo + u * (p_hi - p_lo),
                    _ => u,
                };
                inv_bounded(&self.shape, p)
            }
        };
        x.clamp(self.lower, self.upper)
    }

    /// Standard-normal quantile with truncation applied on the z scale.
    fn trunc_z(&self, u: f64) -> f64 {
        match self.trunc {
            Trunc::None => std_normal_inv(u),
            Trunc::Direct { p_lo, p_hi } => std_normal_inv(p_lo + u * (p_hi - p_lo)),
            Trunc::Reflected { q_lo, q_hi } => -std_normal_inv(q_lo + (1.0 - u) * (q_hi - q_lo)),
        }
    }
}

/// CDF of a bounded-support shape, with `x` clamped into the support.
fn cdf_bounded(shape: &Shape, x: f64) -> f64 {
    match shape {
        Shape::Triangular { dist, min, max } => dist.cdf(x.clamp(*min, *max)),
        Shape::Uniform { min, max } => (x.clamp(*min, *max) - min) / (max - min),
        Shape::Beta { dist, min, max } => dist.cdf((x.clamp(*min, *max) - min) / (max - min)),
        _ => f64::NAN,
    }
}

/// Inverse CDF of a bounded-support shape at `p` in (0, 1).
fn inv_bounded(shape: &Shape, p: f64) -> f64 {
    let p = p.clamp(0.0, 1.0);
    match shape {
        Shape::Triangular { dist, .. } => dist.inverse_cdf(p),
        Shape::Uniform { min, max } => min + p * (max - min),
        Shape::Beta { dist, min, max } => min + (max - min) * dist.inverse_cdf(p),
        _ => f64::NAN,
    }
}
