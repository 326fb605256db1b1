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
    let file: locklab::check::CheckReport = read_json(path)?;
    if let Some(bad) = file.results.iter().find(|r| !r.scenario.contains('/')) {
        return Err(ReportError::malformed(
            path,
            format!(
                "scenario '{}' is not of the form scheme/variant",
                bad.scenario
            ),
        ));
    }
    Ok(file.results)
}
