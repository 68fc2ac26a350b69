//! From the sufficient statistics to the payment tables: weights, CV, CMI,
//! cost level by indirect standardisation, coefficients, grouping quality.

use super::Options;
use super::accumulate::Accumulator;
use crate::payment::Level;
use crate::population::bands::{ByBand, N_BANDS};
use std::collections::BTreeMap;

/// One calibrated group (a row of `groups.csv`).
#[derive(Clone, Debug)]
pub struct GroupOut {
    /// Code.
    pub code: String,
    /// Name (the code when the records carry none).
    pub name: String,
    /// MDC.
    pub mdc: String,
    /// Grouped cases with a positive cost, special review included.
    pub cases: u64,
    /// Special-review cases.
    pub special: u64,
    /// Cases kept after trimming.
    pub trimmed: u64,
    /// Low and high outliers.
    pub low: u64,
    /// High outliers.
    pub high: u64,
    /// Trimmed mean cost, yuan.
    pub mean_cost: f64,
    /// Mean cost of all cases (no trimming), yuan.
    pub raw_mean: f64,
    /// Trimmed sum of squared deviations from the group mean (for RIV).
    pub m2: f64,
    /// Coefficient of variation of the trimmed costs.
    pub cv: f64,
    /// Relative weight.
    pub weight: f64,
    /// Proposed exclusion.
    pub excluded: bool,
    /// Why excluded (empty when not).
    pub reason: String,
    /// Age shares.
    pub age_shares: ByBand,
}

/// One calibrated hospital (a row of `hospitals.csv`).
#[derive(Clone, Debug)]
pub struct HospitalOut {
    /// Id.
    pub id: String,
    /// Name (the id when the records carry none).
    pub name: String,
    /// Level.
    pub level: Level,
    /// Level was assumed (not in the records).
    pub level_assumed: bool,
    /// Grouped cases.
    pub cases: u64,
    /// Ungrouped cases.
    pub ungrouped: u64,
    /// DRG-paid cases in groups not excluded.
    pub drg_cases: u64,
    /// Case-mix index.
    pub cmi: f64,
    /// CMI / regional CMI.
    pub cmi_relative: f64,
    /// Observed / expected cost (indirect standardisation).
    pub cost_level: f64,
    /// Proposed coefficient.
    pub coefficient: f64,
    /// Weight units `sum_g n_hg RW_g` over DRG-paid cases of groups not excluded.
    pub weight_units: f64,
}

/// RIV of a set of groups.
#[derive(Clone, Debug)]
pub struct Riv {
    /// MDC (or "all").
    pub mdc: String,
    /// Groups.
    pub groups: usize,
    /// Kept cases.
    pub cases: u64,
    /// Reduction in variance, 0..1 (NaN with fewer than 2 cases or no variance).
    pub riv: f64,
}

/// Reduction in variance of case cost explained by grouping:
///
/// `RIV = 1 - SSW / SST`, `SSW = sum_g sum_i (x_i - xbar_g)^2`,
/// `SST = sum_i (x_i - xbar)^2 = SSW + sum_g n_g (xbar_g - xbar)^2`,
/// over the trimmed cases (the usual reporting basis; CHS-DRG technical
/// specification, 2019: a sound grouping has RIV >= 70 % overall and CV < 1 within groups).
pub fn riv(groups: &[&GroupOut]) -> (f64, u64) {
    let n: u64 = groups.iter().map(|g| g.trimmed).sum();
    if n < 2 {
        return (f64::NAN, n);
    }
    let total: f64 = groups.iter().map(|g| g.mean_cost * g.trimmed as f64).sum();
    let mean = total / n as f64;
    let ssw: f64 = groups.iter().map(|g| g.m2).sum();
    let ssb: f64 = groups
        .iter()
        .map(|g| g.trimmed as f64 * (g.mean_cost - mean).powi(2))
        .sum();
    let sst = ssw + ssb;
    (if sst > 0.0 { 1.0 - ssw / sst } else { f64::NAN }, n)
}

