//! The year loop: pure (model and parameter values in, rows out) and
//! allocation-free once its output buffers exist, because Monte Carlo and
//! sensitivity call it thousands of times.

use super::model::{FundModel, Model, TablesLevel};
use super::rules::{Adjustments, LastYear, RuleState, cut_share, topup};
use crate::fund::accounts::{self, AccountInputs};
use crate::fund::{Thresholds, YearRow, months_payable};
use crate::payment::budget::{ClearingLevel, Covers};
use crate::payment::{DemandLanes, InpatientDemand, InpatientYear, SameFactors, YearInputs};
use crate::population::bands::FIRST_60PLUS;
use crate::population::lanes::{V, each_band};
use crate::population::{AgeProfile, ByBand, Drivers, LANES, Membership, MembershipLanes, N_BANDS};
use crate::scenario::schema::FundKind;
use crate::scenario::{ParamId, ParamValues};

/// A projection: every fund, every year.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    /// One entry per fund, in the model's order.
    pub funds: Vec<FundProjection>,
}

/// One fund's projected years.
#[derive(Clone, Debug, PartialEq)]
pub struct FundProjection {
    /// Fund id.
    pub id: String,
    /// Fund display name.
    pub name: String,
    /// Resident or employee.
    pub kind: FundKind,
    /// Members by band, per year (for the membership chart).
    pub members_by_band: Vec<[f64; N_BANDS]>,
    /// Inpatient demand handed to the payment model, per year (for the
    /// hospital report).
    pub demand: Vec<InpatientDemand>,
    /// One row per year, base year first.
    pub rows: Vec<YearRow>,
}

impl Projection {
    /// Empty buffers shaped for `model` (allocate once, reuse with [`project_into`]).
    pub fn for_model(model: &Model) -> Projection {
        let n = model.years.len();
        Projection {
            funds: model
                .funds
                .iter()
                .map(|f| FundProjection {
                    id: f.id.clone(),
                    name: f.name.clone(),
                    kind: f.kind,
                    members_by_band: vec![[0.0; N_BANDS]; n],
                    demand: vec![InpatientDemand::default(); n],
                    rows: (0..n)
                        .map(|t| YearRow::empty(model.years.year(t)))
                        .collect(),
                })
                .collect(),
        }
    }

    /// The projection of the fund with this id.
    pub fn fund(&self, id: &str) -> Option<&FundProjection> {
        self.funds.iter().find(|f| f.id == id)
    }
}

/// Projects `model` with its own parameter values.
pub fn project(model: &Model) -> Projection {
    project_with(model, model.values())
}

/// Projects `model` with parameter values `p` (e.g. a Monte Carlo draw).
pub fn project_with(model: &Model, p: &ParamValues) -> Projection {
    let mut out = Projection::for_model(model);
    project_into(model, p, &mut out);
    out
}

/// Projects into buffers made by [`Projection::for_model`] for the same model.
/// A chunk of one path through [`project_many`].
pub fn project_into(model: &Model, p: &ParamValues, out: &mut Projection) {
    project_many(model, &[p], &mut [out]);
}

/// Where the year loop hands each path's years: the full [`Projection`]
/// keeps every row (`[&mut Projection]` is a sink), Monte Carlo only the two
/// series it summarises. The loop is generic over the sink, so a sink that
/// reads two fields of the row lets the compiler drop the rest of the row's
/// bookkeeping, without a second copy of the loop.
pub trait RowSink {
    /// Year `t` of fund `fi` (the model's order) of path `i` (its index in
    /// the parameter sets given to [`project_many_to`]): the row, and the
    /// members by band and inpatient demand behind it (`detail`, read only
    /// by a sink that keeps them).
    fn row(&mut self, i: usize, fi: usize, t: usize, row: &YearRow, detail: &PathDetail<'_>);
}

/// A path-year's members by band and the inpatient demand handed to the
/// payment model, where the year loop keeps them (one lane of the chunk's
/// arrays) or where a stored projection does: gathered only when asked for.
#[derive(Clone, Copy)]
pub struct PathDetail<'a>(Detail<'a>);

