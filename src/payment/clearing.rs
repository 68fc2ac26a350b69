//! Year-end clearing (年终清算) against a budget, with risk corridors.
//!
//! Hospitals (or a county medical alliance, 医共体) are paid on account through
//! the year and cleared against a budget `B` at year end. With actual spending
//! `A`:
//!
//! - **surplus** (结余, `S = B - A > 0`): the hospital keeps a share of it
//!   (结余留用), by bands of `S / B`; final payment `A + keep(S)`;
//! - **overspend** (超支, `O = A - B > 0`): the fund covers a share of it
//!   (超支分担), by bands of `O / B`; final payment `B + cover(O)`, the hospital
//!   bears (returns) the rest.
//!
//! A band schedule is a list of `(up_to, share)` with `up_to` a fraction of the
//! budget, increasing, the last open-ended: the part of the difference that lies
//! between the previous band's edge and this one's is shared at this band's
//! share, `keep(D) = sum_i share_i x (min(D, up_to_i B) - up_to_(i-1) B)^+`.
//!
//! The next year's budget base (预算基数) comes from the clearing: actual
//! spending, the budget, or the cleared budget (the budget plus the fund's share
//! of an overspend, minus a share of a surplus), and the next budget is the base
//! times `1 + growth`.
//!
//! Source: Sanmen county 2019 clearing (三门县医疗保障服务中心 2020年度工作总结,
//! shared/seeds/sanmen-2020-work-summary.txt, section (六)): employee fund budget
//! 316,449,463.25 yuan, actual 318,208,435.08, overspend 1,758,971.83; the fund
//! covers 15 % (263,845.77), the alliance returns 85 % (1,495,126.06); 2020 base
//! 316,713,309.02 (budget + the fund's share), budget +7 % = 338,883,240.66.
//! Resident fund budget 354,348,327.95, actual 351,956,995.10, surplus
//! 2,391,332.85; the alliance keeps 85 % (2,032,632.92); 2020 base
//! 353,630,928.09 (budget - 30 % of the surplus), budget 378,385,093.06.
//!
//! Every function here is pure and allocation-free (the year loop calls them).

pub use crate::scenario::clearing::{Band, BaseRule};

/// Most bands a corridor schedule may have (kept on the stack so the year loop
/// does not allocate).
pub const MAX_BANDS: usize = 6;

/// A checked band schedule (edges increasing, shares in 0..=1, the last band
/// open-ended), stored inline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bands {
    n: usize,
    edges: [f64; MAX_BANDS],
    shares: [f64; MAX_BANDS],
}

impl Bands {
    /// One share for the whole difference.
    pub fn flat(share: f64) -> Bands {
        let mut b = Bands {
            n: 1,
            edges: [f64::INFINITY; MAX_BANDS],
            shares: [0.0; MAX_BANDS],
        };
        b.shares[0] = share;
        b
    }

    /// Checks a schedule; the error names the band (0-based index) and what is wrong.
    pub fn new(bands: &[Band]) -> Result<Bands, (usize, String)> {
        if bands.is_empty() {
            return Err((0, "a band schedule needs at least one band".into()));
        }
        if bands.len() > MAX_BANDS {
            return Err((
                MAX_BANDS,
                format!("at most {MAX_BANDS} bands; merge some bands"),
            ));
        }
        let mut out = Bands {
            n: bands.len(),
            edges: [f64::INFINITY; MAX_BANDS],
            shares: [0.0; MAX_BANDS],
        };
        let mut prev = 0.0;
        for (i, b) in bands.iter().enumerate() {
            if !(b.share.is_finite() && (0.0..=1.0).contains(&b.share)) {
                return Err((i, format!("share {} must lie between 0 and 1", b.share)));
            }
            let last = i + 1 == bands.len();
            match (b.up_to, last) {
                (Some(u), false) => {
                    if !(u.is_finite() && u > prev) {
                        return Err((
                            i,
                            format!(
                                "up_to {u} must be above the previous band's edge {prev}: bands go up strictly and do not overlap"
                            ),
                        ));
                    }
                    prev = u;
                    out.edges[i] = u;
                }
                (None, false) => {
                    return Err((
                        i,
                        "only the last band may leave out `up_to` (it is open-ended)".into(),
                    ));
                }
                (Some(u), true) => {
                    return Err((
                        i,
                        format!(
                            "the last band is open-ended: remove `up_to = {u}` (or add a band above it)"
                        ),
                    ));
                }
                (None, true) => {}
            }
            out.shares[i] = b.share;
        }
        Ok(out)
    }

