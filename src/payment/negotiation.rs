//! The hospital negotiation view: per-hospital results against another
//! scenario, winners and losers, a summary by level. Plain data; the caller
//! writes charts and files (a CSV helper is provided).

use super::hospital_year::HospitalResult;
use super::hospitals::Level;
use std::collections::HashMap;

/// One row of the `hospitals` report.
#[derive(Clone, Debug, PartialEq)]
pub struct HospitalRow {
    /// This scenario's result.
    pub result: HospitalResult,
    /// `payment - payment_other`, yuan (with `--vs`; None when the hospital is not in the other).
    pub payment_change_yuan: Option<f64>,
    /// `(payment - payment_other) / payment_other x 100`.
    pub payment_change_pct: Option<f64>,
}

/// Rows of `results`, with the change against `other` (matched by hospital id) when given.
pub fn compare(results: &[HospitalResult], other: Option<&[HospitalResult]>) -> Vec<HospitalRow> {
    let by_id: HashMap<&str, &HospitalResult> = other
        .unwrap_or(&[])
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    results
        .iter()
        .map(|r| {
            let o = by_id.get(r.id.as_str());
            let change = o.map(|o| r.payment_yuan - o.payment_yuan);
            let pct = o.and_then(|o| {
                (o.payment_yuan.abs() > 0.0)
                    .then(|| (r.payment_yuan - o.payment_yuan) / o.payment_yuan * 100.0)
            });
            HospitalRow {
                result: r.clone(),
                payment_change_yuan: change,
                payment_change_pct: pct,
            }
        })
        .collect()
}

/// Sorts rows from the largest gain to the largest loss: by payment change in
/// yuan when compared, else by surplus; ties by hospital id.
pub fn sort_by_change(rows: &mut [HospitalRow]) {
    let key = |r: &HospitalRow| r.payment_change_yuan.unwrap_or(r.result.surplus_yuan);
    rows.sort_by(|a, b| {
        key(b)
            .total_cmp(&key(a))
            .then_with(|| a.result.id.cmp(&b.result.id))
    });
}

/// Winners (largest gain first) and losers (largest loss first), `n` each.
///
/// With a comparison, ranked by payment change in yuan; without, by surplus
/// (payment - FFS equivalent). Ties are broken by hospital id for stable output.
pub fn top_movers(rows: &[HospitalRow], n: usize) -> (Vec<HospitalRow>, Vec<HospitalRow>) {
    let key = |r: &HospitalRow| r.payment_change_yuan.unwrap_or(r.result.surplus_yuan);
    let mut sorted: Vec<&HospitalRow> = rows.iter().filter(|r| key(r).is_finite()).collect();
    sorted.sort_by(|a, b| {
        key(b)
            .total_cmp(&key(a))
            .then_with(|| a.result.id.cmp(&b.result.id))
    });
    let winners = sorted
        .iter()
        .filter(|r| key(r) > 0.0)
        .take(n)
        .map(|r| (*r).clone())
        .collect();
    let losers = sorted
        .iter()
        .rev()
        .filter(|r| key(r) < 0.0)
        .take(n)
        .map(|r| (*r).clone())
        .collect();
    (winners, losers)
}

/// Totals of one hospital level (or alliance).
#[derive(Clone, Debug, PartialEq)]
pub struct LevelSummary {
    /// Level (for an alliance: its highest-level hospital's, the lead hospital).
    pub level: Level,
    /// Hospitals.
    pub hospitals: usize,
    /// Hospitals whose DRG payment exceeds their FFS equivalent.
    pub in_surplus: usize,
    /// Hospitals in surplus after year-end clearing.
    pub in_surplus_after_clearing: usize,
    /// DRG cases.
    pub drg_cases: f64,
    /// `sum RW / DRG cases`.
    pub cmi: f64,
    /// FFS equivalent of DRG cases, yuan.
    pub ffs_equivalent_yuan: f64,
    /// DRG payment, yuan.
    pub payment_yuan: f64,
    /// `payment - ffs_equivalent`.
    pub surplus_yuan: f64,
    /// Full-cost settlement ratio: `payment / ffs_equivalent`.
    pub settlement_ratio: f64,
    /// What the fund would have paid fee-for-service, yuan.
    pub fund_ffs_yuan: f64,
    /// The fund's DRG payment on account (standard - patients' share), yuan.
    pub fund_payment_yuan: f64,
    /// Year-end clearing adjustment, yuan.
    pub clearing_yuan: f64,
    /// Fund-side settlement ratio (结付率): `fund_payment / fund_ffs`.
    pub fund_settlement_ratio: f64,
    /// Change in payment against the other scenario (yuan), when compared.
    pub payment_change_yuan: Option<f64>,
}

