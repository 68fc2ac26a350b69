//! A mergeable quantile sketch with relative accuracy: DDSketch's
//! log-bucket histogram (Masson, Rim & Lee, "DDSketch: a fast and
//! fully-mergeable quantile sketch with relative-error guarantees",
//! PVLDB 12(12), 2019, sections 2.1-2.3), with the logarithm replaced by a
//! cubic interpolation between powers of two read from the float's bits
//! (the "fast mapping" of section 2.4 in the form of DataDog's
//! `CubicallyInterpolatedIndexMapping`, sketches-java), so an insertion costs
//! a few multiplications and no call to `ln` or `ceil`.
//!
//! **Mapping.** A positive normal `x = 2^e (1 + s)`, `s` in `[0, 1)`, read
//! exactly from its exponent and significand bits, has the approximate
//! base-2 logarithm `f(x) = e + P(s)` with
//! `P(s) = A s^3 + B s^2 + C s`, `A = 6/35`, `B = -3/5`, `C = 10/7`:
//! `P(0) = 0`, `P(1) = 1` (so `f` is continuous across octaves and exact at
//! powers of two) and `P'(s) > 0` (its discriminant `36/25 - 4 (18/35)(10/7)`
//! is negative), so `f` is strictly increasing. The value falls in bucket
//! `k = ceil(M f(x))` with `M = 7 / (10 ln gamma)` and
//! `gamma = (1 + a) / (1 - a)` for the relative accuracy `a`.
//!
//! **Accuracy bound.** Within an octave `d ln x / d f = 1 / g(s)` with
//! `g(s) = (1 + s) P'(s) = (18 s^3 - 24 s^2 + 8 s + 50) / 35`, whose minimum
//! on `[0, 1]` is `10/7` (at `s = 0` and `s = 2/3`; `g' = 0` at `2/9` and
//! `2/3`). A bucket spans `1/M` in `f`, hence at most `7 / (10 M) = ln gamma`
//! in `ln x`: its bounds `L < U` satisfy `U / L <= gamma`. The bucket is
//! answered by `2 L U / (L + U)`, within `(U - L) / (U + L) <= (gamma - 1) /
//! (gamma + 1) = a` relative of every value in it (Masson et al., Prop. 1
//! with the exact bounds in place of powers of gamma). The bounds are
//! `f^-1((k - 1) / M)` and `f^-1(k / M)`, with `P` inverted by Newton's
//! method at query time only. Buckets are `7 / (10 ln 2) = 1.0099` times
//! narrower than the exact logarithmic mapping's, about 1 % more of them.
//! Negative values use a mirrored bucket set on `|x|`; `+-inf` are counted
//! apart; the exact minimum and maximum are kept, and every answer is clamped
//! to `[min, max]`. (Up to rounding at a bucket edge: a few ulps of `M f(x)`,
//! which is below `4e6` in magnitude.)
//!
//! **Zero bucket.** Values with `|x| < zero_below` (see
//! [`Sketch::with_zero_below`]; at least `f64::MIN_POSITIVE`, so subnormals
//! never reach the mapping) are counted as zeros and answered by `0`: an
//! absolute error below `zero_below`. A series that crosses zero (a balance
//! going from surplus to deficit) has draws arbitrarily close to 0; without
//! the floor their magnitudes would span more buckets than the cap allows.
//!
//! **Rank queries.** The `r`-th smallest value (0-based) is answered by the
//! bucket holding rank `r`, so a type-7 quantile (interpolating between two
//! ranks, see [`quantile`](super::quantile)) is within `a` relative (or
//! `zero_below` absolute) of the exact one when both ranks have the same sign,
//! and within `a` times the larger of the two magnitudes otherwise.
//!
//! **Mergeable, exactly.** A sketch is integer counts per bucket, so merging
//! adds counts: associative and commutative, whatever the order or the
//! split of the values (the minimum and maximum merge the same way).
//!
//! **Bounded.** Each sign keeps at most [`MAX_BUCKETS`] contiguous buckets,
//! whatever the number of values. Should the values of one sign span more than
//! about `gamma^MAX_BUCKETS` (a ratio of about `4.9e5` between largest and
//! smallest magnitude at `a = 1e-4`), the buckets of the smallest magnitudes
//! are collapsed into the lowest kept one (DDSketch's collapsing store,
//! section 2.3), whose values are then answered with an absolute error below
//! `gamma^-(MAX_BUCKETS - 1)` times the largest magnitude; [`Sketch::collapsed`]
//! says whether that happened. The final bucket of every value is
//! `max(k, k_top - MAX_BUCKETS + 1)` whatever the insertion order, so
//! collapsing keeps the merge exact and order-independent.
//!
//! **Cost.** An insertion is a bit split, a cubic, a multiply, a truncation
//! and an increment in a contiguous array; the array grows geometrically (at
//! most `MAX_BUCKETS` counts a sign), so there is no allocation per value once
//! the range of the values has been seen.

