//! Start-up work does not scale with the Monte Carlo paths: the group table
//! of a DIP-sized scenario is parsed once in a process, whatever the checks
//! of its `[sensitivity]` and `[uncertainty]` sections and the number of
//! paths that follow. One test in its own binary, since the parse counter is
//! per process.

mod common;

use drgsim::analysis::{self, Uncertainty};
use drgsim::payment::GroupTable;
use drgsim::projection::{Model, project};

#[test]
fn tables_are_parsed_once_whatever_the_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario =
        common::dip::write_dip_scenario(&common::scenario(""), tmp.path(), 3_000, 7).unwrap();
    let before = GroupTable::parses();
    // what every command does before its own work (`cli::load`) ...
    let model = Model::load(&scenario, &[]).unwrap();
    assert_eq!(model.funds[0].payment.n_groups(), 3_000);
    analysis::check_sections(&model).unwrap();
    let base = project(&model);
    assert!(base.funds[0].rows[0].balance_wan.is_finite());
    // ... and `montecarlo`'s
    let mut unc = Uncertainty::of_model(&model).unwrap();
    analysis::keep_observed(&model, &mut unc).unwrap();
    assert_eq!(
        GroupTable::parses() - before,
        1,
        "start-up parses the table once"
    );
    let mut medians = Vec::new();
    for paths in [1, 2, 700] {
        let mc = analysis::monte_carlo(&model, &unc, paths, 3, Some(2), None).unwrap();
        medians.push(mc.funds[0].months.quantiles[0][2]);
        assert_eq!(
            GroupTable::parses() - before,
            1,
            "{paths} paths parse no table again"
        );
    }
    assert!(medians.iter().all(|m| m.is_finite()), "{medians:?}");
    // a second start-up in the same process reads nothing again either
    let again = Model::load(&scenario, &[]).unwrap();
    analysis::check_sections(&again).unwrap();
    assert_eq!(GroupTable::parses() - before, 1);
    // the spread table is a real 3,000-group table: the projection moves
    // with it (its cases differ from the 732-group source's)
    let bundled = Model::load(&common::scenario("chuxiong-rules.toml"), &[]).unwrap();
    let b = project(&bundled);
    assert_ne!(
        b.funds[0].rows[1].balance_wan.to_bits(),
        base.funds[0].rows[1].balance_wan.to_bits()
    );
    assert_eq!(
        GroupTable::parses() - before,
        2,
        "the bundled table is another table"
    );
}