    /// The shared amount of a difference `d >= 0` against a budget `budget`:
    /// `sum_i share_i x (min(d, e_i B) - e_(i-1) B)^+` with `e_(-1) = 0`.
    #[inline]
    pub fn apply(&self, d: f64, budget: f64) -> f64 {
        let mut lo = 0.0;
        let mut out = 0.0;
        for i in 0..self.n {
            let hi = if self.edges[i].is_finite() {
                self.edges[i] * budget
            } else {
                f64::INFINITY
            };
            if d > lo {
                out += self.shares[i] * (d.min(hi) - lo);
            }
            lo = hi;
        }
        out
    }
}

/// The corridor rules of a clearing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Corridor {
    /// Hospital's share of a surplus, by band of `S / B` (结余留用).
    pub surplus_retention: Bands,
    /// Fund's share of an overspend, by band of `O / B` (超支分担).
    pub overspend_fund_share: Bands,
    /// How the next base is set.
    pub base_rule: BaseRule,
    /// Under [`BaseRule::Cleared`], the share of a surplus taken off the budget
    /// for the next base (Sanmen resident fund: 0.30).
    pub surplus_cut: f64,
}

/// The result of clearing one budget (all in the budget's unit).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cleared {
    /// Budget `B`.
    pub budget: f64,
    /// Actual spending `A`.
    pub actual: f64,
    /// `B - A`: positive = surplus (结余), negative = overspend (超支).
    pub difference: f64,
    /// `|B - A| / B`.
    pub difference_rate: f64,
    /// Surplus kept by the hospital (结余留用), >= 0.
    pub retained: f64,
    /// Overspend covered by the fund (超支补助), >= 0.
    pub fund_covers: f64,
    /// Overspend returned by (borne by) the hospital, >= 0.
    pub hospital_returns: f64,
    /// Final payment for the year: `A + retained` or `B + fund_covers`.
    pub final_payment: f64,
    /// `final_payment - A`: what clearing adds to (or takes from) spending paid
    /// as it was incurred.
    pub adjustment: f64,
    /// Next year's budget base.
    pub next_base: f64,
}

/// Clears actual spending `actual` against `budget` under `c`.
///
/// - `S = B - A >= 0`: `retained = keep(S)`, `final = A + retained`;
/// - `O = A - B > 0`: `fund_covers = cover(O)`, `hospital_returns = O - fund_covers`,
///   `final = B + fund_covers`;
/// - next base: `A`, `B`, or `B + fund_covers` / `B - surplus_cut x S`.
#[inline]
pub fn clear(budget: f64, actual: f64, c: &Corridor) -> Cleared {
    let d = budget - actual;
    let mut r = Cleared {
        budget,
        actual,
        difference: d,
        difference_rate: if budget != 0.0 {
            d.abs() / budget
        } else {
            f64::NAN
        },
        ..Cleared::default()
    };
    if d >= 0.0 {
        r.retained = c.surplus_retention.apply(d, budget);
        r.final_payment = actual + r.retained;
    } else {
        let o = -d;
        r.fund_covers = c.overspend_fund_share.apply(o, budget);
        r.hospital_returns = o - r.fund_covers;
        r.final_payment = budget + r.fund_covers;
    }
    r.adjustment = r.final_payment - actual;
    r.next_base = match c.base_rule {
        BaseRule::Actual => actual,
        BaseRule::Budget => budget,
        BaseRule::Cleared => {
            if d >= 0.0 {
                budget - c.surplus_cut * d
            } else {
                budget + r.fund_covers
            }
        }
    };
    r
}

/// Next year's budget from a base: `base x (1 + growth)`, growth capped at
/// `cap` (NaN = no cap).
#[inline]
pub fn grown_budget(base: f64, growth: f64, cap: f64) -> f64 {
    let g = if cap.is_finite() {
        growth.min(cap)
    } else {
        growth
    };
    base * (1.0 + g)
}

/// Revenue-linked budget (以收定支): `expected pooled revenue x (1 - reserve share)
/// x covered share`, the covered share being the part of spending the budget
/// covers (1 for all pooled spending).
#[inline]
pub fn revenue_budget(revenue: f64, reserve_share: f64, covered_share: f64) -> f64 {
    revenue * (1.0 - reserve_share) * covered_share
}

/// Rounds yuan to the fen (分), half away from zero, as published accounts do.
pub fn to_fen(yuan: f64) -> f64 {
    (yuan * 100.0).round() / 100.0
}

/// One hospital's (or alliance's) clearing, fund side: `on_account` is its
/// DRG/DIP fund payment (its budget), `cost` what the fund would have paid
/// fee-for-service. Returns the adjustment `final - on_account`.
pub fn clear_hospital(on_account: f64, cost: f64, c: &Corridor) -> f64 {
    if on_account <= 0.0 {
        return 0.0;
    }
    clear(on_account, cost, c).final_payment - on_account
}
