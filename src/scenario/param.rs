//! Dated parameters: a value per year, kept apart from the formulas that use it.
//!
//! In a scenario file a parameter takes one of three forms:
//!
//! ```toml
//! premium = 380                                   # constant
//! cost_growth_case = { base = 3950, growth = 0.04 } # base-year value compounding yearly
//! subsidy = { values = { 2023 = 640, 2024 = 670 }, interpolate = "step", growth_after = 0.03 }
//! ```
//!
//! Rules, with `t` the year:
//! - **constant**: `v(t) = c`.
//! - **growth**: `v(t) = base * prod_{s=from+1..=t} (1 + g(s))` for `t > from`, and
//!   `v(t) = base / prod_{s=t+1..=from} (1 + g(s))` before it. `from` defaults to the
//!   scenario's base year; `g` is itself a dated parameter, so a growth path can slow
//!   down (`growth = { values = { 2024 = 0.06, 2028 = 0.03 } }`).
//! - **table**: before the first entry the first value holds; between entries the
//!   latest entry at or before `t` holds (`interpolate = "step"`, the default) or the
//!   two neighbours are joined linearly (`"linear"`); after the last entry the last
//!   value holds, or compounds at `growth_after` per year when that is given.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// How a year-to-value table fills the years between its entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Interp {
    /// The latest entry at or before the year holds (a policy value in force).
    #[default]
    Step,
    /// Straight line between the neighbouring entries.
    Linear,
}

/// A parameter whose value may change with the year.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    /// The same value every year.
    Const(f64),
    /// A base-year value compounding at a (possibly dated) yearly growth rate.
    Growth {
        /// Value in year `from`.
        base: f64,
        /// Yearly growth rate, itself dated.
        growth: Box<Param>,
        /// Year the base value refers to (scenario base year when absent).
        from: Option<i32>,
    },
    /// Explicit values for some years.
    Table {
        /// Year -> value, at least one entry.
        values: BTreeMap<i32, f64>,
        /// Rule for years between entries.
        interpolate: Interp,
        /// Yearly growth after the last entry (hold the last value when absent).
        growth_after: Option<f64>,
    },
}

impl Param {
    /// The value in `year`, for a scenario whose base year is `base_year`.
    pub fn at(&self, year: i32, base_year: i32) -> f64 {
        match self {
            Param::Const(c) => *c,
            Param::Growth { base, growth, from } => {
                let from = from.unwrap_or(base_year);
                let mut v = *base;
                if year > from {
                    for s in from + 1..=year {
                        v *= 1.0 + growth.at(s, base_year);
                    }
                } else {
                    for s in year + 1..=from {
                        v /= 1.0 + growth.at(s, base_year);
                    }
                }
                v
            }
            Param::Table {
                values,
                interpolate,
                growth_after,
            } => {
                let (&first_year, &first) = values.iter().next().expect("table is non-empty");
                let (&last_year, &last) = values.iter().next_back().expect("table is non-empty");
                if year <= first_year {
                    return first;
                }
                if year >= last_year {
                    return match growth_after {
                        Some(g) => last * (1.0 + g).powi(year - last_year),
                        None => last,
                    };
                }
                let (&y0, &v0) = values.range(..=year).next_back().expect("year after first");
                match interpolate {
                    Interp::Step => v0,
                    Interp::Linear => {
                        let (&y1, &v1) = values.range(year..).next().expect("year before last");
                        if y1 == y0 {
                            v0
                        } else {
                            v0 + (v1 - v0) * f64::from(year - y0) / f64::from(y1 - y0)
                        }
                    }
                }
            }
        }
    }

