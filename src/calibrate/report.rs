//! The output files of a calibration: `groups.csv`, `hospitals.csv`,
//! `hospital_groups.csv` (formats of `scenarios/data/README.md`; extra columns
//! after the required ones are ignored by the loaders) and `calibrate.md`.

use super::Calibration;
use super::tables::{GroupOut, Tables};
use crate::payment::groups::age_column;
use crate::population::bands::N_BANDS;
use std::fmt::Write as _;

fn csv_bytes(rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(&r);
    }
    w.into_inner().unwrap_or_default()
}

/// `groups.csv`.
pub fn groups_csv(t: &Tables) -> Vec<u8> {
    let mut header: Vec<String> = [
        "code",
        "name",
        "mdc",
        "weight",
        "mean_cost",
        "cost_cv",
        "cases",
        "excluded",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend((0..N_BANDS).map(age_column));
    header.extend(
        [
            "trimmed_cases",
            "outliers_low",
            "outliers_high",
            "special_review",
            "raw_mean_cost",
            "exclude_reason",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let mut rows = vec![header];
    for g in &t.groups {
        let mut r = vec![
            g.code.clone(),
            g.name.clone(),
            g.mdc.clone(),
            format!("{:.4}", g.weight),
            format!("{:.2}", g.mean_cost),
            format!("{:.3}", g.cv),
            g.cases.to_string(),
            u8::from(g.excluded).to_string(),
        ];
        r.extend(g.age_shares.iter().map(|s| format!("{s:.6}")));
        r.extend([
            g.trimmed.to_string(),
            g.low.to_string(),
            g.high.to_string(),
            g.special.to_string(),
            format!("{:.2}", g.raw_mean),
            g.reason.clone(),
        ]);
        rows.push(r);
    }
    csv_bytes(rows)
}

/// `hospitals.csv`.
pub fn hospitals_csv(t: &Tables) -> Vec<u8> {
    let header = [
        "id",
        "name",
        "level",
        "coefficient",
        "cases",
        "cmi_relative",
        "cost_level",
        "cmi",
        "drg_cases",
        "ungrouped",
        "level_assumed",
    ];
    let mut rows = vec![header.iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    for h in &t.hospitals {
        rows.push(vec![
            h.id.clone(),
            h.name.clone(),
            h.level.to_string(),
            format!("{:.4}", h.coefficient),
            h.cases.to_string(),
            format!("{:.4}", h.cmi_relative),
            format!("{:.4}", h.cost_level),
            format!("{:.4}", h.cmi),
            h.drg_cases.to_string(),
            h.ungrouped.to_string(),
            u8::from(h.level_assumed).to_string(),
        ]);
    }
    csv_bytes(rows)
}

/// `hospital_groups.csv`: `hospital, group, cases`.
pub fn volumes_csv(t: &Tables) -> Vec<u8> {
    let mut rows = vec![vec!["hospital".to_string(), "group".into(), "cases".into()]];
    for (h, g, n) in &t.volumes {
        rows.push(vec![h.clone(), g.clone(), n.to_string()]);
    }
    csv_bytes(rows)
}

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1} %", 100.0 * x)
    } else {
        "n/a".into()
    }
}

/// Quantile of sorted values (linear interpolation).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let x = p * (sorted.len() - 1) as f64;
    let i = x.floor() as usize;
    let j = (i + 1).min(sorted.len() - 1);
    sorted[i] + (x - i as f64) * (sorted[j] - sorted[i])
}

