//! Who is in the fund each year: the population behind each band, the share of
//! it enrolled, and the members (population x enrollment rate).

use super::bands::{BAND_WIDTH, ByBand, N_BANDS};
use super::cohort::BandVector;
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
}

/// Paths a [`MembershipLanes`] steps together (the width of the year loop's
/// chunk: `projection::project_many` runs up to this many paths year by year).
///
/// Four: the lane loops are two SSE2 registers wide, and a chunk's working
/// set (its paths' parameter tables, about 10 KB each, and the loop's lane
/// arrays) stays near L1: with 16 lanes a 20,000-path Monte Carlo run missed
/// L1 22.5 M times, with 4 lanes 6.7 M times, for the same instructions.
pub const LANES: usize = 4;

/// One value per lane (path) of a chunk.
pub type Lanes = [f64; LANES];

/// The membership of up to [`LANES`] paths of one fund, structure of arrays
/// (`population[b][i]` = band `b` of path `i`), stepped together so the inner
/// loops run across paths: each path's numbers come out of the same operations
/// in the same order as a path stepped alone (there is no other step), so a
/// chunk of one and a full chunk agree bit for bit.
#[derive(Clone, Debug)]
pub struct MembershipLanes {
    n: usize,
    /// People in each band who could be members (members / enrollment rate).
    pub population: [Lanes; N_BANDS],
    /// Share of each band enrolled.
    pub enrollment_rate: [Lanes; N_BANDS],
    /// Members in each band.
    pub members: [Lanes; N_BANDS],
}

impl MembershipLanes {
    /// `n` paths (at most [`LANES`]) starting from `start`.
    pub fn start(start: &Membership, n: usize) -> MembershipLanes {
        assert!(n <= LANES, "at most {LANES} paths a chunk, got {n}");
        MembershipLanes {
            n,
            population: std::array::from_fn(|b| [start.population[b]; LANES]),
            enrollment_rate: std::array::from_fn(|b| [start.enrollment_rate[b]; LANES]),
            members: std::array::from_fn(|b| [start.members[b]; LANES]),
        }
    }

    /// Number of paths.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether there are no paths.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Members by band of path `i`.
    pub fn members_of(&self, i: usize) -> ByBand {
        std::array::from_fn(|b| self.members[b][i])
    }

