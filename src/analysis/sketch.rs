//! A mergeable quantile sketch with relative accuracy: DDSketch's
//! log-bucket histogram (Masson, Rim & Lee, "DDSketch: a fast and
//! fully-mergeable quantile sketch with relative-error guarantees",
//! PVLDB 12(12), 2019, sections 2.1-2.2).
//!
//! **Mapping.** With relative accuracy `a` and `gamma = (1 + a) / (1 - a)`,
//! a positive value `x` falls in bucket `k = ceil(ln x / ln gamma)`, the
//! interval `(gamma^(k-1), gamma^k]`; the bucket is answered by
//! `2 gamma^k / (gamma + 1)`, which is within `a |x|` of every `x` in it
//! (Masson et al., Prop. 1). Negative values use a mirrored bucket set on
//! `|x|`; zeros and `+-inf` are counted apart; the exact minimum and maximum
//! are kept, and every answer is clamped to `[min, max]`.
//!
//! **Rank queries.** The `r`-th smallest value (0-based) is answered by the
//! bucket holding rank `r`, so a type-7 quantile (interpolating between two
//! ranks, see [`quantile`](super::quantile)) is within `a` relative of the
//! exact one when both ranks have the same sign, and within `a` times the
//! larger of the two magnitudes otherwise. (Up to rounding of `ln` at a bucket
//! edge: a few ulps.)
//!
//! **Mergeable, exactly.** A sketch is integer counts per bucket, so merging
//! adds counts: associative and commutative, whatever the order or the
//! split of the values (the minimum and maximum merge the same way).
//!
//! **Bounded.** Each sign keeps at most [`MAX_BUCKETS`] contiguous buckets,
//! whatever the number of values. Should the values of one sign span more than
//! `gamma^MAX_BUCKETS` (a ratio of about `5e5` between largest and smallest
//! magnitude at `a = 1e-4`), the buckets of the smallest magnitudes are
//! collapsed into the lowest kept one (DDSketch's collapsing store,
//! section 2.3), whose values are then answered with an absolute error below
//! `gamma^-MAX_BUCKETS` times the largest magnitude; [`Sketch::collapsed`]
//! says whether that happened. The final bucket of every value is
//! `max(k, k_top - MAX_BUCKETS + 1)` whatever the insertion order, so
//! collapsing keeps the merge exact and order-independent.

use std::collections::VecDeque;

/// Relative accuracy of the Monte Carlo quantiles above the exact limit:
/// 0.01 %.
pub const RELATIVE_ACCURACY: f64 = 1e-4;

/// Buckets kept per sign (at most `8 x 2 x MAX_BUCKETS` bytes of counts per
/// sketch, 1 MiB).
pub const MAX_BUCKETS: usize = 1 << 16;

/// Counts of contiguous buckets `offset, offset + 1, ...`, with the
/// collapsing rule of the module docs.
#[derive(Clone, Debug, Default, PartialEq)]
struct Store {
    offset: i64,
    counts: VecDeque<u64>,
    collapsed: bool,
}

impl Store {
    fn top(&self) -> Option<i64> {
        (!self.counts.is_empty()).then(|| self.offset + self.counts.len() as i64 - 1)
    }

    /// Adds `n` to bucket `k`.
    fn add(&mut self, k: i64, n: u64) {
        if n == 0 {
            return;
        }
        let Some(top) = self.top() else {
            self.offset = k;
            self.counts.push_back(n);
            return;
        };
        let cap = MAX_BUCKETS as i64;
        if k > top && k - cap + 1 > top {
            // Everything held falls out of the new window: one collapsed bucket.
            let moved = self.total();
            self.counts.clear();
            self.offset = k - cap + 1;
            self.counts.resize(MAX_BUCKETS, 0);
            self.counts[0] = moved;
            self.collapsed = true;
        } else if k > top {
            for _ in top..k {
                self.counts.push_back(0);
            }
            // Collapse the buckets that fell out of the window into the lowest kept one.
            let low = k - cap + 1;
            if self.offset < low {
                let mut moved = 0;
                while self.offset < low {
                    moved += self.counts.pop_front().unwrap_or(0);
                    self.offset += 1;
                }
                self.counts[0] += moved;
                self.collapsed = true;
            }
        } else if k < self.offset {
            let low = (top - cap + 1).max(k);
            if k < low {
                self.collapsed = true;
            }
            while self.offset > low {
                self.counts.push_front(0);
                self.offset -= 1;
            }
        }
        let i = (k.max(self.offset) - self.offset) as usize;
        self.counts[i] += n;
    }

    fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Buckets with their counts, lowest key first.
    fn buckets(&self) -> impl DoubleEndedIterator<Item = (i64, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, c)| (self.offset + i as i64, *c))
    }
}

/// A DDSketch of `f64` values (see the module docs): relative-accuracy
/// quantiles in memory bounded by `MAX_BUCKETS` buckets per sign, exact merge.
#[derive(Clone, Debug, PartialEq)]
pub struct Sketch {
    accuracy: f64,
    ln_gamma: f64,
    pos: Store,
    neg: Store,
    zero: u64,
    pos_inf: u64,
    neg_inf: u64,
    min: f64,
    max: f64,
}

