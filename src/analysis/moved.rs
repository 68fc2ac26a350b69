//! A dated parameter scaled or shifted by one lever, evaluated without
//! building the moved [`Param`].
//!
//! A Monte Carlo draw moves each uncertain parameter by `.scale` or
//! `.shift` on every path. Building `p.scaled(x)` or `p.shifted(x)` clones
//! the definition (a growth form's boxed rate, a table's `BTreeMap`) and
//! evaluating it looks every year up in the map; [`fill`] computes the same
//! values straight from the scenario's definition:
//!
//! - **scale** by `f`: every leaf value `v` becomes `v * f` (a `{ base,
//!   growth }` form scales its base only, the growth path is kept);
//! - **shift** by `d`: every leaf value `v` becomes `v + d` (a `{ base,
//!   growth }` form shifts its growth rate, recursively).
//!
//! The rules of [`Param::at`] and [`Param::fill`] are then followed step for
//! step (the same products, sums and `powi` in the same order), so the values
//! equal those of the moved `Param` bit for bit; a table is walked once with
//! a cursor instead of a map lookup per year (the same neighbouring entries
//! as `BTreeMap::range`).

use crate::scenario::{Interp, Param};
use std::collections::BTreeMap;

/// How one lever moves a parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Move {
    /// Every value times the factor ([`Param::scaled`]).
    Scale(f64),
    /// The delta added to every value ([`Param::shifted`]).
    Shift(f64),
}

impl Move {
    /// A leaf value (a constant, a table entry) of the moved parameter.
    #[inline]
    fn leaf(self, v: f64) -> f64 {
        match self {
            Move::Scale(f) => v * f,
            Move::Shift(d) => v + d,
        }
    }
}

/// The growth rate of a moved `{ base, growth }` form in `year`: scaling
/// keeps the rate, shifting shifts it.
#[inline]
fn rate(growth: &Param, m: Move, year: i32, base_year: i32) -> f64 {
    match m {
        Move::Scale(_) => growth.at(year, base_year),
        Move::Shift(_) => at(growth, m, year, base_year),
    }
}

/// `moved(p).at(year, base_year)` with `moved` = `p.scaled(f)` or
/// `p.shifted(d)`, bit for bit.
pub(crate) fn at(p: &Param, m: Move, year: i32, base_year: i32) -> f64 {
    match p {
        Param::Const(c) => m.leaf(*c),
        Param::Growth { base, growth, from } => {
            let from = from.unwrap_or(base_year);
            let mut v = match m {
                Move::Scale(f) => base * f,
                Move::Shift(_) => *base,
            };
            if year > from {
                for s in from + 1..=year {
                    v *= 1.0 + rate(growth, m, s, base_year);
                }
            } else {
                for s in year + 1..=from {
                    v /= 1.0 + rate(growth, m, s, base_year);
                }
            }
            v
        }
        Param::Table {
            values,
            interpolate,
            growth_after,
        } => {
            let mut cursor = Cursor::new(values);
            cursor.at(*interpolate, *growth_after, m, year)
        }
    }
}

/// `moved(p).fill(base_year, first_year, out)` (see [`at`]), bit for bit:
/// a growth form compounds year on year as [`Param::fill`] does, a table is
/// walked once.
pub(crate) fn fill(p: &Param, m: Move, base_year: i32, first_year: i32, out: &mut [f64]) {
    match p {
        Param::Growth { growth, from, .. } => {
            let from = from.unwrap_or(base_year);
            // a constant rate (the usual case) computed once: `g + d` shifted
            let fixed = match (&**growth, m) {
                (Param::Const(g), Move::Scale(_)) => Some(*g),
                (Param::Const(g), Move::Shift(d)) => Some(g + d),
                _ => None,
            };
            for i in 0..out.len() {
                let year = first_year + i as i32;
                out[i] = if i > 0 && year > from {
                    let g = fixed.unwrap_or_else(|| rate(growth, m, year, base_year));
                    out[i - 1] * (1.0 + g)
                } else {
                    at(p, m, year, base_year)
                };
            }
        }
        Param::Table {
            values,
            interpolate,
            growth_after,
        } => {
            let mut cursor = Cursor::new(values);
            for (i, slot) in out.iter_mut().enumerate() {
                let year = first_year + i as i32;
                *slot = cursor.at(*interpolate, *growth_after, m, year);
            }
        }
        Param::Const(_) => {
            for (i, slot) in out.iter_mut().enumerate() {
                *slot = at(p, m, first_year + i as i32, base_year);
            }
        }
    }
}

/// A walk over a table's entries for non-decreasing years: `prev` is the
/// last entry at or before the year, `next` the first one after it.
struct Cursor<'a> {
    entries: std::collections::btree_map::Iter<'a, i32, f64>,
    prev: Option<(i32, f64)>,
    next: Option<(i32, f64)>,
    /// First and last entries (`None` only for an empty table, which a
    /// compiled scenario never has).
    ends: Option<((i32, f64), (i32, f64))>,
}

