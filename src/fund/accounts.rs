//! Employee personal accounts (个人账户): what is credited to them and so kept
//! out of the pooled fund.
//!
//! Two forms, one per scenario fund:
//!
//! - **Share of contributions** (before the 2021 reform, and where a region
//!   still credits that way): `credit = C x s`, with `C = active x wage x rate`
//!   the contributions and `s` = `contributions.personal_account_share`.
//! - **The 2021 reform** (国务院办公厅《关于建立健全职工基本医疗保险门诊共济保障机制的指导意见》,
//!   国办发〔2021〕14号): an active worker's own contribution goes to his
//!   account and the employer's whole contribution to the pool; a retiree's
//!   account gets a fixed amount from the pool, set by the province (about 2.5 %
//!   of the average pension), so it scales with the number of retirees, not
//!   with wages:
//!
//! ```text
//! credit = active x wage x r  +  retirees x A
//! ```
//!
//! with `r` = `contributions.personal_account_rate` (the worker's own 2 %) and
//! `A` = `contributions.retiree_account_yuan` (yuan per retiree a year).
//!
//! In both forms the credit is split off the contributions: the pool keeps
//! `C - credit`, and the fund's total revenue is unchanged. Personal-account
//! spending is the credit times `contributions.personal_account_use`.

/// Inputs of one year's personal-account credit (yuan and persons; the
/// result is in 万元).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AccountInputs {
    /// Active (contributing) workers.
    pub active: f64,
    /// Retirees (contribute nothing after the qualifying years).
    pub retirees: f64,
    /// Contribution base per active worker, yuan a year.
    pub wage: f64,
    /// Total contribution rate (employer + employee).
    pub rate: f64,
    /// Share of contributions credited (old form; 0 under the 2021 form).
    pub share: f64,
    /// Share of the wage credited to a worker's account (2021 form; 0 under the old form).
    pub worker_rate: f64,
    /// Yuan a year credited to each retiree's account from the pool (2021 form).
    pub retiree_yuan: f64,
}

/// One year's contributions split between the pool and personal accounts, 万元.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AccountSplit {
    /// All contributions `C = active x wage x rate`.
    pub contributions_wan: f64,
    /// Credited to personal accounts.
    pub credited_wan: f64,
    /// Kept in the pool, `C - credited`.
    pub pooled_wan: f64,
}

/// Splits contributions between the pool and personal accounts (module docs):
/// `credited = C s + active wage r + retirees A`, `pooled = C - credited`,
/// everything / 1e4 for 万元. Pure; allocation-free.
pub fn split(i: &AccountInputs) -> AccountSplit {
    let contributions_wan = i.active * i.wage * i.rate / 1e4;
    let credited_wan = contributions_wan * i.share
        + i.active * i.wage * i.worker_rate / 1e4
        + i.retirees * i.retiree_yuan / 1e4;
    AccountSplit {
        contributions_wan,
        credited_wan,
        pooled_wan: contributions_wan - credited_wan,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reform_credit_by_hand() {
        // 1,000 workers at 60,000 yuan, 10 %: C = 6,000,000 yuan = 600万.
        // Workers' 2 %: 1,000 x 60,000 x 0.02 = 1,200,000 yuan = 120万.
        // 400 retirees x 700 yuan = 280,000 yuan = 28万. Pool: 600 - 148 = 452万.
        let s = split(&AccountInputs {
            active: 1000.0,
            retirees: 400.0,
            wage: 60_000.0,
            rate: 0.10,
            share: 0.0,
            worker_rate: 0.02,
            retiree_yuan: 700.0,
        });
        assert!((s.contributions_wan - 600.0).abs() < 1e-9);
        assert!((s.credited_wan - 148.0).abs() < 1e-9);
        assert!((s.pooled_wan - 452.0).abs() < 1e-9);
    }

    #[test]
    fn retiree_credit_follows_retirees_not_wages() {
        let base = AccountInputs {
            active: 1000.0,
            retirees: 400.0,
            wage: 60_000.0,
            rate: 0.10,
            share: 0.0,
            worker_rate: 0.0,
            retiree_yuan: 700.0,
        };
        let a = split(&base);
        let richer = split(&AccountInputs {
            wage: 90_000.0,
            ..base
        });
        let older = split(&AccountInputs {
            retirees: 800.0,
            ..base
        });
        assert_eq!(a.credited_wan, richer.credited_wan);
        assert!((older.credited_wan - 2.0 * a.credited_wan).abs() < 1e-9);
    }

    #[test]
    fn old_form_is_a_share_of_contributions() {
        let s = split(&AccountInputs {
            active: 1000.0,
            retirees: 400.0,
            wage: 60_000.0,
            rate: 0.10,
            share: 0.3,
            worker_rate: 0.0,
            retiree_yuan: 0.0,
        });
        assert!((s.credited_wan - 180.0).abs() < 1e-9);
        assert!((s.pooled_wan - 420.0).abs() < 1e-9);
    }
}
