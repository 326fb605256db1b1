//! Helpers for `cargo test`: run a scenario's plans and fail with the timeline and
//! the replay command, as shuttle's failures do.

use std::fmt::Write as _;

use locklab_models::sim::{Expected, Property, Scenario};

use crate::check::{check_scenario, CheckDepth, CheckRow};
use crate::verdict::Outcome;

/// Asserts that `scenario` holds under its loom plan (a proof, within its bound) and
/// its shuttle plan, with every declared property's check run. Panics with the
/// failing timeline and the command that replays it.
pub fn assert_holds(scenario: &Scenario) {
    assert_expected(scenario, Expected::Holds);
}

/// Asserts that both of `scenario`'s plans catch `property`. Panics with what was
/// found instead.
pub fn assert_violates(scenario: &Scenario, property: Property) {
    assert_expected(scenario, Expected::Violates(property));
}

fn assert_expected(scenario: &Scenario, expected: Expected) {
    if let Err(e) = scenario.validate() {
        panic!("{e}");
    }
    let rows = check_scenario(scenario, CheckDepth::default());
    let mut report = String::new();
    for row in &rows {
        if let Err(why) = crate::check::judge(expected, &row.verdict) {
            explain(&mut report, row, expected, &why);
        }
    }
    if !report.is_empty() {
        panic!("{report}");
    }
}

fn explain(out: &mut String, row: &CheckRow<'_>, expected: Expected, why: &str) {
    let id = row.scenario.id();
    let v = &row.verdict;
    let _ = writeln!(
        out,
        "{id} ({}) is expected to {expected}, but under {} after {} executions: {why}",
        row.params, v.engine, v.executions
    );
    if let Outcome::Violated(f) = &v.outcome {
        let _ = writeln!(out, "  {}\n", f.violation.detail);
        out.push_str(&f.trace.render());
        if let Some(replay) = row.replay() {
            let _ = writeln!(out, "\nreplay: {replay}");
            let _ = writeln!(
                out,
                "  locklab replay '{replay}'   (or your own CLI's `replay`)"
            );
        }
    }
    out.push('\n');
}
