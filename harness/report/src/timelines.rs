//! Timeline pictures of the buggy rungs in the check JSON: each rung's counterexample
//! is replayed from its replay string to recover the trace, then drawn.

use std::fs;
use std::path::Path;

use locklab::engine;
use locklab::replay::{ReplayString, Schedule};
use locklab::verdict::Failure;

use super::check_data::CheckResult;
use super::error::ReportError;
use super::format::file_name;
use super::timeline_svg::Timeline;

/// A buggy rung's timeline, or why it has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RungTimeline {
    /// Scenario id.
    pub scenario: String,
    /// Path relative to the report directory (`timelines/<scheme>/<variant>.svg`), or
    /// `None` with the reason in `note`.
    pub path: Option<String>,
    /// The check row it came from: engine and replay string.
    pub engine: String,
    /// Steps in the trace.
    pub steps: usize,
    /// Why there is no picture, or other remarks.
    pub note: Option<String>,
}

/// Replays every buggy rung's failing executions and writes the shortest one's
/// timeline under `out_dir/timelines/`. A rung that is not a built-in scenario (a
/// newer check file, say) or whose replay no longer fails gets a note instead; a
/// replay string that does not parse is an error naming `check_path`.
pub fn write_all(
    results: &[CheckResult],
    check_path: &Path,
    out_dir: &Path,
) -> Result<Vec<RungTimeline>, ReportError> {
    let mut rungs: Vec<&str> = Vec::new();
    for r in results
        .iter()
        .filter(|r| r.is_buggy_rung() && r.replay.is_some())
    {
        if !rungs.contains(&r.scenario.as_str()) {
            rungs.push(&r.scenario);
        }
    }
    let mut out = Vec::new();
    for scenario in rungs {
        let mut rows: Vec<(u64, &CheckResult)> = results
            .iter()
            .filter(|r| r.scenario == scenario && r.replay.is_some())
            .map(|r| Ok((replay_cost(r, check_path)?, r)))
            .collect::<Result<_, ReportError>>()?;
        rows.sort_by_key(|(cost, _)| *cost);
        let mut best: Option<(&CheckResult, Failure)> = None;
        let mut note = None;
        for (cost, row) in rows {
            if best.is_some() && cost > EXPENSIVE_REPLAY {
                continue;
            }
            match replay(row, check_path)? {
                Ok(failure) => {
                    let shorter = best
                        .as_ref()
                        .is_none_or(|(_, b)| failure.trace.events.len() < b.trace.events.len());
                    if shorter {
                        best = Some((row, failure));
                    }
                }
                Err(why) => note = Some(why),
            }
        }
        let Some((row, failure)) = best else {
            out.push(RungTimeline {
                scenario: scenario.to_owned(),
                path: None,
                engine: String::new(),
                steps: 0,
                note,
            });
            continue;
        };
        let path = format!(
            "timelines/{}/{}.svg",
            file_name(&row.scheme),
            file_name(row.variant())
        );
        let replay = row.replay.as_deref().unwrap_or_default();
        let command = format!("locklab replay '{replay}'");
        let found = match row.found_after {
            Some(n) => format!(
                "found by {} after {n} executions (locklab check)",
                row.engine
            ),
            None => format!("found by {} (locklab check)", row.engine),
        };
        let svg = Timeline {
            scenario: &row.scenario,
            violation: &failure.violation,
            trace: &failure.trace,
            found: &found,
            replay: Some(&command),
        }
        .to_svg();
        write(&out_dir.join(&path), &svg)?;
        out.push(RungTimeline {
            scenario: scenario.to_owned(),
            path: Some(path),
            engine: row.engine.clone(),
            steps: failure.trace.events.len(),
            note: None,
        });
    }
    Ok(out)
}

/// Executions a replay re-runs beyond which it is skipped once another engine's
/// counterexample is in hand: a loom replay re-runs every execution before the
/// failing one, and a deep one takes seconds for a picture that may not be shorter.
const EXPENSIVE_REPLAY: u64 = 10_000;

fn parse(row: &CheckResult, check_path: &Path) -> Result<ReplayString, ReportError> {
    let text = row.replay.as_deref().unwrap_or_default();
    text.parse().map_err(|e| {
        ReportError::malformed(
            check_path,
            format!("{} ({}): bad replay string: {e}", row.scenario, row.engine),
        )
    })
}

/// How many executions replaying `row` runs: a shuttle schedule is one, a loom
/// index re-runs everything before it.
fn replay_cost(row: &CheckResult, check_path: &Path) -> Result<u64, ReportError> {
    Ok(match parse(row, check_path)?.schedule {
        Schedule::Shuttle { .. } | Schedule::States { .. } => 1,
        Schedule::Loom { execution, .. } => execution,
    })
}

/// The failure a check row's replay string reproduces; `Ok(Err(reason))` when it
/// cannot be drawn for a reason that is not the file's fault.
fn replay(row: &CheckResult, check_path: &Path) -> Result<Result<Failure, String>, ReportError> {
    let replay = parse(row, check_path)?;
    let Some(scenario) = locklab::scenarios::find(&row.scenario) else {
        return Ok(Err(
            "not a built-in scenario of this locklab: no timeline".to_owned()
        ));
    };
    let params = replay.params_for(scenario).map_err(|e| {
        ReportError::malformed(
            check_path,
            format!("{} ({}): {e}", row.scenario, row.engine),
        )
    })?;
    let model = match scenario.build(&params) {
        Ok(model) => model,
        Err(e) => return Ok(Err(format!("cannot build the model: {e}"))),
    };
    let verdict = engine::replay(model, &replay.schedule);
    Ok(match verdict.outcome {
        engine::Outcome::Violated(failure) => Ok(*failure),
        engine::Outcome::Passed => {
            Err("the replay no longer fails (the model changed since the check ran)".to_owned())
        }
        engine::Outcome::Error(e) => Err(format!("cannot replay: {e}")),
    })
}

fn write(path: &Path, contents: &str) -> Result<(), ReportError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| ReportError::io(dir, "create directory", e))?;
    }
    fs::write(path, contents).map_err(|e| ReportError::io(path, "write", e))
}