/// Relative accuracy of the Monte Carlo quantiles above the exact limit:
/// 0.01 %.
pub const RELATIVE_ACCURACY: f64 = 1e-4;

/// Buckets kept per sign (at most `8 x 2 x MAX_BUCKETS` bytes of counts per
/// sketch, 1 MiB).
pub const MAX_BUCKETS: usize = 1 << 16;

/// Coefficients of the cubic `P(s) = ((A s + B) s + C) s` (module docs).
const A: f64 = 6.0 / 35.0;
const B: f64 = -3.0 / 5.0;
const C: f64 = 10.0 / 7.0;

/// Minimum over `s` in `[0, 1]` of `(1 + s) P'(s)` (module docs).
const MIN_SLOPE: f64 = 10.0 / 7.0;

/// Significand bits of an `f64`.
const SIGNIFICAND: u64 = (1 << 52) - 1;
/// Bits of `1.0`.
const ONE_BITS: u64 = 1023 << 52;

/// The approximate base-2 logarithm `f(x) = e + P(s)` of a positive normal
/// `x = 2^e (1 + s)` (module docs); exact at powers of two.
#[inline]
fn approx_log2(x: f64) -> f64 {
    let bits = x.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let s = f64::from_bits((bits & SIGNIFICAND) | ONE_BITS) - 1.0;
    ((A * s + B) * s + C) * s + e as f64
}

/// Inverse of [`approx_log2`]: the `x` with `f(x) = y`, by Newton's method on
/// `P(s) = y - floor(y)` (`P` increasing and convex-concave on `[0, 1]`,
/// `P' >= 5/7`); to a few ulps.
fn approx_exp2(y: f64) -> f64 {
    let e = y.floor();
    let r = y - e;
    let mut s = r;
    for _ in 0..8 {
        let p = ((A * s + B) * s + C) * s - r;
        let dp = (3.0 * A * s + 2.0 * B) * s + C;
        let next = (s - p / dp).clamp(0.0, 1.0);
        if next == s {
            break;
        }
        s = next;
    }
    (1.0 + s) * 2f64.powi(e as i32)
}

/// `ceil(y)` as an integer by truncation (`ceil` is a library call on
/// baseline x86-64): exact for `|y| < 2^62`.
#[inline]
fn ceil_i64(y: f64) -> i64 {
    let k = y as i64;
    k + i64::from((k as f64) < y)
}

/// Counts of contiguous buckets `lo, lo + 1, ...` (at most [`MAX_BUCKETS`]
/// of them), with the collapsing rule of the module docs.
#[derive(Clone, Debug, Default)]
struct Store {
    /// Key of `counts[0]`.
    lo: i64,
    counts: Vec<u64>,
    /// Highest key holding a value (`i64::MIN` when empty).
    hi: i64,
    /// Values added.
    total: u64,
    collapsed: bool,
}

impl PartialEq for Store {
    /// Same buckets with the same counts, however the array is laid out.
    fn eq(&self, other: &Store) -> bool {
        self.total == other.total
            && self.collapsed == other.collapsed
            && self.buckets().eq(other.buckets())
    }
}