/// The calibrated tables and diagnostics.
#[derive(Clone, Debug)]
pub struct Tables {
    /// Groups, sorted by code.
    pub groups: Vec<GroupOut>,
    /// Hospitals with DRG cases, sorted by id.
    pub hospitals: Vec<HospitalOut>,
    /// Hospitals left out for having no DRG-paid case in a group not excluded.
    pub dropped_hospitals: Vec<String>,
    /// `(hospital id, group code, cases)` for the written hospitals.
    pub volumes: Vec<(String, String, u64)>,
    /// Trimmed overall mean cost per case, yuan (the weight's denominator).
    pub overall_mean: f64,
    /// Regional CMI before rescaling.
    pub cmi_before: f64,
    /// Regional CMI of the written weights.
    pub cmi: f64,
    /// RIV over all groups.
    pub riv: Riv,
    /// RIV per MDC.
    pub riv_by_mdc: Vec<Riv>,
    /// Weight units `sum_h k_h sum_g n_hg RW_g` (DRG-paid cases, groups not excluded).
    pub weight_units: f64,
    /// DRG-paid cases in groups not excluded.
    pub drg_cases: u64,
    /// Base rate paying the budget, yuan per weight point.
    pub base_rate: Option<f64>,
    /// Point value paying the budget, yuan per point (RW 1 = 100 points).
    pub point_value: Option<f64>,
    /// Warnings about what was assumed.
    pub warnings: Vec<String>,
}

