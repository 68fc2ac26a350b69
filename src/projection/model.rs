//! A scenario compiled for projection: tables loaded, dated parameters evaluated
//! per year, everything checked. Built once; projected many times.

use super::rules::Rules;
use crate::fund::Thresholds;
use crate::payment::budget::{ClearingLevel, ClearingModel};
use crate::payment::{BenefitIds, Level, PaymentMode, PaymentModel};
use crate::population::AgeProfile;
use crate::scenario::error::{Diagnostic, ScenarioError};
use crate::scenario::schema::{FundKind, FundSpec, ScenarioSpec};
use crate::scenario::source::RawScenario;
use crate::scenario::{Param, ParamId, ParamStore, ParamValues, Years, validate};
use std::collections::HashSet;
use std::path::Path;

/// A compiled scenario.
#[derive(Clone, Debug)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// Scenario description.
    pub description: String,
    /// Projected years.
    pub years: Years,
    /// Status thresholds.
    pub thresholds: Thresholds,
    /// Every dated parameter, evaluated.
    pub store: ParamStore,
    /// The funds, in id order.
    pub funds: Vec<FundModel>,
    /// The scenario as read (for analysis that changes a value and recompiles).
    pub raw: RawScenario,
    /// The typed scenario.
    pub spec: ScenarioSpec,
}

/// One fund, compiled.
#[derive(Clone, Debug)]
pub struct FundModel {
    /// Fund id (the `[funds.<id>]` key).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Resident or employee.
    pub kind: FundKind,
    /// Balance at the end of the year before the base year, 万元.
    pub opening_balance_wan: f64,
    /// Members in the base year.
    pub base_members: f64,
    /// The age profile.
    pub profile: AgeProfile,
    /// Subsidy split (central, provincial, local).
    pub subsidy_split: [f64; 3],
    /// Handles of the fund's dated parameters.
    pub p: FundParams,
    /// Inpatient payment.
    pub payment: PaymentModel,
    /// Budget rules and year-end clearing (`[funds.<id>.clearing]`).
    pub clearing: Option<ClearingModel>,
    /// Policy rules (empty when the scenario has none or `policy_rules = false`).
    pub rules: Rules,
    /// The level of inpatient demand from the group table
    /// (`payment.demand_level = "tables"`), else None (the profile's level).
    pub tables_level: Option<TablesLevel>,
}

/// The level of inpatient demand taken from the group table instead of the
/// fund's age profile (`payment.demand_level = "tables"`). In year t, band b:
///
/// `cases_b(t) = members_b(t) x admissions_b x A(t) x K`, with
/// `K = (12 / months) x sum_g cases_g / sum_b members_b(0) x admissions_b`
/// (the table's cases per year over the profile's base-year cases), and
/// `cost_b(t) = M_b x C(t)`, `M_b = sum_g s_gb mean_cost_g` the table's own cost
/// per case of band b ([`crate::payment::GroupTable::cost_per_case_by_band`]);
/// `A(t)`, `C(t)` the admission and inpatient-cost growth indexes. So the base
/// year has the table's cases and costs, and aging, enrollment and growth move
/// them as they move the profile's demand.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TablesLevel {
    /// `K`: multiplies the profile's cases in every year.
    pub cases_factor: f64,
    /// `M_b`, yuan per case, base year.
    pub cost_per_case_by_band: crate::population::bands::ByBand,
}