fn summarise(level: Level, rs: &[&HospitalRow]) -> LevelSummary {
    let sum = |f: &dyn Fn(&HospitalResult) -> f64| -> f64 {
        rs.iter()
            .map(|r| f(&r.result))
            .filter(|v| v.is_finite())
            .sum()
    };
    let drg_cases = sum(&|r| r.drg_cases);
    let rw = sum(&|r| r.cmi * r.drg_cases);
    let ffs = sum(&|r| r.ffs_equivalent_yuan);
    let pay = sum(&|r| r.payment_yuan);
    let fund_ffs = sum(&|r| r.fund_ffs_yuan);
    let fund_pay = sum(&|r| r.fund_payment_yuan);
    let change = if rs.iter().any(|r| r.payment_change_yuan.is_some()) {
        Some(rs.iter().filter_map(|r| r.payment_change_yuan).sum())
    } else {
        None
    };
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    LevelSummary {
        level,
        hospitals: rs.len(),
        in_surplus: rs.iter().filter(|r| r.result.surplus_yuan > 0.0).count(),
        in_surplus_after_clearing: rs
            .iter()
            .filter(|r| r.result.surplus_yuan + r.result.clearing_yuan > 0.0)
            .count(),
        drg_cases,
        cmi: ratio(rw, drg_cases),
        ffs_equivalent_yuan: ffs,
        payment_yuan: pay,
        surplus_yuan: pay - ffs,
        settlement_ratio: ratio(pay, ffs),
        fund_ffs_yuan: fund_ffs,
        fund_payment_yuan: fund_pay,
        clearing_yuan: sum(&|r| r.clearing_yuan),
        fund_settlement_ratio: ratio(fund_pay, fund_ffs),
        payment_change_yuan: change,
    }
}

/// Summary by level (levels with no hospital are left out).
pub fn level_summary(rows: &[HospitalRow]) -> Vec<LevelSummary> {
    Level::ALL
        .iter()
        .filter_map(|&level| {
            let rs: Vec<&HospitalRow> = rows.iter().filter(|r| r.result.level == level).collect();
            (!rs.is_empty()).then(|| summarise(level, &rs))
        })
        .collect()
}

/// Summary by medical alliance (医共体), in name order; empty when no hospital
/// has an alliance. Hospitals outside any alliance are left out.
pub fn alliance_summary(rows: &[HospitalRow]) -> Vec<(String, LevelSummary)> {
    let mut names: Vec<&str> = rows
        .iter()
        .map(|r| r.result.alliance.as_str())
        .filter(|a| !a.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let rs: Vec<&HospitalRow> = rows.iter().filter(|r| r.result.alliance == name).collect();
            let lead = Level::ALL
                .iter()
                .copied()
                .find(|l| rs.iter().any(|r| r.result.level == *l))
                .unwrap_or(Level::Secondary);
            (name.to_string(), summarise(lead, &rs))
        })
        .collect()
}

/// Everything the `hospitals` command reports, as plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct HospitalReport {
    /// All hospitals, sorted from the largest gain to the largest loss ([`sort_by_change`]).
    pub rows: Vec<HospitalRow>,
    /// Summary by level.
    pub levels: Vec<LevelSummary>,
    /// Summary by medical alliance (empty when the table has none).
    pub alliances: Vec<(String, LevelSummary)>,
    /// Top winners (largest gain first).
    pub winners: Vec<HospitalRow>,
    /// Top losers (largest loss first).
    pub losers: Vec<HospitalRow>,
}

/// The hospitals report in one call: compare `results` with `other` (the `--vs`
/// scenario, matched by hospital id), sort, summarise by level, pick the top `n`
/// winners and losers.
pub fn hospital_report(
    results: &[HospitalResult],
    other: Option<&[HospitalResult]>,
    n: usize,
) -> HospitalReport {
    let mut rows = compare(results, other);
    sort_by_change(&mut rows);
    let levels = level_summary(&rows);
    let alliances = alliance_summary(&rows);
    let (winners, losers) = top_movers(&rows, n);
    HospitalReport {
        rows,
        levels,
        alliances,
        winners,
        losers,
    }
}
