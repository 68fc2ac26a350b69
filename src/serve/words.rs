//! The page's words in both languages, from the one table of report words
//! ([`crate::report::labels::Key`]) and the registry's group headings.

use crate::report::labels::{Key, Lang};
use crate::scenario::registry::Group;
use serde_json::{Map, Value};

/// The words the page script looks up, by the name it uses.
const WORDS: &[(&str, Key)] = &[
    ("title", Key::WhatIf),
    ("levers", Key::Levers),
    ("reset", Key::Reset),
    ("resetAll", Key::ResetAll),
    ("baseline", Key::Baseline),
    ("current", Key::CurrentSettings),
    ("fanOuter", Key::FanOuter),
    ("fanInner", Key::FanInner),
    ("median", Key::Median),
    ("probBy", Key::ProbabilityBy),
    ("pWarning", Key::ProbBelowWarning),
    ("pDanger", Key::ProbBelowDanger),
    ("pDepleted", Key::ProbDepleted),
    ("paymentByLevel", Key::PaymentByLevel),
    ("paymentChange", Key::PaymentChange),
    ("settlementRatio", Key::SettlementRatio),
    ("fundSettlementRatio", Key::FundSettlementRatio),
    ("gains", Key::LargestGains),
    ("losses", Key::LargestLosses),
    ("hospital", Key::Hospital),
    ("level", Key::LevelOfHospital),
    ("tertiary", Key::LevelTertiary),
    ("secondary", Key::LevelSecondary),
    ("primary", Key::LevelPrimary),
    ("downloadReform", Key::DownloadReform),
    ("downloadReport", Key::DownloadReport),
    ("downloadWorkbook", Key::DownloadWorkbook),
    ("paths", Key::McPaths),
    ("noUncertainty", Key::NoUncertainty),
    ("serverCompute", Key::ServerCompute),
    ("now", Key::Now),
    ("change", Key::Change),
    ("range", Key::Range),
    ("year", Key::Year),
    ("fund", Key::Fund),
    ("months", Key::MonthsPayable),
    ("monthsAxis", Key::MonthsAxis),
    ("monthsUnit", Key::MonthsUnit),
    ("balance", Key::Balance),
    ("depletion", Key::Depletion),
    ("depleted", Key::Depleted),
    ("firstWarning", Key::FirstWarning),
    ("never", Key::Never),
    ("warningBand", Key::WarningBand),
    ("dangerBand", Key::DangerBand),
    ("stressTest", Key::StressTest),
    ("generatedBy", Key::GeneratedBy),
];

/// `{ "zh": {name: word, ...}, "en": {...} }`, with the group headings as
/// `group.<id>` and the fund names as `fund.<id>`.
pub fn words(fund_names: &[(String, String, String)]) -> Value {
    let mut out = Map::new();
    for lang in [Lang::Zh, Lang::En] {
        let mut m = Map::new();
        for (name, key) in WORDS {
            m.insert((*name).into(), Value::String(key.get(lang).into()));
        }
        for g in Group::ALL {
            let w = if lang == Lang::Zh { g.zh() } else { g.en() };
            m.insert(format!("group.{}", g.id()), Value::String(w.into()));
        }
        for (id, zh, en) in fund_names {
            let w = if lang == Lang::Zh { zh } else { en };
            m.insert(format!("fund.{id}"), Value::String(w.clone()));
        }
        out.insert(lang.to_string(), Value::Object(m));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_there_in_both_languages() {
        let w = words(&[]);
        for lang in ["zh", "en"] {
            for (name, _) in WORDS {
                assert!(!w[lang][name].as_str().unwrap().is_empty(), "{lang} {name}");
            }
        }
        assert_eq!(w["zh"]["group.financing"], "筹资：个人缴费与财政补助");
    }
}
