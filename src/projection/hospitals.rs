//! A fund's hospitals settled for one period: what each hospital is paid
//! under DRG/DIP, what its patients and the fund pay, and the year-end
//! clearing. A library function so that the `hospitals` command and any other
//! caller (a web page) settle the same way.

use super::{Model, Projection, project};
use crate::payment::HospitalResult;

/// Why hospitals cannot be settled (no such fund, no hospital table, a year
/// outside the projection); the message says what to change.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SettleError(pub String);

macro_rules! fail {
    ($($t:tt)*) => {
        return Err(SettleError(format!($($t)*)))
    };
}

/// One scenario's hospitals for the reported period.
pub struct Settlement {
    /// The scenario.
    pub model: Model,
    /// The fund whose hospitals are settled.
    pub fund: String,
    /// The settlement year.
    pub year: i32,
    /// Each hospital's settlement, scaled to the settlement period and
    /// cleared under the fund's corridor.
    pub results: Vec<HospitalResult>,
    /// The fund's inpatient reimbursement share that year.
    pub reimbursement: f64,
}

/// Settles `fund`'s hospitals (the only fund with a hospital table when
/// `None`) for `year` (the base year when `None`): the payment engine's year
/// with what the projection decided (budget-set point value, benefit cut),
/// scaled by the settlement period's share of the year (payment is linear in
/// cases), then cleared hospital by hospital (or alliance) under the fund's
/// corridor.
pub fn settle(
    model: Model,
    fund: Option<&str>,
    year: Option<i32>,
) -> Result<Settlement, SettleError> {
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
                fail!(
                    "{}: no fund `{f}`; the funds are {}",
                    model.raw.file.display(),
                    ids(&model)
                );
            }
            if !with_hospitals.contains(&f) {
                fail!(
                    "{}: fund `{f}` has no hospital table; add `hospitals = \"...csv\"` to [funds.{f}.payment]",
                    model.raw.file.display()
                );
            }
            f.to_string()
        }
        None => match with_hospitals.as_slice() {
            [one] => one.to_string(),
            [] => fail!(
                "{}: no fund has a hospital table; the hospitals view needs [funds.<id>.payment] with `groups` and `hospitals` tables",
                model.raw.file.display()
            ),
            many => fail!(
                "{}: several funds have hospital tables ({}); choose one with --fund",
                model.raw.file.display(),
                many.join(", ")
            ),
        },
    };
    let year = year.unwrap_or(model.years.base_year);
    let Some(t) = model.years.index(year) else {
        fail!(
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
        .ok_or_else(|| SettleError(format!("no fund `{id}`")))?;
    let f = &model.funds[fi];
    let results = hospitals_in_year(&model, &projection, fi, t);
    let reimbursement = model.values().get(f.p.inpatient_reimbursement, t);
    Ok(Settlement {
        model,
        fund: id,
        year,
        results,
        reimbursement,
    })
}

/// Per-hospital results of fund `fi` in year index `t` of `projection` (the
/// projection of `model`).
///
/// Payment is linear in cases, so a part-year settlement period
/// (`scenario.settlement_period_share`) is the year scaled by that share.
/// Year-end clearing ([`crate::payment::budget::clear_hospitals`]) applies
/// when the fund has a `[clearing]` section.
pub fn hospitals_in_year(
    model: &Model,
    projection: &Projection,
    fi: usize,
    t: usize,
) -> Vec<HospitalResult> {
    let f = &model.funds[fi];
    let demand = projection.funds[fi].demand[t];
    let share = model.spec.scenario.settlement_period_share;
    let row = &projection.funds[fi].rows[t];
    let inputs = crate::payment::YearInputs {
        budget_yuan: match &f.clearing {
            Some(c) if c.sets_point_value => row.budget_wan * 1e4,
            _ => f64::NAN,
        },
        benefit_cut: row.benefit_cut,
        benefit_floor: f
            .rules
            .benefit
            .as_ref()
            .map_or(0.0, |b| model.values().get(b.floor, t)),
    };
    let mut results: Vec<HospitalResult> = f
        .payment
        .hospitals_year_with(t, model.values(), &demand, &inputs)
        .into_iter()
        .map(|mut h| {
            h.cases *= share;
            h.drg_cases *= share;
            h.ffs_equivalent_yuan *= share;
            h.payment_yuan *= share;
            h.other_payment_yuan *= share;
            h.surplus_yuan *= share;
            h.patient_yuan *= share;
            h.fund_payment_yuan *= share;
            h.fund_ffs_yuan *= share;
            h
        })
        .collect();
    if let Some(c) = &f.clearing {
        crate::payment::budget::clear_hospitals(&mut results, c.level, &c.corridor);
    }
    results
}

fn ids(m: &Model) -> String {
    m.funds
        .iter()
        .map(|f| f.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
