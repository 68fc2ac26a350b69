//! One year of a chunk's paths, in the order the year loop (`run.rs`) calls
//! the pieces: head counts and inpatient demand ([`heads_and_demand`]),
//! revenue and the inputs of the payment engine ([`revenue`]), then, after the
//! chunk's inpatient payment, spending ([`spending`]) and each path's
//! clearing, backstop and books ([`books`]).
//!
//! The arithmetic common to every path runs across the chunk's lanes ([`V`]:
//! one AVX instruction, or two SSE2 ones, an operation, each lane rounded as
//! the scalar operation); what branches on a path's own figures (the policy
//! rules, the clearing corridors, the backstop, the status) runs path by path.
//! Either way each path's numbers come from the same operations in the same
//! order as before the lanes, bit for bit (tests/fixtures.rs).

use super::model::{FundModel, TablesLevel};
use super::rules::{Adjustments, LastYear, RuleState, cut_share, topup};
use crate::fund::accounts::{self, AccountInputs};
use crate::fund::{Thresholds, YearRow, months_payable};
use crate::payment::budget::{ClearingLevel, Covers};
use crate::payment::{DemandLanes, InpatientYear, YearInputs};
use crate::population::bands::FIRST_60PLUS;
use crate::population::lanes::{V, each_band};
use crate::population::{AgeProfile, LANES, MembershipLanes};
use crate::scenario::schema::FundKind;
use crate::scenario::{ParamId, ParamValues};

/// One path's state carried from one year to the next.
#[derive(Clone, Copy)]
pub(super) struct PathState {
    pub(super) balance: f64,
    pub(super) adm_idx: f64,
    pub(super) ip_cost_idx: f64,
    pub(super) visit_idx: f64,
    pub(super) op_cost_idx: f64,
    /// Budget base carried from one year's clearing to the next (万元).
    pub(super) clearing_base: f64,
    pub(super) rules: RuleState,
    pub(super) last: LastYear,
}

/// Parameter `id` in year `t` of each of the chunk's paths `ps` (a lane past
/// the paths repeats the first path's value: harmless, never read).
#[inline(always)]
fn param(ps: &[&ParamValues], id: ParamId, t: usize) -> V {
    // A full chunk (all but the last of a run) read lane by lane as written
    // (an array `map` or loop here is not inlined as well: 1.5 % more
    // instructions in a Monte Carlo run).
    const _: () = assert!(LANES == 4, "year::param reads a full chunk as four lanes");
    if let [a, b, c, d] = ps {
        return V([a.get(id, t), b.get(id, t), c.get(id, t), d.get(id, t)]);
    }
    let first = ps[0].get(id, t);
    V(std::array::from_fn(|i| {
        if i < ps.len() {
            ps[i].get(id, t)
        } else {
            first
        }
    }))
}

/// `x / 1e4` (yuan -> 万元) in every lane.
#[inline(always)]
fn wan(x: V) -> V {
    x / V::splat(1e4)
}

/// The chunk's per-path indices of the year (cumulated growth).
#[derive(Clone, Copy)]
pub(super) struct Indices {
    pub(super) visit: V,
    pub(super) op_cost: V,
    pub(super) admissions: V,
    pub(super) ip_cost: V,
}

/// Head counts and outpatient cost of the chunk's paths for the year.
#[derive(Clone, Copy)]
pub(super) struct Heads {
    pub(super) members: V,
    pub(super) old: V,
    pub(super) young: V,
    pub(super) op_cost: V,
    /// Retired members (employee funds; -0.0 otherwise).
    pub(super) retirees: V,
}

