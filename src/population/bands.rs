//! Five-year age bands 0-4, 5-9, ..., 80-84 and an open band 85+.

/// Number of age bands.
pub const N_BANDS: usize = 18;

/// Width of a closed band, in years.
pub const BAND_WIDTH: usize = 5;

/// A quantity per age band.
pub type ByBand = [f64; N_BANDS];

/// Band labels as they appear in CSV files and charts.
pub const BAND_LABELS: [&str; N_BANDS] = [
    "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54",
    "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85+",
];

/// Index of the first band aged 60 or over (60-64).
pub const FIRST_60PLUS: usize = 12;

/// The band index of a label such as `"60-64"` or `"85+"`.
pub fn band_index(label: &str) -> Option<usize> {
    let l = label.trim();
    BAND_LABELS.iter().position(|b| *b == l)
}

/// Lower age of a band.
pub fn band_start(b: usize) -> usize {
    b * BAND_WIDTH
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn labels_round_trip() {
        for (i, l) in BAND_LABELS.iter().enumerate() {
            assert_eq!(band_index(l), Some(i));
        }
        assert_eq!(band_index("60-64"), Some(FIRST_60PLUS));
        assert_eq!(band_start(FIRST_60PLUS), 60);
        assert_eq!(band_index("90+"), None);
    }
}
