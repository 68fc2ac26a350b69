//! Membership by age band: cohort aging, births, deaths and enrollment.

pub mod bands;

pub use bands::{BAND_LABELS, ByBand, N_BANDS};
