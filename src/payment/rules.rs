//! Payment formulas, one function each, with the formula on the function.
//!
//! Notation: `RW_g` relative weight of group g, `k_h` coefficient of hospital h,
//! `r` base rate (yuan per weight point), `B` budget (yuan), `X` a case's
//! fee-for-service cost, `mu_g` the group's mean (standard) cost.

use statrs::distribution::{ContinuousCDF, Normal};

/// Points per weight unit under the point-value method (RW 1.0 = 100 points).
pub const POINTS_PER_WEIGHT: f64 = 100.0;

/// DRG payment of one standard case: `payment = r x RW_g x k_h`.
pub fn drg_payment(base_rate: f64, weight: f64, coefficient: f64) -> f64 {
    base_rate * weight * coefficient
}

/// Case-mix index: `CMI = sum RW / cases` (NaN when there are no cases).
pub fn cmi(sum_weights: f64, cases: f64) -> f64 {
    if cases > 0.0 {
        sum_weights / cases
    } else {
        f64::NAN
    }
}

/// Base rate solved from a budget:
/// `r = (B - extra) / sum(cases x RW x k)`, where `extra` is the outlier
/// payment on top of the standard payments (yuan, independent of the rate).
/// NaN when there are no weight units.
pub fn base_rate_from_budget(budget: f64, weight_units: f64, extra: f64) -> f64 {
    if weight_units > 0.0 {
        (budget - extra) / weight_units
    } else {
        f64::NAN
    }
}

/// Points of one standard case under the point-value method:
/// `points = RW_g x 100 x k_h` (for DIP, the group's score x k_h).
pub fn points_per_case(weight: f64, coefficient: f64) -> f64 {
    weight * POINTS_PER_WEIGHT * coefficient
}

/// Floating point value under a global budget: `point value = B / total points`
/// (NaN when no points were produced). Each hospital is paid
/// `point value x its points`, so the payments sum to `B` whatever the volume.
pub fn point_value(budget: f64, total_points: f64) -> f64 {
    if total_points > 0.0 {
        budget / total_points
    } else {
        f64::NAN
    }
}

/// A point value held inside a region's floating band (点值浮动区间):
/// `clamp(pv, floor, ceiling)`; a NaN bound is no bound. Outside the band the
/// hospitals are paid `clamped pv x points`, so the budget is no longer paid
/// exactly: the fund (ceiling) or the hospitals (floor) carry the difference.
pub fn clamp_point_value(pv: f64, floor: f64, ceiling: f64) -> f64 {
    let mut v = pv;
    if floor.is_finite() && v < floor {
        v = floor;
    }
    if ceiling.is_finite() && v > ceiling {
        v = ceiling;
    }
    v
}

/// Budget-neutral recalibration: the rate (or point value) under a new weight
/// table that pays the same total as the old table at the old rate:
///
/// `r_new = r_old x U_old / U_new`, with `U = sum(cases x RW x k)` under each table
/// for the same cases (outlier extras in yuan are the same under both and cancel).
pub fn budget_neutral_rate(old_rate: f64, old_units: f64, new_units: f64) -> f64 {
    if new_units > 0.0 {
        old_rate * old_units / new_units
    } else {
        f64::NAN
    }
}

/// Outlier rule of one hospital level.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutlierRule {
    /// High-cost threshold as a multiple of the group mean (e.g. 3.0 tertiary, 2.0 secondary).
    pub high_multiple: f64,
    /// Low-cost threshold as a multiple of the group mean (e.g. 0.4).
    pub low_multiple: f64,
}

/// Payment of one case under the outlier rules (rate mode):
///
/// - high-cost case, `X > h x mu_g`: `standard + m x (X - h x mu_g)`, the
///   standard payment plus the marginal share `m` of the excess over the threshold;
/// - low-cost case, `X < l x mu_g`: `standard x X / mu_g` (pro rata to its cost);
/// - otherwise: `standard`.
pub fn case_payment(
    standard: f64,
    cost: f64,
    group_mean: f64,
    rule: OutlierRule,
    marginal_share: f64,
) -> f64 {
    if cost > rule.high_multiple * group_mean {
        standard + marginal_share * (cost - rule.high_multiple * group_mean)
    } else if cost < rule.low_multiple * group_mean {
        standard * cost / group_mean
    } else {
        standard
    }
}

/// Expected outlier quantities for cases whose cost, relative to the group
/// standard `mu_g`, is lognormal with mean `rho` (the hospital's cost level) and
/// coefficient of variation `cv`: `ln(X/mu_g) ~ N(m, s^2)` with
/// `s^2 = ln(1 + cv^2)` and `m = ln rho - s^2 / 2`.
///
/// Closed forms (Phi the standard normal CDF), for thresholds `h` and `l`:
///
/// - `p_high = P(X > h) = 1 - Phi((ln h - m) / s)`
/// - `excess_high = E[(X - h)+] = rho (1 - Phi((ln h - m) / s - s)) - h p_high`
/// - `p_low = P(X < l) = Phi((ln l - m) / s)`
/// - `partial_low = E[X; X < l] = rho Phi((ln l - m) / s - s)`
///
/// all relative to `mu_g` (multiply by the group mean for yuan). With `cv = 0`
/// every case costs exactly `rho`.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct OutlierTails {
    /// Share of cases above the high threshold.
    pub p_high: f64,
    /// Expected excess over the high threshold per case, in units of mu_g.
    pub excess_high: f64,
    /// Share of cases below the low threshold.
    pub p_low: f64,
    /// Expected cost of cases below the low threshold per case (`E[X; X < l]`), in units of mu_g.
    pub partial_low: f64,
}

impl OutlierTails {
    /// Tails of a lognormal case cost with relative mean `rho` and CV `cv`.
    pub fn lognormal(rho: f64, cv: f64, rule: OutlierRule) -> OutlierTails {
        let h = rule.high_multiple;
        let l = rule.low_multiple;
        if rho.is_nan() || rho <= 0.0 {
            return OutlierTails::default();
        }
        if cv.is_nan() || cv <= 0.0 {
            let high = rho > h;
            let low = rho < l;
            return OutlierTails {
                p_high: f64::from(u8::from(high)),
                excess_high: if high { rho - h } else { 0.0 },
                p_low: f64::from(u8::from(low)),
                partial_low: if low { rho } else { 0.0 },
            };
        }
        let n = Normal::standard();
        let s = (1.0 + cv * cv).ln().sqrt();
        let m = rho.ln() - s * s / 2.0;
        let (p_high, excess_high) = if h > 0.0 && h.is_finite() {
            let z = (h.ln() - m) / s;
            let p = n.sf(z);
            (p, (rho * n.sf(z - s) - h * p).max(0.0))
        } else if h.is_finite() {
            (1.0, rho - h)
        } else {
            (0.0, 0.0)
        };
        let (p_low, partial_low) = if l > 0.0 {
            let z = (l.ln() - m) / s;
            (n.cdf(z), rho * n.cdf(z - s))
        } else {
            (0.0, 0.0)
        };
        OutlierTails {
            p_high,
            excess_high,
            p_low,
            partial_low,
        }
    }

    /// Expected standard-payment multiplier per case:
    /// `1 - p_low + partial_low` (low-cost cases paid `standard x X / mu_g`;
    /// high-cost cases keep their standard payment and get the excess on top).
    pub fn standard_factor(&self) -> f64 {
        1.0 - self.p_low + self.partial_low
    }
}
