//! Outlier trimming of case costs within a group, before the group mean.
//!
//! CHS-DRG practice (国家医疗保障局, 《CHS-DRG 分组与付费技术规范》, 医保办发〔2019〕36号,
//! 权重测算: 剔除费用极端值) trims per group on the log of cost: a case is kept when
//! `mu_g - k s_g <= ln x <= mu_g + k s_g`, with `mu_g` and `s_g` the mean and sample
//! standard deviation of `ln x` over the group's cases (k = 3 by default). The
//! alternative keeps cases between two percentiles of the group's cost.

use std::fmt;
use std::str::FromStr;

/// How case costs are trimmed within a group.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TrimRule {
    /// Keep every case.
    None,
    /// Keep `|ln x - mu_g| <= k s_g` (log-cost mean +- k sample SD); groups with
    /// fewer than 3 cases or no spread are not trimmed.
    LogSd(f64),
    /// Keep cases between the `lo` and `hi` percentiles (0..100) of the group's
    /// cost, read from a histogram of log cost with bins of `HIST_STEP`
    /// (0.5 % of cost), so the cut points are exact to within half a percent.
    Percentile {
        /// Lower percentile.
        lo: f64,
        /// Upper percentile.
        hi: f64,
    },
}

impl Default for TrimRule {
    fn default() -> Self {
        TrimRule::LogSd(3.0)
    }
}

impl fmt::Display for TrimRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrimRule::None => write!(f, "none"),
            TrimRule::LogSd(k) => write!(f, "log-sd:{k}"),
            TrimRule::Percentile { lo, hi } => write!(f, "percentile:{lo},{hi}"),
        }
    }
}

impl TrimRule {
    /// Plain-language statement of the rule for reports.
    pub fn describe(&self) -> String {
        match self {
            TrimRule::None => "no trimming (every case with a positive cost)".into(),
            TrimRule::LogSd(k) => format!(
                "per group, cases with ln(cost) outside mean ± {k} sample SD of ln(cost) are outliers (CHS-DRG practice); groups under 3 cases untrimmed"
            ),
            TrimRule::Percentile { lo, hi } => format!(
                "per group, cases below the {lo}th or above the {hi}th percentile of cost are outliers (percentiles exact to 0.5 %)"
            ),
        }
    }
}

impl FromStr for TrimRule {
    type Err = String;
    /// `none`, `log-sd:K` (K > 0) or `percentile:LO,HI` (0 <= LO < HI <= 100).
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let bad = || {
            format!(
                "trimming rule `{s}` not understood; use `log-sd:3`, `percentile:1,99` or `none`"
            )
        };
        if s == "none" {
            return Ok(TrimRule::None);
        }
        if let Some(k) = s.strip_prefix("log-sd:") {
            let k: f64 = k.trim().parse().map_err(|_| bad())?;
            if !(k.is_finite() && k > 0.0) {
                return Err(format!(
                    "log-sd multiple {k} must be a positive number (3 is CHS-DRG practice)"
                ));
            }
            return Ok(TrimRule::LogSd(k));
        }
        if let Some(p) = s.strip_prefix("percentile:") {
            let (a, b) = p.split_once(',').ok_or_else(bad)?;
            let lo: f64 = a.trim().parse().map_err(|_| bad())?;
            let hi: f64 = b.trim().parse().map_err(|_| bad())?;
            if !((0.0..100.0).contains(&lo) && lo < hi && hi <= 100.0) {
                return Err(format!(
                    "percentiles {lo},{hi} must satisfy 0 <= LO < HI <= 100"
                ));
            }
            return Ok(TrimRule::Percentile { lo, hi });
        }
        Err(bad())
    }
}

/// Width of a log-cost histogram bin (ln units; 0.005 = 0.5 % of cost).
pub const HIST_STEP: f64 = 0.005;
/// Number of histogram bins: ln(1 yuan) .. ln(10^8 yuan).
pub const HIST_BINS: usize = 3_685;

/// Histogram bin of a log cost (clamped to the range).
pub fn hist_bin(log_cost: f64) -> usize {
    ((log_cost / HIST_STEP).floor().max(0.0) as usize).min(HIST_BINS - 1)
}

/// The `p`-quantile (0..1) of log cost read from a histogram, interpolated
/// linearly within the bin.
pub fn hist_quantile(hist: &[u32], n: u64, p: f64) -> f64 {
    let target = p * n as f64;
    let mut cum = 0.0;
    for (i, &c) in hist.iter().enumerate() {
        let next = cum + c as f64;
        if c > 0 && next >= target {
            let frac = ((target - cum) / c as f64).clamp(0.0, 1.0);
            return (i as f64 + frac) * HIST_STEP;
        }
        cum = next;
    }
    HIST_BINS as f64 * HIST_STEP
}

/// Inclusive log-cost bounds `[lo, hi]` of the kept cases of one group.
///
/// `n`, `sum_log`, `sumsq_log`: count, sum and sum of squares of ln(cost);
/// the sample variance is `(sumsq - sum^2 / n) / (n - 1)`.
pub fn bounds(
    rule: TrimRule,
    n: u64,
    sum_log: f64,
    sumsq_log: f64,
    hist: Option<&[u32]>,
) -> (f64, f64) {
    let all = (f64::NEG_INFINITY, f64::INFINITY);
    match rule {
        TrimRule::None => all,
        TrimRule::LogSd(k) => {
            if n < 3 {
                return all;
            }
            let nf = n as f64;
            let mu = sum_log / nf;
            let var = ((sumsq_log - sum_log * sum_log / nf) / (nf - 1.0)).max(0.0);
            let sd = var.sqrt();
            if sd <= 1e-12 {
                return all;
            }
            (mu - k * sd, mu + k * sd)
        }
        TrimRule::Percentile { lo, hi } => match hist {
            Some(h) if n > 0 => {
                let a = if lo <= 0.0 {
                    f64::NEG_INFINITY
                } else {
                    hist_quantile(h, n, lo / 100.0)
                };
                let b = if hi >= 100.0 {
                    f64::INFINITY
                } else {
                    hist_quantile(h, n, hi / 100.0)
                };
                (a, b)
            }
            _ => all,
        },
    }
}