impl Store {
    fn new() -> Store {
        Store {
            hi: i64::MIN,
            ..Store::default()
        }
    }

    /// Adds `n` to bucket `k`: one increment when `k` is inside the array
    /// (which spans at most `MAX_BUCKETS` keys, so no value in it is then
    /// below the collapsing floor `max(hi, k) - MAX_BUCKETS + 1`).
    #[inline]
    fn add(&mut self, k: i64, n: u64) {
        let i = k.wrapping_sub(self.lo) as u64;
        if let Some(c) = self.counts.get_mut(i as usize)
            && i < MAX_BUCKETS as u64
        {
            *c += n;
            self.hi = self.hi.max(k);
            self.total += n;
        } else {
            self.add_outside(k, n);
        }
    }

    /// [`Store::add`] of one value to each of `keys`, in order: the same
    /// state as adding them one by one, with the highest key and the total
    /// kept in registers (a bucket increment cannot alias them) so that the
    /// increments, scattered over up to `MAX_BUCKETS` counts, overlap.
    fn add_keys(&mut self, keys: &[i64]) {
        let (mut hi, mut total) = (self.hi, self.total);
        for &k in keys {
            let i = k.wrapping_sub(self.lo) as u64;
            if let Some(c) = self.counts.get_mut(i as usize)
                && i < MAX_BUCKETS as u64
            {
                *c += 1;
                hi = hi.max(k);
                total += 1;
            } else {
                (self.hi, self.total) = (hi, total);
                self.add_outside(k, 1);
                (hi, total) = (self.hi, self.total);
            }
        }
        (self.hi, self.total) = (hi, total);
    }

    /// [`Store::add`] for a key outside the array: the array is laid out
    /// again around the kept keys (geometric growth, so rarely), collapsing
    /// the keys below the floor into it.
    #[cold]
    fn add_outside(&mut self, k: i64, n: u64) {
        if n == 0 {
            return;
        }
        let cap = MAX_BUCKETS as i64;
        let hi = self.hi.max(k);
        let floor = hi.saturating_sub(cap - 1);
        let kk = k.max(floor);
        self.collapsed |= k < floor;
        let margin = (self.counts.len() as i64).clamp(64, cap);
        let (lo, top) = if self.counts.is_empty() {
            (kk - margin / 2, kk + margin / 2)
        } else {
            let old_top = self.lo + self.counts.len() as i64 - 1;
            if kk < self.lo {
                (kk - margin, old_top)
            } else {
                (self.lo, kk + margin)
            }
        };
        let lo = lo.max(floor);
        let top = top.min(lo + cap - 1);
        debug_assert!(lo <= kk && kk <= top);
        // a kept key below the new floor is collapsed into it
        if self.buckets().next().is_some_and(|(key, _)| key < floor) {
            self.collapsed = true;
        }
        let mut counts = vec![0u64; (top - lo + 1) as usize];
        for (key, c) in self.buckets() {
            counts[(key.max(floor) - lo) as usize] += c;
        }
        counts[(kk - lo) as usize] += n;
        self.lo = lo;
        self.counts = counts;
        self.hi = hi;
        self.total += n;
    }

    /// Buckets with their counts, lowest key first.
    fn buckets(&self) -> impl DoubleEndedIterator<Item = (i64, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, c)| (self.lo + i as i64, *c))
    }
}

/// A DDSketch of `f64` values (see the module docs): relative-accuracy
/// quantiles in memory bounded by `MAX_BUCKETS` buckets per sign, exact merge.
#[derive(Clone, Debug, PartialEq)]
pub struct Sketch {
    accuracy: f64,
    /// `M` of the module docs.
    multiplier: f64,
    zero_below: f64,
    pos: Store,
    neg: Store,
    zero: u64,
    pos_inf: u64,
    neg_inf: u64,
    min: f64,
    max: f64,
}