#[derive(Clone, Copy)]
enum Detail<'a> {
    Lane {
        members: &'a MembershipLanes,
        demand: &'a DemandLanes,
        lane: usize,
    },
    Path {
        members: &'a ByBand,
        demand: &'a InpatientDemand,
    },
}

impl<'a> PathDetail<'a> {
    /// The detail of a path kept on its own (a stored [`FundProjection`]'s year).
    pub fn of(members: &'a ByBand, demand: &'a InpatientDemand) -> PathDetail<'a> {
        PathDetail(Detail::Path { members, demand })
    }

    /// Members by band.
    #[inline]
    pub fn members(&self) -> ByBand {
        match self.0 {
            Detail::Lane { members, lane, .. } => members.members_of(lane),
            Detail::Path { members, .. } => *members,
        }
    }

    /// The inpatient demand handed to the payment model.
    #[inline]
    pub fn demand(&self) -> InpatientDemand {
        match self.0 {
            Detail::Lane { demand, lane, .. } => demand.lane(lane),
            Detail::Path { demand, .. } => *demand,
        }
    }
}

/// The full projection: `outs[i]` keeps every row of path `i`.
impl RowSink for [&mut Projection] {
    #[inline]
    fn row(&mut self, i: usize, fi: usize, t: usize, row: &YearRow, detail: &PathDetail<'_>) {
        let out = &mut self[i].funds[fi];
        out.rows[t] = *row;
        out.members_by_band[t] = detail.members();
        out.demand[t] = detail.demand();
    }
}

/// Projects several parameter sets at once (`ps[i]` into `outs[i]`, buffers
/// made by [`Projection::for_model`]): [`project_many_to`] with the full
/// projection as the sink.
///
/// # Panics
/// If `ps` and `outs` differ in length (a caller's bug).
pub fn project_many(model: &Model, ps: &[&ParamValues], outs: &mut [&mut Projection]) {
    assert_eq!(ps.len(), outs.len(), "one output per parameter set");
    project_many_to(model, ps, outs);
}

/// Projects several parameter sets at once, path `i` (`ps[i]`) handed to
/// `sink` year by year: the one year loop of drgsim. Paths run in chunks of
/// `LANES` (4), year by year: year `t` of every path of the chunk before
/// year `t + 1`, the cohort step across the chunk's paths at once
/// (`MembershipLanes`), the chunk's inpatient payment in one call
/// ([`PaymentModel::pay_year_lanes`](crate::payment::PaymentModel::pay_year_lanes)).
/// Each path's numbers come from the same operations in the same order
/// whatever the chunk and the sink, so they are bit for bit those of the
/// path projected alone.
pub fn project_many_to<S: RowSink + ?Sized>(model: &Model, ps: &[&ParamValues], sink: &mut S) {
    project_varying_to(model, ps, None, sink)
}

/// [`project_many_to`] for parameter sets that differ only in the rows
/// `varying` (Monte Carlo and sensitivity: the model's values with their
/// levers' rows moved): a fund whose payment reads none of them evaluates the
/// year's payment factors once per chunk, not once per path
/// ([`PaymentModel::same_factors`](crate::payment::PaymentModel::same_factors)).
/// The same numbers, bit for bit, when the sets do differ only there; `None`
/// for sets that may differ anywhere.
pub fn project_varying_to<S: RowSink + ?Sized>(
    model: &Model,
    ps: &[&ParamValues],
    varying: Option<&[ParamId]>,
    sink: &mut S,
) {
    for (c, ps) in ps.chunks(LANES).enumerate() {
        for (fi, f) in model.funds.iter().enumerate() {
            // a few dozen comparisons a chunk, and no allocation
            let same = varying.and_then(|v| f.payment.same_factors(v));
            let chunk = Chunk {
                model,
                f,
                fi,
                ps,
                same,
                first: c * LANES,
            };
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx") {
                // SAFETY: `project_fund_avx` needs AVX, which the CPU has.
                unsafe { project_fund_avx(chunk, sink) };
                continue;
            }
            project_fund(chunk, sink);
        }
    }
}

