//! Membership by age band: cohort aging, births, deaths and enrollment.

pub mod bands;
pub mod cohort;
pub mod membership;
pub mod profile;

pub use bands::{BAND_LABELS, ByBand, N_BANDS};
pub use membership::{Drivers, Membership};
pub use profile::AgeProfile;
