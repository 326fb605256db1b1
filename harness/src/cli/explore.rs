//! `locklab explore` and `locklab replay`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use locklab::engine::{self, Budget, Engine};
use locklab::replay::ReplayString;
use locklab::report::timeline_svg::Timeline;
use locklab::verdict::Verdict;
use locklab_scenarios::{Params, Scenario};

use super::{render, scenario, ExploreArgs, ReplayArgs, UsageError};

pub fn explore(args: ExploreArgs) -> Result<ExitCode, UsageError> {
    let scenario = scenario(&args.id)?;
    let mut overrides = args.set.clone();
    if let Some(n) = args.actors {
        overrides.push((scenario.actors_param.to_owned(), n));
    }
    let params = scenario.params(&overrides).map_err(UsageError)?;
    let model =
        (scenario.build)(&params).map_err(|e| UsageError(format!("{}: {e}", scenario.id)))?;
    let engine = match args.engine {
        Engine::Loom { max_branches, .. } => Engine::Loom {
            preemption_bound: args.preemption_bound.0,
            max_branches,
        },
        Engine::Pct { .. } => Engine::Pct {
            depth: args.depth as usize,
        },
        other => other,
    };
    let budget = Budget {
        iterations: args.iterations,
        seed: args.seed,
        max_time: Duration::from_secs(args.max_time),
    };
    eprintln!(
        "exploring {} ({}) with {engine}, up to {} executions…",
        scenario.id,
        render::params(&params),
        args.iterations
    );
    let verdict = engine::explore(model, engine, budget);
    let code = render::verdict(scenario, &params, &verdict);
    if let (Some(path), Some(failure)) = (&args.svg, verdict.failure()) {
        let found = format!(
            "found by {} after {} executions",
            verdict.engine, failure.found_after
        );
        write_svg(path, scenario, &params, &verdict, &found)?;
    }
    no_svg_note(args.svg.as_deref(), &verdict);
    Ok(code)
}

pub fn replay(args: ReplayArgs) -> Result<ExitCode, UsageError> {
    let scenario = scenario(&args.id)?;
    let replay: ReplayString = args.replay.parse().map_err(UsageError)?;
    let params = scenario.params(&replay.params).map_err(UsageError)?;
    let model =
        (scenario.build)(&params).map_err(|e| UsageError(format!("{}: {e}", scenario.id)))?;
    let verdict = engine::replay(model, &replay.schedule);
    if let locklab::verdict::Outcome::Error(e) = &verdict.outcome {
        return Err(UsageError(format!("cannot replay on {}: {e}", scenario.id)));
    }
    let code = render::verdict(scenario, &params, &verdict);
    if let Some(path) = &args.svg {
        write_svg(path, scenario, &params, &verdict, "replayed")?;
    }
    no_svg_note(args.svg.as_deref(), &verdict);
    Ok(code)
}

/// Draws the failing execution of `verdict` (if any) into `path`.
fn write_svg(
    path: &Path,
    scenario: &Scenario,
    params: &Params,
    verdict: &Verdict,
    found: &str,
) -> Result<(), UsageError> {
    let Some(failure) = verdict.failure() else {
        return Ok(());
    };
    let replay = failure.schedule.as_ref().map(|s| {
        format!(
            "locklab replay {} '{}'",
            scenario.id,
            render::replay_string(params, s)
        )
    });
    let svg = Timeline {
        scenario: scenario.id,
        violation: &failure.violation,
        trace: &failure.trace,
        found,
        replay: replay.as_deref(),
    }
    .to_svg();
    std::fs::write(path, svg).map_err(|e| {
        UsageError(format!(
            "{}: cannot write the timeline picture: {e}",
            path.display()
        ))
    })?;
    eprintln!("timeline picture written to {}", path.display());
    Ok(())
}

/// Says why `--svg` wrote nothing when nothing was violated.
fn no_svg_note(svg: Option<&Path>, verdict: &Verdict) {
    if let (Some(path), None) = (svg, verdict.failure()) {
        eprintln!(
            "no violation, so no timeline picture was written to {}",
            path.display()
        );
    }
}