impl Sketch {
    /// An empty sketch of relative accuracy `accuracy` (in `(0, 1)`).
    pub fn new(accuracy: f64) -> Self {
        assert!(
            accuracy > 0.0 && accuracy < 1.0,
            "relative accuracy {accuracy} not in (0, 1)"
        );
        let gamma = (1.0 + accuracy) / (1.0 - accuracy);
        Self {
            accuracy,
            ln_gamma: gamma.ln(),
            pos: Store::default(),
            neg: Store::default(),
            zero: 0,
            pos_inf: 0,
            neg_inf: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// The relative accuracy it was built with.
    pub fn accuracy(&self) -> f64 {
        self.accuracy
    }

    /// Bucket of a finite magnitude `m > 0`: `ceil(ln m / ln gamma)`.
    fn key(&self, m: f64) -> i64 {
        (m.ln() / self.ln_gamma).ceil() as i64
    }

    /// Answer for bucket `k`: `2 gamma^k / (gamma + 1)`, i.e.
    /// `exp(k ln gamma) (1 - a)` since `2 / (gamma + 1) = 1 - a`.
    fn value(&self, k: i64) -> f64 {
        (k as f64 * self.ln_gamma).exp() * (1.0 - self.accuracy)
    }

    /// Adds one value; NaN is ignored (the caller counts it).
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        if x == f64::INFINITY {
            self.pos_inf += 1;
        } else if x == f64::NEG_INFINITY {
            self.neg_inf += 1;
        } else if x > 0.0 {
            self.pos.add(self.key(x), 1);
        } else if x < 0.0 {
            self.neg.add(self.key(-x), 1);
        } else {
            self.zero += 1;
        }
    }

    /// Adds every value of `other` (same accuracy): counts add, so the result
    /// does not depend on the order of merges.
    pub fn merge(&mut self, other: &Sketch) {
        assert_eq!(
            self.accuracy.to_bits(),
            other.accuracy.to_bits(),
            "merging sketches of different accuracy"
        );
        for (k, n) in other.pos.buckets() {
            self.pos.add(k, n);
        }
        for (k, n) in other.neg.buckets() {
            self.neg.add(k, n);
        }
        self.pos.collapsed |= other.pos.collapsed;
        self.neg.collapsed |= other.neg.collapsed;
        self.zero += other.zero;
        self.pos_inf += other.pos_inf;
        self.neg_inf += other.neg_inf;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.zero + self.pos_inf + self.neg_inf + self.pos.total() + self.neg.total()
    }

    /// Buckets held (both signs): the sketch's size, bounded by
    /// `2 x MAX_BUCKETS` whatever the number of values.
    pub fn buckets(&self) -> usize {
        self.pos.counts.len() + self.neg.counts.len()
    }

    /// Whether some smallest magnitudes were collapsed (module docs).
    pub fn collapsed(&self) -> bool {
        self.pos.collapsed || self.neg.collapsed
    }

    /// The `r`-th smallest value (0-based), within the stated accuracy;
    /// NaN if `r >= count`.
    pub fn value_at_rank(&self, r: u64) -> f64 {
        let n = self.count();
        if r >= n {
            return f64::NAN;
        }
        if r == 0 {
            return self.min;
        }
        if r == n - 1 {
            return self.max;
        }
        let mut seen = self.neg_inf;
        if r < seen {
            return f64::NEG_INFINITY;
        }
        for (k, c) in self.neg.buckets().rev() {
            seen += c;
            if r < seen {
                return (-self.value(k)).clamp(self.min, self.max);
            }
        }
        seen += self.zero;
        if r < seen {
            return 0.0;
        }
        for (k, c) in self.pos.buckets() {
            seen += c;
            if r < seen {
                return self.value(k).clamp(self.min, self.max);
            }
        }
        f64::INFINITY
    }

    /// Type-7 quantiles at `probs`, with the order statistics answered by
    /// [`Sketch::value_at_rank`]; NaN for an empty sketch.
    pub fn quantiles(&self, probs: &[f64]) -> Vec<f64> {
        let n = self.count() as usize;
        probs
            .iter()
            .map(|&p| super::montecarlo::type7(n, p, |k| self.value_at_rank(k as u64)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::quantile;
    use proptest::prelude::*;

    fn sketch_of(xs: &[f64]) -> Sketch {
        let mut s = Sketch::new(RELATIVE_ACCURACY);
        xs.iter().for_each(|&x| s.add(x));
        s
    }

    /// Every rank is answered within the relative accuracy (plus a few ulps).
    fn check_ranks(xs: &[f64]) -> std::result::Result<(), TestCaseError> {
        let s = sketch_of(xs);
        let mut sorted = xs.to_vec();
        sorted.sort_by(f64::total_cmp);
        prop_assert_eq!(s.count(), xs.len() as u64);
        // Collapsed smallest magnitudes: an absolute error below
        // gamma^-MAX_BUCKETS times the largest magnitude (module docs).
        let largest = sorted.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let gamma = (1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY);
        let floor = if s.collapsed() {
            largest * gamma.powi(-(MAX_BUCKETS as i32) + 2)
        } else {
            0.0
        };
        for (r, &x) in sorted.iter().enumerate() {
            let got = s.value_at_rank(r as u64);
            let tol = (RELATIVE_ACCURACY * (1.0 + 1e-9) * x.abs()).max(floor);
            prop_assert!((got - x).abs() <= tol, "rank {r}: {got} vs {x}");
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn ranks_within_relative_accuracy(
            xs in prop::collection::vec(
                prop_oneof![-1e9f64..1e9, -50.0f64..50.0, 0.01f64..30.0, Just(0.0)],
                1..400,
            )
        ) {
            check_ranks(&xs)?;
        }

        #[test]
        fn quantiles_near_sorted_reference(
            xs in prop::collection::vec(0.5f64..40.0, 2..500),
            p in 0.0f64..=1.0,
        ) {
            let s = sketch_of(&xs);
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            let exact = quantile(&sorted, p);
            let got = s.quantiles(&[p])[0];
            // Same-sign order statistics: within `a` relative of the exact quantile.
            prop_assert!((got - exact).abs() <= RELATIVE_ACCURACY * (1.0 + 1e-9) * exact.abs());
        }

        #[test]
        fn merge_is_order_independent(
            xs in prop::collection::vec(-1e6f64..1e6, 1..300),
            cut1 in 0usize..300,
            cut2 in 0usize..300,
        ) {
            let (a, b) = (cut1.min(cut2).min(xs.len()), cut1.max(cut2).min(xs.len()));
            let parts = [&xs[..a], &xs[a..b], &xs[b..]];
            let whole = sketch_of(&xs);
            let mut fwd = Sketch::new(RELATIVE_ACCURACY);
            for p in parts {
                fwd.merge(&sketch_of(p));
            }
            let mut back = Sketch::new(RELATIVE_ACCURACY);
            for p in parts.iter().rev() {
                back.merge(&sketch_of(p));
            }
            let mut rev = xs.clone();
            rev.reverse();
            let probs = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0];
            let q = whole.quantiles(&probs);
            for other in [&fwd, &back, &sketch_of(&rev)] {
                prop_assert_eq!(other.count(), whole.count());
                let oq = other.quantiles(&probs);
                prop_assert_eq!(
                    q.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    oq.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
                );
            }
        }
    }

    #[test]
    fn infinities_zeros_and_extremes() {
        let xs = [f64::NEG_INFINITY, -3.0, 0.0, 0.0, 2.5, f64::INFINITY];
        let s = sketch_of(&xs);
        assert_eq!(s.value_at_rank(0), f64::NEG_INFINITY);
        assert_eq!(s.value_at_rank(2), 0.0);
        assert_eq!(s.value_at_rank(5), f64::INFINITY);
        assert!((s.value_at_rank(1) + 3.0).abs() <= 3.0 * RELATIVE_ACCURACY);
        assert!(s.value_at_rank(6).is_nan());
        assert!(Sketch::new(0.01).quantiles(&[0.5])[0].is_nan());
        let mut with_nan = s.clone();
        with_nan.add(f64::NAN);
        assert_eq!(with_nan, s);
    }

    /// The summary's size does not grow with the number of values: a million
    /// values of a realistic months-payable spread (0.5 to 40 months, and
    /// some overdrawn funds down to -20) fit in a few ten thousand buckets,
    /// and far-apart values stay within the cap (collapsing, and saying so).
    #[test]
    fn size_bounded_whatever_the_number_of_values() {
        let mut s = Sketch::new(RELATIVE_ACCURACY);
        let mut x = 0.123_456_789_f64;
        for i in 0..1_000_000u32 {
            // a cheap deterministic spread (logistic map) over [-20, 40]
            x = 3.999 * x * (1.0 - x);
            s.add(if i % 10 == 0 {
                -20.0 * x
            } else {
                0.5 + 39.5 * x
            });
        }
        assert_eq!(s.count(), 1_000_000);
        let span = |lo: f64, hi: f64| ((hi / lo).ln() / (2.0 * RELATIVE_ACCURACY)).ceil() as usize;
        let bound = span(0.5, 40.0) + span(20.0 * 1e-6, 20.0) + 4;
        assert!(s.buckets() <= bound, "{} > {bound}", s.buckets());
        assert!(!s.collapsed());
        let mut wide = Sketch::new(RELATIVE_ACCURACY);
        let values: Vec<f64> = (-300..300).map(|e| 10f64.powi(e)).collect();
        values.iter().for_each(|&x| wide.add(x));
        assert!(wide.buckets() <= MAX_BUCKETS);
        assert!(wide.collapsed());
        assert_eq!(wide.value_at_rank(599), values[599]);
        let top = wide.value_at_rank(598);
        assert!((top - 1e298).abs() <= 1e298 * RELATIVE_ACCURACY);
        // collapsed: the smallest values are answered within the floor
        let floor = 1e299 * 1.0002f64.powi(-(MAX_BUCKETS as i32) + 2);
        assert!(wide.value_at_rank(1).abs() <= floor);
    }
}
