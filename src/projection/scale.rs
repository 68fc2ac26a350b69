//! Warnings of a compiled scenario about its group tables: defaults taken for
//! missing optional columns, and each table's level against the fund's
//! base-year demand (see [`crate::payment::scale`]).

use super::Model;
use crate::payment::InpatientDemand;
use crate::population::bands::N_BANDS;
use crate::population::membership::Membership;

/// The defaults each fund's group table assumed, and one message per fund whose group table's level does not match its base-year
/// demand (members x profile admissions, profile inpatient cost). Tables that
/// cannot be read here were already reported by the compile.
pub fn scale_warnings(model: &Model) -> Vec<String> {
    let mut out = Vec::new();
    for f in &model.funds {
        let Some(spec) = model.spec.funds.get(&f.id) else {
            continue;
        };
        let Some(groups) = spec.payment.groups.as_ref() else {
            continue;
        };
        let key = format!("funds.{}.payment.groups", f.id);
        let path = model.raw.base_dir(&key).join(groups);
        // the table the compile read, parsed once per process
        let Ok(table) = crate::payment::cache::group_table(&path) else {
            continue;
        };
        out.extend(table.assumed.iter().map(|a| format!("{key}: {a}")));
        let mem = Membership::start(f.base_members, &f.profile);
        let mut d = InpatientDemand::default();
        for b in 0..N_BANDS {
            d.cases_by_band[b] = mem.members[b] * f.profile.admissions[b];
            d.cost_per_case_by_band[b] = f.profile.inpatient_cost[b];
        }
        // The level is the table's: nothing to compare.
        if f.tables_level.is_some() {
            continue;
        }
        if let Some(m) = crate::payment::scale::check(&key, &table, &d) {
            out.push(m.to_string());
        }
    }
    out
}