/// Head counts and outpatient cost of every path of the chunk, and their
/// inpatient demand into `demand`, band by band across the lanes (bands
/// written out, `each_band`; the fund kind and the demand level chosen outside
/// the bands). Each path's sums run in band order, from -0.0 as
/// `Iterator::sum` (the outpatient cost from 0.0), the retirees only in
/// employee funds (-0.0 otherwise). Demand: `cases_b = members_b x
/// admissions_b x admission index` and `cost_b = inpatient cost_b x cost
/// index`; with `demand_level = "tables"` the cases x `K` and the cost per
/// case from the group table (`model::TablesLevel`).
#[inline(always)]
pub(super) fn heads_and_demand(
    f: &FundModel,
    mem: &MembershipLanes,
    ix: Indices,
    demand: &mut DemandLanes,
) -> Heads {
    match (f.kind, &f.tables_level) {
        (FundKind::Resident, None) => heads_in::<false>(f, mem, ix, None, demand),
        (FundKind::Resident, Some(tl)) => heads_in::<false>(f, mem, ix, Some(tl), demand),
        (FundKind::Employee, None) => heads_in::<true>(f, mem, ix, None, demand),
        (FundKind::Employee, Some(tl)) => heads_in::<true>(f, mem, ix, Some(tl), demand),
    }
}

#[inline(always)]
fn heads_in<const EMPLOYEE: bool>(
    f: &FundModel,
    mem: &MembershipLanes,
    ix: Indices,
    tl: Option<&TablesLevel>,
    demand: &mut DemandLanes,
) -> Heads {
    let prof = &f.profile;
    let mut h = Heads {
        members: V::splat(-0.0),
        old: V::splat(-0.0),
        young: V::splat(-0.0),
        retirees: V::splat(-0.0),
        op_cost: V::splat(0.0),
    };
    match tl {
        None => each_band(
            #[inline(always)]
            |b| {
                demand.cases[b] = h.add::<EMPLOYEE>(prof, mem, ix, b).0;
                demand.cost[b] = (V::splat(prof.inpatient_cost[b]) * ix.ip_cost).0;
            },
        ),
        Some(tl) => each_band(
            #[inline(always)]
            |b| {
                let cases = h.add::<EMPLOYEE>(prof, mem, ix, b);
                demand.cases[b] = (cases * V::splat(tl.cases_factor)).0;
                demand.cost[b] = (V::splat(tl.cost_per_case_by_band[b]) * ix.ip_cost).0;
            },
        ),
    }
    h
}

impl Heads {
    /// Adds band `b` and returns its cases before any table level:
    /// `members_b x admissions_b x admission index`.
    #[inline(always)]
    fn add<const EMPLOYEE: bool>(
        &mut self,
        prof: &AgeProfile,
        mem: &MembershipLanes,
        ix: Indices,
        b: usize,
    ) -> V {
        let mb = V(mem.members[b]);
        self.members = self.members + mb;
        self.op_cost = self.op_cost
            + mb * V::splat(prof.outpatient_visits[b])
                * ix.visit
                * V::splat(prof.outpatient_cost[b])
                * ix.op_cost;
        if b >= FIRST_60PLUS {
            self.old = self.old + mb;
        }
        if b < 4 {
            self.young = self.young + mb;
        }
        if EMPLOYEE {
            self.retirees = self.retirees + mb * V::splat(prof.retired_share[b]);
        }
        mb * V::splat(prof.admissions[b]) * ix.admissions
    }
}

/// The chunk's revenue for the year, computed before the inpatient payment
/// and written into each path's row after it (`YearRow` fields of the same
/// names; [`Revenue::write`] adds the figures derived from them).
#[derive(Clone, Copy)]
pub(super) struct Revenue {
    premium_yuan: V,
    subsidy_yuan: V,
    premium_wan: V,
    subsidy_wan: V,
    active_workers: V,
    retirees: V,
    personal_account_revenue_wan: V,
    contributions_pooled_wan: V,
    personal_account_spending_wan: V,
    interest_wan: V,
    other_income_wan: V,
    pooled_revenue_wan: V,
    revenue_wan: V,
}

