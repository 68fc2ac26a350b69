//! One fund's yearly books: revenue, spending, balance, runway and status.
//!
//! ```text
//! balance[t]     = balance[t-1] + pooled_revenue[t] - pooled_expenditure[t]
//! surplus[t]     = pooled_revenue[t] - pooled_expenditure[t]
//! surplus_rate   = surplus / pooled_revenue                       (当期结余率)
//! months_payable = balance / (pooled_expenditure / 12)            (累计结余可支付月数)
//! ```
//!
//! Pooled revenue includes interest on the opening balance. For an employee
//! fund, money credited to personal accounts is revenue and spending of the fund
//! but not of the pooled fund, so it never enters the balance or the runway.

pub(crate) mod accounts;
pub(crate) mod row;
pub(crate) mod runway;
pub(crate) mod status;

pub use row::YearRow;
pub use runway::RunwaySummary;
pub use status::{Status, Thresholds};

/// Months of pooled spending the balance would pay: `balance / (pooled / 12)`.
///
/// With no spending the runway is unbounded (`+inf`, or `-inf` for a negative
/// balance).
pub fn months_payable(balance_wan: f64, pooled_expenditure_wan: f64) -> f64 {
    if pooled_expenditure_wan > 0.0 {
        balance_wan / (pooled_expenditure_wan / 12.0)
    } else if balance_wan >= 0.0 {
        f64::INFINITY
    } else {
        f64::NEG_INFINITY
    }
}

// Re-exported for users of the crate (the command line, tests, benches).
pub use runway::year_or_never;
