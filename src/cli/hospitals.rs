//! `drgsim hospitals`: what each hospital is paid under a scenario, against its
//! own costs and, with `--vs`, against another scenario: the view a negotiator
//! takes to the table.

use crate::payment::HospitalResult;
use crate::payment::negotiation::{
    HospitalReport, hospital_report, levels_markdown, movers_markdown, write_hospitals_csv,
};
use crate::projection::{Model, project};
use crate::report::atomic::{OutputDir, OutputPolicy, check_output, write_atomic};
use crate::report::chart::{self, Bars};
use crate::report::markdown::{fmt_num, table};
use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::PathBuf;

/// `drgsim hospitals`.
#[derive(Debug, Args)]
pub struct HospitalsArgs {
    /// Scenario with a group and a hospital table.
    pub scenario: PathBuf,
    /// Compare against this scenario (same hospitals, matched by id).
    #[arg(long)]
    pub vs: Option<PathBuf>,
    /// Fund whose inpatient payment to report (default: the only fund with a hospital table).
    #[arg(long)]
    pub fund: Option<String>,
    /// Year to report (default: the base year).
    #[arg(long)]
    pub year: Option<i32>,
    /// How many winners and losers to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Output directory.
    #[arg(long, default_value = "out-hospitals")]
    pub out: PathBuf,
    /// Write into an output folder that holds other files: drgsim adds its
    /// files (replacing files of the same name) and deletes nothing.
    #[arg(long)]
    pub force: bool,
    /// Overrides applied to the scenario (not to `--vs`).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// One scenario's hospitals for the reported period.
struct Settlement {
    model: Model,
    fund: String,
    year: i32,
    results: Vec<HospitalResult>,
    reimbursement: f64,
}

fn settle(model: Model, fund: Option<&str>, year: Option<i32>) -> Result<Settlement> {
    let with_hospitals: Vec<&str> = model
        .funds
        .iter()
        // the engine pays a table without hospitals as one pseudo-hospital; the
        // negotiation view needs the hospitals themselves
        .filter(|f| {
            model
                .spec
                .funds
                .get(&f.id)
                .is_some_and(|s| s.payment.hospitals.is_some())
        })
        .map(|f| f.id.as_str())
        .collect();
    let id = match fund {
        Some(f) => {
            if !model.funds.iter().any(|x| x.id == f) {
                bail!(
                    "{}: no fund `{f}`; the funds are {}",
                    model.raw.file.display(),
                    ids(&model)
                );
            }
            if !with_hospitals.contains(&f) {
                bail!(
                    "{}: fund `{f}` has no hospital table; add `hospitals = \"...csv\"` to [funds.{f}.payment]",
                    model.raw.file.display()
                );
            }
            f.to_string()
        }
        None => match with_hospitals.as_slice() {
            [one] => one.to_string(),
            [] => bail!(
                "{}: no fund has a hospital table; the hospitals view needs [funds.<id>.payment] with `groups` and `hospitals` tables",
                model.raw.file.display()
            ),
            many => bail!(
                "{}: several funds have hospital tables ({}); choose one with --fund",
                model.raw.file.display(),
                many.join(", ")
            ),
        },
    };
    let year = year.unwrap_or(model.years.base_year);
    let Some(t) = model.years.index(year) else {
        bail!(
            "year {year} is outside {}–{}",
            model.years.base_year,
            model.years.horizon
        );
    };
    let projection = project(&model);
    let fi = model
        .funds
        .iter()
        .position(|f| f.id == id)
        .context("fund")?;
    let f = &model.funds[fi];
    let demand = projection.funds[fi].demand[t];
    let share = model.spec.scenario.settlement_period_share;
    let results = f
        .payment
        .hospitals_year(t, model.values(), &demand)
        .into_iter()
        .map(|mut h| {
            // Payment is linear in cases: a part-year settlement is the year scaled.
            h.cases *= share;
            h.drg_cases *= share;
            h.ffs_equivalent_yuan *= share;
            h.payment_yuan *= share;
            h.other_payment_yuan *= share;
            h.surplus_yuan *= share;
            h
        })
        .collect();
    let reimbursement = model.values().get(f.p.inpatient_reimbursement, t);
    Ok(Settlement {
        model,
        fund: id,
        year,
        results,
        reimbursement,
    })
}

fn ids(m: &Model) -> String {
    m.funds
        .iter()
        .map(|f| f.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn period(m: &Model, year: i32) -> String {
    match (
        &m.spec.scenario.settlement_period,
        year == m.years.base_year,
    ) {
        (Some(p), true) => p.clone(),
        _ if m.spec.scenario.settlement_period_share < 1.0 => {
            format!(
                "{year} ({} of the year)",
                m.spec.scenario.settlement_period_share
            )
        }
        _ => year.to_string(),
    }
}

/// Runs the command.
pub fn hospitals(a: &HospitalsArgs) -> Result<()> {
    let mut inputs = vec![a.scenario.as_path()];
    inputs.extend(a.vs.as_deref());
    let policy = OutputPolicy::new(a.force, &inputs);
    check_output(&a.out, &policy)?;
    let this = settle(
        crate::cli::load(&a.scenario, &a.sets)?,
        a.fund.as_deref(),
        a.year,
    )?;
    let other = match &a.vs {
        Some(vs) => {
            let o = settle(
                crate::cli::load(vs, &[])?,
                Some(&this.fund)
                    .filter(|_| a.fund.is_some())
                    .map(String::as_str),
                Some(this.year),
            )?;
            let known: std::collections::HashSet<&str> =
                o.results.iter().map(|h| h.id.as_str()).collect();
            let shared = this
                .results
                .iter()
                .filter(|h| known.contains(h.id.as_str()))
                .count();
            if shared == 0 {
                bail!(
                    "{} and {} share no hospital id; --vs compares the same hospitals under two scenarios",
                    a.scenario.display(),
                    vs.display()
                );
            }
            Some(o)
        }
        None => None,
    };
    let report = hospital_report(
        &this.results,
        other.as_ref().map(|o| o.results.as_slice()),
        a.top,
    );
    let md = markdown(&this, other.as_ref(), &report, a.top);
    let out = OutputDir::create_with(&a.out, &policy)?;
    write_hospitals_csv(&out.path().join("hospitals.csv"), &report.rows)?;
    write_atomic(&out.path().join("hospitals.md"), md.as_bytes())?;
    // The chart: one bar per hospital, sorted from the largest gain to the largest loss.
    let (title, y_label, mut bars): (String, &str, Vec<(String, f64)>) = match &other {
        Some(o) => (
            format!(
                "Payment change by hospital: {} vs {}",
                this.model.name, o.model.name
            ),
            "change in DRG/DIP payment, %",
            report
                .rows
                .iter()
                .map(|r| {
                    (
                        r.result.id.clone(),
                        r.payment_change_pct.unwrap_or(f64::NAN),
                    )
                })
                .collect(),
        ),
        None => (
            format!(
                "{}: DRG/DIP surplus by hospital, % of fee-for-service cost",
                this.model.name
            ),
            "surplus, % of FFS-equivalent cost",
            report
                .rows
                .iter()
                .map(|r| {
                    (
                        r.result.id.clone(),
                        100.0 * r.result.surplus_yuan / r.result.ffs_equivalent_yuan,
                    )
                })
                .collect(),
        ),
    };
    bars.sort_by(|x, y| y.1.total_cmp(&x.1));
    let (labels, values) = bars.into_iter().unzip();
    chart::bar_chart(
        &out.path().join("hospitals_change"),
        &Bars {
            title,
            y_label: y_label.into(),
            labels,
            values,
        },
    )?;
    let dir = out.commit()?;
    print!("{md}");
    println!("\nwrote {}", dir.display());
    Ok(())
}

fn totals(s: &Settlement) -> (f64, f64, f64, f64, usize) {
    let drg_cases: f64 = s.results.iter().map(|h| h.drg_cases).sum();
    let ffs: f64 = s.results.iter().map(|h| h.ffs_equivalent_yuan).sum();
    let pay: f64 = s.results.iter().map(|h| h.payment_yuan).sum();
    let weights: f64 = s.results.iter().map(|h| h.cmi * h.drg_cases).sum();
    let surplus = s.results.iter().filter(|h| h.surplus_yuan > 0.0).count();
    (drg_cases, ffs, pay, weights / drg_cases, surplus)
}

fn markdown(
    this: &Settlement,
    other: Option<&Settlement>,
    report: &HospitalReport,
    top: usize,
) -> String {
    let mut s = format!("# Hospitals: {}\n\n", this.model.name);
    s.push_str(&format!(
        "Fund `{}`, settlement period {}. Money in 万元 at full medical cost (what hospitals are paid); \
         the fund pays {:.2} % of it. Surplus = DRG/DIP payment - fee-for-service cost of the same cases.\n\n",
        this.fund,
        period(&this.model, this.year),
        this.reimbursement * 100.0
    ));
    let mut rows = Vec::new();
    let mut line = |name: &str, st: &Settlement| {
        let (cases, ffs, pay, cmi, surplus) = totals(st);
        rows.push(vec![
            name.to_string(),
            fmt_num(cases, 0),
            fmt_num(cmi, 4),
            fmt_num(ffs / cases, 2),
            fmt_num(ffs / 1e4, 2),
            fmt_num(pay / 1e4, 2),
            fmt_num(ffs / 1e4 * st.reimbursement, 2),
            fmt_num(pay / 1e4 * st.reimbursement, 2),
            format!("{:.2} %", 100.0 * pay / ffs),
            format!("{surplus} of {}", st.results.len()),
        ]);
    };
    line(&this.model.name, this);
    if let Some(o) = other {
        line(&o.model.name, o);
    }
    s.push_str(&table(
        &[
            "scenario",
            "DRG cases",
            "CMI",
            "FFS cost per case (yuan)",
            "FFS equivalent",
            "DRG paid",
            "FFS equivalent, fund share",
            "DRG paid, fund share",
            "settlement ratio",
            "hospitals in surplus",
        ],
        &rows,
    ));
    s.push_str("\n## By level\n\n");
    s.push_str(&levels_markdown(&report.levels));
    s.push_str(&format!("\n## Top {top} movers\n\n"));
    s.push_str(&movers_markdown(&report.rows, top));
    s
}