    /// Values for `first_year..first_year + out.len()`, written into `out`.
    ///
    /// A `{ base, growth }` form after its `from` year is compounded year on
    /// year, `v(y) = v(y - 1) (1 + g(y))`: the same products in the same order
    /// as [`Param::at`], so the same bits, in one pass instead of one pass per
    /// year (Monte Carlo re-evaluates the moved parameters on every path).
    pub fn fill(&self, base_year: i32, first_year: i32, out: &mut [f64]) {
        if let Param::Growth { growth, from, .. } = self {
            let from = from.unwrap_or(base_year);
            for i in 0..out.len() {
                let year = first_year + i as i32;
                out[i] = if i > 0 && year > from {
                    out[i - 1] * (1.0 + growth.at(year, base_year))
                } else {
                    self.at(year, base_year)
                };
            }
            return;
        }
        for (i, slot) in out.iter_mut().enumerate() {
            *slot = self.at(first_year + i as i32, base_year);
        }
    }

    /// Values for the years `first_year..=last_year`.
    pub fn series(&self, base_year: i32, first_year: i32, last_year: i32) -> Vec<f64> {
        let n = (last_year - first_year + 1).max(0) as usize;
        let mut out = vec![0.0; n];
        self.fill(base_year, first_year, &mut out);
        out
    }

    /// The same parameter with every value multiplied by `factor`.
    ///
    /// For a growth form only the base is scaled, so the growth path is kept.
    pub fn scaled(&self, factor: f64) -> Param {
        match self {
            Param::Const(c) => Param::Const(c * factor),
            Param::Growth { base, growth, from } => Param::Growth {
                base: base * factor,
                growth: growth.clone(),
                from: *from,
            },
            Param::Table {
                values,
                interpolate,
                growth_after,
            } => Param::Table {
                values: values.iter().map(|(y, v)| (*y, v * factor)).collect(),
                interpolate: *interpolate,
                growth_after: *growth_after,
            },
        }
    }

    /// The same parameter with `delta` added to every value.
    ///
    /// For a growth form the delta goes to the growth rate (so a shift of a cost
    /// path is a shift of its growth, the way forecasters state it).
    pub fn shifted(&self, delta: f64) -> Param {
        match self {
            Param::Const(c) => Param::Const(c + delta),
            Param::Growth { base, growth, from } => Param::Growth {
                base: *base,
                growth: Box::new(growth.shifted(delta)),
                from: *from,
            },
            Param::Table {
                values,
                interpolate,
                growth_after,
            } => Param::Table {
                values: values.iter().map(|(y, v)| (*y, v + delta)).collect(),
                interpolate: *interpolate,
                growth_after: *growth_after,
            },
        }
    }

    /// Smallest and largest value over `first_year..=last_year`.
    pub fn range(&self, base_year: i32, first_year: i32, last_year: i32) -> (f64, f64) {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for y in first_year..=last_year {
            let v = self.at(y, base_year);
            lo = lo.min(v);
            hi = hi.max(v);
        }
        (lo, hi)
    }

    /// The year-on-year growth parameter when this is a growth form.
    pub fn growth(&self) -> Option<&Param> {
        match self {
            Param::Growth { growth, .. } => Some(growth),
            _ => None,
        }
    }
}

