//! Scale consistency between a group table and the fund's demand.
//!
//! The group-level model takes only the case mix and relative costs from the
//! group table; the level (cases, cost per case) comes from the fund's demand
//! (members x the age profile's admissions and inpatient cost). Real tables
//! swapped into a scenario whose profile was built for another region or period
//! therefore run at the wrong scale without any error. [`check`] compares the two
//! and describes a mismatch with both figures.

use super::{GroupTable, InpatientDemand};
use std::fmt;

/// Case counts may differ by up to this factor either way before a warning: a
/// half-year table (the bundled Qingyang one) against annual demand is a factor 2.
pub const CASES_FACTOR: f64 = 2.5;
/// Cost per case may differ by up to this share either way before a warning.
pub const COST_TOLERANCE: f64 = 0.25;

/// Level of a group table and of a demand: cases and FFS cost per case.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Level {
    /// Cases in the period.
    pub cases: f64,
    /// Mean fee-for-service cost per case, yuan.
    pub cost_per_case: f64,
}

impl Level {
    /// A group table's level: `sum cases_g`, `sum cases_g mean_cost_g / sum cases_g`.
    pub fn of_table(t: &GroupTable) -> Level {
        let cases: f64 = t.groups.iter().map(|g| g.cases).sum();
        let cost: f64 = t.groups.iter().map(|g| g.cases * g.mean_cost).sum();
        Level {
            cases,
            cost_per_case: if cases > 0.0 { cost / cases } else { f64::NAN },
        }
    }

    /// A demand's level: `sum_b n_b`, `sum_b n_b c_b / sum_b n_b`.
    pub fn of_demand(d: &InpatientDemand) -> Level {
        let cases: f64 = d.cases_by_band.iter().sum();
        let cost: f64 = (0..d.cases_by_band.len())
            .map(|b| d.cases_by_band[b] * d.cost_per_case_by_band[b])
            .sum();
        Level {
            cases,
            cost_per_case: if cases > 0.0 { cost / cases } else { f64::NAN },
        }
    }
}

/// A group table whose level does not match the fund's base-year demand.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleMismatch {
    /// Where (e.g. `funds.region.payment.groups`).
    pub path: String,
    /// The table's level.
    pub table: Level,
    /// The demand's level in the base year.
    pub demand: Level,
}

impl fmt::Display for ScaleMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: the group table has {:.0} cases at {:.2} yuan per case, but the fund's base-year demand (members x the age profile's admissions and inpatient_cost) is {:.0} cases at {:.2} yuan (cases x{:.2}, cost per case x{:.2}); the payment model takes only the case mix and relative costs from the table and the level from the demand, so results run at the demand's scale. Take the level from the tables with `demand_level = \"tables\"` (and `tables_months`, the months of records they cover) in the payment section, calibrate the profile's `admissions` and `inpatient_cost` to the tables, or check that table and profile describe the same fund and period",
            self.path,
            self.table.cases,
            self.table.cost_per_case,
            self.demand.cases,
            self.demand.cost_per_case,
            self.demand.cases / self.table.cases,
            self.demand.cost_per_case / self.table.cost_per_case
        )
    }
}

/// Compares a table's level with the demand's: a mismatch when cases differ by
/// more than [`CASES_FACTOR`] either way or cost per case by more than
/// [`COST_TOLERANCE`].
pub fn check(path: &str, table: &GroupTable, demand: &InpatientDemand) -> Option<ScaleMismatch> {
    let (t, d) = (Level::of_table(table), Level::of_demand(demand));
    let r_cases = d.cases / t.cases;
    let r_cost = d.cost_per_case / t.cost_per_case;
    let off = !(1.0 / CASES_FACTOR..=CASES_FACTOR).contains(&r_cases)
        || (r_cost - 1.0).abs() > COST_TOLERANCE;
    (off && r_cases.is_finite() && r_cost.is_finite()).then(|| ScaleMismatch {
        path: path.to_string(),
        table: t,
        demand: d,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payment::Group;

    fn table(cases: f64, cost: f64) -> GroupTable {
        let mut a = [0.0; 18];
        a[10] = 1.0;
        GroupTable {
            groups: vec![Group {
                code: "A".into(),
                name: "A".into(),
                mdc: "MDCA".into(),
                weight: 1.0,
                mean_cost: cost,
                cost_cv: 0.5,
                cases,
                excluded: false,
                age_shares: a,
            }],
            assumed: vec![],
        }
    }

    fn demand(cases: f64, cost: f64) -> InpatientDemand {
        let mut d = InpatientDemand::default();
        d.cases_by_band[3] = cases / 2.0;
        d.cases_by_band[15] = cases / 2.0;
        d.cost_per_case_by_band[3] = cost;
        d.cost_per_case_by_band[15] = cost;
        d
    }

    #[test]
    fn the_reported_mismatch_is_caught_with_both_figures() {
        // The case: 6,975,318 cases in the tables, 232,679 from the demand.
        let m = check(
            "funds.x.payment.groups",
            &table(6_975_318.0, 9_000.0),
            &demand(232_679.0, 9_000.0),
        )
        .unwrap();
        let s = m.to_string();
        assert!(
            s.contains("6975318 cases") && s.contains("232679 cases"),
            "{s}"
        );
        assert!(check("p", &table(1000.0, 5000.0), &demand(1000.0, 7000.0)).is_some());
    }

    #[test]
    fn same_level_or_a_half_year_table_passes() {
        assert!(check("p", &table(1000.0, 5000.0), &demand(1100.0, 5200.0)).is_none());
        assert!(check("p", &table(1000.0, 5000.0), &demand(2000.0, 5000.0)).is_none());
    }
}