/// A path's head counts and outpatient cost for the year (summed across the chunk).
#[derive(Clone, Copy)]
struct Heads {
    members: f64,
    old: f64,
    young: f64,
    op_cost: f64,
    /// Retired members (employee funds; -0.0 otherwise).
    retirees: f64,
}

/// One path's state carried from one year to the next.
#[derive(Clone, Copy)]
struct PathState {
    balance: f64,
    adm_idx: f64,
    ip_cost_idx: f64,
    visit_idx: f64,
    op_cost_idx: f64,
    /// Budget base carried from one year's clearing to the next (万元).
    clearing_base: f64,
    rules: RuleState,
    last: LastYear,
}

/// A chunk of up to `LANES` paths of fund `f` (number `fi`), to be handed to
/// the sink as paths `first + i` (`same`: the paths share the payment's
/// parameters).
#[derive(Clone, Copy)]
struct Chunk<'a> {
    model: &'a Model,
    f: &'a FundModel,
    fi: usize,
    ps: &'a [&'a ParamValues],
    same: Option<SameFactors>,
    first: usize,
}

/// [`project_fund`] compiled for AVX: the lane operations (`V`) one 256-bit
/// instruction each. Without FMA every operation rounds as in the baseline
/// form, so every CPU gets the same numbers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn project_fund_avx<S: RowSink + ?Sized>(c: Chunk<'_>, sink: &mut S) {
    project_fund(c, sink)
}

/// A chunk's paths, every year, handed to `sink`.
#[inline(always)]
fn project_fund<S: RowSink + ?Sized>(c: Chunk<'_>, sink: &mut S) {
    let Chunk {
        model,
        f,
        fi,
        ps,
        same,
        first,
    } = c;
    let n = ps.len();
    let ids = &f.p;
    let prof = &f.profile;
    let th = model.thresholds;
    let mut mem = MembershipLanes::start(&Membership::start(f.base_members, prof), n);
    let mut st = [PathState {
        balance: f.opening_balance_wan,
        adm_idx: 1.0,
        ip_cost_idx: 1.0,
        visit_idx: 1.0,
        op_cost_idx: 1.0,
        clearing_base: f64::NAN,
        rules: RuleState::default(),
        last: LastYear {
            surplus_wan: 0.0,
            months_payable: f64::INFINITY,
        },
    }; LANES];
    let mut adjs = [Adjustments::NONE; LANES];
    let mut drivers = [Drivers {
        mortality_multiplier: 1.0,
        fertility_multiplier: 1.0,
        entrants: 0.0,
        decline: 0.0,
        selectivity: 0.0,
    }; LANES];
    let mut demand = DemandLanes::NONE;
    let mut inputs = [YearInputs::NONE; LANES];
    let mut ips = [InpatientYear::default(); LANES];
    let mut revs = [Revenue::default(); LANES];
    for t in 0..model.years.len() {
        for i in 0..n {
            let (p, s) = (ps[i], &mut st[i]);
            // The managers' response to last year's books (nothing in the base year).
            adjs[i] = s.rules.step(&f.rules, p, t, s.last);
            if t > 0 {
                drivers[i] = Drivers {
                    mortality_multiplier: p.get(ids.mortality_multiplier, t),
                    fertility_multiplier: p.get(ids.fertility_multiplier, t),
                    entrants: p.get(ids.entrants, t),
                    decline: p.get(ids.decline, t),
                    selectivity: p.get(ids.selectivity, t),
                };
                s.adm_idx *= 1.0 + p.get(ids.admission_growth, t);
                s.ip_cost_idx *= 1.0 + p.get(ids.inpatient_cost_growth, t);
                s.visit_idx *= 1.0 + p.get(ids.outpatient_visit_growth, t);
                s.op_cost_idx *= 1.0 + p.get(ids.outpatient_cost_growth, t);
            }
        }
        if t > 0 {
            mem.step(prof, &drivers[..n]);
        }
        // Head counts, outpatient cost, (employee funds) retirees and the
        // inpatient demand handed to the payment model, across the chunk
        // (`heads_and_demand`); lanes past `n` hold a harmless copy of the
        // start and are never read.
        let idx = |g: fn(&PathState) -> f64| V(std::array::from_fn(|i| g(&st[i])));
        let ix = Indices {
            visit: idx(|s| s.visit_idx),
            op_cost: idx(|s| s.op_cost_idx),
            admissions: idx(|s| s.adm_idx),
            ip_cost: idx(|s| s.ip_cost_idx),
        };
        let heads = match (f.kind, &f.tables_level) {
            (FundKind::Resident, None) => heads_and_demand::<false>(f, &mem, ix, None, &mut demand),
            (FundKind::Resident, Some(tl)) => {
                heads_and_demand::<false>(f, &mem, ix, Some(tl), &mut demand)
            }
            (FundKind::Employee, None) => heads_and_demand::<true>(f, &mem, ix, None, &mut demand),
            (FundKind::Employee, Some(tl)) => {
                heads_and_demand::<true>(f, &mem, ix, Some(tl), &mut demand)
            }
        };
        // Revenue of every path, then the chunk's inpatient payment in one
        // call, then the rest of each path's year.
        let year = model.years.year(t);
        for i in 0..n {
            revs[i] = revenue(f, ps[i], t, heads[i], adjs[i], &st[i], &mut inputs[i]);
        }
        f.payment
            .pay_year_lanes(t, ps, same, &demand, &inputs[..n], &mut ips[..n]);
        for i in 0..n {
            // A local row, so a sink that keeps two of its figures lets the
            // compiler drop the others.
            let mut r = YearRow::empty(year);
            revs[i].write(f, heads[i], &mut r);
            spending_and_books(
                f, ps[i], t, heads[i], adjs[i], &demand, i, &inputs[i], &ips[i], &mut st[i], th,
                &mut r,
            );
            let detail = PathDetail(Detail::Lane {
                members: &mem,
                demand: &demand,
                lane: i,
            });
            sink.row(first + i, fi, t, &r, &detail);
        }
    }
}

