//! The state-caching engine's section: beside loom on every correct rung, its growth
//! with the actors, and the minimality of every buggy rung's counterexample.

use std::fmt::Write as _;
use std::path::Path;

use locklab::comparison::{Run, StatesReport};
use locklab::Coverage;

use super::check_data::CheckResult;
use super::criterion_data::read_json;
use super::error::ReportError;
use super::format::{cell, code, count, duration_s, ratio, table, Align};

/// Reads `reports/states.json`, if it is there (the section then says how to make it).
pub fn load(path: &Path) -> Result<Option<StatesReport>, ReportError> {
    if !path.is_file() {
        return Ok(None);
    }
    read_json(path).map(Some)
}

fn sizes(r: &Run) -> String {
    let parts: Vec<String> = r.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    cell(&parts.join(", "))
}

fn searched(r: &Run) -> String {
    if let Some(e) = &r.error {
        // The reason up to its parenthesis: "loom runs at most 4 actors".
        let reason = e.split(" (").next().unwrap_or(e).trim();
        return format!("not run: {}", cell(reason));
    }
    if r.executions == 0 && !r.passed {
        // No execution ran, so nothing was violated: the engine refused the model (a
        // file measured before runs carried their error).
        return "not run (the engine refused the model)".to_owned();
    }
    let what = match r.coverage {
        Coverage::Exhaustive => "every interleaving".to_owned(),
        Coverage::PreemptionBounded { bound } => format!("≤{bound} preemptions"),
        Coverage::Incomplete { .. } => "**did not finish**".to_owned(),
        Coverage::Sampled { .. } => "sampled".to_owned(),
    };
    let verdict = if r.passed { "" } else { " · **violated**" };
    format!(
        "{} exec · {} · {what}{verdict}",
        count(r.executions),
        duration_s(r.seconds)
    )
}

/// The section's markdown.
pub fn markdown(report: Option<&StatesReport>, checks: &[CheckResult], file: &Path) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "## State-caching engine\n");
    let Some(report) = report else {
        let _ = writeln!(
            md,
            "No {} yet: `locklab report --measure` writes it.\n",
            code(&file.display().to_string())
        );
        return md;
    };
    let _ = writeln!(
        md,
        "Every correct rung at its `states` plan's sizes, in the same run: the state-caching \
         engine (every state once, no preemption bound) beside loom with no bound, and with \
         at most 2 preemptions where the unbounded search did not finish within its time cap. \
         *× fewer* is loom's executions over the engine's, where loom finished.\n"
    );
    let mut rows = Vec::new();
    for c in &report.comparisons {
        let fewer = if c.loom.coverage == Coverage::Exhaustive && c.states.executions > 0 {
            ratio(c.loom.executions as f64 / c.states.executions as f64)
        } else {
            "—".to_owned()
        };
        rows.push(vec![
            cell(&c.scenario),
            sizes(&c.states),
            count(c.states.states.unwrap_or(0)),
            searched(&c.states),
            searched(&c.loom),
            c.loom_bounded
                .as_ref()
                .map_or_else(|| "—".to_owned(), searched),
            fewer,
        ]);
    }
    let _ = writeln!(
        md,
        "{}",
        table(
            &[
                ("rung", Align::Left),
                ("sizes", Align::Left),
                ("states", Align::Right),
                ("state-caching engine", Align::Left),
                ("loom, unbounded", Align::Left),
                ("loom, ≤2 preemptions", Align::Left),
                ("× fewer", Align::Right),
            ],
            &rows
        )
    );
    let _ = writeln!(
        md,
        "### Growth\n\nStates and time as the actors go from 2 to 5.\n"
    );
    let growth: Vec<Vec<String>> = report
        .growth
        .iter()
        .map(|g| {
            vec![
                cell(&g.scenario),
                g.actors.to_string(),
                count(g.run.states.unwrap_or(0)),
                searched(&g.run),
            ]
        })
        .collect();
    let _ = writeln!(
        md,
        "{}",
        table(
            &[
                ("rung", Align::Left),
                ("actors", Align::Right),
                ("states", Align::Right),
                ("search", Align::Left),
            ],
            &growth
        )
    );
    md.push_str(&counterexamples(checks));
    md
}

/// Every buggy rung's counterexample from the engine: its length, its preemptions,
/// and the fewest any counterexample needs.
fn counterexamples(checks: &[CheckResult]) -> String {
    let rows: Vec<Vec<String>> = checks
        .iter()
        .filter(|c| c.is_buggy_rung() && c.engine_family() == "states")
        .filter_map(|c| {
            let (d, p, f) = (c.decisions?, c.preemptions?, c.fewest_preemptions?);
            let fewest = if f == p {
                format!("{p} (none has fewer)")
            } else {
                format!("{f} (a longer one)")
            };
            Some(vec![
                cell(&c.scenario),
                cell(
                    c.violation
                        .as_deref()
                        .and_then(|v| v.split(':').next())
                        .unwrap_or(""),
                ),
                d.to_string(),
                p.to_string(),
                fewest,
            ])
        })
        .collect();
    let mut md = String::new();
    let _ = writeln!(
        md,
        "### Counterexamples\n\nEach buggy rung's counterexample from the state-caching engine: \
         a shortest one in scheduling decisions (found breadth first), its preemptions, and \
         the fewest preemptions any counterexample needs (the searches bounded below it came \
         back empty).\n"
    );
    let _ = writeln!(
        md,
        "{}",
        table(
            &[
                ("rung", Align::Left),
                ("violates", Align::Left),
                ("decisions", Align::Right),
                ("preemptions", Align::Right),
                ("fewest preemptions", Align::Left),
            ],
            &rows
        )
    );
    md
}
