//! Who is in the fund each year: the population behind each band, the share of
//! it enrolled, and the members (population x enrollment rate).

use super::bands::{ByBand, N_BANDS};
use super::cohort::{BandVector, band_step};
use super::profile::AgeProfile;

/// Membership of one fund in one year.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Membership {
    /// People in each band who could be members (members / enrollment rate).
    pub population: BandVector,
    /// Share of each band enrolled.
    pub enrollment_rate: ByBand,
    /// Members in each band.
    pub members: ByBand,
}

/// One year's demographic and enrollment drivers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Drivers {
    /// Multiplier on death rates.
    pub mortality_multiplier: f64,
    /// Multiplier on births.
    pub fertility_multiplier: f64,
    /// People entering, spread by the profile's `entrant_share`.
    pub entrants: f64,
    /// Share of members leaving this year.
    pub decline: f64,
    /// 0 = uniform leaving, 1 = leaving follows `leave_propensity`.
    pub selectivity: f64,
}

impl Membership {
    /// Base-year membership: `total` members spread by the profile's shares.
    pub fn start(total: f64, profile: &AgeProfile) -> Membership {
        let mut members = [0.0; N_BANDS];
        let mut population = BandVector::zeros();
        for b in 0..N_BANDS {
            members[b] = total * profile.member_share[b];
            population[b] = members[b] / profile.enrollment_rate[b];
        }
        Membership {
            population,
            enrollment_rate: profile.enrollment_rate,
            members,
        }
    }

    /// Total members.
    pub fn total(&self) -> f64 {
        self.members.iter().sum()
    }

    /// Advances one year: cohort aging with survival, births and entrants
    /// (population), then leaving (enrollment rates).
    ///
    /// Leaving is spread over bands as
    /// `d_b = d * ((1 - sigma) + sigma * w_b / w_bar)`, with `w_b` the leave
    /// propensity and `w_bar = sum_b m_b w_b / sum_b m_b` over the members after aging, so uniform and
    /// selective leaving remove the same number of members this year, but
    /// selective leaving removes more of the bands with high propensity (the
    /// young and healthy). Each `d_b` is capped at 1.
    pub fn step(&mut self, profile: &AgeProfile, d: &Drivers) {
        let mut survival = [0.0; N_BANDS];
        let mut fertility = [0.0; N_BANDS];
        for b in 0..N_BANDS {
            survival[b] =
                (1.0 - (1.0 - profile.survival[b]) * d.mortality_multiplier).clamp(0.0, 1.0);
            fertility[b] = profile.fertility[b] * d.fertility_multiplier;
        }
        band_step(&survival, &fertility, &mut self.population);
        for b in 0..N_BANDS {
            self.population[b] += d.entrants * profile.entrant_share[b];
        }
        let mut total = 0.0;
        let mut weighted = 0.0;
        for b in 0..N_BANDS {
            let m = self.population[b] * self.enrollment_rate[b];
            total += m;
            weighted += m * profile.leave_propensity[b];
        }
        let w_bar = if total > 0.0 { weighted / total } else { 1.0 };
        for b in 0..N_BANDS {
            let rel = if w_bar > 0.0 {
                profile.leave_propensity[b] / w_bar
            } else {
                1.0
            };
            let d_b = (d.decline * ((1.0 - d.selectivity) + d.selectivity * rel)).clamp(-1.0, 1.0);
            self.enrollment_rate[b] = (self.enrollment_rate[b] * (1.0 - d_b)).clamp(0.0, 1.0);
            self.members[b] = self.population[b] * self.enrollment_rate[b];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> AgeProfile {
        let mut share = [1.0 / N_BANDS as f64; N_BANDS];
        share[0] += 0.0;
        let mut leave = [0.5; N_BANDS];
        for l in leave.iter_mut().take(9).skip(3) {
            *l = 3.0;
        }
        AgeProfile {
            member_share: share,
            enrollment_rate: [0.95; N_BANDS],
            survival: [0.99; N_BANDS],
            fertility: [0.0; N_BANDS],
            entrant_share: [0.0; N_BANDS],
            leave_propensity: leave,
            admissions: [0.1; N_BANDS],
            inpatient_cost: [5000.0; N_BANDS],
            outpatient_visits: [5.0; N_BANDS],
            outpatient_cost: [100.0; N_BANDS],
            retired_share: [0.0; N_BANDS],
        }
    }

    #[test]
    fn uniform_and_selective_decline_remove_the_same_members_but_not_the_same_people() {
        let p = profile();
        let mut uni = Membership::start(1000.0, &p);
        let mut sel = uni;
        let mut d = Drivers {
            mortality_multiplier: 0.0,
            fertility_multiplier: 0.0,
            entrants: 0.0,
            decline: 0.03,
            selectivity: 0.0,
        };
        uni.step(&p, &d);
        d.selectivity = 1.0;
        sel.step(&p, &d);
        assert!(
            (uni.total() - sel.total()).abs() < 1e-6,
            "{} vs {}",
            uni.total(),
            sel.total()
        );
        let old = |m: &Membership| m.members[12..].iter().sum::<f64>() / m.total();
        assert!(
            old(&sel) > old(&uni) + 1e-3,
            "selective leaving must age the fund"
        );
    }
}
