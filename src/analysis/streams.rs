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