/// [`TablesLevel`] of a fund whose payment section asks for it; issues for a
/// section without a group table or with `tables_months` out of range.
fn tables_level(
    f: &FundSpec,
    pay_path: &str,
    groups_path: Option<&str>,
    base_members: f64,
    profile: Option<&AgeProfile>,
    issues: &mut Vec<Diagnostic>,
) -> Option<TablesLevel> {
    use crate::scenario::payment::DemandLevel;
    use crate::scenario::registry;
    let spec = &f.payment;
    let months_decl = registry::decl("payment.tables_months");
    if let Some(m) = spec.tables_months {
        if spec.demand_level != DemandLevel::Tables {
            issues.push(Diagnostic::field(
                format!("{pay_path}.tables_months"),
                "`tables_months` is used only with `demand_level = \"tables\"`; add it or remove `tables_months`",
            ));
            return None;
        }
        if !registry::check_plain(issues, &format!("{pay_path}.tables_months"), months_decl, m) {
            return None;
        }
    }
    if spec.demand_level != DemandLevel::Tables {
        return None;
    }
    let Some(groups) = groups_path else {
        issues.push(Diagnostic::field(
            format!("{pay_path}.demand_level"),
            "`demand_level = \"tables\"` takes the level from the group table: give `groups`",
        ));
        return None;
    };
    // A table that cannot be read was reported by the payment compile.
    let table = crate::payment::cache::group_table(Path::new(groups)).ok()?;
    let profile = profile?;
    let months = spec
        .tables_months
        .unwrap_or(months_decl.default.unwrap_or(12.0));
    let mem = crate::population::membership::Membership::start(base_members, profile);
    let base_cases: f64 = (0..crate::population::bands::N_BANDS)
        .map(|b| mem.members[b] * profile.admissions[b])
        .sum();
    let table_cases: f64 = table.groups.iter().map(|g| g.cases).sum();
    if !(base_cases > 0.0 && table_cases > 0.0) {
        issues.push(Diagnostic::field(
            format!("{pay_path}.demand_level"),
            format!(
                "`demand_level = \"tables\"` needs cases in both the group table ({table_cases}) and the fund's base-year demand ({base_cases:.0}) to scale one to the other"
            ),
        ));
        return None;
    }
    Some(TablesLevel {
        cases_factor: 12.0 / months * table_cases / base_cases,
        cost_per_case_by_band: table.cost_per_case_by_band(),
    })
}

/// Handles of a fund's dated parameters in the [`ParamStore`], one per
/// scenario path (declared in `scenario::registry`).
#[derive(Clone, Copy, Debug)]
pub struct FundParams {
    /// `funds.<id>.interest_rate`.
    pub interest_rate: ParamId,
    /// `funds.<id>.demography.mortality_multiplier`.
    pub mortality_multiplier: ParamId,
    /// `funds.<id>.demography.fertility_multiplier`.
    pub fertility_multiplier: ParamId,
    /// `funds.<id>.demography.entrants`.
    pub entrants: ParamId,
    /// `funds.<id>.enrollment.decline`.
    pub decline: ParamId,
    /// `funds.<id>.enrollment.selectivity`.
    pub selectivity: ParamId,
    /// `funds.<id>.premiums.premium`.
    pub premium: ParamId,
    /// `funds.<id>.premiums.paying_share`.
    pub paying_share: ParamId,
    /// `funds.<id>.premiums.subsidy`.
    pub subsidy: ParamId,
    /// `funds.<id>.premiums.subsidy_heads_share`.
    pub subsidy_heads_share: ParamId,
    /// `funds.<id>.contributions.wage`.
    pub wage: ParamId,
    /// `funds.<id>.contributions.rate`.
    pub contribution_rate: ParamId,
    /// `funds.<id>.contributions.personal_account_share`.
    pub personal_account_share: ParamId,
    /// `funds.<id>.contributions.personal_account_use`.
    pub personal_account_use: ParamId,
    /// `funds.<id>.contributions.personal_account_rate`.
    pub personal_account_rate: ParamId,
    /// `funds.<id>.contributions.retiree_account_yuan`.
    pub retiree_account_yuan: ParamId,
    /// `funds.<id>.other_income_wan`.
    pub other_income_wan: ParamId,
    /// `funds.<id>.spending.admission_growth`.
    pub admission_growth: ParamId,
    /// `funds.<id>.spending.inpatient_cost_growth`.
    pub inpatient_cost_growth: ParamId,
    /// `funds.<id>.spending.inpatient_reimbursement`.
    pub inpatient_reimbursement: ParamId,
    /// `funds.<id>.spending.outpatient_visit_growth`.
    pub outpatient_visit_growth: ParamId,
    /// `funds.<id>.spending.outpatient_cost_growth`.
    pub outpatient_cost_growth: ParamId,
    /// `funds.<id>.spending.outpatient_reimbursement`.
    pub outpatient_reimbursement: ParamId,
    /// `funds.<id>.spending.major_illness_per_member`.
    pub major_illness_per_member: ParamId,
    /// `funds.<id>.spending.out_of_area_per_member`.
    pub out_of_area_per_member: ParamId,
    /// `funds.<id>.spending.other_wan`.
    pub other_spending_wan: ParamId,
}

impl Model {
    /// Reads, checks and compiles a scenario file with `--set` overrides.
    pub fn load(file: &Path, sets: &[String]) -> Result<Model, ScenarioError> {
        Model::from_raw(RawScenario::load(file, sets)?)
    }

