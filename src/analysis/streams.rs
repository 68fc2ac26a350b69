//! Reproducible per-path random streams.
//!
//! Scheme: `ChaCha8Rng::seed_from_u64(seed)` (the 32-byte key is expanded
//! from `seed` by rand_core's documented PCG32-based `seed_from_u64`), then
//! `set_stream(path)` selects one of the 2^64 independent ChaCha streams of
//! that key. Path `i`'s numbers therefore depend only on `(seed, i)`, never on
//! thread count or evaluation order.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator type used for each path.
pub type PathRng = ChaCha8Rng;

/// The random stream for `path` under master `seed`.
pub fn path_rng(seed: u64, path: u64) -> PathRng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(path);
    rng
}

/// The streams of one master seed, the key expanded once: `rng(path)` is
/// [`path_rng`]`(seed, path)`, without redoing `seed_from_u64` per path.
#[derive(Clone, Debug)]
pub struct PathStreams(ChaCha8Rng);

impl PathStreams {
    /// The streams of `seed`.
    pub fn new(seed: u64) -> Self {
        PathStreams(ChaCha8Rng::seed_from_u64(seed))
    }

    /// The stream of `path`: a copy of the keyed generator, nothing drawn
    /// from it yet, switched to stream `path` (so the same numbers as
    /// [`path_rng`]`(seed, path)`).
    pub fn rng(&self, path: u64) -> PathRng {
        let mut rng = self.0.clone();
        rng.set_stream(path);
        rng
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn path_streams_equal_path_rng() {
        for seed in [0, 1, 20_231_231] {
            let streams = PathStreams::new(seed);
            for path in [0, 1, 7, 511, 1 << 40] {
                let (mut a, mut b) = (path_rng(seed, path), streams.rng(path));
                for _ in 0..100 {
                    assert_eq!(a.next_u64(), b.next_u64(), "seed {seed} path {path}");
                }
            }
        }
    }
}