/// The chunk's revenue for year `t` (yuan -> 万元 by / 1e4), and the inputs
/// each path hands the payment engine (into `inputs`): a budget rule that
/// sets the point value is evaluated before payment.
#[inline(always)]
pub(super) fn revenue(
    f: &FundModel,
    ps: &[&ParamValues],
    t: usize,
    h: &Heads,
    adjs: &[Adjustments; LANES],
    st: &[PathState; LANES],
    inputs: &mut [YearInputs],
) -> Revenue {
    let ids = &f.p;
    let n = ps.len();
    let zero = V::splat(0.0);
    let mut r = Revenue {
        premium_yuan: zero,
        subsidy_yuan: zero,
        premium_wan: zero,
        subsidy_wan: zero,
        active_workers: zero,
        retirees: zero,
        personal_account_revenue_wan: zero,
        contributions_pooled_wan: zero,
        personal_account_spending_wan: zero,
        interest_wan: zero,
        other_income_wan: zero,
        pooled_revenue_wan: zero,
        revenue_wan: zero,
    };
    match f.kind {
        FundKind::Resident => {
            // the standard after the rules' premium response, path by path
            for i in 0..n {
                let p = ps[i];
                (r.premium_yuan.0[i], r.subsidy_yuan.0[i]) =
                    adjs[i].standard(p.get(ids.premium, t), p.get(ids.subsidy, t));
            }
            r.premium_wan = wan(h.members * param(ps, ids.paying_share, t) * r.premium_yuan);
            r.subsidy_wan = wan(h.members * param(ps, ids.subsidy_heads_share, t) * r.subsidy_yuan);
        }
        FundKind::Employee => {
            let active = h.members - h.retirees;
            r.active_workers = active;
            r.retirees = h.retirees;
            for i in 0..n {
                let p = ps[i];
                let acc = accounts::split(&AccountInputs {
                    active: active.0[i],
                    retirees: h.retirees.0[i],
                    wage: p.get(ids.wage, t),
                    rate: p.get(ids.contribution_rate, t),
                    share: p.get(ids.personal_account_share, t),
                    worker_rate: p.get(ids.personal_account_rate, t),
                    retiree_yuan: p.get(ids.retiree_account_yuan, t),
                });
                r.personal_account_revenue_wan.0[i] = acc.credited_wan;
                r.contributions_pooled_wan.0[i] = acc.pooled_wan;
            }
            r.personal_account_spending_wan =
                r.personal_account_revenue_wan * param(ps, ids.personal_account_use, t);
        }
    }
    let balance = V(std::array::from_fn(|i| st[i].balance));
    r.interest_wan = balance * param(ps, ids.interest_rate, t);
    r.other_income_wan = param(ps, ids.other_income_wan, t);
    r.pooled_revenue_wan = r.premium_wan
        + r.subsidy_wan
        + r.contributions_pooled_wan
        + r.interest_wan
        + r.other_income_wan;
    r.revenue_wan = r.pooled_revenue_wan + r.personal_account_revenue_wan;

    for i in 0..n {
        let p = ps[i];
        let rule_budget_wan = match &f.clearing {
            Some(c) if c.sets_point_value => {
                c.budget_wan(t, p, st[i].clearing_base, r.pooled_revenue_wan.0[i])
            }
            _ => f64::NAN,
        };
        let benefit_floor = f.rules.benefit.as_ref().map_or(0.0, |b| p.get(b.floor, t));
        inputs[i] = YearInputs {
            budget_yuan: rule_budget_wan * 1e4,
            benefit_cut: adjs[i].benefit_cut,
            benefit_floor,
        };
    }
    r
}

