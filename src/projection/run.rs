//! The year loop: pure (model and parameter values in, rows out) and
//! allocation-free once its output buffers exist, because Monte Carlo and
//! sensitivity call it thousands of times.

use super::model::{FundModel, Model};
use super::rules::{Adjustments, LastYear, RuleState};
use super::year::{Indices, PathState, books, heads_and_demand, revenue, spending};
use crate::fund::YearRow;
use crate::payment::{DemandLanes, InpatientDemand, InpatientYear, SameFactors, YearInputs};
use crate::population::lanes::V;
use crate::population::{ByBand, Drivers, LANES, Membership, MembershipLanes, N_BANDS};
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
    #[cfg(target_arch = "x86_64")]
    let avx = std::arch::is_x86_feature_detected!("avx");
    #[cfg(not(target_arch = "x86_64"))]
    let avx = false;
    project_chunks(model, ps, varying, avx, sink)
}

/// The chunks of [`project_varying_to`], compiled for AVX when `avx` (the CPU
/// has it) and for the x86-64 baseline otherwise.
fn project_chunks<S: RowSink + ?Sized>(
    model: &Model,
    ps: &[&ParamValues],
    varying: Option<&[ParamId]>,
    avx: bool,
    sink: &mut S,
) {
    for (c, ps) in ps.chunks(LANES).enumerate() {
        for (fi, f) in model.funds.iter().enumerate() {
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
            if avx {
                // SAFETY: `project_fund_avx` needs AVX; `avx` is set only
                // when the CPU has it.
                unsafe { project_fund_avx(chunk, sink) };
                continue;
            }
            let _ = avx;
            project_fund(chunk, sink);
        }
    }
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
        let heads = heads_and_demand(f, &mem, ix, &mut demand);
        // Revenue of every path, then the chunk's inpatient payment in one
        // call, then the rest of each path's year.
        let year = model.years.year(t);
        let rev = revenue(f, ps, t, &heads, &adjs, &st, &mut inputs[..n]);
        f.payment
            .pay_year_lanes(t, ps, same, &demand, &inputs[..n], &mut ips[..n]);
        let sp = spending(f, ps, t, &heads, &adjs, &inputs[..n], &ips[..n]);
        for i in 0..n {
            // A local row, so a sink that keeps two of its figures lets the
            // compiler drop the others.
            let mut r = YearRow::empty(year);
            rev.write(f, &heads, i, &mut r);
            books(
                f, ps[i], t, &sp, &demand, i, &inputs[i], &ips[i], adjs[i], &mut st[i], th, &mut r,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Seven paths (two chunks, the second short) of `model`, each with its
    /// own demography, enrollment, cost growth and premium.
    fn paths(model: &Model) -> Vec<ParamValues> {
        (0..7)
            .map(|i| {
                let mut v = model.values().clone();
                let k = i as f64;
                for f in &model.funds {
                    v.row_mut(f.p.decline)
                        .iter_mut()
                        .for_each(|x| *x += 0.004 * k);
                    v.row_mut(f.p.mortality_multiplier)
                        .iter_mut()
                        .for_each(|x| *x *= 1.0 + 0.05 * k);
                    v.row_mut(f.p.inpatient_cost_growth)
                        .iter_mut()
                        .for_each(|x| *x -= 0.003 * k);
                    v.row_mut(f.p.premium)
                        .iter_mut()
                        .for_each(|x| *x *= 1.0 - 0.02 * k);
                }
                v
            })
            .collect()
    }

    /// The year loop compiled for the x86-64 baseline gives every path the
    /// numbers of the AVX form bit for bit (`Debug` prints each float's
    /// shortest round-trip form, so equal text is equal bits up to NaN
    /// payloads), in a resident fund with rules, an employee fund and a
    /// region with hospital tables.
    #[test]
    fn baseline_and_avx_year_loops_agree_bit_for_bit() {
        #[cfg(target_arch = "x86_64")]
        let avx = std::arch::is_x86_feature_detected!("avx");
        #[cfg(not(target_arch = "x86_64"))]
        let avx = false;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        for name in [
            "chuxiong-rules.toml",
            "fengdu-2023.toml",
            "qingyang-2025h1.toml",
        ] {
            let model = Model::load(&dir.join(name), &[]).unwrap();
            let values = paths(&model);
            let ps: Vec<&ParamValues> = values.iter().collect();
            let run = |avx: bool| {
                let mut outs: Vec<Projection> =
                    ps.iter().map(|_| Projection::for_model(&model)).collect();
                let mut refs: Vec<&mut Projection> = outs.iter_mut().collect();
                project_chunks(&model, &ps, None, avx, &mut refs[..]);
                format!("{outs:?}")
            };
            let baseline = run(false);
            let single = format!("{:?}", project_with(&model, ps[6]));
            assert!(baseline.contains(&single[..single.len() - 1]), "{name}");
            if avx {
                assert!(baseline == run(true), "{name}: baseline and AVX differ");
            }
        }
    }
}
