//! The levers the what-if page offers: the registry's declarations that have
//! a [`Group`], expanded for each fund (and hospital level) of the scenario,
//! with the value the scenario gives them and a slider range.
//!
//! A lever is applied exactly as `drgsim run --set PATH=VALUE` applies it
//! ([`RawScenario::set`]), so the page and the command line compute the same
//! projection. A dated parameter written as a constant is set at its path; one
//! written as `{ base, growth }` has its `.base` set (the growth path is kept).
//! Year tables are not offered (a single slider cannot say which year moves).

use crate::report::labels::{Key, Lang};
use crate::scenario::registry::{self, Group, PARAMS, ParamDecl};
use crate::scenario::source::RawScenario;
use serde::Serialize;
use toml::Value;

/// The switch for the policy rules (`[scenario] policy_rules`).
pub const RULES_SWITCH: &str = "scenario.policy_rules";

/// One lever of the page.
#[derive(Clone, Debug, Serialize)]
pub struct Lever {
    /// The `--set` path the value is written to (also the lever's id on the page).
    pub key: String,
    /// Fund id.
    pub fund: String,
    /// Group id ([`Group::id`]).
    pub group: &'static str,
    /// Hospital level for `{level}` parameters.
    pub level: Option<&'static str>,
    /// Chinese and English labels.
    pub label_zh: &'static str,
    /// English label.
    pub label_en: &'static str,
    /// Unit in Chinese.
    pub unit_zh: &'static str,
    /// Unit in English.
    pub unit_en: &'static str,
    /// The value in the scenario (the reset value).
    pub value: f64,
    /// Allowed range (registry).
    pub min: f64,
    /// Allowed range (registry).
    pub max: f64,
    /// Whether `min` itself is excluded.
    pub min_exclusive: bool,
    /// Slider range, within the allowed one.
    pub lo: f64,
    /// Slider range, within the allowed one.
    pub hi: f64,
    /// Slider step.
    pub step: f64,
    /// Whether the lever changes what hospitals are paid.
    pub payment: bool,
    /// Whether the value scales a year table (every year moves in proportion).
    pub scales_table: bool,
    /// The table's first year (the year the value is for), when it scales one.
    pub table_year: Option<String>,
    /// The registry path (`premiums.premium`), for messages.
    #[serde(skip)]
    pub decl: Option<&'static ParamDecl>,
    /// A year table's entries (year, value), when the lever scales one.
    #[serde(skip)]
    pub table: Vec<(String, f64)>,
}

