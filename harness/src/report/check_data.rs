//! The JSON `locklab check --json` prints: every scenario's verdict per engine.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::criterion_data::read_json;
use super::error::ReportError;

/// One row of the check matrix: one scenario under one engine.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CheckResult {
    /// `scheme/variant`.
    pub scenario: String,
    /// The scheme part of the id.
    pub scheme: String,
    /// The engine with its settings: `loom(pb=2)`, `pct(d=3)`.
    pub engine: String,
    /// The parameter values it ran with.
    pub params: BTreeMap<String, u64>,
    /// `holds` or `violates <property>`.
    pub expected: String,
    /// What was found, in the matrix's words.
    pub got: String,
    /// Whether that is what was expected.
    pub met: bool,
    /// Executions explored.
    pub executions: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// `property: detail`, when a property was violated.
    pub violation: Option<String>,
    /// 1-based index of the failing execution.
    pub found_after: Option<u64>,
    /// The string `locklab replay <scenario> <replay>` accepts.
    pub replay: Option<String>,
}

impl CheckResult {
    /// The variant part of the scenario id (the rung).
    pub fn variant(&self) -> &str {
        self.scenario
            .split_once('/')
            .map_or(self.scenario.as_str(), |(_, v)| v)
    }

    /// Whether the rung is a known bug (expected to be caught).
    pub fn is_buggy_rung(&self) -> bool {
        self.expected != "holds"
    }

    /// The engine family without its settings: `loom`, `pct`.
    pub fn engine_family(&self) -> &str {
        self.engine
            .split_once('(')
            .map_or(self.engine.as_str(), |(f, _)| f)
    }

    /// The engine's settings (`pb=2`), if any.
    pub fn engine_settings(&self) -> Option<&str> {
        self.engine
            .split_once('(')
            .map(|(_, s)| s.trim_end_matches(')'))
    }
}

#[derive(Deserialize)]
struct CheckFile {
    results: Vec<CheckResult>,
}

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
    let file: CheckFile = read_json(path)?;
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
