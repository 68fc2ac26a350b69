//! Arithmetic on a chunk's lanes (one value per path, [`LANES`] paths) and
//! band loops written out, the two tools that let the compiler keep the year
//! loop's inner work in vector registers: [`V`] is the lanes as one value
//! (one AVX instruction or two SSE2 ones an operation, each lane rounded as
//! the scalar operation), [`each_band`] and [`by_band`] run a body for every
//! band as straight-line code, so the lanes, not the bands, are what the
//! compiler vectorises.

use super::bands::N_BANDS;

/// Paths a [`MembershipLanes`](super::MembershipLanes) steps together (the
/// width of the year loop's chunk: `projection::project_many` runs up to this
/// many paths year by year).
///
/// Four: a lane operation is one AVX register or two SSE2 ones, and a chunk's
/// working set (its paths' parameter tables, about 10 KB each, and the loop's
/// lane arrays) stays near L1: with 16 lanes a 20,000-path Monte Carlo run
/// missed L1 22.5 M times, with 4 lanes 6.7 M times, for the same
/// instructions; 8 lanes ran no faster than 4 (issue 11, fifth step).
pub const LANES: usize = 4;

/// One value per lane (path) of a chunk.
pub type Lanes = [f64; LANES];

/// `f(0)`, `f(1)`, ... `f(N_BANDS - 1)` written out: straight-line code,
/// which the compiler vectorises lane-wise (one instruction an operation),
/// where a loop over bands it would vectorise across bands (two bands a
/// register, then shuffles back into lanes).
#[inline(always)]
pub(crate) fn each_band(mut f: impl FnMut(usize)) {
    const _: () = assert!(N_BANDS == 18, "each_band lists 18 bands");
    macro_rules! each {
        ($($b:literal)*) => { $( f($b); )* };
    }
    each!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17);
}

/// `[f(0), f(1), ... f(N_BANDS - 1)]` written out (as [`each_band`]).
#[inline(always)]
pub(crate) fn by_band<T>(mut f: impl FnMut(usize) -> T) -> [T; N_BANDS] {
    macro_rules! each {
        ($($b:literal)*) => { [$( f($b), )*] };
    }
    each!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17)
}

/// The lanes of a chunk as one value: each operation acts lane by lane, a
/// lane's result rounded as the scalar operation would (no fused
/// multiply-add), so the compiler emits one vector instruction (AVX) or two
/// (SSE2) for it, never a loop it might vectorise across bands instead.
#[derive(Clone, Copy)]
pub(crate) struct V(pub(crate) Lanes);

/// A lane-by-lane comparison result (all bits set where true).
#[derive(Clone, Copy)]
pub(crate) struct Mask([u64; LANES]);

impl V {
    #[inline(always)]
    pub(crate) fn splat(x: f64) -> V {
        V([x; LANES])
    }
    #[inline(always)]
    fn zip(self, o: V, f: impl Fn(f64, f64) -> f64) -> V {
        V(std::array::from_fn(|i| f(self.0[i], o.0[i])))
    }
    /// `clamp(lo, hi)` lane by lane ([`f64::clamp`]).
    #[inline(always)]
    pub(crate) fn clamp(self, lo: V, hi: V) -> V {
        V(std::array::from_fn(|i| self.0[i].clamp(lo.0[i], hi.0[i])))
    }
    /// `self > o` lane by lane.
    #[inline(always)]
    pub(crate) fn gt(self, o: V) -> Mask {
        Mask(std::array::from_fn(|i| {
            if self.0[i] > o.0[i] { u64::MAX } else { 0 }
        }))
    }
    /// `a` where `m` holds, else `b`, by bits (no branch).
    #[inline(always)]
    pub(crate) fn select(m: Mask, a: V, b: V) -> V {
        V(std::array::from_fn(|i| {
            f64::from_bits((a.0[i].to_bits() & m.0[i]) | (b.0[i].to_bits() & !m.0[i]))
        }))
    }
}

impl std::ops::Add for V {
    type Output = V;
    #[inline(always)]
    fn add(self, o: V) -> V {
        self.zip(o, |a, b| a + b)
    }
}

impl std::ops::Sub for V {
    type Output = V;
    #[inline(always)]
    fn sub(self, o: V) -> V {
        self.zip(o, |a, b| a - b)
    }
}

impl std::ops::Mul for V {
    type Output = V;
    #[inline(always)]
    fn mul(self, o: V) -> V {
        self.zip(o, |a, b| a * b)
    }
}

impl std::ops::Div for V {
    type Output = V;
    #[inline(always)]
    fn div(self, o: V) -> V {
        self.zip(o, |a, b| a / b)
    }
}

impl std::ops::Neg for V {
    type Output = V;
    #[inline(always)]
    fn neg(self) -> V {
        V(self.0.map(|a| -a))
    }
}