/// The page's levers for a scenario as read. `accepts` is asked whether a
/// lever the file leaves out (so at its registry default) can be written
/// without making the scenario invalid (e.g. a level coefficient in a fund
/// without a hospital table); levers it refuses are not offered.
pub fn levers(raw: &RawScenario, accepts: &dyn Fn(&str, f64) -> bool) -> Vec<Lever> {
    let mut out = Vec::new();
    let Some(funds) = raw.get("funds").and_then(Value::as_table) else {
        return out;
    };
    for group in Group::ALL {
        for (fund, _) in funds {
            for d in PARAMS.iter().filter(|d| d.group == Some(group)) {
                let applies = match d.applies {
                    registry::Applies::All => true,
                    registry::Applies::Resident => {
                        raw.get(&format!("funds.{fund}.premiums")).is_some()
                    }
                    registry::Applies::Employee => {
                        raw.get(&format!("funds.{fund}.contributions")).is_some()
                    }
                };
                if !applies {
                    continue;
                }
                let levels: Vec<Option<&'static str>> = if d.path.contains("{level}") {
                    registry::LEVELS[..3].iter().map(|l| Some(*l)).collect()
                } else {
                    vec![None]
                };
                for level in levels {
                    let rel = match level {
                        Some(l) => d.path.replace("{level}", l),
                        None => d.path.to_string(),
                    };
                    let path = format!("funds.{fund}.{rel}");
                    let mut table = Vec::new();
                    let (key, value) = match raw.get(&path) {
                        Some(v) => match number(v) {
                            Some(x) => (path, x),
                            None => match v.get("base").and_then(number) {
                                Some(x) => (format!("{path}.base"), x),
                                None => match year_table(v) {
                                    Some(t) => {
                                        let first = t[0].1;
                                        table = t;
                                        (path, first)
                                    }
                                    None => continue,
                                },
                            },
                        },
                        None => match d.default {
                            Some(x) if accepts(&path, x) => (path, x),
                            _ => continue,
                        },
                    };
                    let (lo, hi) = slider_range(d, value);
                    let step = nice_step((hi - lo) / 200.0);
                    // on the step's grid, so the slider's stops are round numbers
                    let lo = ((lo / step).floor() * step).max(d.min);
                    let hi = ((hi / step).ceil() * step).min(d.max);
                    out.push(Lever {
                        key,
                        fund: fund.clone(),
                        group: group.id(),
                        level,
                        label_zh: d.label_zh,
                        label_en: d.label_en,
                        unit_zh: d.unit.zh(),
                        unit_en: d.unit.en(),
                        value,
                        min: d.min,
                        max: d.max,
                        min_exclusive: d.min_exclusive,
                        lo,
                        hi,
                        step,
                        payment: group.is_payment(),
                        scales_table: !table.is_empty(),
                        table_year: table.first().map(|(y, _)| y.clone()),
                        decl: Some(d),
                        table,
                    });
                }
            }
        }
    }
    if raw.get("funds").is_some() && has_rules(raw) {
        let on = raw
            .get(RULES_SWITCH)
            .and_then(Value::as_bool)
            .unwrap_or(true);
        out.push(Lever {
            key: RULES_SWITCH.into(),
            fund: String::new(),
            group: Group::Rules.id(),
            level: None,
            label_zh: Key::PolicyRulesOn.get(Lang::Zh),
            label_en: Key::PolicyRulesOn.get(Lang::En),
            unit_zh: "",
            unit_en: "",
            value: if on { 1.0 } else { 0.0 },
            min: 0.0,
            max: 1.0,
            min_exclusive: false,
            lo: 0.0,
            hi: 1.0,
            step: 1.0,
            payment: false,
            scales_table: false,
            table_year: None,
            decl: None,
            table: Vec::new(),
        });
    }
    out
}

/// Whether any fund has a `[rules]` section.
fn has_rules(raw: &RawScenario) -> bool {
    raw.get("funds")
        .and_then(Value::as_table)
        .is_some_and(|t| t.values().any(|f| f.get("rules").is_some()))
}

/// The entries of a `{ values = { YEAR = v, ... } }` form, by year, when the
/// first is not zero (the lever scales the table by `new / first`).
fn year_table(v: &Value) -> Option<Vec<(String, f64)>> {
    let t = v.get("values")?.as_table()?;
    let mut out: Vec<(String, f64)> = t
        .iter()
        .map(|(y, x)| Some((y.clone(), number(x)?)))
        .collect::<Option<_>>()?;
    out.sort_by_key(|(y, _)| y.parse::<i64>().unwrap_or(i64::MAX));
    (!out.is_empty() && out[0].1 != 0.0).then_some(out)
}

