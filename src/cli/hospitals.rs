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
use crate::report::labels::{self, Lang, Style};
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
    let results = crate::projection::settlement::hospitals_in_year(&model, &projection, fi, t);
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
pub fn hospitals(a: &HospitalsArgs, style: Style) -> Result<()> {
    let lang = style.lang;
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
            match lang {
                Lang::Zh => format!(
                    "各医院DRG/DIP支付变化：{} 对比 {}",
                    labels::scenario_name(&this.model, lang),
                    labels::scenario_name(&o.model, lang)
                ),
                Lang::En => format!(
                    "Payment change by hospital: {} vs {}",
                    this.model.name, o.model.name
                ),
            },
            match lang {
                Lang::Zh => "DRG/DIP支付变化（%）",
                Lang::En => "change in DRG/DIP payment, %",
            },
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
            match lang {
                Lang::Zh => format!(
                    "{}：各医院DRG/DIP结余（占按项目付费成本%）",
                    labels::scenario_name(&this.model, lang)
                ),
                Lang::En => format!(
                    "{}: DRG/DIP surplus by hospital, % of fee-for-service cost",
                    this.model.name
                ),
            },
            match lang {
                Lang::Zh => "结余占按项目付费成本（%）",
                Lang::En => "surplus, % of FFS-equivalent cost",
            },
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
            x_label: match lang {
                Lang::Zh => "医院（按变化从大到小排序）".into(),
                Lang::En => "hospitals, ranked by change".into(),
            },
            extremes: 5,
            extreme_titles: match lang {
                Lang::Zh => ("增幅最大".into(), "降幅最大".into()),
                Lang::En => ("largest gains".into(), "largest losses".into()),
            },
        },
    )?;
    crate::report::workbook::command_reports(
        out.path(),
        style,
        &labels::scenario_name(&this.model, lang),
        None,
        &[(
            if lang == Lang::Zh {
                "医院"
            } else {
                "hospitals"
            },
            "hospitals.csv",
        )],
        &md,
    )?;
    let dir = out.commit()?;
    print!("{md}");
    println!("\nwrote {}", dir.display());
    Ok(())
}

struct Totals {
    drg_cases: f64,
    ffs: f64,
    pay: f64,
    fund_ffs: f64,
    fund_pay: f64,
    cmi: f64,
    in_surplus: usize,
}

fn totals(s: &Settlement) -> Totals {
    let sum = |f: fn(&HospitalResult) -> f64| -> f64 { s.results.iter().map(f).sum() };
    let drg_cases = sum(|h| h.drg_cases);
    Totals {
        drg_cases,
        ffs: sum(|h| h.ffs_equivalent_yuan),
        pay: sum(|h| h.payment_yuan),
        fund_ffs: sum(|h| h.fund_ffs_yuan),
        fund_pay: sum(|h| h.fund_payment_yuan),
        cmi: sum(|h| h.cmi * h.drg_cases) / drg_cases,
        in_surplus: s.results.iter().filter(|h| h.surplus_yuan > 0.0).count(),
    }
}

fn markdown(
    this: &Settlement,
    other: Option<&Settlement>,
    report: &HospitalReport,
    top: usize,
) -> String {
    let mut s = format!("# Hospitals: {}\n\n", this.model.name);
    s.push_str(&format!(
        "Fund `{}`, settlement period {}. Money in 万元. Hospitals are paid the DRG/DIP standard \
         (full cost); patients pay their share of the fee-for-service bill under the benefit rules \
         (the fund reimburses {:.2} % of it), and the fund pays the standard minus the patient's share. \
         Fund-side settlement ratio (结付率, as published) = fund's DRG payment / what the fund would \
         have paid fee-for-service; full-cost ratio = DRG payment / fee-for-service cost. \
         Surplus = DRG/DIP payment - fee-for-service cost of the same cases (the same amount on either side).\n\n",
        this.fund,
        period(&this.model, this.year),
        this.reimbursement * 100.0
    ));
    let mut rows = Vec::new();
    let mut line = |name: &str, st: &Settlement| {
        let t = totals(st);
        rows.push(vec![
            name.to_string(),
            fmt_num(t.drg_cases, 0),
            fmt_num(t.cmi, 4),
            fmt_num(t.ffs / t.drg_cases, 2),
            fmt_num(t.ffs / 1e4, 2),
            fmt_num(t.pay / 1e4, 2),
            fmt_num(t.fund_ffs / 1e4, 2),
            fmt_num(t.fund_pay / 1e4, 2),
            format!("{:.2} %", 100.0 * t.fund_pay / t.fund_ffs),
            format!("{:.2} %", 100.0 * t.pay / t.ffs),
            format!("{} of {}", t.in_surplus, st.results.len()),
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
            "fund payable fee-for-service",
            "fund paid under DRG",
            "settlement ratio (fund side, 结付率)",
            "settlement ratio (full cost)",
            "hospitals in surplus",
        ],
        &rows,
    ));
    s.push_str("\n## By level\n\n");
    s.push_str(&levels_markdown(&report.levels));
    if !report.alliances.is_empty() {
        s.push_str("\n## By medical alliance (医共体)\n\n");
        s.push_str(&crate::payment::alliances_markdown(&report.alliances));
    }
    if let Some(c) = this
        .model
        .funds
        .iter()
        .find(|f| f.id == this.fund)
        .and_then(|f| f.clearing)
        && c.level != crate::payment::budget::ClearingLevel::Region
    {
        let t = totals(this);
        let clearing: f64 = this.results.iter().map(|h| h.clearing_yuan).sum();
        let after = this
            .results
            .iter()
            .filter(|h| h.surplus_yuan + h.clearing_yuan > 0.0)
            .count();
        s.push_str(&format!(
            "\n## Year-end clearing ({} level)\n\nPaid on account (the fund's DRG payment): {} 万; \
             clearing adjustment: {} 万; final fund payment: {} 万 (fund-side settlement ratio {:.2} % \
             after clearing). Hospitals in surplus: {} before clearing, {} after.\n",
            match c.level {
                crate::payment::budget::ClearingLevel::Alliance => "alliance",
                _ => "hospital",
            },
            fmt_num(t.fund_pay / 1e4, 2),
            fmt_num(clearing / 1e4, 2),
            fmt_num((t.fund_pay + clearing) / 1e4, 2),
            100.0 * (t.fund_pay + clearing) / t.fund_ffs,
            t.in_surplus,
            after
        ));
    }
    s.push_str(&format!("\n## Top {top} movers\n\n"));
    s.push_str(&movers_markdown(&report.rows, top));
    s
}