/// Computes the tables from the accumulated statistics.
///
/// * Relative weight: `RW_g = xbar_g / xbar`, the trimmed group mean over the
///   trimmed overall mean per case; with `rescale_cmi` divided by the regional
///   CMI `sum_g n_g RW_g / sum_g n_g` (the `cases` column, groups not excluded) so it is 1.
/// * CV: `s_g / xbar_g`, sample SD over trimmed cases.
/// * Hospital CMI: `sum_g n_hg RW_g / sum_g n_hg`.
/// * Cost level (indirect standardisation, as for a standardised mortality
///   ratio): `O_h / E_h`, observed trimmed cost over expected cost
///   `E_h = sum_g t_hg xbar_g` for the hospital's own kept cases `t_hg`.
/// * Coefficient proposal: the level's pooled cost level `sum_{h in L} O_h /
///   sum_{h in L} E_h`, scaled so the weight-unit-weighted mean coefficient is 1.
pub fn compute(acc: &Accumulator, opts: &Options, profile: Option<&ByBand>) -> Tables {
    let mut warnings = Vec::new();
    // Regional age profile of the records (default for groups with no ages).
    let mut region_age = [0.0; N_BANDS];
    for g in &acc.groups {
        for b in 0..N_BANDS {
            region_age[b] += g.age[b] as f64;
        }
    }
    let region_total: f64 = region_age.iter().sum();
    let fallback_age: ByBand = if region_total > 0.0 {
        region_age.map(|v| v / region_total)
    } else {
        profile.copied().unwrap_or([1.0 / N_BANDS as f64; N_BANDS])
    };
    let total_t: u64 = acc.groups.iter().map(|g| g.n_t).sum();
    let total_cost_t: f64 = acc
        .groups
        .iter()
        .map(|g| g.sum_d + g.shift * g.n_t as f64)
        .sum();
    let overall_mean = if total_t > 0 {
        total_cost_t / total_t as f64
    } else {
        f64::NAN
    };
    let mut no_age_groups = 0;
    let mut groups: Vec<GroupOut> = acc
        .groups
        .iter()
        .map(|g| {
            let nt = g.n_t as f64;
            let mean = if g.n_t > 0 {
                g.shift + g.sum_d / nt
            } else {
                g.sum_cost_all / g.n_all.max(1) as f64
            };
            let m2 = if g.n_t > 0 {
                (g.sumsq_d - g.sum_d * g.sum_d / nt).max(0.0)
            } else {
                0.0
            };
            let cv = if g.n_t > 1 {
                (m2 / (nt - 1.0)).sqrt() / mean
            } else {
                0.0
            };
            let aged: u64 = g.age.iter().sum();
            let age_shares = if aged > 0 {
                g.age.map(|c| c as f64 / aged as f64)
            } else {
                no_age_groups += 1;
                profile.copied().unwrap_or(fallback_age)
            };
            let (excluded, reason) = if g.n_t < opts.min_cases {
                (
                    true,
                    format!("{} cases after trimming < {}", g.n_t, opts.min_cases),
                )
            } else if cv > opts.max_cv {
                (true, format!("CV {cv:.2} > {}", opts.max_cv))
            } else {
                (false, String::new())
            };
            GroupOut {
                code: g.code.clone(),
                name: g.name.clone().unwrap_or_else(|| g.code.clone()),
                mdc: g.mdc.clone().unwrap_or_else(|| {
                    format!(
                        "MDC{}",
                        g.code.chars().next().unwrap_or('?').to_ascii_uppercase()
                    )
                }),
                cases: g.n_all,
                special: g.n_special,
                trimmed: g.n_t,
                low: g.n_low,
                high: g.n_high,
                mean_cost: mean,
                raw_mean: g.sum_cost_all / g.n_all.max(1) as f64,
                m2,
                cv,
                weight: mean / overall_mean,
                excluded,
                reason,
                age_shares,
            }
        })
        .collect();
    if no_age_groups > 0 {
        warnings.push(if profile.is_some() {
            format!("{no_age_groups} group(s) have no ages: their age shares are the fund profile's (--age-profile)")
        } else {
            format!("{no_age_groups} group(s) have no ages: their age shares are the records' regional age mix")
        });
    }
    // Regional CMI of the table as written: `cases` of the groups not excluded.
    let (mut units, mut n_cmi, mut drg) = (0.0, 0u64, 0u64);
    for g in groups.iter().filter(|g| !g.excluded) {
        units += g.cases as f64 * g.weight;
        n_cmi += g.cases;
        drg += g.cases - g.special;
    }
    let cmi_before = if n_cmi > 0 {
        units / n_cmi as f64
    } else {
        f64::NAN
    };
    if opts.rescale_cmi && cmi_before.is_finite() && cmi_before > 0.0 {
        for g in &mut groups {
            g.weight /= cmi_before;
        }
    }
    let cmi = if opts.rescale_cmi && cmi_before.is_finite() {
        1.0
    } else {
        cmi_before
    };
    // Hospitals.
    let nh = acc.hospitals.len();
    let (mut n_h, mut drg_h, mut u_h, mut o_h, mut e_h) = (
        vec![0u64; nh],
        vec![0u64; nh],
        vec![0.0; nh],
        vec![0.0; nh],
        vec![0.0; nh],
    );
    let mut cells: Vec<(&(u32, u32), &super::accumulate::Cell)> =
        acc.cells.iter().map(|(k, c)| (k, c)).collect();
    cells.sort_by_key(|(k, _)| **k);
    for &(&(h, g), c) in &cells {
        let (h, gr) = (h as usize, &groups[g as usize]);
        n_h[h] += c.n;
        o_h[h] += c.cost_t;
        e_h[h] += c.n_t as f64 * gr.mean_cost;
        if !gr.excluded {
            drg_h[h] += c.n_drg;
            u_h[h] += c.n_drg as f64 * gr.weight;
        }
    }
    let mut level_o = [0.0; 3];
    let mut level_e = [0.0; 3];
    let mut assumed = 0;
    let levels: Vec<Level> = acc
        .hospitals
        .iter()
        .map(|h| {
            h.level.unwrap_or_else(|| {
                assumed += 1;
                opts.default_level
            })
        })
        .collect();
    if assumed > 0 {
        warnings.push(format!(
            "{assumed} hospital(s) have no recognised level (医疗机构等级): taken as {}",
            opts.default_level
        ));
    }
    let conflicts: u64 = acc.hospitals.iter().map(|h| h.level_conflicts).sum();
    if conflicts > 0 {
        warnings.push(format!("{conflicts} record(s) give a hospital another level than its first record; the first is used"));
    }
    for h in 0..nh {
        if drg_h[h] > 0 {
            level_o[levels[h].index()] += o_h[h];
            level_e[levels[h].index()] += e_h[h];
        }
    }
    let raw_k: Vec<f64> = (0..3)
        .map(|l| {
            if level_e[l] > 0.0 {
                level_o[l] / level_e[l]
            } else {
                1.0
            }
        })
        .collect();
    let u_sum: f64 = u_h.iter().sum();
    let k_norm: f64 = (0..nh)
        .map(|h| u_h[h] * raw_k[levels[h].index()])
        .sum::<f64>()
        / u_sum;
    // Regional CMI over the DRG-paid cases, the basis of the hospital CMIs.
    let cmi_drg = u_sum / drg_h.iter().sum::<u64>().max(1) as f64;
    let mut hospitals = Vec::new();
    let mut dropped = Vec::new();
    for (h, acc_h) in acc.hospitals.iter().enumerate() {
        if drg_h[h] == 0 {
            dropped.push(acc_h.id.clone());
            continue;
        }
        let hc = u_h[h] / drg_h[h] as f64;
        hospitals.push(HospitalOut {
            id: acc_h.id.clone(),
            name: acc_h.name.clone().unwrap_or_else(|| acc_h.id.clone()),
            level: levels[h],
            level_assumed: acc_h.level.is_none(),
            cases: n_h[h],
            ungrouped: acc_h.ungrouped,
            drg_cases: drg_h[h],
            cmi: hc,
            cmi_relative: hc / cmi_drg,
            cost_level: if e_h[h] > 0.0 { o_h[h] / e_h[h] } else { 1.0 },
            coefficient: raw_k[levels[h].index()] / k_norm,
            weight_units: u_h[h],
        });
    }
    if !dropped.is_empty() {
        warnings.push(format!(
            "{} hospital(s) have no DRG-paid case in a group not excluded and are left out of hospitals.csv: {}",
            dropped.len(),
            dropped.iter().take(10).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    let index_of: BTreeMap<&str, ()> = hospitals.iter().map(|h| (h.id.as_str(), ())).collect();
    let mut volumes: Vec<(String, String, u64)> = cells
        .iter()
        .filter(|&&(&(h, _), c)| {
            c.n > 0 && index_of.contains_key(acc.hospitals[h as usize].id.as_str())
        })
        .map(|&(&(h, g), c)| {
            (
                acc.hospitals[h as usize].id.clone(),
                groups[g as usize].code.clone(),
                c.n,
            )
        })
        .collect();
    volumes.sort();
    let weight_units: f64 = hospitals
        .iter()
        .map(|h| h.weight_units * h.coefficient)
        .sum();
    let (base_rate, point_value) = match opts.budget_wan {
        Some(b) => (
            Some(crate::payment::rules::base_rate_from_budget(
                b * 1e4,
                weight_units,
                0.0,
            )),
            Some(crate::payment::rules::point_value(
                b * 1e4,
                weight_units * crate::payment::rules::POINTS_PER_WEIGHT,
            )),
        ),
        None => (None, None),
    };
    groups.sort_by(|a, b| a.code.cmp(&b.code));
    hospitals.sort_by(|a, b| a.id.cmp(&b.id));
    let refs: Vec<&GroupOut> = groups.iter().collect();
    let (r, n) = riv(&refs);
    let mut by_mdc: BTreeMap<&str, Vec<&GroupOut>> = BTreeMap::new();
    for g in &groups {
        by_mdc.entry(g.mdc.as_str()).or_default().push(g);
    }
    let riv_by_mdc = by_mdc
        .iter()
        .map(|(m, gs)| {
            let (r, n) = riv(gs);
            Riv {
                mdc: m.to_string(),
                groups: gs.len(),
                cases: n,
                riv: r,
            }
        })
        .collect();
    Tables {
        riv: Riv {
            mdc: "all".into(),
            groups: groups.len(),
            cases: n,
            riv: r,
        },
        riv_by_mdc,
        groups,
        hospitals,
        dropped_hospitals: dropped,
        volumes,
        overall_mean,
        cmi_before,
        cmi,
        weight_units,
        drg_cases: drg,
        base_rate,
        point_value,
        warnings,
    }
}
