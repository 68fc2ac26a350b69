//! The runway figures a committee asks for first.

use super::row::YearRow;
use super::status::Thresholds;
use serde::Serialize;

/// Headline runway figures of one fund's projection.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunwaySummary {
    /// Base year.
    pub base_year: i32,
    /// Balance at the end of the base year, 万元.
    pub base_balance_wan: f64,
    /// Months payable at the end of the base year.
    pub base_months: f64,
    /// Horizon year.
    pub horizon: i32,
    /// Balance at the horizon, 万元.
    pub horizon_balance_wan: f64,
    /// Months payable at the horizon.
    pub horizon_months: f64,
    /// First year below the warning threshold.
    pub first_warning: Option<i32>,
    /// First year below the danger threshold.
    pub first_danger: Option<i32>,
    /// First year the balance is negative.
    pub depletion: Option<i32>,
    /// Sum of yearly pooled surpluses over the projection, 万元.
    pub cumulative_surplus_wan: f64,
}

impl RunwaySummary {
    /// Summarises a fund's rows (which must not be empty).
    pub fn of(rows: &[YearRow], th: &Thresholds) -> Option<RunwaySummary> {
        let first = rows.first()?;
        let last = rows.last()?;
        Some(RunwaySummary {
            base_year: first.year,
            base_balance_wan: first.balance_wan,
            base_months: first.months_payable,
            horizon: last.year,
            horizon_balance_wan: last.balance_wan,
            horizon_months: last.months_payable,
            first_warning: rows
                .iter()
                .find(|r| r.balance_wan < 0.0 || r.months_payable < th.warning)
                .map(|r| r.year),
            first_danger: rows
                .iter()
                .find(|r| r.balance_wan < 0.0 || r.months_payable < th.danger)
                .map(|r| r.year),
            depletion: rows.iter().find(|r| r.balance_wan < 0.0).map(|r| r.year),
            cumulative_surplus_wan: rows.iter().map(|r| r.surplus_wan).sum(),
        })
    }
}

/// A year, or "not within horizon".
pub fn year_or_never(y: Option<i32>) -> String {
    y.map(|y| y.to_string())
        .unwrap_or_else(|| "not within horizon".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fund::Status;
    #[test]
    fn status_thresholds() {
        let th = Thresholds {
            warning: 6.0,
            danger: 3.0,
        };
        assert_eq!(th.status(10.0, 7.0), Status::Ok);
        assert_eq!(th.status(10.0, 6.0), Status::Ok);
        assert_eq!(th.status(10.0, 5.9), Status::Warning);
        assert_eq!(th.status(10.0, 2.9), Status::Danger);
        assert_eq!(th.status(-1.0, -0.1), Status::Depleted);
    }
}
