//! What each hospital is paid in one projected year: the payment engine's
//! per-hospital settlement with what the projection decided that year (a
//! budget rule that sets the point value, a benefit cut from the policy
//! rules), scaled to the settlement period and cleared against the fund's
//! corridor. Shared by `drgsim hospitals` and the what-if page.

use super::{Model, Projection};
use crate::payment::HospitalResult;

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
