//! The JSON `locklab check --json` prints: every scenario's verdict per engine.

use std::path::Path;

use super::criterion_data::read_json;
use super::error::ReportError;

/// One row of the check matrix: the record `locklab check --json` writes.
pub use locklab::check::CheckRecord as CheckResult;

/// Hint printed when the check JSON is missing.
pub const CHECK_HINT: &str =
    "run `locklab check --json > reports/check.json` (or `locklab report --measure`) to create it";

/// Reads the check JSON at `path`.
pub fn load(path: &Path) -> Result<Vec<CheckResult>, ReportError> {
    if !path.is_file() {
        return Err(ReportError::Missing {
            path: path.to_owned(),
            hint: CHECK_HINT.to_owned(),
        });
    }
    let with_hint = |e: ReportError| match e {
        ReportError::Malformed { path, reason } => ReportError::Malformed {
            path,
            reason: format!("{reason}; {CHECK_HINT}"),
        },
        other => other,
    };
    let file: locklab::check::CheckReport = read_json(path).map_err(with_hint)?;
    validate(&file.results).map_err(|e| with_hint(ReportError::malformed(path, e)))?;
    Ok(file.results)
}

/// What `check --json` never writes: a malformed id, a negative or non-finite time,
/// a failure found after more executions than ran, the same run twice.
fn validate(results: &[CheckResult]) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for r in results {
        let run = format!("{} ({}, {:?})", r.scenario, r.engine, r.params);
        if !r.scenario.contains('/') {
            return Err(format!(
                "scenario '{}' is not of the form scheme/variant",
                r.scenario
            ));
        }
        if !(r.seconds.is_finite() && r.seconds >= 0.0) {
            return Err(format!(
                "{run}: seconds is {}, not a time (0 or more)",
                r.seconds
            ));
        }
        if r.found_after.is_some_and(|n| n == 0 || n > r.executions) {
            return Err(format!(
                "{run}: found after execution {} of {}",
                r.found_after.unwrap_or(0),
                r.executions
            ));
        }
        if let Some(text) = &r.replay {
            let replay: locklab::replay::ReplayString =
                text.parse().map_err(|e| format!("{run}: {e}"))?;
            if replay.scenario != r.scenario {
                return Err(format!(
                    "{run}: its replay string is for {}",
                    replay.scenario
                ));
            }
        }
        if !seen.insert(run.clone()) {
            return Err(format!(
                "{run} appears twice: regenerate the file with `locklab check --json`"
            ));
        }
    }
    Ok(())
}