    /// Checks and compiles a scenario already read.
    pub fn from_raw(raw: RawScenario) -> Result<Model, ScenarioError> {
        Model::compile_raw(raw, true)
    }

    /// Checks a scenario already read exactly as [`Model::from_raw`] does
    /// (every diagnostic, tables read and checked), without folding the
    /// group tables into a payment model: that step cannot fail, and at
    /// DIP scale (15,000 groups) it is most of a compile. Analysis checks
    /// each range end and distribution tail this way.
    pub fn check_raw(raw: RawScenario) -> Result<(), ScenarioError> {
        Model::compile_raw(raw, false).map(|_| ())
    }

    /// [`Model::from_raw`]; with `full = false` the payment models of the
    /// group form are left aggregate (for [`Model::check_raw`] only: such a
    /// model is never projected).
    fn compile_raw(raw: RawScenario, full: bool) -> Result<Model, ScenarioError> {
        // Keys that do not parse are reported and left out, so the checks below
        // still find the problems in the rest of the file.
        let (spec, mut diags) = deserialize(&raw);
        let Some(spec) = spec else {
            return Err(ScenarioError::Invalid(diags));
        };
        let mut issues = Vec::new();
        let Some(years) = validate::check(&spec, &raw, &mut issues) else {
            diags.extend(issues.into_iter().map(|i| raw.locate(i)));
            return Err(ScenarioError::Invalid(diags));
        };
        let mut store = ParamStore::new(years);
        let mut funds = Vec::new();
        for (id, f) in &spec.funds {
            let rules_on = spec.scenario.policy_rules;
            if let Some(fm) = compile_fund(
                &raw,
                id,
                f,
                rules_on,
                full,
                &mut store,
                &mut issues,
                &mut diags,
            ) {
                funds.push(fm);
            }
        }
        diags.extend(issues.into_iter().map(|i| raw.locate(i)));
        if !diags.is_empty() {
            return Err(ScenarioError::Invalid(diags));
        }
        Ok(Model {
            name: spec.scenario.name.clone(),
            description: spec.scenario.description.clone(),
            years,
            thresholds: Thresholds {
                warning: spec.scenario.warning_months,
                danger: spec.scenario.danger_months,
            },
            store,
            funds,
            raw,
            spec,
        })
    }

    /// The parameter values the model was compiled with.
    pub fn values(&self) -> &ParamValues {
        self.store.values()
    }
}

/// Deserializes the merged document, reporting unknown keys and type errors
/// with their paths (and lines). Keeps going past each problem so a typo'd key
/// does not hide the next one.
fn deserialize(raw: &RawScenario) -> (Option<ScenarioSpec>, Vec<Diagnostic>) {
    let mut doc = raw.doc.clone();
    let mut diags = Vec::new();
    let mut seen = HashSet::new();
    let mut removed: Vec<String> = Vec::new();
    for _ in 0..64 {
        let value = toml::Value::Table(doc.clone());
        match serde_path_to_error::deserialize::<_, ScenarioSpec>(value) {
            Ok(spec) => return (Some(spec), diags),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner().to_string();
                let message = inner.lines().next().unwrap_or("").trim().to_string();
                // An unknown key is reported at its own path, not its table's.
                let (path, message) = match unknown_field(&message) {
                    Some(key) if path != key && !path.ends_with(&format!(".{key}")) => {
                        (join(&path, &key), explain_unknown(&message))
                    }
                    Some(_) => (path, explain_unknown(&message)),
                    None => (path, message),
                };
                if !seen.insert(path.clone()) {
                    break;
                }
                let missing = message
                    .strip_prefix("missing field `")
                    .and_then(|r| r.split('`').next())
                    .map(|field| join(&path, field));
                if let Some(field) = &missing {
                    // A field we removed ourselves after reporting it is not missing.
                    if !removed.contains(field) {
                        diags.push(raw.diagnostic(&path, message));
                    }
                    break;
                }
                diags.push(raw.diagnostic(&path, message));
                if !remove_path(&mut doc, &path) {
                    break;
                }
                removed.push(path);
            }
        }
    }
    (None, diags)
}

fn unknown_field(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("unknown field `")?;
    Some(rest[..rest.find('`')?].to_string())
}