impl From<f64> for Param {
    fn from(v: f64) -> Self {
        Param::Const(v)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamTable {
    base: Option<f64>,
    growth: Option<Param>,
    from: Option<i32>,
    values: Option<BTreeMap<String, f64>>,
    interpolate: Option<Interp>,
    growth_after: Option<f64>,
}

impl ParamTable {
    fn into_param<E: de::Error>(self) -> Result<Param, E> {
        match (self.base, self.values) {
            (Some(_), Some(_)) => Err(E::custom(
                "a dated parameter has either `base` (with `growth`) or `values`, not both",
            )),
            (None, None) => Err(E::custom(
                "a dated parameter needs `base = <number>` (with `growth`) or `values = { <year> = <number>, ... }`",
            )),
            (Some(base), None) => {
                if self.interpolate.is_some() || self.growth_after.is_some() {
                    return Err(E::custom(
                        "`interpolate` and `growth_after` belong to the `values` form, not the `base` form",
                    ));
                }
                Ok(Param::Growth {
                    base,
                    growth: Box::new(self.growth.unwrap_or(Param::Const(0.0))),
                    from: self.from,
                })
            }
            (None, Some(raw)) => {
                if self.growth.is_some() || self.from.is_some() {
                    return Err(E::custom(
                        "`growth` and `from` belong to the `base` form; with `values` use `growth_after`",
                    ));
                }
                if raw.is_empty() {
                    return Err(E::custom(
                        "`values` needs at least one `<year> = <number>` entry",
                    ));
                }
                let mut values = BTreeMap::new();
                for (k, v) in raw {
                    let year: i32 = k.trim().parse().map_err(|_| {
                        E::custom(format!(
                            "`values` key `{k}` is not a year (write e.g. `2025 = 1.0`)"
                        ))
                    })?;
                    values.insert(year, v);
                }
                Ok(Param::Table {
                    values,
                    interpolate: self.interpolate.unwrap_or_default(),
                    growth_after: self.growth_after,
                })
            }
        }
    }
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ParamVisitor;
        impl<'de> Visitor<'de> for ParamVisitor {
            type Value = Param;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a number, `{ base = .., growth = .. }` or `{ values = { <year> = .. } }`",
                )
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Param, E> {
                Ok(Param::Const(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Param, E> {
                Ok(Param::Const(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Param, E> {
                Ok(Param::Const(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Param, A::Error> {
                let table = ParamTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                table.into_param()
            }
        }
        deserializer.deserialize_any(ParamVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Param, String> {
        #[derive(Deserialize)]
        struct W {
            p: Param,
        }
        toml::from_str::<W>(&format!("p = {s}"))
            .map(|w| w.p)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn constant_forms() {
        assert_eq!(parse("380").unwrap().at(2030, 2023), 380.0);
        assert_eq!(parse("0.5").unwrap().at(1990, 2023), 0.5);
    }

    #[test]
    fn growth_compounds_forward_and_discounts_backward() {
        let p = parse("{ base = 100, growth = 0.1 }").unwrap();
        assert_eq!(p.at(2023, 2023), 100.0);
        assert!((p.at(2025, 2023) - 121.0).abs() < 1e-9);
        assert!((p.at(2022, 2023) - 100.0 / 1.1).abs() < 1e-9);
        let q = parse("{ base = 100, growth = 0.1, from = 2020 }").unwrap();
        assert!((q.at(2021, 2023) - 110.0).abs() < 1e-9);
    }

    #[test]
    fn dated_growth_path() {
        let p = parse("{ base = 100, growth = { values = { 2024 = 0.10, 2025 = 0.0 } } }").unwrap();
        assert!((p.at(2024, 2023) - 110.0).abs() < 1e-9);
        assert!((p.at(2026, 2023) - 110.0).abs() < 1e-9);
    }

    #[test]
    fn table_step_linear_and_after() {
        let p = parse("{ values = { 2023 = 1.0, 2025 = 3.0 } }").unwrap();
        assert_eq!(p.at(2020, 2023), 1.0);
        assert_eq!(p.at(2024, 2023), 1.0);
        assert_eq!(p.at(2025, 2023), 3.0);
        assert_eq!(p.at(2030, 2023), 3.0);
        let l = parse(
            "{ values = { 2023 = 1.0, 2025 = 3.0 }, interpolate = \"linear\", growth_after = 0.5 }",
        )
        .unwrap();
        assert_eq!(l.at(2024, 2023), 2.0);
        assert_eq!(l.at(2026, 2023), 4.5);
    }

    #[test]
    fn bad_forms_are_explained() {
        assert!(
            parse("{ base = 1, values = { 2023 = 1 } }")
                .unwrap_err()
                .contains("not both")
        );
        assert!(
            parse("{ grwoth = 1 }")
                .unwrap_err()
                .contains("unknown field `grwoth`")
        );
        assert!(
            parse("{ values = { abc = 1 } }")
                .unwrap_err()
                .contains("not a year")
        );
        assert!(parse("\"x\"").is_err());
    }

    #[test]
    fn scale_and_shift() {
        let p = parse("{ base = 100, growth = 0.1 }").unwrap();
        assert!((p.scaled(2.0).at(2024, 2023) - 220.0).abs() < 1e-9);
        assert!((p.shifted(0.1).at(2024, 2023) - 120.0).abs() < 1e-9);
    }
}
