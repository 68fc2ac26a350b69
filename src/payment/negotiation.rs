//! The hospital negotiation view: per-hospital results against another
//! scenario, winners and losers, a summary by level. Plain data; the caller
//! writes charts and files (a CSV helper is provided).

use super::engine::HospitalResult;
use super::hospitals::Level;
use std::collections::HashMap;
use std::path::Path;

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

/// Markdown table of the summary by level.
pub fn levels_markdown(levels: &[LevelSummary]) -> String {
    let rows: Vec<(String, &LevelSummary)> =
        levels.iter().map(|l| (l.level.to_string(), l)).collect();
    summary_markdown("level", &rows)
}

/// Markdown table of the summary by alliance.
pub fn alliances_markdown(alliances: &[(String, LevelSummary)]) -> String {
    let rows: Vec<(String, &LevelSummary)> =
        alliances.iter().map(|(n, l)| (n.clone(), l)).collect();
    summary_markdown("alliance", &rows)
}

fn summary_markdown(what: &str, rows: &[(String, &LevelSummary)]) -> String {
    let vs = rows.iter().any(|(_, l)| l.payment_change_yuan.is_some());
    let cleared = rows.iter().any(|(_, l)| l.clearing_yuan != 0.0);
    let mut out = format!(
        "| {what} | hospitals | in surplus | DRG cases | CMI | FFS equivalent (万) | payment (万) | surplus (万) | fund payable FFS (万) | fund paid on account (万) | settlement (fund side, 结付率) | settlement (full cost) |"
    );
    if cleared {
        out.push_str(" clearing (万) | surplus after clearing (万) | in surplus after clearing |");
    }
    out.push_str(if vs { " change (万) |\n" } else { "\n" });
    out.push_str(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    if cleared {
        out.push_str(" ---: | ---: | ---: |");
    }
    out.push_str(if vs { " ---: |\n" } else { "\n" });
    for (name, l) in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {:.0} | {:.3} | {} | {} | {} | {} | {} | {:.2} % | {:.2} % |",
            name,
            l.hospitals,
            l.in_surplus,
            l.drg_cases,
            l.cmi,
            wan(l.ffs_equivalent_yuan),
            wan(l.payment_yuan),
            wan(l.surplus_yuan),
            wan(l.fund_ffs_yuan),
            wan(l.fund_payment_yuan),
            l.fund_settlement_ratio * 100.0,
            l.settlement_ratio * 100.0
        ));
        if cleared {
            out.push_str(&format!(
                " {} | {} | {} |",
                wan(l.clearing_yuan),
                wan(l.surplus_yuan + l.clearing_yuan),
                l.in_surplus_after_clearing
            ));
        }
        if vs {
            out.push_str(&format!(
                " {} |",
                l.payment_change_yuan.map(wan).unwrap_or_default()
            ));
        }
        out.push('\n');
    }
    out
}

/// Errors writing the hospitals report.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// CSV or file error.
    #[error("cannot write {path}: {source}; check the output folder exists and is writable")]
    Csv {
        /// File being written.
        path: String,
        /// Cause.
        source: csv::Error,
    },
}

fn wan(y: f64) -> String {
    format!("{:.2}", y / 1e4)
}

