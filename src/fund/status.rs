//! The regulator's status lines: months payable against the warning and
//! danger thresholds.

use serde::Serialize;
use std::fmt;

/// The regulator's reading of a fund's runway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// At or above the warning threshold.
    Ok,
    /// Below the warning threshold (default 6 months).
    Warning,
    /// Below the danger threshold (default 3 months).
    Danger,
    /// The balance is negative: the fund cannot pay hospitals (穿底).
    Depleted,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Danger => "danger",
            Status::Depleted => "depleted",
        })
    }
}

/// Months-payable thresholds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// Warning below this many months.
    pub warning: f64,
    /// Danger below this many months.
    pub danger: f64,
}

impl Thresholds {
    /// Status of a year-end balance and runway.
    pub fn status(&self, balance_wan: f64, months: f64) -> Status {
        if balance_wan < 0.0 {
            Status::Depleted
        } else if months < self.danger {
            Status::Danger
        } else if months < self.warning {
            Status::Warning
        } else {
            Status::Ok
        }
    }
}