impl Revenue {
    /// Writes path `i`'s revenue and head counts into `r`, with the figures
    /// derived from them (member shares, subsidy split, active/retired ratio).
    #[inline(always)]
    pub(super) fn write(&self, f: &FundModel, h: &Heads, i: usize, r: &mut YearRow) {
        let members = h.members.0[i];
        r.members = members;
        r.members_60plus_share = h.old.0[i] / members;
        r.members_under20_share = h.young.0[i] / members;
        r.premium_yuan = self.premium_yuan.0[i];
        r.subsidy_yuan = self.subsidy_yuan.0[i];
        r.premium_wan = self.premium_wan.0[i];
        r.subsidy_wan = self.subsidy_wan.0[i];
        r.personal_account_revenue_wan = self.personal_account_revenue_wan.0[i];
        r.contributions_pooled_wan = self.contributions_pooled_wan.0[i];
        r.personal_account_spending_wan = self.personal_account_spending_wan.0[i];
        r.interest_wan = self.interest_wan.0[i];
        r.other_income_wan = self.other_income_wan.0[i];
        r.pooled_revenue_wan = self.pooled_revenue_wan.0[i];
        r.revenue_wan = self.revenue_wan.0[i];
        match f.kind {
            FundKind::Resident => {
                r.subsidy_central_wan = r.subsidy_wan * f.subsidy_split[0];
                r.subsidy_provincial_wan = r.subsidy_wan * f.subsidy_split[1];
                r.subsidy_local_wan = r.subsidy_wan * f.subsidy_split[2];
            }
            FundKind::Employee => {
                let (active, retirees) = (self.active_workers.0[i], self.retirees.0[i]);
                r.active_workers = active;
                r.retirees = retirees;
                r.active_retired_ratio = if retirees > 0.0 {
                    active / retirees
                } else {
                    f64::INFINITY
                };
            }
        }
    }
}

/// The chunk's spending for the year before clearing, 万元.
#[derive(Clone, Copy)]
pub(super) struct Spending {
    inpatient_wan: V,
    drg_fund_payment_wan: V,
    outpatient_wan: V,
    major_illness_wan: V,
    out_of_area_wan: V,
    other_spending_wan: V,
    pooled_expenditure_wan: V,
}

/// The chunk's spending for year `t` from the inpatient payment `ips`. The
/// fund pays the hospital payment less what patients paid on the bill
/// (PRIMER §3): a DRG/DIP case's standard minus the patient's share, a
/// fee-for-service case reimbursement x cost. A benefit cut (policy rules)
/// lowers the fund's share of the bill inside the payment engine, and of the
/// outpatient bill here.
#[inline(always)]
pub(super) fn spending(
    f: &FundModel,
    ps: &[&ParamValues],
    t: usize,
    h: &Heads,
    adjs: &[Adjustments; LANES],
    inputs: &[YearInputs],
    ips: &[InpatientYear],
) -> Spending {
    let ids = &f.p;
    let n = ps.len();
    let (mut fund, mut drg_fund, mut op_share) = ([0.0; LANES], [0.0; LANES], [0.0; LANES]);
    for i in 0..n {
        fund[i] = ips[i].fund_yuan;
        drg_fund[i] = ips[i].drg_fund_yuan;
        let share = ps[i].get(ids.outpatient_reimbursement, t);
        op_share[i] = match &f.rules.benefit {
            Some(_) => cut_share(share, adjs[i].benefit_cut, inputs[i].benefit_floor),
            None => share,
        };
    }
    let inpatient_wan = wan(V(fund));
    let outpatient_wan = wan(h.op_cost * V(op_share));
    let major_illness_wan = wan(h.members * param(ps, ids.major_illness_per_member, t));
    let out_of_area_wan = wan(h.members * param(ps, ids.out_of_area_per_member, t));
    let other_spending_wan = param(ps, ids.other_spending_wan, t);
    Spending {
        inpatient_wan,
        drg_fund_payment_wan: wan(V(drg_fund)),
        outpatient_wan,
        major_illness_wan,
        out_of_area_wan,
        other_spending_wan,
        pooled_expenditure_wan: inpatient_wan
            + outpatient_wan
            + major_illness_wan
            + out_of_area_wan
            + other_spending_wan,
    }
}