impl Sketch {
    /// An empty sketch of relative accuracy `accuracy` (in `(0, 1)`); only
    /// zeros and subnormals (below `f64::MIN_POSITIVE`) go to the zero bucket.
    pub fn new(accuracy: f64) -> Self {
        Self::with_zero_below(accuracy, f64::MIN_POSITIVE)
    }

    /// An empty sketch of relative accuracy `accuracy` whose values of
    /// magnitude below `zero_below` count as zeros (answered by 0, an absolute
    /// error below `zero_below`; module docs). `zero_below` is raised to
    /// `f64::MIN_POSITIVE` at least.
    pub fn with_zero_below(accuracy: f64, zero_below: f64) -> Self {
        assert!(
            accuracy > 0.0 && accuracy < 1.0,
            "relative accuracy {accuracy} not in (0, 1)"
        );
        assert!(
            zero_below.is_finite(),
            "zero bucket bound {zero_below} not finite"
        );
        let gamma = (1.0 + accuracy) / (1.0 - accuracy);
        Self {
            accuracy,
            multiplier: 1.0 / (MIN_SLOPE * gamma.ln()),
            zero_below: zero_below.max(f64::MIN_POSITIVE),
            pos: Store::new(),
            neg: Store::new(),
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

    /// Magnitude below which values count as zeros.
    pub fn zero_below(&self) -> f64 {
        self.zero_below
    }

    /// Bucket of a finite magnitude `m >= zero_below`: `ceil(M f(m))`.
    #[inline]
    fn key(&self, m: f64) -> i64 {
        ceil_i64(self.multiplier * approx_log2(m))
    }

    /// Answer for bucket `k`: `2 L U / (L + U)` of its bounds (module docs).
    fn value(&self, k: i64) -> f64 {
        let lower = approx_exp2((k - 1) as f64 / self.multiplier);
        let upper = approx_exp2(k as f64 / self.multiplier);
        // 2 L U / (L + U), written to stay finite when U overflows
        2.0 * lower / (lower / upper + 1.0)
    }

    /// Adds one value; NaN is ignored (the caller counts it).
    #[inline]
    pub fn add(&mut self, x: f64) {
        match self.classify(x) {
            Some((true, k)) => self.pos.add(k, 1),
            Some((false, k)) => self.neg.add(k, 1),
            None => {}
        }
    }

    /// Records `x` in the extremes and, if it is zero-bucket or infinite, in
    /// those counts; returns `(positive, key)` for a value the buckets count
    /// (`None`: NaN, the zero bucket or infinite, already counted). The one
    /// classification [`Sketch::add`] and [`Sketch::add_slice`] share.
    #[inline]
    fn classify(&mut self, x: f64) -> Option<(bool, i64)> {
        if x.is_nan() {
            return None;
        }
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        let m = x.abs();
        if m < self.zero_below {
            self.zero += 1;
            None
        } else if m == f64::INFINITY {
            if x > 0.0 {
                self.pos_inf += 1;
            } else {
                self.neg_inf += 1;
            }
            None
        } else {
            Some((x > 0.0, self.key(m)))
        }
    }

    /// Adds every value of `values`, in order: the same sketch as
    /// [`Sketch::add`] of each (the same keys reach each sign's buckets in the
    /// same order), faster on long runs: the keys of a block of values are
    /// computed first (no memory traffic), then the counts incremented in one
    /// tight loop per sign.
    pub fn add_slice(&mut self, values: &[f64]) {
        const BLOCK: usize = 256;
        let mut pos = [0i64; BLOCK];
        let mut neg = [0i64; BLOCK];
        for block in values.chunks(BLOCK) {
            let (mut np, mut nn) = (0, 0);
            for &x in block {
                match self.classify(x) {
                    Some((true, k)) => {
                        pos[np] = k;
                        np += 1;
                    }
                    Some((false, k)) => {
                        neg[nn] = k;
                        nn += 1;
                    }
                    None => {}
                }
            }
            self.pos.add_keys(&pos[..np]);
            self.neg.add_keys(&neg[..nn]);
        }
    }

    /// Adds every value of `other` (same accuracy and zero bucket): counts
    /// add, so the result does not depend on the order of merges.
    pub fn merge(&mut self, other: &Sketch) {
        assert_eq!(
            (self.accuracy.to_bits(), self.zero_below.to_bits()),
            (other.accuracy.to_bits(), other.zero_below.to_bits()),
            "merging sketches of different accuracy or zero bucket"
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
        self.zero + self.pos_inf + self.neg_inf + self.pos.total + self.neg.total
    }

    /// Buckets held (both signs, counting empty ones inside the kept range):
    /// the sketch's size, bounded by `2 x MAX_BUCKETS` whatever the number of
    /// values.
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
            return 0.0f64.clamp(self.min, self.max);
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

    /// Every field equal, the bucket arrays' layout included (stricter
    /// than `PartialEq`, which compares the non-empty buckets).
    fn same_state(a: &Sketch, b: &Sketch) -> bool {
        let store = |x: &Store, y: &Store| {
            (x.lo, x.hi, x.total, x.collapsed) == (y.lo, y.hi, y.total, y.collapsed)
                && x.counts == y.counts
        };
        store(&a.pos, &b.pos)
            && store(&a.neg, &b.neg)
            && (a.zero, a.pos_inf, a.neg_inf) == (b.zero, b.pos_inf, b.neg_inf)
            && a.min.to_bits() == b.min.to_bits()
            && a.max.to_bits() == b.max.to_bits()
    }

    fn sketch_of(xs: &[f64]) -> Sketch {
        let mut s = Sketch::new(RELATIVE_ACCURACY);
        xs.iter().for_each(|&x| s.add(x));
        s
    }

    fn gamma() -> f64 {
        (1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY)
    }

    /// Upper bound of the absolute error of a collapsed value: the upper edge
    /// of the lowest kept bucket, `MAX_BUCKETS - 1` buckets of at least
    /// `(350/364) ln gamma` each below the largest magnitude (module docs:
    /// a bucket spans `1/M` in `f`, at least `1 / (M max g)` in `ln x`,
    /// `max g = 52/35`).
    fn collapse_floor(largest: f64) -> f64 {
        largest * (-(MAX_BUCKETS as f64 - 2.0) * 350.0 / 364.0 * gamma().ln()).exp()
    }

    /// Every rank is answered within the relative accuracy (plus a few ulps).
    fn check_ranks(xs: &[f64]) -> std::result::Result<(), TestCaseError> {
        let s = sketch_of(xs);
        let mut sorted = xs.to_vec();
        sorted.sort_by(f64::total_cmp);
        prop_assert_eq!(s.count(), xs.len() as u64);
        let largest = sorted.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let floor = if s.collapsed() {
            collapse_floor(largest)
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
        /// The mapping's accuracy bound, value by value over the whole
        /// normal range: the bucket's answer is within `a` relative of the
        /// value, its bounds hold the value and are at most `gamma` apart.
        #[test]
        fn every_bucket_answers_its_values_within_accuracy(
            e in -1020i32..1020,
            m in 1.0f64..2.0,
            negative in any::<bool>(),
        ) {
            let x = m * 2f64.powi(e);
            let s = Sketch::new(RELATIVE_ACCURACY);
            let k = s.key(x);
            let lower = approx_exp2((k - 1) as f64 / s.multiplier);
            let upper = approx_exp2(k as f64 / s.multiplier);
            let ulps = 1.0 + 1e-12;
            prop_assert!(lower <= x * ulps && x <= upper * ulps, "{lower} {x} {upper}");
            prop_assert!(upper / lower <= gamma() * ulps, "ratio {}", upper / lower);
            let got = s.value(k);
            prop_assert!((got - x).abs() <= RELATIVE_ACCURACY * (1.0 + 1e-9) * x);
            let mut one = Sketch::new(RELATIVE_ACCURACY);
            let v = if negative { -x } else { x };
            for _ in 0..3 {
                one.add(v);
            }
            prop_assert!((one.value_at_rank(1) - v).abs() <= RELATIVE_ACCURACY * (1.0 + 1e-9) * x);
        }

        /// `f` is non-decreasing (so buckets are ordered like the values),
        /// up to rounding of the cubic near an octave's end, and
        /// `approx_exp2` inverts it.
        #[test]
        fn approximate_log_is_monotone(a in 1e-300f64..1e300, b in 1e-300f64..1e300) {
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(approx_log2(lo) <= approx_log2(hi) + 1e-12);
            let y = approx_log2(a);
            prop_assert!((approx_exp2(y) - a).abs() <= 1e-12 * a, "{} vs {a}", approx_exp2(y));
        }

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

        /// With a zero bucket, a column crossing zero: every quantile within
        /// `a` relative or `zero_below` absolute of the sorted reference.
        #[test]
        fn zero_bucket_quantiles_near_sorted_reference(
            xs in prop::collection::vec(
                prop_oneof![-5e4f64..2e5, -1.0f64..1.0, -1e-6f64..1e-6],
                2..500,
            ),
            p in 0.0f64..=1.0,
        ) {
            let zero_below = 0.01;
            let mut s = Sketch::with_zero_below(RELATIVE_ACCURACY, zero_below);
            xs.iter().for_each(|&x| s.add(x));
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            // a span above ~300,000 times the zero bucket may still collapse
            let largest = sorted.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            let floor = if s.collapsed() {
                collapse_floor(largest).max(zero_below)
            } else {
                zero_below
            };
            for (r, &x) in sorted.iter().enumerate() {
                let got = s.value_at_rank(r as u64);
                let tol = (RELATIVE_ACCURACY * (1.0 + 1e-9) * x.abs()).max(floor);
                prop_assert!((got - x).abs() <= tol, "rank {r}: {got} vs {x}");
            }
            let exact = quantile(&sorted, p);
            let got = s.quantiles(&[p])[0];
            let h = (xs.len() - 1) as f64 * p;
            let (a, b) = (sorted[h.floor() as usize], sorted[(h.ceil() as usize).min(xs.len() - 1)]);
            let tol = (RELATIVE_ACCURACY * (1.0 + 1e-9) * a.abs().max(b.abs())).max(floor);
            prop_assert!((got - exact).abs() <= tol, "p {p}: {got} vs {exact}");
        }

        /// `add_slice` leaves exactly the state (bucket layout, counts,
        /// extremes, collapse flag) of `add` value by value, NaNs, zeros,
        /// infinities, both signs and collapsing ranges included.
        #[test]
        fn add_slice_equals_adding_one_by_one(
            xs in prop::collection::vec(
                prop_oneof![
                    8 => -1e6f64..1e6,
                    1 => (-300i32..300).prop_map(|e| 10f64.powi(e)),
                    1 => prop::sample::select(vec![
                        0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e-320, -1e-3,
                    ]),
                ],
                0..1200,
            ),
            zero_below in prop::sample::select(vec![0.0, 1e-3, 10.0]),
            cut in 0usize..1200,
        ) {
            let mut one = Sketch::with_zero_below(RELATIVE_ACCURACY, zero_below);
            for &x in &xs {
                one.add(x);
            }
            let mut many = Sketch::with_zero_below(RELATIVE_ACCURACY, zero_below);
            let cut = cut.min(xs.len());
            many.add_slice(&xs[..cut]);
            many.add_slice(&xs[cut..]);
            prop_assert!(same_state(&many, &one), "{many:?} != {one:?}");
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
                prop_assert_eq!(other, &whole);
                let oq = other.quantiles(&probs);
                prop_assert_eq!(
                    q.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    oq.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
                );
            }
        }

        /// Collapsing is order-independent too: values spanning far more than
        /// the cap, inserted in two orders and merged from two halves.
        #[test]
        fn collapsing_is_order_independent(
            es in prop::collection::vec(-300i32..300, 2..200),
            cut in 0usize..200,
        ) {
            let xs: Vec<f64> = es.iter().map(|&e| 1.5 * 10f64.powi(e)).collect();
            let whole = sketch_of(&xs);
            let mut rev = xs.clone();
            rev.reverse();
            let cut = cut.min(xs.len());
            let mut merged = sketch_of(&xs[cut..]);
            merged.merge(&sketch_of(&xs[..cut]));
            prop_assert_eq!(&sketch_of(&rev), &whole);
            prop_assert_eq!(&merged, &whole);
            check_ranks(&xs)?;
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
        assert!((s.value_at_rank(4) - 2.5).abs() <= 2.5 * RELATIVE_ACCURACY);
        assert!(s.value_at_rank(6).is_nan());
        assert!(Sketch::new(0.01).quantiles(&[0.5])[0].is_nan());
        let mut with_nan = s.clone();
        with_nan.add(f64::NAN);
        assert_eq!(with_nan, s);
        // the largest finite values stay finite (a bucket's upper edge may overflow)
        let big = sketch_of(&[f64::MAX, f64::MAX, f64::MAX]);
        assert!((big.value_at_rank(1) - f64::MAX).abs() <= f64::MAX * RELATIVE_ACCURACY);
        // subnormals count as zeros
        let tiny = sketch_of(&[1.0, 5e-324, -5e-324, 1.0, 1.0]);
        assert_eq!(tiny.value_at_rank(0), -5e-324, "the exact minimum");
        assert_eq!(tiny.value_at_rank(1), 0.0);
        assert!((tiny.value_at_rank(2) - 1.0).abs() <= RELATIVE_ACCURACY);
    }

    /// The summary's size does not grow with the number of values: a million
    /// values of a realistic months-payable spread (0.5 to 40 months, and
    /// some overdrawn funds down to -20) fit in a few ten thousand buckets,
    /// and far-apart values stay within the cap (collapsing, and saying so).
    #[test]
    fn size_bounded_whatever_the_number_of_values() {
        let mut s = Sketch::new(RELATIVE_ACCURACY);
        let mut x = 0.123_456_789_f64;
        let (mut lo_pos, mut lo_neg) = (f64::INFINITY, f64::INFINITY);
        for i in 0..1_000_000u32 {
            // a cheap deterministic spread (logistic map) over [-20, 40]
            x = 3.999 * x * (1.0 - x);
            let v = if i % 10 == 0 {
                -20.0 * x
            } else {
                0.5 + 39.5 * x
            };
            if v > 0.0 {
                lo_pos = lo_pos.min(v);
            } else if v < 0.0 {
                lo_neg = lo_neg.min(-v);
            }
            s.add(v);
        }
        assert_eq!(s.count(), 1_000_000);
        // buckets of at least (350/364) ln gamma, an array at most twice the
        // keys in use (geometric growth) plus the initial margin
        let width = 350.0 / 364.0 * gamma().ln();
        let span = |lo: f64, hi: f64| ((hi / lo).ln() / width).ceil() as usize;
        let bound = 2 * (span(lo_pos, 40.0) + span(lo_neg, 20.0)) + 256;
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
        assert!(wide.value_at_rank(1).abs() <= collapse_floor(1e299));
    }

    /// A zero bucket keeps a column crossing zero from collapsing: balances
    /// from -50,000 to 200,000 with draws down to 1e-9 of zero, a zero bucket
    /// of 1 (the largest magnitude is below 300,000 times it).
    #[test]
    fn zero_bucket_prevents_collapse_across_zero() {
        let mut plain = Sketch::new(RELATIVE_ACCURACY);
        let mut floored = Sketch::with_zero_below(RELATIVE_ACCURACY, 1.0);
        let mut x = 0.123_456_789_f64;
        for i in 0..200_000u32 {
            x = 3.999 * x * (1.0 - x);
            let v = if i % 1000 == 0 {
                (x - 0.5) * 1e-6
            } else {
                -50_000.0 + 250_000.0 * x
            };
            plain.add(v);
            floored.add(v);
        }
        assert!(plain.collapsed());
        assert!(!floored.collapsed());
        assert_eq!(floored.count(), 200_000);
        assert_eq!(floored.zero_below(), 1.0);
    }
}
