//! The reports of `drgsim solve`: `solve.json` and `solve.csv` (stable
//! English keys), `solve.md`, `report.xlsx` and `report.html`.

use super::ReportError;
use super::atomic::write_atomic;
use super::labels::{Key, Style, fill, scenario_name};
use super::lever::sheet;
use super::markdown::table;
use super::params::param_label;
use crate::analysis::levers::{LeverSet, set_arg};
use crate::analysis::runs::{SolveSpec, Solved, quantile_percent};
use crate::projection::Model;
use std::path::Path;

/// Columns of `solve.csv`.
pub const SOLVE_COLUMNS: &[&str] = &[
    "param",
    "default",
    "value",
    "value_exact",
    "rounded_to",
    "from_year",
    "through_year",
    "move_from",
    "months_payable",
];

/// The `--set PATH=VALUE` that reproduces the answer (a parameter moved from
/// a later year: its year table, every year given).
pub fn set_string(model: &Model, spec: &SolveSpec, r: &Solved) -> String {
    LeverSet::new(vec![spec.lever.clone()])
        .to_sets_for(model, &[r.value])
        .iter()
        .map(|(p, v)| set_arg(p, v))
        .next()
        .unwrap_or_default()
}

/// `solve.json`: the answer and how it was found.
pub fn json(model: &Model, spec: &SolveSpec, r: &Solved) -> serde_json::Value {
    let finite = |x: f64| if x.is_nan() { None } else { Some(x) };
    serde_json::json!({
        "param": spec.lever.path,
        "fund": model.funds[spec.fund].id,
        "value": r.value,
        "value_exact": r.value_exact,
        "rounded_to": finite(r.rounded_to),
        "rounded_to_text": r.rounded_to_text,
        "set": set_string(model, spec, r),
        "target_months": spec.target_months,
        "year": (spec.window.from == spec.window.through).then(|| model.years.year(spec.window.from)),
        "from_year": model.years.year(spec.window.from),
        "through_year": model.years.year(spec.window.through),
        "move_from": model.years.year(spec.lever.from()),
        "achieved_months": r.achieved,
        "achieved_months_exact": r.achieved_exact,
        "probability": spec.probability.as_ref().map(|p| p.0),
        "paths": spec.probability.as_ref().map(|p| p.1),
        "seed": spec.probability.as_ref().map(|p| p.2),
        "bracket": [spec.range.0, spec.range.1],
        "direction": if r.increasing { "smallest value meeting the target" } else { "largest value meeting the target" },
        "nearest_miss": { "value": finite(r.miss_value), "months": finite(r.miss_achieved) },
        "scenario_value": spec.lever.base,
        "evaluations": r.evaluations,
    })
}

/// `solve.csv`: the parameter, its scenario value, the value found (as a
/// notice prints it, and exact), the window and the months achieved.
pub fn solve_csv(model: &Model, spec: &SolveSpec, r: &Solved) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(SOLVE_COLUMNS);
    let y = |t: usize| model.years.year(t).to_string();
    let _ = w.write_record([
        spec.lever.path.clone(),
        spec.lever.base.to_string(),
        r.value.to_string(),
        r.value_exact.to_string(),
        if r.rounded_to.is_nan() {
            String::new()
        } else {
            r.rounded_to.to_string()
        },
        y(spec.window.from),
        y(spec.window.through),
        y(spec.lever.from()),
        r.achieved.to_string(),
    ]);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// How the answer was rounded, in the report's language: `rounded to yuan`,
/// or that no rounded value met the target.
fn rounding(r: &Solved, style: Style) -> String {
    if r.rounded_to.is_nan() {
        return style.t(Key::NotRounded).to_string();
    }
    fill(
        style.t(Key::RoundedTo),
        grain_label(r.rounded_to_text, style),
    )
}

/// The grain's words ([`crate::analysis::solve::notice_grain`]) in the report's language.
pub fn grain_label(text: &str, style: Style) -> String {
    let k = match text {
        "yuan" => Key::GrainYuan,
        "0.1 percentage point" => Key::GrainPp,
        "0.1 %" => Key::GrainPercent,
        "0.01万元" => Key::GrainWan,
        "0.01 yuan" => Key::GrainCents,
        "person" => Key::GrainPerson,
        "0.1 month" => Key::GrainMonth,
        "0.001" => Key::GrainFactor,
        other => return other.to_string(),
    };
    style.t(k).to_string()
}

/// `solve.md` in the report's language.
pub fn markdown(model: &Model, spec: &SolveSpec, r: &Solved, style: Style) -> String {
    let t = |k| style.t(k);
    let fm = &model.funds[spec.fund];
    let w = spec.window;
    let when = if w.from == w.through {
        fill(t(Key::SolveInYear), model.years.year(w.from))
    } else {
        fill(
            &fill(t(Key::SolveEveryYear), model.years.year(w.from)),
            model.years.year(w.through),
        )
    };
    let measure = match &spec.probability {
        Some((p, n, _, _)) => fill(&fill(t(Key::SolveQuantile), quantile_percent(*p)), n),
        None => t(Key::MonthsPayable).to_string(),
    };
    let prob = spec
        .probability
        .as_ref()
        .map(|p| fill(t(Key::SolveWithProbability), p.0))
        .unwrap_or_default();
    let template = if r.increasing {
        t(Key::SolveSmallest)
    } else {
        t(Key::SolveLargest)
    };
    let sentence = [
        super::lever::fund_name(model, fm, style),
        param_label(&spec.lever.path, style.lang),
        measure,
        when,
        spec.target_months.to_string(),
        prob,
    ]
    .iter()
    .fold(template.to_string(), |s, v| fill(&s, v));
    let rows = vec![
        vec![t(Key::ValueFound).to_string(), r.value.to_string()],
        vec![
            t(Key::ValueExact).to_string(),
            format!("{} ({})", r.value_exact, rounding(r, style)),
        ],
        vec![
            t(Key::MovedFrom).to_string(),
            model.years.year(spec.lever.from()).to_string(),
        ],
        vec![
            t(Key::ScenarioValue).to_string(),
            spec.lever.base.to_string(),
        ],
        vec![t(Key::MonthsAchieved).to_string(), style.months(r.achieved)],
        vec![
            t(Key::SearchRange).to_string(),
            format!("{} .. {}", spec.range.0, spec.range.1),
        ],
        vec![
            t(Key::Reproduce).to_string(),
            format!("`--set '{}'`", set_string(model, spec, r)),
        ],
    ];
    format!(
        "# {}\n\n{sentence}\n\n{}",
        fill(t(Key::SolveTitle), scenario_name(model, style.lang)),
        table(&[t(Key::Item), t(Key::Value)], &rows)
    )
}

/// Writes every file of a goal-seek report into `dir`.
pub fn write(
    dir: &Path,
    model: &Model,
    spec: &SolveSpec,
    r: &Solved,
    style: Style,
) -> Result<(), ReportError> {
    let json = serde_json::to_string_pretty(&json(model, spec, r)).unwrap_or_default();
    write_atomic(&dir.join("solve.json"), json.as_bytes())?;
    let md = markdown(model, spec, r, style);
    super::finite::write_table(&dir.join("solve.md"), &md)?;
    let csv = solve_csv(model, spec, r);
    super::finite::write_table(&dir.join("solve.csv"), &csv)?;
    super::workbook::write_command_reports(
        dir,
        style,
        &scenario_name(model, style.lang),
        Some(model),
        &[(sheet(style, Key::SheetSolve, None), csv)],
        &md,
    )
}