/// Path `i` of the chunk from its spending on: the payment's figures into
/// `r`, year-end clearing, backstop and books; updates the path's state.
#[allow(clippy::too_many_arguments)] // the loop's own pieces, one call site
#[inline(always)]
pub(super) fn books(
    f: &FundModel,
    p: &ParamValues,
    t: usize,
    sp: &Spending,
    demand: &DemandLanes,
    i: usize,
    inputs: &YearInputs,
    ip: &InpatientYear,
    adj: Adjustments,
    s: &mut PathState,
    th: Thresholds,
    r: &mut YearRow,
) {
    let mut balance = s.balance;
    let mut clearing_base = s.clearing_base;
    let pa_spending = r.personal_account_spending_wan;
    r.inpatient_cases = ip.cases;
    r.drg_cases = ip.drg_cases;
    r.cmi = ip.cmi;
    r.base_rate = ip.base_rate;
    r.point_value = ip.point_value;
    r.settlement_ratio = ip.fund_settlement_ratio;
    r.settlement_ratio_full_cost = ip.settlement_ratio;
    r.inpatient_ffs_equivalent_wan = ip.ffs_equivalent_yuan / 1e4;
    r.drg_payment_wan = ip.drg_payment_yuan / 1e4;
    r.drg_fund_payment_wan = sp.drg_fund_payment_wan.0[i];
    r.drg_fund_ffs_wan = ip.drg_fund_ffs_yuan / 1e4;
    r.inpatient_hospital_wan = ip.total_payment_yuan / 1e4;
    r.inpatient_patient_wan = ip.patient_yuan / 1e4;
    r.inpatient_wan = sp.inpatient_wan.0[i];
    r.budget_wan = f64::NAN;
    r.benefit_cut = adj.benefit_cut;
    r.outpatient_wan = sp.outpatient_wan.0[i];
    r.major_illness_wan = sp.major_illness_wan.0[i];
    r.out_of_area_wan = sp.out_of_area_wan.0[i];
    r.other_spending_wan = sp.other_spending_wan.0[i];
    r.pooled_expenditure_wan = sp.pooled_expenditure_wan.0[i];

    // Year-end clearing against the budget (payment::budget, payment::clearing).
    if let Some(c) = &f.clearing {
        let adjustment_wan = match c.level {
            ClearingLevel::Region => {
                let budget = c.budget_wan(t, p, clearing_base, r.pooled_revenue_wan);
                let actual = match c.covers {
                    Covers::Drg => r.drg_fund_payment_wan,
                    Covers::Inpatient => r.inpatient_wan,
                    Covers::Pooled => r.pooled_expenditure_wan,
                };
                let y = c.clear_region(budget, actual);
                r.budget_wan = budget;
                clearing_base = y.next_base_wan;
                y.adjustment_wan
            }
            level => {
                f.payment
                    .hospital_clearing(t, p, &demand.lane(i), inputs, level, &c.corridor)
                    / 1e4
            }
        };
        r.clearing_wan = adjustment_wan;
        r.inpatient_wan += adjustment_wan;
        r.pooled_expenditure_wan += adjustment_wan;
    }
    r.expenditure_wan = r.pooled_expenditure_wan + pa_spending;
    r.spending_per_member_yuan = r.pooled_expenditure_wan * 1e4 / r.members;

    // Local finance tops up a shortfall (its own revenue line); a topped-up
    // year ends where the backstop leaves it (exactly on its line unless
    // capped: `rules::topup`).
    let mut topped = None;
    if let Some(b) = &f.rules.backstop {
        let before = balance + r.pooled_revenue_wan - r.pooled_expenditure_wan;
        let top = topup(b, p, t, before, r.pooled_expenditure_wan);
        r.fiscal_backstop_wan = top.transfer_wan;
        r.pooled_revenue_wan += r.fiscal_backstop_wan;
        r.revenue_wan += r.fiscal_backstop_wan;
        if top.transfer_wan > 0.0 {
            topped = Some(top.balance_wan);
        }
    }

    // Books.
    r.surplus_wan = r.pooled_revenue_wan - r.pooled_expenditure_wan;
    r.surplus_rate = r.surplus_wan / r.pooled_revenue_wan;
    balance = topped.unwrap_or(balance + r.surplus_wan);
    r.balance_wan = balance;
    r.months_payable = months_payable(balance, r.pooled_expenditure_wan);
    r.status = th.status(balance, r.months_payable);
    s.last = LastYear {
        surplus_wan: r.surplus_wan,
        months_payable: r.months_payable,
    };
    s.balance = balance;
    s.clearing_base = clearing_base;
}