/// Writes `hospitals.csv`: `hospital, name, level, alliance, coefficient, cases,
/// drg_cases, cmi, ffs_equivalent_wan, payment_wan, surplus_wan, patient_wan,
/// fund_ffs_wan, fund_payment_wan, clearing_wan, final_fund_payment_wan,
/// surplus_after_clearing_wan, settlement_ratio (fund side, 结付率),
/// settlement_ratio_full_cost`, plus
/// `payment_change_wan, payment_change_pct` when any row has a comparison.
/// Rows are written in the order given.
pub fn write_hospitals_csv(path: &Path, rows: &[HospitalRow]) -> Result<(), WriteError> {
    let err = |source| WriteError::Csv {
        path: path.display().to_string(),
        source,
    };
    let vs = rows.iter().any(|r| r.payment_change_yuan.is_some());
    let mut w = csv::Writer::from_path(path).map_err(err)?;
    let mut header = vec![
        "hospital",
        "name",
        "level",
        "alliance",
        "coefficient",
        "cases",
        "drg_cases",
        "cmi",
        "ffs_equivalent_wan",
        "payment_wan",
        "surplus_wan",
        "patient_wan",
        "fund_ffs_wan",
        "fund_payment_wan",
        "clearing_wan",
        "final_fund_payment_wan",
        "surplus_after_clearing_wan",
        "settlement_ratio",
        "settlement_ratio_full_cost",
    ];
    if vs {
        header.extend(["payment_change_wan", "payment_change_pct"]);
    }
    w.write_record(&header).map_err(err)?;
    for r in rows {
        let h = &r.result;
        let mut rec = vec![
            h.id.clone(),
            h.name.clone(),
            h.level.to_string(),
            h.alliance.clone(),
            format!("{:.4}", h.coefficient),
            format!("{:.1}", h.cases),
            format!("{:.1}", h.drg_cases),
            format!("{:.4}", h.cmi),
            wan(h.ffs_equivalent_yuan),
            wan(h.payment_yuan),
            wan(h.surplus_yuan),
            wan(h.patient_yuan),
            wan(h.fund_ffs_yuan),
            wan(h.fund_payment_yuan),
            wan(h.clearing_yuan),
            wan(h.fund_payment_yuan + h.clearing_yuan),
            wan(h.surplus_yuan + h.clearing_yuan),
            format!("{:.4}", h.fund_settlement_ratio),
            format!("{:.4}", h.settlement_ratio),
        ];
        if vs {
            rec.push(r.payment_change_yuan.map(wan).unwrap_or_default());
            rec.push(
                r.payment_change_pct
                    .map(|p| format!("{p:.2}"))
                    .unwrap_or_default(),
            );
        }
        w.write_record(&rec).map_err(err)?;
    }
    w.flush().map_err(|e| err(e.into()))?;
    Ok(())
}

/// Markdown table of the top `n` winners and losers (see [`top_movers`]).
pub fn movers_markdown(rows: &[HospitalRow], n: usize) -> String {
    let (winners, losers) = top_movers(rows, n);
    let vs = rows.iter().any(|r| r.payment_change_yuan.is_some());
    let mut out = String::new();
    let head = if vs {
        "| hospital | level | cases | CMI | payment (万) | change (万) | change % | settlement (fund side) |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
    } else {
        "| hospital | level | cases | CMI | FFS equivalent (万) | payment (万) | surplus (万) | settlement (fund side) |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
    };
    for (title, list) in [("Winners", winners), ("Losers", losers)] {
        out.push_str(&format!("### {title}\n\n"));
        if list.is_empty() {
            out.push_str("(none)\n\n");
            continue;
        }
        out.push_str(head);
        for r in &list {
            let h = &r.result;
            if vs {
                out.push_str(&format!(
                    "| {} {} | {} | {:.0} | {:.3} | {} | {} | {} | {:.2} % |\n",
                    h.id,
                    h.name,
                    h.level,
                    h.drg_cases,
                    h.cmi,
                    wan(h.payment_yuan),
                    r.payment_change_yuan.map(wan).unwrap_or_default(),
                    r.payment_change_pct
                        .map(|p| format!("{p:+.2} %"))
                        .unwrap_or_default(),
                    h.fund_settlement_ratio * 100.0
                ));
            } else {
                out.push_str(&format!(
                    "| {} {} | {} | {:.0} | {:.3} | {} | {} | {} | {:.2} % |\n",
                    h.id,
                    h.name,
                    h.level,
                    h.drg_cases,
                    h.cmi,
                    wan(h.ffs_equivalent_yuan),
                    wan(h.payment_yuan),
                    wan(h.surplus_yuan),
                    h.fund_settlement_ratio * 100.0
                ));
            }
        }
        out.push('\n');
    }
    out
}
