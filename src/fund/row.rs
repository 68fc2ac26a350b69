//! One row of a projection: a fund's year, every figure the report shows.

use super::status::Status;

macro_rules! year_row {
    ($( $(#[doc = $doc:literal])* $field:ident ),* $(,)?) => {
        /// A fund's figures for one year. Amounts in 万元 (10,000 yuan) unless the
        /// name says otherwise.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub struct YearRow {
            /// Calendar year.
            pub year: i32,
            $( $(#[doc = $doc])* pub $field: f64, )*
            /// Regulator's status at year end.
            pub status: Status,
        }

        impl YearRow {
            /// CSV column names after `fund, year`, in order; `status` is last.
            pub const NUMERIC_COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// The numeric figures in [`Self::NUMERIC_COLUMNS`] order.
            pub fn numbers(&self) -> Vec<f64> {
                vec![$(self.$field),*]
            }

            /// The figure named `column` (a [`Self::NUMERIC_COLUMNS`] entry).
            pub fn get(&self, column: &str) -> Option<f64> {
                match column {
                    $( stringify!($field) => Some(self.$field), )*
                    _ => None,
                }
            }

            /// An all-zero row for `year` (a buffer to fill).
            pub fn empty(year: i32) -> YearRow {
                YearRow { year, $( $field: 0.0, )* status: Status::Ok }
            }
        }
    };
}

year_row! {
    /// Members (参保人数), persons.
    members,
    /// Share of members aged 60 and over.
    members_60plus_share,
    /// Share of members aged under 20 (children and students).
    members_under20_share,
    /// Active (contributing) workers, employee fund; 0 for a resident fund.
    active_workers,
    /// Retirees, employee fund; 0 for a resident fund.
    retirees,
    /// Active workers per retiree (在职退休比), employee fund.
    active_retired_ratio,
    /// Individual premiums collected (个人缴费), resident fund.
    premium_wan,
    /// Individual premium per member in force, yuan (after any premium rule), resident fund.
    premium_yuan,
    /// Subsidy per person in force, yuan (after any premium rule), resident fund.
    subsidy_yuan,
    /// Government subsidy, all levels (财政补助), resident fund.
    subsidy_wan,
    /// Central-government part of the subsidy.
    subsidy_central_wan,
    /// Provincial part of the subsidy.
    subsidy_provincial_wan,
    /// Prefecture and county part of the subsidy.
    subsidy_local_wan,
    /// Payroll contributions to the pooled fund, employee fund.
    contributions_pooled_wan,
    /// Contributions credited to personal accounts, employee fund.
    personal_account_revenue_wan,
    /// Interest on the opening balance.
    interest_wan,
    /// Other income.
    other_income_wan,
    /// Local finance covering a shortfall under the fiscal-backstop rule (财政兜底).
    fiscal_backstop_wan,
    /// Total revenue, personal accounts included.
    revenue_wan,
    /// Revenue of the pooled fund (premiums + subsidy or pooled contributions + interest + other
    /// + fiscal backstop).
    pooled_revenue_wan,
    /// Fund spending on inpatient care: hospital payment - patients' share of the
    /// fee-for-service bill (DRG/DIP cases: standard - patient share; other
    /// cases: reimbursement x cost), after year-end clearing.
    inpatient_wan,
    /// Patients' own payments on the inpatient fee-for-service bill (benefit rules).
    inpatient_patient_wan,
    /// What hospitals are paid for inpatient care, all payers, before clearing
    /// (= inpatient_wan - clearing_wan + inpatient_patient_wan).
    inpatient_hospital_wan,
    /// Fund spending on outpatient care.
    outpatient_wan,
    /// Major-illness insurance (大病保险).
    major_illness_wan,
    /// Out-of-area care (异地就医) settled by the fund.
    out_of_area_wan,
    /// Other spending.
    other_spending_wan,
    /// Personal-account spending, employee fund.
    personal_account_spending_wan,
    /// Total expenditure, personal accounts included.
    expenditure_wan,
    /// Pooled-fund expenditure (统筹基金支出): inpatient + outpatient + major illness +
    /// out-of-area + other.
    pooled_expenditure_wan,
    /// Pooled revenue minus pooled expenditure.
    surplus_wan,
    /// Surplus / pooled revenue (当期结余率).
    surplus_rate,
    /// Pooled-fund balance at year end (累计结余).
    balance_wan,
    /// balance_wan / (pooled_expenditure_wan / 12) (可支付月数).
    months_payable,
    /// Inpatient cases (admissions).
    inpatient_cases,
    /// Cases paid by DRG/DIP.
    drg_cases,
    /// Case-mix index of DRG cases (sum of weights / cases).
    cmi,
    /// DRG base rate, yuan per weight point.
    base_rate,
    /// Point value under a global budget, yuan per point (empty when paid at a fixed rate).
    point_value,
    /// Fund-side settlement ratio (结付率, as regions publish it): the fund's
    /// DRG/DIP payment / what the fund would have paid fee-for-service for the same cases.
    settlement_ratio,
    /// Full-cost settlement ratio: hospital DRG/DIP payment / fee-for-service cost of the same cases.
    settlement_ratio_full_cost,
    /// Inpatient cost at fee-for-service prices, all cases.
    inpatient_ffs_equivalent_wan,
    /// Hospital payment for DRG/DIP cases (standard, all payers).
    drg_payment_wan,
    /// The fund's payment for DRG/DIP cases (standard - patients' share), before clearing.
    drg_fund_payment_wan,
    /// What the fund would have paid fee-for-service for the DRG/DIP cases.
    drg_fund_ffs_wan,
    /// The budget the year is cleared against (NaN when the scenario has no `[clearing]`).
    budget_wan,
    /// Year-end clearing adjustment paid to (+) or recovered from (-) hospitals
    /// (included in inpatient_wan and pooled_expenditure_wan).
    clearing_wan,
    /// Pooled expenditure per member, yuan.
    spending_per_member_yuan,
    /// Points taken off the reimbursement shares by the benefit rule (0.02 = 2 points).
    benefit_cut,
}
