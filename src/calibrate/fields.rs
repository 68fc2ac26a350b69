//! Field parsers and the hash shared by the record readers (CSV and Parquet),
//! the block builder and the accumulator: the bottom of `calibrate`, importing
//! none of its siblings but the error type.

use super::error::CalibrateError;
use crate::payment::Level;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

/// Parses a number field: trims, drops thousands separators and a trailing
/// unit (元, 岁, 天); None for anything that is not a finite number.
pub fn number(bytes: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(bytes).ok()?.trim();
    let s = s
        .strip_suffix('元')
        .or_else(|| s.strip_suffix('岁'))
        .or_else(|| s.strip_suffix('天'))
        .unwrap_or(s)
        .trim();
    let v: f64 = if s.contains(',') {
        s.replace(',', "").parse().ok()?
    } else {
        s.parse().ok()?
    };
    v.is_finite().then_some(v)
}

/// Parses a level lenient to how exports write it (三级甲等, 三甲, 3, tertiary, ...).
pub fn level(text: &str) -> Option<Level> {
    let t = text.trim();
    if let Some(l) = Level::parse(t) {
        return Some(l);
    }
    if t.starts_with('三') || t.starts_with('3') {
        Some(Level::Tertiary)
    } else if t.starts_with('二') || t.starts_with('2') {
        Some(Level::Secondary)
    } else if t.starts_with('一') || t.starts_with('1') || t == "未定级" || t == "基层" {
        Some(Level::Primary)
    } else {
        None
    }
}

/// Parses a yes/no flag (1/0, 是/否, Y/N, true/false; empty = no).
pub(crate) fn flag(bytes: &[u8]) -> Option<bool> {
    let s = std::str::from_utf8(bytes).ok()?.trim();
    match s.to_ascii_lowercase().as_str() {
        "" | "0" | "否" | "n" | "no" | "false" | "f" => Some(false),
        "1" | "是" | "y" | "yes" | "true" | "t" => Some(true),
        _ => None,
    }
}

/// The special-review flag of a record: 1/0, 是/否 or Y/N (see [`flag`]), else an
/// error naming the file, line and column.
pub(crate) fn special_flag(
    path: &Path,
    line: u64,
    column: &str,
    bytes: &[u8],
) -> Result<bool, CalibrateError> {
    flag(bytes).ok_or_else(|| {
        CalibrateError::record(
            path,
            line,
            Some(column),
            format!(
                "special-review flag `{}` is not 1/0, 是/否 or Y/N",
                String::from_utf8_lossy(bytes)
            ),
        )
    })
}

/// FNV-1a: a fast, deterministic hash for the short id and code keys (the
/// default SipHash guards against adversarial keys, which records are not).
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Hash map with [`Fnv`].
pub type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<Fnv>>;