/// The `--set` pairs that put `lever` at the checked value `v`: one pair,
/// or for a year table every year scaled by `v / first` (so the table's
/// shape is kept and its first year takes the value).
pub fn expand(lever: &Lever, v: &Value) -> Vec<(String, Value)> {
    match (v, lever.table.as_slice()) {
        (Value::Float(x), t) if !t.is_empty() => {
            let k = x / lever.value;
            t.iter()
                .map(|(y, y0)| {
                    let scaled = if y == &t[0].0 { *x } else { y0 * k };
                    (format!("{}.values.{y}", lever.key), Value::Float(scaled))
                })
                .collect()
        }
        _ => vec![(lever.key.clone(), v.clone())],
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Float(x) => Some(*x),
        Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

/// The slider's range: a share over 0..1; a rate or change the value +-5
/// points; an amount or factor half to one and a half times the value (or
/// 0..1 around zero), always within the registry's range.
fn slider_range(d: &ParamDecl, v: f64) -> (f64, f64) {
    use registry::Unit;
    let (lo, hi) = match d.unit {
        Unit::Share => (0.0, 1.0_f64.max(v)),
        Unit::Rate | Unit::Change => (v - 0.05, v + 0.05),
        Unit::Months => (0.0, (2.0 * v).max(24.0)),
        _ if v.abs() > 0.0 => (0.5 * v.min(v * 3.0), 1.5 * v.max(v / 3.0)),
        Unit::Yuan => (0.0, 2_000.0),
        Unit::Wan | Unit::Persons => (0.0, 100_000.0),
        _ => (0.0, 1.0),
    };
    let lo = lo.max(d.min);
    let hi = hi.min(d.max);
    (lo.min(v), hi.max(v))
}

/// A round step near `x` (1, 2 or 5 times a power of ten).
fn nice_step(x: f64) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    let m = x / p;
    let k = if m < 1.5 {
        1.0
    } else if m < 3.5 {
        2.0
    } else if m < 7.5 {
        5.0
    } else {
        10.0
    };
    k * p
}

/// A lever value from the page, checked: the key must be one of `levers`
/// and the value inside the parameter's range. The message names the
/// parameter.
pub fn check(levers: &[Lever], key: &str, v: &serde_json::Value) -> Result<Value, String> {
    let Some(l) = levers.iter().find(|l| l.key == key) else {
        return Err(format!(
            "`{key}` is not a lever of this page; the levers are the parameters listed by /api/levers"
        ));
    };
    if l.key == RULES_SWITCH {
        return match v {
            serde_json::Value::Bool(b) => Ok(Value::Boolean(*b)),
            serde_json::Value::Number(n) if n.as_f64() == Some(0.0) => Ok(Value::Boolean(false)),
            serde_json::Value::Number(n) if n.as_f64() == Some(1.0) => Ok(Value::Boolean(true)),
            _ => Err(format!("`{key}` must be true or false")),
        };
    }
    let Some(x) = v.as_f64() else {
        return Err(format!("`{key}` must be a number, not {v}"));
    };
    let d = l.decl.expect("numeric levers have a declaration");
    if !d.allows(x) {
        return Err(format!("`{key}` = {x}: it must be {}", d.range_text()));
    }
    Ok(Value::Float(x))
}

/// The `--set` argument for a checked value (`path=value`).
pub fn set_arg(key: &str, v: &Value) -> String {
    match v {
        Value::Float(x) => format!("{key}={}", float_text(*x)),
        other => format!("{key}={other}"),
    }
}

/// A float as TOML writes it, exact (Rust's shortest round-trip form).
pub fn float_text(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains(['.', 'e', 'E', 'i', 'n']) {
        s
    } else {
        format!("{s}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps_are_round() {
        assert_eq!(nice_step(0.013), 0.01);
        assert_eq!(nice_step(2.7), 2.0);
        assert_eq!(nice_step(60.0), 50.0);
        assert_eq!(nice_step(0.0), 1.0);
    }

    #[test]
    fn slider_ranges_stay_inside_the_registry() {
        let d = registry::decl("premiums.premium");
        let (lo, hi) = slider_range(d, 380.0);
        assert_eq!((lo, hi), (190.0, 570.0));
        let d = registry::decl("enrollment.decline");
        let (lo, hi) = slider_range(d, 0.014);
        assert!((lo + 0.036).abs() < 1e-12 && (hi - 0.064).abs() < 1e-12);
        let d = registry::decl("payment.coverage");
        assert_eq!(slider_range(d, 0.9), (0.0, 1.0));
    }

    #[test]
    fn floats_round_trip_through_the_set_text() {
        for x in [420.0, 0.1 + 0.2, 1e-7, -3.5] {
            let t = float_text(x);
            assert_eq!(t.parse::<f64>().unwrap(), x, "{t}");
        }
    }
}
