//! `locklab explore` and `locklab replay`.

use std::process::ExitCode;
use std::time::Duration;

use locklab::engine::{self, Budget, Engine};
use locklab::replay::ReplayString;

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
    Ok(render::verdict(scenario, &params, &verdict))
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
    Ok(render::verdict(scenario, &params, &verdict))
}