/// The chunk's per-path indices of the year (cumulated growth).
#[derive(Clone, Copy)]
struct Indices {
    visit: V,
    op_cost: V,
    admissions: V,
    ip_cost: V,
}

/// Head counts and outpatient cost of every path of the chunk, and their
/// inpatient demand into `demand`, band by band across the lanes (bands
/// written out, `each_band`; `EMPLOYEE` and the demand level chosen outside
/// the bands). Each path's sums run in band order, from -0.0 as
/// `Iterator::sum` (the outpatient cost from 0.0), the retirees only in
/// employee funds (-0.0 otherwise). Demand: `cases_b = members_b x
/// admissions_b x admission index` and `cost_b = inpatient cost_b x cost
/// index`; with `demand_level = "tables"` the cases x `K` and the cost per
/// case from the group table (`model::TablesLevel`).
#[inline(always)]
fn heads_and_demand<const EMPLOYEE: bool>(
    f: &FundModel,
    mem: &MembershipLanes,
    ix: Indices,
    tl: Option<&TablesLevel>,
    demand: &mut DemandLanes,
) -> [Heads; LANES] {
    let prof = &f.profile;
    let mut sums = HeadSums {
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
                demand.cases[b] = sums.add::<EMPLOYEE>(prof, mem, ix, b).0;
                demand.cost[b] = (V::splat(prof.inpatient_cost[b]) * ix.ip_cost).0;
            },
        ),
        Some(tl) => each_band(
            #[inline(always)]
            |b| {
                let cases = sums.add::<EMPLOYEE>(prof, mem, ix, b);
                demand.cases[b] = (cases * V::splat(tl.cases_factor)).0;
                demand.cost[b] = (V::splat(tl.cost_per_case_by_band[b]) * ix.ip_cost).0;
            },
        ),
    }
    std::array::from_fn(|i| Heads {
        members: sums.members.0[i],
        old: sums.old.0[i],
        young: sums.young.0[i],
        op_cost: sums.op_cost.0[i],
        retirees: sums.retirees.0[i],
    })
}