    /// Advances every path one year with its own drivers `d[i]`: cohort aging
    /// with survival, births and entrants (population), then leaving
    /// (enrollment rates).
    ///
    /// Survival `s_b = clamp(1 - (1 - s0_b) m, 0, 1)` with `m` the mortality
    /// multiplier, fertility `f_b = f0_b x fertility multiplier`, then the
    /// banded cohort step of `cohort::band_step` (same
    /// terms in the same order). Leaving is spread over bands as
    /// `d_b = d * ((1 - sigma) + sigma * w_b / w_bar)`, with `w_b` the leave
    /// propensity and `w_bar = sum_b m_b w_b / sum_b m_b` over the members after aging, so uniform and
    /// selective leaving remove the same number of members this year, but
    /// selective leaving removes more of the bands with high propensity (the
    /// young and healthy). Each `d_b` is capped at 1.
    pub fn step(&mut self, profile: &AgeProfile, d: &[Drivers]) {
        // Drivers as lanes. Every loop below runs over all `LANES` lanes (a
        // constant trip count: they vectorise); a lane past the chunk's
        // paths steps with drivers 0 (no deaths, births, entrants or
        // leaving), harmless and never read.
        let (mut mort, mut fert, mut entrants, mut decline, mut selectivity) = (
            [0.0; LANES],
            [0.0; LANES],
            [0.0; LANES],
            [0.0; LANES],
            [0.0; LANES],
        );
        for (i, d) in d.iter().take(self.n).enumerate() {
            mort[i] = d.mortality_multiplier;
            fert[i] = d.fertility_multiplier;
            entrants[i] = d.entrants;
            decline[i] = d.decline;
            selectivity[i] = d.selectivity;
        }
        let pass = 1.0 / BAND_WIDTH as f64;
        let stay = 1.0 - pass;
        // Survival of band `b` in each lane, `clamp(1 - (1 - s0_b) m, 0, 1)`.
        let survival = |b: usize| -> Lanes {
            let q = 1.0 - profile.survival[b];
            let mut s = [0.0; LANES];
            for i in 0..LANES {
                s[i] = (1.0 - q * mort[i]).clamp(0.0, 1.0);
            }
            s
        };
        let x = &mut self.population;
        // Births from last year's population: `(s_0 4/5 + f_0) x_0 + sum_b>0 f_b x_b`
        // (the first row of the band matrix, in `cohort::band_step`'s order).
        let s0 = survival(0);
        let mut births = [0.0; LANES];
        for i in 0..LANES {
            births[i] = (s0[i] * stay + profile.fertility[0] * fert[i]) * x[0][i];
        }
        for b in 1..N_BANDS {
            let f0 = profile.fertility[b];
            for i in 0..LANES {
                births[i] += f0 * fert[i] * x[b][i];
            }
        }
        // From the oldest band down, so each x[b - 1] is still last year's;
        // `s_here` is the survival of band `b`, `s_below` of band `b - 1`.
        let last = N_BANDS - 1;
        let mut s_here = survival(last);
        for b in (1..N_BANDS).rev() {
            let s_below = if b == 1 { s0 } else { survival(b - 1) };
            let (lo, hi) = x.split_at_mut(b);
            let (below, here) = (&lo[b - 1], &mut hi[0]);
            if b == last {
                // The open band keeps all its survivors.
                for i in 0..LANES {
                    here[i] = s_below[i] * pass * below[i] + s_here[i] * here[i];
                }
            } else {
                for i in 0..LANES {
                    here[i] = s_below[i] * pass * below[i] + s_here[i] * stay * here[i];
                }
            }
            s_here = s_below;
        }
        x[0] = births;
        let mut total = [0.0; LANES];
        let mut weighted = [0.0; LANES];
        for b in 0..N_BANDS {
            let share = profile.entrant_share[b];
            let w = profile.leave_propensity[b];
            let (xb, eb) = (&mut x[b], &self.enrollment_rate[b]);
            for i in 0..LANES {
                xb[i] += entrants[i] * share;
                let m = xb[i] * eb[i];
                total[i] += m;
                weighted[i] += m * w;
            }
        }
        let mut w_bar = [0.0; LANES];
        for i in 0..LANES {
            w_bar[i] = if total[i] > 0.0 {
                weighted[i] / total[i]
            } else {
                1.0
            };
        }
        for b in 0..N_BANDS {
            let w = profile.leave_propensity[b];
            let (xb, eb, mb) = (&x[b], &mut self.enrollment_rate[b], &mut self.members[b]);
            for i in 0..LANES {
                let rel = if w_bar[i] > 0.0 { w / w_bar[i] } else { 1.0 };
                let sel = selectivity[i];
                let d_b = (decline[i] * ((1.0 - sel) + sel * rel)).clamp(-1.0, 1.0);
                let e = (eb[i] * (1.0 - d_b)).clamp(0.0, 1.0);
                eb[i] = e;
                mb[i] = xb[i] * e;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::cohort::band_step;

    /// The scalar one-path step the lanes must reproduce bit for bit.
    impl Membership {
        /// Advances one year: cohort aging with survival, births and entrants
        /// (population), then leaving (enrollment rates).
        ///
        /// Leaving is spread over bands as
        /// `d_b = d * ((1 - sigma) + sigma * w_b / w_bar)`, with `w_b` the leave
        /// propensity and `w_bar = sum_b m_b w_b / sum_b m_b` over the members after aging, so uniform and
        /// selective leaving remove the same number of members this year, but
        /// selective leaving removes more of the bands with high propensity (the
        /// young and healthy). Each `d_b` is capped at 1.
        fn step(&mut self, profile: &AgeProfile, d: &Drivers) {
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
                let d_b =
                    (d.decline * ((1.0 - d.selectivity) + d.selectivity * rel)).clamp(-1.0, 1.0);
                self.enrollment_rate[b] = (self.enrollment_rate[b] * (1.0 - d_b)).clamp(0.0, 1.0);
                self.members[b] = self.population[b] * self.enrollment_rate[b];
            }
        }
    }

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

    #[test]
    fn lanes_step_each_path_as_the_scalar_step_bit_for_bit() {
        let mut p = profile();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for b in 0..N_BANDS {
            p.survival[b] = 0.9 + 0.1 * next();
            p.fertility[b] = if (3..10).contains(&b) {
                0.05 * next()
            } else {
                0.0
            };
            p.entrant_share[b] = next() / N_BANDS as f64;
        }
        // a path with a mortality multiplier big enough that survival clamps at 0
        for n in [1, LANES - 1, LANES] {
            let start = Membership::start(1000.0, &p);
            let mut lanes = MembershipLanes::start(&start, n);
            let mut single = vec![start; n];
            for _year in 0..13 {
                let d: Vec<Drivers> = (0..n)
                    .map(|i| Drivers {
                        mortality_multiplier: if i == 1 { 30.0 } else { 2.0 * next() },
                        fertility_multiplier: 2.0 * next(),
                        entrants: 10.0 * next(),
                        decline: 0.1 * next() - 0.02,
                        selectivity: next(),
                    })
                    .collect();
                lanes.step(&p, &d);
                for (i, m) in single.iter_mut().enumerate() {
                    m.step(&p, &d[i]);
                    for b in 0..N_BANDS {
                        assert_eq!(m.members[b].to_bits(), lanes.members[b][i].to_bits());
                        assert_eq!(m.population[b].to_bits(), lanes.population[b][i].to_bits());
                    }
                }
            }
        }
    }
}