/// `calibrate.md`: inputs, grouping quality, rate paying the budget, warnings.
pub fn markdown(c: &Calibration) -> String {
    let t = &c.tables;
    let a = &c.acc;
    let mut s = String::new();
    let _ = writeln!(s, "# Calibration from case-level records\n");
    let _ = writeln!(s, "## Input\n");
    for (f, info) in &a.files {
        let _ = writeln!(
            s,
            "- `{}`: {} records, encoding {:?}; columns used: {}",
            f.display(),
            info.records,
            info.encoding,
            info.columns
                .iter()
                .map(|(k, i)| format!("{} = `{}`", k.key(), info.header[*i]))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let grouped = a.records - a.ungrouped;
    let _ = writeln!(s, "\n| figure | value |\n| --- | --- |");
    let _ = writeln!(s, "| records | {} |", a.records);
    let _ = writeln!(s, "| grouped (入组) | {} |", grouped);
    let _ = writeln!(
        s,
        "| grouping rate (入组率) | {} |",
        pct(grouped as f64 / a.records as f64)
    );
    let special: u64 = t.groups.iter().map(|g| g.special).sum();
    let _ = writeln!(
        s,
        "| special-review cases (特病单议) | {special} ({} of grouped) |",
        pct(special as f64 / grouped.max(1) as f64)
    );
    let _ = writeln!(
        s,
        "| cost of zero or less (skipped) | {} |",
        a.nonpositive_cost
    );
    let low: u64 = t.groups.iter().map(|g| g.low).sum();
    let high: u64 = t.groups.iter().map(|g| g.high).sum();
    let kept: u64 = t.groups.iter().map(|g| g.trimmed).sum();
    let _ = writeln!(
        s,
        "| outliers low / high | {low} / {high} ({} of costed cases) |",
        pct((low + high) as f64 / (kept + low + high).max(1) as f64)
    );
    let _ = writeln!(
        s,
        "| groups | {} ({} proposed excluded) |",
        t.groups.len(),
        t.groups.iter().filter(|g| g.excluded).count()
    );
    let _ = writeln!(
        s,
        "| hospitals | {} ({} left out) |",
        t.hospitals.len(),
        t.dropped_hospitals.len()
    );
    let _ = writeln!(
        s,
        "| trimmed mean cost per case | {:.2} yuan |",
        t.overall_mean
    );
    let _ = writeln!(
        s,
        "| regional CMI of the cost weights | {:.4} |",
        t.cmi_before
    );
    let _ = writeln!(
        s,
        "| regional CMI of the written weights | {:.4}{} |",
        t.cmi,
        if c.options.rescale_cmi {
            " (rescaled)"
        } else {
            ""
        }
    );
    if a.fund_paid.1 > 0.0 {
        let _ = writeln!(
            s,
            "| fund share of cost (统筹支付 / 总费用) | {} |",
            pct(a.fund_paid.0 / a.fund_paid.1)
        );
    }
    if a.los.1 > 0 {
        let _ = writeln!(
            s,
            "| mean length of stay | {:.2} days |",
            a.los.0 / a.los.1 as f64
        );
    }
    let _ = writeln!(s, "\nTrimming: {}.", c.options.trim.describe());
    let _ = writeln!(
        s,
        "Relative weight = trimmed group mean cost / trimmed mean cost per case{}. Exclusion proposed for groups with fewer than {} cases after trimming or CV above {}.",
        if c.options.rescale_cmi {
            ", rescaled so the regional CMI (`cases` of the groups not excluded) is 1"
        } else {
            ""
        },
        c.options.min_cases,
        c.options.max_cv
    );
    let _ = writeln!(s, "\n## Grouping quality\n");
    let _ = writeln!(
        s,
        "Reduction in variance RIV = 1 - SSW/SST of the trimmed case cost (CHS-DRG 2019 technical specification: RIV >= 70 %, group CV < 1).\n"
    );
    let _ = writeln!(
        s,
        "- RIV, all groups: **{}** over {} cases in {} groups",
        pct(t.riv.riv),
        t.riv.cases,
        t.riv.groups
    );
    let mut cvs: Vec<f64> = t
        .groups
        .iter()
        .filter(|g| g.trimmed > 1)
        .map(|g| g.cv)
        .collect();
    cvs.sort_by(f64::total_cmp);
    let over1: Vec<&GroupOut> = t
        .groups
        .iter()
        .filter(|g| g.trimmed > 1 && g.cv > 1.0)
        .collect();
    let _ = writeln!(
        s,
        "- CV of case cost within groups (groups with 2+ cases): min {:.3}, quartiles {:.3} / {:.3} / {:.3}, max {:.3}",
        quantile(&cvs, 0.0),
        quantile(&cvs, 0.25),
        quantile(&cvs, 0.5),
        quantile(&cvs, 0.75),
        quantile(&cvs, 1.0)
    );
    let _ = writeln!(
        s,
        "- groups with CV > 1: {}{}",
        over1.len(),
        if over1.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                over1
                    .iter()
                    .take(20)
                    .map(|g| format!("{} {:.2}", g.code, g.cv))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    let _ = writeln!(
        s,
        "\n| MDC | groups | cases | RIV |\n| --- | ---: | ---: | ---: |"
    );
    for r in &t.riv_by_mdc {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            r.mdc,
            r.groups,
            r.cases,
            pct(r.riv)
        );
    }
    let _ = writeln!(s, "\n## Hospitals\n");
    let _ = writeln!(
        s,
        "CMI = sum of the weights of a hospital's DRG-paid cases / its cases. Cost level = observed trimmed cost / expected cost at the regional group means for the hospital's own case mix (indirect standardisation). Coefficient proposal = the level's pooled cost level, scaled so the weight-unit-weighted mean coefficient is 1.\n"
    );
    let _ = writeln!(
        s,
        "| level | hospitals | cases | coefficient | mean CMI relative |\n| --- | ---: | ---: | ---: | ---: |"
    );
    for l in crate::payment::Level::ALL {
        let hs: Vec<_> = t.hospitals.iter().filter(|h| h.level == l).collect();
        if hs.is_empty() {
            continue;
        }
        let n: u64 = hs.iter().map(|h| h.cases).sum();
        let cmi: f64 = hs
            .iter()
            .map(|h| h.cmi_relative * h.cases as f64)
            .sum::<f64>()
            / n.max(1) as f64;
        let _ = writeln!(
            s,
            "| {l} | {} | {n} | {:.4} | {cmi:.4} |",
            hs.len(),
            hs[0].coefficient
        );
    }
    let _ = writeln!(s, "\n## Rate paying the budget\n");
    match (c.options.budget_wan, t.base_rate, t.point_value) {
        (Some(b), Some(r), Some(p)) => {
            let _ = writeln!(
                s,
                "Budget {b} 万元 over {} DRG-paid cases and {:.1} weight units (x coefficient): **base rate (费率) {r:.2} yuan** per weight point, or **point value {p:.4} yuan** per point (RW 1 = 100 points). Outlier extras are not included: they come out of the budget first.",
                t.drg_cases, t.weight_units
            );
        }
        _ => {
            let _ = writeln!(
                s,
                "No budget given (`--budget <万元>` gives the base rate and point value that pay it). Weight units: {:.1} over {} DRG-paid cases.",
                t.weight_units, t.drg_cases
            );
        }
    }
    let _ = writeln!(s, "\n## Warnings\n");
    if t.warnings.is_empty() {
        let _ = writeln!(s, "None.");
    }
    for w in &t.warnings {
        let _ = writeln!(s, "- {w}");
    }
    let _ = writeln!(
        s,
        "\n## Using the tables\n\nIn a scenario's `[funds.<id>.payment]`: `groups = \"groups.csv\"`, `hospitals = \"hospitals.csv\"`, `hospital_groups = \"hospital_groups.csv\"`; set `special_review_share = {:.4}` and `grouping_rate = {:.4}` from the figures above.",
        special as f64 / grouped.max(1) as f64,
        grouped as f64 / a.records as f64
    );
    s
}