fn explain_unknown(msg: &str) -> String {
    format!("{msg}; check the spelling (keys are case-sensitive)")
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() || prefix == "." {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn remove_path(doc: &mut toml::Table, path: &str) -> bool {
    let parts: Vec<&str> = path.split('.').collect();
    let Some((last, parents)) = parts.split_last() else {
        return false;
    };
    let mut t = doc;
    for p in parents {
        t = match t.get_mut(*p) {
            Some(toml::Value::Table(x)) => x,
            _ => return false,
        };
    }
    t.remove(*last).is_some()
}

#[allow(clippy::too_many_arguments)] // one private call site
fn compile_fund(
    raw: &RawScenario,
    id: &str,
    f: &FundSpec,
    rules_on: bool,
    full: bool,
    store: &mut ParamStore,
    issues: &mut Vec<Diagnostic>,
    diags: &mut Vec<Diagnostic>,
) -> Option<FundModel> {
    let path = format!("funds.{id}");
    let profile_path = raw
        .base_dir(&format!("{path}.members.profile"))
        .join(&f.members.profile);
    // read once per process and file version, like the group tables: the
    // range ends and tails analysis checks compile the scenario again
    static PROFILES: crate::payment::cache::Cache<AgeProfile> =
        std::sync::Mutex::new(std::collections::BTreeMap::new());
    let profile = match crate::payment::cache::cached(&PROFILES, &profile_path, AgeProfile::load) {
        Ok(p) => Some((*p).clone()),
        Err(d) => {
            // Each problem in the table, under the scenario line that names it.
            let at = format!("{path}.members.profile");
            diags.extend(d.into_iter().map(|x| {
                raw.diagnostic(&at, "cannot use the age profile")
                    .caused_by(x)
            }));
            None
        }
    };
    if let Some(p) = &profile {
        if f.kind == FundKind::Employee && p.retired_share.iter().all(|&r| r == 0.0) {
            issues.push(Diagnostic::field(
                format!("{path}.members.profile"),
                "an employee fund's profile needs a `retired_share` column (share of each band retired)",
            ));
        }
        let entrants_positive = (0..store.years().len()).any(|t| {
            f.demography
                .entrants
                .at(store.years().year(t), store.years().base_year)
                > 0.0
        });
        if entrants_positive && p.entrant_share.iter().sum::<f64>() == 0.0 {
            issues.push(Diagnostic::field(
                format!("{path}.demography.entrants"),
                "entrants need an `entrant_share` column in the age profile saying where they land",
            ));
        }
    }
    let zero = Param::Const(0.0);
    let worker_rate = Param::Const(
        crate::scenario::registry::decl("contributions.personal_account_rate")
            .default
            .unwrap_or(0.0),
    );
    let mut add = |name: &str, param: Option<&Param>| {
        store.add(format!("{path}.{name}"), param.unwrap_or(&zero))
    };
    let r = f.premiums.as_ref();
    let c = f.contributions.as_ref();
    let s = &f.spending;
    let p = FundParams {
        interest_rate: add("interest_rate", Some(&f.interest_rate)),
        mortality_multiplier: add(
            "demography.mortality_multiplier",
            Some(&f.demography.mortality_multiplier),
        ),
        fertility_multiplier: add(
            "demography.fertility_multiplier",
            Some(&f.demography.fertility_multiplier),
        ),
        entrants: add("demography.entrants", Some(&f.demography.entrants)),
        decline: add("enrollment.decline", Some(&f.enrollment.decline)),
        selectivity: add("enrollment.selectivity", Some(&f.enrollment.selectivity)),
        premium: add("premiums.premium", r.map(|r| &r.premium)),
        paying_share: add("premiums.paying_share", r.map(|r| &r.paying_share)),
        subsidy: add("premiums.subsidy", r.map(|r| &r.subsidy)),
        subsidy_heads_share: add(
            "premiums.subsidy_heads_share",
            r.map(|r| &r.subsidy_heads_share),
        ),
        wage: add("contributions.wage", c.map(|c| &c.wage)),
        contribution_rate: add("contributions.rate", c.map(|c| &c.rate)),
        personal_account_share: add(
            "contributions.personal_account_share",
            c.and_then(|c| c.personal_account_share.as_ref()),
        ),
        // The 2021 form: the worker's own 2 % unless given; nothing under the share form.
        personal_account_rate: add(
            "contributions.personal_account_rate",
            match c {
                Some(c) if c.reform_accounts() => {
                    Some(c.personal_account_rate.as_ref().unwrap_or(&worker_rate))
                }
                _ => None,
            },
        ),
        retiree_account_yuan: add(
            "contributions.retiree_account_yuan",
            c.and_then(|c| c.retiree_account_yuan.as_ref()),
        ),
        personal_account_use: add(
            "contributions.personal_account_use",
            c.map(|c| &c.personal_account_use),
        ),
        other_income_wan: add("other_income_wan", Some(&f.other_income_wan)),
        admission_growth: add("spending.admission_growth", Some(&s.admission_growth)),
        inpatient_cost_growth: add(
            "spending.inpatient_cost_growth",
            Some(&s.inpatient_cost_growth),
        ),
        inpatient_reimbursement: add(
            "spending.inpatient_reimbursement",
            Some(&s.inpatient_reimbursement),
        ),
        outpatient_visit_growth: add(
            "spending.outpatient_visit_growth",
            Some(&s.outpatient_visit_growth),
        ),
        outpatient_cost_growth: add(
            "spending.outpatient_cost_growth",
            Some(&s.outpatient_cost_growth),
        ),
        outpatient_reimbursement: add(
            "spending.outpatient_reimbursement",
            Some(&s.outpatient_reimbursement),
        ),
        major_illness_per_member: add(
            "spending.major_illness_per_member",
            Some(&s.major_illness_per_member),
        ),
        out_of_area_per_member: add(
            "spending.out_of_area_per_member",
            Some(&s.out_of_area_per_member),
        ),
        other_spending_wan: add("spending.other_wan", Some(&s.other_wan)),
    };
    // Benefit rules the payment engine needs for the patient's share of the bill.
    let by_level = &s.inpatient_reimbursement_by_level;
    let benefits = BenefitIds {
        reimbursement: Level::ALL.map(|l| match crate::payment::spec::level_param(by_level, l) {
            Some(par) => store.add(
                format!("{path}.spending.inpatient_reimbursement_by_level.{l}"),
                par,
            ),
            None => p.inpatient_reimbursement,
        }),
        deductible: Some(store.add(
            format!("{path}.spending.inpatient_deductible"),
            &s.inpatient_deductible,
        )),
    };
    let pay_path = format!("{path}.payment");
    // Each table path is relative to the file that wrote it, which under
    // `extends` need not be the file that wrote the rest of the section.
    let mut pay_spec = f.payment.clone();
    for (key, table) in [
        ("groups", &mut pay_spec.groups),
        ("hospitals", &mut pay_spec.hospitals),
        ("hospital_groups", &mut pay_spec.hospital_groups),
        ("weights", &mut pay_spec.weights),
    ] {
        if let Some(rel) = table.as_mut() {
            let resolved = raw.base_dir(&format!("{pay_path}.{key}")).join(&*rel);
            *rel = resolved.to_string_lossy().into_owned();
        }
    }
    // The table paths are resolved above, so nothing is joined to them again.
    let payment = pay_spec.compile_with(&pay_path, Path::new(""), store, issues, full);
    let clearing = match &f.clearing {
        // A budget that is a response goes with the rules in the stress view.
        Some(c) if c.policy_rule && !rules_on => None,
        Some(c) => {
            let cpath = format!("{path}.clearing");
            let pv_budget = (f.payment.mode == PaymentMode::PointValue)
                .then(|| store.find(&format!("{pay_path}.budget_wan")))
                .flatten();
            let m = crate::payment::budget::compile_clearing(c, &cpath, pv_budget, store, issues);
            if let Some(m) = &m
                && m.level != ClearingLevel::Region
                && f.payment.hospitals.is_none()
            {
                issues.push(Diagnostic::field(
                    format!("{cpath}.level"),
                    "a hospital- or alliance-level clearing needs a hospital table (`payment.hospitals`)",
                ));
            }
            Some(m?)
        }
        None => None,
    };
    let rules = if rules_on {
        Rules::compile(&format!("{path}.rules"), &f.rules, store)
    } else {
        Rules::default()
    };
    let split = f
        .premiums
        .as_ref()
        .map(|r| {
            [
                r.subsidy_split.central,
                r.subsidy_split.provincial,
                r.subsidy_split.local,
            ]
        })
        .unwrap_or([0.0; 3]);
    let tables_level = tables_level(
        f,
        &pay_path,
        pay_spec.groups.as_deref(),
        f.members.total,
        profile.as_ref(),
        issues,
    );
    Some(FundModel {
        id: id.to_string(),
        name: f.name.clone(),
        kind: f.kind,
        opening_balance_wan: f.opening_balance_wan,
        base_members: f.members.total,
        profile: profile?,
        subsidy_split: split,
        p,
        payment: payment?.with_benefits(benefits),
        clearing,
        rules,
        tables_level,
    })
}