impl<'a> Cursor<'a> {
    fn new(values: &'a BTreeMap<i32, f64>) -> Self {
        let mut entries = values.iter();
        let next = entries.next().map(|(&y, &v)| (y, v));
        let ends = next.zip(values.last_key_value().map(|(&y, &v)| (y, v)));
        Cursor {
            entries,
            prev: None,
            next,
            ends,
        }
    }

    /// [`Param::at`] of the moved table in `year` (years must not decrease
    /// from one call to the next).
    fn at(&mut self, interpolate: Interp, growth_after: Option<f64>, m: Move, year: i32) -> f64 {
        self.lookup(interpolate, growth_after, year).value(m)
    }

    /// What the table reads in `year` (years must not decrease from one call
    /// to the next), before any move.
    fn lookup(&mut self, interpolate: Interp, growth_after: Option<f64>, year: i32) -> TableYear {
        let Some(((first_year, first), (last_year, last))) = self.ends else {
            // unreachable for a compiled scenario (tables are non-empty)
            return TableYear::Entry(f64::NAN);
        };
        if year <= first_year {
            return TableYear::Entry(first);
        }
        if year >= last_year {
            let factor = growth_after.map(|g| (1.0 + g).powi(year - last_year));
            return TableYear::After { last, factor };
        }
        while let Some((y, v)) = self.next
            && y <= year
        {
            self.prev = Some((y, v));
            self.next = self.entries.next().map(|(&y, &v)| (y, v));
        }
        // first_year < year < last_year: an entry on each side
        let (Some((y0, v0)), Some((y1, v1))) = (self.prev, self.next) else {
            return TableYear::Entry(f64::NAN);
        };
        match interpolate {
            Interp::Step => TableYear::Entry(v0),
            // `BTreeMap::range(year..)` finds the entry of `year` itself
            // when there is one: then `y1 == y0` and the value is `v0`
            Interp::Linear if y0 == year => TableYear::Entry(v0),
            Interp::Linear => TableYear::Lerp {
                v0,
                v1,
                num: f64::from(year - y0),
                den: f64::from(y1 - y0),
            },
        }
    }
}

/// A table's years looked up once for a fill of `len` years from
/// `first_year`: for each year, what [`Cursor::lookup`] finds, so that moving
/// the table on every Monte Carlo path costs a multiplication or two a year
/// and no walk of its `BTreeMap`. The moved values are
/// [`TableYear::value`], the same code as `Cursor::at`'s, bit for bit.
#[derive(Clone, Debug)]
pub(crate) struct TablePlan {
    first_year: i32,
    years: Vec<TableYear>,
}

/// What one year of a table reads ([`Cursor::lookup`]), before any move; a
/// [`TablePlan`] keeps one a year.
#[derive(Clone, Copy, Debug)]
enum TableYear {
    /// `leaf(v)`: the first entry (at or before it), an entry's own year, or
    /// the held entry of a step table.
    Entry(f64),
    /// After the last entry: `leaf(last) * factor` with `factor = (1 +
    /// growth_after)^(year - last_year)`, or `leaf(last)` without growth.
    After { last: f64, factor: Option<f64> },
    /// Linear between two entries: `a + (b - a) * num / den` with `a =
    /// leaf(v0)`, `b = leaf(v1)`, `num = year - y0`, `den = y1 - y0`.
    Lerp {
        v0: f64,
        v1: f64,
        num: f64,
        den: f64,
    },
}

impl TableYear {
    /// This year's value of the table moved by `m` ([`Param::at`] of the
    /// moved table): `leaf(v)`, `leaf(last) x factor`, or `a + (b - a) x num
    /// / den` with `a = leaf(v0)`, `b = leaf(v1)`.
    #[inline]
    fn value(self, m: Move) -> f64 {
        match self {
            TableYear::Entry(v) => m.leaf(v),
            TableYear::After { last, factor } => match factor {
                Some(f) => m.leaf(last) * f,
                None => m.leaf(last),
            },
            TableYear::Lerp { v0, v1, num, den } => {
                let (a, b) = (m.leaf(v0), m.leaf(v1));
                a + (b - a) * num / den
            }
        }
    }
}

impl TablePlan {
    /// The plan of `p` for `len` years from `first_year` (`None` unless `p`
    /// is a non-empty table).
    pub(crate) fn of(p: &Param, first_year: i32, len: usize) -> Option<TablePlan> {
        let Param::Table {
            values,
            interpolate,
            growth_after,
        } = p
        else {
            return None;
        };
        if values.is_empty() {
            return None;
        }
        let mut cursor = Cursor::new(values);
        let years = (first_year..)
            .take(len)
            .map(|year| cursor.lookup(*interpolate, *growth_after, year))
            .collect();
        Some(TablePlan { first_year, years })
    }

    /// Whether the plan is the one for a fill of `len` years from `first_year`.
    pub(crate) fn fits(&self, first_year: i32, len: usize) -> bool {
        self.first_year == first_year && self.years.len() == len
    }