/// [`Heads`] of the chunk's lanes, summed band by band.
struct HeadSums {
    members: V,
    old: V,
    young: V,
    retirees: V,
    op_cost: V,
}

impl HeadSums {
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

/// A path's revenue for the year, computed before the chunk's inpatient
/// payment and written into its row after it (`YearRow` fields of the same
/// names; `Revenue::write` adds the figures derived from them).
#[derive(Clone, Copy, Default)]
struct Revenue {
    premium_yuan: f64,
    subsidy_yuan: f64,
    premium_wan: f64,
    subsidy_wan: f64,
    active_workers: f64,
    retirees: f64,
    personal_account_revenue_wan: f64,
    contributions_pooled_wan: f64,
    personal_account_spending_wan: f64,
    interest_wan: f64,
    other_income_wan: f64,
    pooled_revenue_wan: f64,
    revenue_wan: f64,
}

impl Revenue {
    /// Writes the revenue and the head counts into `r`, with the figures
    /// derived from them (member shares, subsidy split, active/retired ratio).
    #[inline(always)]
    fn write(&self, f: &FundModel, h: Heads, r: &mut YearRow) {
        r.members = h.members;
        r.members_60plus_share = h.old / h.members;
        r.members_under20_share = h.young / h.members;
        r.premium_yuan = self.premium_yuan;
        r.subsidy_yuan = self.subsidy_yuan;
        r.premium_wan = self.premium_wan;
        r.subsidy_wan = self.subsidy_wan;
        r.personal_account_revenue_wan = self.personal_account_revenue_wan;
        r.contributions_pooled_wan = self.contributions_pooled_wan;
        r.personal_account_spending_wan = self.personal_account_spending_wan;
        r.interest_wan = self.interest_wan;
        r.other_income_wan = self.other_income_wan;
        r.pooled_revenue_wan = self.pooled_revenue_wan;
        r.revenue_wan = self.revenue_wan;
        match f.kind {
            FundKind::Resident => {
                r.subsidy_central_wan = r.subsidy_wan * f.subsidy_split[0];
                r.subsidy_provincial_wan = r.subsidy_wan * f.subsidy_split[1];
                r.subsidy_local_wan = r.subsidy_wan * f.subsidy_split[2];
            }
            FundKind::Employee => {
                let (active, retirees) = (self.active_workers, self.retirees);
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

/// Year `t` of one path after the cohort step, up to the inpatient payment:
/// its revenue, and the inputs handed to the payment engine (into `inputs`).
#[inline(always)]
fn revenue(
    f: &FundModel,
    p: &ParamValues,
    t: usize,
    h: Heads,
    adj: Adjustments,
    s: &PathState,
    inputs: &mut YearInputs,
) -> Revenue {
    let ids = &f.p;
    let members = h.members;
    let mut r = Revenue::default();

    // Revenue (yuan -> 万元 by / 1e4).
    match f.kind {
        FundKind::Resident => {
            (r.premium_yuan, r.subsidy_yuan) =
                adj.standard(p.get(ids.premium, t), p.get(ids.subsidy, t));
            r.premium_wan = members * p.get(ids.paying_share, t) * r.premium_yuan / 1e4;
            r.subsidy_wan = members * p.get(ids.subsidy_heads_share, t) * r.subsidy_yuan / 1e4;
        }
        FundKind::Employee => {
            let retirees = h.retirees;
            let active = members - retirees;
            r.active_workers = active;
            r.retirees = retirees;
            let acc = accounts::split(&AccountInputs {
                active,
                retirees,
                wage: p.get(ids.wage, t),
                rate: p.get(ids.contribution_rate, t),
                share: p.get(ids.personal_account_share, t),
                worker_rate: p.get(ids.personal_account_rate, t),
                retiree_yuan: p.get(ids.retiree_account_yuan, t),
            });
            r.personal_account_revenue_wan = acc.credited_wan;
            r.contributions_pooled_wan = acc.pooled_wan;
            r.personal_account_spending_wan =
                r.personal_account_revenue_wan * p.get(ids.personal_account_use, t);
        }
    }
    r.interest_wan = s.balance * p.get(ids.interest_rate, t);
    r.other_income_wan = p.get(ids.other_income_wan, t);
    r.pooled_revenue_wan = r.premium_wan
        + r.subsidy_wan
        + r.contributions_pooled_wan
        + r.interest_wan
        + r.other_income_wan;
    r.revenue_wan = r.pooled_revenue_wan + r.personal_account_revenue_wan;

    // A budget rule that sets the point value is evaluated before payment.
    let rule_budget_wan = match &f.clearing {
        Some(c) if c.sets_point_value => c.budget_wan(t, p, s.clearing_base, r.pooled_revenue_wan),
        _ => f64::NAN,
    };
    let benefit_floor = f.rules.benefit.as_ref().map_or(0.0, |b| p.get(b.floor, t));
    *inputs = YearInputs {
        budget_yuan: rule_budget_wan * 1e4,
        benefit_cut: adj.benefit_cut,
        benefit_floor,
    };
    r
}

/// Year `t` of one path (lane `lane` of the chunk's `demand`) from the
/// inpatient payment `ip` on: spending, clearing, backstop and books, into
/// `r`; updates the path's state.
#[allow(clippy::too_many_arguments)] // the loop's own pieces, one call site
#[inline(always)]
fn spending_and_books(
    f: &FundModel,
    p: &ParamValues,
    t: usize,
    h: Heads,
    adj: Adjustments,
    demand: &DemandLanes,
    lane: usize,
    inputs: &YearInputs,
    ip: &InpatientYear,
    s: &mut PathState,
    th: Thresholds,
    r: &mut YearRow,
) {
    let ids = &f.p;
    let Heads {
        members, op_cost, ..
    } = h;
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
    r.drg_fund_payment_wan = ip.drg_fund_yuan / 1e4;
    r.drg_fund_ffs_wan = ip.drg_fund_ffs_yuan / 1e4;
    // The fund pays the hospital payment less what patients paid on the bill
    // (PRIMER §3): a DRG/DIP case's standard minus the patient's share, a
    // fee-for-service case reimbursement x cost. A benefit cut (policy rules)
    // lowers the fund's share of the bill inside the payment engine.
    r.inpatient_hospital_wan = ip.total_payment_yuan / 1e4;
    r.inpatient_patient_wan = ip.patient_yuan / 1e4;
    r.inpatient_wan = ip.fund_yuan / 1e4;
    r.budget_wan = f64::NAN;
    let op_share = match &f.rules.benefit {
        Some(_) => cut_share(
            p.get(ids.outpatient_reimbursement, t),
            adj.benefit_cut,
            inputs.benefit_floor,
        ),
        None => p.get(ids.outpatient_reimbursement, t),
    };
    r.benefit_cut = adj.benefit_cut;
    r.outpatient_wan = op_cost * op_share / 1e4;
    r.major_illness_wan = members * p.get(ids.major_illness_per_member, t) / 1e4;
    r.out_of_area_wan = members * p.get(ids.out_of_area_per_member, t) / 1e4;
    r.other_spending_wan = p.get(ids.other_spending_wan, t);
    r.pooled_expenditure_wan = r.inpatient_wan
        + r.outpatient_wan
        + r.major_illness_wan
        + r.out_of_area_wan
        + r.other_spending_wan;

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
                    .hospital_clearing(t, p, &demand.lane(lane), inputs, level, &c.corridor)
                    / 1e4
            }
        };
        r.clearing_wan = adjustment_wan;
        r.inpatient_wan += adjustment_wan;
        r.pooled_expenditure_wan += adjustment_wan;
    }
    r.expenditure_wan = r.pooled_expenditure_wan + pa_spending;
    r.spending_per_member_yuan = r.pooled_expenditure_wan * 1e4 / members;

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
