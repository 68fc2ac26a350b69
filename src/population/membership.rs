//! Who is in the fund each year: the population behind each band, the share of
//! it enrolled, and the members (population x enrollment rate).

use super::bands::{BAND_WIDTH, ByBand, N_BANDS};
use super::cohort::BandVector;
use super::lanes::{LANES, Lanes, V, by_band, each_band};
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
        // Drivers as lanes. Every operation below acts on all `LANES` lanes;
        // a lane past the chunk's paths steps with drivers 0 (no deaths,
        // births, entrants or leaving), harmless and never read.
        let mut dl = DriverLanes::default();
        for (i, d) in d.iter().take(self.n).enumerate() {
            dl.mort[i] = d.mortality_multiplier;
            dl.fert[i] = d.fertility_multiplier;
            dl.entrants[i] = d.entrants;
            dl.decline[i] = d.decline;
            dl.selectivity[i] = d.selectivity;
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: `step_avx` needs AVX, which the CPU has (checked above).
            return unsafe { self.step_avx(profile, &dl) };
        }
        self.step_lanes(profile, &dl)
    }

    /// [`step_lanes`](Self::step_lanes) compiled for AVX: the four lanes in
    /// one 256-bit register. Without FMA (not enabled) every operation rounds
    /// as in the SSE2 form, so every CPU gets the same numbers.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    fn step_avx(&mut self, profile: &AgeProfile, d: &DriverLanes) {
        self.step_lanes(profile, d)
    }

    /// The step across lanes, written in whole-lane operations ([`V`]: one
    /// AVX or two SSE2 instructions each), with no branch on a lane's value.
    #[inline(always)]
    fn step_lanes(&mut self, profile: &AgeProfile, d: &DriverLanes) {
        let pass = V::splat(1.0 / BAND_WIDTH as f64);
        let stay = V::splat(1.0 - 1.0 / BAND_WIDTH as f64);
        let (one, zero) = (V::splat(1.0), V::splat(0.0));
        let mort = V(d.mort);
        let fert = V(d.fert);
        // Survival of every band in each lane, `clamp(1 - (1 - s0_b) m, 0, 1)`.
        let s = by_band(
            #[inline(always)]
            |b| (one - V::splat(1.0 - profile.survival[b]) * mort).clamp(zero, one),
        );
        let old = by_band(
            #[inline(always)]
            |b| V(self.population[b]),
        );
        // Births from last year's population: `(s_0 4/5 + f_0) x_0 + sum_b>0 f_b x_b`
        // (the first row of the band matrix, in `cohort::band_step`'s order).
        let mut births = (s[0] * stay + V::splat(profile.fertility[0]) * fert) * old[0];
        for b in 1..N_BANDS {
            births = births + V::splat(profile.fertility[b]) * fert * old[b];
        }
        // Survivors passing up from band `b - 1` and staying in band `b`
        // (the open band keeps all its survivors), then entrants.
        let last = N_BANDS - 1;
        let entrants = V(d.entrants);
        let mut total = V::splat(0.0);
        let mut weighted = V::splat(0.0);
        each_band(
            #[inline(always)]
            |b| {
                let aged = if b == 0 {
                    births
                } else if b == last {
                    s[b - 1] * pass * old[b - 1] + s[b] * old[b]
                } else {
                    s[b - 1] * pass * old[b - 1] + s[b] * stay * old[b]
                };
                let x = aged + entrants * V::splat(profile.entrant_share[b]);
                self.population[b] = x.0;
                let m = x * V(self.enrollment_rate[b]);
                total = total + m;
                weighted = weighted + m * V::splat(profile.leave_propensity[b]);
            },
        );
        // `w_bar` where members are left (else 1); where `w_bar > 0` leaving
        // follows the propensity, else it is uniform (`rel = 1`).
        // (`den` is `w_bar` where it is used, 1 elsewhere: every lane divides
        // by something, and the selection keeps `rel = w_b / w_bar` only where
        // `w_bar > 0`.)
        let w_bar = V::select(total.gt(zero), weighted / total, one);
        let spread = w_bar.gt(zero);
        let den = V::select(spread, w_bar, one);
        let sel = V(d.selectivity);
        let keep = one - sel;
        let decline = V(d.decline);
        each_band(
            #[inline(always)]
            |b| {
                let rel = V::select(spread, V::splat(profile.leave_propensity[b]) / den, one);
                let d_b = (decline * (keep + sel * rel)).clamp(-one, one);
                let e = (V(self.enrollment_rate[b]) * (one - d_b)).clamp(zero, one);
                self.enrollment_rate[b] = e.0;
                self.members[b] = (V(self.population[b]) * e).0;
            },
        );
    }
}

/// One year's [`Drivers`] of a chunk's paths, one array a driver.
#[derive(Default)]
struct DriverLanes {
    mort: Lanes,
    fert: Lanes,
    entrants: Lanes,
    decline: Lanes,
    selectivity: Lanes,
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
        // no propensity to leave anywhere: `w_bar = 0`, uniform leaving
        let mut flat = p.clone();
        flat.leave_propensity = [0.0; N_BANDS];
        // path 1 with a mortality multiplier big enough that survival clamps
        // at 0 in some bands, path 2 in every band and without births or
        // entrants (no members left: `w_bar` falls back to 1)
        for (p, n) in [(&p, 1), (&p, LANES - 1), (&p, LANES), (&flat, LANES)] {
            let start = Membership::start(1000.0, p);
            let mut lanes = MembershipLanes::start(&start, n);
            // the baseline (SSE2) form, whatever this CPU has
            let mut baseline = MembershipLanes::start(&start, n);
            let mut single = vec![start; n];
            for _year in 0..13 {
                let d: Vec<Drivers> = (0..n)
                    .map(|i| Drivers {
                        mortality_multiplier: match i {
                            1 => 30.0,
                            2 => 1e9,
                            _ => 2.0 * next(),
                        },
                        fertility_multiplier: if i == 2 { 0.0 } else { 2.0 * next() },
                        entrants: if i == 2 { 0.0 } else { 10.0 * next() },
                        decline: 0.1 * next() - 0.02,
                        selectivity: next(),
                    })
                    .collect();
                lanes.step(p, &d);
                let mut dl = DriverLanes::default();
                for (i, d) in d.iter().enumerate() {
                    dl.mort[i] = d.mortality_multiplier;
                    dl.fert[i] = d.fertility_multiplier;
                    dl.entrants[i] = d.entrants;
                    dl.decline[i] = d.decline;
                    dl.selectivity[i] = d.selectivity;
                }
                baseline.step_lanes(p, &dl);
                for (i, m) in single.iter_mut().enumerate() {
                    m.step(p, &d[i]);
                    for l in [&lanes, &baseline] {
                        for b in 0..N_BANDS {
                            assert_eq!(m.members[b].to_bits(), l.members[b][i].to_bits());
                            assert_eq!(m.population[b].to_bits(), l.population[b][i].to_bits());
                            assert_eq!(
                                m.enrollment_rate[b].to_bits(),
                                l.enrollment_rate[b][i].to_bits()
                            );
                        }
                    }
                }
            }
            if n > 2 {
                assert_eq!(single[2].total(), 0.0, "path 2 has no members left");
            }
        }
    }
}
