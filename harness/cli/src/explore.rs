//! `explore` and `replay`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use locklab::check::replay_string;
use locklab::engine::{self, Budget};
use locklab::replay::ReplayString;
use locklab::{Outcome, Params, Scenario, Verdict};
use locklab_report::timeline_svg::Timeline;

use crate::args::{ExploreArgs, ReplayArgs};
use crate::backend::{self, Backend};
use crate::{render, Registry, UsageError};

/// How long `explore` searches for a simpler counterexample after PCT or random found one.
const SIMPLIFY_SECONDS: u64 = 10;

pub fn explore(args: ExploreArgs, registry: &Registry) -> Result<u8, UsageError> {
    let scenario = registry.find(&args.id)?;
    let mut overrides = args.set.clone();
    if let Some(n) = args.actors {
        let Some(actors) = scenario.actors_param() else {
            return Err(UsageError(format!(
                "{} does not say which parameter is its number of actors: use --set NAME=VALUE",
                scenario.id()
            )));
        };
        overrides.push((actors.name.to_owned(), n));
    }
    let params = scenario
        .resolve(&overrides)
        .map_err(UsageError)?
        .focused_on(args.property.as_deref());
    let model = scenario.build(&params).map_err(UsageError)?;
    let engine = engine::by_name(&args.engine, args.preemption_bound.0, args.depth as usize)
        .map_err(UsageError)?;
    // Before any search: a backend that cannot run this rung is bad input.
    let mut server = match args.backend {
        Backend::Model => None,
        b => Some(backend::open(b, scenario, &model)?),
    };
    let budget = Budget {
        executions: args.iterations,
        seed: args.seed,
        max_time: Duration::from_secs(args.max_time),
    };
    let how_many = match (args.iterations, args.engine.as_str()) {
        (Some(n), _) => format!("up to {n} executions"),
        (None, "loom" | "dfs" | "states") => "to the end of its search".to_owned(),
        (None, _) => format!("{} executions", engine::DEFAULT_SAMPLES),
    };
    let looking_for = args
        .property
        .as_ref()
        .map(|p| format!(", for {p} alone"))
        .unwrap_or_default();
    eprintln!(
        "exploring {} ({params}{looking_for}) with {}, {how_many} or {} s…",
        scenario.id(),
        engine.label(),
        args.max_time
    );
    let verdict = engine::explore(Arc::clone(&model), engine.as_ref(), budget);
    // An engine that cannot run this model at all (loom's thread limit, a bound it
    // cannot represent, a malformed cast) is a usage error, not a verdict.
    if let Outcome::Error(e) = &verdict.outcome {
        return Err(UsageError(format!(
            "cannot explore {} with {}: {e}",
            scenario.id(),
            engine.label()
        )));
    }
    let mut code = render::verdict(registry, scenario, &params, &verdict);
    if let Some(runner) = server.as_mut() {
        let bound = args.preemption_bound.0.unwrap_or(backend::AGREEMENT_BOUND);
        code = code.max(backend::after_explore(
            runner,
            Arc::clone(&model),
            &verdict,
            bound,
        )?);
    }
    if let (Some(failure), "pct" | "random") = (verdict.failure(), args.engine.as_str()) {
        eprintln!("simplifying: a breadth-first search for a shortest counterexample at these sizes (up to {SIMPLIFY_SECONDS} s)…");
        match engine::simplify(model, failure, Duration::from_secs(SIMPLIFY_SECONDS)) {
            Some(simplified) => render::simplified(registry, scenario, &params, &simplified),
            None => println!("\n(not simplified: no shorter counterexample of {} found within {SIMPLIFY_SECONDS} s at these sizes)", failure.violation.property),
        }
    }
    if let (Some(path), Some(failure)) = (&args.svg, verdict.failure()) {
        let found = format!(
            "found by {} after {} executions",
            verdict.engine, failure.found_after
        );
        write_svg(path, registry, scenario, &params, &verdict, &found)?;
    }
    no_svg_note(args.svg.as_deref(), &verdict);
    Ok(code)
}

pub fn replay(args: ReplayArgs, registry: &Registry) -> Result<u8, UsageError> {
    let (id, text) = args.id_and_string();
    let replay: ReplayString = text.parse().map_err(UsageError)?;
    let scenario = registry.find(id.unwrap_or(&replay.scenario))?;
    let params = replay.params_for(scenario).map_err(UsageError)?;
    let model = scenario.build(&params).map_err(UsageError)?;
    let mut server = match args.backend {
        Backend::Model => None,
        b => Some(backend::open(b, scenario, &model)?),
    };
    let verdict = engine::replay(Arc::clone(&model), &replay.schedule);
    if let Outcome::Error(e) = &verdict.outcome {
        return Err(UsageError(format!(
            "cannot replay on {}: {e}",
            scenario.id()
        )));
    }
    let mut code = render::verdict(registry, scenario, &params, &verdict);
    if let Some(runner) = server.as_mut() {
        // A replay that passes has no counterexample to reproduce: compare its own
        // statements by reproducing the schedule as given.
        code = code.max(backend::after_replay(runner, model, &replay.schedule)?);
    }
    if let Some(path) = &args.svg {
        write_svg(path, registry, scenario, &params, &verdict, "replayed")?;
    }
    no_svg_note(args.svg.as_deref(), &verdict);
    Ok(code)
}

/// Draws the failing execution of `verdict` (if any) into `path`.
fn write_svg(
    path: &Path,
    registry: &Registry,
    scenario: &Scenario,
    params: &Params,
    verdict: &Verdict,
    found: &str,
) -> Result<(), UsageError> {
    let Some(failure) = verdict.failure() else {
        return Ok(());
    };
    let replay = failure
        .schedule
        .as_ref()
        .map(|s| render::replay_command(registry, &replay_string(scenario, params, s.clone())));
    let svg = Timeline {
        scenario: scenario.id(),
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
