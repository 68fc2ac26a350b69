//! Membership by age band: cohort aging, births, deaths and enrollment.

pub(crate) mod bands;
pub(crate) mod cohort;
pub(crate) mod lanes;
pub(crate) mod membership;
pub(crate) mod profile;

pub use bands::{BAND_LABELS, ByBand, N_BANDS, band_start};
pub use cohort::{BandMatrix, band_transition, growth_rate, leslie, project as project_cohort};
pub use lanes::{LANES, Lanes};
pub use membership::{Drivers, Membership, MembershipLanes};
pub use profile::AgeProfile;