    /// [`fill`] of the table moved by `m` (the plan must [fit](Self::fits) `out`).
    pub(crate) fn fill(&self, m: Move, out: &mut [f64]) {
        for (slot, y) in out.iter_mut().zip(&self.years) {
            *slot = y.value(m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The old computation: build the moved `Param`, then evaluate it.
    fn reference(p: &Param, m: Move, base_year: i32, first_year: i32, n: usize) -> Vec<f64> {
        let moved = match m {
            Move::Scale(f) => p.scaled(f),
            Move::Shift(d) => p.shifted(d),
        };
        let mut out = vec![0.0; n];
        moved.fill(base_year, first_year, &mut out);
        out
    }

    fn table(entries: Vec<(i32, f64)>, linear: bool, growth_after: Option<f64>) -> Param {
        Param::Table {
            values: entries.into_iter().collect(),
            interpolate: if linear { Interp::Linear } else { Interp::Step },
            growth_after,
        }
    }

    fn param() -> impl Strategy<Value = Param> {
        let value = -1e3f64..1e3;
        let rate = -0.2f64..0.3;
        let entries = prop::collection::vec((2015i32..2045, -1e3f64..1e3), 1..6);
        let leaf = prop_oneof![
            value.clone().prop_map(Param::Const),
            (
                entries.clone(),
                any::<bool>(),
                prop::option::of(rate.clone())
            )
                .prop_map(|(e, l, g)| table(e, l, g)),
        ];
        let rate_param = prop_oneof![
            rate.clone().prop_map(Param::Const),
            (
                prop::collection::vec((2015i32..2045, -0.2f64..0.3), 1..5),
                any::<bool>(),
                prop::option::of(rate.clone())
            )
                .prop_map(|(e, l, g)| table(e, l, g)),
            (rate.clone(), rate.clone(), prop::option::of(2018i32..2030)).prop_map(
                |(b, g, from)| Param::Growth {
                    base: b,
                    growth: Box::new(Param::Const(g)),
                    from,
                }
            ),
        ];
        prop_oneof![
            leaf,
            (value, rate_param, prop::option::of(2015i32..2035)).prop_map(|(base, g, from)| {
                Param::Growth {
                    base,
                    growth: Box::new(g),
                    from,
                }
            }),
        ]
    }

    fn moves() -> impl Strategy<Value = Move> {
        prop_oneof![
            (-3.0f64..3.0).prop_map(Move::Scale),
            (-0.1f64..0.1).prop_map(Move::Shift),
            Just(Move::Scale(1.0)),
            Just(Move::Shift(0.0)),
        ]
    }

    fn same_bits(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn fill_equals_the_moved_param_bit_for_bit(
            p in param(),
            m in moves(),
            base_year in 2018i32..2028,
            offset in -4i32..4,
            n in 0usize..25,
        ) {
            let first_year = base_year + offset;
            let want = reference(&p, m, base_year, first_year, n);
            let mut got = vec![f64::NAN; n];
            fill(&p, m, base_year, first_year, &mut got);
            prop_assert!(same_bits(&got, &want), "{p:?} {m:?}: {got:?} != {want:?}");
            if let Some(plan) = TablePlan::of(&p, first_year, n) {
                prop_assert!(plan.fits(first_year, n));
                let mut planned = vec![f64::NAN; n];
                plan.fill(m, &mut planned);
                prop_assert!(same_bits(&planned, &want), "plan {p:?} {m:?}: {planned:?} != {want:?}");
            }
            for (i, w) in want.iter().enumerate() {
                let a = at(&p, m, first_year + i as i32, base_year);
                prop_assert_eq!(a.to_bits(), w.to_bits());
            }
        }
    }

    #[test]
    fn bundled_forms_bit_for_bit() {
        // the default scenario's premium table and mortality path, moved as
        // its Monte Carlo draws move them
        let premium = table(
            vec![
                (2023, 380.0),
                (2024, 400.0),
                (2025, 400.0),
                (2026, 410.0),
                (2030, 450.0),
            ],
            true,
            Some(0.02),
        );
        let mortality = Param::Growth {
            base: 1.0,
            growth: Box::new(Param::Const(-0.01)),
            from: None,
        };
        for x in [0.95, 0.987_654_321, 1.0, 1.05] {
            let want = reference(&premium, Move::Scale(x), 2023, 2023, 13);
            let mut got = vec![0.0; 13];
            fill(&premium, Move::Scale(x), 2023, 2023, &mut got);
            assert!(same_bits(&got, &want), "{got:?} != {want:?}");
            let plan = TablePlan::of(&premium, 2023, 13).unwrap();
            plan.fill(Move::Scale(x), &mut got);
            assert!(same_bits(&got, &want), "plan: {got:?} != {want:?}");
        }
        for d in [-0.01, -0.003_21, 0.0, 0.01] {
            let want = reference(&mortality, Move::Shift(d), 2023, 2023, 13);
            let mut got = vec![0.0; 13];
            fill(&mortality, Move::Shift(d), 2023, 2023, &mut got);
            assert!(same_bits(&got, &want), "{got:?} != {want:?}");
            // and the shift does move the path
            if d != 0.0 {
                let base = reference(&mortality, Move::Shift(0.0), 2023, 2023, 13);
                assert_ne!(got[12], base[12]);
            }
        }
    }
}
