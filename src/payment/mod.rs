//! How inpatient care is paid (aggregate form; the group-level engine replaces it).

use crate::population::{ByBand, N_BANDS};
use crate::scenario::{Issue, Param, ParamId, ParamStore, ParamValues};
use serde::Deserialize;
use std::path::Path;

/// Payment mode.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Base rate x weight x coefficient.
    #[default]
    DrgRate,
    /// Budget / points.
    PointValue,
    /// Everything fee for service.
    FeeForService,
}

/// `[funds.<id>.payment]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentSpec {
    /// Payment mode.
    #[serde(default)]
    pub mode: Mode,
    /// Share of inpatient cases paid by DRG.
    pub coverage: Param,
    /// Case-mix index.
    pub cmi: Param,
    /// Mean hospital coefficient.
    pub coefficient: Param,
    /// Yuan per weight point.
    pub base_rate: Param,
}

/// Compiled payment model.
#[derive(Clone, Debug)]
pub struct PaymentModel {
    mode: Mode,
    coverage: ParamId,
    cmi: ParamId,
    coefficient: ParamId,
    base_rate: ParamId,
}

impl PaymentSpec {
    /// Validates and compiles.
    pub fn compile(
        &self,
        path: &str,
        _base_dir: &Path,
        store: &mut ParamStore,
        issues: &mut Vec<Issue>,
    ) -> Option<PaymentModel> {
        let _ = issues;
        Some(PaymentModel {
            mode: self.mode,
            coverage: store.add(format!("{path}.coverage"), &self.coverage),
            cmi: store.add(format!("{path}.cmi"), &self.cmi),
            coefficient: store.add(format!("{path}.coefficient"), &self.coefficient),
            base_rate: store.add(format!("{path}.base_rate"), &self.base_rate),
        })
    }
}

/// Demand for inpatient care in one year.
#[derive(Clone, Copy, Debug)]
pub struct InpatientDemand {
    /// Cases by band.
    pub cases_by_band: ByBand,
    /// FFS cost per case by band, yuan.
    pub cost_per_case_by_band: ByBand,
}

/// One year of inpatient payment.
#[derive(Clone, Copy, Debug, Default)]
pub struct InpatientYear {
    /// Cases.
    pub cases: f64,
    /// DRG cases.
    pub drg_cases: f64,
    /// FFS equivalent.
    pub ffs_equivalent_yuan: f64,
    /// FFS equivalent of DRG cases.
    pub drg_ffs_equivalent_yuan: f64,
    /// DRG payment.
    pub drg_payment_yuan: f64,
    /// FFS payment.
    pub other_payment_yuan: f64,
    /// Total.
    pub total_payment_yuan: f64,
    /// CMI.
    pub cmi: f64,
    /// Base rate.
    pub base_rate: f64,
    /// Point value.
    pub point_value: f64,
    /// Settlement ratio.
    pub settlement_ratio: f64,
}

impl PaymentModel {
    /// One year.
    pub fn pay_year(&self, t: usize, p: &ParamValues, d: &InpatientDemand) -> InpatientYear {
        let mut cases = 0.0;
        let mut ffs = 0.0;
        for b in 0..N_BANDS {
            cases += d.cases_by_band[b];
            ffs += d.cases_by_band[b] * d.cost_per_case_by_band[b];
        }
        let cov = if self.mode == Mode::FeeForService {
            0.0
        } else {
            p.get(self.coverage, t)
        };
        let cmi = p.get(self.cmi, t);
        let rate = p.get(self.base_rate, t);
        let drg_cases = cases * cov;
        let drg_ffs = ffs * cov;
        let drg_pay = drg_cases * rate * cmi * p.get(self.coefficient, t);
        let other = ffs - drg_ffs;
        InpatientYear {
            cases,
            drg_cases,
            ffs_equivalent_yuan: ffs,
            drg_ffs_equivalent_yuan: drg_ffs,
            drg_payment_yuan: drg_pay,
            other_payment_yuan: other,
            total_payment_yuan: drg_pay + other,
            cmi,
            base_rate: rate,
            point_value: f64::NAN,
            settlement_ratio: if drg_ffs > 0.0 {
                drg_pay / drg_ffs
            } else {
                f64::NAN
            },
        }
    }
}
