//! The age profile of a fund: one CSV row per age band with the membership mix,
//! demography and use of care. Documented column by column in
//! `scenarios/data/README.md`.

use super::bands::{BAND_LABELS, ByBand, N_BANDS, band_index};
use crate::scenario::table::{Sheet, read_file};
use crate::scenario::{Diagnostic, Diagnostics};
use std::path::Path;

/// A fund's age profile, per band.
#[derive(Clone, Debug, PartialEq)]
pub struct AgeProfile {
    /// Share of base-year members in each band; sums to 1.
    pub member_share: ByBand,
    /// Share of the band's population enrolled in the base year (default 1).
    pub enrollment_rate: ByBand,
    /// Probability of surviving one year.
    pub survival: ByBand,
    /// Births per member per year (newborns enter band 0-4).
    pub fertility: ByBand,
    /// Where new entrants (employee fund: new workers) land; sums to 1 or all 0.
    pub entrant_share: ByBand,
    /// Relative propensity to leave the fund (used by selective decline).
    pub leave_propensity: ByBand,
    /// Inpatient admissions per member per year, base year.
    pub admissions: ByBand,
    /// Fee-for-service cost per inpatient case, yuan, base year.
    pub inpatient_cost: ByBand,
    /// Outpatient visits per member per year, base year.
    pub outpatient_visits: ByBand,
    /// Cost per outpatient visit, yuan, base year.
    pub outpatient_cost: ByBand,
    /// Share of the band's members who are retirees (employee fund).
    pub retired_share: ByBand,
}

struct Col {
    name: &'static str,
    required: bool,
    default: f64,
    lo: f64,
    hi: f64,
}

const COLS: [Col; 11] = [
    col("member_share", true, 0.0, 0.0, 1.0),
    col("enrollment_rate", false, 1.0, 0.0, 1.0),
    col("survival", true, 1.0, 0.0, 1.0),
    col("fertility", false, 0.0, 0.0, f64::INFINITY),
    col("entrant_share", false, 0.0, 0.0, 1.0),
    col("leave_propensity", false, 1.0, 0.0, f64::INFINITY),
    col("admissions", true, 0.0, 0.0, f64::INFINITY),
    col("inpatient_cost", true, 0.0, 0.0, f64::INFINITY),
    col("outpatient_visits", true, 0.0, 0.0, f64::INFINITY),
    col("outpatient_cost", true, 0.0, 0.0, f64::INFINITY),
    col("retired_share", false, 0.0, 0.0, 1.0),
];

const fn col(name: &'static str, required: bool, default: f64, lo: f64, hi: f64) -> Col {
    Col {
        name,
        required,
        default,
        lo,
        hi,
    }
}

impl AgeProfile {
    /// Reads and checks a profile CSV. Every problem found is returned, each
    /// naming the file, the line and the column.
    pub fn load(path: &Path) -> Result<AgeProfile, Diagnostics> {
        let text = read_file(path).map_err(|mut d| {
            for x in &mut d.0 {
                x.message = "cannot read it; check the `profile` path in the scenario".into();
            }
            d
        })?;
        let sheet = Sheet::read(path, &text)?;
        AgeProfile::from_sheet(&sheet).map_err(Diagnostics)
    }

    fn from_sheet(sheet: &Sheet) -> Result<AgeProfile, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        if !sheet.has("band") {
            return Err(vec![sheet.error(
                1,
                Some("band"),
                "missing column `band` (labels 0-4 ... 85+)".into(),
            )]);
        }
        for h in &sheet.header {
            if h != "band" && !COLS.iter().any(|c| c.name == h) {
                errors.push(sheet.error(
                    1,
                    Some(h),
                    format!(
                        "unknown column; expected band, {}",
                        COLS.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        for c in COLS.iter().filter(|c| c.required) {
            if !sheet.has(c.name) {
                errors.push(sheet.error(1, Some(c.name), "missing required column".into()));
            }
        }
        let mut data = [[f64::NAN; N_BANDS]; COLS.len()];
        let mut seen = [false; N_BANDS];
        for (ci, c) in COLS.iter().enumerate() {
            if !sheet.has(c.name) {
                data[ci] = [c.default; N_BANDS];
            }
        }
        for (line, rec) in &sheet.rows {
            let line = *line;
            let label = sheet.text(rec, "band");
            let Some(b) = band_index(label) else {
                errors.push(sheet.error(
                    line,
                    Some("band"),
                    format!(
                        "`{label}` is not an age band; use {} ... 85+",
                        BAND_LABELS[0]
                    ),
                ));
                continue;
            };
            if seen[b] {
                errors.push(sheet.error(line, Some("band"), format!("band {label} appears twice")));
            }
            seen[b] = true;
            for (ci, c) in COLS.iter().enumerate() {
                if !sheet.has(c.name) {
                    continue;
                }
                let raw = sheet.text(rec, c.name);
                match raw.parse::<f64>() {
                    Ok(v) if v.is_finite() && v >= c.lo && v <= c.hi => data[ci][b] = v,
                    Ok(v) => errors.push(sheet.error(
                        line,
                        Some(c.name),
                        format!(
                            "{v} is outside the allowed range {}..={} (band {label})",
                            c.lo, c.hi
                        ),
                    )),
                    Err(_) => errors.push(sheet.error(
                        line,
                        Some(c.name),
                        format!("`{raw}` is not a number (band {label})"),
                    )),
                }
            }
        }
        let missing: Vec<&str> = (0..N_BANDS)
            .filter(|&b| !seen[b])
            .map(|b| BAND_LABELS[b])
            .collect();
        if !missing.is_empty() {
            errors.push(sheet.error(
                0,
                Some("band"),
                format!("missing rows for bands {}", missing.join(", ")),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let p = AgeProfile {
            member_share: data[0],
            enrollment_rate: data[1],
            survival: data[2],
            fertility: data[3],
            entrant_share: data[4],
            leave_propensity: data[5],
            admissions: data[6],
            inpatient_cost: data[7],
            outpatient_visits: data[8],
            outpatient_cost: data[9],
            retired_share: data[10],
        };
        let sum: f64 = p.member_share.iter().sum();
        if (sum - 1.0).abs() > 1e-4 {
            errors.push(sheet.error(
                0,
                Some("member_share"),
                format!("member shares sum to {sum:.6}, not 1; fix the shares so they add up to 1"),
            ));
        }
        let esum: f64 = p.entrant_share.iter().sum();
        if esum != 0.0 && (esum - 1.0).abs() > 1e-4 {
            errors.push(sheet.error(
                0,
                Some("entrant_share"),
                format!("entrant shares sum to {esum:.6}; they must sum to 1 (or be all 0)"),
            ));
        }
        for b in 0..N_BANDS {
            if p.member_share[b] > 0.0 && p.enrollment_rate[b] == 0.0 {
                errors.push(sheet.error(
                    0,
                    Some("enrollment_rate"),
                    format!(
                        "band {} has members but an enrollment rate of 0",
                        BAND_LABELS[b]
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(p)
        } else {
            Err(errors)
        }
    }
}
