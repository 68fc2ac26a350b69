//! Warnings (not errors) for scenarios that are valid but probably not what
//! the user meant: printed by `validate` and by every command that runs them.

use drgsim::projection::{Model, Projection};
use toml::{Table, Value};

/// Years after the horizon from which a `from` start of growth is suspicious.
const FROM_SLACK: i32 = 10;

/// Every warning for a scenario loaded as `model` (its file and `--set`
/// arguments as read, `model.raw`, not read again) and projected as
/// `projection`.
pub fn warnings(model: &Model, projection: &Projection) -> Vec<String> {
    let mut out = Vec::new();
    walk(&model.raw.doc, "", model, &mut out);
    for f in &projection.funds {
        if f.rows.iter().any(|r| r.drg_cases > 0.0)
            && f.rows.iter().all(|r| r.drg_cases == 0.0 || r.cmi == 0.0)
        {
            out.push(format!(
                "fund {}: every DRG/DIP weight is zero, so DRG/DIP cases are paid nothing; check the group table",
                f.id
            ));
        }
    }
    out
}

fn walk(t: &Table, at: &str, model: &Model, out: &mut Vec<String>) {
    let horizon = model.years.horizon;
    for (k, v) in t {
        let path = if at.is_empty() {
            k.clone()
        } else {
            format!("{at}.{k}")
        };
        match v {
            Value::Table(sub) => {
                if let Some(Value::Integer(from)) = sub.get("from")
                    && sub.contains_key("base")
                    && *from > i64::from(horizon + FROM_SLACK)
                {
                    out.push(format!(
                        "{path}: `from = {from}` is long after the horizon {horizon}: `base` is the value in {from} and every projected year is discounted back from it; did you mean a year up to {horizon}?"
                    ));
                }
                if at == "sensitivity.ranges"
                    && let (Some(lo), Some(hi)) = (num(sub.get("low")), num(sub.get("high")))
                    && lo == hi
                {
                    out.push(format!(
                        "{path}: the range {lo}:{hi} is empty, so this parameter shows no swing"
                    ));
                }
                if k.ends_with("budget_wan") && num(sub.get("base")) == Some(0.0) {
                    out.push(format!(
                        "{path}: the budget starts at 0, so the point value is 0 and hospitals are paid nothing for DRG/DIP cases"
                    ));
                }
                walk(sub, &path, model, out);
            }
            _ => {
                if k.ends_with("budget_wan") && num(Some(v)) == Some(0.0) {
                    out.push(format!(
                        "{path}: the budget is 0, so the point value is 0 and hospitals are paid nothing for DRG/DIP cases"
                    ));
                }
            }
        }
    }
}

fn num(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(x) => Some(*x),
        _ => None,
    }
}
